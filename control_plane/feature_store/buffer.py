"""Stream rows waiting for the offline store: a Redis stream per group.

An entry leaves the stream only after the offline transaction that holds it commits,
so a crash in between repeats rows (harmless: the same value at the same event time)
and never loses one.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import redis.asyncio as aioredis

from loadstar_core.feature_store.rows import CheckedRow

_ENCODE = msgspec.json.Encoder()
_DECODE = msgspec.json.Decoder(CheckedRow)


class StreamBuffer:
    def __init__(self, client: aioredis.Redis, namespace: str) -> None:
        self.client = client
        self.namespace = namespace

    def key(self, group_id: str) -> str:
        return f"{self.namespace}:fs:s:{group_id}"

    async def push(self, group_id: str, rows: Sequence[CheckedRow]) -> None:
        async with self.client.pipeline(transaction=True) as pipe:
            for row in rows:
                pipe.xadd(self.key(group_id), {"row": _ENCODE.encode(row)})
            await pipe.execute()

    async def pending(self, group_id: str) -> int:
        return int(await self.client.xlen(self.key(group_id)))

    async def take(self, group_id: str, count: int) -> tuple[list[CheckedRow], str | None]:
        """The oldest `count` rows and the last entry's id (None when empty)."""
        entries = await self.client.xrange(self.key(group_id), "-", "+", count=count)
        rows = [_DECODE.decode(fields[b"row"]) for _, fields in entries]
        return rows, (entries[-1][0].decode() if entries else None)

    async def release(self, group_id: str, last_id: str) -> None:
        """Drops the entries up to and including `last_id` (after they are stored)."""
        entries = await self.client.xrange(self.key(group_id), "-", last_id)
        if entries:
            await self.client.xdel(self.key(group_id), *[e[0] for e in entries])
