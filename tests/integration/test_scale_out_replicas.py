"""The scale-out recipe (`infra/local/scaleout.py`) as a test: two Tritons on one model
repository, two gateways and two training workers on the one Redis, real processes.

The stack's control plane, gateway and worker are started knowing both Tritons, then the
recipe's second Triton, gateway and worker. A version published through the control plane
is READY on both Tritons; predictions sent through both gateways are each answered once,
correctly, by one Triton call spread over both replicas; training jobs each run on exactly
one worker, on their first attempt; a replica that lost the model gets it back from the
control plane, and a Triton started after publishing loads it from the shared repository.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.local import scaleout, stack
from infra.local.services import DATABASE_URL
from tests.conftest import login
from tests.integration.deployment_support import ModelVersions, last_load, shifted_forecaster
from tests.integration.deployment_support import predict_body as body_for
from tests.integration.flow_support import JOBS, make_plan, queue_job, until
from tests.integration.test_gateway_support import SecondTriton, iter_metric

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]

PREDICT = "/api/inference/predict"
TRITONS = ["http://127.0.0.1:8000", f"http://127.0.0.1:{scaleout.TRITON_2['--http-port']}"]
METRICS = [
    "http://127.0.0.1:8002/metrics",
    f"http://127.0.0.1:{scaleout.TRITON_2['--metrics-port']}/metrics",
]
GATEWAYS = ["http://127.0.0.1:8090", f"http://127.0.0.1:{scaleout.GATEWAY_2_PORT}"]
SHIFT = 7.0
PER_GATEWAY = 12
JOB_COUNT = 4


@pytest.fixture
def scaled_out(
    services: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """The recipe: the stack's apps knowing both Tritons, then the second of each."""
    assert DATABASE_URL.endswith("/loadstar_test"), DATABASE_URL  # never the stack's data
    for name, value in scaleout.replicas_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LOADSTAR_TRITON_SYNC_S", "2")
    monkeypatch.setenv("LOADSTAR_GATEWAY_TRITON_PROTOCOL", "http")
    monkeypatch.setenv("LOADSTAR_GATEWAY_STATE", str(tmp_path / "gateway-1" / "snapshot.json"))
    monkeypatch.setenv("LOADSTAR_GATEWAY_2_STATE", str(tmp_path / "gateway-2" / "snapshot.json"))
    first = ["control_plane", "edge_gateway", "worker"]
    running = [n for n in first if stack.state_of(stack.BY_NAME[n])[0] != "stopped"]
    if running:
        pytest.fail(f"stop the stack's {running} first (`make down`): they know one Triton")
    started: list[str] = []
    second: list[str] = []
    try:
        started = stack.ensure(first)
        second = scaleout.up()
        yield [str(stack.LOGS / "worker.log"), str(stack.LOGS / "worker_2.log")]
    finally:
        scaleout.down(second or None)
        stack.down(started)


def model_ready(triton: str, model: str, version: int) -> bool:
    try:
        url = f"{triton}/v2/models/{model}/versions/{version}/ready"
        with urllib.request.urlopen(url, timeout=2) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


def served(metrics: str, model: str) -> float:
    """Inferences a Triton answered for `model`, all versions."""
    with urllib.request.urlopen(metrics, timeout=5) as resp:
        text = resp.read().decode()
    return sum(iter_metric(text, "nv_inference_request_success", model=model))


def gateway_ok(gateway: str) -> float:
    text = httpx.get(f"{gateway}/metrics").text
    return sum(iter_metric(text, "loadstar_gateway_requests_total", code="OK", route=PREDICT))


@pytest.fixture
async def control_plane(scaled_out: list[str]) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    async with httpx.AsyncClient(base_url="http://127.0.0.1:8080", timeout=120) as client:
        yield client, await login(client)


