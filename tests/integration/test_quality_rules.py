"""Data-quality suites on the real stack: each rule kind on data built to violate it, the
upload check that blocks training until overridden, and a schedule that runs twice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.flow_support import JOBS, until

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

BASE = "/api/v2/data/quality"
T0 = datetime(2026, 3, 2, tzinfo=UTC)
STEP = timedelta(minutes=15)


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def faulty_csv() -> bytes:
    """200 quarter-hours of a line's load with one fault of each kind at known times."""
    lines = ["timestamp,load,cap,mode"]
    for i in range(200):
        if 50 <= i < 58:  # a two-hour meter outage: 8 points absent
            continue
        load = f"{100 + (i % 5) * 3}"
        if i in (10, 11):
            load = ""  # two missing readings
        if i in (20, 21, 22):
            load = "5000"  # out of range, and outliers
        if 120 <= i < 140:
            load = "106"  # a frozen sensor
        cap = "90" if 150 <= i < 153 else "200"  # load above its cap
        mode = "bogus" if i == 170 else ("run" if i % 2 else "idle")
        lines.append(f"{iso(T0 + i * STEP)},{load},{cap},{mode}")
        if i == 100:  # the same reading twice
            lines.append(f"{iso(T0 + i * STEP)},{load},{cap},{mode}")
    return ("\n".join(lines) + "\n").encode()


