"""The gateway's HTTP inference path against the real Triton: the same answer as gRPC,
Triton's refusals with their status and words, concurrent calls over pooled connections,
and a connection Triton dropped replaced without the caller noticing."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from schemas.errors import InferenceFailed
from tests.integration import test_gateway_support as support
from tests.integration.test_gateway_support import HORIZON, LOOKBACK, Published
from triton_repo.inference_client import Inputs, TritonForecaster
from triton_repo.inference_http import TritonCallError, TritonHttp

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

models = support.models
HTTP, GRPC = "127.0.0.1:8000", "127.0.0.1:8001"


def windows(batch: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(100.0, 10.0, (batch, LOOKBACK, 3)).astype(np.float32)


async def test_http_and_grpc_give_the_same_quantiles(models: dict[str, Published]) -> None:
    plain, calendar = models["plain"], models["calendar"]
    over_http = TritonForecaster(GRPC, 2.0, HTTP)
    over_grpc = TritonForecaster(GRPC, 2.0)
    try:
        window = windows(4)
        a = await over_http.infer(plain.name, plain.version, Inputs(window))
        b = await over_grpc.infer(plain.name, plain.version, Inputs(window))
        assert a.shape == (4, HORIZON, 3) and a.dtype == np.float32
        np.testing.assert_array_equal(a, b)
        phases = np.random.default_rng(1).random((4, LOOKBACK + HORIZON, 2)).astype(np.float32)
        c = await over_http.infer(calendar.name, calendar.version, Inputs(window, phases))
        d = await over_grpc.infer(calendar.name, calendar.version, Inputs(window, phases))
        np.testing.assert_array_equal(c, d)
    finally:
        await over_http.close()
        await over_grpc.close()


async def test_refusals_keep_triton_status_and_words(models: dict[str, Published]) -> None:
    plain = models["plain"]
    http = TritonHttp(HTTP, 2.0)
    forecaster = TritonForecaster(GRPC, 2.0, HTTP)
    try:
        with pytest.raises(TritonCallError) as unknown:
            await http.infer("no_such_model", 1, [("window", windows(1))], "quantiles")
        assert unknown.value.status == "StatusCode.NOT_FOUND"
        assert "no_such_model" in unknown.value.text
        wrong_shape = np.zeros((1, LOOKBACK - 1, 3), dtype=np.float32)
        with pytest.raises(TritonCallError) as shape:
            await http.infer(plain.name, 1, [("window", wrong_shape)], "quantiles")
        assert shape.value.status == "StatusCode.INVALID_ARGUMENT"
        assert "window" in shape.value.text
        with pytest.raises(TritonCallError) as output:
            await http.infer(plain.name, 1, [("window", windows(1))], "nope")
        assert output.value.status == "StatusCode.INVALID_ARGUMENT"
        # through the forecaster: the standard error's kind and details
        with pytest.raises(InferenceFailed) as failed:
            await forecaster.infer("no_such_model", 1, Inputs(windows(1)))
        assert failed.value.status == 503
        assert failed.value.details["status"] == "StatusCode.NOT_FOUND"
        with pytest.raises(InferenceFailed) as rejected:
            await forecaster.infer(plain.name, 1, Inputs(wrong_shape))
        assert rejected.value.status == 502
        # the refusals left the pooled connections usable
        assert (await http.infer(plain.name, 1, [("window", windows(1))], "quantiles")).shape == (
            1,
            HORIZON,
            3,
        )
    finally:
        await http.close()
        await forecaster.close()


async def test_concurrent_calls_share_a_bounded_pool(models: dict[str, Published]) -> None:
    plain = models["plain"]
    http = TritonHttp(HTTP, 2.0, max_idle=4)
    reference = TritonForecaster(GRPC, 2.0)
    try:
        batches = [windows(1, seed) for seed in range(24)]
        answers = await asyncio.gather(
            *(http.infer(plain.name, 1, [("window", w)], "quantiles") for w in batches)
        )
        assert len(http._idle) <= 4  # no more idle connections kept than allowed
        for window, answer in zip(batches, answers, strict=True):
            expected = await reference.infer(plain.name, 1, Inputs(window))
            np.testing.assert_array_equal(answer, expected)
        # Triton drops an idle connection: the next call replaces it silently
        for connection in http._idle:
            assert connection.transport is not None
            connection.transport.abort()
        again = await http.infer(plain.name, 1, [("window", batches[0])], "quantiles")
        np.testing.assert_array_equal(again, answers[0])
    finally:
        await http.close()
        await reference.close()


async def test_unreachable_and_too_slow(models: dict[str, Published]) -> None:
    plain: Any = models["plain"]
    dead = TritonHttp(f"127.0.0.1:{support.free_port()}", 1.0)
    with pytest.raises(TritonCallError) as refused:
        await dead.infer(plain.name, 1, [("window", windows(1))], "quantiles")
    assert refused.value.status == "StatusCode.UNAVAILABLE"
    slow = TritonHttp(HTTP, 0.0001)
    with pytest.raises(TritonCallError) as late:
        await slow.infer(plain.name, 1, [("window", windows(1))], "quantiles")
    assert late.value.status == "StatusCode.DEADLINE_EXCEEDED"
    await slow.close()


async def test_grpc_path_words_failures_as_http_and_reuses_requests_per_shape(
    models: dict[str, Published],
) -> None:
    """The gRPC path builds its request once per model, version and shapes: other shapes
    get their own, answers stay the HTTP path's, and refusals keep their status, kind and words."""
    plain = models["plain"]
    over_http = TritonForecaster(GRPC, 2.0, HTTP)
    over_grpc = TritonForecaster(GRPC, 2.0)
    try:
        for batch, seed in ((1, 5), (3, 6), (1, 7)):
            window = windows(batch, seed)
            np.testing.assert_array_equal(
                await over_grpc.infer(plain.name, 1, Inputs(window)),
                await over_http.infer(plain.name, 1, Inputs(window)),
            )
        wrong_shape = np.zeros((1, LOOKBACK - 1, 3), dtype=np.float32)
        for case in (("no_such_model", windows(1)), (plain.name, wrong_shape)):
            with pytest.raises(InferenceFailed) as by_grpc:
                await over_grpc.infer(case[0], 1, Inputs(case[1]))
            with pytest.raises(InferenceFailed) as by_http:
                await over_http.infer(case[0], 1, Inputs(case[1]))
            assert by_grpc.value.status == by_http.value.status
            assert by_grpc.value.details["status"] == by_http.value.details["status"]
            assert case[0] in by_grpc.value.details["cause"] or "window" in str(by_grpc.value)
            assert not by_grpc.value.details["cause"].startswith("<")  # details, not a repr
    finally:
        await over_http.close()
        await over_grpc.close()
