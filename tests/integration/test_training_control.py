"""Controlling training jobs on real workers: stop, pause and resume from the S3 checkpoint,
a worker process killed mid-job (retried from its checkpoint, or failed after its last
attempt), log filters, refused transitions and requests, and events that a consumer which
went away held back still reaching the WebSocket in order.

The jobs run on a control plane process and worker processes of this module's own
namespace (`isolated_stack`), so no other test run's worker takes them.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import msgspec
import pytest
import redis

from tests.conftest import TEST_DATABASE_URL, login
from tests.integration.flow_support import JOBS, make_plan, queue_job, until, wait_for
from tests.integration.isolated_stack import Isolated, isolated

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]
__all__ = ["isolated"]  # the fixture

# long enough that a pause, a stop or a kill lands mid-training: the test acts on the
# first epoch it sees, and small batches (each one polls the job's control key) keep the
# remaining epochs well over a second on a fast machine, so a request made then still
# finds the run training; patience keeps every epoch
SLOW = {"epochs": 12, "batch_size": 4, "patience": 100, "seed": 5}
FINISHED = {"succeeded", "failed", "cancelled"}


def standard_error(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert {"code", "message"} <= set(body) <= {"code", "message", "details"}, body
    assert body["code"] == code, body
    return body


async def control(client: Any, headers: dict[str, str], job_id: str, action: str) -> Any:
    return await client.post(f"{JOBS}/{job_id}/control", json={"action": action}, headers=headers)


async def metrics(client: Any, headers: dict[str, str], job_id: str) -> list[dict[str, Any]]:
    resp = await client.get(f"{JOBS}/{job_id}/metrics", headers=headers)
    assert resp.status_code == 200, resp.text
    return [m for m in resp.json() if "epoch" in m["payload"]]


async def epoch_numbers(client: Any, headers: dict[str, str], job_id: str) -> list[int]:
    return [int(m["payload"]["epoch"]) for m in await metrics(client, headers, job_id)]


async def slow_job(stack: Isolated, **extra: Any) -> tuple[dict[str, Any], str]:
    """A job on a fresh dataset and plan that trains long enough to be interrupted, and
    its URL."""
    dataset_id, plan_id = await make_plan(stack.client, stack.admin)
    job = await queue_job(stack.client, stack.admin, dataset_id, plan_id, SLOW, **extra)
    return job, f"{JOBS}/{job['id']}"


async def logs(client: Any, headers: dict[str, str], job_id: str, **params: Any) -> dict[str, Any]:
    resp = await client.get(f"{JOBS}/{job_id}/logs", params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def epochs_after(client: Any, headers: dict[str, str], job_id: str, count: int) -> int:
    """Waits until the job has reported more than `count` epochs; returns how many."""

    async def more() -> int:
        reported = len(await metrics(client, headers, job_id))
        return reported if reported > count else 0

    return int(await until(more, seconds=120, every=0.1))


async def websocket_events(
    client: Any, headers: dict[str, str], job_id: str
) -> list[dict[str, Any]]:
    """Everything the job's WebSocket sends until the job's end."""
    token = headers["Authorization"].split()[1]
    session = await client.websocket_connect(f"/ws/training/{job_id}?token={token}")
    return await asyncio.to_thread(_receive_until_the_end, session)


def _receive_until_the_end(session: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    with session:
        while True:
            event = session.receive_json(timeout=30)
            events.append(event)
            status = event["payload"].get("status") if event["type"] == "status" else None
            if event["type"] in ("done", "error") or status == "cancelled":
                return events


def queue_of(stack: Isolated) -> redis.Redis:
    return redis.Redis.from_url(stack.env.get("REDIS_URL", "redis://127.0.0.1:6379/0"))


async def test_stopping_a_queued_job_cancels_it_and_tells_live_clients(
    isolated: Isolated,
) -> None:
    client, headers = isolated.client, isolated.admin
    dataset_id, plan_id = await make_plan(client, headers)
    job = await queue_job(client, headers, dataset_id, plan_id, {"epochs": 1})
    resp = await control(client, headers, job["id"], "stop")
    assert resp.status_code == 200, resp.text
    stopped = resp.json()
    assert stopped["status"] == "cancelled" and stopped["finishedAt"] is not None

    # a client watching the job sees its end, without any worker having run it
    events = await isolated.live_events(job["id"], headers)
    assert [(e["type"], e["payload"]["status"]) for e in events] == [("status", "cancelled")]

    queue = queue_of(isolated)
    name = f"{isolated.env['LOADSTAR_NAMESPACE']}:training"
    with isolated.worker("stopped-queued"):  # the worker takes the queued run and drops it

        async def drained() -> bool:  # this job's run only: other tests' may wait deferred
            runs = queue.zrange(name, 0, -1)
            return not any(run.decode().startswith(f"{job['id']}:") for run in runs)

        await until(drained, seconds=60)
    queue.close()
    final = (await client.get(f"{JOBS}/{job['id']}", headers=headers)).json()
    assert final["status"] == "cancelled" and final["startedAt"] is None
    assert await metrics(client, headers, job["id"]) == []
    assert final["artifacts"] == []


async def test_pause_checkpoints_to_s3_and_resume_continues_the_epochs(
    isolated: Isolated, settings
) -> None:
    from control_plane.adapters.object_store import ObjectStore
    from schemas.training_job.protocol import heartbeat_key

    client, headers = isolated.client, isolated.admin
    store = ObjectStore.from_settings(settings)
    dataset_id, plan_id = await make_plan(client, headers)
    job = await queue_job(client, headers, dataset_id, plan_id, SLOW)
    url = f"{JOBS}/{job['id']}"
    checkpoint = f"jobs/{job['id']}/checkpoint.pt"
    seen = 0
    with isolated.worker("pause-resume"):
        for cycle in (1, 2):  # twice: a second pause of the same attempt must resume too
            seen = await epochs_after(client, headers, job["id"], seen)
            resp = await control(client, headers, job["id"], "pause")
            assert resp.status_code == 200, resp.text
            paused = await wait_for(client, url, headers, {"paused", *FINISHED}, seconds=60)
            assert paused["status"] == "paused", (cycle, paused["status"], paused["error"])
            assert await store.exists(checkpoint), f"no checkpoint after pause {cycle}"
            standard_error(await control(client, headers, job["id"], "pause"), 409, "CONFLICT")
            seen = len(await metrics(client, headers, job["id"]))
            resp = await control(client, headers, job["id"], "resume")
            assert resp.status_code == 200 and resp.json()["status"] == "queued", resp.text
        final = await wait_for(client, url, headers, FINISHED, seconds=240)
    assert final["status"] == "succeeded", final["error"]
    assert final["attempt"] == 1 and final["progress"] == 1.0
    epochs = await epoch_numbers(client, headers, job["id"])
    assert epochs == list(range(1, SLOW["epochs"] + 1)), "each epoch once, none restarted"
    statuses = [
        e["payload"]["status"]
        for e in await isolated.live_events(job["id"], headers)
        if e["type"] == "status"
    ]
    assert statuses == ["running", "paused", "running", "paused", "running"]
    # the finished attempt says so, rather than look like a worker that vanished
    beat = queue_of(isolated)
    assert beat.get(heartbeat_key(job["id"])) == b"ended"
    beat.close()

    # the logs of this job, filtered
    everything = await logs(client, headers, job["id"])
    assert everything["total"] == len(everything["items"]) >= 5
    info = await logs(client, headers, job["id"], level="info")
    assert info["total"] == everything["total"]
    assert {line["level"] for line in info["items"]} == {"INFO"}
    assert (await logs(client, headers, job["id"], level="ERROR"))["total"] == 0
    resumed = await logs(client, headers, job["id"], q="RESUMING from")
    assert resumed["total"] == 2
    assert all("resuming from checkpoint" in line["message"] for line in resumed["items"])
    # the search reads the message literally, not the payload's JSON keys or LIKE wildcards
    assert (await logs(client, headers, job["id"], q="progress"))["total"] == 0
    percent = await logs(client, headers, job["id"], q="%")
    assert percent["total"] == sum("%" in line["message"] for line in everything["items"]) >= 1
    assert (await logs(client, headers, job["id"], q="_"))["total"] == sum(
        "_" in line["message"] for line in everything["items"]
    )
    first = await logs(client, headers, job["id"], page=1, pageSize=2)
    second = await logs(client, headers, job["id"], page=2, pageSize=2)
    assert first["total"] == second["total"] == everything["total"]
    assert [line["seq"] for line in first["items"] + second["items"]] == [
        line["seq"] for line in everything["items"][:4]
    ]
    far = await logs(client, headers, job["id"], page=99, pageSize=2)
    assert far["items"] == [] and far["total"] == everything["total"]


async def test_stopping_a_running_job_cancels_it_at_the_next_batch(isolated: Isolated) -> None:
    client, headers = isolated.client, isolated.admin
    dataset_id, plan_id = await make_plan(client, headers)
    job = await queue_job(client, headers, dataset_id, plan_id, SLOW)
    url = f"{JOBS}/{job['id']}"
    with isolated.worker("stop-running"):
        await epochs_after(client, headers, job["id"], 0)
        resp = await control(client, headers, job["id"], "stop")
        assert resp.status_code == 200, resp.text
        final = await wait_for(client, url, headers, FINISHED, seconds=60)
    assert final["status"] == "cancelled", final["error"]
    assert final["finishedAt"] is not None and final["artifacts"] == []
    assert len(await metrics(client, headers, job["id"])) < SLOW["epochs"]
    for action in ("stop", "pause", "resume"):
        standard_error(await control(client, headers, job["id"], action), 409, "CONFLICT")


async def test_a_killed_worker_is_retried_from_its_checkpoint_by_another(
    isolated: Isolated, settings
) -> None:
    from control_plane.adapters.object_store import ObjectStore

    client, headers = isolated.client, isolated.admin
    store = ObjectStore.from_settings(settings)
    job, url = await slow_job(isolated, maxAttempts=2)
    with isolated.worker("first-worker") as first:
        await epochs_after(client, headers, job["id"], 0)

        async def checkpointed() -> bool:
            return await store.exists(f"jobs/{job['id']}/checkpoint.pt")

        await until(checkpointed, seconds=60, every=0.1)
        first.kill()  # SIGKILL: no goodbye, the heartbeat just stops

    async def requeued() -> dict[str, Any] | None:
        body: dict[str, Any] = (await client.get(url, headers=headers)).json()
        return body if body["attempt"] == 2 else None

    retry = await until(requeued, seconds=30)
    assert retry["status"] == "queued", retry  # no worker left on this queue
    lost = await logs(client, headers, job["id"], level="WARNING")
    assert [line["message"] for line in lost["items"]] == [
        "worker lost (no heartbeat); retry 2 of 2 from the last checkpoint"
    ]

    with isolated.worker("second-worker"):
        final = await wait_for(client, url, headers, FINISHED, seconds=240)
    assert final["status"] == "succeeded", final["error"]
    assert final["attempt"] == 2

    points = await metrics(client, headers, job["id"])
    retried_at = lost["items"][0]["seq"]
    before = [int(m["payload"]["epoch"]) for m in points if m["seq"] < retried_at]
    after = [int(m["payload"]["epoch"]) for m in points if m["seq"] > retried_at]
    assert before == list(range(1, len(before) + 1)) and len(before) < SLOW["epochs"]
    # the second worker starts after the last epoch that reached S3, not from scratch
    assert 1 < after[0] <= before[-1] + 1, (before, after)
    assert after == list(range(after[0], SLOW["epochs"] + 1))
    resumed = await logs(client, headers, job["id"], q="resuming from checkpoint")
    assert [line["message"] for line in resumed["items"]] == [
        "resuming from checkpoint (attempt 2)"
    ]
    # nothing after the end: the finished attempt was not taken for a lost one
    events = await isolated.live_events(job["id"], headers)
    assert events[-1]["type"] == "done" and events[-1]["seq"] == final["lastSeq"]


async def test_a_worker_shut_down_mid_job_hands_it_back_from_its_place(
    isolated: Isolated,
) -> None:
    from schemas.training_job.protocol import handback_key

    client, headers = isolated.client, isolated.admin
    # one attempt only: a lost worker would fail this job, a handed-back one must not
    job, url = await slow_job(isolated, maxAttempts=1)
    with isolated.worker("shut-down") as first:
        await epochs_after(client, headers, job["id"], 0)
        first.terminate()  # SIGTERM, what a deploy or `make down` sends
        first.wait(timeout=30)  # it saves its place at the next batch and ends
    before = await epoch_numbers(client, headers, job["id"])
    assert len(before) < SLOW["epochs"], "the worker trained on instead of stopping"

    async def queued_again() -> dict[str, Any] | None:
        body: dict[str, Any] = (await client.get(url, headers=headers)).json()
        return body if body["status"] == "queued" else None

    back = await until(queued_again, seconds=30)
    assert back["attempt"] == 1, back  # the same attempt: a shutdown is not a failure
    said = [line["message"] for line in (await logs(client, headers, job["id"]))["items"]]
    assert "worker shutting down: place saved; the job continues from it" in said
    assert "its worker shut down; attempt 1 goes on from its place" in said
    beat = queue_of(isolated)
    assert beat.get(handback_key(job["id"])) is None  # taken back once
    beat.close()

    with isolated.worker("next-worker"):
        final = await wait_for(client, url, headers, FINISHED, seconds=240)
    assert final["status"] == "succeeded", final["error"]
    assert final["attempt"] == 1
    epochs = await epoch_numbers(client, headers, job["id"])
    assert epochs == list(range(1, SLOW["epochs"] + 1)), "it went on inside the epoch it left"


async def test_a_job_whose_worker_dies_on_its_last_attempt_fails_with_the_reason(
    isolated: Isolated,
) -> None:
    client, headers = isolated.client, isolated.admin
    job, url = await slow_job(isolated, maxAttempts=1)
    with isolated.worker("dies") as worker:
        await epochs_after(client, headers, job["id"], 0)
        worker.kill()
    final = await wait_for(client, url, headers, FINISHED, seconds=30)
    reason = "worker lost (no heartbeat) after 1 attempts"
    assert final["status"] == "failed" and final["error"] == reason, final
    assert final["attempt"] == 1 and final["finishedAt"] is not None
    assert len(await metrics(client, headers, job["id"])) < SLOW["epochs"]

    async def error_lines() -> list[str]:  # the log line comes through the event stream,
        # after the status update: on a busy machine a moment later
        errors = await logs(client, headers, job["id"], level="ERROR")
        return [line["message"] for line in errors["items"]]

    assert await until(error_lines, seconds=15) == [reason]
    events = await isolated.live_events(job["id"], headers)
    assert events[-1]["type"] == "error" and events[-1]["payload"]["message"] == reason
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(set(seqs)) and sum(e["type"] == "error" for e in events) == 1


async def test_refused_transitions_and_requests_use_the_standard_error(
    isolated: Isolated,
) -> None:
    client, headers = isolated.client, isolated.admin
    resp = await client.post(
        "/api/auth/users",
        json={"username": "viewer1", "password": "viewer-pass", "role": "viewer"},
        headers=headers,
    )
    assert resp.status_code in (201, 409), resp.text
    viewer = await login(client, "viewer1", "viewer-pass")
    dataset_id, plan_id = await make_plan(client, headers, rows=400)
    job = await queue_job(client, headers, dataset_id, plan_id, {"epochs": 1})
    for action in ("pause", "resume"):  # a queued job is neither running nor paused
        body = standard_error(await control(client, headers, job["id"], action), 409, "CONFLICT")
        assert body["details"] == {"status": "queued"}
    standard_error(await control(client, headers, job["id"], "explode"), 400, "INVALID_INPUT")
    standard_error(await control(client, viewer, job["id"], "stop"), 403, "FORBIDDEN")
    standard_error(await control(client, headers, "job-nothere", "stop"), 404, "NOT_FOUND")
    assert (await control(client, headers, job["id"], "stop")).status_code == 200

    def create(**changes: Any) -> Any:
        body = {"datasetId": dataset_id, "featurePlanId": plan_id, "algorithm": "linear"}
        return client.post(JOBS, json={**body, **changes}, headers=headers)

    unknown = standard_error(await create(algorithm="prophet"), 400, "INVALID_INPUT")
    assert unknown["details"]["field"] == "algorithm" and "linear" in unknown["details"]["allowed"]
    missing_plan = standard_error(await create(featurePlanId="fp-00000000"), 404, "NOT_FOUND")
    assert missing_plan["details"] == {"featurePlanId": "fp-00000000"}
    standard_error(await create(datasetId="ds-00000000"), 404, "NOT_FOUND")
    standard_error(await create(maxAttempts=0), 400, "INVALID_INPUT")
    standard_error(await create(colour="red"), 400, "INVALID_INPUT")
    # hyperparameters are checked before anything is queued, naming the parameter
    listed = (await client.get(JOBS, headers=headers)).json()
    for hyperparams, parameter in (
        ({"epochs": 0}, "epochs"),
        ({"lr": "fast"}, "lr"),
        ({"learning_rate": 0.1}, "learning_rate"),
    ):
        bad = standard_error(await create(hyperparams=hyperparams), 400, "INVALID_INPUT")
        assert bad["details"]["field"] == "hyperparams", bad
        assert bad["details"]["parameter"] == parameter, bad
    patch = standard_error(
        await create(algorithm="patchtst", hyperparams={"d_model": 30, "n_heads": 4}),
        400,
        "INVALID_INPUT",
    )
    assert patch["details"]["parameter"] == "d_model"
    assert (await client.get(JOBS, headers=headers)).json() == listed  # nothing was created
    refused = await client.post(
        JOBS, json={"datasetId": dataset_id, "featurePlanId": plan_id}, headers=viewer
    )
    standard_error(refused, 403, "FORBIDDEN")
    standard_error(await client.get(f"{JOBS}/job-nothere", headers=headers), 404, "NOT_FOUND")
    for tail in ("metrics", "logs"):
        resp = await client.get(f"{JOBS}/job-nothere/{tail}", headers=headers)
        standard_error(resp, 404, "NOT_FOUND")
    page_zero = await client.get(f"{JOBS}/{job['id']}/logs", params={"page": 0}, headers=headers)
    standard_error(page_zero, 400, "INVALID_INPUT")


async def test_events_a_departed_consumer_held_still_reach_the_websocket_in_order(
    cp_client, admin_headers, settings
) -> None:
    """Control planes share the stream; one that stops after reading a batch leaves those
    entries pending under its name. The others take them over, and the WebSocket waits for
    the missing seq instead of replaying a history with a hole in it."""
    import redis.asyncio as aioredis

    from control_plane.training.consumer import EventConsumer
    from schemas.training_job.protocol import GROUP

    job_id = f"job-{uuid.uuid4().hex[:8]}"
    stream = f"loadstar-test:stranded-{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        await conn.execute(
            "INSERT INTO training_job (id, dataset_id, feature_plan_id, algorithm, hyperparams,"
            " plan, status, progress, attempt, max_attempts, error, evaluation, artifacts, card,"
            " card_markdown, signature, created_by, created_at, last_seq, requested_action)"
            " VALUES ($1, 'ds-x', 'fp-x', 'linear', '{}', '{}', 'queued', 0, 1, 1, '', '{}',"
            " '[]', '{}', '', '{}', 'admin', $2, 0, 'run')",
            job_id,
            datetime.now(UTC),
        )
    finally:
        await conn.close()
    sync = redis.Redis.from_url(settings.redis_url)
    sync.xgroup_create(stream, GROUP, id="0", mkstream=True)
    stamp = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    for seq, kind, payload in [
        (1, "log", {"level": "INFO", "message": "started"}),
        (2, "metric", {"epoch": 1, "trainLoss": 0.5, "progress": 0.5}),
        (3, "log", {"level": "INFO", "message": "evaluating"}),
        (4, "done", {"evaluation": {"mae": 1.0}}),
    ]:
        fields = {"jobId": job_id, "type": kind, "seq": seq, "ts": stamp}
        sync.xadd(stream, {**fields, "payload": msgspec.json.encode(payload)})

    state = cp_client.app.state
    portal = cp_client.blocking_portal

    async def departed() -> None:
        """Reads two entries, persists the first, and is gone before the second."""
        client = aioredis.Redis.from_url(settings.redis_url)
        try:
            consumer = EventConsumer(
                client, state.store, state.training_queue, stream=stream, name="departed"
            )
            [(_, entries)] = await client.xreadgroup(GROUP, "departed", {stream: ">"}, count=2)
            await consumer.handle(entries[:1])
        finally:
            await client.aclose()

    async def survivor() -> None:
        client = aioredis.Redis.from_url(settings.redis_url)
        try:
            consumer = EventConsumer(
                client, state.store, state.training_queue, stream=stream, name="survivor"
            )
            await consumer.run()
        finally:
            await client.aclose()

    # both run in the control plane's own event loop, beside its database pool
    portal.call(departed)
    running = portal.start_task_soon(survivor)
    try:
        final = await wait_for(cp_client, f"{JOBS}/{job_id}", admin_headers, FINISHED, 30)
        assert final["status"] == "succeeded"  # seq 4 is in while seq 2 is still held
        events = await websocket_events(cp_client, admin_headers, job_id)
        assert [e["seq"] for e in events] == [1, 2, 3, 4]
        assert [e["type"] for e in events] == ["log", "metric", "log", "done"]
        assert [m["seq"] for m in await metrics(cp_client, admin_headers, job_id)] == [2]
        assert sync.xpending(stream, GROUP)["pending"] == 0
    finally:
        running.cancel()
        sync.delete(stream)
        sync.close()
