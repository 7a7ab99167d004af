"""The feature store on the real PostgreSQL and Redis: registry, ingest, online, frames,
materialization runs, schedules and monitoring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from control_plane.feature_store.queue import MaterializationQueue
from control_plane.settings import Settings
from tests.integration.feature_store.support import (
    FS,
    make_group,
    run_feature_worker,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


def rows(entity: str, points: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [
        {"entity": entity, "eventTime": t, "values": {"power": p, "temp": 20.0 + i}}
        for i, (t, p) in enumerate(points)
    ]


async def test_groups_and_versioned_features(cp_client, admin_headers) -> None:
    group = await make_group(cp_client, admin_headers)
    assert group["id"].startswith("fg-") and group["owner"] == "admin"
    assert {f["name"]: f["unit"] for f in group["features"]} == {
        "power": "kW",
        "temp": "degC",
        "running": None,
    }
    added = await cp_client.post(
        f"{FS}/groups/{group['name']}/features",
        json={"name": "power", "dtype": "float64", "unit": "MW", "description": "now in MW"},
        headers=admin_headers,
    )
    assert added.status_code == 201, added.text
    power = next(f for f in added.json()["features"] if f["name"] == "power")
    assert power["version"] == 2 and power["unit"] == "MW"
    listed = (await cp_client.get(f"{FS}/groups", headers=admin_headers)).json()
    assert group["id"] in [g["id"] for g in listed["items"]]
    again = await cp_client.post(
        f"{FS}/groups", json={"name": group["name"]}, headers=admin_headers
    )
    assert again.status_code == 409 and again.json()["code"] == "CONFLICT"
    bad_unit = await cp_client.post(
        f"{FS}/groups/{group['id']}/features",
        json={"name": "flow", "dtype": "float64", "unit": "bananas"},
        headers=admin_headers,
    )
    assert bad_unit.status_code == 400 and bad_unit.json()["details"]["field"] == "body.unit"
    missing = await cp_client.get(f"{FS}/groups/fg-nope", headers=admin_headers)
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"


async def test_a_bad_row_refuses_the_batch_and_writes_nothing(cp_client, admin_headers) -> None:
    group = await make_group(cp_client, admin_headers)
    good = rows("m1", [("2026-01-01T00:00:00Z", 10.0)])
    for bad, field in [
        ({"entity": "m1", "eventTime": "soon", "values": {"power": 1.0}}, "eventTime"),
        (
            {"entity": "m1", "eventTime": "2026-01-01T01:00:00Z", "values": {"nope": 1}},
            "values.nope",
        ),
        (
            {"entity": "m1", "eventTime": "2026-01-01T01:00:00Z", "values": {"power": "x"}},
            "values.power",
        ),
    ]:
        resp = await cp_client.post(
            f"{FS}/ingest", json={"group": group["id"], "rows": [*good, bad]}, headers=admin_headers
        )
        assert resp.status_code == 400, resp.text
        assert resp.json()["code"] == "INVALID_INPUT"
        assert resp.json()["details"] == resp.json()["details"] | {"row": 1, "field": field}
    frame = await cp_client.post(
        f"{FS}/training-frame",
        json={"features": [f"{group['name']}.power"], "spine": [["m1", "2026-02-01T00:00:00Z"]]},
        headers=admin_headers,
    )
    assert frame.status_code == 200, frame.text
    assert frame.json()["rows"][0][f"{group['name']}.power"] is None  # nothing was written


async def test_ingest_materialize_online_and_point_in_time_frame(cp_client, admin_headers) -> None:
    group = await make_group(cp_client, admin_headers)
    name = group["name"]
    points = [(f"2026-01-01T{h:02d}:00:00Z", 100.0 + h) for h in range(12)]
    resp = await cp_client.post(
        f"{FS}/ingest",
        json={"group": name, "rows": rows("m1", points), "units": {"power": "kW"}},
        headers=admin_headers,
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["rows"] == 12 and resp.json()["values"] == 24
    assert resp.json()["online"] is False  # a batch group goes online by materialization

    online_path = f"{FS}/online?entity=m1&features={name}.power,{name}.temp&window=3"
    before = (await cp_client.get(online_path, headers=admin_headers)).json()
    assert before["values"][0]["value"] is None

    run = await cp_client.post(f"{FS}/materialize", json={"group": name}, headers=admin_headers)
    assert run.status_code == 202 and run.json()["status"] == "queued", run.text
    await run_feature_worker()
    done = (await cp_client.get(f"{FS}/runs/{run.json()['id']}", headers=admin_headers)).json()
    assert done["status"] == "succeeded" and done["rows"] == 24 and done["progress"] == 1.0
    assert done["durationSeconds"] is not None and done["watermark"] is not None

    after = (await cp_client.get(online_path, headers=admin_headers)).json()
    power = after["values"][0]
    assert power["value"] == 111.0 and power["eventTime"].startswith("2026-01-01T11:00:00")
    assert [v for _, v in power["window"]] == [109.0, 110.0, 111.0]

    # A late row (old event time, ingested now) reaches the window in its place through
    # the next incremental run, and does not replace the newer latest value.
    late = [{"entity": "m1", "eventTime": "2026-01-01T10:30:00Z", "values": {"power": 5.0}}]
    await cp_client.post(f"{FS}/ingest", json={"group": name, "rows": late}, headers=admin_headers)
    await cp_client.post(f"{FS}/materialize", json={"group": name}, headers=admin_headers)
    await run_feature_worker()
    runs = (await cp_client.get(f"{FS}/runs?group={name}", headers=admin_headers)).json()
    assert [r["status"] for r in runs] == ["succeeded", "succeeded"]
    assert runs[0]["rows"] >= 1
    latest = (await cp_client.get(online_path, headers=admin_headers)).json()["values"][0]
    assert latest["value"] == 111.0
    assert [v for _, v in latest["window"]] == [110.0, 5.0, 111.0]

    # The training frame: each row sees only what existed at its own time.
    other = await make_group(cp_client, admin_headers)
    await cp_client.post(
        f"{FS}/ingest",
        json={
            "group": other["name"],
            "rows": [
                {"entity": "m1", "eventTime": "2026-01-01T05:30:00Z", "values": {"temp": 1.0}},
                {"entity": "m1", "eventTime": "2026-01-01T07:30:00Z", "values": {"temp": 2.0}},
            ],
        },
        headers=admin_headers,
    )
    frame = await cp_client.post(
        f"{FS}/training-frame",
        json={
            "features": [f"{name}.power", f"{other['name']}.temp"],
            "spine": [
                ["m1", "2026-01-01T06:00:00Z"],
                ["m1", "2026-01-01T05:59:59Z"],
                ["m1", "2026-01-01T00:00:00Z"],
                ["m2", "2026-01-01T06:00:00Z"],
                ["m1", "2025-12-31T23:00:00Z"],
            ],
        },
        headers=admin_headers,
    )
    assert frame.status_code == 200, frame.text
    body = frame.json()
    assert body["columns"] == ["entity", "eventTime", f"{name}.power", f"{other['name']}.temp"]
    got = [(r[f"{name}.power"], r[f"{other['name']}.temp"]) for r in body["rows"]]
    assert got == [(106.0, 1.0), (105.0, 1.0), (100.0, None), (None, None), (None, None)]


async def test_range_runs_schedules_and_monitoring(cp_client, admin_headers) -> None:
    group = await make_group(cp_client, admin_headers)
    name = group["name"]
    points = [(f"2026-01-02T{h:02d}:00:00Z", 600.0 if h == 3 else 10.0) for h in range(6)]
    data = rows("m9", points)
    data[1]["values"]["temp"] = None
    await cp_client.post(f"{FS}/ingest", json={"group": name, "rows": data}, headers=admin_headers)
    bad = await cp_client.post(
        f"{FS}/materialize",
        json={"group": name, "mode": "range", "start": "2026-01-02T03:00:00Z"},
        headers=admin_headers,
    )
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "start"
    run = await cp_client.post(
        f"{FS}/materialize",
        json={
            "group": name,
            "mode": "range",
            "start": "2026-01-02T00:00:00Z",
            "end": "2026-01-02T02:00:00Z",
        },
        headers=admin_headers,
    )
    assert run.status_code == 202, run.text
    await run_feature_worker()
    done = (await cp_client.get(f"{FS}/runs/{run.json()['id']}", headers=admin_headers)).json()
    assert done["status"] == "succeeded" and done["rows"] == 3  # 2 power + 1 temp (1 null)
    online = (
        await cp_client.get(f"{FS}/online?entity=m9&features={name}.power", headers=admin_headers)
    ).json()
    assert online["values"][0]["eventTime"].startswith("2026-01-02T01:00:00")

    health = (await cp_client.get(f"{FS}/groups/{name}/monitoring", headers=admin_headers)).json()
    shares = {f["feature"]: f for f in health["features"]}
    assert shares["power"]["outOfRangeShare"] == pytest.approx(1 / 6)
    assert shares["temp"]["nullShare"] == pytest.approx(1 / 6)
    assert health["rowsPerMinute"] == pytest.approx(6 / 60)
    assert health["freshnessSeconds"] > 0

    schedule = await cp_client.post(
        f"{FS}/schedules", json={"group": name, "cron": "* * * * *"}, headers=admin_headers
    )
    assert schedule.status_code == 201, schedule.text
    assert schedule.json()["nextRunAt"] is not None
    refused = await cp_client.post(
        f"{FS}/schedules", json={"group": name, "cron": "every hour!"}, headers=admin_headers
    )
    assert refused.status_code == 400 and refused.json()["details"]["field"] == "cron"
    settings = Settings.from_env()
    queue = await MaterializationQueue.connect(settings.redis_url, settings.namespace)
    try:  # the worker's once-a-minute check, asked for a time two minutes from now
        at = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()
        await queue.pool.enqueue_job("fire_schedules", at)
    finally:
        await queue.close()
    await run_feature_worker()
    scheduled = (await cp_client.get(f"{FS}/runs?group={name}", headers=admin_headers)).json()
    assert any(
        r["trigger"].startswith("schedule:") and r["status"] == "succeeded" for r in scheduled
    )
