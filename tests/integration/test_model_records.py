"""Model and version records: rename, describe, tag; delete a version (refused while a
deployment serves it by number or through its alias, naming them) with its files in S3 and
Triton; delete a model only when nothing of it is deployed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from control_plane.settings import Settings
from loadstar_core.s3_uri import split_s3_uri
from tests.integration.deployment_support import (
    DEPLOYMENTS,
    MODELS,
    ModelVersions,
    shifted_forecaster,
)
from tests.integration.deployment_support import model as model  # fixture

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_edit_model_and_version_records(
    cp_client: Any,
    admin_headers: dict[str, str],
    viewer_headers: dict[str, str],
    model: ModelVersions,
) -> None:
    await model.register(shifted_forecaster(0.0))
    url = f"{MODELS}/{model.name}"
    resp = await cp_client.patch(
        url,
        json={"description": "line A", "tags": ["hvac", " hvac", "pilot"]},
        headers=admin_headers,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["description"] == "line A" and resp.json()["tags"] == ["hvac", "pilot"]
    resp = await cp_client.patch(
        f"{url}/versions/1",
        json={"description": "first", "tags": ["baseline"]},
        headers=admin_headers,
    )
    assert resp.status_code == 200, resp.text
    got = (await cp_client.get(f"{url}/versions/1", headers=admin_headers)).json()
    assert got["description"] == "first" and got["tags"] == ["baseline"]
    # viewers read only; a bad name changes nothing
    denied = await cp_client.patch(url, json={"description": "x"}, headers=viewer_headers)
    assert denied.status_code == 403
    bad = await cp_client.patch(url, json={"name": "no/slash"}, headers=admin_headers)
    assert bad.status_code == 400
    assert (await cp_client.get(url, headers=admin_headers)).json()["description"] == "line A"
    # rename (nothing deployed): the old name is gone, versions follow
    new_name = f"{model.name}-r"
    renamed = await cp_client.patch(url, json={"name": new_name}, headers=admin_headers)
    assert renamed.status_code == 200 and renamed.json()["name"] == new_name, renamed.text
    assert (await cp_client.get(url, headers=admin_headers)).status_code == 404
    listed = await cp_client.get(f"{MODELS}/{new_name}/versions", headers=admin_headers)
    assert [v["version"] for v in listed.json()["items"]] == [1]
    back = await cp_client.patch(
        f"{MODELS}/{new_name}", json={"name": model.name}, headers=admin_headers
    )
    assert back.status_code == 200, back.text


async def test_a_served_version_cannot_be_deleted_and_a_free_one_goes_with_its_files(
    cp_client: Any, admin_headers: dict[str, str], model: ModelVersions, settings: Settings
) -> None:
    await model.register(shifted_forecaster(0.0))
    await model.register(shifted_forecaster(1.0))
    await model.register(shifted_forecaster(2.0))
    url = f"{MODELS}/{model.name}"
    pinned = await model.deploy(version=1)
    alias = await cp_client.put(
        f"{url}/aliases/champion", json={"version": 2}, headers=admin_headers
    )
    assert alias.status_code == 200, alias.text
    following = await model.deploy(alias="champion")

    for version, dep in ((1, pinned), (2, following)):
        resp = await cp_client.delete(f"{url}/versions/{version}", headers=admin_headers)
        assert resp.status_code == 409, resp.text
        body = resp.json()
        assert body["code"] == "CONFLICT" and dep["id"] in body["message"]
        assert body["details"]["deployments"] == [dep["id"]]
    refused = await cp_client.delete(url, headers=admin_headers)
    assert refused.status_code == 409 and pinned["id"] in refused.json()["message"]
    rename = await cp_client.patch(url, json={"name": f"{model.name}-x"}, headers=admin_headers)
    assert rename.status_code == 409

    # v3 is served by nobody: its version row, its S3 object and its Triton folder go
    v3 = (await cp_client.get(f"{url}/versions/3", headers=admin_headers)).json()
    bucket, key = split_s3_uri(v3["artifactUri"])
    assert await model.store.exists(key, bucket=bucket)
    folder = Path(settings.triton_repo_dir) / model.triton_model
    triton_dir = folder / "3"
    shutil.copytree(folder / "1", triton_dir)  # as a deployment deleted earlier leaves it
    gone = await cp_client.delete(f"{url}/versions/3", headers=admin_headers)
    assert gone.status_code == 204, gone.text
    assert (await cp_client.get(f"{url}/versions/3", headers=admin_headers)).status_code == 404
    assert not await model.store.exists(key, bucket=bucket)
    assert not triton_dir.exists()
    # the served versions are untouched and still answer
    assert (await cp_client.get(f"{url}/versions/1", headers=admin_headers)).status_code == 200

    # with its deployments gone the model can be deleted, versions and files with it
    for dep in (pinned, following):
        resp = await cp_client.delete(f"{DEPLOYMENTS}/{dep['id']}", headers=admin_headers)
        assert resp.status_code == 204
    model.deployments.clear()
    v1 = (await cp_client.get(f"{url}/versions/1", headers=admin_headers)).json()
    deleted = await cp_client.delete(url, headers=admin_headers)
    assert deleted.status_code == 204, deleted.text
    assert (await cp_client.get(url, headers=admin_headers)).status_code == 404
    bucket, key = split_s3_uri(v1["artifactUri"])
    assert not await model.store.exists(key, bucket=bucket)
    assert not (Path(settings.triton_repo_dir) / model.triton_model).exists()
