"""PostgreSQL restarted under API load: requests fail fast with 503 (never 500, never a
hang) and the control plane recovers by itself once the database is back."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import login
from tests.faults.private_postgres import PrivatePostgres
from tests.integration.flow_support import until
from tests.integration.isolated_stack import end, spawn
from tests.integration.test_gateway_support import free_port

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]

FAIL_FAST_S = 5.0  # an answer during the outage comes within this
RECOVER_S = 30.0  # 200s again this long after the database is back


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
async def control_plane(
    postgres: PrivatePostgres, services: None, tmp_path: Path
) -> AsyncIterator[tuple[str, httpx.AsyncClient, Path]]:
    await postgres.create_database("loadstar_fault")
    env = {
        **os.environ,
        "DATABASE_URL": postgres.url("loadstar_fault"),
        "LOADSTAR_NAMESPACE": f"loadstar-fault-{uuid.uuid4().hex[:8]}",
        "LOADSTAR_RUN_MIGRATIONS": "true",
    }
    port = free_port()
    log = tmp_path / "cp.log"
    server = spawn(["uvicorn", "control_plane.app:app", "--port", str(port)], env, log)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:

            async def up() -> bool:
                assert server.poll() is None, log.read_text()[-3000:]
                try:
                    return (await client.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await until(up, seconds=90)
            yield url, client, log
            assert server.poll() is None, "the control plane must survive the outage"
    finally:
        end(server, graceful=True)


async def test_requests_fail_fast_with_503_and_recover_without_a_restart(
    postgres: PrivatePostgres, control_plane: tuple[str, httpx.AsyncClient, Path]
) -> None:
    url, client, log = control_plane
    headers = await login(client)
    answers: list[tuple[float, int, float]] = []  # (when, status, seconds)
    stop = asyncio.Event()

    async def user() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=30) as own:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    status = (await own.get("/api/datasets", headers=headers)).status_code
                except httpx.TimeoutException:
                    status = -1
                answers.append((started, status, time.monotonic() - started))
                await asyncio.sleep(0.05)

    users = [asyncio.create_task(user()) for _ in range(6)]
    await asyncio.sleep(2)
    await asyncio.to_thread(postgres.stop)
    down_at = time.monotonic()  # the server is gone from here on
    await asyncio.sleep(4)
    await asyncio.to_thread(postgres.start)
    back_at = time.monotonic()

    async def recovered() -> bool:
        recent = [s for t, s, _ in answers if t > time.monotonic() - 1.0]
        return bool(recent) and all(s == 200 for s in recent)

    await until(recovered, seconds=RECOVER_S, every=0.5)
    stop.set()
    await asyncio.gather(*users)

    statuses = {s for _, s, _ in answers}
    assert statuses <= {200, 503}, (statuses, log.read_text()[-3000:])
    restarting = back_at - 1.0  # the server may answer shortly before start() returns
    during = [(s, took) for t, s, took in answers if down_at < t < restarting]
    assert during and all(s == 503 for s, _ in during), during[:20]
    assert max(took for _, took in during) < FAIL_FAST_S
    sample = await client.get("/api/datasets", headers=headers)
    assert sample.status_code == 200
    assert any(s == 200 for t, s, _ in answers if t > back_at)
