"""The `loadstar` client against a live control plane on the real stack: queue a training job
and follow it to its end, register its model and read the registry back, and predict through
a deployment of a registered version (Triton answers)."""

from __future__ import annotations

import uuid
from typing import Any

import anyio.to_thread
import httpx
import pytest
from loadstar import Client, LoadstarError

from tests.integration.deployment_support import last_load, live, live_model, predict_body
from tests.integration.flow_support import make_plan, run_worker_until_idle
from tests.integration.test_gateway_support import forecaster_onnx

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]
__all__ = ["live", "live_model"]


def _client(client: httpx.AsyncClient) -> Client:
    return Client.login(str(client.base_url), "admin", "loadstar-admin")


async def test_the_client_trains_follows_registers_and_reads_the_registry(
    live: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    client, headers = live
    dataset_id, plan_id = await make_plan(client, headers, rows=600)
    ls = await anyio.to_thread.run_sync(_client, client)
    try:
        body = {
            "datasetId": dataset_id,
            "featurePlanId": plan_id,
            "algorithm": "linear",
            "hyperparams": {"epochs": 1, "seed": 3},
        }
        job = await anyio.to_thread.run_sync(ls.submit_training, body)
        assert job["status"] == "queued"
        await run_worker_until_idle()
        final = await anyio.to_thread.run_sync(lambda: ls.wait_for_job(job["id"], timeout=120))
        assert final["status"] == "succeeded", final.get("error")
        curve = await anyio.to_thread.run_sync(ls.job_metrics, job["id"])
        assert curve.height >= 1

        name = f"client-{uuid.uuid4().hex[:6]}"

        def register_and_read() -> tuple[Any, ...]:
            registered = ls.register_version(job["id"], name)
            return registered, ls.model_versions(name), ls.model_card(name, 1), ls.models()

        registered, versions, card, models = await anyio.to_thread.run_sync(register_and_read)
        assert registered["version"] == 1
        assert [v["version"] for v in versions] == [1] and versions[0]["sourceJobId"] == job["id"]
        assert card["inputContract"]["target"] == "HUFL"
        assert [h["code"] for h in card["headings"]][:2] == ["title", "intendedUse"]
        assert name in [m["name"] for m in models]
        with pytest.raises(LoadstarError) as missing:
            await anyio.to_thread.run_sync(lambda: ls.model_version(name, 9))
        assert missing.value.status == 404 and missing.value.code == "NOT_FOUND"
    finally:
        ls.close()


async def test_the_client_predicts_through_a_deployment(
    live: tuple[httpx.AsyncClient, dict[str, str]], live_model: Any
) -> None:
    client, _ = live
    await live_model.register(forecaster_onnx())
    deployed = await live_model.deploy(version=1)
    ls = await anyio.to_thread.run_sync(_client, client)
    try:
        window = predict_body(deployed["id"])["series"]
        answer = await anyio.to_thread.run_sync(lambda: ls.predict(deployed["id"], window))
        assert answer["version"] == 1
        assert answer["intervals"]["p50"][0] == pytest.approx(last_load(), rel=1e-4)
        listed = await anyio.to_thread.run_sync(lambda: ls.deployments(live_model.name))
        assert [d["id"] for d in listed] == [deployed["id"]]
        with pytest.raises(LoadstarError) as bad:
            await anyio.to_thread.run_sync(lambda: ls.predict(deployed["id"], window[:3]))
        # three of the window's points: refused with the standard error, in plain words
        assert bad.value.status == 422 and bad.value.code == "INPUT_MISSING_EXCEEDS"
        assert "misses 21 of 24 points" in bad.value.message
    finally:
        ls.close()
