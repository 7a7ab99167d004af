"""A control plane process whose kernels can call it back over HTTP (the `loadstar` client
in a kernel needs a real URL), with its own JWT secret and a small kernel memory limit."""

from __future__ import annotations

import asyncio
import os
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from tests.conftest import login
from tests.integration.flow_support import until
from tests.integration.isolated_stack import end, spawn
from tests.integration.test_gateway_support import free_port

KERNEL_MEMORY_MB = 400


@dataclass
class NotebookServer:
    url: str
    secret: str
    logs: Path
    client: httpx.AsyncClient
    admin: dict[str, str]

    def log_text(self) -> str:
        return (self.logs / "cp.log").read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module")
async def notebook_server(
    settings: Any, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[NotebookServer]:
    logs = tmp_path_factory.mktemp("notebooks")
    secret = f"jwt-{secrets.token_hex(16)}"
    env = {
        **os.environ,
        "LOADSTAR_NAMESPACE": f"loadstar-test-{uuid.uuid4().hex[:8]}",
        "LOADSTAR_JWT_SECRET": secret,
        "LOADSTAR_KERNEL_MEMORY_MB": str(KERNEL_MEMORY_MB),
        "LOADSTAR_KERNEL_ROOT_DIR": str(logs / "kernels"),
        "LOADSTAR_KERNEL_MAX_PER_USER": "20",
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = spawn(["uvicorn", "control_plane.app:app", "--port", str(port)], env, logs / "cp.log")
    try:
        async with httpx.AsyncClient(base_url=url, timeout=120) as client:

            async def up() -> bool:
                assert server.poll() is None, (logs / "cp.log").read_text()
                try:
                    return (await client.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await until(up, seconds=90)
            yield NotebookServer(url, secret, logs, client, await login(client))
    finally:
        end(server, graceful=True)


def code_cell(source: str, cell_id: str) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "id": cell_id,
        "metadata": {},
        "source": source,
        "outputs": [],
        "execution_count": None,
    }


def notebook(*sources: str) -> dict[str, Any]:
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [code_cell(s, f"c{i}") for i, s in enumerate(sources)],
    }


async def create(
    client: Any, headers: dict[str, str], *sources: str, name: str = "nb"
) -> dict[str, Any]:
    resp = await client.post(
        "/api/v2/notebooks", json={"name": name, "content": notebook(*sources)}, headers=headers
    )
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def execute(
    client: Any, headers: dict[str, str], notebook_id: str, seconds: float = 120, **body: Any
) -> dict[str, Any]:
    """Run cells and wait for the execution's end; the finished execution."""
    resp = await client.post(f"/api/v2/notebooks/{notebook_id}/execute", json=body, headers=headers)
    assert resp.status_code == 202, resp.text
    execution_id = resp.json()["id"]

    async def finished() -> dict[str, Any] | None:
        got = await client.get(
            f"/api/v2/notebooks/{notebook_id}/executions/{execution_id}", headers=headers
        )
        assert got.status_code == 200, got.text
        run = got.json()
        return run if run["status"] not in ("queued", "running") else None

    return await until(finished, seconds=seconds)  # type: ignore[no-any-return]


def text_of(cell: dict[str, Any]) -> str:
    parts = []
    for out in cell["outputs"]:
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif out["output_type"] in ("execute_result", "display_data"):
            parts.append(out["data"].get("text/plain", ""))
        elif out["output_type"] == "error":
            parts.append(f"{out['ename']}: {out['evalue']}")
    return "".join(parts)


async def socket_events(
    url: str, headers: dict[str, str], notebook_id: str, until_execution: str | None, after: int = 0
) -> list[dict[str, Any]]:
    """Events from the notebook's WebSocket until the execution `until_execution` ends."""
    from websockets.asyncio.client import connect

    token = headers["Authorization"].split()[1]
    ws_url = f"ws{url.removeprefix('http')}/ws/notebooks/{notebook_id}?token={token}&after={after}"
    events: list[dict[str, Any]] = []
    async with connect(ws_url, max_size=None) as ws:
        while True:
            event = msgspec.json.decode(await asyncio.wait_for(ws.recv(), 120))
            events.append(event)
            if event.get("type") == "execution" and event.get("executionId") == until_execution:
                return events
            if "code" in event:  # the standard error, then the socket closes
                return events
