"""Helpers the feature-plan, registry and lineage tests share: datasets, plans, versions."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from control_plane.adapters.object_store import ObjectStore

ETTH1 = Path(__file__).resolve().parents[2] / "infra" / "demo" / "data" / "ETTh1.csv"
MODELS = "/api/registry/models"


def unique(prefix: str = "load") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def ett_csv(lines: int, units: dict[str, str] | None = None) -> bytes:
    """The first `lines` lines of ETTh1 (hourly), headers given units as `name[unit]`."""
    with ETTH1.open("rb") as handle:
        text = b"".join(handle.readline() for _ in range(lines)).decode()
    header, _, body = text.partition("\n")
    names = [f"{h}[{units[h]}]" if units and h in units else h for h in header.split(",")]
    return (",".join(names) + "\n" + body).encode()


async def upload_dataset(
    client: Any, headers: dict[str, str], lines: int = 400, units: dict[str, str] | None = None
) -> dict[str, Any]:
    resp = await client.post(
        "/api/datasets",
        files={"file": ("ett.csv", ett_csv(lines, units), "text/csv")},
        data={"name": unique("ett")},
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def plan_body(dataset_id: str | None, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "datasetId": dataset_id,
        "target": "OT",
        "inputs": [{"name": "OT"}, {"name": "HUFL"}],
        "frequency": "1h",
        "lookback": 48,
        "horizon": 12,
        "ops": [
            {"op": "lag", "input": "OT", "lags": [1, 24]},
            {"op": "rolling", "input": "OT", "window": 24, "stats": ["mean", "std"]},
            {"op": "diff", "input": "HUFL"},
            {"op": "seasonality", "daily": True, "weekly": False, "fourierOrder": 2},
            {"op": "normalize", "method": "zscore"},
        ],
        **changes,
    }
    return {k: v for k, v in body.items() if v is not None}


async def create_plan(client: Any, headers: dict[str, str], dataset_id: str, **changes: Any) -> Any:
    resp = await client.post(
        "/api/features/plans", json=plan_body(dataset_id, **changes), headers=headers
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def store_of(client: Any) -> ObjectStore:
    app = getattr(client, "app", None)
    if app is not None:
        return app.state.store  # type: ignore[no-any-return]
    from control_plane.settings import Settings

    return ObjectStore.from_settings(Settings.from_env())


async def put_artifact(client: Any) -> str:
    store = store_of(client)
    key = f"models/{uuid.uuid4().hex}/model.onnx"
    await store.put_bytes(key, b"onnx-bytes")
    return store.uri(key)


async def make_model(client: Any, headers: dict[str, str], name: str | None = None) -> str:
    name = name or unique()
    resp = await client.post(MODELS, json={"name": name, "description": "line 3"}, headers=headers)
    assert resp.status_code == 201, resp.text
    return name


async def register(client: Any, headers: dict[str, str], name: str, **extra: Any) -> Any:
    body = {
        "artifactUri": await put_artifact(client),
        "metrics": {"mae": 1.5, "coverage": 0.91},
        "card": {"summary": "quantile MLP"},
        "signature": {"inputs": [{"name": "load", "unit": "kW"}], "horizon": 24},
        **extra,
    }
    return await client.post(f"{MODELS}/{name}/versions", json=body, headers=headers)