async def upload(client: Any, headers: dict[str, str], content: bytes, name: str) -> str:
    resp = await client.post(
        "/api/datasets",
        files={"file": ("line.csv", content, "text/csv")},
        data={"name": name},
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def finished(client: Any, headers: dict[str, str], report_id: str) -> dict[str, Any]:
    async def done() -> dict[str, Any] | None:
        body: dict[str, Any] = (
            await client.get(f"{BASE}/reports/{report_id}", headers=headers)
        ).json()
        return body if body["status"] in ("done", "error") else None

    report: dict[str, Any] = await until(done, seconds=60)
    assert report["status"] == "done", report
    return report


def at(i: int) -> str:
    return iso(T0 + i * STEP)


async def test_each_rule_kind_finds_its_fault_with_its_times(cp_client, admin_headers) -> None:
    dataset = await upload(cp_client, admin_headers, faulty_csv(), f"faulty-{uuid.uuid4().hex[:6]}")
    rules = [
        {"kind": "notNull", "column": "load"},
        {"kind": "range", "column": "load", "min": 0, "max": 1000},
        {"kind": "allowedValues", "column": "mode", "values": ["run", "idle"]},
        {"kind": "regularInterval", "maxGapSeconds": 3600},
        {"kind": "monotonicTimestamps"},
        {"kind": "noDuplicateTimestamps"},
        {"kind": "freshness", "maxAgeSeconds": 86400, "severity": "fail"},
        {"kind": "stuckValues", "column": "load", "maxRepeats": 10},
        {"kind": "outlierShare", "column": "load", "z": 6, "maxShare": 0.0},
        {"kind": "rowCount", "min": 1000, "severity": "warn"},
        {"kind": "columnsCompare", "left": "load", "op": "<=", "right": "cap"},
    ]
    created = await cp_client.post(
        f"{BASE}/rules",
        json={"name": "line", "datasetId": dataset, "rules": rules},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    suite = created.json()
    assert suite["version"] == 1 and suite["rules"][0] == rules[0]

    queued = await cp_client.post(
        f"{BASE}/validate", json={"datasetId": dataset}, headers=admin_headers
    )
    assert queued.status_code == 202, queued.text
    assert queued.json()["status"] == "queued" and queued.json()["suiteId"] == suite["id"]
    report = await finished(cp_client, admin_headers, queued.json()["id"])
    result = report["result"]
    assert report["outcome"] == "fail" and report["progress"] == 1.0
    assert result["rows"] == 193
    got = {r["kind"]: r for r in result["rules"]}

    def spans(kind: str) -> list[tuple[str, str, int]]:
        return [(r["start"], r["end"], r["points"]) for r in got[kind]["ranges"]]

    assert spans("notNull") == [(at(10), at(11), 2)]
    assert spans("range") == [(at(20), at(22), 3)] and got["range"]["failing"] == 3
    assert got["range"]["samples"][0] == {"timestamp": at(20), "load": 5000.0}
    assert spans("allowedValues") == [(at(170), at(170), 1)]
    assert spans("regularInterval") == [(at(49), at(58), 8)]  # the outage, 8 points
    assert got["monotonicTimestamps"]["outcome"] == "pass"  # rows are stored in time order
    assert spans("noDuplicateTimestamps") == [(at(100), at(100), 2)]
    assert got["freshness"]["outcome"] == "fail" and spans("freshness")[0][0] == at(199)
    assert spans("stuckValues") == [(at(120), at(139), 20)]
    assert spans("outlierShare") == [(at(20), at(22), 3)]
    assert got["rowCount"]["outcome"] == "warn" and got["rowCount"]["observed"] == 193
    # the spike (load 5000 > cap 200) and the three rows where the cap drops to 90
    assert spans("columnsCompare") == [(at(20), at(22), 3), (at(150), at(152), 3)]
    assert {r["outcome"] for r in result["rules"]} == {"fail", "warn", "pass"}

    # the next version of the same suite, and the report history
    again = await cp_client.post(
        f"{BASE}/rules",
        json={"name": "line", "datasetId": dataset, "rules": rules[:1]},
        headers=admin_headers,
    )
    assert again.json()["version"] == 2
    history = (
        await cp_client.get(f"{BASE}/reports", params={"datasetId": dataset}, headers=admin_headers)
    ).json()
    assert history["total"] == 1 and history["items"][0]["id"] == report["id"]


async def test_bad_suites_are_refused_in_plain_words(cp_client, admin_headers) -> None:
    dataset = await upload(cp_client, admin_headers, faulty_csv(), "faulty-bad")
    resp = await cp_client.post(
        f"{BASE}/rules",
        json={"name": "x", "datasetId": dataset, "rules": [{"kind": "notNull", "column": "lod"}]},
        headers=admin_headers,
    )
    assert resp.status_code == 400 and "no column 'lod'" in resp.json()["message"]
    resp = await cp_client.post(
        f"{BASE}/rules",
        json={"name": "x", "datasetId": dataset, "rules": [{"kind": "teleport"}]},
        headers=admin_headers,
    )
    assert resp.status_code == 400 and resp.json()["code"] == "INVALID_INPUT"
    resp = await cp_client.post(
        f"{BASE}/schedule",
        json={"datasetId": dataset, "cron": "every tuesday"},
        headers=admin_headers,
    )
    assert resp.status_code == 400 and "cron" in resp.json()["message"]
    missing = await cp_client.get(f"{BASE}/reports/qr-nothere", headers=admin_headers)
    assert missing.status_code == 404


async def test_a_failed_upload_check_blocks_training_until_overridden(
    cp_client, admin_headers
) -> None:
    name = f"gated-{uuid.uuid4().hex[:6]}"
    suite = await cp_client.post(
        f"{BASE}/rules",
        json={
            "name": "gate",
            "datasetName": name,
            "rules": [{"kind": "range", "column": "load", "max": 1000}],
        },
        headers=admin_headers,
    )
    assert suite.status_code == 201, suite.text
    dataset = await upload(cp_client, admin_headers, faulty_csv(), name)

    async def upload_report() -> dict[str, Any] | None:
        page = (
            await cp_client.get(
                f"{BASE}/reports", params={"datasetId": dataset}, headers=admin_headers
            )
        ).json()
        items = [r for r in page["items"] if r["status"] == "done"]
        return items[0] if items else None

    report = await until(upload_report, seconds=60)
    assert report["trigger"] == "upload" and report["outcome"] == "fail"

    auto = await cp_client.post(
        "/api/features/auto",
        json={"datasetId": dataset, "target": "load", "lookback": 8, "horizon": 4},
        headers=admin_headers,
    )
    assert auto.status_code in (200, 201), auto.text
    plan = await cp_client.post(
        "/api/features/plans",
        json={**auto.json()["plan"], "name": "gate", "datasetId": dataset},
        headers=admin_headers,
    )
    assert plan.status_code == 201, plan.text
    body = {"datasetId": dataset, "featurePlanId": plan.json()["id"], "algorithm": "linear"}
    refused = await cp_client.post(JOBS, json=body, headers=admin_headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["details"]["reportId"] == report["id"]
    assert "overrideQuality" in refused.json()["message"]
    allowed = await cp_client.post(
        JOBS, json={**body, "overrideQuality": True}, headers=admin_headers
    )
    assert allowed.status_code == 202, allowed.text
    stop = await cp_client.post(
        f"{JOBS}/{allowed.json()['id']}/control", json={"action": "stop"}, headers=admin_headers
    )
    assert stop.status_code in (200, 202), stop.text


async def test_a_schedule_runs_twice(cp_client, admin_headers) -> None:
    dataset = await upload(cp_client, admin_headers, faulty_csv(), "faulty-scheduled")
    resp = await cp_client.post(
        f"{BASE}/schedule",
        json={"datasetId": dataset, "cron": "* * * * * */2"},  # every two seconds
        headers=admin_headers,
    )
    assert resp.status_code == 201, resp.text
    schedule = resp.json()
    assert schedule["suiteName"] == "default"

    async def two_runs() -> list[dict[str, Any]] | None:
        page = (
            await cp_client.get(
                f"{BASE}/reports", params={"datasetId": dataset}, headers=admin_headers
            )
        ).json()
        done = [r for r in page["items"] if r["status"] == "done" and r["trigger"] == "schedule"]
        return done if len(done) >= 2 else None

    runs = await until(two_runs, seconds=60)
    assert {r["scheduleId"] for r in runs} == {schedule["id"]}
    # the default suite warns (a gap, a repeated time, missing values) but never fails
    assert runs[0]["outcome"] == "warn"
    gaps = next(r for r in runs[0]["result"]["rules"] if r["kind"] == "regularInterval")
    assert gaps["ranges"] == [{"start": at(49), "end": at(58), "points": 8}]
    removed = await cp_client.delete(f"{BASE}/schedules/{schedule['id']}", headers=admin_headers)
    assert removed.status_code == 204
