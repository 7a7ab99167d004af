"""The training worker: `arq training.worker.WorkerSettings`.

Scale out by starting more of these on any host that reaches Redis and S3; each takes one
job at a time (training uses the whole host). Stopping a worker with SIGTERM or SIGINT
(a deploy, `make down`) is safe mid-job: the run saves its place at the next batch and
hands the job back, and the control plane queues the same attempt again from there. A
worker that dies without a word (SIGKILL, a lost host) is noticed by its missing
heartbeat and its job retried from the last epoch's checkpoint as the next attempt.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import msgspec
import redis
from arq.connections import RedisSettings

from training.events import NAMESPACE
from training.runner import run_training_job, s3_from_env

QUEUE = f"{NAMESPACE}:training"


async def ping(ctx: dict[str, Any], value: str) -> str:
    """Round trip used by health checks and tests."""
    return f"pong:{value}"


async def startup(ctx: dict[str, Any]) -> None:
    ctx["sync_redis"] = redis.Redis.from_url(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    ctx["s3"] = s3_from_env()


async def shutdown(ctx: dict[str, Any]) -> None:
    ctx["sync_redis"].close()


def serialize(obj: dict[str, Any]) -> bytes:
    return msgspec.msgpack.encode(obj)


def deserialize(data: bytes) -> dict[str, Any]:
    return msgspec.msgpack.decode(data)  # type: ignore[no-any-return]


class WorkerSettings:
    functions: ClassVar[list[Any]] = [ping, run_training_job]
    on_startup = startup
    on_shutdown = shutdown
    queue_name = QUEUE
    redis_settings = RedisSettings.from_dsn(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    job_serializer = staticmethod(serialize)
    job_deserializer = staticmethod(deserialize)
    max_jobs = 1
    job_timeout = 6 * 3600
    health_check_interval = 10
