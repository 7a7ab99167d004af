"""Helpers the deployment and publishing tests share: registry versions of a small real ONNX
forecaster (with a per-version shift, or broken on purpose) and clean-up of what Triton holds.

The forecaster is the gateway tests' one: p50 of every step is the last `load` value, so a
version whose offsets are shifted by `s` answers exactly `s` more.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from control_plane.settings import Settings
from tests.integration.test_gateway_support import LOOKBACK, forecaster_onnx, hourly_rows

MODELS = "/api/registry/models"
DEPLOYMENTS = "/api/deployments"
PREDICT = "/api/inference/predict"
SNAPSHOT = "/api/gateway/snapshot"
GATEWAY = {"X-Gateway-Token": "loadstar-gateway-sync-dev-token"}
PLAN = {
    "target": "load",
    "inputs": [
        {"name": "load", "unit": "kW"},
        {"name": "temp", "unit": "degC"},
        {"name": "production", "unit": "1"},
    ],
    "frequency": "1h",
    "lookback": LOOKBACK,
    "horizon": 6,
    "quantiles": [0.05, 0.5, 0.95],
}
# the rows carry the load as `value`; `production` may be missing
MAPPING = {
    "inputs": [
        {"name": "load", "source": "value"},
        {"name": "production", "source": "production", "required": False},
    ]
}


def shifted_forecaster(shift: float) -> bytes:
    """The forecaster with every quantile moved by `shift` kW."""
    model = onnx.load_from_string(forecaster_onnx())
    for init in model.graph.initializer:
        if init.name == "offsets":
            moved = (numpy_helper.to_array(init) + np.float32(shift)).astype(np.float32)
            init.CopyFrom(numpy_helper.from_array(moved, "offsets"))
    onnx.checker.check_model(model, full_check=True)
    data: bytes = model.SerializeToString()
    return data


def broken_forecaster() -> bytes:
    """Reads as ONNX with the right inputs and outputs, but no runtime can build it: its first
    node is an operator that does not exist."""
    model = onnx.load_from_string(forecaster_onnx())
    model.graph.node[0].op_type = "NoSuchOperator"
    data: bytes = model.SerializeToString()
    return data


def predict_body(deployment_id: str, **changes: Any) -> dict[str, Any]:
    return {"series": hourly_rows(LOOKBACK), "deploymentId": deployment_id, **changes}


def last_load() -> float:
    return float(hourly_rows(LOOKBACK)[-1]["value"])


class ModelVersions:
    """A registered model of this test, its versions, and the deployments made from it.

    `client` is the in-process control plane or an httpx client of a live one; the Triton
    repository client here belongs to the test's own event loop (the in-process app runs
    in a loop of its own).
    """

    def __init__(self, client: Any, headers: dict[str, str], settings: Settings) -> None:
        from control_plane.adapters.object_store import ObjectStore
        from triton_repo.repository import TritonRepository

        self.client = client
        self.headers = headers
        self.settings = settings
        self.store = ObjectStore.from_settings(settings)
        self.repository = TritonRepository(settings.triton_grpc_url)
        self.name = f"deptest-{uuid.uuid4().hex[:8]}"
        self.deployments: list[str] = []

    async def create(self) -> ModelVersions:
        resp = await self.client.post(MODELS, json={"name": self.name}, headers=self.headers)
        assert resp.status_code == 201, resp.text
        return self

    async def register(self, onnx_bytes: bytes, plan: dict[str, Any] | None = None) -> int:
        key = f"models/{uuid.uuid4().hex}/model.onnx"
        await self.store.put_bytes(key, onnx_bytes)
        body = {
            "artifactUri": self.store.uri(key),
            "card": {"plan": PLAN if plan is None else plan},
            "metrics": {"coverage": 0.9},
        }
        resp = await self.client.post(
            f"{MODELS}/{self.name}/versions", json=body, headers=self.headers
        )
        assert resp.status_code == 201, resp.text
        return int(resp.json()["version"])

    async def deploy(self, **body: Any) -> dict[str, Any]:
        body = {"modelId": self.name, "mapping": MAPPING, **body}
        resp = await self.client.post(DEPLOYMENTS, json=body, headers=self.headers)
        assert resp.status_code == 201, resp.text
        created: dict[str, Any] = resp.json()
        self.deployments.append(created["id"])
        return created

    @property
    def triton_model(self) -> str:
        from triton_repo.publisher import triton_model_name

        return triton_model_name(self.name)

    async def cleanup(self) -> None:
        """Delete what is left of this model's deployments, then its Triton model and files."""
        from triton_repo.publisher import TritonPublisher

        try:
            for deployment_id in self.deployments:
                await self.client.delete(f"{DEPLOYMENTS}/{deployment_id}", headers=self.headers)
            if await self.repository.is_ready(self.triton_model):
                await self.repository.unload(self.triton_model)
        finally:
            await self.repository.close()
            TritonPublisher(self.settings.triton_repo_dir).remove_model(self.triton_model)


@pytest.fixture
async def model(
    cp_client: Any, admin_headers: dict[str, str], settings: Settings
) -> AsyncIterator[ModelVersions]:
    versions = await ModelVersions(cp_client, admin_headers, settings).create()
    try:
        yield versions
    finally:
        await versions.cleanup()


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """The control plane under uvicorn on a port of its own (so requests can overlap), an
    httpx client of it and admin headers."""
    from tests.conftest import login
    from tests.integration.test_gateway_sync import LiveControlPlane

    server = LiveControlPlane(settings)
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            yield client, await login(client)
    finally:
        server.stop()


@pytest.fixture
async def live_model(
    live: tuple[httpx.AsyncClient, dict[str, str]], settings: Settings
) -> AsyncIterator[ModelVersions]:
    client, headers = live
    versions = await ModelVersions(client, headers, settings).create()
    try:
        yield versions
    finally:
        await versions.cleanup()
