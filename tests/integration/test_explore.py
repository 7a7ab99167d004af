"""Explore and data quality on the real Postgres and S3, with ETTh1 (hourly transformer data)."""

from __future__ import annotations

import io
import uuid

import msgspec
import numpy as np
import polars as pl
import pytest
from minio import Minio

from schemas.feature_plan import FeatureOp
from tests.integration.test_datasets import ett_csv, replace_cell, upload

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


@pytest.fixture
async def ett(cp_client, admin_headers) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Eight weeks of ETTh1 (1344 hourly rows), OT declared in degC."""
    resp = await upload(
        cp_client, admin_headers, ett_csv(1345, {"OT": "OT[degC]"}), name="ett-explore"
    )
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def test_preview_gives_sample_rows_and_column_stats(
    cp_client, admin_headers, ett, settings
) -> None:
    resp = await cp_client.get(
        "/api/explore/preview",
        params={"datasetId": ett["id"], "sampleSize": 5},
        headers=admin_headers,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    # Profiled at ingest: even the first preview is served from the cached profile.
    assert body["rows"] == 1344 and body["frequency"] == "1h" and body["cached"] is True
    assert (
        len(body["sampleRows"]) == 5
        and body["sampleRows"][0]["timestamp"] == "2016-07-01T00:00:00Z"
    )
    assert set(body["stats"]) == {"HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"}
    ot = body["stats"]["OT"]
    expected = pl.read_csv(io.BytesIO(ett_csv(1345)))["OT"].to_numpy()
    assert ot["count"] == 1344 and ot["missingRate"] == 0.0
    assert ot["mean"] == pytest.approx(expected.mean()) and ot["std"] == pytest.approx(
        expected.std(ddof=1)
    )
    assert ot["min"] == pytest.approx(expected.min()) and ot["max"] == pytest.approx(expected.max())
    for key, q in {"p01": 0.01, "p25": 0.25, "p50": 0.5, "p99": 0.99}.items():
        assert ot["quantiles"][key] == pytest.approx(np.quantile(expected, q))
    assert sum(b["count"] for b in ot["buckets"]) == 1344 and len(ot["buckets"]) == 20
    assert body["gaps"] == {"count": 0, "missingPoints": 0, "regularShare": 1.0}

    # Without the cached profile it is computed from the canonical Parquet, identically.
    profile = f"datasets/{ett['id']}/explore/profile-v1.json"
    s3 = Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        secure=settings.s3_secure,
    )
    s3.remove_object(settings.s3_bucket, profile)
    params = {"datasetId": ett["id"]}
    again = (
        await cp_client.get("/api/explore/preview", params=params, headers=admin_headers)
    ).json()
    assert again["cached"] is False and again["stats"] == body["stats"]
    assert len(again["sampleRows"]) == 20 and again["gaps"] == body["gaps"]
    assert s3.stat_object(settings.s3_bucket, profile).size > 0
    third = (
        await cp_client.get("/api/explore/preview", params=params, headers=admin_headers)
    ).json()
    assert third["cached"] is True


async def test_preview_reports_gaps_and_missing_values(cp_client, admin_headers) -> None:
    lines = ett_csv(400).decode().split("\n")
    del lines[101:111]  # ten hours missing after 2016-07-05 03:00
    content = replace_cell("\n".join(lines).encode(), 5, 1, "")  # one empty HUFL
    ds = (await upload(cp_client, admin_headers, content, name="gappy")).json()
    body = (
        await cp_client.get(
            "/api/explore/preview", params={"datasetId": ds["id"]}, headers=admin_headers
        )
    ).json()
    assert body["gaps"]["count"] == 1 and body["gaps"]["missingPoints"] == 10
    gap = body["gaps"]["largest"][0]
    assert gap["after"] == "2016-07-05T03:00:00Z" and gap["before"] == "2016-07-05T14:00:00Z"
    assert body["stats"]["HUFL"]["missing"] == 1


async def test_preview_of_unknown_dataset_is_404(cp_client, admin_headers) -> None:
    resp = await cp_client.get(
        "/api/explore/preview", params={"datasetId": "ds-nothere"}, headers=admin_headers
    )
    assert resp.status_code == 404 and resp.json()["code"] == "NOT_FOUND"
    resp = await cp_client.get("/api/explore/preview", headers=admin_headers)
    assert resp.status_code == 400 and resp.json()["code"] == "INVALID_INPUT"


async def test_suggest_gives_charts_and_plan_ops_with_reasons(
    cp_client, admin_headers, ett
) -> None:
    resp = await cp_client.post(
        "/api/explore/suggest", json={"datasetId": ett["id"]}, headers=admin_headers
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["target"] == "OT"  # the conventional ETT target, found by name
    charts = {c["type"] + c.get("period", ""): c for c in body["charts"]}
    assert set(charts) == {"series", "box", "density", "profiledaily", "profileweekly", "acf"}
    assert len(charts["series"]["t"]) == 1344 and charts["series"]["method"] == "none"
    assert charts["acf"]["stepSeconds"] == 3600 and charts["acf"]["lags"][-1] == 336
    assert charts["acf"]["values"][0] == pytest.approx(1.0)
    assert len(charts["profiledaily"]["mean"]) == 24 and len(charts["profileweekly"]["slot"]) == 168
    box = charts["box"]
    assert (
        box["min"]
        <= box["whiskerLow"]
        <= box["q1"]
        <= box["median"]
        <= box["q3"]
        <= box["whiskerHigh"]
    )

    features = body["features"]
    assert features and all(f["reason"] for f in features)
    for feature in features:  # every suggestion is a valid feature-plan op
        msgspec.convert({"op": feature["op"], **feature["params"]}, FeatureOp)
    lags = [f for f in features if f["op"] == "lag" and f["params"]["input"] == "OT"]
    # OT's ACF is high at 24h but just as high at 12h: memory and trend, not a daily cycle,
    # so no seasonal lag; its persistence makes recent changes an input.
    values = charts["acf"]["values"]
    assert values[24] > 0.5 and abs(values[24] - values[12]) < 0.1
    assert not lags
    diff = next(f for f in features if f["op"] == "diff")
    assert (
        diff["params"] == {"input": "OT", "periods": 1}
        and "lag-1 autocorrelation" in diff["reason"]
    )
    calendar = next(f for f in features if f["op"] == "seasonality")
    assert "no clear autocorrelation peak" in calendar["reason"]

    again = await cp_client.post(
        "/api/explore/suggest", json={"datasetId": ett["id"]}, headers=admin_headers
    )
    assert again.json() == body


async def test_suggest_downsamples_long_series_and_finds_a_daily_cycle(
    cp_client, admin_headers
) -> None:
    hours = 24 * 60
    t = np.arange(hours)
    load = 100 + 30 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(1).normal(0, 2, hours)
    frame = pl.DataFrame(
        {
            "time": pl.datetime_range(
                pl.datetime(2024, 1, 1),
                pl.datetime(2024, 1, 1) + pl.duration(hours=hours - 1),
                "1h",
                eager=True,
            ),
            "power[kW]": load,
            "temp": 20 + np.random.default_rng(2).normal(0, 1, hours),
        }
    )
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    ds = (
        await upload(
            cp_client, admin_headers, buffer.getvalue(), name=f"daily-{uuid.uuid4().hex[:6]}"
        )
    ).json()
    body = (
        await cp_client.post(
            "/api/explore/suggest",
            json={"datasetId": ds["id"], "maxPoints": 200},
            headers=admin_headers,
        )
    ).json()
    assert body["target"] == "power"
    series = next(c for c in body["charts"] if c["type"] == "series")
    assert (
        series["method"] == "minmax"
        and len(series["t"]) <= 200
        and series["originalPoints"] == hours
    )
    assert max(series["y"]) == pytest.approx(load.max()) and min(series["y"]) == pytest.approx(
        load.min()
    )
    acf = next(c for c in body["charts"] if c["type"] == "acf")
    daily = next(f for f in body["features"] if f["op"] == "lag" and f["params"]["lags"] == [24])
    # the same rule as the auto plan, measured on its training share of the data
    assert "daily cycle: autocorrelation at 24h (lag 24) = 0.9" in daily["reason"]
    assert "at 12h" in daily["reason"] and acf["values"][24] > 0.9
    season = next(f for f in body["features"] if f["op"] == "seasonality")
    assert season["params"]["daily"] is True
    assert not any(f["op"] == "lag" and f["params"]["input"] == "temp" for f in body["features"])


async def test_suggest_refuses_unknown_target(cp_client, admin_headers, ett) -> None:
    for body in (
        {"datasetId": ett["id"], "target": "nope"},
        {"datasetId": ett["id"], "maxPoints": 5},
    ):
        resp = await cp_client.post("/api/explore/suggest", json=body, headers=admin_headers)
        assert resp.status_code == 400 and resp.json()["code"] == "INVALID_INPUT"
    resp = await cp_client.post(
        "/api/explore/suggest", json={"datasetId": "ds-nothere"}, headers=admin_headers
    )
    assert resp.status_code == 404


async def test_quality_report_uses_configured_ranges(
    cp_client, admin_headers, viewer_headers
) -> None:
    lines = ett_csv(300).decode().split("\n")
    lines[50], lines[51] = lines[51], lines[50]  # one pair out of order
    content = replace_cell("\n".join(lines).encode(), 10, 7, "")
    ds = (await upload(cp_client, admin_headers, content, name="quality")).json()
    url = f"/api/datasets/{ds['id']}/quality"
    report = (await cp_client.get(url, headers=viewer_headers)).json()
    rules = {(r["rule"], r.get("column")): r for r in report["rules"]}
    assert (
        rules[("notNull", "OT")]["observed"] == pytest.approx(298 / 299)
        and rules[("notNull", "OT")]["passed"]
    )
    assert rules[("monotonicTimestamps", None)]["passed"] is False
    assert "out of time order" in rules[("monotonicTimestamps", None)]["message"]
    assert rules[("regularInterval", None)]["passed"] is True
    assert rules[("range", "OT")]["details"]["source"] == "robust"
    assert report["passed"] is False and 0 < report["score"] < 1

    resp = await cp_client.patch(
        f"/api/datasets/{ds['id']}",
        json={"qualityRules": {"OT": {"max": 25.0}}},
        headers=admin_headers,
    )
    assert resp.status_code == 200
    report = (await cp_client.get(url, headers=admin_headers)).json()
    ot = next(r for r in report["rules"] if r["rule"] == "range" and r["column"] == "OT")
    values = pl.read_csv(io.BytesIO(ett_csv(300)))["OT"]
    assert ot["details"]["source"] == "configured" and ot["details"]["max"] == 25.0
    assert ot["details"]["violations"] == int((values > 25.0).sum()) - int(values[9] > 25.0)
    assert ot["passed"] is False and all(e["OT"] > 25.0 for e in ot["details"]["examples"])
    missing = await cp_client.get("/api/datasets/ds-nothere/quality", headers=admin_headers)
    assert missing.status_code == 404
