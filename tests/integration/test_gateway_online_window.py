"""A deployment whose gateway reads its window from the feature store's online store: the
real gateway process, the real Redis and Triton. A request naming only the entity gets
the same answer as one carrying the whole window; a request with only its newest readings
too; an incomplete or stale window is a plain INVALID_INPUT."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.deployment_support import (
    GATEWAY,
    SNAPSHOT,
    ModelVersions,
    model,
    shifted_forecaster,
)
from tests.integration.feature_store.support import FS, unique
from tests.integration.test_gateway_process import gateway_process, process_env
from tests.integration.test_gateway_support import LOOKBACK, hourly_rows

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
__all__ = ["model"]  # fixture
PREDICT = "/api/inference/predict"
FIELDS = ("timestamp", "value", "temp", "production")


def gateway_env(state: Path) -> dict[str, str]:
    """The gateway process reading its snapshot file, with the online store to read."""
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    return {**process_env(state), "LOADSTAR_GATEWAY_ONLINE_STORE_URL": redis_url}


async def _stream_group(client: Any, headers: dict[str, str]) -> str:
    resp = await client.post(
        f"{FS}/groups",
        json={
            "name": unique("online"),
            "sourceType": "stream",
            "lookback": 100,
            "features": [
                {"name": "value", "dtype": "float64", "unit": "kW"},
                {"name": "temp", "dtype": "float64", "unit": "degC"},
                {"name": "production", "dtype": "float64"},
            ],
        },
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["name"])


async def _ingest(client: Any, headers: dict[str, str], group: str, entity: str, rows: Any) -> None:
    body = {
        "group": group,
        "rows": [
            {
                "entity": entity,
                "eventTime": r["timestamp"],
                "values": {k: r[k] for k in FIELDS[1:]},
            }
            for r in rows
        ],
    }
    resp = await client.post(f"{FS}/ingest", json=body, headers=headers)
    assert resp.status_code == 201, resp.text


async def test_the_gateway_reads_the_window_from_the_online_store(
    cp_client, admin_headers, model: ModelVersions, tmp_path: Path
) -> None:
    await model.register(shifted_forecaster(0.0))
    deployment = await model.deploy(version=1)
    group = await _stream_group(cp_client, admin_headers)
    rows = [{k: r[k] for k in FIELDS} for r in hourly_rows(LOOKBACK + 4)]
    await _ingest(cp_client, admin_headers, group, "m9", rows)
    await _ingest(cp_client, admin_headers, group, "short", rows[-5:])
    url = f"/api/deployments/{deployment['id']}/online-window"
    wrong = await cp_client.put(url, json={"group": "no-such-group"}, headers=admin_headers)
    assert wrong.status_code == 404, wrong.text
    resp = await cp_client.put(url, json={"group": group}, headers=admin_headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["features"]["value"] == "kW" and "production" in resp.json()["features"]

    snapshot = await cp_client.get(SNAPSHOT, headers=GATEWAY)
    assert snapshot.status_code == 200, snapshot.text
    state = tmp_path / "snapshot.json"
    state.write_bytes(snapshot.content)
    auth = {"Authorization": f"Bearer {deployment['apiToken']}"}
    with gateway_process(gateway_env(state), tmp_path / "gateway.log") as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
            full = await client.post(PREDICT, json={"series": rows[-LOOKBACK:]}, headers=auth)
            assert full.status_code == 200, full.text
            only_entity = await client.post(PREDICT, json={"entity": "m9"}, headers=auth)
            assert only_entity.status_code == 200, only_entity.text
            assert only_entity.json()["values"] == full.json()["values"]
            assert only_entity.json()["intervals"] == full.json()["intervals"]
            by_asset = await client.post("/api/v1/assets/m9/predict", json={}, headers=auth)
            assert by_asset.status_code == 200, by_asset.text
            assert by_asset.json()["values"] == full.json()["values"]

            # the line controller sends only its newest reading; the rest comes from Redis
            newest = {**rows[-1], "timestamp": "2025-07-04T04:00:00Z", "value": 777.0}
            assert newest["timestamp"] > rows[-1]["timestamp"]
            merged = await client.post(
                PREDICT, json={"entity": "m9", "series": [newest]}, headers=auth
            )
            assert merged.status_code == 200, merged.text
            whole = [*rows[-LOOKBACK + 1 :], newest]
            expected = await client.post(PREDICT, json={"series": whole}, headers=auth)
            assert merged.json()["values"] == expected.json()["values"]
            assert merged.json()["values"][0]["y"] == pytest.approx(777.0, rel=1e-3)

            short = await client.post(PREDICT, json={"entity": "short"}, headers=auth)
            assert short.status_code == 400, short.text
            assert short.json()["code"] == "INVALID_INPUT"
            assert short.json()["details"]["reason"] == "incomplete", short.json()
            assert "5 of the 24" in short.json()["message"]
            nobody = await client.post(PREDICT, json={"entity": "nobody"}, headers=auth)
            assert nobody.status_code == 400 and nobody.json()["details"]["reason"] == "empty"
            missing = await client.post(PREDICT, json={}, headers=auth)
            assert missing.status_code == 400 and missing.json()["details"]["field"] == "entity"

    # a freshness limit: the 2025 readings are stale now
    resp = await cp_client.put(
        url, json={"group": group, "maxAgeSeconds": 3600}, headers=admin_headers
    )
    assert resp.status_code == 200, resp.text
    state.write_bytes((await cp_client.get(SNAPSHOT, headers=GATEWAY)).content)
    with gateway_process(gateway_env(state), tmp_path / "gateway2.log") as gateway:
        async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:
            stale = await client.post(PREDICT, json={"entity": "m9"}, headers=auth)
    assert stale.status_code == 400, stale.text
    assert stale.json()["details"]["reason"] == "stale", stale.json()
    assert "is stale" in stale.json()["message"]
    cleared = await cp_client.delete(url, headers=admin_headers)
    assert cleared.status_code == 204, cleared.text
