"""Events of the control plane's own (watchdog retries and failures, cancellations) appended
to the workers' event stream, on the job's seq counter, so they are persisted and relayed
like any other."""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis

from schemas.training_job.protocol import EventType, JobKeys, seq_key, stream_fields


async def append_event(
    redis: aioredis.Redis, keys: JobKeys, job_id: str, type_: EventType, payload: dict[str, Any]
) -> int:
    seq = int(await redis.incr(seq_key(job_id)))
    await redis.xadd(keys.stream, stream_fields(job_id, type_, seq, payload))
    return seq
