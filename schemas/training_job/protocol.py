"""A training job's protocol, shared by the control plane, the worker and the console.

The states and the moves between them, the events a job emits (a tagged union on `type`),
the job a worker is handed, and the names of everything the two sides meet at in Redis:
the queue, the event stream, and the per-job keys. How a job lives: README.md beside this.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal, get_args

import msgspec

# ---- states -------------------------------------------------------------------------

JobStatus = Literal["queued", "running", "paused", "succeeded", "failed", "cancelled"]
ActiveStatus = Literal["queued", "running", "paused"]
TerminalStatus = Literal["succeeded", "failed", "cancelled"]
ACTIVE: tuple[ActiveStatus, ...] = get_args(ActiveStatus)
TERMINAL: tuple[TerminalStatus, ...] = get_args(TerminalStatus)
# one flat Literal each (a union of Literals reads as two enums in the schemas)
assert set(get_args(JobStatus)) == {*ACTIVE, *TERMINAL}
TRANSITIONS: Mapping[JobStatus, frozenset[JobStatus]] = {
    # a worker takes it; a stop while queued; the watchdog fails one whose dataset is gone
    "queued": frozenset({"running", "cancelled", "failed"}),
    # the run ends or pauses; a lost or handed-back worker puts it back in the queue
    "running": frozenset({"paused", "succeeded", "failed", "cancelled", "queued"}),
    # resume queues it again (from its checkpoint); stop cancels it
    "paused": frozenset({"queued", "cancelled"}),
    "succeeded": frozenset(),
    "failed": frozenset(),
    "cancelled": frozenset(),
}


def can_move(current: str, new: JobStatus) -> bool:
    """Whether a job in `current` may move to `new`."""
    return new in TRANSITIONS.get(current, frozenset())  # type: ignore[call-overload]


Action = Literal["run", "pause", "stop"]  # what the control plane asks of a running job


# ---- what a worker is handed ------------------------------------------------------------


class FeatureFrame(msgspec.Struct, kw_only=True):
    """A job trained from a feature-store query: the worker builds its point-in-time frame
    (`loadstar_core.feature_store.training_frame`) from the histories snapshot."""

    historiesUri: str  # s3://bucket/key of the Parquet snapshot (key, entity, eventTime, value)
    entity: str
    start: datetime
    end: datetime
    stepSeconds: int
    columns: dict[str, str]  # group.feature -> the frame's column
    ttlSeconds: int | None = None


class TrainingSpec(msgspec.Struct, kw_only=True):
    """Everything one attempt needs, so the worker reads no database."""

    jobId: str
    datasetId: str
    featurePlanId: str
    canonicalUri: str  # s3://bucket/key of the dataset's canonical Parquet
    plan: dict[str, Any]  # a FeaturePlan, encoded
    algorithm: str
    hyperparams: dict[str, Any] = msgspec.field(default_factory=dict)
    attempt: int = 1
    resume: bool = False
    featureFrame: FeatureFrame | None = None  # set: train from this instead of the dataset

    def artifact_prefix(self) -> str:
        return f"jobs/{self.jobId}/"


RUN_TRAINING = "run_training_job"  # the worker function a spec is queued for


def encode_job(obj: dict[str, Any]) -> bytes:
    """arq's job serializer on both sides: msgpack, not pickle."""
    return msgspec.msgpack.encode(obj)


def decode_job(data: bytes) -> dict[str, Any]:
    return msgspec.msgpack.decode(data)  # type: ignore[no-any-return]


# ---- events -------------------------------------------------------------------------

EventType = Literal["status", "log", "metric", "artifact", "done", "error"]
TerminalEventType = Literal["done", "error"]


class _Payload(msgspec.Struct, kw_only=True, omit_defaults=True):
    pass


class StatusPayload(_Payload):
    status: JobStatus
    attempt: int | None = None
    reason: str | None = None


class LogPayload(_Payload):
    level: str
    message: str  # English; the console shows `code` with `params` in the reader's language
    progress: float | None = None
    code: str | None = None  # a message code of the console's `trainingLog` dictionary
    params: dict[str, str] | None = None


class ErrorPayload(_Payload):
    message: str
    traceback: list[str] | None = None


class DonePayload(_Payload):
    evaluation: dict[str, Any] = msgspec.field(default_factory=dict)
    artifacts: list[dict[str, Any]] = msgspec.field(default_factory=list)
    card: dict[str, Any] = msgspec.field(default_factory=dict)
    cardMarkdown: str = ""
    signature: dict[str, Any] = msgspec.field(default_factory=dict)
    algorithm: str | None = None
    hyperparams: dict[str, Any] | None = None
    epochs: int | None = None
    bestEpoch: int | None = None
    device: str | None = None
    onnxSha256: str | None = None
    seconds: float | None = None


