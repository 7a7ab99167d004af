"""Triton killed during a rollback: the rollback is refused with a clear 503 and changes
nothing (the deployment keeps its version and revision, its history has no rollback),
and once Triton is back the same rollback goes through and the old version is served.

The control plane here talks to a Triton of the test's own (never the shared one), with a
model repository of its own, so killing it disturbs nobody."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from tests.conftest import login
from tests.integration.deployment_support import DEPLOYMENTS, ModelVersions, shifted_forecaster
from tests.integration.flow_support import until
from tests.integration.isolated_stack import end, spawn
from tests.integration.test_gateway_support import SecondTriton, free_port

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]

REFUSED_WITHIN_S = 30.0


@pytest.fixture
async def own_triton(
    services: None, settings: Any, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], SecondTriton, Any]]:
    repo = tmp_path / "models"
    repo.mkdir()
    triton = SecondTriton(repo, tmp_path / "triton.log")
    triton.start([])
    env = {
        **os.environ,
        "TRITON_GRPC_URL": triton.grpc_url,
        "TRITON_HTTP_URL": f"127.0.0.1:{triton.http}",
        "TRITON_METRICS_URL": f"http://127.0.0.1:{triton.metrics}/metrics",
        "TRITON_REPO_DIR": str(repo),
    }
    port = free_port()
    log = tmp_path / "cp.log"
    server = spawn(["uvicorn", "control_plane.app:app", "--port", str(port)], env, log)
    own = msgspec.structs.replace(settings, triton_grpc_url=triton.grpc_url, triton_repo_dir=repo)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:

            async def up() -> bool:
                assert server.poll() is None, log.read_text()[-3000:]
                try:
                    return (await client.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await until(up, seconds=90)
            yield client, await login(client), triton, own
    finally:
        end(server, graceful=True)
        triton.kill()


async def test_a_rollback_while_triton_is_down_is_refused_cleanly_then_works(
    own_triton: tuple[httpx.AsyncClient, dict[str, str], SecondTriton, Any],
) -> None:
    client, headers, triton, own = own_triton
    model = await ModelVersions(client, headers, own).create()
    try:
        await model.register(shifted_forecaster(0.0))
        await model.register(shifted_forecaster(10.0))
        created = await model.deploy(version=2)
        url = f"{DEPLOYMENTS}/{created['id']}"
        revision = created["deployment"]["revision"]

        triton.kill()
        started = time.monotonic()
        refused = await client.post(f"{url}/rollback", json={"version": 1}, headers=headers)
        took = time.monotonic() - started
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "INFERENCE_FAILED", refused.text
        assert took < REFUSED_WITHIN_S, took
        shown = (await client.get(url, headers=headers)).json()
        assert (shown["version"], shown["revision"]) == (2, revision), shown  # unchanged
        history = (await client.get(f"{url}/history", headers=headers)).json()
        assert [h["kind"] for h in history] == ["created"], history

        triton.start([])  # loads what its repository holds: version 2 serves again

        async def rolled_back() -> dict[str, Any] | None:
            resp = await client.post(f"{url}/rollback", json={"version": 1}, headers=headers)
            assert resp.status_code in (200, 503), resp.text
            return resp.json() if resp.status_code == 200 else None

        done = await until(rolled_back, seconds=90, every=2.0)
        assert done["version"] == 1 and done["revision"] > revision, done
        history = (await client.get(f"{url}/history", headers=headers)).json()
        assert [h["kind"] for h in history] == ["created", "rollback"], history
        assert await model.repository.is_ready(model.triton_model, 1)
    finally:
        await model.cleanup()