async def test_two_of_everything_serve_each_request_and_job_once(
    scaled_out: list[str],
    control_plane: tuple[httpx.AsyncClient, dict[str, str]],
    settings: Any,
    tmp_path: Path,
) -> None:
    client, headers = control_plane
    model = await ModelVersions(client, headers, settings).create()
    try:
        version = await model.register(shifted_forecaster(SHIFT))
        created = await model.deploy(version=version)
        name = model.triton_model
        assert [model_ready(t, name, version) for t in TRITONS] == [True, True]

        token = {"Authorization": f"Bearer {created['apiToken']}"}
        body = body_for(created["id"])
        body.pop("deploymentId")
        async with httpx.AsyncClient(timeout=30) as http:

            async def synced(gateway: str) -> bool:
                resp = await http.post(f"{gateway}{PREDICT}", json=body, headers=token)
                return resp.status_code == 200

            for gateway in GATEWAYS:  # each gateway long-polls the control plane
                await until(lambda g=gateway: synced(g), seconds=60, every=0.5)
            before = [served(m, name) for m in METRICS]
            ok_before = [gateway_ok(g) for g in GATEWAYS]
            answers: list[float] = []
            for n in range(PER_GATEWAY * len(GATEWAYS)):
                gateway = GATEWAYS[n % len(GATEWAYS)]
                resp = await http.post(
                    f"{gateway}{PREDICT}", json=body, headers={**token, "X-Request-Id": f"r-{n}"}
                )
                assert resp.status_code == 200, resp.text
                assert resp.headers.get("x-request-id") == f"r-{n}"
                answers.append(float(resp.json()["intervals"]["p50"][0]))
        assert answers == pytest.approx([last_load() + SHIFT] * len(answers))
        per_gateway = [gateway_ok(g) - b for g, b in zip(GATEWAYS, ok_before, strict=True)]
        assert per_gateway == [PER_GATEWAY, PER_GATEWAY]  # each answered by the one it reached
        per_triton = [served(m, name) - b for m, b in zip(METRICS, before, strict=True)]
        assert sum(per_triton) == PER_GATEWAY * len(GATEWAYS), per_triton  # one call each
        assert all(calls > 0 for calls in per_triton), per_triton  # spread over both
        print(f"calls per Triton: {per_triton}")

        # a replica that lost the model (restarted empty) gets it back from the control plane
        async with httpx.AsyncClient(timeout=30) as http:
            unload = f"{TRITONS[1]}/v2/repository/models/{name}/unload"
            assert (await http.post(unload, json={})).status_code == 200
        assert not model_ready(TRITONS[1], name, version)

        async def reloaded() -> bool:
            return model_ready(TRITONS[1], name, version)

        await until(reloaded, seconds=30, every=0.5)

        # one Triton stopped: both gateways answer every request through the other
        scaleout.down(["triton_2"])
        before = [served(METRICS[0], name)]
        async with httpx.AsyncClient(timeout=30) as http:
            for n in range(2 * len(GATEWAYS)):
                resp = await http.post(f"{GATEWAYS[n % 2]}{PREDICT}", json=body, headers=token)
                assert resp.status_code == 200, resp.text
                assert resp.json()["intervals"]["p50"][0] == pytest.approx(last_load() + SHIFT)
        assert served(METRICS[0], name) - before[0] == 2 * len(GATEWAYS)
        # started again, it serves the published model again (from the shared repository)
        scaleout.up()
        await until(reloaded, seconds=60, every=0.5)

        # a Triton started after publishing loads it from the shared repository
        later = SecondTriton(settings.triton_repo_dir, tmp_path / "triton-later.log")
        try:
            later.start([])

            async def later_ready() -> bool:
                return model_ready(f"http://127.0.0.1:{later.http}", name, version)

            await until(later_ready, seconds=60, every=0.5)
        finally:
            later.kill()
    finally:
        await model.cleanup()

    await jobs_run_once(client, headers, [Path(p) for p in scaled_out])


async def jobs_run_once(
    client: httpx.AsyncClient, headers: dict[str, str], logs: list[Path]
) -> None:
    dataset_id, plan_id = await make_plan(client, headers, rows=600)
    jobs = [
        await queue_job(client, headers, dataset_id, plan_id, {"epochs": 1, "seed": n})
        for n in range(JOB_COUNT)
    ]

    async def finished() -> list[dict[str, Any]] | None:
        states = [(await client.get(f"{JOBS}/{j['id']}", headers=headers)).json() for j in jobs]
        done = all(s["status"] in ("succeeded", "failed", "cancelled") for s in states)
        return states if done else None

    states = await until(finished, seconds=600, every=1.0)
    assert [s["status"] for s in states] == ["succeeded"] * JOB_COUNT, states
    assert all(s["attempt"] == 1 for s in states), states
    texts = [log.read_text(errors="replace") for log in logs]
    takers = {
        j["id"]: [n for n, text in enumerate(texts) if re.search(rf"→ {j['id']}:1:", text)]
        for j in jobs
    }
    assert all(len(t) == 1 for t in takers.values()), takers  # one worker per job, never two
    print(f"jobs per worker: {takers}")
