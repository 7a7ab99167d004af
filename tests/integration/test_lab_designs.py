"""Architectures and augmentation pipelines on the real stack: a graph with a skip
connection trains (with an augmentation) in a real worker and exports to ONNX that
matches torch; a graph whose shapes do not fit is refused with the node named."""

from __future__ import annotations

import io
import uuid

import numpy as np
import onnxruntime as ort
import pytest

from tests.integration.flow_support import make_plan
from tests.integration.lab_support import edge, node, s3_client, skip_graph, train

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]
ARCH = "/api/models/architectures"
AUGMENT = {
    "name": "noise and warps",
    "desc": "jitter the history, warp the window",
    "pipeline": [
        {"type": "jitter", "probability": 1.0, "sigma": 0.05},
        {"type": "timeWarp", "probability": 0.5, "sigma": 0.1},
        {"type": "gaps", "probability": 0.3, "fill": "linear"},
    ],
}


@pytest.mark.timeout(1500)  # two real trainings on shared CPUs
async def test_a_skip_connection_trains_exports_and_matches_torch_in_onnxruntime(
    cp_client, admin_headers, settings
) -> None:
    dataset_id, plan_id = await make_plan(cp_client, admin_headers)
    created = await cp_client.post(
        ARCH, json=skip_graph(f"skip-{uuid.uuid4().hex[:6]}"), headers=admin_headers
    )
    assert created.status_code == 201, created.text
    arch = created.json()
    assert arch["shapes"]["sum"] == arch["shapes"]["conv"] == [96, 16]
    listed = await cp_client.get("/api/v1/models/architectures", headers=admin_headers)
    assert arch["id"] in {a["id"] for a in listed.json()}
    aug = await cp_client.post("/api/augmentation", json=AUGMENT, headers=admin_headers)
    assert aug.status_code == 201, aug.text

    experiment = await cp_client.post(
        "/api/v1/experiments",
        json={
            "name": f"skip-{uuid.uuid4().hex[:6]}",
            "datasetId": dataset_id,
            "featurePlanId": plan_id,
            "architectureId": arch["id"],
            "augmentationId": aug.json()["id"],
            "hyperparams": {"epochs": 2, "seed": 1, "warm_start": False},
        },
        headers=admin_headers,
    )
    assert experiment.status_code == 201, experiment.text
    runs = await cp_client.get(
        "/api/v1/runs", params={"experimentId": experiment.json()["id"]}, headers=admin_headers
    )
    (run,) = runs.json()["items"]
    assert run["algorithm"] == "architecture" and run["architectureId"] == arch["id"]
    assert run["params"]["augmentation"] == "jitter+timeWarp+gaps"

    final = await train(cp_client, admin_headers, run["id"])
    assert final["card"]["onnx"]["maxRelDiff"] < 1e-4  # torch against onnxruntime, test windows
    s3 = s3_client(settings)
    files = {a["name"]: a["uri"].removeprefix("s3://").split("/", 1) for a in final["artifacts"]}
    model = s3.get_object(*files["model.onnx"]).read()
    parity = np.load(io.BytesIO(s3.get_object(*files["parity.npz"]).read()))
    session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    feeds = {i.name: parity[i.name] for i in session.get_inputs()}
    assert "window" in feeds  # the feature plan runs inside: raw window in
    np.testing.assert_allclose(
        session.run(["quantiles"], feeds)[0], parity["quantiles"], rtol=1e-5, atol=1e-5
    )


