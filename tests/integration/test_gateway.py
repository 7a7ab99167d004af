"""The edge gateway in-process on the real Triton: routes, errors, failure behaviour.

The deployments come from a snapshot file the test writes (the control plane is pointed
at a dead port), which is also how a gateway starts when the control plane is away.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import grpc
import httpx
import pytest
from litestar.testing import AsyncTestClient

from edge_gateway.app import create_app
from tests.integration import test_gateway_support as support
from tests.integration.test_gateway_support import (
    HORIZON,
    LOOKBACK,
    Published,
    Tenant,
    free_port,
    hourly_rows,
    iter_metric,
    offsets,
    quarter_hour_rows_in_watts,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

PREDICT = "/api/inference/predict"

models = support.models
tenants = support.tenants
state_file = support.state_file
gateway_settings = support.gateway_settings


PROTOCOLS = ["grpc", "http"]  # how the gateway sends inference to Triton


@pytest.fixture(params=PROTOCOLS)
async def gateway(state_file: Path, request: Any) -> AsyncIterator[AsyncTestClient[Any]]:
    settings = gateway_settings(state_file, triton_protocol=request.param)
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


def instant(stamp: str) -> datetime:
    parsed = datetime.fromisoformat(stamp)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def last_value(rows: list[dict[str, Any]]) -> float:
    return float(rows[-1]["value"])


async def test_predict_answers_the_standard_output(
    gateway: AsyncTestClient[Any], tenants: dict[str, Tenant]
) -> None:
    rows = hourly_rows(30)
    resp = await gateway.post(PREDICT, json={"series": rows}, headers=tenants["a"].headers)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert set(out) >= {"modelId", "version", "timestamp", "values", "unit", "intervals"}
    assert out["unit"] == "kW" and out["confidence"] == 0.9
    assert out["meta"] == {
        "datasetId": "ds-1",
        "featurePlanId": "fp-1",
        "deploymentId": "dep-a",
        "assetId": "line-a",
    }
    assert [v["t"] for v in out["values"]][:2] == ["2025-07-04T06:00:00Z", "2025-07-04T07:00:00Z"]
    last = last_value(rows)
    expected = last + offsets()
    assert out["intervals"]["p50"] == pytest.approx(expected[:, 1], rel=1e-5)
    assert out["intervals"]["p05"] == pytest.approx(expected[:, 0], rel=1e-5)
    assert out["intervals"]["p95"] == pytest.approx(expected[:, 2], rel=1e-5)
    assert [v["y"] for v in out["values"]] == out["intervals"]["p50"]
    assert out["warnings"] == []


async def test_predict_converts_units_and_aligns_quarter_hours(
    gateway: AsyncTestClient[Any], tenants: dict[str, Tenant]
) -> None:
    rows = quarter_hour_rows_in_watts(30)  # 100 kW + 1 kW per hour, sent in W, at +02:00
    body = {"series": rows, "units": {"value": "W"}, "horizon": 3}
    resp = await gateway.post(PREDICT, json=body, headers=tenants["a"].headers)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert out["unit"] == "W"  # the caller's unit for the target comes back
    assert [v["t"] for v in out["values"]] == [f"2025-07-04T{h:02d}:00:00Z" for h in (6, 7, 8)]
    assert out["intervals"]["p50"] == pytest.approx([129_000.0] * 3)
    assert out["intervals"]["p05"][0] == pytest.approx(124_000.0)
    codes = {w["code"] for w in out["warnings"]}
    assert "OPTIONAL_INPUT_ABSENT" in codes  # production was not sent


async def test_seed003_asset_predict(
    gateway: AsyncTestClient[Any], tenants: dict[str, Tenant]
) -> None:
    rows = hourly_rows(LOOKBACK)
    body = {"historical_data": rows, "forecast_horizon": 4}
    resp = await gateway.post(
        "/api/v1/assets/line-a/predict", json=body, headers=tenants["a"].headers
    )
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert out["meta"]["assetId"] == "line-a" and len(out["values"]) == 4
    assert out["values"][0]["y"] == pytest.approx(last_value(rows), rel=1e-5)


async def test_calendar_model_gets_its_calendar_input(
    gateway: AsyncTestClient[Any], tenants: dict[str, Tenant]
) -> None:
    rows = hourly_rows(LOOKBACK)
    resp = await gateway.post(PREDICT, json={"series": rows}, headers=tenants["cal"].headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["values"][0]["y"] == pytest.approx(last_value(rows), rel=1e-5)


async def triton_counter(name: str, model: str) -> float:
    async with httpx.AsyncClient() as client:
        text = (await client.get("http://127.0.0.1:8002/metrics", timeout=5)).text
    return sum(iter_metric(text, name, model=model))


async def test_detect_finds_an_injected_spike_with_one_triton_call(
    gateway: AsyncTestClient[Any], tenants: dict[str, Tenant], models: dict[str, Published]
) -> None:
    rows = hourly_rows(LOOKBACK + 20)
    spike = LOOKBACK + 10
    rows[spike]["value"] = last_value(rows[:spike]) + 60.0  # far above p95 (+5 kW)
    model = models["plain"].name
    before = await triton_counter("nv_inference_request_success", model)
    metrics_before = (await gateway.get("/metrics")).text
    resp = await gateway.post(
        "/api/v1/assets/line-a/detect_anomalies",
        json={"data_stream": rows},
        headers=tenants["a"].headers,
    )
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["assetId"] == "line-a"
    flagged = {instant(a["timestamp"]) for a in report["anomalies"]}
    assert instant(rows[spike]["timestamp"]) in flagged
    spiked = next(
        a for a in report["anomalies"] if a["value"] == pytest.approx(rows[spike]["value"])
    )
    assert spiked["upper"] == pytest.approx(last_value(rows[:spike]) + 5.0, rel=1e-5)
    assert spiked["reason"].startswith("exceeds p95")
    # the point right after the spike is forecast from a window ending at the spike
    assert instant(rows[spike + 1]["timestamp"]) in flagged
    assert len(flagged) == 2
    unchecked = [w for w in report["warnings"] if w["code"] == "OUTSIDE_FORECAST"]
    assert unchecked and unchecked[0]["details"]["count"] == LOOKBACK  # the first window
    # one Triton request for all 20 windows: Triton's own counter and the gateway's
    for _ in range(100):  # Triton counts a request when it completes: allow it a moment
        if await triton_counter("nv_inference_request_success", model) >= before + 1:
            break
        await anyio.sleep(0.05)
    assert await triton_counter("nv_inference_request_success", model) == before + 1
    metrics_after = (await gateway.get("/metrics")).text
    calls = "loadstar_gateway_triton_calls_total"
    assert (
        sum(iter_metric(metrics_after, calls, deployment="dep-a"))
        == sum(iter_metric(metrics_before, calls, deployment="dep-a")) + 1
    )
    assert "loadstar_gateway_triton_batch_size_sum" in metrics_after


def _rows_with_gap() -> list[dict[str, Any]]:
    rows = hourly_rows(LOOKBACK)
    return rows[:4] + rows[14:]  # 10 of 24 hours missing: over the 25% threshold


W = hourly_rows(LOOKBACK)  # one full window
BAD_ROW = [{"timestamp": "2025-07-03T00:00:00Z", "value": "x", "temp": 1}]
ASSET = "/api/v1/assets"
BEARER_NOPE = {"Authorization": "Bearer nope"}
BASIC = {"Authorization": "Basic abc"}


def case(
    name: str, tenant: str, path: str, body: Any, status: int, code: str, headers: Any = None
) -> Any:
    return pytest.param(tenant, path, body, headers, status, code, id=name)


ERROR_CASES = [
    case("not-json", "a", PREDICT, b"{not json", 400, "INVALID_INPUT"),
    case("wrong-type", "a", PREDICT, {"series": "rows"}, 400, "INVALID_INPUT"),
    case("unknown-field", "a", PREDICT, {"series": [], "bogus": 1}, 400, "INVALID_INPUT"),
    case("empty-series", "a", PREDICT, {"series": []}, 400, "INVALID_INPUT"),
    case("non-numeric", "a", PREDICT, {"series": BAD_ROW}, 400, "INVALID_INPUT"),
    case("horizon", "a", PREDICT, {"series": W, "horizon": HORIZON + 1}, 400, "INVALID_INPUT"),
    case("unit-case", "a", PREDICT, {"series": W, "units": {"value": "kw"}}, 400, "INVALID_INPUT"),
    case(
        "unit-dimension",
        "a",
        PREDICT,
        {"series": W, "units": {"value": "degC"}},
        422,
        "UNIT_INCONSISTENT",
    ),
    case("missing", "a", PREDICT, {"series": _rows_with_gap()}, 422, "INPUT_MISSING_EXCEEDS"),
    case("model-gone", "gone", PREDICT, {"series": W}, 503, "INFERENCE_FAILED"),
    case("contract-unit", "broken", PREDICT, {"series": W}, 400, "INVALID_INPUT"),
    case("model-output", "mismatch", PREDICT, {"series": W}, 502, "INFERENCE_FAILED"),
    case("no-token", "", PREDICT, {"series": W}, 401, "UNAUTHORIZED"),
    case("wrong-token", "", PREDICT, {"series": W}, 401, "UNAUTHORIZED", BEARER_NOPE),
    case("not-bearer", "", PREDICT, {"series": W}, 401, "UNAUTHORIZED", BASIC),
    case("revoked", "revoked", PREDICT, {"series": W}, 401, "UNAUTHORIZED"),
    case(
        "other-deployment",
        "a",
        PREDICT,
        {"series": W, "deploymentId": "dep-b"},
        403,
        "FORBIDDEN",
    ),
    case("other-asset", "a", f"{ASSET}/line-b/predict", {"historical_data": W}, 403, "FORBIDDEN"),
    case(
        "other-asset-detect",
        "a",
        f"{ASSET}/line-b/detect_anomalies",
        {"data_stream": hourly_rows(30)},
        403,
        "FORBIDDEN",
    ),
    case(
        "unknown-deployment",
        "a",
        PREDICT,
        {"series": W, "deploymentId": "dep-zzz"},
        404,
        "NOT_FOUND",
    ),
    case("unknown-asset", "a", f"{ASSET}/zzz/predict", {"historical_data": W}, 404, "NOT_FOUND"),
    case("unknown-route", "a", "/api/v1/nothing", {}, 404, "NOT_FOUND"),
    case(
        "short-stream",
        "a",
        f"{ASSET}/line-a/detect_anomalies",
        {"data_stream": W},
        400,
        "INVALID_INPUT",
    ),
    case(
        "detect-bad-body",
        "a",
        f"{ASSET}/line-a/detect_anomalies",
        {"stream": []},
        400,
        "INVALID_INPUT",
    ),
]


@pytest.mark.parametrize(
    ("tenant", "path", "body", "headers", "status", "code"),
    ERROR_CASES,
)
async def test_every_error_is_the_standard_shape(
    gateway: AsyncTestClient[Any],
    tenants: dict[str, Tenant],
    tenant: str,
    path: str,
    body: Any,
    headers: dict[str, str] | None,
    status: int,
    code: str,
) -> None:
    sent = dict(tenants[tenant].headers) if tenant else {}
    sent.update(headers or {})
    if isinstance(body, bytes):
        resp = await gateway.post(
            path, content=body, headers={**sent, "Content-Type": "application/json"}
        )
    else:
        resp = await gateway.post(path, json=body, headers=sent)
    assert resp.status_code == status, resp.text
    error = resp.json()
    assert set(error) <= {"code", "message", "details"} and error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    if status in (503, 504):
        assert error["details"]["cause"]  # Triton's own words are kept
    if status == 502:
        assert error["details"]["shape"] == [HORIZON, 3]  # what the model gave instead


async def test_error_metrics_count_by_deployment_route_and_code(
    gateway: AsyncTestClient[Any], tenants: dict[str, Tenant]
) -> None:
    await gateway.post(PREDICT, json={"series": []}, headers=tenants["a"].headers)
    await gateway.post(
        PREDICT, json={"series": hourly_rows(LOOKBACK)}, headers=tenants["a"].headers
    )
    text = (await gateway.get("/metrics")).text
    name = "loadstar_gateway_requests_total"
    assert (
        sum(iter_metric(text, name, deployment="dep-a", route=PREDICT, code="INVALID_INPUT")) == 1
    )
    assert sum(iter_metric(text, name, deployment="dep-a", route=PREDICT, code="OK")) == 1
    for stage in ("decode", "legalize", "triton", "format"):
        assert sum(iter_metric(text, "loadstar_gateway_stage_seconds_count", stage=stage)) >= 1


async def test_ready_from_the_file_when_the_control_plane_is_away(
    gateway: AsyncTestClient[Any], tenants: dict[str, Tenant]
) -> None:
    for _ in range(100):  # the background sync reports the control plane away
        resp = await gateway.get("/readyz")
        assert resp.status_code == 200, resp.text
        ready = resp.json()
        assert ready["ready"] is True and ready["contractSource"] == "file"
        if ready["controlPlane"] != "not contacted":
            break
        await anyio.sleep(0.05)
    assert ready["controlPlane"].startswith("unreachable: ")
    assert ready["triton"] == "ok" and ready["deployments"] == 7 and ready["revision"] == 7
    assert ready["models"]["dep-a"] == "ok" and "not ready" in ready["models"]["dep-gone"]
    resp = await gateway.post(
        PREDICT, json={"series": hourly_rows(LOOKBACK)}, headers=tenants["a"].headers
    )
    assert resp.status_code == 200
    assert (await gateway.get("/healthz")).json() == {"status": "ok"}


async def test_not_ready_without_any_contract(tmp_path: Path) -> None:
    settings = gateway_settings(tmp_path / "none.json")
    async with AsyncTestClient(app=create_app(settings)) as client:
        resp = await client.get("/readyz")
        assert resp.status_code == 503
        assert resp.json()["contractSource"] == "none"
        resp = await client.post(
            PREDICT, json={"series": []}, headers={"Authorization": "Bearer x"}
        )
        assert resp.json()["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_triton_unreachable_is_503_within_the_timeout(
    state_file: Path, tenants: dict[str, Tenant], protocol: str
) -> None:
    settings = gateway_settings(
        state_file,
        triton_url=f"127.0.0.1:{free_port()}",
        triton_http_url=f"127.0.0.1:{free_port()}",
        triton_protocol=protocol,
        triton_timeout_s=1.0,
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        started = time.monotonic()
        resp = await client.post(
            PREDICT, json={"series": hourly_rows(LOOKBACK)}, headers=tenants["a"].headers
        )
        assert time.monotonic() - started < 1.5
        assert resp.status_code == 503, resp.text
        error = resp.json()
        assert error["code"] == "INFERENCE_FAILED" and error["details"]["status"].endswith(
            "UNAVAILABLE"
        )
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["triton"].startswith("unreachable")


@asynccontextmanager
async def silent_server(protocol: str) -> AsyncIterator[str]:
    """A Triton that takes the call and never answers (a hung server): over HTTP a socket
    that reads and stays quiet, over gRPC a real gRPC server whose every method waits
    forever. The only way a call ends is the gateway's own deadline, however loaded the
    machine is."""
    if protocol == "grpc":

        async def wait_forever(request: bytes, context: Any) -> bytes:
            await asyncio.sleep(3600)
            return b""

        class Hang(grpc.GenericRpcHandler):
            def service(self, handler_call_details: Any) -> Any:
                return grpc.unary_unary_rpc_method_handler(wait_forever)

        server = grpc.aio.server(handlers=[Hang()])
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            yield f"127.0.0.1:{port}"
        finally:
            await server.stop(grace=None)
        return
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    quiet = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield f"127.0.0.1:{quiet.sockets[0].getsockname()[1]}"
    finally:
        for writer in held:
            writer.close()
        quiet.close()
        await quiet.wait_closed()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_triton_too_slow_is_504(
    state_file: Path, tenants: dict[str, Tenant], protocol: str
) -> None:
    async with silent_server(protocol) as hung:
        settings = gateway_settings(
            state_file,
            triton_url=hung,
            triton_http_url=hung,
            triton_protocol=protocol,
            triton_timeout_s=0.5,
        )
        async with AsyncTestClient(app=create_app(settings)) as client:
            started = time.monotonic()
            resp = await client.post(
                PREDICT, json={"series": hourly_rows(LOOKBACK)}, headers=tenants["a"].headers
            )
            waited = time.monotonic() - started
    assert resp.status_code == 504, resp.text
    assert resp.json()["code"] == "INFERENCE_FAILED"
    assert "DEADLINE_EXCEEDED" in resp.json()["details"]["status"]
    assert 0.5 <= waited < 5  # answered at the deadline, not hung with the server


async def test_wrong_method_unknown_action_and_oversized_body(
    state_file: Path, tenants: dict[str, Tenant]
) -> None:
    settings = gateway_settings(state_file, max_body_bytes=1_000)
    async with AsyncTestClient(app=create_app(settings)) as client:
        resp = await client.get(PREDICT, headers=tenants["a"].headers)
        assert resp.status_code == 405 and resp.json()["code"] == "METHOD_NOT_ALLOWED"
        assert "POST" in resp.headers["allow"]
        resp = await client.get(f"{ASSET}/line-a/predict", headers=tenants["a"].headers)
        assert resp.status_code == 405 and set(resp.json()) == {"code", "message", "details"}
        resp = await client.post(f"{ASSET}/line-a/explode", json={}, headers=tenants["a"].headers)
        assert resp.status_code == 404 and resp.json()["code"] == "NOT_FOUND"
        resp = await client.post(PREDICT, json={"series": W}, headers=tenants["a"].headers)
        assert resp.status_code == 413 and resp.json()["code"] == "PAYLOAD_TOO_LARGE"
        text = (await client.get("/metrics")).text
        assert (
            sum(iter_metric(text, "loadstar_gateway_requests_total", code="PAYLOAD_TOO_LARGE")) == 1
        )


async def test_detect_on_a_calendar_model_for_an_asset_free_deployment(
    gateway: AsyncTestClient[Any], tenants: dict[str, Tenant]
) -> None:
    rows = hourly_rows(LOOKBACK + 5)
    resp = await gateway.post(
        f"{ASSET}/any-asset/detect_anomalies",
        json={"data_stream": rows, "units": {"value": "kW"}},
        headers=tenants["cal"].headers,
    )
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["assetId"] == "any-asset" and isinstance(report["anomalies"], list)
