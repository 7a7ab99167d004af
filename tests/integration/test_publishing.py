"""Publishing to the real Triton: a version that cannot load leaves the served one answering,
rollback under a steady stream of requests fails none of them, and the GPU config is one that
Triton's own model-configuration schema accepts with the fields its documentation names.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.integration.deployment_support import (
    DEPLOYMENTS,
    MODELS,
    PREDICT,
    ModelVersions,
    broken_forecaster,
    last_load,
    live,
    live_model,
    model,
    predict_body,
    shifted_forecaster,
)
from tests.integration.flow_support import until
from tests.integration.test_gateway_support import HORIZON, LOOKBACK, forecaster_onnx

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
__all__ = ["live", "live_model", "model"]


async def answer(client: Any, headers: dict[str, str], deployment_id: str) -> float:
    resp = await client.post(PREDICT, json=predict_body(deployment_id), headers=headers)
    assert resp.status_code == 200, resp.text
    return float(resp.json()["intervals"]["p50"][0])


async def test_a_version_triton_cannot_load_fails_with_its_error_and_the_old_one_serves_on(
    cp_client, admin_headers, model: ModelVersions, settings
) -> None:
    from triton_repo.publisher import TritonPublisher

    await model.register(shifted_forecaster(0.0))
    created = await model.deploy(version=1)
    url = f"{DEPLOYMENTS}/{created['id']}"
    assert await answer(cp_client, admin_headers, created["id"]) == pytest.approx(last_load())
    before = (await cp_client.get(url, headers=admin_headers)).json()

    assert await model.register(broken_forecaster()) == 2
    resp = await cp_client.post(f"{url}/rollback", json={"version": 2}, headers=admin_headers)
    assert resp.status_code in (502, 503), resp.text
    error = resp.json()
    assert error["code"] == "INFERENCE_FAILED" and set(error) == {"code", "message", "details"}
    # Triton's own words, from the backend that tried to build the model
    assert "NoSuchOperator" in error["message"], error
    assert "NoSuchOperator" in error["details"]["triton"], error

    after = (await cp_client.get(url, headers=admin_headers)).json()
    assert after["version"] == 1 and after["revision"] == before["revision"]
    assert after["contract"] == before["contract"]
    assert await answer(cp_client, admin_headers, created["id"]) == pytest.approx(last_load())
    assert await model.repository.is_ready(model.triton_model, 1)
    assert not await model.repository.is_ready(model.triton_model, 2)
    publisher = TritonPublisher(settings.triton_repo_dir)
    assert publisher.versions(model.triton_model) == [1]  # the broken files are gone

    # deploying it directly fails the same way and creates nothing
    listed = (await cp_client.get(DEPLOYMENTS, params={"modelId": model.name})).json()
    resp = await cp_client.post(
        DEPLOYMENTS, json={"modelId": model.name, "version": 2}, headers=admin_headers
    )
    assert resp.status_code in (502, 503) and "NoSuchOperator" in resp.json()["message"]
    assert (await cp_client.get(DEPLOYMENTS, params={"modelId": model.name})).json() == listed
    assert await answer(cp_client, admin_headers, created["id"]) == pytest.approx(last_load())


async def test_a_first_version_that_cannot_load_leaves_no_model_behind(
    cp_client, admin_headers, model: ModelVersions, settings
) -> None:
    from triton_repo.publisher import TritonPublisher

    await model.register(broken_forecaster())
    resp = await cp_client.post(
        DEPLOYMENTS, json={"modelId": model.name, "version": 1}, headers=admin_headers
    )
    assert resp.status_code in (502, 503) and resp.json()["code"] == "INFERENCE_FAILED"
    assert "NoSuchOperator" in resp.json()["details"]["triton"]
    assert not (settings.triton_repo_dir / model.triton_model).exists()
    assert TritonPublisher(settings.triton_repo_dir).versions(model.triton_model) == []


async def test_an_alias_move_triton_cannot_follow_is_recorded_failed_and_the_old_one_serves_on(
    cp_client, admin_headers, model: ModelVersions
) -> None:
    """The move commits first; publishing runs after it, so a version Triton refuses cannot
    undo the move: the event says `failed` with Triton's words, the follower stays on 1."""
    await model.register(shifted_forecaster(0.0))
    alias_url = f"{MODELS}/{model.name}/aliases/production"
    moved = await cp_client.put(alias_url, json={"version": 1}, headers=admin_headers)
    assert moved.status_code == 200, moved.text
    follower = await model.deploy(alias="production")
    assert await answer(cp_client, admin_headers, follower["id"]) == pytest.approx(last_load())

    assert await model.register(broken_forecaster()) == 2
    moved = await cp_client.put(alias_url, json={"version": 2}, headers=admin_headers)
    assert moved.status_code == 200, moved.text

    async def settled() -> dict[str, Any] | None:
        url = f"{MODELS}/{model.name}/alias-events"
        last = (await cp_client.get(url, headers=admin_headers)).json()[-1]
        return last if last["version"] == 2 and last["state"] != "pending" else None

    event = await until(settled, seconds=120)
    assert event["state"] == "failed" and "NoSuchOperator" in event["error"], event
    url = f"{DEPLOYMENTS}/{follower['id']}"
    after = (await cp_client.get(url, headers=admin_headers)).json()
    assert after["version"] == 1 and after["revision"] == follower["deployment"]["revision"]
    assert await answer(cp_client, admin_headers, follower["id"]) == pytest.approx(last_load())


