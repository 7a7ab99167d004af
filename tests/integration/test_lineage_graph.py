"""The whole lineage graph, external nodes and edges, depth and type filters, the run view."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.lineage_support import create_plan, upload_dataset
from tests.integration.test_lineage import queue_job

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
V2 = "/api/v2/lineage"


def kind(prefix: str) -> str:
    """An external node type of this test's own, so whole-graph filters see only its nodes."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


async def add_node(client: Any, headers: dict[str, str], type_: str, id_: str, **extra: Any) -> Any:
    resp = await client.post(
        f"{V2}/node", json={"type": type_, "id": id_, **extra}, headers=headers
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def add_edge(
    client: Any, headers: dict[str, str], source: tuple[str, str], target: tuple[str, str]
) -> Any:
    body = {
        "from": {"type": source[0], "id": source[1]},
        "to": {"type": target[0], "id": target[1]},
        "metadata": {"job": "nightly export"},
    }
    resp = await client.post(f"{V2}/edge", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


def keys(page: dict[str, Any]) -> set[tuple[str, str]]:
    return {(n["type"], n["id"]) for n in page["nodes"]}


def pairs(page: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["from"], e["to"]) for e in page["edges"]}


async def test_external_nodes_join_the_graph_and_a_records_lineage(cp_client, admin_headers):
    dataset = (await upload_dataset(cp_client, admin_headers, 200))["id"]
    plan = (await create_plan(cp_client, admin_headers, dataset))["id"]
    scada = kind("scadaExport")
    node = await add_node(
        cp_client,
        admin_headers,
        scada,
        "line3-2026-12",
        name="SCADA line 3",
        metadata={"rows": 8760},
    )
    assert node["external"] is True and node["metadata"] == {"rows": 8760}
    edge = await add_edge(cp_client, admin_headers, (scada, "line3-2026-12"), ("dataset", dataset))
    assert edge["external"] is True and edge["edgeType"] == "data_flow"

    page = (
        await cp_client.get(f"{V2}/graph", params={"types": scada}, headers=admin_headers)
    ).json()
    assert keys(page) == {(scada, "line3-2026-12")} and page["total"] == 1
    assert page["nodes"][0]["label"] == "SCADA line 3"
    both = (
        await cp_client.get(
            f"{V2}/graph", params={"types": f"{scada},dataset"}, headers=admin_headers
        )
    ).json()
    assert {(scada, "line3-2026-12"), ("dataset", dataset)} <= keys(both)
    outside = [e for e in both["edges"] if e["from"] == "line3-2026-12"]
    assert [(e["to"], e["external"], e["metadata"]) for e in outside] == [
        (dataset, True, {"job": "nightly export"})
    ]

    # The plan's own lineage (old and new paths) walks the external edge upstream.
    for path in (f"/api/lineage/featurePlan/{plan}", f"{V2}/featurePlan/{plan}"):
        graph = (await cp_client.get(path, headers=admin_headers)).json()
        assert keys(graph) == {
            ("featurePlan", plan),
            ("dataset", dataset),
            (scada, "line3-2026-12"),
        }
        assert pairs(graph) == {("line3-2026-12", dataset), (dataset, plan)}
        flags = {(e["from"], e["to"]): e.get("external", False) for e in graph["edges"]}
        assert flags == {("line3-2026-12", dataset): True, (dataset, plan): False}
    from_outside = (
        await cp_client.get(f"{V2}/{scada}/line3-2026-12", headers=admin_headers)
    ).json()
    assert from_outside["root"]["external"] is True
    assert keys(from_outside) == {
        (scada, "line3-2026-12"),
        ("dataset", dataset),
        ("featurePlan", plan),
    }


async def test_depth_and_type_filters_return_exactly_the_expected_nodes(cp_client, admin_headers):
    dataset = (await upload_dataset(cp_client, admin_headers, 200))["id"]
    plan = (await create_plan(cp_client, admin_headers, dataset))["id"]
    etl, notebook = kind("etlJob"), kind("notebook")
    await add_node(cp_client, admin_headers, etl, "etl-1")
    await add_node(cp_client, admin_headers, etl, "etl-0")
    await add_node(cp_client, admin_headers, notebook, "nb-1")
    await add_edge(cp_client, admin_headers, (etl, "etl-0"), (etl, "etl-1"))
    await add_edge(cp_client, admin_headers, (etl, "etl-1"), ("dataset", dataset))
    await add_edge(cp_client, admin_headers, ("featurePlan", plan), (notebook, "nb-1"))
    root = {"rootType": "dataset", "rootId": dataset}

    async def graph(**params: Any) -> dict[str, Any]:
        resp = await cp_client.get(f"{V2}/graph", params={**root, **params}, headers=admin_headers)
        assert resp.status_code == 200, resp.text
        return resp.json()  # type: ignore[no-any-return]

    assert keys(await graph(depth=0)) == {("dataset", dataset)}
    assert keys(await graph(depth=1)) == {
        ("dataset", dataset),
        (etl, "etl-1"),
        ("featurePlan", plan),
    }
    assert keys(await graph(depth=2)) == {
        ("dataset", dataset),
        (etl, "etl-1"),
        (etl, "etl-0"),
        ("featurePlan", plan),
        (notebook, "nb-1"),
    }
    typed = await graph(depth=5, types=etl)
    assert keys(typed) == {("dataset", dataset), (etl, "etl-1"), (etl, "etl-0")}
    assert pairs(typed) == {("etl-0", "etl-1"), ("etl-1", dataset)}

    # Paged: the pages together hold every node and every edge once.
    seen_nodes: list[tuple[str, str]] = []
    seen_edges: list[tuple[str, str]] = []
    offset: int | None = 0
    while offset is not None:
        page = await graph(depth=5, limit=2, offset=offset)
        assert len(page["nodes"]) <= 2 and page["total"] == 5
        seen_nodes += [(n["type"], n["id"]) for n in page["nodes"]]
        seen_edges += [(e["from"], e["to"]) for e in page["edges"]]
        offset = page.get("nextOffset")
    assert len(seen_nodes) == len(set(seen_nodes)) == 5
    assert sorted(seen_edges) == sorted(
        [("etl-0", "etl-1"), ("etl-1", dataset), (dataset, plan), (plan, "nb-1")]
    )
    # Whole graph, one external type, paged by SQL.
    whole = (
        await cp_client.get(f"{V2}/graph", params={"types": etl, "limit": 1}, headers=admin_headers)
    ).json()
    assert whole["total"] == 2 and keys(whole) == {(etl, "etl-0")} and whole["nextOffset"] == 1
    assert pairs(whole) == {("etl-0", "etl-1")}
    later = (
        await cp_client.get(
            f"{V2}/graph",
            params={"types": etl, "since": "2100-01-01T00:00:00Z"},
            headers=admin_headers,
        )
    ).json()
    assert later["total"] == 0 and later["nodes"] == []


async def test_bad_external_records_change_nothing(cp_client, admin_headers, viewer_headers):
    scada = kind("scadaExport")
    cases = [
        ({"type": "dataset", "id": "ds-x"}, 400, "INVALID_INPUT"),
        ({"type": "bad type!", "id": "x"}, 400, "INVALID_INPUT"),
        ({"type": scada, "id": "x", "colour": "red"}, 400, "INVALID_INPUT"),
    ]
    for body, status, code in cases:
        resp = await cp_client.post(f"{V2}/node", json=body, headers=admin_headers)
        assert (resp.status_code, resp.json()["code"]) == (status, code), resp.text
    await add_node(cp_client, admin_headers, scada, "x")
    again = await cp_client.post(
        f"{V2}/node", json={"type": scada, "id": "x"}, headers=admin_headers
    )
    assert again.status_code == 409 and again.json()["code"] == "CONFLICT"
    dangling = await cp_client.post(
        f"{V2}/edge",
        json={"from": {"type": scada, "id": "x"}, "to": {"type": "dataset", "id": "ds-00000000"}},
        headers=admin_headers,
    )
    assert dangling.status_code == 404 and dangling.json()["details"]["field"] == "to"
    viewer = await cp_client.post(
        f"{V2}/node", json={"type": scada, "id": "y"}, headers=viewer_headers
    )
    assert viewer.status_code == 403
    page = (
        await cp_client.get(f"{V2}/graph", params={"types": scada}, headers=admin_headers)
    ).json()
    assert keys(page) == {(scada, "x")} and page["edges"] == []
    unknown = await cp_client.get(f"{V2}/{kind('nothing')}/x", headers=admin_headers)
    assert unknown.status_code == 400


async def test_run_view_lists_inputs_and_outputs(cp_client, admin_headers):
    dataset = (await upload_dataset(cp_client, admin_headers, 200))["id"]
    plan = (await create_plan(cp_client, admin_headers, dataset))["id"]
    job = await queue_job(cp_client, admin_headers, dataset, plan)
    report = kind("report")
    await add_node(cp_client, admin_headers, report, "weekly")
    await add_edge(cp_client, admin_headers, ("trainingJob", job), (report, "weekly"))
    run = (await cp_client.get(f"{V2}/runs/{job}", headers=admin_headers)).json()
    assert run["runId"] == job and run["status"] == "cancelled"
    assert [(n["type"], n["id"]) for n in run["inputs"]] == [("featurePlan", plan)]
    assert [(n["type"], n["id"]) for n in run["outputs"]] == [(report, "weekly")]
    missing = await cp_client.get(f"{V2}/runs/job-00000000", headers=admin_headers)
    assert missing.status_code == 404
