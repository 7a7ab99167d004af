"""The online store on Redis: per entity and feature, the latest value and the last window.

The key layout is `loadstar_core.feature_store.online_window`'s (the gateway reads it too):
a read of N latest values is one MGET; a window is a sorted set (score: event time) of the
last `lookback` points. One Lua script writes both, so a late row lands in the window in its
place and never replaces a newer latest value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import msgspec
import redis.asyncio as aioredis

from loadstar_core.feature_store import online_window as keys
from loadstar_core.feature_store.rows import CheckedRow

Value = float | str | bool | None
_ENCODE = msgspec.json.Encoder()

# KEYS: window, latest. ARGV: score, member, lookback.
_WRITE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[3]) - 1)
local top = redis.call('ZRANGE', KEYS[1], -1, -1)
redis.call('SET', KEYS[2], string.sub(top[1], 18))
return 1
"""


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class OnlineStore:
    """Typed reads and writes of the online keys of one namespace."""

    def __init__(self, client: aioredis.Redis, namespace: str) -> None:
        self.client = client
        self.namespace = namespace
        self._write = client.register_script(_WRITE)

    @classmethod
    def connect(cls, redis_url: str, namespace: str) -> OnlineStore:
        return cls(aioredis.Redis.from_url(redis_url), namespace)

    def latest_key(self, group: str, entity: str, feature: str) -> str:
        return keys.latest_key(self.namespace, group, entity, feature)

    def window_key(self, group: str, entity: str, feature: str) -> str:
        return keys.window_key(self.namespace, group, entity, feature)

    async def write(self, group: str, rows: Iterable[CheckedRow], lookback: int) -> int:
        """Writes every non-null value; returns how many."""
        count = 0
        async with self.client.pipeline(transaction=False) as pipe:
            for row in rows:
                score = row.event_time.timestamp()
                # a fixed-width hex prefix keeps members unique per time and sorts nothing
                prefix = f"{int(score * 1e6):016x}:"
                for feature, value in row.values.items():
                    if value is None:
                        continue
                    member = prefix + _ENCODE.encode((_iso(row.event_time), value)).decode()
                    keys = [
                        self.window_key(group, row.entity, feature),
                        self.latest_key(group, row.entity, feature),
                    ]
                    await self._write(keys=keys, args=[score, member, lookback], client=pipe)
                    count += 1
            await pipe.execute()
        return count

    async def latest(
        self, entity: str, features: Sequence[tuple[str, str]]
    ) -> list[tuple[str, Value] | None]:
        """`(eventTime, value)` of each (group, feature), None where nothing is online."""
        if not features:
            return []
        raw = await self.client.mget([self.latest_key(g, entity, f) for g, f in features])
        return [None if r is None else keys.decode_point(r) for r in raw]

    async def window(
        self, entity: str, group: str, feature: str, points: int
    ) -> list[tuple[str, Value]]:
        """The last `points` values, oldest first."""
        members = await self.client.zrange(self.window_key(group, entity, feature), -points, -1)
        return [keys.decode_member(m) for m in members]

    async def close(self) -> None:
        await self.client.aclose()
