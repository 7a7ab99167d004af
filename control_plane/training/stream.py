"""Events of the control plane's own (watchdog retries and failures, cancellations) appended
to the workers' event stream, on the job's seq counter, so they are persisted and relayed
like any other."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import redis.asyncio as aioredis

from training.events import STREAM, seq_key


async def append_event(
    redis: aioredis.Redis, job_id: str, type_: str, payload: dict[str, Any]
) -> int:
    seq = int(await redis.incr(seq_key(job_id)))
    ts = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    fields = {
        "jobId": job_id,
        "type": type_,
        "seq": seq,
        "ts": ts,
        "payload": msgspec.json.encode(payload),
    }
    await redis.xadd(STREAM, fields)  # type: ignore[arg-type]
    return seq
