"""The feature-store worker: `arq control_plane.feature_store.worker.WorkerSettings`.

It runs materialization jobs and, once a minute, fires the cron schedules that are due.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from arq import cron
from arq.connections import RedisSettings
from piccolo.engine import engine_finder

from control_plane.feature_store import materialize, schedules
from control_plane.feature_store.buffer import StreamBuffer
from control_plane.feature_store.online import OnlineStore
from control_plane.feature_store.queue import MaterializationQueue, queue_name
from loadstar_core.structured_logs import configure_logging


async def materialize_features(ctx: dict[str, Any], run_id: str) -> str:
    run = await materialize.execute(run_id, ctx["online"], ctx["buffer"])
    return run.status


async def fire_schedules(ctx: dict[str, Any], at: str | None = None) -> list[str]:
    """Queues the runs of the schedules due at `at` (ISO 8601; now when not given)."""
    now = None if at is None else datetime.fromisoformat(at)
    return await schedules.fire_due(ctx["queue"], now)


async def startup(ctx: dict[str, Any]) -> None:
    configure_logging("feature_worker")
    engine = engine_finder()
    assert engine is not None, "piccolo_conf.py not found"
    # a worker inside another process (tests) shares that process's pool
    ctx["own_pool"] = getattr(engine, "pool", None) is None
    if ctx["own_pool"]:
        await engine.start_connection_pool()  # type: ignore[no-untyped-call]
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    namespace = os.environ.get("LOADSTAR_NAMESPACE", "loadstar")
    ctx["online"] = OnlineStore.connect(redis_url, namespace)
    ctx["buffer"] = StreamBuffer(ctx["online"].client, namespace)
    ctx["queue"] = await MaterializationQueue.connect(redis_url, namespace)


async def shutdown(ctx: dict[str, Any]) -> None:
    if "queue" in ctx:
        await ctx["queue"].close()
    if "online" in ctx:
        await ctx["online"].close()
    engine = engine_finder()
    if engine is not None and ctx.get("own_pool"):
        await engine.close_connection_pool()  # type: ignore[no-untyped-call]


def worker_settings(env: Mapping[str, str] | None = None) -> type:
    env = os.environ if env is None else env
    redis_url = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    return type(
        "WorkerSettings",
        (),
        {
            "functions": [materialize_features, fire_schedules],
            "cron_jobs": [cron(fire_schedules, second=0, run_at_startup=False)],  # type: ignore[arg-type]
            "on_startup": startup,
            "on_shutdown": shutdown,
            "queue_name": queue_name(env.get("LOADSTAR_NAMESPACE", "loadstar")),
            "redis_settings": RedisSettings.from_dsn(redis_url),
            "max_jobs": 4,
            "job_timeout": 3600,
        },
    )


def __getattr__(name: str) -> Any:
    if name == "WorkerSettings":
        return worker_settings()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
