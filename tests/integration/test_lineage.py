"""Lineage derived from the records on the real Postgres."""

from __future__ import annotations

import os
from typing import Any

import asyncpg
import pytest

from tests.integration.lineage_support import (
    create_plan,
    make_model,
    register,
    unique,
    upload_dataset,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


def shape(graph: dict[str, Any]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    nodes = {(n["type"], n["id"]) for n in graph["nodes"]}
    edges = {(e["from"], e["to"]) for e in graph["edges"]}
    return nodes, edges


async def test_a_lone_version_is_its_own_graph(cp_client, admin_headers) -> None:
    name = await make_model(cp_client, admin_headers)
    await register(cp_client, admin_headers, name)
    for node_id in (f"{name}:1", f"{name}/1"):
        resp = await cp_client.get(f"/api/lineage/modelVersion/{node_id}", headers=admin_headers)
        assert resp.status_code == 200, resp.text
        graph = resp.json()
        assert graph["root"].pop("createdAt") and graph["nodes"][0].pop("createdAt")
        assert graph["root"] == {
            "id": f"{name}:1",
            "type": "modelVersion",
            "label": f"{name} v1 (None)",
        }
        assert graph["nodes"] == [graph["root"]] and graph["edges"] == []


async def test_unknown_records_and_types(cp_client, admin_headers) -> None:
    cases = {
        "/api/lineage/dataset/ds-00000000": 404,
        "/api/lineage/featurePlan/fp-00000000": 404,
        "/api/lineage/trainingJob/job-00000000": 404,
        "/api/lineage/deployment/dep-00000000": 404,
        f"/api/lineage/modelVersion/{unique('ghost')}:1": 404,
        "/api/lineage/modelVersion/no-version-here": 400,
        "/api/lineage/experiment/x": 400,
    }
    for path, status in cases.items():
        resp = await cp_client.get(path, headers=admin_headers)
        assert resp.status_code == status, (path, resp.text)
        assert set(resp.json()) == {"code", "message", "details"}


async def test_lineage_needs_a_token(cp_client) -> None:
    resp = await cp_client.get("/api/lineage/dataset/ds-00000000")
    assert resp.status_code == 401 and resp.json()["code"] == "UNAUTHORIZED"


async def queue_job(client: Any, headers: dict[str, str], dataset_id: str, plan_id: str) -> str:
    """A queued job, cancelled at once: lineage needs its record, not a trained model (and
    the test queue's worker then has nothing to train)."""
    resp = await client.post(
        "/api/training/jobs",
        json={"datasetId": dataset_id, "featurePlanId": plan_id},
        headers=headers,
    )
    assert resp.status_code == 202, resp.text
    job = str(resp.json()["id"])
    stop = await client.post(
        f"/api/training/jobs/{job}/control", json={"action": "stop"}, headers=headers
    )
    assert stop.status_code == 200, stop.text
    return job


async def test_dataset_plan_job_version_chain(cp_client, admin_headers) -> None:
    dataset = (await upload_dataset(cp_client, admin_headers, 300))["id"]
    plan = (await create_plan(cp_client, admin_headers, dataset))["id"]
    job = await queue_job(cp_client, admin_headers, dataset, plan)
    model = await make_model(cp_client, admin_headers)
    # v1 from the job (plan and dataset filled from it), v2 straight from the plan.
    v1 = (await register(cp_client, admin_headers, model, sourceJobId=job)).json()
    assert (v1["sourceJobId"], v1["featurePlanId"], v1["datasetId"]) == (job, plan, dataset)
    assert (await register(cp_client, admin_headers, model, featurePlanId=plan)).status_code == 201
    expected_edges = {
        (dataset, plan),
        (plan, job),
        (job, f"{model}:1"),
        (plan, f"{model}:2"),
    }

    from_dataset = (
        await cp_client.get(f"/api/lineage/dataset/{dataset}", headers=admin_headers)
    ).json()
    nodes, edges = shape(from_dataset)
    assert nodes == {
        ("dataset", dataset),
        ("featurePlan", plan),
        ("trainingJob", job),
        ("modelVersion", f"{model}:1"),
        ("modelVersion", f"{model}:2"),
    }
    assert edges == expected_edges
    assert from_dataset["root"]["type"] == "dataset"
    assert all(e["fromType"] and e["toType"] for e in from_dataset["edges"])

    # From the plan: the same graph (its dataset upstream, its job and versions downstream).
    from_plan = (
        await cp_client.get(f"/api/lineage/featurePlan/{plan}", headers=admin_headers)
    ).json()
    assert shape(from_plan) == (nodes, edges)

    # From v1: its ancestors only; v2 is a sibling, not on v1's line.
    from_v1 = (
        await cp_client.get(f"/api/lineage/modelVersion/{model}/1", headers=admin_headers)
    ).json()
    assert shape(from_v1)[1] == {(dataset, plan), (plan, job), (job, f"{model}:1")}
    from_job = (
        await cp_client.get(f"/api/lineage/trainingJob/{job}", headers=admin_headers)
    ).json()
    assert shape(from_job)[1] == {(dataset, plan), (plan, job), (job, f"{model}:1")}
    labels = {n["id"]: n["label"] for n in from_job["nodes"]}
    assert labels[f"{model}:1"] == f"{model} v1 (None)"
    assert labels[job] == f"{job} (cancelled)"


async def test_a_version_naming_only_its_dataset_hangs_under_it(cp_client, admin_headers) -> None:
    dataset = (await upload_dataset(cp_client, admin_headers, 200))["id"]
    model = await make_model(cp_client, admin_headers)
    assert (await register(cp_client, admin_headers, model, datasetId=dataset)).status_code == 201
    graph = (
        await cp_client.get(f"/api/lineage/modelVersion/{model}:1", headers=admin_headers)
    ).json()
    assert shape(graph)[1] == {(dataset, f"{model}:1")}
    mismatch = await register(
        cp_client, admin_headers, model, datasetId=dataset, featurePlanId="fp-00000000"
    )
    assert mismatch.status_code == 400 and mismatch.json()["details"]["field"] == "featurePlanId"


async def test_a_force_deleted_dataset_shows_as_missing(cp_client, admin_headers) -> None:
    dataset = (await upload_dataset(cp_client, admin_headers, 200))["id"]
    plan = (await create_plan(cp_client, admin_headers, dataset))["id"]
    deleted = await cp_client.delete(
        f"/api/datasets/{dataset}", params={"force": "true"}, headers=admin_headers
    )
    assert deleted.status_code == 204
    graph = (await cp_client.get(f"/api/lineage/featurePlan/{plan}", headers=admin_headers)).json()
    ghost = next(n for n in graph["nodes"] if n["id"] == dataset)
    assert ghost["missing"] is True and ghost["type"] == "dataset"
    assert shape(graph)[1] == {(dataset, plan)}
    gone = await cp_client.get(f"/api/lineage/dataset/{dataset}", headers=admin_headers)
    assert gone.status_code == 404


async def test_deployments_hang_under_their_version(cp_client, admin_headers) -> None:
    """A deployment record (inserted directly: publishing one needs a trained model, which
    the training-flow test covers) joins the graph by its model name and version."""
    name = await make_model(cp_client, admin_headers)
    await register(cp_client, admin_headers, name)
    deployment = unique("dep")
    conn = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        await conn.execute(
            "INSERT INTO deployment (id, name, model_name, model_version, status)"
            " VALUES ($1, 'line 3 edge', $2, 1, 'revoked')",
            deployment,
            name,
        )
        from_version = await cp_client.get(
            f"/api/lineage/modelVersion/{name}:1", headers=admin_headers
        )
        assert shape(from_version.json())[1] == {(f"{name}:1", deployment)}
        from_deployment = (
            await cp_client.get(f"/api/lineage/deployment/{deployment}", headers=admin_headers)
        ).json()
        assert from_deployment["root"]["label"] == "line 3 edge"
        assert shape(from_deployment)[1] == {(f"{name}:1", deployment)}
    finally:
        await conn.execute("DELETE FROM deployment WHERE id = $1", deployment)
        await conn.close()
