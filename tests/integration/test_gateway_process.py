"""The gateway as a real process (uvicorn) and against a Triton that goes away and comes back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import psutil
import pytest
import websockets
from litestar.testing import AsyncTestClient

from edge_gateway.app import create_app
from tests.integration import test_gateway_support as support
from tests.integration.test_gateway_support import (
    LOOKBACK,
    ROOT,
    Published,
    SecondTriton,
    Tenant,
    free_port,
    hourly_rows,
    publish,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

models = support.models
tenants = support.tenants
state_file = support.state_file
gateway_settings = support.gateway_settings
PREDICT = "/api/inference/predict"


class GatewayProcess:
    def __init__(self, proc: subprocess.Popen[bytes], url: str, ready_after_s: float) -> None:
        self.proc = proc
        self.url = url
        self.ready_after_s = ready_after_s


@contextmanager
def gateway_process(env: dict[str, str], log: Path) -> Iterator[GatewayProcess]:
    """`uvicorn edge_gateway.app:app` on a free port; yields once /readyz answers 200."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "edge_gateway.app:app", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--log-level", "warning"]
    started = time.perf_counter()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            argv, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.01)
        yield GatewayProcess(proc, url, time.perf_counter() - started)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def process_env(state_file: Path) -> dict[str, str]:
    return {
        "LOADSTAR_CONTROL_PLANE_URL": f"http://127.0.0.1:{free_port()}",
        "LOADSTAR_GATEWAY_STATE": str(state_file),
        "TRITON_GRPC_URL": "127.0.0.1:8001",
        "TRITON_HTTP_URL": "127.0.0.1:8000",
        "LOADSTAR_TRITON_TIMEOUT_S": "2",
    }


@pytest.fixture
def running(state_file: Path, tmp_path: Path) -> Iterator[GatewayProcess]:
    with gateway_process(process_env(state_file), tmp_path / "gateway.log") as gateway:
        yield gateway


def test_starts_fast_and_small_from_its_file(
    running: GatewayProcess, tenants: dict[str, Tenant]
) -> None:
    ready = httpx.get(f"{running.url}/readyz").json()
    # ready from the file at once; the control plane is asked in the background
    assert ready["contractSource"] == "file" and ready["controlPlane"] != "ok"
    headers = tenants["a"].headers
    resp = httpx.post(f"{running.url}{PREDICT}", json={"series": hourly_rows(30)}, headers=headers)
    assert resp.status_code == 200, resp.text
    rss_mb = psutil.Process(running.proc.pid).memory_info().rss / 2**20
    print(f"gateway ready after {running.ready_after_s:.2f}s, RSS {rss_mb:.0f} MiB")
    # generous bounds for a loaded 2-core CI machine; the benchmark reports the real figures
    assert running.ready_after_s < 20.0
    assert rss_mb < 250


async def test_websocket_streams_a_forecast_per_message(
    running: GatewayProcess, tenants: dict[str, Tenant]
) -> None:
    rows = hourly_rows(LOOKBACK + 2)
    ws_url = running.url.replace("http", "ws") + f"/ws/predict?token={tenants['a'].token}"
    async with websockets.connect(ws_url) as ws:
        await ws.send(json.dumps(rows[:10]))  # a list of rows: not a window yet
        first = json.loads(await ws.recv())
        assert first["code"] == "INPUT_MISSING_EXCEEDS"
        await ws.send(json.dumps({"series": rows[10:LOOKBACK]}))
        out = json.loads(await ws.recv())
        assert out["values"][0]["y"] == pytest.approx(rows[LOOKBACK - 1]["value"], rel=1e-5)
        bad = dict(rows[LOOKBACK], value="oops")
        await ws.send(json.dumps(bad))  # one bad row: answered, and not kept
        assert json.loads(await ws.recv())["code"] == "INVALID_INPUT"
        await ws.send(json.dumps({"series": [rows[LOOKBACK]], "horizon": 2}))  # one row
        out = json.loads(await ws.recv())
        assert len(out["values"]) == 2
        assert out["values"][0]["y"] == pytest.approx(rows[LOOKBACK]["value"], rel=1e-5)
        await ws.send(json.dumps(rows[LOOKBACK + 1]))  # a bare row; the horizon holds
        out = json.loads(await ws.recv())
        assert len(out["values"]) == 2 and out["meta"]["deploymentId"] == "dep-a"


async def test_websocket_refuses_a_wrong_token(running: GatewayProcess) -> None:
    ws_url = running.url.replace("http", "ws") + "/ws/predict?token=nope"
    async with websockets.connect(ws_url) as ws:
        error = json.loads(await ws.recv())
        assert error["code"] == "UNAUTHORIZED"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


@pytest.fixture
def own_triton(tmp_path: Path, services: None) -> Iterator[tuple[SecondTriton, Published]]:
    repo = tmp_path / "models"
    model = publish(repo)
    server = SecondTriton(repo, tmp_path / "triton.log")
    try:
        yield server, model
    finally:
        server.kill()


@pytest.mark.slow
@pytest.mark.parametrize("protocol", ["grpc", "http"])
async def test_triton_stopped_is_503_and_restarted_answers_again(
    own_triton: tuple[SecondTriton, Published], tmp_path: Path, protocol: str
) -> None:
    server, model = own_triton
    tenant = support.new_tenant("dep-own", "line-own")
    path = tmp_path / "snapshot.json"
    path.write_bytes(support.snapshot_json(1, [support.deployment(tenant, model)]))
    settings = gateway_settings(
        path,
        triton_url=server.grpc_url,
        triton_http_url=f"127.0.0.1:{server.http}",
        triton_protocol=protocol,
        triton_timeout_s=1.0,
    )
    body: dict[str, Any] = {"series": hourly_rows(LOOKBACK)}
    async with AsyncTestClient(app=create_app(settings)) as gateway:
        resp = await gateway.post(PREDICT, json=body, headers=tenant.headers)
        assert resp.status_code == 503  # not started yet

        server.start([model.name])
        assert (await gateway.post(PREDICT, json=body, headers=tenant.headers)).status_code == 200

        server.kill()
        started = time.monotonic()
        resp = await gateway.post(PREDICT, json=body, headers=tenant.headers)
        assert time.monotonic() - started < 1.5  # within the 1 s timeout, never a hang
        assert resp.status_code == 503 and resp.json()["code"] == "INFERENCE_FAILED"
        assert (await gateway.get("/readyz")).status_code == 503

        server.start([model.name])
        recovered = time.monotonic()
        for _ in range(100):  # the same app, the same channel: no restart
            resp = await gateway.post(PREDICT, json=body, headers=tenant.headers)
            if resp.status_code == 200:
                break
            await anyio.sleep(0.1)
        assert resp.status_code == 200, resp.text
        print(f"answering again {time.monotonic() - recovered:.2f}s after Triton was ready")
        assert (await gateway.get("/readyz")).status_code == 200
