"""Feature plans on the real Postgres and S3: save, validate, list, replace, auto, preview."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.lineage_support import (
    create_plan,
    make_model,
    plan_body,
    register,
    upload_dataset,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

PLANS = "/api/features/plans"


@pytest.fixture
async def dataset(cp_client, admin_headers) -> dict[str, Any]:
    return await upload_dataset(cp_client, admin_headers, 400, units={"OT": "degC", "HUFL": "MW"})


async def test_a_plan_is_saved_checked_and_read_back(cp_client, admin_headers, dataset) -> None:
    saved = await create_plan(cp_client, admin_headers, dataset["id"])
    assert re.fullmatch(r"fp-[0-9a-f]{8}", saved["id"])
    assert saved["datasetId"] == dataset["id"] and saved["createdBy"] == "admin"
    assert saved["name"] == "OT 1h L48 H12"  # made up when none is given
    plan = saved["plan"]
    assert plan["datasetId"] == dataset["id"] and plan["name"] == saved["name"]
    # Units come from the dataset's columns.
    assert plan["inputs"] == [{"name": "OT", "unit": "degC"}, {"name": "HUFL", "unit": "MW"}]
    assert [op["op"] for op in plan["ops"]] == [
        "lag",
        "rolling",
        "diff",
        "seasonality",
        "normalize",
    ]
    got = await cp_client.get(f"{PLANS}/{saved['id']}", headers=admin_headers)
    assert got.status_code == 200 and got.json() == saved


async def test_plans_list_by_dataset_with_paging(cp_client, admin_headers, dataset) -> None:
    ids = [
        (await create_plan(cp_client, admin_headers, dataset["id"], name=f"plan {i}"))["id"]
        for i in range(3)
    ]
    params = {"datasetId": dataset["id"], "pageSize": 2}
    first = (await cp_client.get(PLANS, params=params, headers=admin_headers)).json()
    second = (
        await cp_client.get(PLANS, params={**params, "page": 2}, headers=admin_headers)
    ).json()
    assert first["total"] == 3 and first["pageSize"] == 2 and len(first["items"]) == 2
    listed = [p["id"] for p in first["items"] + second["items"]]
    assert sorted(listed) == sorted(ids)
    assert all(p["datasetId"] == dataset["id"] for p in first["items"])
    named = (
        await cp_client.get(PLANS, params={**params, "q": "plan 1"}, headers=admin_headers)
    ).json()
    assert [p["name"] for p in named["items"]] == ["plan 1"]
    bad = await cp_client.get(PLANS, params={"pageSize": 0}, headers=admin_headers)
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_INPUT"


REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    (
        "unknown column",
        {"inputs": [{"name": "OT"}, {"name": "HUFL"}, {"name": "nope"}]},
        "inputs[2].name",
    ),
    ("target not an input", {"inputs": [{"name": "HUFL"}], "ops": []}, "target"),
    ("duplicate inputs", {"inputs": [{"name": "OT"}, {"name": "OT"}]}, "inputs[1].name"),
    ("lag beyond lookback", {"ops": [{"op": "lag", "input": "OT", "lags": [48]}]}, "ops[0].lags"),
    (
        "rolling window beyond lookback",
        {"ops": [{"op": "rolling", "input": "OT", "window": 49, "stats": ["mean"]}]},
        "ops[0].window",
    ),
    (
        "diff beyond lookback",
        {"ops": [{"op": "diff", "input": "OT", "periods": 48}]},
        "ops[0].periods",
    ),
    ("op on a non-input", {"ops": [{"op": "lag", "input": "LULL", "lags": [1]}]}, "ops[0].input"),
    (
        "normalize names a non-input",
        {"ops": [{"op": "normalize", "inputs": ["MULL"]}]},
        "ops[0].inputs",
    ),
    (
        "two seasonality ops",
        {"ops": [{"op": "seasonality"}, {"op": "seasonality", "daily": False}]},
        "ops",
    ),
    ("frequency finer than the data", {"frequency": "15min"}, "frequency"),
    (
        "unit other than the column's",
        {"inputs": [{"name": "OT", "unit": "K"}, {"name": "HUFL"}]},
        "inputs[0].unit",
    ),
    ("not the timestamp column", {"timestampColumn": "HUFL"}, "timestampColumn"),
    ("window longer than the data", {"lookback": 390, "ops": []}, "lookback"),
    ("quantiles out of order", {"quantiles": [0.9, 0.1]}, "quantiles"),
]


@pytest.mark.parametrize(("case", "changes", "field"), REFUSALS, ids=[r[0] for r in REFUSALS])
async def test_invalid_plans_name_the_field(
    cp_client, admin_headers, dataset, case, changes, field
) -> None:
    resp = await cp_client.post(
        PLANS, json=plan_body(dataset["id"], **changes), headers=admin_headers
    )
    assert resp.status_code == 400, (case, resp.text)
    body = resp.json()
    assert body["code"] == "INVALID_INPUT" and body["details"]["field"] == field, body
    listed = await cp_client.get(PLANS, params={"datasetId": dataset["id"]}, headers=admin_headers)
    assert listed.json()["total"] == 0  # nothing saved


async def test_dataset_references_and_malformed_bodies(cp_client, admin_headers) -> None:
    missing = await cp_client.post(PLANS, json=plan_body(None), headers=admin_headers)
    assert missing.status_code == 400 and missing.json()["details"]["field"] == "datasetId"
    unknown = await cp_client.post(PLANS, json=plan_body("ds-00000000"), headers=admin_headers)
    assert unknown.status_code == 400 and unknown.json()["details"]["field"] == "datasetId"
    bad_op = await cp_client.post(
        PLANS, json=plan_body("ds-00000000", ops=[{"op": "fft"}]), headers=admin_headers
    )
    assert bad_op.status_code == 400 and bad_op.json()["code"] == "INVALID_INPUT"
    assert "ops" in str(bad_op.json()["details"])
    short = await cp_client.post(
        PLANS, json=plan_body("ds-00000000", lookback=1), headers=admin_headers
    )
    assert short.status_code == 400 and "lookback" in str(short.json()["details"])


async def test_unknown_plan_is_404(cp_client, admin_headers, dataset) -> None:
    for resp in (
        await cp_client.get(f"{PLANS}/fp-00000000", headers=admin_headers),
        await cp_client.get(f"{PLANS}/fp-00000000/preview", headers=admin_headers),
        await cp_client.put(
            f"{PLANS}/fp-00000000", json=plan_body(dataset["id"]), headers=admin_headers
        ),
    ):
        assert resp.status_code == 404 and resp.json()["code"] == "NOT_FOUND"


async def test_viewers_read_but_cannot_write(
    cp_client, admin_headers, viewer_headers, dataset
) -> None:
    saved = await create_plan(cp_client, admin_headers, dataset["id"])
    for resp in (
        await cp_client.post(PLANS, json=plan_body(dataset["id"]), headers=viewer_headers),
        await cp_client.put(
            f"{PLANS}/{saved['id']}", json=plan_body(dataset["id"]), headers=viewer_headers
        ),
    ):
        assert resp.status_code == 403
        assert resp.json()["code"] == "FORBIDDEN" and set(resp.json()) == {
            "code",
            "message",
            "details",
        }
    assert (
        await cp_client.get(f"{PLANS}/{saved['id']}", headers=viewer_headers)
    ).status_code == 200


async def test_put_replaces_until_a_version_uses_the_plan(
    cp_client, admin_headers, dataset
) -> None:
    saved = await create_plan(cp_client, admin_headers, dataset["id"])
    url = f"{PLANS}/{saved['id']}"
    changed = plan_body(
        None, name="shorter", lookback=24, ops=[{"op": "lag", "input": "OT", "lags": [1]}]
    )
    replaced = await cp_client.put(url, json=changed, headers=admin_headers)
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert body["name"] == "shorter" and body["plan"]["lookback"] == 24
    assert body["datasetId"] == dataset["id"]  # kept when the body leaves it out
    assert body["updatedAt"] > body["createdAt"]
    invalid = await cp_client.put(url, json=plan_body(None, lookback=1), headers=admin_headers)
    assert invalid.status_code == 400
    assert (await cp_client.get(url, headers=admin_headers)).json()["plan"]["lookback"] == 24

    model = await make_model(cp_client, admin_headers)
    assert (
        await register(cp_client, admin_headers, model, featurePlanId=saved["id"])
    ).status_code == 201
    refused = await cp_client.put(url, json=changed, headers=admin_headers)
    assert refused.status_code == 409 and refused.json()["code"] == "CONFLICT"
    assert refused.json()["details"]["usedBy"] == [{"type": "modelVersion", "id": f"{model}:1"}]


async def test_auto_suggests_a_plan_that_can_be_saved(cp_client, admin_headers) -> None:
    dataset = await upload_dataset(cp_client, admin_headers, 1200, units={"OT": "degC"})
    resp = await cp_client.post(
        "/api/features/auto",
        json={"datasetId": dataset["id"], "target": "OT", "horizon": 24},
        headers=admin_headers,
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    plan = body["plan"]
    assert plan["target"] == "OT" and plan["horizon"] == 24 and plan["frequency"] == "1h"
    assert plan["datasetId"] == dataset["id"] and plan["inputs"][0] == {
        "name": "OT",
        "unit": "degC",
    }
    assert body["suggestions"] and all(
        set(s) == {"op", "params", "reason"} and s["reason"] for s in body["suggestions"]
    )
    ops = {s["op"] for s in body["suggestions"]}
    assert {"lookback", "normalize"} <= ops
    saved = await cp_client.post(PLANS, json=plan, headers=admin_headers)
    assert saved.status_code == 201, saved.text
    listed = await cp_client.get(PLANS, params={"datasetId": dataset["id"]}, headers=admin_headers)
    assert listed.json()["total"] == 1  # only the one POSTed; auto saves nothing


async def test_auto_refuses_bad_targets_and_datasets(cp_client, admin_headers, dataset) -> None:
    cases = [
        ({"datasetId": dataset["id"], "target": "nope"}, "target"),
        ({"datasetId": dataset["id"], "target": "timestamp"}, "target"),
        ({"datasetId": "ds-00000000", "target": "OT"}, "datasetId"),
    ]
    for body, field in cases:
        resp = await cp_client.post("/api/features/auto", json=body, headers=admin_headers)
        assert resp.status_code == 400 and resp.json()["details"]["field"] == field, resp.text


async def test_preview_shows_the_feature_matrix_and_its_cost(
    cp_client, admin_headers, dataset
) -> None:
    saved = await create_plan(cp_client, admin_headers, dataset["id"])
    resp = await cp_client.get(
        f"{PLANS}/{saved['id']}/preview", params={"rows": 5}, headers=admin_headers
    )
    assert resp.status_code == 200, resp.text
    preview = resp.json()
    columns = preview["columns"]
    assert columns[:3] == ["timestamp", "OT", "HUFL"]
    assert {"OT_lag1", "OT_lag24", "OT_roll24_mean", "OT_roll24_std", "HUFL_diff1"} <= set(columns)
    assert {"day_sin1", "day_cos2"} <= set(columns) and "week_sin1" not in columns
    assert len(preview["rows"]) == 5 and list(preview["rows"][0]) == columns
    assert preview["rows"][0]["timestamp"] == "2016-07-01T00:00:00Z"
    # Normalized with the dataset's statistics: the first diff is 0 by edge padding.
    assert preview["rows"][0]["HUFL_diff1"] == 0.0
    cost = preview["cost"]
    assert cost["featureCount"] == len(columns) - 1
    assert cost["rows"] == 399 and cost["windows"] == 399 - 48 - 12 + 1
    assert cost["estimatedTrainingSeconds"] > 5.0
    too_many = await cp_client.get(
        f"{PLANS}/{saved['id']}/preview", params={"rows": 100000}, headers=admin_headers
    )
    assert too_many.status_code == 400
