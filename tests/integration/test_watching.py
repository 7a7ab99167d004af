"""Watching against the real stack: the gateway records readings, forecasts and anomaly
events; the control plane, stopped for part of the run, still gets every one; live coverage
matches a count by hand; events are listed, acknowledged and commented; a policy reaches
the gateway."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import numpy as np
import pytest
import uvicorn
from litestar.testing import AsyncTestClient

from edge_gateway.app import create_app
from edge_gateway.settings import GatewaySettings
from tests.conftest import TEST_DATABASE_URL, login
from tests.integration.test_gateway_support import HORIZON, LOOKBACK, forecaster_onnx, hourly_rows
from tests.integration.test_gateway_sync import MAPPING, PLAN, bearer, wait_for

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

PREDICT = "/api/inference/predict"
CALLS = 30


class RestartableControlPlane:
    """The control plane under uvicorn in a thread, on one port across restarts."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        from control_plane.app import create_app as create_control_plane

        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.sock = sock
        server = uvicorn.Server(
            uvicorn.Config(create_control_plane(self.settings), log_level="warning")
        )
        self.server = server
        self.thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None and self.thread.is_alive():
            self.server.should_exit = True
            self.thread.join(timeout=30)
        self.sock.close()


@pytest.fixture
def control_plane(settings: Any) -> Iterator[RestartableControlPlane]:
    live = RestartableControlPlane(settings)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
async def deployed(control_plane: RestartableControlPlane) -> AsyncIterator[dict[str, Any]]:
    from control_plane.adapters.object_store import ObjectStore
    from control_plane.settings import Settings

    store = ObjectStore.from_settings(Settings.from_env())
    key = f"models/{uuid.uuid4().hex}/model.onnx"
    await store.put_bytes(key, forecaster_onnx())
    name = f"watch-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=control_plane.url, timeout=60) as cp:
        admin = await login(cp)
        resp = await cp.post("/api/registry/models", json={"name": name}, headers=admin)
        assert resp.status_code == 201, resp.text
        version = {"artifactUri": store.uri(key), "card": {"plan": PLAN}, "metrics": {}}
        resp = await cp.post(f"/api/registry/models/{name}/versions", json=version, headers=admin)
        assert resp.status_code == 201, resp.text
        body = {"modelId": name, "version": 1, "assetId": f"line-{name}", "mapping": MAPPING}
        resp = await cp.post("/api/deployments", json=body, headers=admin)
        assert resp.status_code == 201, resp.text
        created = resp.json()
        yield {"id": created["id"], "token": created["apiToken"], "name": name}
    async with httpx.AsyncClient(base_url=control_plane.url, timeout=60) as cp:
        await cp.delete(f"/api/deployments/{created['id']}", headers=await login(cp))


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def stored(deployment_id: str) -> tuple[int, int, list[dict[str, Any]]]:
    conn = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        forecasts = await conn.fetchval(
            "SELECT count(*) FROM watch_forecast WHERE deployment_id = $1", deployment_id
        )
        readings = await conn.fetchval(
            "SELECT count(*) FROM watch_reading WHERE deployment_id = $1", deployment_id
        )
        events = await conn.fetch(
            "SELECT kind, reason FROM anomaly_event WHERE deployment_id = $1", deployment_id
        )
    finally:
        await conn.close()
    return int(forecasts), int(readings), [dict(e) for e in events]


