"""Two of everything on the one PostgreSQL, Redis, S3 and Triton: two control planes, two
training workers and two gateways on ports of their own (docs/manual/administer.md, "Scaling out").

Every request is answered by the instance it was sent to and counted once; a dataset
written through one control plane is read through the other; each training job is taken
by exactly one of the two workers and succeeds on its first attempt.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.conftest import login
from tests.integration import test_gateway_support as support
from tests.integration.flow_support import JOBS, make_plan, queue_job, until
from tests.integration.isolated_stack import end, spawn
from tests.integration.test_gateway_process import gateway_process, process_env
from tests.integration.test_gateway_support import Tenant, free_port, hourly_rows

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]

models = support.models
tenants = support.tenants
state_file = support.state_file
PREDICT = "/api/inference/predict"


@pytest.fixture
async def two_control_planes(
    services: None, settings: Any, tmp_path: Path
) -> AsyncIterator[tuple[list[httpx.AsyncClient], list[Path], dict[str, str]]]:
    """Two control planes and two workers on one namespace of their own."""
    namespace = f"loadstar-scale-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "LOADSTAR_NAMESPACE": namespace}
    procs = []
    clients: list[httpx.AsyncClient] = []
    worker_logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    try:
        for n in (1, 2):
            port = free_port()
            argv = ["uvicorn", "control_plane.app:app", "--port", str(port)]
            procs.append(spawn(argv, env, tmp_path / f"cp-{n}.log"))
            clients.append(httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60))
        for log in worker_logs:
            procs.append(spawn(["arq", "training.worker.WorkerSettings"], env, log))

        async def up(client: httpx.AsyncClient) -> bool:
            assert all(p.poll() is None for p in procs), "an instance exited at start-up"
            try:
                return (await client.get("/readyz")).status_code == 200
            except httpx.TransportError:
                return False

        for client in clients:
            await until(lambda c=client: up(c), seconds=90)
        yield clients, worker_logs, env
    finally:
        for client in clients:
            await client.aclose()
        for proc in procs:
            end(proc, graceful=True)
        keys = redis.Redis.from_url(settings.redis_url)
        for key in keys.scan_iter(f"{namespace}:*"):
            keys.delete(key)
        keys.close()


async def test_two_control_planes_share_state_and_each_job_runs_on_one_worker(
    two_control_planes: tuple[list[httpx.AsyncClient], list[Path], dict[str, str]],
) -> None:
    (first, second), worker_logs, _ = two_control_planes
    headers = await login(first)
    assert (await second.get("/api/datasets", headers=headers)).status_code == 200  # one secret
    dataset_id, plan_id = await make_plan(first, headers, rows=600)
    seen = await second.get(f"/api/datasets/{dataset_id}", headers=headers)
    assert seen.status_code == 200 and seen.json()["id"] == dataset_id
    jobs = [
        await queue_job(client, headers, dataset_id, plan_id, {"epochs": 2, "seed": n})
        for n, client in enumerate((first, second, first, second))
    ]

    async def finished() -> list[dict[str, Any]] | None:
        states = []
        for job in jobs:
            resp = await second.get(f"{JOBS}/{job['id']}", headers=headers)
            assert resp.status_code == 200, resp.text
            states.append(resp.json())
        done = all(s["status"] in ("succeeded", "failed", "cancelled") for s in states)
        return states if done else None

    states = await until(finished, seconds=600, every=1.0)
    assert [s["status"] for s in states] == ["succeeded"] * len(jobs), states
    assert all(s["attempt"] == 1 for s in states), states
    texts = [log.read_text() for log in worker_logs]
    takers = {
        job["id"]: [n for n, text in enumerate(texts) if re.search(rf"→ {job['id']}:1:", text)]
        for job in jobs
    }
    assert all(len(t) == 1 for t in takers.values()), takers  # one worker per job, never two
    print(f"jobs per worker: {takers}")


def test_two_gateways_on_one_triton_each_count_what_they_answered(
    state_file: Path, tenants: dict[str, Tenant], tmp_path: Path
) -> None:
    sent = {0: 7, 1: 5}
    with ExitStack() as stack:
        gateways = []
        for n in sent:
            own = tmp_path / f"gateway-{n}" / "snapshot.json"
            own.parent.mkdir()
            shutil.copy(state_file, own)
            gateways.append(
                stack.enter_context(gateway_process(process_env(own), tmp_path / f"gw-{n}.log"))
            )
        body = {"series": hourly_rows(30)}
        for n, count in sent.items():
            for _ in range(count):
                resp = httpx.post(
                    f"{gateways[n].url}{PREDICT}", json=body, headers=tenants["a"].headers
                )
                assert resp.status_code == 200, resp.text
        for n, count in sent.items():
            metrics = httpx.get(f"{gateways[n].url}/metrics").text
            served = [
                float(line.rsplit(" ", 1)[1])
                for line in metrics.splitlines()
                if line.startswith("loadstar_gateway_requests_total")
                and 'code="OK"' in line
                and PREDICT in line
            ]
            assert sum(served) == count, (n, served)
