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
from collections.abc import Mapping
from typing import Any

import redis
from arq.connections import RedisSettings

from loadstar_core.structured_logs import configure_logging
from schemas.training_job.protocol import (
    HeartbeatTiming,
    JobKeys,
    decode_job,
    encode_job,
)
from training.runner import run_training_job, s3_from_env


async def ping(ctx: dict[str, Any], value: str) -> str:
    """Round trip used by health checks and tests."""
    return f"pong:{value}"


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging("training_worker")
    ctx["sync_redis"] = redis.Redis.from_url(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    ctx["s3"] = s3_from_env()
    ctx["keys"] = JobKeys.from_env()
    ctx["timing"] = HeartbeatTiming.from_env()


async def shutdown(ctx: dict[str, Any]) -> None:
    ctx["sync_redis"].close()


def worker_settings(env: Mapping[str, str] | None = None) -> type:
    """arq's settings, with the queue and Redis read from the environment now."""
    env = os.environ if env is None else env
    redis_url = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    return type(
        "WorkerSettings",
        (),
        {
            "functions": [ping, run_training_job],
            "on_startup": startup,
            "on_shutdown": shutdown,
            "queue_name": JobKeys.from_env(env).queue,
            "redis_settings": RedisSettings.from_dsn(redis_url),
            "job_serializer": staticmethod(encode_job),
            "job_deserializer": staticmethod(decode_job),
            "max_jobs": 1,
            "job_timeout": 6 * 3600,
            "health_check_interval": 10,
        },
    )


def __getattr__(name: str) -> Any:
    """`arq training.worker.WorkerSettings` looks the settings up when the worker starts:
    built then, so that nothing is read from the environment at import."""
    if name == "WorkerSettings":
        return worker_settings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
