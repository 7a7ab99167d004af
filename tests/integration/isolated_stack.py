"""A control plane process and real worker processes on a queue and event stream of their
own (a namespace per test module), on the shared Postgres, Redis and S3.

Other test runs on the machine share the `loadstar-test` queue: their burst workers would
take these jobs, and their control planes these events. Here only the workers a test starts
train its jobs, so it can pause, stop or kill them knowing which process holds the job.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import redis

from tests.conftest import login
from tests.integration.flow_support import until
from tests.integration.test_gateway_support import free_port

ROOT = Path(__file__).resolve().parents[2]
# heartbeats that notice a lost worker in seconds: beat every half second, lost after three
FAST_BEATS = {
    "LOADSTAR_HEARTBEAT_TTL_S": "3",
    "LOADSTAR_HEARTBEAT_EVERY_S": "0.5",
    "LOADSTAR_WATCHDOG_EVERY_S": "0.5",
}


def spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start one of the project's console scripts, its output in `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / argv[0]), *argv[1:]],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def end(proc: subprocess.Popen[bytes], *, graceful: bool) -> None:
    if proc.poll() is None:
        if graceful:
            proc.terminate()
        else:
            proc.kill()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)


@dataclass
class Isolated:
    url: str
    env: dict[str, str]
    logs: Path
    client: httpx.AsyncClient
    admin: dict[str, str]

    @contextlib.contextmanager
    def worker(self, name: str) -> Iterator[subprocess.Popen[bytes]]:
        """A real worker process, `arq training.worker.WorkerSettings`, on this queue;
        killed (SIGKILL) when the block ends if the test has not done so already."""
        proc = spawn(["arq", "training.worker.WorkerSettings"], self.env, self.logs / f"{name}.log")
        try:
            yield proc
        finally:
            end(proc, graceful=False)

    async def live_events(self, job_id: str, headers: dict[str, str]) -> list[dict[str, Any]]:
        """The job's events from a real WebSocket client, until the job's end."""
        import asyncio

        from websockets.asyncio.client import connect

        token = headers["Authorization"].split()[1]
        url = f"ws{self.url.removeprefix('http')}/ws/training/{job_id}?token={token}"
        events: list[dict[str, Any]] = []
        async with connect(url) as ws:
            while True:
                event = msgspec.json.decode(await asyncio.wait_for(ws.recv(), 30))
                events.append(event)
                status = event["payload"].get("status") if event["type"] == "status" else None
                if event["type"] in ("done", "error") or status == "cancelled":
                    return events


@pytest.fixture(scope="module")
async def isolated(
    settings: Any, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Isolated]:
    """The control plane under uvicorn in its own process and namespace."""
    namespace = f"loadstar-test-{uuid.uuid4().hex[:8]}"
    logs = tmp_path_factory.mktemp("isolated")
    env = {**os.environ, "LOADSTAR_NAMESPACE": namespace, **FAST_BEATS}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = spawn(["uvicorn", "control_plane.app:app", "--port", str(port)], env, logs / "cp.log")
    try:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:

            async def up() -> bool:
                assert server.poll() is None, (logs / "cp.log").read_text()
                try:
                    return (await client.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await until(up, seconds=90)
            yield Isolated(url, env, logs, client, await login(client))
    finally:
        end(server, graceful=True)
        # what a killed worker left: its arq job, still marked in progress, and the queue
        keys = redis.Redis.from_url(settings.redis_url)
        queue = f"{namespace}:training"
        for member in keys.zrange(queue, 0, -1):
            job = member.decode()
            keys.delete(f"arq:job:{job}", f"arq:in-progress:{job}", f"arq:retry:{job}")
        keys.delete(f"{namespace}:training-events", queue)
        keys.close()
