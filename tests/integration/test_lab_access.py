"""Per-project permissions on the real stack: a private project is invisible to
non-members (its experiments, runs and architectures included), a viewer reads but cannot
change, an editor can, only owners change members, and admins see everything."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import login
from tests.integration.flow_support import make_plan
from tests.integration.lab_support import skip_graph

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def _engineer(client, admin_headers, name: str) -> dict[str, str]:
    resp = await client.post(
        "/api/auth/users",
        json={"username": name, "password": "engineer-pass", "role": "engineer"},
        headers=admin_headers,
    )
    assert resp.status_code == 201, resp.text
    return await login(client, name, "engineer-pass")


def _forbidden(resp, words: str) -> None:
    assert resp.status_code == 403, resp.text
    body = resp.json()
    assert body["code"] == "FORBIDDEN" and words in body["message"], body


async def test_a_private_project_its_viewers_editors_and_owners(cp_client, admin_headers) -> None:
    tag = uuid.uuid4().hex[:6]
    owner_name, other_name = f"own-{tag}", f"oth-{tag}"
    owner = await _engineer(cp_client, admin_headers, owner_name)
    other = await _engineer(cp_client, admin_headers, other_name)
    dataset_id, plan_id = await make_plan(cp_client, owner)

    project = await cp_client.post(
        "/api/projects", json={"name": f"secret {tag}", "private": True}, headers=owner
    )
    assert project.status_code == 201, project.text
    pid = project.json()["id"]
    assert project.json()["private"] and project.json()["myRole"] == "owner"
    experiment = await cp_client.post(
        "/api/experiments",
        json={
            "name": f"exp {tag}",
            "projectId": pid,
            "datasetId": dataset_id,
            "featurePlanId": plan_id,
            "algorithm": "linear",
            "hyperparams": {"epochs": 1},
        },
        headers=owner,
    )
    assert experiment.status_code == 201, experiment.text
    exp_id = experiment.json()["id"]
    run_id = (
        await cp_client.get("/api/runs", params={"experimentId": exp_id}, headers=owner)
    ).json()["items"][0]["id"]
    arch = await cp_client.post(
        "/api/models/architectures",
        json={**skip_graph(f"arch-{tag}"), "projectId": pid},
        headers=owner,
    )
    assert arch.status_code == 201, arch.text
    arch_id = arch.json()["id"]
    try:
        # a non-member sees none of it, and is told why when naming it
        assert pid not in [
            p["id"] for p in (await cp_client.get("/api/projects", headers=other)).json()
        ]
        listed = (await cp_client.get("/api/experiments", headers=other)).json()
        assert exp_id not in [e["id"] for e in listed]
        runs = (await cp_client.get("/api/runs", params={"q": run_id}, headers=other)).json()
        assert runs["total"] == 0
        archs = (await cp_client.get("/api/models/architectures", headers=other)).json()
        assert arch_id not in [a["id"] for a in archs]
        _forbidden(await cp_client.get(f"/api/experiments/{exp_id}", headers=other), "private")
        _forbidden(await cp_client.get(f"/api/runs/{run_id}", headers=other), "private")
        _forbidden(await cp_client.get(f"/api/projects/{pid}", headers=other), "private")
        # nor trains from the project's architecture, through any door, and nothing starts
        jobs_before = (await cp_client.get("/api/training/jobs", headers=admin_headers)).json()
        mine = {"datasetId": dataset_id, "featurePlanId": plan_id, "architectureId": arch_id}
        _forbidden(await cp_client.post("/api/training/jobs", json=mine, headers=other), "private")
        _forbidden(
            await cp_client.post("/api/experiments", json={"name": "x", **mine}, headers=other),
            "private",
        )
        jobs_after = (await cp_client.get("/api/training/jobs", headers=admin_headers)).json()
        assert jobs_after["total"] == jobs_before["total"]
        # admins see everything
        assert (
            await cp_client.get("/api/runs", params={"q": run_id}, headers=admin_headers)
        ).json()["total"] == 1

        # a viewer reads, and cannot change
        viewer = await cp_client.put(
            f"/api/projects/{pid}/members",
            json={"username": other_name, "role": "viewer"},
            headers=owner,
        )
        assert viewer.status_code == 200, viewer.text
        seen = await cp_client.get(f"/api/experiments/{exp_id}", headers=other)
        assert seen.status_code == 200 and seen.json()["canEdit"] is False
        assert (await cp_client.get(f"/api/runs/{run_id}", headers=other)).status_code == 200
        assert (
            await cp_client.get(f"/api/models/architectures/{arch_id}", headers=other)
        ).status_code == 200
        _forbidden(
            await cp_client.put(f"/api/experiments/{exp_id}", json={"name": "x"}, headers=other),
            "viewer",
        )
        _forbidden(await cp_client.delete(f"/api/runs/{run_id}", headers=other), "viewer")
        _forbidden(  # the weights library is public: a viewer cannot take a model out
            await cp_client.post(f"/api/experiments/{exp_id}/save", json={}, headers=other),
            "viewer",
        )
        _forbidden(
            await cp_client.delete(f"/api/models/architectures/{arch_id}", headers=other), "viewer"
        )
        _forbidden(
            await cp_client.post(
                "/api/experiments", json={"name": "mine", "projectId": pid}, headers=other
            ),
            "viewer",
        )
        _forbidden(
            await cp_client.put(
                f"/api/projects/{pid}/members",
                json={"username": other_name, "role": "owner"},
                headers=other,
            ),
            "owners",
        )
        assert (await cp_client.get(f"/api/experiments/{exp_id}", headers=other)).json()[
            "name"
        ] == f"exp {tag}"

        # an editor changes the project's things, but not its members
        await cp_client.put(
            f"/api/projects/{pid}/members",
            json={"username": other_name, "role": "editor"},
            headers=owner,
        )
        renamed = await cp_client.put(
            f"/api/experiments/{exp_id}", json={"name": f"renamed {tag}"}, headers=other
        )
        assert renamed.status_code == 200 and renamed.json()["canEdit"] is True
        _forbidden(
            await cp_client.delete(f"/api/projects/{pid}/members/{owner_name}", headers=other),
            "owners",
        )
        # a project keeps one owner
        last = await cp_client.delete(f"/api/projects/{pid}/members/{owner_name}", headers=owner)
        assert last.status_code == 409, last.text
    finally:
        await cp_client.delete(f"/api/models/architectures/{arch_id}", headers=admin_headers)
        await cp_client.delete(f"/api/experiments/{exp_id}", headers=admin_headers)
        await cp_client.delete(f"/api/projects/{pid}", headers=admin_headers)
        await cp_client.delete(f"/api/datasets/{dataset_id}?force=true", headers=admin_headers)


async def test_a_shared_project_is_read_by_all_and_changed_by_members(
    cp_client, admin_headers
) -> None:
    tag = uuid.uuid4().hex[:6]
    owner = await _engineer(cp_client, admin_headers, f"own-{tag}")
    other = await _engineer(cp_client, admin_headers, f"oth-{tag}")
    pid = (
        await cp_client.post("/api/projects", json={"name": f"open {tag}"}, headers=owner)
    ).json()["id"]
    exp = await cp_client.post(
        "/api/experiments", json={"name": "e", "projectId": pid}, headers=owner
    )
    exp_id = exp.json()["id"]
    try:
        seen = await cp_client.get(f"/api/experiments/{exp_id}", headers=other)
        assert seen.status_code == 200 and seen.json()["canEdit"] is False
        project = (await cp_client.get(f"/api/projects/{pid}", headers=other)).json()
        assert project["myRole"] == "viewer"
        _forbidden(await cp_client.delete(f"/api/experiments/{exp_id}", headers=other), "viewer")
    finally:
        await cp_client.delete(f"/api/experiments/{exp_id}", headers=admin_headers)
        await cp_client.delete(f"/api/projects/{pid}", headers=admin_headers)
