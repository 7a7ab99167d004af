"""Many meters, one model, end to end: one training job fits one global model on the long
synthetic factory (a `line` column names each row's asset), it is registered once, published
to the real Triton, deployed, and the gateway serves each line from it: the request names
the asset, the answer is on that asset's own scale, an unknown asset is refused by name.
"""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import polars as pl
import pytest
from litestar.testing import AsyncTestClient

from infra.demo.factory import factory_frame, one_line
from tests.integration.deployment_support import GATEWAY, MODELS, PREDICT, SNAPSHOT, ModelVersions
from tests.integration.deployment_support import model as model
from tests.integration.test_gateway_support import gateway_settings
from tests.unit.forecaster.test_global_model import DAYS, PLAN
from training.pipeline import train_forecaster

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
CUT = datetime(2024, 4, 25, 8, 0, tzinfo=UTC)

MAPPING = {
    "inputs": [
        {"name": "load_kw", "source": "load_kw"},
        {"name": "production_plan", "source": "production_plan"},
        {"name": "ambient_temp_c", "source": "ambient_temp_c"},
    ]
}


def stamp(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _rows(frame: pl.DataFrame, line: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A test-period window of `line` (a Thursday morning: the shift is on) and what came."""
    rows = one_line(frame, line)
    cut = rows.get_column("timestamp").search_sorted(CUT)
    return rows.slice(cut - PLAN.lookback, PLAN.lookback), rows.slice(cut, PLAN.horizon)


def actual(frame: pl.DataFrame, line: str) -> list[float]:
    return [float(v) for v in _rows(frame, line)[1].get_column("load_kw")]


def mae(forecast: list[float], truth: list[float]) -> float:
    return sum(abs(f - t) for f, t in zip(forecast, truth, strict=True)) / len(truth)


def request(frame: pl.DataFrame, line: str, asset: str | None) -> dict[str, Any]:
    """The window before CUT of `line`, and the forecast period's plan and temperature."""
    past, ahead = _rows(frame, line)
    past = past.drop_nulls("load_kw")
    body: dict[str, Any] = {
        "series": [
            {
                "timestamp": stamp(r["timestamp"]),
                "load_kw": r["load_kw"],
                "production_plan": r["production_plan"],
                "ambient_temp_c": r["ambient_temp_c"],
            }
            for r in past.iter_rows(named=True)
        ],
        "future": [
            {
                "timestamp": stamp(r["timestamp"]),
                "production_plan": r["production_plan"],
                "ambient_temp_c": r["ambient_temp_c"],
            }
            for r in ahead.iter_rows(named=True)
        ],
    }
    if asset is not None:
        body["assetId"] = asset
    return body


async def test_one_global_model_serves_each_asset_on_its_own_scale(
    cp_client: Any, admin_headers: dict[str, str], model: ModelVersions, tmp_path: Path
) -> None:
    from edge_gateway.app import create_app as create_gateway

    frame = factory_frame(days=DAYS, lines=2)
    result = train_forecaster(
        frame,
        PLAN,
        "auto",
        {"series_column": "line"},
        workdir=tmp_path / "job",
        emit=lambda *_: None,
    )
    assert result.signature["assets"] == ["line-a", "line-b"]
    key = f"models/{model.name}/model.onnx"
    await model.store.put_bytes(key, result.model_path.read_bytes())
    body = {
        "artifactUri": model.store.uri(key),
        "card": {"plan": msgspec.to_builtins(PLAN)},
        "metrics": {"coverage": 0.9},
        "signature": result.signature,
    }
    resp = await cp_client.post(f"{MODELS}/{model.name}/versions", json=body, headers=model.headers)
    assert resp.status_code == 201, resp.text
    created = await model.deploy(version=1, mapping=MAPPING)
    snap = await cp_client.get(SNAPSHOT, headers=GATEWAY)
    entry = next(
        d for d in snap.json()["deployments"] if d["contract"]["deploymentId"] == created["id"]
    )
    assert entry["contract"]["assets"] == ["line-a", "line-b"]
    assert entry["contract"]["seriesColumn"] == "line"

    state = tmp_path / "snapshot.json"
    state.write_bytes(snap.content)
    headers = {"Authorization": f"Bearer {created['apiToken']}"}
    async with AsyncTestClient(app=create_gateway(gateway_settings(state))) as gateway:
        answers: dict[str, list[float]] = {}
        for line in ("line-a", "line-b"):
            resp = await gateway.post(PREDICT, json=request(frame, line, line), headers=headers)
            assert resp.status_code == 200, resp.text
            assert resp.json()["meta"]["assetId"] == line
            answers[line] = resp.json()["intervals"]["p50"]
        # each asset on its own scale: near its own load at those times, not the other's
        for line, p50 in answers.items():
            other = "line-b" if line == "line-a" else "line-a"
            own, theirs = actual(frame, line), actual(frame, other)
            assert mae(p50, own) < 0.15 * sum(own) / len(own), (line, p50, own)
            assert mae(p50, own) < 0.7 * mae(p50, theirs), (line, p50, own, theirs)
        assert answers["line-a"] != answers["line-b"]

        # the same window named as the other asset is forecast on that asset's scale
        swapped = await gateway.post(
            PREDICT, json=request(frame, "line-a", "line-b"), headers=headers
        )
        assert swapped.status_code == 200, swapped.text
        assert swapped.json()["intervals"]["p50"] != answers["line-a"]

        # the path's asset names it too (seed-003 route)
        by_path = await gateway.post(
            "/api/v1/assets/line-b/predict", json=request(frame, "line-b", None), headers=headers
        )
        assert by_path.status_code == 200, by_path.text
        assert by_path.json()["intervals"]["p50"] == pytest.approx(answers["line-b"], rel=1e-5)

        unknown = await gateway.post(
            PREDICT, json=request(frame, "line-a", "line-z"), headers=headers
        )
        assert unknown.status_code == 400, unknown.text
        error = unknown.json()
        assert error["code"] == "INVALID_INPUT"
        assert "line-z" in error["message"] and "line-a, line-b" in error["message"]
        assert error["details"]["knownAssets"] == ["line-a", "line-b"]

        missing = await gateway.post(PREDICT, json=request(frame, "line-a", None), headers=headers)
        assert missing.status_code == 400 and missing.json()["code"] == "INVALID_INPUT"

    # the control plane's own predict and the contract page's example name the asset too
    body = {**request(frame, "line-b", "line-b"), "deploymentId": created["id"]}
    resp = await cp_client.post(PREDICT, json=body, headers=admin_headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["intervals"]["p50"] == pytest.approx(answers["line-b"], rel=1e-5)
    by_model = {
        "modelId": model.name,
        "version": 1,
        "mapping": MAPPING,
        "batch": [request(frame, line, line) for line in ("line-a", "line-b")],
    }
    resp = await cp_client.post(PREDICT, json=by_model, headers=admin_headers)
    assert resp.status_code == 200, resp.text
    outputs = resp.json()["outputs"]
    assert outputs[1]["intervals"]["p50"] == pytest.approx(answers["line-b"], rel=1e-5)
    assert outputs[0]["intervals"]["p50"] == pytest.approx(answers["line-a"], rel=1e-5)
    page = await cp_client.get(f"/api/deployments/{created['id']}/contract", headers=admin_headers)
    assert page.status_code == 200, page.text
    assert page.json()["exampleRequest"]["assetId"] == "line-a"


async def test_a_training_job_names_its_series_column_and_the_worker_fits_one_model(
    cp_client: Any, admin_headers: dict[str, str]
) -> None:
    """The real job path: a long CSV upload, a plan, a job with `series_column`, a worker."""
    from tests.integration.flow_support import JOBS, run_worker_until_idle, wait_for

    frame = factory_frame(days=DAYS, lines=2)
    data = frame.with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    resp = await cp_client.post(
        "/api/datasets",
        files={"file": ("factory.csv", io.BytesIO(data.write_csv().encode()), "text/csv")},
        data={"name": f"factory-{uuid.uuid4().hex[:6]}"},
        headers=admin_headers,
    )
    assert resp.status_code == 201, resp.text
    dataset = resp.json()["id"]
    units = {"load_kw": "kW", "ambient_temp_c": "degC"}
    patched = await cp_client.patch(
        f"/api/datasets/{dataset}", json={"units": units}, headers=admin_headers
    )
    assert patched.status_code == 200, patched.text
    plan = await cp_client.post(
        "/api/features/plans",
        json={**msgspec.to_builtins(PLAN), "name": "global", "datasetId": dataset},
        headers=admin_headers,
    )
    assert plan.status_code == 201, plan.text
    saved = [i["name"] for i in plan.json()["plan"]["inputs"] if i.get("known")]
    assert saved == ["production_plan", "ambient_temp_c"]  # saving keeps what is known
    job = await cp_client.post(
        JOBS,
        json={
            "datasetId": dataset,
            "featurePlanId": plan.json()["id"],
            "algorithm": "auto",
            "hyperparams": {"series_column": "line"},
        },
        headers=admin_headers,
    )
    assert job.status_code == 202, job.text
    await run_worker_until_idle()
    done = await wait_for(
        cp_client, f"{JOBS}/{job.json()['id']}", admin_headers, {"succeeded", "failed"}
    )
    assert done["status"] == "succeeded", done.get("error")
    assert done["signature"]["assets"] == ["line-a", "line-b"]
    assert done["signature"]["seriesColumn"] == "line"
    assert set(done["evaluation"]["perAsset"]) == {"line-a", "line-b"}
