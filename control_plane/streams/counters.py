"""What each source has sent, counted in Redis by the consumer and read by the API."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import redis.asyncio as aioredis


class SourceCounters:
    def __init__(self, client: aioredis.Redis, namespace: str) -> None:
        self.client = client
        self.namespace = namespace

    def key(self, source_id: str) -> str:
        return f"{self.namespace}:src:{source_id}"

    def minute_key(self, source_id: str, minute: int) -> str:
        return f"{self.namespace}:src:{source_id}:m:{minute}"

    async def seen(self, source_id: str, payload: bytes, error: str | None) -> None:
        now = time.time()
        minute = self.minute_key(source_id, int(now // 60))
        fields = {"last_payload": payload[:2000], "last_at": str(now)}
        if error is not None:
            fields["last_error"] = error[:500]
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hincrby(self.key(source_id), "malformed" if error else "messages", 1)
            pipe.hset(self.key(source_id), mapping=fields)  # type: ignore[arg-type]
            pipe.incr(minute)
            pipe.expire(minute, 180)
            await pipe.execute()

    async def read(self, source_id: str) -> dict[str, object]:
        """messages, malformed, messagesPerMinute (the last full minute), last payload."""
        now_minute = int(time.time() // 60)
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.hgetall(self.key(source_id))
            pipe.get(self.minute_key(source_id, now_minute - 1))
            pipe.get(self.minute_key(source_id, now_minute))
            found, previous, current = await pipe.execute()
        at = found.get(b"last_at")
        # the running minute counts once it holds more than the whole last one
        rate = max(int(previous or 0), int(current or 0))
        return {
            "messages": int(found.get(b"messages", 0)),
            "malformed": int(found.get(b"malformed", 0)),
            "messagesPerMinute": float(rate),
            "lastPayload": found[b"last_payload"].decode(errors="replace")
            if b"last_payload" in found
            else None,
            "lastMessageAt": None if at is None else datetime.fromtimestamp(float(at), UTC),
            "lastError": found[b"last_error"].decode() if b"last_error" in found else None,
        }
