"""Live confidence and accuracy over time against the real stack: the standard output's
`confidence` is the hold-out's until enough actuals arrive, then the realised coverage
(`confidenceSource` "live") reaching the gateway; accuracy per day matches a count by
hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from edge_gateway.app import create_app
from edge_gateway.settings import GatewaySettings
from tests.conftest import login
from tests.integration.test_gateway_support import LOOKBACK, hourly_rows
from tests.integration.test_gateway_sync import bearer, wait_for
from tests.integration.test_watching import (  # noqa: F401 (fixtures)
    RestartableControlPlane,
    control_plane,
    deployed,
)
from tests.integration.test_watching_rules import batch, ship

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


@pytest.fixture(scope="module")
def settings(settings: Any) -> Any:
    return msgspec.structs.replace(settings, watch_eval_period_s=0.0, live_confidence_min_pairs=40)


async def test_confidence_turns_live_and_accuracy_is_bucketed(
    control_plane: RestartableControlPlane,  # noqa: F811
    deployed: dict[str, Any],  # noqa: F811
    settings: Any,
    tmp_path: Path,
) -> None:
    dep = deployed["id"]
    gateway_settings = GatewaySettings(
        mode="development",
        control_plane_url=control_plane.url,
        state_path=tmp_path / "snapshot.json",
        sync_wait_s=5.0,
        sync_retry_s=0.2,
        record=False,
    )
    predict = {"series": hourly_rows(LOOKBACK)}
    headers = bearer(deployed["token"])
    async with (
        AsyncTestClient(app=create_app(gateway_settings)) as gateway,
        httpx.AsyncClient(base_url=control_plane.url, timeout=30) as cp,
    ):
        admin = await login(cp)
        out = (await gateway.post("/api/inference/predict", json=predict, headers=headers)).json()
        assert out["confidenceSource"] == "hold-out" and out["confidence"] == pytest.approx(0.9)

        # day 1: 24 good forecasts; day 2: 6 miss by 20 (outside the band), 18 good
        await ship(cp, settings, batch(dep, 0, 24, 0.5, "day-1"))
        await ship(cp, settings, batch(dep, 24, 6, 20.0, "day-2-bad"))
        await ship(cp, settings, batch(dep, 30, 18, 0.5, "day-2-good"))
        resp = await cp.post("/api/watching/evaluate", headers=admin)
        assert resp.status_code == 200, resp.text
        assert resp.json()["liveConfidence"] >= 1

        async def live() -> bool:
            got = await gateway.post("/api/inference/predict", json=predict, headers=headers)
            return bool(got.json()["confidenceSource"] == "live")

        await wait_for(live, 20.0)
        out = (await gateway.post("/api/inference/predict", json=predict, headers=headers)).json()
        assert out["confidence"] == pytest.approx(round(42 / 48, 2))

        resp = await cp.get(
            f"/api/deployments/{dep}/accuracy",
            params={"bucket": "day", "from": "2026-03-01T00:00:00Z", "days": 30},
            headers=admin,
        )
        assert resp.status_code == 200, resp.text
        acc = resp.json()
        assert acc["bucket"] == "day"
        assert [b["n"] for b in acc["buckets"]] == [24, 24]
        assert [b["coverage"] for b in acc["buckets"]] == pytest.approx([1.0, 18 / 24])
        assert acc["buckets"][0]["mae"] == pytest.approx(0.5)
        assert acc["buckets"][1]["mae"] == pytest.approx((6 * 20 + 18 * 0.5) / 24)
        assert acc["buckets"][1]["naiveMae"] is not None
        hourly = await cp.get(
            f"/api/deployments/{dep}/accuracy", params={"bucket": "hour"}, headers=admin
        )
        assert len(hourly.json()["buckets"]) == 48
        bad = await cp.get(
            f"/api/deployments/{dep}/accuracy", params={"bucket": "week"}, headers=admin
        )
        assert bad.status_code == 400 and bad.json()["code"] == "INVALID_INPUT"