async def test_rollback_under_a_steady_stream_of_requests_fails_none(
    live: tuple[httpx.AsyncClient, dict[str, str]], live_model: ModelVersions
) -> None:
    client, admin = live
    await live_model.register(shifted_forecaster(0.0))
    await live_model.register(shifted_forecaster(10.0))
    created = await live_model.deploy(version=1)
    url = f"{DEPLOYMENTS}/{created['id']}/rollback"
    expected = {1: last_load(), 2: last_load() + 10}
    switching = asyncio.Event()
    progress = asyncio.Condition()
    answers: list[float] = []
    failures: list[str] = []

    async def caller() -> None:
        """Calls predict back to back until the switches are over and 200 calls are made."""
        while len(answers) + len(failures) < 200 or not switching.is_set():
            resp = await client.post(PREDICT, json=predict_body(created["id"]), headers=admin)
            if resp.status_code == 200:
                answers.append(float(resp.json()["intervals"]["p50"][0]))
            else:
                failures.append(f"{resp.status_code} {resp.text}")
            async with progress:
                progress.notify_all()

    async def answered(count: int) -> None:
        async with progress:
            await asyncio.wait_for(progress.wait_for(lambda: len(answers) >= count), 60)

    calls = asyncio.create_task(caller())
    try:
        await answered(10)  # the stream is flowing before the first switch
        # v2 is published fresh (Triton loads it beside v1), then back to v1, then v2 again
        for version in (2, 1, 2):
            resp = await client.post(url, json={"version": version}, headers=admin)
            assert resp.status_code == 200 and resp.json()["version"] == version, resp.text
            await answered(len(answers) + 5)
        switching.set()
        await asyncio.wait_for(calls, timeout=120)
    finally:
        switching.set()
        if not calls.done():
            calls.cancel()
    assert failures == []
    assert len(answers) >= 200
    assert {round(a, 3) for a in answers} == {round(v, 3) for v in expected.values()}
    assert answers[0] == pytest.approx(expected[1]) and answers[-1] == pytest.approx(expected[2])


def test_the_gpu_config_is_a_valid_triton_model_config_with_the_documented_fields() -> None:
    """Parsed with Triton's own ModelConfig protobuf schema (unknown fields or wrong types fail
    the parse), then each documented field the GPU target needs is checked."""
    from google.protobuf import text_format
    from tritonclient.grpc import model_config_pb2 as mc

    from triton_repo.config import render_config
    from triton_repo.signature import ModelSignature

    signature = ModelSignature.from_onnx(forecaster_onnx(calendar=True))
    for precision in ("FP16", "FP32"):
        text = render_config(
            "line_load", signature, target="gpu", tensorrt=True, tensorrt_precision=precision
        )
        config = text_format.Parse(text, mc.ModelConfig())

        assert config.name == "line_load"
        assert config.platform == "onnxruntime_onnx" and config.backend == "onnxruntime"
        assert config.max_batch_size == 64
        tensors = {t.name: t for t in [*config.input, *config.output]}
        assert set(tensors) == {"window", "calendar", "quantiles"}
        assert all(t.data_type == mc.TYPE_FP32 for t in tensors.values())
        # dims exclude the batch axis (max_batch_size > 0 adds it)
        assert list(tensors["window"].dims) == [LOOKBACK, 3]
        assert list(tensors["calendar"].dims) == [LOOKBACK + HORIZON, 2]
        assert list(tensors["quantiles"].dims) == [HORIZON, 3]
        assert [t.name for t in config.output] == ["quantiles"]

        batching = config.dynamic_batching
        assert config.HasField("dynamic_batching")
        assert list(batching.preferred_batch_size) == [8, 16, 32]
        assert all(0 < b <= config.max_batch_size for b in batching.preferred_batch_size)
        assert batching.max_queue_delay_microseconds == 200
        assert config.version_policy.WhichOneof("policy_choice") == "all"

        [group] = config.instance_group
        assert group.kind == mc.ModelInstanceGroup.KIND_GPU
        assert group.count >= 1 and list(group.gpus) == [0]

        [accelerator] = config.optimization.execution_accelerators.gpu_execution_accelerator
        assert accelerator.name == "tensorrt"
        assert accelerator.parameters["precision_mode"] == precision
        assert int(accelerator.parameters["max_workspace_size_bytes"]) > 0
        assert not config.optimization.execution_accelerators.cpu_execution_accelerator

        [warmup] = config.model_warmup
        assert warmup.name and warmup.batch_size == 1
        assert set(warmup.inputs) == {"window", "calendar"}
        for name, data in warmup.inputs.items():
            assert data.zero_data is True and data.WhichOneof("input_data_type") == "zero_data"
            assert data.data_type == mc.TYPE_FP32
            assert list(data.dims) == list(tensors[name].dims)

    without = text_format.Parse(
        render_config("line_load", signature, target="gpu"), mc.ModelConfig()
    )
    assert not without.optimization.execution_accelerators.gpu_execution_accelerator
    assert without.instance_group[0].kind == mc.ModelInstanceGroup.KIND_GPU


def test_the_cpu_config_is_a_valid_triton_model_config() -> None:
    """The config the local Triton loads in every publishing test above, checked the same way."""
    from google.protobuf import text_format
    from tritonclient.grpc import model_config_pb2 as mc

    from triton_repo.config import render_config
    from triton_repo.signature import ModelSignature

    signature = ModelSignature.from_onnx(forecaster_onnx())
    config = text_format.Parse(render_config("line_load", signature), mc.ModelConfig())
    assert config.backend == "python" and not config.platform
    assert config.instance_group[0].kind == mc.ModelInstanceGroup.KIND_CPU
    assert not config.instance_group[0].gpus and not config.model_warmup
    assert list(config.input[0].dims) == [LOOKBACK, 3]
