"""The job event stream: workers append to one Redis Stream; the control plane consumes it.

Workers never write to Postgres. Each event carries a per-job `seq` allocated by Redis
(INCR), so retries on another worker continue the same gapless sequence. Control requests
(pause/stop) travel the other way through a per-job key the worker polls.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal, cast

import msgspec
import redis

# One namespace per installation sharing a Redis (tests use their own).
NAMESPACE = os.environ.get("LOADSTAR_NAMESPACE", "loadstar")
STREAM = f"{NAMESPACE}:training-events"
GROUP = "control-plane"


class HeartbeatTiming(msgspec.Struct, frozen=True, kw_only=True):
    """How often a worker beats and how long a beat lasts; a running job with no beat is
    taken for lost. Both sides read it from the environment when they start (tests shorten
    it); the watchdog gives a fresh start `ttl_s` to beat."""

    ttl_s: float = 20.0
    every_s: float = 5.0
    watchdog_every_s: float = 5.0
    # an attempt that ended marks the key this long, until its last event is folded in
    ended_keep_s: float = 3600.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HeartbeatTiming:
        """LOADSTAR_HEARTBEAT_TTL_S (20), LOADSTAR_HEARTBEAT_EVERY_S and
        LOADSTAR_WATCHDOG_EVERY_S (both 5, or a quarter of a shorter ttl)."""
        env = os.environ if env is None else env
        ttl = float(env.get("LOADSTAR_HEARTBEAT_TTL_S", 20.0))
        every = float(env.get("LOADSTAR_HEARTBEAT_EVERY_S", min(5.0, ttl / 4)))
        watchdog = float(env.get("LOADSTAR_WATCHDOG_EVERY_S", min(5.0, ttl / 4)))
        if not 0 < every < ttl or watchdog <= 0:
            raise ValueError(f"heartbeat every {every}s must be > 0 and below its ttl {ttl}s")
        return cls(ttl_s=ttl, every_s=every, watchdog_every_s=watchdog)

    @property
    def ttl_ms(self) -> int:
        return max(1, round(self.ttl_s * 1000))

    @property
    def ended_ms(self) -> int:
        return max(self.ttl_ms, round(self.ended_keep_s * 1000))


def seq_key(job_id: str) -> str:
    return f"loadstar:job:{job_id}:seq"


def control_key(job_id: str) -> str:
    return f"loadstar:job:{job_id}:control"


def heartbeat_key(job_id: str) -> str:
    return f"loadstar:job:{job_id}:heartbeat"


def handback_key(job_id: str) -> str:
    """Set (to the attempt) by a worker that shut down mid-job after saving its place: the
    watchdog then queues the same attempt again instead of counting a lost worker."""
    return f"loadstar:job:{job_id}:handback"


def live_channel(job_id: str) -> str:
    """Pub/sub channel the control plane relays persisted events on."""
    return f"loadstar:job:{job_id}:live"


Action = Literal["run", "pause", "stop"]


class EventEmitter:
    """Synchronous emitter used from the training thread."""

    def __init__(self, client: redis.Redis, job_id: str) -> None:
        self.client = client
        self.job_id = job_id

    def emit(self, type_: str, payload: dict[str, Any]) -> int:
        seq = int(cast(int, self.client.incr(seq_key(self.job_id))))
        ts = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        self.client.xadd(
            STREAM,
            {
                "jobId": self.job_id,
                "type": type_,
                "seq": seq,
                "ts": ts,
                "payload": msgspec.json.encode(payload),
            },
            maxlen=1_000_000,
            approximate=True,
        )
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
