"""A model that takes a holiday calendar and an input known in advance, served end to end:
registered, published to the real Triton, deployed, and called through the gateway and the
control plane with the forecast period's `future` rows.

The model answers p50 = last load + production planned for that step + 100 on a holiday,
so the answer shows that each tensor arrived where the model reads it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from litestar.testing import AsyncTestClient
from onnx import TensorProto, helper, numpy_helper

from tests.integration.deployment_support import (
    GATEWAY,
    PLAN,
    PREDICT,
    SNAPSHOT,
    ModelVersions,
    model,
)
from tests.integration.test_gateway_support import HORIZON, LOOKBACK, gateway_settings, hourly_rows

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
__all__ = ["model"]

HOLIDAY_BUMP = 100.0
# the window ends on 2 Oct 2025 23:00 UTC: the forecast period is German Unity Day
START = datetime(2025, 10, 2, 0, 0, tzinfo=UTC) - timedelta(hours=LOOKBACK - 24)
KNOWN_PLAN = {
    **PLAN,
    "inputs": [
        {"name": "load", "unit": "kW"},
        {"name": "temp", "unit": "degC"},
        {"name": "production", "unit": "1", "known": True},
    ],
    "ops": [{"op": "seasonality", "holidays": "DE-BW"}],
}
MAPPING = {
    "inputs": [{"name": "load", "source": "value"}, {"name": "production", "source": "plan"}]
}


def known_input_onnx() -> bytes:
    """quantiles[b, h, q] = window[b, -1, 0] + (q - 1) + future[b, h, 0] + 100 holiday[b, h]."""
    f = TensorProto.FLOAT
    inputs = [
        helper.make_tensor_value_info("window", f, ["batch", LOOKBACK, 3]),
        helper.make_tensor_value_info("calendar", f, ["batch", LOOKBACK + HORIZON, 3]),
        helper.make_tensor_value_info("future", f, ["batch", HORIZON, 1]),
    ]
    out = helper.make_tensor_value_info("quantiles", f, ["batch", HORIZON, 3])
    spread = np.array([[[-1.0, 0.0, 1.0]]], dtype=np.float32)
    ints = {
        "w_starts": [LOOKBACK - 1, 0],
        "w_ends": [LOOKBACK, 1],
        "c_starts": [LOOKBACK, 2],
        "c_ends": [LOOKBACK + HORIZON, 3],
        "axes": [1, 2],
    }
    inits = [numpy_helper.from_array(np.array(v, dtype=np.int64), k) for k, v in ints.items()]
    inits += [
        numpy_helper.from_array(spread, "spread"),
        numpy_helper.from_array(np.array(HOLIDAY_BUMP, dtype=np.float32), "bump"),
    ]
    nodes = [
        helper.make_node("Slice", ["window", "w_starts", "w_ends", "axes"], ["last"]),
        helper.make_node("Slice", ["calendar", "c_starts", "c_ends", "axes"], ["holiday"]),
        helper.make_node("Mul", ["holiday", "bump"], ["holiday_bump"]),
        helper.make_node("Add", ["last", "future"], ["planned"]),
        helper.make_node("Add", ["planned", "holiday_bump"], ["point"]),
        helper.make_node("Add", ["point", "spread"], ["quantiles"]),
    ]
    graph = helper.make_graph(nodes, "known_inputs", inputs, [out], initializer=inits)
    built = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    built.ir_version = 8
    onnx.checker.check_model(built, full_check=True)
    data: bytes = built.SerializeToString()
    return data


def series() -> list[dict[str, Any]]:
    rows = hourly_rows(LOOKBACK, start=START)
    for row in rows:
        row["plan"] = row.pop("production")
    return rows


def stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def future(plan: float) -> list[dict[str, Any]]:
    after = START + timedelta(hours=LOOKBACK)
    return [{"timestamp": stamp(after + timedelta(hours=k)), "plan": plan} for k in range(HORIZON)]


async def test_a_deployment_with_known_inputs_and_holidays_is_served_with_future_rows(
    cp_client: Any, admin_headers: dict[str, str], model: ModelVersions, tmp_path: Path
) -> None:
    from edge_gateway.app import create_app as create_gateway

    await model.register(known_input_onnx(), KNOWN_PLAN)
    created = await model.deploy(version=1, mapping=MAPPING)
    shown = await cp_client.get(f"/api/deployments/{created['id']}", headers=admin_headers)
    assert shown.status_code == 200, shown.text
    snap = await cp_client.get(SNAPSHOT, headers=GATEWAY)
    entry = next(
        d for d in snap.json()["deployments"] if d["contract"]["deploymentId"] == created["id"]
    )
    contract = entry["contract"]
    assert contract["holidays"] == "DE-BW" and contract["calendar"] is True
    assert [i["name"] for i in contract["inputs"] if i.get("known")] == ["production"]

    last = float(series()[-1]["value"])
    state = tmp_path / "snapshot.json"
    state.write_bytes(snap.content)
    headers = {"Authorization": f"Bearer {created['apiToken']}"}
    async with AsyncTestClient(app=create_gateway(gateway_settings(state))) as gateway:
        answers = {}
        for planned in (500.0, 650.0):
            body = {"series": series(), "future": future(planned)}
            resp = await gateway.post(PREDICT, json=body, headers=headers)
            assert resp.status_code == 200, resp.text
            answers[planned] = resp.json()["intervals"]["p50"]
        assert answers[500.0][0] == pytest.approx(last + 500.0 + HOLIDAY_BUMP, rel=1e-4)
        assert answers[650.0][0] - answers[500.0][0] == pytest.approx(150.0, rel=1e-3)

        # detection reads the known input's actual readings at the points it checks
        after = START + timedelta(hours=LOOKBACK)
        fits = last + 500.0 + HOLIDAY_BUMP
        stream = [
            *series(),
            {"timestamp": stamp(after), "value": fits, "temp": 25.0, "plan": 500.0},
            {
                "timestamp": stamp(after + timedelta(hours=1)),
                "value": fits + 650.0 + 100.0 + 50.0,
                "temp": 25.0,
                "plan": 650.0,
            },
        ]
        detect = await gateway.post(
            "/api/v1/assets/line-k/detect_anomalies", json={"data_stream": stream}, headers=headers
        )
        assert detect.status_code == 200, detect.text
        flagged = [a["timestamp"] for a in detect.json()["anomalies"]]
        assert [f[:13] for f in flagged] == ["2025-10-03T01"], detect.text

        # the WebSocket stream: readings buffered from the first message, the forecast
        # period's rows replaced by a later one
        ws = await gateway.websocket_connect(f"/ws/predict?token={created['apiToken']}")
        with ws:
            ws.send_json({"series": series(), "future": future(650.0)})
            first = ws.receive_json(timeout=30)
            ws.send_json({"future": future(500.0)})
            second = ws.receive_json(timeout=30)
        assert first["intervals"]["p50"] == pytest.approx(answers[650.0], rel=1e-5), first
        assert second["intervals"]["p50"] == pytest.approx(answers[500.0], rel=1e-5), second

        missing = await gateway.post(PREDICT, json={"series": series()}, headers=headers)
        assert missing.status_code == 400, missing.text
        error = missing.json()
        assert error["code"] == "INVALID_INPUT" and error["details"]["fields"] == ["plan"]
        assert f"for the {HORIZON} points after 2025-10-02T23:00:00Z" in error["message"]

    # the deployment page's example request carries the forecast period, and it predicts
    page = await cp_client.get(f"/api/deployments/{created['id']}/contract", headers=admin_headers)
    assert page.status_code == 200, page.text
    example = page.json()
    assert [sorted(r) for r in example["exampleRequest"]["future"]] == [["plan", "timestamp"]] * (
        HORIZON
    )
    assert example["exampleError"] is None and example["exampleOutput"] is not None

    # the control plane's own predict takes the same request
    body = {"series": series(), "future": future(500.0), "deploymentId": created["id"]}
    resp = await cp_client.post(PREDICT, json=body, headers=admin_headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["intervals"]["p50"][0] == pytest.approx(answers[500.0][0], rel=1e-5)
