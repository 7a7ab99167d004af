"""The worker's side of the job event stream: append events, poll for pause and stop.

Workers never write to Postgres. Each event carries a per-job `seq` allocated by Redis
(INCR), so retries on another worker continue the same gapless sequence. Control requests
(pause/stop) travel the other way through a per-job key the worker polls. The names and
the event types are the protocol's (`schemas.training_job`).
"""

from __future__ import annotations

import time
from typing import Any, cast

import redis

from schemas.training_job.protocol import (
    Action,
    EventType,
    JobKeys,
    control_key,
    seq_key,
    stream_fields,
)


class EventEmitter:
    """Synchronous emitter used from the training thread."""

    def __init__(self, client: redis.Redis, job_id: str, keys: JobKeys) -> None:
        self.client = client
        self.job_id = job_id
        self.keys = keys

    def emit(self, type_: EventType, payload: dict[str, Any]) -> int:
        seq = int(cast(int, self.client.incr(seq_key(self.job_id))))
        fields = stream_fields(self.job_id, type_, seq, payload)
        self.client.xadd(self.keys.stream, fields, maxlen=1_000_000, approximate=True)
        return seq


class ControlPoller:
    """Reads the requested action at most every `interval` seconds (called per batch)."""

    def __init__(self, client: redis.Redis, job_id: str, interval: float = 0.5) -> None:
        self.client = client
        self.job_id = job_id
        self.interval = interval
        self._last = 0.0
        self._action: Action = "run"

    def __call__(self) -> Action:
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            raw = self.client.get(control_key(self.job_id))
            value = raw.decode() if isinstance(raw, bytes) else (raw or "run")
            self._action = value if value in ("run", "pause", "stop") else "run"  # type: ignore[assignment]
        return self._action