async def test_a_shape_mismatch_is_refused_naming_the_node(cp_client, admin_headers) -> None:
    bad = skip_graph("mismatch")
    bad["nodes"][3] = node("gru", "gru", hidden=8)  # add(conv: 16 channels, gru: 8)
    for path in (ARCH, f"{ARCH}/validate"):
        resp = await cp_client.post(path, json=bad, headers=admin_headers)
        assert resp.status_code == 400, resp.text
        body = resp.json()
        assert body["code"] == "INVALID_INPUT" and body["details"]["node"] == "sum"
        assert body["details"]["expected"] == [96, 16] and body["details"]["got"] == [96, 8]
        assert "'sum'" in body["message"]
    names = {a["name"] for a in (await cp_client.get(ARCH, headers=admin_headers)).json()}
    assert "mismatch" not in names

    # fits the builder's default window, not this plan's 48 points: refused at job creation
    dataset_id, plan_id = await make_plan(cp_client, admin_headers)
    patchy = {
        "name": f"long-patches-{uuid.uuid4().hex[:6]}",
        "nodes": [
            node("in", "input"),
            node("p", "patch", patchLen=64, stride=8, dModel=16),
            node("head", "quantileHead"),
        ],
        "edges": [edge("in", "p"), edge("p", "head")],
    }
    arch = (await cp_client.post(ARCH, json=patchy, headers=admin_headers)).json()
    job = await cp_client.post(
        "/api/training/jobs",
        json={"datasetId": dataset_id, "featurePlanId": plan_id, "architectureId": arch["id"]},
        headers=admin_headers,
    )
    assert job.status_code == 400, job.text
    assert job.json()["details"]["node"] == "p"
    assert job.json()["details"]["architectureId"] == arch["id"]


async def test_augmentation_crud_and_preview(cp_client, admin_headers) -> None:
    created = await cp_client.post("/api/v1/augmentation", json=AUGMENT, headers=admin_headers)
    assert created.status_code == 201, created.text
    aug_id = created.json()["id"]
    changed = {**AUGMENT, "name": "scaled", "pipeline": [{"type": "scaling", "sigma": 0.2}]}
    put = await cp_client.put(f"/api/augmentation/{aug_id}", json=changed, headers=admin_headers)
    assert put.status_code == 200 and put.json()["pipeline"][0]["probability"] == 0.5
    bad = await cp_client.post(
        "/api/augmentation",
        json={"name": "x", "pipeline": [{"type": "rotate"}]},
        headers=admin_headers,
    )
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_INPUT"

    preview = await cp_client.post(
        "/api/augmentation/preview",
        json={"pipeline": AUGMENT["pipeline"], "count": 3, "lookback": 24, "horizon": 6},
        headers=admin_headers,
    )
    assert preview.status_code == 200, preview.text
    windows = preview.json()["windows"]
    assert len(windows) == 3 and all(len(w["original"]) == 30 for w in windows)
    assert any(w["original"][:24] != w["augmented"][:24] for w in windows)

    gone = await cp_client.delete(f"/api/augmentation/{aug_id}", headers=admin_headers)
    assert gone.status_code == 204
    assert (
        await cp_client.get(f"/api/augmentation/{aug_id}", headers=admin_headers)
    ).status_code == 404


async def test_projects_group_experiments_and_other_records(cp_client, admin_headers) -> None:
    project = await cp_client.post(
        "/api/v1/projects", json={"name": "line A"}, headers=admin_headers
    )
    assert project.status_code == 201, project.text
    pid = project.json()["id"]
    assert project.json()["members"] == [{"username": "admin", "role": "owner"}]
    experiment = await cp_client.post(
        "/api/v1/experiments", json={"name": "empty", "projectId": pid}, headers=admin_headers
    )
    assert experiment.json()["status"] == "empty"
    linked = await cp_client.post(
        f"/api/projects/{pid}/links",
        json={"kind": "dataset", "refId": "ds-1"},
        headers=admin_headers,
    )
    assert linked.json()["links"] == [{"kind": "dataset", "refId": "ds-1"}]
    assert linked.json()["experiments"] == 1
    listed = await cp_client.get(
        "/api/v1/experiments", params={"projectId": pid}, headers=admin_headers
    )
    assert [e["id"] for e in listed.json()] == [experiment.json()["id"]]
    refused = await cp_client.delete(f"/api/projects/{pid}", headers=admin_headers)
    assert refused.status_code == 409
    exp_id = experiment.json()["id"]
    assert (
        await cp_client.delete(f"/api/v1/experiments/{exp_id}", headers=admin_headers)
    ).status_code == 204
    assert (
        await cp_client.delete(f"/api/projects/{pid}", headers=admin_headers)
    ).status_code == 204
