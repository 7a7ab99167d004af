"""The model registry on the real Postgres and S3: models, versions, stages, aliases."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn

from tests.conftest import login
from tests.integration.flow_support import until
from tests.integration.lineage_support import MODELS as API
from tests.integration.lineage_support import make_model, register, unique

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


@pytest.fixture
def live_url(settings: Any) -> Iterator[str]:
    """The control plane under uvicorn in a thread: the in-process test client runs one
    request at a time, so concurrency is only real over a socket."""
    from control_plane.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


@pytest.fixture
async def live(live_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    async with httpx.AsyncClient(base_url=live_url, timeout=30) as client:
        yield client, await login(client)


async def db_rows(sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(os.environ["DATABASE_URL"])
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def test_create_get_and_list_models(cp_client, admin_headers) -> None:
    name = await make_model(cp_client, admin_headers)
    got = (await cp_client.get(f"{API}/{name}", headers=admin_headers)).json()
    assert got["name"] == name and got["description"] == "line 3"
    assert got["latestVersion"] is None and got["aliases"] == {} and got["createdBy"] == "admin"
    page = (await cp_client.get(API, params={"q": name}, headers=admin_headers)).json()
    assert [m["name"] for m in page["items"]] == [name] and page["total"] == 1


async def test_duplicate_and_malformed_model_names(cp_client, admin_headers) -> None:
    name = await make_model(cp_client, admin_headers)
    dup = await cp_client.post(API, json={"name": name}, headers=admin_headers)
    assert dup.status_code == 409 and dup.json()["code"] == "CONFLICT"
    bad = await cp_client.post(API, json={"name": "a:b"}, headers=admin_headers)
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_INPUT"
    assert "name" in str(bad.json()["details"])


async def test_unknown_model_is_404(cp_client, admin_headers) -> None:
    for path in ("", "/versions", "/versions/1", "/latest", "/aliases", "/stage-history"):
        resp = await cp_client.get(f"{API}/{unique('nope')}{path}", headers=admin_headers)
        assert resp.status_code == 404 and resp.json()["code"] == "NOT_FOUND", path


async def test_viewer_writes_are_403_in_the_standard_shape(
    cp_client, admin_headers, viewer_headers
) -> None:
    name = await make_model(cp_client, admin_headers)
    assert (await register(cp_client, admin_headers, name)).status_code == 201
    writes = [
        cp_client.post(API, json={"name": unique()}, headers=viewer_headers),
        register(cp_client, viewer_headers, name),
        cp_client.post(
            f"{API}/{name}/versions/1/stage", json={"stage": "Staging"}, headers=viewer_headers
        ),
        cp_client.put(
            f"{API}/{name}/aliases/champion", json={"version": 1}, headers=viewer_headers
        ),
        cp_client.delete(f"{API}/{name}/aliases/champion", headers=viewer_headers),
    ]
    for resp in [await w for w in writes]:
        assert resp.status_code == 403
        body = resp.json()
        assert body["code"] == "FORBIDDEN" and set(body) == {"code", "message", "details"}
    # Reads stay open to viewers.
    assert (
        await cp_client.get(f"{API}/{name}/versions/1", headers=viewer_headers)
    ).status_code == 200


async def test_versions_are_numbered_and_read_back(cp_client, admin_headers) -> None:
    name = await make_model(cp_client, admin_headers)
    first = await register(cp_client, admin_headers, name, description="first")
    assert first.status_code == 201, first.text
    v1 = first.json()
    assert v1["version"] == 1 and v1["stage"] == "None" and v1["metrics"]["mae"] == 1.5
    assert v1["signature"]["inputs"][0]["unit"] == "kW" and v1["createdBy"] == "admin"
    assert (await register(cp_client, admin_headers, name)).json()["version"] == 2
    got = (await cp_client.get(f"{API}/{name}/versions/1", headers=admin_headers)).json()
    assert got["description"] == "first" and got["artifactUri"] == v1["artifactUri"]
    page = (await cp_client.get(f"{API}/{name}/versions", headers=admin_headers)).json()
    assert [v["version"] for v in page["items"]] == [2, 1] and page["total"] == 2
    latest = (await cp_client.get(f"{API}/{name}/latest", headers=admin_headers)).json()
    assert latest["version"] == 2
    model = (await cp_client.get(f"{API}/{name}", headers=admin_headers)).json()
    assert model["latestVersion"] == 2
    missing = await cp_client.get(f"{API}/{name}/versions/9", headers=admin_headers)
    assert missing.status_code == 404 and missing.json()["details"]["version"] == 9


async def test_registration_failures_leave_nothing(cp_client, admin_headers) -> None:
    name = await make_model(cp_client, admin_headers)
    absent = "s3://loadstar-test/models/absent/model.onnx"
    no_artifact = await cp_client.post(
        f"{API}/{name}/versions", json={"artifactUri": absent}, headers=admin_headers
    )
    assert no_artifact.status_code == 400
    assert no_artifact.json()["details"]["field"] == "artifactUri"
    not_s3 = await cp_client.post(
        f"{API}/{name}/versions", json={"artifactUri": "/tmp/model.onnx"}, headers=admin_headers
    )
    assert not_s3.status_code == 400 and "artifactUri" in str(not_s3.json()["details"])
    bad_plan = await register(cp_client, admin_headers, name, featurePlanId="fp-00000000")
    assert bad_plan.status_code == 400
    assert bad_plan.json()["details"]["field"] == "featurePlanId"
    no_model = await register(cp_client, admin_headers, unique("ghost"))
    assert no_model.status_code == 404
    unknown_field = await register(cp_client, admin_headers, name, colour="red")
    assert unknown_field.status_code == 400 and unknown_field.json()["code"] == "INVALID_INPUT"
    model = (await cp_client.get(f"{API}/{name}", headers=admin_headers)).json()
    assert model["latestVersion"] is None
    # The next good registration still gets number 1: failed ones consumed nothing.
    assert (await register(cp_client, admin_headers, name)).json()["version"] == 1


async def test_concurrent_registrations_get_distinct_numbers(live) -> None:
    client, headers = live
    name = await make_model(client, headers)
    responses = await asyncio.gather(*(register(client, headers, name) for _ in range(12)))
    assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
    assert sorted(r.json()["version"] for r in responses) == list(range(1, 13))


async def test_stage_transitions_keep_history(cp_client, admin_headers) -> None:
    name = await make_model(cp_client, admin_headers)
    for _ in range(2):
        await register(cp_client, admin_headers, name)
    url = f"{API}/{name}/versions"
    staged = await cp_client.post(
        f"{url}/1/stage", json={"stage": "Staging", "comment": "canary"}, headers=admin_headers
    )
    assert staged.status_code == 200, staged.text
    assert staged.json()["version"]["stage"] == "Staging"
    promoted = await cp_client.post(
        f"{url}/1/stage",
        json={"stage": "Production", "comment": "good week"},
        headers=admin_headers,
    )
    assert promoted.json()["transitions"][0]["fromStage"] == "Staging"
    again = await cp_client.post(
        f"{url}/1/stage", json={"stage": "Production"}, headers=admin_headers
    )
    assert again.status_code == 409 and again.json()["code"] == "CONFLICT"
    bad = await cp_client.post(f"{url}/1/stage", json={"stage": "Live"}, headers=admin_headers)
    assert bad.status_code == 400 and "stage" in str(bad.json()["details"])
    history = (await cp_client.get(f"{url}/1/stage-history", headers=admin_headers)).json()
    assert [(h["fromStage"], h["toStage"], h["comment"]) for h in history] == [
        ("None", "Staging", "canary"),
        ("Staging", "Production", "good week"),
    ]
    assert all(h["actor"] == "admin" and h["at"] for h in history)
    assert history[0]["at"] <= history[1]["at"]

    # Promoting version 2 with archiveExisting archives version 1, and says so in history.
    swap = await cp_client.post(
        f"{url}/2/stage",
        json={"stage": "Production", "comment": "retrained", "archiveExisting": True},
        headers=admin_headers,
    )
    moves = [(t["version"], t["toStage"]) for t in swap.json()["transitions"]]
    assert moves == [(1, "Archived"), (2, "Production")]
    v1 = (await cp_client.get(f"{url}/1", headers=admin_headers)).json()
    assert v1["stage"] == "Archived"
    prod = await cp_client.get(
        f"{API}/{name}/latest", params={"stage": "Production"}, headers=admin_headers
    )
    assert prod.json()["version"] == 2
    everything = (await cp_client.get(f"{API}/{name}/stage-history", headers=admin_headers)).json()
    assert len(everything) == 4 and everything[2]["comment"].startswith("archived")
    none_staged = await cp_client.get(
        f"{API}/{name}/latest", params={"stage": "Staging"}, headers=admin_headers
    )
    assert none_staged.status_code == 404


async def test_aliases_point_move_and_resolve(cp_client, admin_headers) -> None:
    name = await make_model(cp_client, admin_headers)
    for _ in range(2):
        await register(cp_client, admin_headers, name)
    alias_url = f"{API}/{name}/aliases"
    set1 = await cp_client.put(f"{alias_url}/@champion", json={"version": 1}, headers=admin_headers)
    assert set1.status_code == 200, set1.text
    assert set1.json() | {"updatedAt": None} == {
        "name": name,
        "alias": "champion",
        "version": 1,
        "updatedBy": "admin",
        "updatedAt": None,
    }
    resolved = await cp_client.get(
        f"{API}/{name}/versions/by-alias/champion", headers=admin_headers
    )
    assert resolved.json()["version"] == 1 and resolved.json()["aliases"] == ["champion"]
    await cp_client.put(f"{alias_url}/champion", json={"version": 2}, headers=admin_headers)
    resolved = await cp_client.get(
        f"{API}/{name}/versions/by-alias/@champion", headers=admin_headers
    )
    assert resolved.json()["version"] == 2
    model = (await cp_client.get(f"{API}/{name}", headers=admin_headers)).json()
    assert model["aliases"] == {"champion": 2}
    listed = (await cp_client.get(alias_url, headers=admin_headers)).json()
    assert [(a["alias"], a["version"]) for a in listed] == [("champion", 2)]

    missing_version = await cp_client.put(
        f"{alias_url}/champion", json={"version": 7}, headers=admin_headers
    )
    assert missing_version.status_code == 404
    for bad in ("latest", "v2", "Bad", "x" * 70):
        resp = await cp_client.put(f"{alias_url}/{bad}", json={"version": 1}, headers=admin_headers)
        assert resp.status_code == 400 and resp.json()["details"]["field"] == "alias", bad

    assert (
        await cp_client.delete(f"{alias_url}/champion", headers=admin_headers)
    ).status_code == 204
    gone = await cp_client.get(f"{API}/{name}/versions/by-alias/champion", headers=admin_headers)
    assert gone.status_code == 404 and gone.json()["code"] == "NOT_FOUND"
    again = await cp_client.delete(f"{alias_url}/champion", headers=admin_headers)
    assert again.status_code == 404


async def test_concurrent_alias_moves_leave_one_row(live) -> None:
    client, headers = live
    name = await make_model(client, headers)
    for _ in range(4):
        await register(client, headers, name)
    moves = [
        client.put(f"{API}/{name}/aliases/champion", json={"version": v}, headers=headers)
        for v in [1, 2, 3, 4] * 4
    ]
    responses = await asyncio.gather(*moves)
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    rows = await db_rows(
        "SELECT a.version FROM model_alias a JOIN registered_model m ON m.id = a.model "
        "WHERE m.name = $1 AND a.alias = 'champion'",
        name,
    )
    assert len(rows) == 1 and rows[0]["version"] in {1, 2, 3, 4}
    resolved = await client.get(f"{API}/{name}/versions/by-alias/champion", headers=headers)
    assert resolved.json()["version"] == rows[0]["version"]


async def test_alias_moves_are_recorded_with_the_move_and_followed_after_commit(
    cp_client, admin_headers
) -> None:
    """Every move and deletion is an event committed with it; the outbox then follows each,
    in order, outside the transaction (a move that fails validation records nothing)."""
    name = await make_model(cp_client, admin_headers)
    await register(cp_client, admin_headers, name)
    url = f"{API}/{name}/aliases/production"
    assert (await cp_client.put(url, json={"version": 1}, headers=admin_headers)).status_code == 200
    refused = await cp_client.put(url, json={"version": 9}, headers=admin_headers)
    assert refused.status_code == 404 and set(refused.json()) == {"code", "message", "details"}
    assert (await cp_client.delete(url, headers=admin_headers)).status_code == 204

    async def followed() -> list[dict[str, Any]] | None:
        events = (await cp_client.get(f"{API}/{name}/alias-events", headers=admin_headers)).json()
        return events if all(e["state"] == "done" for e in events) else None

    events = await until(followed, seconds=30)
    assert [(e["alias"], e.get("version")) for e in events] == [
        ("production", 1),
        ("production", None),
    ]
    assert all(e["actor"] == "admin" and e["attempts"] == 1 for e in events)
