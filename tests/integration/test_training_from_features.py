"""Training from a feature-store query, end to end on the real stack: readings ingested
into two groups, a job that names the features instead of a dataset, the worker building
the point-in-time frame, and lineage showing the groups and feature versions it read."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.integration.feature_store.support import FS, unique
from tests.integration.flow_support import JOBS, run_worker_until_idle, small_csv, wait_for

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]
HOURS = 600


def readings() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(small_csv(HOURS).decode())))


async def _group(client: Any, headers: dict[str, str], feature: str, unit: str) -> str:
    body = {
        "name": unique("fsq"),
        "features": [{"name": feature, "dtype": "float64", "unit": unit}],
    }
    resp = await client.post(f"{FS}/groups", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["name"])


async def _ingest(client: Any, headers: dict[str, str], group: str, column: str) -> None:
    rows = [
        {
            "entity": "t1",
            "eventTime": r["date"].replace(" ", "T") + "Z",
            "values": {column: float(r[column])},
        }
        for r in readings()
    ]
    resp = await client.post(f"{FS}/ingest", json={"group": group, "rows": rows}, headers=headers)
    assert resp.status_code == 201, resp.text


def _job(load: str, weather: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "featureQuery": {
            "features": [f"{load}.HUFL", f"{weather}.OT"],
            "entity": "t1",
            "start": "2016-07-01T00:00:00Z",
            "end": "2016-07-26T00:00:00Z",
            "target": f"{load}.HUFL",
        },
        "plan": {
            "target": "HUFL",
            "inputs": [{"name": "HUFL", "unit": "kW"}, {"name": "OT", "unit": "degC"}],
            "frequency": "1h",
            "lookback": 48,
            "horizon": 12,
            "ops": [
                {"op": "lag", "input": "HUFL", "lags": [1, 24]},
                {"op": "seasonality", "daily": True, "weekly": False, "fourierOrder": 2},
                {"op": "normalize", "method": "zscore"},
            ],
        },
        "algorithm": "linear",
        "hyperparams": {"epochs": 2, "seed": 3},
    }
    return {**body, **changes}


async def test_a_job_trains_from_a_feature_query_and_lineage_names_the_groups(
    cp_client, admin_headers
) -> None:
    load = await _group(cp_client, admin_headers, "HUFL", "kW")
    weather = await _group(cp_client, admin_headers, "OT", "degC")
    await _ingest(cp_client, admin_headers, load, "HUFL")
    await _ingest(cp_client, admin_headers, weather, "OT")

    created = await cp_client.post(JOBS, json=_job(load, weather), headers=admin_headers)
    assert created.status_code == 202, created.text
    job = created.json()
    assert job["datasetId"] == "" and job["featureQuery"]["entity"] == "t1"
    await run_worker_until_idle()
    final = await wait_for(
        cp_client, f"{JOBS}/{job['id']}", admin_headers, {"succeeded", "failed"}, seconds=240
    )
    assert final["status"] == "succeeded", final["error"]
    assert {a["name"] for a in final["artifacts"]} >= {"model.onnx", "card.json"}
    logs = await cp_client.get(f"{JOBS}/{job['id']}/logs?q=feature-store", headers=admin_headers)
    assert any("600 rows x 2 features" in line["message"] for line in logs.json()["items"]), (
        logs.text
    )

    run = await cp_client.get(f"/api/v2/lineage/runs/{job['id']}", headers=admin_headers)
    assert run.status_code == 200, run.text
    inputs = {(n["type"], n["label"]): n for n in run.json()["inputs"]}
    assert ("featureGroup", load) in inputs and ("featureGroup", weather) in inputs, inputs
    edges = [e for e in run.json()["graph"]["edges"] if e["fromType"] == "featureGroup"]
    read = {f["name"]: f["version"] for e in edges for f in e["metadata"]["features"]}
    assert read == {"HUFL": 1, "OT": 1}
    groups = {g["name"]: g["features"] for g in final["featureQuery"]["groups"]}
    assert groups[load] == [{"name": "HUFL", "version": 1, "unit": "kW"}]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"features": ["LOAD.nope", "WEATHER.OT"]}, "featureQuery.features.0"),
        ({"target": "WEATHER.OT"}, "plan.target"),
        ({"end": "2016-06-01T00:00:00Z"}, "featureQuery.end"),
        ({"entity": "nobody"}, "featureQuery.entity"),
    ],
)
async def test_a_bad_feature_query_is_refused_before_a_job_exists(
    cp_client, admin_headers, change: dict[str, Any], field: str
) -> None:
    load = await _group(cp_client, admin_headers, "HUFL", "kW")
    weather = await _group(cp_client, admin_headers, "OT", "degC")
    await _ingest(cp_client, admin_headers, load, "HUFL")
    body = _job(load, weather)
    for key, value in change.items():
        if isinstance(value, list):
            value = [v.replace("LOAD", load).replace("WEATHER", weather) for v in value]
        elif isinstance(value, str):
            value = value.replace("LOAD", load).replace("WEATHER", weather)
        body["featureQuery"][key] = value
    before = (await cp_client.get(f"{JOBS}?pageSize=1", headers=admin_headers)).json()["total"]
    resp = await cp_client.post(JOBS, json=body, headers=admin_headers)
    assert resp.status_code == 400, resp.text
    assert resp.json()["details"]["field"] == field, resp.json()
    after = (await cp_client.get(f"{JOBS}?pageSize=1", headers=admin_headers)).json()["total"]
    assert after == before
