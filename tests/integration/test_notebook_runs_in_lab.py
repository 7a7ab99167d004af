"""A run logged from a notebook's real kernel lands in a lab experiment's run table beside
the experiment's training-job run (`kind: notebook`, with its notebook and version), its model
file becomes a registered version, and lineage reads notebook -> run -> model version."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.flow_support import make_plan
from tests.integration.notebook_support import (
    NotebookServer,
    create,
    execute,
    notebook_server,
    text_of,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
__all__ = ["notebook_server"]

TRACK = """
import pathlib, loadstar
ls = loadstar.connect()
with ls.start_run("ridge-try", {{"alpha": 0.5, "lags": [1, 24]}}, experiment_id="{exp}") as run:
    run.log_metrics({{"mae": 3.2}}, step=1)
    run.log_metrics({{"mae": 2.9, "coverage": 0.91}}, step=2)
    model = pathlib.Path("model.onnx")
    model.write_bytes(b"onnx bytes of a model trained in this notebook")
    logged = run.log_model(model, "{model}")
print("logged", logged["modelName"], logged["modelVersion"], run.id)
"""


async def test_a_kernel_logs_a_run_and_a_model_into_an_experiment(
    notebook_server: NotebookServer,
) -> None:
    s = notebook_server
    dataset_id, plan_id = await make_plan(s.client, s.admin, rows=400)
    body = {
        "name": f"nb-{uuid.uuid4().hex[:6]}",
        "datasetId": dataset_id,
        "featurePlanId": plan_id,
        "algorithm": "linear",
        "hyperparams": {"epochs": 1},
    }
    exp = await s.client.post("/api/experiments", json=body, headers=s.admin)
    assert exp.status_code == 201, exp.text
    experiment_id = exp.json()["id"]
    model_name = f"nbmodel-{uuid.uuid4().hex[:6]}"
    nb = await create(s.client, s.admin, TRACK.format(exp=experiment_id, model=model_name))
    run = await execute(s.client, s.admin, nb["id"], all=True)
    assert run["status"] == "ok", run
    printed = text_of(run["cells"][0]).split()
    assert printed[:3] == ["logged", model_name, "1"], printed
    run_id = printed[3]

    # the experiment's run table: the training job's run and the notebook's, side by side
    table = await s.client.get("/api/runs", params={"experimentId": experiment_id}, headers=s.admin)
    assert table.status_code == 200, table.text
    rows = {r["id"]: r for r in table.json()["items"]}
    assert len(rows) == 2 and {r["kind"] for r in rows.values()} == {"training", "notebook"}
    mine = rows[run_id]
    assert mine["notebookId"] == nb["id"] and mine["notebookVersion"] == 1
    assert mine["status"] == "succeeded" and mine["algorithm"] == "notebook"
    assert mine["params"] == {"alpha": 0.5, "lags": [1, 24]}
    assert mine["metrics"]["mae"] == {"last": 2.9, "min": 2.9, "max": 3.2}
    assert (mine["modelName"], mine["modelVersion"]) == (model_name, 1)
    assert "coverage" in table.json()["metricColumns"]
    one = await s.client.get(f"/api/runs/{run_id}", headers=s.admin)
    assert one.status_code == 200 and one.json()["kind"] == "notebook"
    # compared with the experiment's training run: its params in the diff, its metric steps
    both = ",".join(rows)
    compared = await s.client.get("/api/runs/compare", params={"ids": both}, headers=s.admin)
    assert compared.status_code == 200, compared.text
    assert compared.json()["paramDiff"]["alpha"][run_id] == 0.5
    assert compared.json()["curves"][run_id] == [
        {"epoch": 1, "mae": 3.2},
        {"epoch": 2, "mae": 2.9, "coverage": 0.91},
    ]

    # the model version names the notebook run as its source and carries its last metrics
    version = await s.client.get(f"/api/registry/models/{model_name}/versions/1", headers=s.admin)
    assert version.status_code == 200, version.text
    assert version.json()["metrics"] == {"mae": 2.9, "coverage": 0.91}
    source = version.json()["card"]["source"]
    assert source == {
        "kind": "notebook",
        "notebookId": nb["id"],
        "notebookVersion": 1,
        "runId": run_id,
    }

    # lineage, from the model version upstream: notebook -> run -> model version
    graph = await s.client.get(f"/api/lineage/modelVersion/{model_name}:1", headers=s.admin)
    assert graph.status_code == 200, graph.text
    edges = {(e["fromType"], e["from"], e["toType"], e["to"]) for e in graph.json()["edges"]}
    assert ("notebook", nb["id"], "notebookRun", run_id) in edges
    assert ("notebookRun", run_id, "modelVersion", f"{model_name}:1") in edges

    # a run logs one model; an unknown experiment is refused in plain words
    again = await s.client.post(
        f"/api/v2/notebook-runs/{run_id}/model",
        files={"file": ("m.onnx", b"x")},
        data={"modelName": model_name},
        headers=s.admin,
    )
    assert again.status_code == 409, again.text  # the run has ended
    missing = await s.client.post(
        f"/api/v2/notebooks/{nb['id']}/runs",
        json={"name": "x", "experimentId": "exp-missing"},
        headers=s.admin,
    )
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
