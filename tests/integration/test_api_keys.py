"""Named API keys against the real control plane and a syncing gateway: several live keys,
scopes, expiry and revocation refused with a clear 401, "last used" sent back in batches,
and the deployment's first token kept as the key "default"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from litestar.testing import AsyncTestClient

from edge_gateway.app import create_app
from edge_gateway.settings import GatewaySettings
from tests.integration.test_gateway_support import LOOKBACK, hourly_rows
from tests.integration.test_gateway_sync import LiveControlPlane, bearer, wait_for
from tests.integration.test_gateway_sync import control_plane as control_plane  # fixture
from tests.integration.test_gateway_sync import deployed as deployed  # fixture

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

PREDICT = "/api/inference/predict"
BODY = {"series": hourly_rows(LOOKBACK)}


def gateway_settings(url: str, state: Path) -> GatewaySettings:
    return GatewaySettings(
        control_plane_url=url,
        state_path=state,
        sync_wait_s=5.0,
        sync_retry_s=0.2,
        key_use_flush_s=0.2,
        mode="development",
    )


async def test_keys_live_side_by_side_with_scopes_expiry_revocation_and_last_use(
    control_plane: LiveControlPlane, deployed: dict[str, Any], tmp_path: Path
) -> None:
    keys_url = f"/api/deployments/{deployed['id']}/keys"
    admin = deployed["admin"]
    async with (
        AsyncTestClient(
            app=create_app(gateway_settings(control_plane.url, tmp_path / "s.json"))
        ) as gateway,
        httpx.AsyncClient(base_url=control_plane.url, timeout=30) as cp,
    ):
        listed = (await cp.get(keys_url, headers=admin)).json()
        assert [(k["name"], k["scopes"], k["status"]) for k in listed] == [
            ("default", ["detect", "predict"], "active")
        ]
        assert "secret" not in listed[0] and deployed["token"].endswith(listed[0]["hint"])

        expires = (datetime.now(UTC) + timedelta(seconds=8)).isoformat()
        made = await cp.post(
            keys_url,
            json={"name": "plant-a", "scopes": ["predict"], "expiresAt": expires},
            headers=admin,
        )
        assert made.status_code == 201, made.text
        short = made.json()
        assert short["key"]["status"] == "active" and len(short["secret"]) >= 40
        rotated = await cp.post(keys_url, json={"name": "plant-b"}, headers=admin)
        assert rotated.status_code == 201, rotated.text
        plant_b = rotated.json()

        async def served() -> bool:
            resp = await gateway.post(PREDICT, json=BODY, headers=bearer(plant_b["secret"]))
            return resp.status_code == 200

        await wait_for(served)
        # the first token and both new keys work at the same time
        for secret in (deployed["token"], short["secret"]):
            resp = await gateway.post(PREDICT, json=BODY, headers=bearer(secret))
            assert resp.status_code == 200, resp.text
        # a key without the detect scope may not detect
        detect = await gateway.post(
            f"/api/v1/assets/line-{deployed['name']}/detect_anomalies",
            json={"data_stream": hourly_rows(LOOKBACK + 6)},
            headers=bearer(short["secret"]),
        )
        assert detect.status_code == 403 and "may not detect" in detect.json()["message"]

        async def last_used() -> bool:
            rows = (await cp.get(keys_url, headers=admin)).json()
            return any(k["name"] == "plant-a" and k["lastUsedAt"] for k in rows)

        await wait_for(last_used)

        # a name in use by a live key, an expiry in the past, no scope: refused, nothing made
        for body, code in (
            ({"name": "plant-b"}, 409),
            ({"name": "old", "expiresAt": "2020-01-01T00:00:00Z"}, 400),
            ({"name": "none", "scopes": []}, 400),
            ({"name": "bad", "scopes": ["admin"]}, 400),
        ):
            resp = await cp.post(keys_url, json=body, headers=admin)
            assert resp.status_code == code, (body, resp.text)
        assert len((await cp.get(keys_url, headers=admin)).json()) == 3

        # revoked: a clear 401 within a sync round trip
        revoked = await cp.delete(f"{keys_url}/{plant_b['key']['id']}", headers=admin)
        assert revoked.status_code == 204, revoked.text

        async def refused() -> bool:
            resp = await gateway.post(PREDICT, json=BODY, headers=bearer(plant_b["secret"]))
            return resp.status_code == 401

        await wait_for(refused)
        resp = await gateway.post(PREDICT, json=BODY, headers=bearer(plant_b["secret"]))
        assert resp.json()["message"] == "this API key was revoked"

        # past its expiry: 401 saying so, with no change on the control plane needed
        wait = datetime.fromisoformat(expires) - datetime.now(UTC)
        await anyio.sleep(max(0.0, wait.total_seconds()) + 0.2)
        resp = await gateway.post(PREDICT, json=BODY, headers=bearer(short["secret"]))
        assert resp.status_code == 401, resp.text
        assert resp.json()["message"].startswith("this API key expired at")
        states = {k["name"]: k["status"] for k in (await cp.get(keys_url, headers=admin)).json()}
        assert states == {"default": "active", "plant-a": "expired", "plant-b": "revoked"}
        # the default key still answers
        resp = await gateway.post(PREDICT, json=BODY, headers=bearer(deployed["token"]))
        assert resp.status_code == 200


async def test_key_routes_need_a_writer_and_a_live_deployment(
    control_plane: LiveControlPlane, deployed: dict[str, Any]
) -> None:
    keys_url = f"/api/deployments/{deployed['id']}/keys"
    async with httpx.AsyncClient(base_url=control_plane.url, timeout=30) as cp:
        assert (await cp.get(keys_url)).status_code == 401
        missing = await cp.delete(f"{keys_url}/key-nope", headers=deployed["admin"])
        assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
        use = await cp.post("/api/gateway/key-use", json={"used": {}})
        assert use.status_code == 401
        gone = await cp.get("/api/deployments/dep-nope/keys", headers=deployed["admin"])
        assert gone.status_code == 404
