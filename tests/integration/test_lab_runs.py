"""Runs on the real stack: a deleted run leaves no row, event or object; a run a
registered version came from cannot be deleted; the run table and the comparison; the
weights library (upload, tag, download byte-identical, delete; pickles refused)."""

from __future__ import annotations

import io
import os
import pickle
import uuid

import asyncpg
import pytest
import torch

from tests.integration.flow_support import make_plan
from tests.integration.lab_support import objects_under, s3_client, train

pytestmark = [pytest.mark.anyio, pytest.mark.integration, pytest.mark.slow]


async def _experiment(client, headers, dataset_id: str, plan_id: str, **extra) -> dict:
    resp = await client.post(
        "/api/v1/experiments",
        json={
            "name": f"exp-{uuid.uuid4().hex[:6]}",
            "datasetId": dataset_id,
            "featurePlanId": plan_id,
            "algorithm": "linear",
            "hyperparams": {"epochs": 2, "seed": 3},
            **extra,
        },
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


@pytest.mark.timeout(1500)  # two real trainings on shared CPUs
async def test_a_deleted_run_leaves_no_row_event_or_object(
    cp_client, admin_headers, settings
) -> None:
    dataset_id, plan_id = await make_plan(cp_client, admin_headers)
    experiment = await _experiment(cp_client, admin_headers, dataset_id, plan_id)
    # one run at a time: the in-process worker would export two models concurrently
    first = (
        await cp_client.get(
            "/api/v1/runs", params={"experimentId": experiment["id"]}, headers=admin_headers
        )
    ).json()["items"][0]
    await train(cp_client, admin_headers, first["id"])
    second = await cp_client.post(
        f"/api/v1/experiments/{experiment['id']}/runs",
        json={
            "datasetId": dataset_id,
            "featurePlanId": plan_id,
            "algorithm": "mlp",
            "name": "mlp run",
            "hyperparams": {"epochs": 2, "hidden_sizes": [32]},
        },
        headers=admin_headers,
    )
    assert second.status_code == 202, second.text
    ids = [
        r["id"]
        for r in (
            await cp_client.get(
                "/api/v1/runs", params={"experimentId": experiment["id"]}, headers=admin_headers
            )
        ).json()["items"]
    ]
    assert len(ids) == 2
    await train(cp_client, admin_headers, second.json()["id"])

    # the run table and the comparison
    table = (
        await cp_client.get(
            "/api/v1/runs",
            params={"experimentId": experiment["id"], "sort": "metric:valLoss:min", "order": "asc"},
            headers=admin_headers,
        )
    ).json()
    assert {"trainLoss", "valLoss", "test.mae"} <= set(table["metricColumns"])
    losses = [r["metrics"]["valLoss"]["min"] for r in table["items"]]
    assert losses == sorted(losses)
    compare = (
        await cp_client.get(
            "/api/v1/runs/compare", params={"ids": ",".join(ids)}, headers=admin_headers
        )
    ).json()
    assert "hidden_sizes" in compare["paramDiff"] or "kernel_size" in compare["paramDiff"]
    assert all(compare["curves"][i] for i in ids)
    assert all(len(compare["perStep"][i]["mae"]) == 12 for i in ids)
    renamed = await cp_client.put(
        f"/api/v1/runs/{ids[0]}", json={"name": "renamed"}, headers=admin_headers
    )
    assert renamed.json()["name"] == "renamed"

    # a registered version depends on the first run: refused, naming it
    model_name = f"lab-{uuid.uuid4().hex[:6]}"
    version = await cp_client.post(
        f"/api/training/jobs/{ids[0]}/register",
        json={"modelName": model_name},
        headers=admin_headers,
    )
    assert version.status_code == 201, version.text
    refused = await cp_client.delete(
        f"/api/v1/experiments/{experiment['id']}", headers=admin_headers
    )
    assert refused.status_code == 409
    assert refused.json()["details"]["versions"] == [f"{model_name} v1"]
    assert (
        await cp_client.get(f"/api/training/jobs/{ids[1]}", headers=admin_headers)
    ).status_code == 200

    # the other run goes, with everything it had
    s3, bucket = s3_client(settings), settings.s3_bucket
    assert objects_under(s3, bucket, f"jobs/{ids[1]}/")
    gone = await cp_client.delete(f"/api/v1/runs/{ids[1]}", headers=admin_headers)
    assert gone.status_code == 204, gone.text
    conn = await asyncpg.connect(os.environ["DATABASE_URL"])  # the app's engine is on its loop
    try:
        for table, column in (
            ("training_job", "id"),
            ("training_event", "job_id"),
            ("lab_run", "job_id"),
        ):
            count = await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", ids[1])
            assert count == 0, f"{table} still holds the run"
    finally:
        await conn.close()
    assert objects_under(s3, bucket, f"jobs/{ids[1]}/") == []
    assert (await cp_client.get(f"/api/v1/runs/{ids[1]}", headers=admin_headers)).status_code == 404
    assert objects_under(s3, bucket, f"jobs/{ids[0]}/")  # the registered one keeps its files


async def test_weights_upload_tag_download_and_delete(cp_client, admin_headers, settings) -> None:
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["window"], ["quantiles"])],
        "tiny",
        [helper.make_tensor_value_info("window", TensorProto.FLOAT, [None, 4, 1])],
        [helper.make_tensor_value_info("quantiles", TensorProto.FLOAT, [None, 4, 1])],
    )
    data = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()
    onnx.checker.check_model(onnx.load_from_string(data))
    up = await cp_client.post(
        "/api/models/weights",
        files={"file": ("tiny.onnx", io.BytesIO(data), "application/octet-stream")},
        data={"name": "tiny", "tags": "best, deploy"},
        headers=admin_headers,
    )
    assert up.status_code == 201, up.text
    weight = up.json()
    assert weight["format"] == "onnx" and weight["bytes"] == len(data)
    assert weight["signature"]["inputs"][0] == {
        "name": "window",
        "dtype": "float32",
        "shape": [-1, 4, 1],
    }
    assert weight["tags"] == ["best", "deploy"]
    tagged = await cp_client.put(
        f"/api/v1/models/weights/{weight['id']}",
        json={"tags": ["best"], "notes": "relu"},
        headers=admin_headers,
    )
    assert tagged.json()["tags"] == ["best"] and tagged.json()["notes"] == "relu"
    download = await cp_client.get(
        f"/api/models/weights/{weight['id']}/download", headers=admin_headers
    )
    assert download.content == data
    assert download.headers["content-disposition"] == 'attachment; filename="tiny.onnx"'
    s3 = s3_client(settings)
    assert objects_under(s3, settings.s3_bucket, f"weights/{weight['id']}/")
    assert (
        await cp_client.delete(f"/api/models/weights/{weight['id']}", headers=admin_headers)
    ).status_code == 204
    assert objects_under(s3, settings.s3_bucket, f"weights/{weight['id']}/") == []
    assert (
        await cp_client.get(f"/api/models/weights/{weight['id']}", headers=admin_headers)
    ).status_code == 404


class Payload:
    def __reduce__(self):  # what an attacker's .pt would carry
        return (print, ("pwned",))


async def test_a_pickled_payload_is_refused_and_a_state_dict_accepted(
    cp_client, admin_headers
) -> None:
    evil = io.BytesIO()
    torch.save({"weight": torch.zeros(2), "extra": Payload()}, evil, pickle_protocol=2)
    refused = await cp_client.post(
        "/api/models/weights",
        files={"file": ("evil.pt", io.BytesIO(evil.getvalue()), "application/octet-stream")},
        headers=admin_headers,
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["details"]["global"].endswith(".print")  # never called
    raw = await cp_client.post(
        "/api/models/weights",
        files={"file": ("raw.pt", io.BytesIO(pickle.dumps({"a": 1})), "application/octet-stream")},
        headers=admin_headers,
    )
    assert raw.status_code == 400
    fine = io.BytesIO()
    torch.save(torch.nn.Linear(3, 2).state_dict(), fine)
    ok = await cp_client.post(
        "/api/models/weights",
        files={"file": ("linear.pt", io.BytesIO(fine.getvalue()), "application/octet-stream")},
        headers=admin_headers,
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["signature"] == {"tensors": 2}
