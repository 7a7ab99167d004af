"""`POST /api/inference/predict` by model id: a registered version with no deployment, one
window or a batch, through the same legalization and Triton as a deployment."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.deployment_support import (
    MAPPING,
    PREDICT,
    last_load,
    model,
    predict_body,
    shifted_forecaster,
)
from tests.integration.test_gateway_support import LOOKBACK, forecaster_onnx, hourly_rows

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
__all__ = ["model"]


def forecast(body: dict[str, Any]) -> tuple[Any, ...]:
    return (body["values"], body["intervals"], body["unit"], body["confidence"], body["version"])


async def test_predict_by_model_id_matches_predict_through_a_deployment(
    cp_client, admin_headers, model
) -> None:
    await model.register(forecaster_onnx())
    deployed = await model.deploy(version=1)
    through = await cp_client.post(
        PREDICT, json=predict_body(deployed["id"]), headers=admin_headers
    )
    assert through.status_code == 200, through.text

    body = {
        "modelId": model.name,
        "version": 1,
        "series": hourly_rows(LOOKBACK),
        "mapping": MAPPING,
    }
    direct = await cp_client.post(PREDICT, json=body, headers=admin_headers)
    assert direct.status_code == 200, direct.text
    assert forecast(direct.json()) == forecast(through.json())
    assert direct.json()["meta"].get("deploymentId") is None

    # A batch: one answer per window, from one call; the first is the single answer again.
    later = hourly_rows(LOOKBACK + 5)[5:]
    batch = {
        "modelId": model.name,
        "mapping": MAPPING,
        "batch": [{"series": hourly_rows(LOOKBACK)}, {"series": later}],
    }
    answered = await cp_client.post(PREDICT, json=batch, headers=admin_headers)
    assert answered.status_code == 200, answered.text
    outputs = answered.json()["outputs"]
    assert answered.json()["version"] == 1 and len(outputs) == 2
    assert forecast(outputs[0]) == forecast(through.json())
    assert outputs[1]["intervals"]["p50"][0] == pytest.approx(float(later[-1]["value"]), rel=1e-4)


async def test_a_version_with_no_deployment_is_published_and_answers(
    cp_client, admin_headers, model
) -> None:
    await model.register(forecaster_onnx())
    await model.register(shifted_forecaster(5.0))
    body = {
        "modelId": model.name,
        "version": 2,
        "series": hourly_rows(LOOKBACK),
        "mapping": MAPPING,
    }
    resp = await cp_client.post(PREDICT, json=body, headers=admin_headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["intervals"]["p50"][0] == pytest.approx(last_load() + 5.0, rel=1e-4)
    assert resp.json()["version"] == 2


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"batch": [{"series": []}]}, 400, "INVALID_INPUT"),  # series and batch both
        ({"alias": "Production"}, 400, "INVALID_INPUT"),  # version and alias both
        ({"colour": "red"}, 400, "INVALID_INPUT"),
        ({}, 404, "NOT_FOUND"),  # no such model
    ],
)
async def test_bad_requests_by_model_id(cp_client, admin_headers, change, status, code) -> None:
    body = {"modelId": "no-such-model-here", "version": 1, "series": hourly_rows(LOOKBACK)}
    resp = await cp_client.post(PREDICT, json={**body, **change}, headers=admin_headers)
    assert resp.status_code == status and resp.json()["code"] == code, resp.text