async def test_records_survive_a_stopped_control_plane_and_feed_live_accuracy(
    control_plane: RestartableControlPlane, deployed: dict[str, Any], tmp_path: Path
) -> None:
    rows = hourly_rows(LOOKBACK + CALLS + HORIZON)
    settings = GatewaySettings(
        mode="development",
        control_plane_url=control_plane.url,
        state_path=tmp_path / "snapshot.json",
        sync_wait_s=5.0,
        sync_retry_s=0.2,
        record_flush_s=0.1,
        record_retry_max_s=0.5,
    )
    headers = bearer(deployed["token"])
    spool = settings.spool
    answers: list[dict[str, Any]] = []
    async with AsyncTestClient(app=create_app(settings)) as gateway:
        for i in range(CALLS):
            if i == CALLS // 2:
                control_plane.stop()
            body = {"series": rows[i : i + LOOKBACK]}
            resp = await gateway.post(PREDICT, json=body, headers=headers)
            assert resp.status_code == 200, resp.text
            answers.append(resp.json())
        spiked = [dict(r) for r in rows[: LOOKBACK + 12]]
        spiked[LOOKBACK + 5]["value"] += 60.0  # 12 half-bands over the forecast's p95
        asset = f"line-{deployed['name']}"
        found = await gateway.post(
            f"/api/v1/assets/{asset}/detect_anomalies",
            json={"data_stream": spiked},
            headers=headers,
        )
        assert found.status_code == 200, found.text
        report = found.json()
        (event,) = report["events"]
        assert event["kind"] == "spike" and event["readings"] in (1, 2)  # 2: its rebound
        assert event["start"] == spiked[LOOKBACK + 5]["timestamp"]
        assert report["policy"]["level"] == 0.9999

        async def spooled() -> bool:
            return any(spool.glob("*.json"))

        await wait_for(spooled)  # the control plane is away: the batches wait on disk
        control_plane.start()

        async def drained() -> bool:
            return not any(spool.glob("*.json"))

        await wait_for(drained, 20.0)

    forecasts, readings, events = await stored(deployed["id"])
    assert forecasts == CALLS * HORIZON  # nothing lost while the control plane was away
    assert readings == LOOKBACK + CALLS - 1  # every grid point the windows covered, once
    assert [e["kind"] for e in events] == ["spike"]

    # live coverage of [p05, p95], counted by hand from the answers and the rows sent
    # (the gateway records the readings of its float32 window)
    sent = rows[: LOOKBACK + CALLS - 1]
    actual = {instant(r["timestamp"]): float(np.float32(r["value"])) for r in sent}
    inside = total = 0
    for out in answers:
        for k, point in enumerate(out["values"]):
            t = instant(point["t"])
            if t in actual:
                total += 1
                inside += out["intervals"]["p05"][k] <= actual[t] <= out["intervals"]["p95"][k]
    async with httpx.AsyncClient(base_url=control_plane.url, timeout=30) as cp:
        admin = await login(cp)
        resp = await cp.get(f"/api/deployments/{deployed['id']}/accuracy", headers=admin)
        assert resp.status_code == 200, resp.text
        acc = resp.json()
        assert sum(s["n"] for s in acc["steps"]) == total
        assert acc["coverage"] == pytest.approx(inside / total)
        assert [s["step"] for s in acc["steps"]] == list(range(1, HORIZON + 1))
        assert acc["steps"][0]["mae"] > 0 and acc["offlineCoverage"] == pytest.approx(0.9)

        series = await cp.get(f"/api/deployments/{deployed['id']}/series", headers=admin)
        assert series.status_code == 200, series.text
        points = series.json()["points"]
        assert any(p["actual"] is not None and p["p95"] is not None for p in points)
        assert series.json()["peak"]["actual"] == pytest.approx(max(actual.values()), rel=1e-6)


async def test_events_are_listed_acknowledged_commented_and_the_policy_reaches_the_gateway(
    control_plane: RestartableControlPlane, deployed: dict[str, Any], tmp_path: Path
) -> None:
    settings = GatewaySettings(
        mode="development",
        control_plane_url=control_plane.url,
        state_path=tmp_path / "snapshot.json",
        sync_wait_s=5.0,
        sync_retry_s=0.2,
        record_flush_s=0.1,
    )
    asset = f"line-{deployed['name']}"
    headers = bearer(deployed["token"])
    rows = hourly_rows(LOOKBACK + 12)
    rows[LOOKBACK + 3]["value"] += 15.0  # 3 half-bands: inside the 99.99% alarm interval
    async with (
        AsyncTestClient(app=create_app(settings)) as gateway,
        httpx.AsyncClient(base_url=control_plane.url, timeout=30) as cp,
    ):
        admin = await login(cp)
        detect = f"/api/v1/assets/{asset}/detect_anomalies"
        report = (await gateway.post(detect, json={"data_stream": rows}, headers=headers)).json()
        assert report["events"] == [] and report["anomalies"]  # outside p95, no alarm

        bad = await cp.put(
            f"/api/deployments/{deployed['id']}/watch-policy", json={"level": 2}, headers=admin
        )
        assert bad.status_code == 400 and bad.json()["code"] == "INVALID_INPUT"
        policy = {"level": 0.99}  # 2 half-bands
        resp = await cp.put(
            f"/api/deployments/{deployed['id']}/watch-policy", json=policy, headers=admin
        )
        assert resp.status_code == 200, resp.text

        async def applied() -> bool:
            got = await gateway.post(detect, json={"data_stream": rows}, headers=headers)
            return bool(got.json()["events"])

        await wait_for(applied)

        async def listed() -> list[dict[str, Any]]:
            resp = await cp.get("/api/watching/events", params={"assetId": asset}, headers=admin)
            assert resp.status_code == 200, resp.text
            return list(resp.json())

        async def arrived() -> bool:
            return len(await listed()) == 1

        await wait_for(arrived)
        (event,) = await listed()
        assert event["kind"] == "spike" and event["deploymentId"] == deployed["id"]
        assert event["reason"].startswith("Spike: load ") and event["readings"] == 2
        assert event["acknowledgedBy"] is None

        ack = await cp.post(f"/api/watching/events/{event['id']}/acknowledge", headers=admin)
        assert ack.status_code == 200 and ack.json()["acknowledgedBy"] == "admin"
        note = {"text": "compressor restart, expected"}
        resp = await cp.post(
            f"/api/watching/events/{event['id']}/comments", json=note, headers=admin
        )
        assert resp.status_code == 201, resp.text
        assert [c["text"] for c in resp.json()["comments"]] == [note["text"]]
        empty = await cp.post(
            f"/api/watching/events/{event['id']}/comments", json={"text": ""}, headers=admin
        )
        assert empty.status_code == 400
        missing = await cp.post("/api/watching/events/999999999/acknowledge", headers=admin)
        assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
        mine = await cp.get(f"/api/deployments/{deployed['id']}/events", headers=admin)
        assert [e["id"] for e in mine.json()] == [event["id"]]
        still_open = await cp.get(
            "/api/watching/events", params={"assetId": asset, "open": "true"}, headers=admin
        )
        assert still_open.json() == []


