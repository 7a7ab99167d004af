"""A library .onnx weight registered as a model version on the real stack: its signature is
checked against the feature plan's serving contract, the version carries it with lineage
to the weight, and the deployment basis resolves from the version alone."""

from __future__ import annotations

import io
import uuid

import msgspec
import pytest
import torch

from control_plane.lab.weight_contract import expected_signature
from schemas.feature_plan import FeaturePlan
from tests.integration.flow_support import make_plan

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


class _Persistence(torch.nn.Module):
    """The last target value as every quantile of every horizon step (window inputs only)."""

    def __init__(self, horizon: int, quantiles: int, target: int) -> None:
        super().__init__()
        self.horizon, self.quantiles, self.target = horizon, quantiles, target
        self.scale = torch.nn.Parameter(torch.ones(1))

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        last = inputs[0][:, -1, self.target] * self.scale
        for other in inputs[1:]:  # read, so that the export keeps every contract input
            last = last + 0.0 * other.mean(dim=(1, 2))
        return last[:, None, None].expand(-1, self.horizon, self.quantiles).contiguous()


def _onnx(plan: FeaturePlan, horizon: int | None = None) -> bytes:
    """An ONNX graph with the plan's contract inputs (another horizon when given)."""
    contract = expected_signature(plan)
    dummies = tuple(torch.zeros(1, *t["shape"][1:]) for t in contract["inputs"])
    names = [t["name"] for t in contract["inputs"]]
    target = plan.input_names.index(plan.target)
    module = _Persistence(horizon or plan.horizon, len(plan.quantiles), target)
    buffer = io.BytesIO()
    torch.onnx.export(
        module,
        dummies,
        buffer,
        input_names=names,
        output_names=["quantiles"],
        dynamic_axes={n: {0: "batch"} for n in [*names, "quantiles"]},
        opset_version=17,
        dynamo=False,
    )
    return buffer.getvalue()


async def _upload(client, headers, name: str, data: bytes) -> dict:
    resp = await client.post(
        "/api/models/weights",
        files={"file": (f"{name}.onnx", io.BytesIO(data), "application/octet-stream")},
        data={"name": name, "tags": "external"},
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def test_an_onnx_weight_registers_as_a_deployable_version(cp_client, admin_headers) -> None:
    dataset_id, plan_id = await make_plan(cp_client, admin_headers)
    plan_body = (
        await cp_client.get(f"/api/features/plans/{plan_id}", headers=admin_headers)
    ).json()
    plan = msgspec.convert(plan_body["plan"], FeaturePlan)
    model = f"ext-{uuid.uuid4().hex[:6]}"
    deployment_id = ""
    good = await _upload(cp_client, admin_headers, "persistence", _onnx(plan))
    wrong = await _upload(cp_client, admin_headers, "long", _onnx(plan, horizon=plan.horizon + 1))
    try:
        refused = await cp_client.post(
            f"/api/models/weights/{wrong['id']}/register",
            json={"modelName": model, "featurePlanId": plan_id},
            headers=admin_headers,
        )
        assert refused.status_code == 400, refused.text
        assert "quantiles" in refused.json()["message"]
        mismatch = refused.json()["details"]["mismatches"][0]
        assert mismatch["expected"][1] == plan.horizon and mismatch["got"][1] == plan.horizon + 1

        registered = await cp_client.post(
            f"/api/models/weights/{good['id']}/register",
            json={"modelName": model, "featurePlanId": plan_id, "description": "persistence"},
            headers=admin_headers,
        )
        assert registered.status_code == 201, registered.text
        version = registered.json()
        assert version["name"] == model and version["version"] == 1
        fetched = (
            await cp_client.get(f"/api/registry/models/{model}/versions/1", headers=admin_headers)
        ).json()
        assert fetched["featurePlanId"] == plan_id and fetched["datasetId"] == dataset_id
        assert fetched["card"]["source"] == {
            "kind": "weight",
            "weightId": good["id"],
            "sha256": good["sha256"],
        }
        window = fetched["signature"]["inputs"][0]
        assert window["name"] == "window" and window["shape"] == [
            -1,
            plan.lookback,
            len(plan.inputs),
        ]
        assert fetched["signature"]["outputs"][0]["shape"] == [
            -1,
            plan.horizon,
            len(plan.quantiles),
        ]

        lineage = (
            await cp_client.get(f"/api/lineage/modelVersion/{model}:1", headers=admin_headers)
        ).json()
        assert any(n["id"] == good["id"] and n["type"] == "weight" for n in lineage["nodes"])

        assert fetched["card"]["plan"]["horizon"] == plan.horizon  # what a deployment reads

        # the version outlives the weight (its file was copied beside the registry's), and
        # deploys like a trained one: Triton loads it and reports it READY
        assert (
            await cp_client.delete(f"/api/models/weights/{good['id']}", headers=admin_headers)
        ).status_code == 204
        deployed = await cp_client.post(
            "/api/deployments", json={"modelId": model, "version": 1}, headers=admin_headers
        )
        assert deployed.status_code == 201, deployed.text
        deployment_id = deployed.json()["id"]
        assert deployed.json()["status"] == "active"
    finally:
        if deployment_id:
            await cp_client.delete(f"/api/deployments/{deployment_id}", headers=admin_headers)
        for w in (good, wrong):
            await cp_client.delete(f"/api/models/weights/{w['id']}", headers=admin_headers)
        await cp_client.delete(f"/api/datasets/{dataset_id}?force=true", headers=admin_headers)
