"""A real arq worker trains a small plan on real data; events arrive in order over the WebSocket;
the registered version deploys to Triton and answers through the control plane's predict."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from tests.integration.flow_support import make_job, run_worker_until_idle, wait_for

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]


async def test_worker_trains_and_websocket_replays_ordered_events(cp_client, admin_headers) -> None:
    job = await make_job(cp_client, admin_headers)
    await run_worker_until_idle()
    final = await wait_for(
        cp_client, f"/api/training/jobs/{job['id']}", admin_headers, {"succeeded", "failed"}
    )
    assert final["status"] == "succeeded", final["error"]
    assert {a["name"] for a in final["artifacts"]} >= {"model.onnx", "card.json", "card.md"}
    assert final["evaluation"]

    token = admin_headers["Authorization"].split()[1]
    events = []
    ws = await cp_client.websocket_connect(f"/ws/training/{job['id']}?token={token}")
    with ws:
        while True:
            event = ws.receive_json(timeout=10)
            events.append(event)
            if event["type"] in ("done", "error"):
                break
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), "no gap, no repeat, in order"
    kinds = [e["type"] for e in events]
    for kind in ("log", "metric", "artifact", "done"):
        assert kind in kinds
    assert kinds.index("metric") < kinds.index("artifact") < kinds.index("done")

    metrics = (
        await cp_client.get(f"/api/training/jobs/{job['id']}/metrics", headers=admin_headers)
    ).json()
    assert [m["payload"]["epoch"] for m in metrics if "epoch" in m["payload"]]
    logs = (
        await cp_client.get(
            f"/api/training/jobs/{job['id']}/logs", headers=admin_headers, params={"level": "INFO"}
        )
    ).json()
    assert logs["total"] >= 1 and all(line["level"] == "INFO" for line in logs["items"])


async def test_registered_version_deploys_and_predicts_like_onnxruntime(
    cp_client, admin_headers, settings
) -> None:
    import onnxruntime as ort

    job = await make_job(cp_client, admin_headers, epochs=1)
    await run_worker_until_idle()
    final = await wait_for(
        cp_client, f"/api/training/jobs/{job['id']}", admin_headers, {"succeeded", "failed"}
    )
    assert final["status"] == "succeeded", final["error"]
    name = f"flow-{uuid.uuid4().hex[:6]}"
    version = await cp_client.post(
        f"/api/training/jobs/{job['id']}/register", json={"modelName": name}, headers=admin_headers
    )
    assert version.status_code == 201, version.text
    dep = await cp_client.post(
        "/api/deployments",
        json={
            "modelId": name,
            "version": version.json()["version"],
            "mapping": {"inputs": [{"name": "HUFL", "source": "load_w", "unit": "W"}]},
        },
        headers=admin_headers,
    )
    assert dep.status_code == 201, dep.text
    created = dep.json()
    assert len(created["apiToken"]) >= 43
    contract_page = (
        await cp_client.get(f"/api/deployments/{created['id']}/contract", headers=admin_headers)
    ).json()
    assert contract_page["exampleOutput"] is not None, contract_page["exampleError"]
    request = contract_page["exampleRequest"]
    out = await cp_client.post(
        "/api/inference/predict",
        json={**request, "deploymentId": created["id"]},
        headers=admin_headers,
    )
    assert out.status_code == 200, out.text
    body = out.json()
    assert len(body["values"]) == 12 and set(body["intervals"]) == {"p05", "p50", "p95"}

    # the same window through onnxruntime in-process gives the same numbers
    import msgspec

    from loadstar_core.postprocess import legalize_window, prepare_contract
    from schemas.contracts import DeploymentContract, InferenceInput

    contract = msgspec.convert(contract_page["contract"], DeploymentContract)
    legal = legalize_window(
        contract, msgspec.convert(request, InferenceInput), prepare_contract(contract)
    )
    onnx_key = next(a["uri"] for a in final["artifacts"] if a["name"] == "model.onnx").split(
        "/", 3
    )[3]
    from control_plane.adapters.object_store import ObjectStore

    session = ort.InferenceSession(await ObjectStore.from_settings(settings).get_bytes(onnx_key))
    feeds = {"window": legal.window[np.newaxis]}
    if legal.calendar is not None:
        feeds["calendar"] = legal.calendar[np.newaxis]
    expected = session.run(["quantiles"], feeds)[0][0]
    # the model answers in its own unit; the caller gets the unit it sends the target in
    from loadstar_core.postprocess.units import resolve_conversion

    model_unit = next(i.unit for i in contract.inputs if i.name == contract.target.name)
    to_caller = resolve_conversion(model_unit, contract_page["answerUnit"])
    assert contract_page["answerUnit"] == "W" and to_caller.factor != 1.0
    np.testing.assert_allclose(
        body["intervals"]["p50"],
        to_caller.factor * expected[:, 1] + to_caller.offset,
        rtol=1e-4,
        atol=1e-4,
    )


async def test_a_just_ended_job_waits_for_its_last_event(
    cp_client, admin_headers, settings
) -> None:
    """A job stopped while queued reads "cancelled" at once, but its status event may
    still be on its way to the store: a client that connects in between gets that event
    when it arrives, instead of a socket closed with nothing."""
    import threading
    from datetime import UTC, datetime

    import asyncpg
    import msgspec
    import redis

    from control_plane.training.tables import TrainingJob
    from schemas.training_job.protocol import StatusEvent, StatusPayload, live_channel

    job = await make_job(cp_client, admin_headers)
    now = datetime.now(UTC)
    db = await asyncpg.connect(settings.database_url)  # its own connection: not the app's loop
    try:
        await db.execute(
            f"UPDATE {TrainingJob._meta.tablename} SET status = 'cancelled', finished_at = $1"
            " WHERE id = $2",
            now,
            job["id"],
        )
    finally:
        await db.close()
    event = StatusEvent(
        seq=1, ts=now.isoformat(), jobId=job["id"], payload=StatusPayload(status="cancelled")
    )
    publisher = redis.Redis.from_url(settings.redis_url)

    def publish_late() -> None:  # after the relay has read an empty history
        publisher.publish(live_channel(job["id"]), msgspec.json.encode(event))

    timer = threading.Timer(1.5, publish_late)
    token = admin_headers["Authorization"].split()[1]
    ws = await cp_client.websocket_connect(f"/ws/training/{job['id']}?token={token}")
    timer.start()
    try:
        with ws:
            received = ws.receive_json(timeout=20)
    finally:
        timer.cancel()
        timer.join()  # a publish already under way must finish before its client closes
        publisher.close()
    assert received["type"] == "status" and received["payload"]["status"] == "cancelled"