async def test_kw_sent_into_a_w_field_warns_with_the_training_range(
    control_plane: RestartableControlPlane, tmp_path: Path
) -> None:
    from control_plane.adapters.object_store import ObjectStore
    from control_plane.settings import Settings

    store = ObjectStore.from_settings(Settings.from_env())
    key = f"models/{uuid.uuid4().hex}/model.onnx"
    await store.put_bytes(key, forecaster_onnx())
    name = f"range-{uuid.uuid4().hex[:8]}"
    fields = [
        {"name": "load", "unit": "kW", "trainingRange": [105.0, 135.0], "dropoutZeros": True},
        {"name": "temp", "unit": "degC", "trainingRange": [-10.0, 40.0]},
        {"name": "production", "unit": "1"},
    ]
    signature = {"inputs": [{"name": "window", "fields": fields}]}
    mapping = {"inputs": [{"name": "load", "source": "value", "unit": "W"}]}
    settings = GatewaySettings(
        mode="development",
        control_plane_url=control_plane.url,
        state_path=tmp_path / "snapshot.json",
        record=False,
    )
    async with httpx.AsyncClient(base_url=control_plane.url, timeout=60) as cp:
        admin = await login(cp)
        resp = await cp.post("/api/registry/models", json={"name": name}, headers=admin)
        assert resp.status_code == 201, resp.text
        version = {"artifactUri": store.uri(key), "card": {"plan": PLAN}, "signature": signature}
        resp = await cp.post(f"/api/registry/models/{name}/versions", json=version, headers=admin)
        assert resp.status_code == 201, resp.text
        body = {"modelId": name, "version": 1, "mapping": mapping}
        resp = await cp.post("/api/deployments", json=body, headers=admin)
        assert resp.status_code == 201, resp.text
        created = resp.json()
        contract = created["deployment"]["contract"]
        assert contract["inputs"][0]["trainingRange"] == [105.0, 135.0]
        assert contract["inputs"][0]["dropoutZeros"] is True
        try:
            async with AsyncTestClient(app=create_app(settings)) as gateway:
                rows = hourly_rows(LOOKBACK)  # ~120: kW, sent into the field mapped as W
                headers = bearer(created["apiToken"])
                resp = await gateway.post(PREDICT, json={"series": rows}, headers=headers)
                assert resp.status_code == 200, resp.text
                (warning,) = [
                    w for w in resp.json()["warnings"] if w["code"] == "INPUT_OUT_OF_RANGE"
                ]
                assert warning["details"]["field"] == "value"
                assert warning["details"]["unitSlip"] == 0.001
                assert warning["details"]["trainingMin"] == 105.0
                assert "unit slip" in warning["message"] and "105 .. 135 kW" in warning["message"]
                # sent in W as mapped: no warning
                in_watts = [{**r, "value": r["value"] * 1000} for r in rows]
                resp = await gateway.post(PREDICT, json={"series": in_watts}, headers=headers)
                codes = {w["code"] for w in resp.json()["warnings"]}
                assert resp.status_code == 200 and "INPUT_OUT_OF_RANGE" not in codes
                # two readings of exactly 0: the model reads them as a meter's dropout
                holed = [
                    {**r, "value": 0.0 if k in (3, 4) else r["value"]}
                    for k, r in enumerate(in_watts)
                ]
                resp = await gateway.post(PREDICT, json={"series": holed}, headers=headers)
                assert resp.status_code == 200, resp.text
                (mended,) = [w for w in resp.json()["warnings"] if w["code"] == "DROPOUT_MENDED"]
                assert mended["details"] == {"field": "value", "input": "load", "points": 2}

                # the deployment refuses such windows from now on
                refuse = {**mapping, "outOfRange": "refuse"}
                resp = await cp.put(
                    f"/api/deployments/{created['id']}/mapping", json=refuse, headers=admin
                )
                assert resp.status_code == 200, resp.text

                async def refused() -> bool:
                    got = await gateway.post(PREDICT, json={"series": rows}, headers=headers)
                    return got.status_code == 422 and got.json()["code"] == "INPUT_OUT_OF_RANGE"

                await wait_for(refused)
        finally:
            await cp.delete(f"/api/deployments/{created['id']}", headers=admin)
