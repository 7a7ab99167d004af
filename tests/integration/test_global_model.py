"""Many meters, one model, end to end: one training job fits one global model on the long
synthetic factory (a `line` column names each row's asset), it is registered once, published
to the real Triton, deployed, and the gateway serves each line from it: the request names
the asset, the answer is on that asset's own scale, an unknown asset is refused by name.
"""

from __future__ import annotations

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
from tests.unit.training.test_global_model import DAYS, PLAN
from training.pipeline import train_forecaster

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

MAPPING = {
    "inputs": [
        {"name": "load_kw", "source": "load_kw"},
        {"name": "production_plan", "source": "production_plan"},
        {"name": "ambient_temp_c", "source": "ambient_temp_c"},
    ]
}


def stamp(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def request(frame: pl.DataFrame, line: str, asset: str | None) -> dict[str, Any]:
    """The last lookback rows of `line` before its last day, and the next horizon's plan."""
    rows = one_line(frame, line).drop_nulls("load_kw")
    cut = rows.height - 96
    past = rows.slice(cut - PLAN.lookback, PLAN.lookback)
    ahead = rows.slice(cut, PLAN.horizon)
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
        # each asset on its own scale: within the range of its own load, nearer its own mean
        for line, p50 in answers.items():
            load = one_line(frame, line).get_column("load_kw").drop_nulls()
            other = "line-b" if line == "line-a" else "line-a"
            theirs = one_line(frame, other).get_column("load_kw").drop_nulls()
            mean = sum(p50) / len(p50)
            assert load.min() * 0.8 <= min(p50) and max(p50) <= load.max() * 1.2, (line, p50)
            assert abs(mean - load.mean()) < abs(mean - theirs.mean()), (line, mean)
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
