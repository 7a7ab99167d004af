"""Metric alert rules and retention against the real stack: live coverage below a
threshold, live MAE worse than the seasonal naive and missing data each fire once (to a
local webhook, retried after a 500) and resolve once; readings, forecasts and events past
the retention are deleted while recent ones stay."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from control_plane.alerts.webhook import SIGNATURE_HEADER, verify
from schemas.watching import ForecastRecord, ReadingRecord, RecordBatch
from tests.conftest import TEST_DATABASE_URL, login
from tests.integration.test_alert_webhook import Receiver
from tests.integration.test_gateway_sync import wait_for
from tests.integration.test_watching import (  # noqa: F401 (fixtures)
    RestartableControlPlane,
    control_plane,
    deployed,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

START = datetime(2026, 3, 2, tzinfo=UTC)
HOUR = 3600


@pytest.fixture(scope="module")
def settings(settings: Any) -> Any:
    # evaluated when the test says so, not behind its back
    return msgspec.structs.replace(settings, watch_eval_period_s=0.0)


def iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def load(i: int) -> float:
    """A daily wave with a ripple the day before cannot predict (the naive errs by ~2)."""
    return 100.0 + 10.0 * math.sin(2 * math.pi * i / 24) + (i * 7 % 5)


def batch(deployment_id: str, first: int, hours: int, miss: float, name: str) -> RecordBatch:
    """Readings for hours [first, first + hours) and a one-step forecast for each: its p50
    off by `miss`, its band +-5 around the p50."""
    readings = ReadingRecord(
        deploymentId=deployment_id,
        start=iso(START + timedelta(hours=first)),
        frequencyS=HOUR,
        value=[load(i) for i in range(first, first + hours)],
    )
    forecasts = [
        ForecastRecord(
            deploymentId=deployment_id,
            origin=iso(START + timedelta(hours=i - 1)),
            frequencyS=HOUR,
            p05=[load(i) + miss - 5.0],
            p50=[load(i) + miss],
            p95=[load(i) + miss + 5.0],
            unit="kW",
        )
        for i in range(first, first + hours)
    ]
    return RecordBatch(batchId=name, readings=[readings], forecasts=forecasts)


async def ship(cp: httpx.AsyncClient, settings: Any, records: RecordBatch) -> None:
    resp = await cp.post(
        "/api/gateway/records",
        content=msgspec.json.encode(records),
        headers={"X-Gateway-Token": settings.gateway_sync_token},
    )
    assert resp.status_code == 200, resp.text


async def test_metric_rules_fire_and_resolve_through_the_webhook(
    control_plane: RestartableControlPlane,  # noqa: F811
    deployed: dict[str, Any],  # noqa: F811
    settings: Any,
) -> None:
    dep = deployed["id"]
    with Receiver([500]) as receiver:
        async with httpx.AsyncClient(base_url=control_plane.url, timeout=30) as cp:
            admin = await login(cp)
            rules_path = f"/api/deployments/{dep}/alert-rules"
            wanted = [
                {"kind": "coverage", "threshold": 0.8, "windowMinutes": 1440},
                {"kind": "mae_vs_naive", "windowMinutes": 1440},
                {"kind": "no_data", "windowMinutes": 30},
            ]
            ids = {}
            for rule in wanted:
                body = {**rule, "webhookUrl": receiver.url, "secret": "s3cret-rule"}
                resp = await cp.post(rules_path, json=body, headers=admin)
                assert resp.status_code == 201, resp.text
                ids[rule["kind"]] = resp.json()["id"]
                assert resp.json()["firingSince"] is None
            bad = await cp.post(
                rules_path,
                json={"kind": "coverage", "threshold": 80, "webhookUrl": receiver.url,
                      "secret": "s3cret-rule"},
                headers=admin,
            )  # fmt: skip
            assert bad.status_code == 400 and bad.json()["code"] == "INVALID_INPUT"
            listed = (await cp.get(rules_path, headers=admin)).json()
            assert [r["kind"] for r in listed] == ["coverage", "mae_vs_naive", "no_data"]
            assert listed[1]["threshold"] == 1.0 and listed[2]["threshold"] is None

            # two days of good forecasts, then a day where each misses by 20 (outside the
            # +-5 band; 10x the naive's error): over the last 24 h coverage is 0
            await ship(cp, settings, batch(dep, 0, 48, 0.5, "good"))
            await ship(cp, settings, batch(dep, 48, 24, 20.0, "bad"))
            resp = await cp.post("/api/watching/evaluate", headers=admin)
            assert resp.status_code == 200, resp.text
            rules = {r["kind"]: r for r in (await cp.get(rules_path, headers=admin)).json()}
            assert rules["coverage"]["lastValue"] == pytest.approx(0.0)
            assert rules["coverage"]["firingSince"] is not None
            # by hand: MAE 20; the naive (a day before) errs by |load(i) - load(i - 24)|
            naive = sum(abs(load(i) - load(i - 24)) for i in range(48, 72)) / 24
            assert rules["mae_vs_naive"]["lastValue"] == pytest.approx(20.0 / naive)
            assert rules["mae_vs_naive"]["firingSince"] is not None
            assert rules["no_data"]["firingSince"] is None  # readings just arrived

            # a good day again: coverage 1 and MAE 0.5 over the last 24 h -> both resolve;
            # then the readings stop (their arrival put back by two hours) -> no_data fires
            await ship(cp, settings, batch(dep, 72, 24, 0.5, "better"))
            conn = await asyncpg.connect(TEST_DATABASE_URL)
            try:
                await conn.execute(
                    "UPDATE watch_state SET received_at = now() - interval '2 hours' "
                    "WHERE deployment_id = $1",
                    dep,
                )
            finally:
                await conn.close()
            resp = await cp.post("/api/watching/evaluate", headers=admin)
            assert resp.status_code == 200, resp.text
            rules = {r["kind"]: r for r in (await cp.get(rules_path, headers=admin)).json()}
            assert rules["coverage"]["firingSince"] is None
            assert rules["coverage"]["lastValue"] == pytest.approx(1.0)
            assert rules["mae_vs_naive"]["firingSince"] is None
            assert rules["no_data"]["firingSince"] is not None
            assert rules["no_data"]["lastValue"] == pytest.approx(120.0, abs=2.0)

            path = f"/api/deployments/{dep}/alert-deliveries"

            async def all_delivered() -> bool:
                found = (await cp.get(path, headers=admin)).json()
                return len(found) == 5 and all(d["delivered"] for d in found)

            await wait_for(all_delivered, 30.0)
            deliveries = (await cp.get(path, headers=admin)).json()
            resp = await cp.delete(f"/api/watching/alert-rules/{ids['no_data']}", headers=admin)
            assert resp.status_code == 204
            assert len((await cp.get(rules_path, headers=admin)).json()) == 2
    seen = sorted((d["payload"]["kind"], d["payload"]["state"]) for d in deliveries)
    assert seen == [
        ("coverage", "fired"),
        ("coverage", "resolved"),
        ("mae_vs_naive", "fired"),
        ("mae_vs_naive", "resolved"),
        ("no_data", "fired"),
    ]
    assert sorted(len(d["attempts"]) for d in deliveries) == [1, 1, 1, 1, 2]  # one 500
    fired = next(d["payload"] for d in deliveries if d["payload"]["kind"] == "coverage"
                 and d["payload"]["state"] == "fired")  # fmt: skip
    assert fired["message"].startswith("Live coverage of [p05, p95] is 0% over the last 24 h")
    assert fired["code"] == "coverageFired"
    assert fired["params"] == {"value": "0%", "window": "24 h", "threshold": "80%"}
    for d in deliveries:  # the log answers what each body said
        assert (d["message"], d["code"], d["params"]) == (
            d["payload"]["message"], d["payload"]["code"], d["payload"]["params"],
        )  # fmt: skip
    for headers, body in receiver.seen:
        assert verify("s3cret-rule", body, headers[SIGNATURE_HEADER])


async def test_retention_deletes_what_is_older_than_configured(
    control_plane: RestartableControlPlane,  # noqa: F811
    deployed: dict[str, Any],  # noqa: F811
    settings: Any,
) -> None:
    dep = deployed["id"]
    old = datetime.now(UTC) - timedelta(days=settings.watch_retention_days + 5)
    async with httpx.AsyncClient(base_url=control_plane.url, timeout=30) as cp:
        admin = await login(cp)
        await ship(cp, settings, batch(dep, 0, 24, 0.5, "recent"))
        conn = await asyncpg.connect(TEST_DATABASE_URL)
        try:
            await conn.execute(
                "INSERT INTO watch_reading (deployment_id, t, value) "
                "SELECT $1, $2::timestamptz + make_interval(hours => i), 1.0 "
                "FROM generate_series(0, 99) AS i",
                dep,
                old,
            )
            await conn.execute(
                "INSERT INTO watch_forecast (deployment_id, origin, step, t, p05, p50, p95) "
                "SELECT $1, $2::timestamptz + make_interval(hours => i), 1, "
                "$2::timestamptz + make_interval(hours => i + 1), 0, 1, 2 "
                "FROM generate_series(0, 49) AS i",
                dep,
                old,
            )
            await conn.execute(
                "INSERT INTO anomaly_event (deployment_id, kind, start_at, end_at, readings, "
                "duration_minutes, score, unit, reason) VALUES "
                "($1, 'spike', $2, $2, 1, 60, 9, 'kW', 'old'), "
                "($1, 'spike', now(), now(), 1, 60, 9, 'kW', 'new')",
                dep,
                old,
            )
            resp = await cp.post("/api/watching/evaluate", headers=admin)
            assert resp.status_code == 200, resp.text
            deleted = resp.json()["deleted"]
            counts = await conn.fetchrow(
                "SELECT (SELECT count(*) FROM watch_reading WHERE deployment_id = $1) AS r, "
                "(SELECT count(*) FROM watch_forecast WHERE deployment_id = $1) AS f, "
                "(SELECT array_agg(reason) FROM anomaly_event WHERE deployment_id = $1) AS e",
                dep,
            )
        finally:
            await conn.close()
    assert deleted["readings"] >= 100 and deleted["forecasts"] >= 50 and deleted["events"] >= 1
    assert counts["r"] == 24 and counts["f"] == 24 and counts["e"] == ["new"]