class _Event(msgspec.Struct, tag_field="type", kw_only=True):
    seq: int
    ts: str
    jobId: str = ""


class StatusEvent(_Event, tag="status"):
    payload: StatusPayload


class LogEvent(_Event, tag="log"):
    payload: LogPayload


class MetricEvent(_Event, tag="metric"):
    payload: dict[str, Any]  # per-epoch numbers, named by the trainer


class ArtifactEvent(_Event, tag="artifact"):
    payload: dict[str, Any]  # name, uri, sha256, bytes


class DoneEvent(_Event, tag="done"):
    payload: DonePayload


class ErrorEvent(_Event, tag="error"):
    payload: ErrorPayload


JobEvent = StatusEvent | LogEvent | MetricEvent | ArtifactEvent | DoneEvent | ErrorEvent
TERMINAL_EVENTS: tuple[TerminalEventType, ...] = get_args(TerminalEventType)
assert set(TERMINAL_EVENTS) <= set(get_args(EventType))


class JobProtocol(msgspec.Struct, kw_only=True):
    """The state machine as data, for clients (`GET /api/training/protocol`)."""

    active: list[ActiveStatus]
    terminal: list[TerminalStatus]
    terminalEvents: list[TerminalEventType]
    transitions: dict[str, list[JobStatus]]


def job_protocol() -> JobProtocol:
    return JobProtocol(
        active=list(ACTIVE),
        terminal=list(TERMINAL),
        terminalEvents=list(TERMINAL_EVENTS),
        transitions={state: sorted(moves) for state, moves in TRANSITIONS.items()},
    )


def event_type(event: JobEvent) -> EventType:
    """The `type` an event is tagged with on the wire."""
    return type(event).__struct_config__.tag  # type: ignore[return-value]


def ends_job(event: JobEvent) -> bool:
    """The last event of a job: done, error, or a status that says it was cancelled."""
    if isinstance(event, StatusEvent):
        return event.payload.status == "cancelled"
    return isinstance(event, DoneEvent | ErrorEvent)


def as_event(fields: Mapping[str, Any]) -> JobEvent:
    """An event from its parts (`type`, `payload`, `seq`, `ts`, `jobId`) as builtins."""
    event: JobEvent = msgspec.convert(fields, JobEvent)  # type: ignore[arg-type]
    return event


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def stream_fields(
    job_id: str, type_: EventType, seq: int, payload: Mapping[str, Any]
) -> dict[Any, Any]:
    """One event as the fields of its Redis Stream entry (the payload JSON-encoded); a
    payload its type does not take is refused here, before anyone reads it."""
    fields = {"jobId": job_id, "type": type_, "seq": seq, "ts": now_iso()}
    as_event({**fields, "payload": payload})
    return {**fields, "payload": msgspec.json.encode(payload)}


def from_stream(fields: Mapping[bytes, bytes]) -> JobEvent:
    """The event a stream entry holds; KeyError, ValueError or msgspec errors if malformed."""
    f = {k.decode(): v for k, v in fields.items()}
    return as_event(
        {
            "jobId": f["jobId"].decode(),
            "type": f["type"].decode(),
            "seq": int(f["seq"]),
            "ts": f["ts"].decode(),
            "payload": msgspec.json.decode(f["payload"]),
        }
    )


# ---- where the two sides meet in Redis ----------------------------------------------------

GROUP = "control-plane"  # the consumer group control planes share the stream in


class JobKeys(msgspec.Struct, frozen=True):
    """The queue and the event stream of one installation (tests use their own namespace)."""

    namespace: str = "loadstar"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> JobKeys:
        """LOADSTAR_NAMESPACE, read when a process starts."""
        env = os.environ if env is None else env
        return cls(env.get("LOADSTAR_NAMESPACE", "loadstar"))

    @property
    def queue(self) -> str:
        return f"{self.namespace}:training"

    @property
    def stream(self) -> str:
        return f"{self.namespace}:training-events"


def seq_key(job_id: str) -> str:
    """INCR'd for every event of the job, so retries on another worker go on gapless."""
    return f"loadstar:job:{job_id}:seq"


def control_key(job_id: str) -> str:
    """The requested `Action`, polled by the worker between batches."""
    return f"loadstar:job:{job_id}:control"


def heartbeat_key(job_id: str) -> str:
    """Set with a TTL by the worker running the job; gone means the worker is lost."""
    return f"loadstar:job:{job_id}:heartbeat"


def handback_key(job_id: str) -> str:
    """Set (to the attempt) by a worker that shut down mid-job after saving its place: the
    watchdog then queues the same attempt again instead of counting a lost worker."""
    return f"loadstar:job:{job_id}:handback"


def live_channel(job_id: str) -> str:
    """Pub/sub channel the control plane relays persisted events on."""
    return f"loadstar:job:{job_id}:live"


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
