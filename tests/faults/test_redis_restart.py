"""Redis stopped and started again while training jobs queue: the control plane answers a
clear 503 while it is away (no 500, no hang, no job row left behind), takes jobs again
once it is back without a restart of ours, and every job queued is run once, by one
worker, on its first attempt (Redis keeps its queue in its append-only file)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.conftest import login
from tests.integration.flow_support import JOBS, make_plan, queue_job, until
from tests.integration.isolated_stack import FAST_BEATS, end, spawn
from tests.integration.test_gateway_support import free_port

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]

FAIL_FAST_S = 5.0
RECOVER_S = 30.0
QUICK = {"epochs": 2, "seed": 4}


class PrivateRedis:
    """A redis-server of the test's own with an append-only file, to stop and start."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "redis-server"
        argv = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        argv += ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.folder)]
        with (self.folder / "redis.log").open("ab") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=0.5).ping():
                    return
            except redis.exceptions.ConnectionError:
                pass
            assert time.monotonic() < deadline, (self.folder / "redis.log").read_text()[-2000:]
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM: Redis flushes its append-only file and exits."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    folder = tmp_path / "redis"
    folder.mkdir()
    server = PrivateRedis(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def control_plane(
    private_redis: PrivateRedis, services: None, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], Path]]:
    env = {
        **os.environ,
        "REDIS_URL": private_redis.url,
        "LOADSTAR_NAMESPACE": f"loadstar-fault-{uuid.uuid4().hex[:8]}",
        **FAST_BEATS,
    }
    port = free_port()
    log = tmp_path / "cp.log"
    server = spawn(["uvicorn", "control_plane.app:app", "--port", str(port)], env, log)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:

            async def up() -> bool:
                assert server.poll() is None, log.read_text()[-3000:]
                try:
                    return (await client.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await until(up, seconds=90)
            yield client, env, log
            assert server.poll() is None, "the control plane must survive the outage"
    finally:
        end(server, graceful=True)


async def _timed(call: Any) -> tuple[int, float, dict[str, Any]]:
    started = time.monotonic()
    resp = await call
    body = (
        resp.json() if resp.headers.get("content-type", "").startswith("application/json") else {}
    )
    return resp.status_code, time.monotonic() - started, body


async def test_jobs_survive_a_redis_restart_and_the_outage_is_a_clear_503(
    private_redis: PrivateRedis,
    control_plane: tuple[httpx.AsyncClient, dict[str, str], Path],
    tmp_path: Path,
) -> None:
    client, env, _ = control_plane
    headers = await login(client)
    dataset_id, plan_id = await make_plan(client, headers, rows=600)
    before = await queue_job(client, headers, dataset_id, plan_id, QUICK)  # no worker yet

    private_redis.stop()
    job = {"datasetId": dataset_id, "featurePlanId": plan_id, "algorithm": "linear"}
    status, took, body = await _timed(
        client.post(JOBS, json={**job, "hyperparams": QUICK}, headers=headers)
    )
    assert status == 503 and body.get("code") == "SERVICE_UNAVAILABLE", (status, body)
    assert took < FAIL_FAST_S and "Redis" in body["message"], (took, body)
    status, took, _ = await _timed(client.get(f"{JOBS}/{before['id']}", headers=headers))
    assert status in (200, 503) and took < FAIL_FAST_S, status  # never a 500 or a hang

    private_redis.start()

    async def accepted() -> dict[str, Any] | None:
        resp = await client.post(JOBS, json={**job, "hyperparams": QUICK}, headers=headers)
        assert resp.status_code in (202, 503), resp.text
        return resp.json() if resp.status_code == 202 else None

    after = await until(accepted, seconds=RECOVER_S, every=0.5)
    listed = await client.get(JOBS, params={"pageSize": 100}, headers=headers)
    mine = {j["id"] for j in listed.json()["items"] if j["datasetId"] == dataset_id}
    assert mine == {before["id"], after["id"]}, mine  # the refused job left no row

    worker_log = tmp_path / "worker.log"
    worker = spawn(["arq", "training.worker.WorkerSettings"], env, worker_log)
    try:

        async def finished() -> list[dict[str, Any]] | None:
            states = [
                (await client.get(f"{JOBS}/{j['id']}", headers=headers)).json()
                for j in (before, after)
            ]
            done = all(s["status"] in ("succeeded", "failed", "cancelled") for s in states)
            return states if done else None

        states = await until(finished, seconds=300, every=1.0)
    finally:
        end(worker, graceful=True)
    assert [s["status"] for s in states] == ["succeeded", "succeeded"], states
    assert [s["attempt"] for s in states] == [1, 1], states
    text = worker_log.read_text()
    for j in (before, after):  # queued before the restart or after it: run exactly once
        runs = set(re.findall(rf"→ ({j['id']}:1:\w+:\w+):", text))  # arq's id of each run
        assert len(runs) == 1, text[-3000:]
