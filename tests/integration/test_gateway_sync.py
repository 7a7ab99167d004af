"""The gateway against the real control plane: contract sync by long-poll, same answers as
the control plane's own predict, and serving on from its file once the control plane is gone.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from litestar.testing import AsyncTestClient

from edge_gateway.app import create_app
from edge_gateway.settings import GatewaySettings
from tests.conftest import login
from tests.integration.test_gateway_support import LOOKBACK, forecaster_onnx, hourly_rows

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

PREDICT = "/api/inference/predict"
PLAN = {
    "target": "load",
    "inputs": [
        {"name": "load", "unit": "kW"},
        {"name": "temp", "unit": "degC"},
        {"name": "production", "unit": "1"},
    ],
    "frequency": "1h",
    "lookback": LOOKBACK,
    "horizon": 6,
    "quantiles": [0.05, 0.5, 0.95],
}
MAPPING = {
    "inputs": [
        {"name": "load", "source": "value"},
        {"name": "production", "source": "production", "required": False},
    ],
    "maxMissingRatio": 0.25,
}


class LiveControlPlane:
    """The control plane under uvicorn in a thread, on a port of its own; stoppable."""

    def __init__(self, settings: Any) -> None:
        from control_plane.app import create_app as create_control_plane

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(create_control_plane(settings), log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.should_exit = True
            self.thread.join(timeout=30)
        self.sock.close()


@pytest.fixture
def control_plane(settings: Any) -> Iterator[LiveControlPlane]:
    live = LiveControlPlane(settings)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
async def deployed(control_plane: LiveControlPlane) -> AsyncIterator[dict[str, Any]]:
    """A registry version of the small forecaster, deployed: id, token, admin headers."""
    from control_plane.adapters.object_store import ObjectStore
    from control_plane.settings import Settings

    store = ObjectStore.from_settings(Settings.from_env())
    key = f"models/{uuid.uuid4().hex}/model.onnx"
    await store.put_bytes(key, forecaster_onnx())
    name = f"gwsync-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=control_plane.url, timeout=60) as cp:
        admin = await login(cp)
        resp = await cp.post("/api/registry/models", json={"name": name}, headers=admin)
        assert resp.status_code == 201, resp.text
        version = {
            "artifactUri": store.uri(key),
            "card": {"plan": PLAN},
            "metrics": {"coverage": 0.9},
        }
        resp = await cp.post(f"/api/registry/models/{name}/versions", json=version, headers=admin)
        assert resp.status_code == 201, resp.text
        body = {"modelId": name, "version": 1, "assetId": f"line-{name}", "mapping": MAPPING}
        resp = await cp.post("/api/deployments", json=body, headers=admin)
        assert resp.status_code == 201, resp.text
        created = resp.json()
        try:
            yield {"id": created["id"], "token": created["apiToken"], "admin": admin, "name": name}
        finally:
            if control_plane.thread.is_alive():
                await cp.delete(f"/api/deployments/{created['id']}", headers=admin)


def synced_settings(url: str, state: Path) -> GatewaySettings:
    return GatewaySettings(
        control_plane_url=url,
        state_path=state,
        sync_wait_s=5.0,
        sync_retry_s=0.2,
        mode="development",
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def wait_for(check: Any, seconds: float = 10.0) -> float:
    """Polls the async `check` until true; returns how long it took."""
    started = time.monotonic()
    for _ in range(int(seconds / 0.05)):
        if await check():
            return time.monotonic() - started
        await anyio.sleep(0.05)
    raise AssertionError("condition not met in time")


def same_forecast(a: dict[str, Any], b: dict[str, Any]) -> None:
    for key in ("values", "intervals", "unit", "modelId", "version", "confidence", "warnings"):
        assert a[key] == b[key], key


async def test_gateway_syncs_and_answers_as_the_control_plane_does(
    control_plane: LiveControlPlane, deployed: dict[str, Any], tmp_path: Path
) -> None:
    state = tmp_path / "snapshot.json"
    rows = hourly_rows(LOOKBACK + 20)
    rows[LOOKBACK + 10]["value"] = 999.0
    async with (
        AsyncTestClient(app=create_app(synced_settings(control_plane.url, state))) as gateway,
        httpx.AsyncClient(base_url=control_plane.url, timeout=30) as cp,
    ):
        ready = (await gateway.get("/readyz")).json()
        assert ready["contractSource"] == "controlPlane" and ready["controlPlane"] == "ok"
        assert state.exists()  # the last good snapshot is on disk

        body = {"series": rows[: LOOKBACK + 4], "units": {"value": "W"}}
        ours = await gateway.post(PREDICT, json=body, headers=bearer(deployed["token"]))
        assert ours.status_code == 200, ours.text
        theirs = await cp.post(
            PREDICT, json={**body, "deploymentId": deployed["id"]}, headers=deployed["admin"]
        )
        assert theirs.status_code == 200, theirs.text
        same_forecast(ours.json(), theirs.json())

        # detection: the spike's interval is the control plane's forecast from the rows before it
        asset = f"line-{deployed['name']}"
        found = await gateway.post(
            f"/api/v1/assets/{asset}/detect_anomalies",
            json={"data_stream": rows},
            headers=bearer(deployed["token"]),
        )
        assert found.status_code == 200, found.text
        spike = next(a for a in found.json()["anomalies"] if a["value"] == 999.0)
        window = {"series": rows[: LOOKBACK + 10], "horizon": 1, "deploymentId": deployed["id"]}
        expected = (await cp.post(PREDICT, json=window, headers=deployed["admin"])).json()
        assert spike["upper"] == expected["intervals"]["p95"][0]
        assert spike["lower"] == expected["intervals"]["p05"][0]
        assert spike["expected"] == expected["values"][0]["y"]


async def test_a_rotated_token_reaches_the_gateway_within_a_round_trip(
    control_plane: LiveControlPlane, deployed: dict[str, Any], tmp_path: Path
) -> None:
    settings = synced_settings(control_plane.url, tmp_path / "snapshot.json")
    body = {"series": hourly_rows(LOOKBACK)}
    async with (
        AsyncTestClient(app=create_app(settings)) as gateway,
        httpx.AsyncClient(base_url=control_plane.url, timeout=30) as cp,
    ):
        old = bearer(deployed["token"])
        assert (await gateway.post(PREDICT, json=body, headers=old)).status_code == 200
        await anyio.sleep(0.3)  # the gateway's long-poll is now waiting on the control plane
        resp = await cp.post(f"/api/deployments/{deployed['id']}/token", headers=deployed["admin"])
        new = bearer(resp.json()["apiToken"])

        async def switched() -> bool:
            return (await gateway.post(PREDICT, json=body, headers=new)).status_code == 200

        took = await wait_for(switched)
        print(f"rotated token served after {took:.2f}s")
        assert took < 2.0  # one long-poll round trip, not a polling period
        resp = await gateway.post(PREDICT, json=body, headers=old)
        assert resp.status_code == 401 and resp.json()["code"] == "UNAUTHORIZED"

        await cp.delete(f"/api/deployments/{deployed['id']}/token", headers=deployed["admin"])

        async def revoked() -> bool:
            return (await gateway.post(PREDICT, json=body, headers=new)).status_code == 401

        await wait_for(revoked)


async def test_keeps_serving_from_its_file_after_the_control_plane_stops(
    control_plane: LiveControlPlane, deployed: dict[str, Any], tmp_path: Path
) -> None:
    state = tmp_path / "snapshot.json"
    body = {"series": hourly_rows(LOOKBACK)}
    headers = bearer(deployed["token"])
    async with AsyncTestClient(
        app=create_app(synced_settings(control_plane.url, state))
    ) as gateway:
        assert (await gateway.post(PREDICT, json=body, headers=headers)).status_code == 200
        control_plane.stop()

        async def noticed() -> bool:
            ready = (await gateway.get("/readyz")).json()
            return bool(ready["controlPlane"].startswith("unreachable"))

        await wait_for(noticed, 15.0)
        assert (await gateway.post(PREDICT, json=body, headers=headers)).status_code == 200

    # a fresh start with the control plane gone: the file is enough
    async with AsyncTestClient(app=create_app(synced_settings(control_plane.url, state))) as again:
        ready = (await again.get("/readyz")).json()
        assert ready["ready"] is True and ready["contractSource"] == "file"
        assert (await again.post(PREDICT, json=body, headers=headers)).status_code == 200


async def test_an_unwritable_state_file_is_reported_and_serving_goes_on(
    control_plane: LiveControlPlane, deployed: dict[str, Any], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the state folder should be")
    settings = synced_settings(control_plane.url, blocker / "snapshot.json")
    async with AsyncTestClient(app=create_app(settings)) as gateway:
        ready = (await gateway.get("/readyz")).json()
        assert ready["ready"] is True and ready["contractSource"] == "controlPlane"
        assert ready["stateFile"].startswith("error: ")
        body = {"series": hourly_rows(LOOKBACK)}
        resp = await gateway.post(PREDICT, json=body, headers=bearer(deployed["token"]))
        assert resp.status_code == 200, resp.text
