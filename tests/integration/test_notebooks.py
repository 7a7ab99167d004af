"""Notebook documents on the real Postgres and S3: create, list, save versions, import and
export .ipynb, share read-only or editable."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import login
from tests.integration.notebook_support import create, notebook

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
NB = "/api/v2/notebooks"


async def _user(client: Any, admin: dict[str, str], name: str, role: str) -> dict[str, str]:
    resp = await client.post(
        "/api/auth/users",
        json={"username": name, "password": "secret-pass", "role": role},
        headers=admin,
    )
    assert resp.status_code in (201, 409), resp.text
    return await login(client, name, "secret-pass")


async def test_a_notebook_is_created_saved_in_versions_and_read_back(
    cp_client, admin_headers
) -> None:
    empty = await cp_client.post(NB, json={"name": "scratch"}, headers=admin_headers)
    assert empty.status_code == 201, empty.text
    body = empty.json()
    assert body["id"].startswith("nb-") and body["version"] == 1 and body["owner"] == "admin"
    assert body["content"]["nbformat"] == 4 and body["content"]["cells"][0]["cell_type"] == "code"
    assert body["size"] > 0 and body["projectId"] is None and body["access"] == "owner"

    content = notebook("x = 1", "x + 1")
    saved = await cp_client.put(
        f"{NB}/{body['id']}",
        json={"content": content, "baseVersion": 1, "message": "two cells"},
        headers=admin_headers,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2
    assert [c["source"] for c in saved.json()["content"]["cells"]] == ["x = 1", "x + 1"]
    stale = await cp_client.put(
        f"{NB}/{body['id']}", json={"content": content, "baseVersion": 1}, headers=admin_headers
    )
    assert stale.status_code == 409 and stale.json()["details"]["version"] == 2
    renamed = await cp_client.put(
        f"{NB}/{body['id']}", json={"name": "line A"}, headers=admin_headers
    )
    assert renamed.json()["name"] == "line A" and renamed.json()["version"] == 2

    versions = (await cp_client.get(f"{NB}/{body['id']}/versions", headers=admin_headers)).json()
    assert [(v["version"], v["savedBy"], v["message"]) for v in versions] == [
        (2, "admin", "two cells"),
        (1, "admin", "created"),
    ]
    old = (
        await cp_client.get(f"{NB}/{body['id']}", params={"version": 1}, headers=admin_headers)
    ).json()
    assert old["content"]["cells"][0]["source"] == ""
    listed = (await cp_client.get(NB, params={"q": "line A"}, headers=admin_headers)).json()
    assert body["id"] in [n["id"] for n in listed["items"]]


async def test_bad_notebooks_are_refused_in_plain_words(cp_client, admin_headers) -> None:
    bad_cell = notebook("x")
    bad_cell["cells"][0]["cell_type"] = "spreadsheet"
    for content, field in [
        ({"nbformat": 3, "cells": []}, "content.nbformat"),
        (bad_cell, "content"),
    ]:
        resp = await cp_client.post(
            NB, json={"name": "bad", "content": content}, headers=admin_headers
        )
        assert resp.status_code == 400, resp.text
        assert resp.json()["code"] == "INVALID_INPUT" and resp.json()["details"][
            "field"
        ].startswith(field)
    not_json = await cp_client.post(
        f"{NB}/import",
        files={"file": ("x.ipynb", b"{nope", "application/json")},
        headers=admin_headers,
    )
    assert not_json.status_code == 400 and "not JSON" in not_json.json()["message"]


async def test_ipynb_import_and_export_round_trip(cp_client, admin_headers) -> None:
    content = notebook("print('hello')")
    content["nbformat_minor"] = 4  # an older file: upgraded, cell ids kept
    for cell in content["cells"]:
        del cell["id"]
    content["cells"][0]["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": "hello\n"}
    ]
    resp = await cp_client.post(
        f"{NB}/import",
        files={"file": ("energy study.ipynb", json.dumps(content).encode(), "application/json")},
        headers=admin_headers,
    )
    assert resp.status_code == 201, resp.text
    imported = resp.json()
    assert imported["name"] == "energy study" and imported["content"]["nbformat_minor"] == 5
    assert imported["content"]["cells"][0]["id"]
    exported = await cp_client.get(f"{NB}/{imported['id']}/export", headers=admin_headers)
    assert exported.status_code == 200
    assert 'filename="energy_study.ipynb"' in exported.headers["content-disposition"]
    nb = json.loads(exported.content)
    assert nb["cells"][0]["outputs"][0]["text"] == ["hello\n"]  # split lines, as Jupyter writes
    import nbformat

    nbformat.validate(nbformat.from_dict(nb))


async def test_a_shared_notebook_opens_read_only_or_editable(cp_client, admin_headers) -> None:
    owner = await _user(cp_client, admin_headers, "nb-owner", "engineer")
    reader = await _user(cp_client, admin_headers, "nb-reader", "engineer")
    nb = await create(cp_client, owner, "1 + 1", name="shared study")
    path = f"{NB}/{nb['id']}"
    assert (await cp_client.get(path, headers=reader)).status_code == 404  # not shared yet
    shared = await cp_client.post(
        f"{path}/share", json={"user": "nb-reader", "permission": "read"}, headers=owner
    )
    assert shared.status_code == 201, shared.text
    opened = await cp_client.get(path, headers=reader)
    assert opened.status_code == 200 and opened.json()["access"] == "read"
    assert opened.json()["content"]["cells"][0]["source"] == "1 + 1"
    assert nb["id"] in [n["id"] for n in (await cp_client.get(NB, headers=reader)).json()["items"]]
    for denied in [
        await cp_client.put(path, json={"name": "mine now"}, headers=reader),
        await cp_client.post(f"{path}/execute", json={"all": True}, headers=reader),
        await cp_client.post(
            f"{path}/share", json={"user": "nb-reader", "permission": "edit"}, headers=reader
        ),
    ]:
        assert denied.status_code == 403 and denied.json()["code"] == "FORBIDDEN", denied.text
    await cp_client.post(
        f"{path}/share", json={"user": "nb-reader", "permission": "edit"}, headers=owner
    )
    edited = await cp_client.put(path, json={"name": "ours"}, headers=reader)
    assert edited.status_code == 200 and edited.json()["access"] == "edit"
    shares = (await cp_client.get(f"{path}/shares", headers=owner)).json()
    assert [(s["kind"], s["principal"], s["permission"]) for s in shares] == [
        ("user", "nb-reader", "edit")
    ]
    gone = await cp_client.delete(f"{path}/shares/{shares[0]['id']}", headers=owner)
    assert gone.status_code == 204
    assert (await cp_client.get(path, headers=reader)).status_code == 404


async def test_viewers_cannot_create_notebooks(cp_client, viewer_headers) -> None:
    resp = await cp_client.post(NB, json={"name": "nope"}, headers=viewer_headers)
    assert resp.status_code == 403 and resp.json()["code"] == "FORBIDDEN"
