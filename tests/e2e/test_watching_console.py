"""The Monitor page in headless Chromium against the running stack
(`npm --prefix web run e2e:watching`).

A small model is deployed; records a gateway would ship (hourly readings with one spike,
the forecasts made for them, the spike's anomaly event) go to `POST /api/gateway/records`;
the script then opens the Monitor page, sees the chart and the event, acknowledges it and
saves screenshots to tests/e2e/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import numpy as np
import pytest

from loadstar_core.postprocess.events import find_events
from schemas.watching import EventRecord, ForecastRecord, ReadingRecord, RecordBatch
from tests.e2e.test_console import BASE_URL, CHROMIUM, WEB, stack  # noqa: F401 (fixture)
from tests.integration.test_gateway_support import forecaster_onnx
from tests.integration.test_gateway_sync import MAPPING, PLAN

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
HOURS = 96
T0 = 1_751_328_000  # 2025-07-01T00:00:00Z


def _iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _records(deployment_id: str, asset: str) -> RecordBatch:
    """Hourly readings with a spike, one-hour-ahead forecasts (p50 = the last reading)."""
    i = np.arange(HOURS)
    values = 120.0 + 10.0 * np.sin(i / 24 * 2 * np.pi)
    values[60] += 60.0
    forecasts = [
        ForecastRecord(
            deploymentId=deployment_id,
            origin=_iso(T0 + (k - 1) * 3600),
            frequencyS=3600,
            p05=[float(values[k - 1]) - 5.0],
            p50=[float(values[k - 1])],
            p95=[float(values[k - 1]) + 5.0],
            unit="kW",
        )
        for k in range(1, HOURS)
    ]
    mid = values[:-1]
    events = find_events(
        T0 + i[1:] * 3600, values[1:], mid - 5, mid, mid + 5, step_s=3600, unit="kW"
    )
    assert [e.kind for e in events] == ["spike"]
    return RecordBatch(
        batchId=uuid.uuid4().hex,
        readings=[
            ReadingRecord(
                deploymentId=deployment_id,
                start=_iso(T0),
                frequencyS=3600,
                value=values.tolist(),
            )
        ],
        forecasts=forecasts,
        events=[EventRecord(deploymentId=deployment_id, assetId=asset, event=e) for e in events],
    )


@pytest.fixture
def watched(stack: str) -> Iterator[dict[str, Any]]:  # noqa: F811
    import anyio

    from control_plane.adapters.object_store import ObjectStore
    from control_plane.settings import Settings

    settings = Settings.from_env()
    store = ObjectStore.from_settings(settings)
    key = f"models/{uuid.uuid4().hex}/model.onnx"
    anyio.run(store.put_bytes, key, forecaster_onnx())
    name = f"e2e-watch-{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=stack, timeout=120) as cp:
        login = cp.post("/api/auth/login", json={"username": "admin", "password": "loadstar-admin"})
        admin = {"Authorization": f"Bearer {login.json()['accessToken']}"}
        resp = cp.post("/api/registry/models", json={"name": name}, headers=admin)
        assert resp.status_code == 201, resp.text
        version = {"artifactUri": store.uri(key), "card": {"plan": PLAN}}
        resp = cp.post(f"/api/registry/models/{name}/versions", json=version, headers=admin)
        assert resp.status_code == 201, resp.text
        asset = f"line-{name}"
        body = {"modelId": name, "version": 1, "assetId": asset, "mapping": MAPPING}
        resp = cp.post("/api/deployments", json=body, headers=admin)
        assert resp.status_code == 201, resp.text
        deployment_id = resp.json()["id"]
        sync = os.environ.get("LOADSTAR_GATEWAY_SYNC_TOKEN", settings.gateway_sync_token)
        shipped = cp.post(
            "/api/gateway/records",
            content=msgspec.json.encode(_records(deployment_id, asset)),
            headers={"X-Gateway-Token": sync, "Content-Type": "application/json"},
        )
        assert shipped.status_code == 200, shipped.text
        try:
            yield {"id": deployment_id}
        finally:
            cp.delete(f"/api/deployments/{deployment_id}", headers=admin)


def test_monitor_page_end_to_end(watched: dict[str, Any], stack: str) -> None:  # noqa: F811
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)")
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    if not (WEB / "dist" / "index.html").exists():
        subprocess.run([npm, "--prefix", str(WEB), "run", "build"], check=True)
    result = subprocess.run(
        [npm, "--prefix", str(WEB), "run", "e2e:watching"],
        env={**os.environ, "LOADSTAR_BASE_URL": stack, "WATCH_DEPLOYMENT_ID": watched["id"]},
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout[-8000:])
    print(result.stderr[-4000:])
    assert result.returncode == 0, "monitor e2e failed: see tests/e2e/screenshots/"
