"""Helpers the training tests share: a small real dataset and plan, jobs, workers, waiting."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "infra" / "demo" / "data" / "ETTh1.csv"
JOBS = "/api/training/jobs"


def small_csv(rows: int = 1500) -> bytes:
    """The first rows of the hourly transformer data, read in memory (the file stays unchanged)."""
    with DATA.open() as f:
        return "".join(next(f) for _ in range(rows + 1)).encode()


async def run_worker_until_idle() -> None:
    """The real worker functions in a burst-mode arq worker on the real Redis."""
    from arq.worker import Worker

    from training.worker import WorkerSettings

    worker = Worker(
        functions=WorkerSettings.functions,
        redis_settings=WorkerSettings.redis_settings,
        queue_name=WorkerSettings.queue_name,
        on_startup=WorkerSettings.on_startup,
        on_shutdown=WorkerSettings.on_shutdown,
        job_serializer=WorkerSettings.job_serializer,
        job_deserializer=WorkerSettings.job_deserializer,
        burst=True,
        poll_delay=0,
        handle_signals=False,
    )
    try:
        await worker.main()
    finally:
        await worker.close()


async def wait_for(
    client: Any, path: str, headers: dict[str, str], done: set[str], seconds: float = 120
) -> dict[str, Any]:
    """Polls a job until its status is in `done` (or the time is up); returns its last body."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        body = (await client.get(path, headers=headers)).json()
        if body["status"] in done or asyncio.get_running_loop().time() > deadline:
            return body  # type: ignore[no-any-return]
        await asyncio.sleep(0.3)


async def until(
    check: Callable[[], Awaitable[Any]], seconds: float = 60, every: float = 0.2
) -> Any:
    """Bounded polling: the first truthy result of `check`, or AssertionError after `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {seconds}s")
        await asyncio.sleep(every)


async def make_plan(client: Any, headers: dict[str, str], rows: int = 1500) -> tuple[str, str]:
    """A dataset of real hourly load and its auto-suggested plan; returns (datasetId, planId)."""
    resp = await client.post(
        "/api/datasets",
        files={"file": ("etth1-head.csv", io.BytesIO(small_csv(rows)), "text/csv")},
        data={"name": f"etth1-{uuid.uuid4().hex[:6]}"},
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    dataset = resp.json()
    units = {name: "kW" for name in ("HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL")} | {
        "OT": "degC"
    }
    patched = await client.patch(
        f"/api/datasets/{dataset['id']}", json={"units": units}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    auto = await client.post(
        "/api/features/auto",
        json={
            "datasetId": dataset["id"],
            "target": "HUFL",
            "frequency": "1h",
            "lookback": 48,
            "horizon": 12,
        },
        headers=headers,
    )
    assert auto.status_code in (200, 201), auto.text
    plan = await client.post(
        "/api/features/plans",
        json={**auto.json()["plan"], "name": "small", "datasetId": dataset["id"]},
        headers=headers,
    )
    assert plan.status_code == 201, plan.text
    return dataset["id"], plan.json()["id"]


async def queue_job(
    client: Any,
    headers: dict[str, str],
    dataset_id: str,
    plan_id: str,
    hyperparams: dict[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    job = await client.post(
        JOBS,
        json={
            "datasetId": dataset_id,
            "featurePlanId": plan_id,
            "algorithm": "linear",
            "hyperparams": hyperparams,
            **extra,
        },
        headers=headers,
    )
    assert job.status_code == 202, job.text
    body: dict[str, Any] = job.json()
    assert body["status"] == "queued" and body["jobId"] == body["id"]
    return body


async def make_job(client: Any, headers: dict[str, str], epochs: int = 2) -> dict[str, Any]:
    dataset_id, plan_id = await make_plan(client, headers)
    return await queue_job(client, headers, dataset_id, plan_id, {"epochs": epochs, "seed": 3})
