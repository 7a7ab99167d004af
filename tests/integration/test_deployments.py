"""Deployments through the real control plane, registry and Triton: creation by version and by
alias, hashed tokens, validated mappings, revisions and history, token rotation and revocation
as the gateways see them, the snapshot long-poll, alias following, unloading, latency metrics.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import TEST_DATABASE_URL
from tests.integration.deployment_support import (
    DEPLOYMENTS,
    GATEWAY,
    MODELS,
    PREDICT,
    SNAPSHOT,
    ModelVersions,
    last_load,
    live,
    live_model,
    model,
    predict_body,
    shifted_forecaster,
)
from tests.integration.flow_support import until
from tests.integration.test_gateway_support import LOOKBACK, gateway_settings, hourly_rows

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
__all__ = ["live", "live_model", "model"]  # fixtures, shared with the publishing tests


def sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def standard_error(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    # the standard shape; `details` is left out when empty (Error.schema.json: optional)
    assert {"code", "message"} <= set(body) <= {"code", "message", "details"}, body
    assert body["code"] == code, body
    return body


async def deployment_row(deployment_id: str) -> dict[str, Any]:
    conn = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        row = await conn.fetchrow("SELECT * FROM deployment WHERE id = $1", deployment_id)
    finally:
        await conn.close()
    assert row is not None
    return dict(row)


async def live_key_hashes(deployment_id: str) -> list[str]:
    """The stored hashes of the deployment's live API keys (its token is the key `default`)."""
    conn = await asyncpg.connect(TEST_DATABASE_URL)
    try:
        rows = await conn.fetch(
            "SELECT token_sha256 FROM deployment_key WHERE deployment_id = $1 "
            "AND revoked_at IS NULL",
            deployment_id,
        )
    finally:
        await conn.close()
    return [r["token_sha256"] for r in rows]


def served_hashes(entry: dict[str, Any], revoked: bool = False) -> set[str]:
    return {k["sha256"] for k in entry.get("keys", []) if k.get("revoked", False) == revoked}


async def gateway_entry(client: Any, deployment_id: str) -> dict[str, Any] | None:
    snap = await client.get(SNAPSHOT, headers=GATEWAY)
    assert snap.status_code == 200, snap.text
    entries = [
        d for d in snap.json()["deployments"] if d["contract"]["deploymentId"] == deployment_id
    ]
    return entries[0] if entries else None


async def p50(client: Any, headers: dict[str, str], deployment_id: str) -> float:
    resp = await client.post(PREDICT, json=predict_body(deployment_id), headers=headers)
    assert resp.status_code == 200, resp.text
    return float(resp.json()["intervals"]["p50"][0])


async def test_create_by_version_and_by_alias_with_a_hashed_256_bit_token(
    cp_client, admin_headers, model: ModelVersions
) -> None:
    await model.register(shifted_forecaster(0.0))
    await model.register(shifted_forecaster(10.0))
    alias = await cp_client.put(
        f"{MODELS}/{model.name}/aliases/champion", json={"version": 1}, headers=admin_headers
    )
    assert alias.status_code == 200, alias.text

    pinned = await model.deploy(version=2)
    assert pinned["status"] == "active" and pinned["apiUrl"].endswith("/api/inference/predict")
    assert pinned["deployment"]["version"] == 2 and pinned["deployment"]["followAlias"] is None
    following = await model.deploy(alias="@champion")
    assert following["deployment"]["version"] == 1
    assert following["deployment"]["followAlias"] == "champion"
    assert await p50(cp_client, admin_headers, pinned["id"]) == pytest.approx(last_load() + 10)
    assert await p50(cp_client, admin_headers, following["id"]) == pytest.approx(last_load())

    for created in (pinned, following):
        token = created["apiToken"]
        assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 256
        row = await deployment_row(created["id"])
        assert await live_key_hashes(created["id"]) == [sha256(token)]
        assert not any(token in str(value) for value in row.values()), "the token is stored"
        shown = await cp_client.get(f"{DEPLOYMENTS}/{created['id']}", headers=admin_headers)
        assert shown.status_code == 200 and token not in shown.text
    assert pinned["apiToken"] != following["apiToken"]

    both = {"modelId": model.name, "version": 1, "alias": "champion"}
    resp = await cp_client.post(DEPLOYMENTS, json=both, headers=admin_headers)
    standard_error(resp, 400, "INVALID_INPUT")
    resp = await cp_client.post(
        DEPLOYMENTS, json={"modelId": model.name, "alias": "@nobody"}, headers=admin_headers
    )
    standard_error(resp, 404, "NOT_FOUND")


async def test_refused_mappings_leave_the_deployment_unchanged(
    cp_client, admin_headers, model: ModelVersions
) -> None:
    await model.register(shifted_forecaster(0.0))
    created = await model.deploy(version=1)
    url = f"{DEPLOYMENTS}/{created['id']}"
    before = (await cp_client.get(url, headers=admin_headers)).json()
    history_before = (await cp_client.get(f"{url}/history", headers=admin_headers)).json()

    unknown_unit = {"inputs": [{"name": "load", "source": "value", "unit": "blorps"}]}
    resp = await cp_client.put(f"{url}/mapping", json=unknown_unit, headers=admin_headers)
    standard_error(resp, 400, "INVALID_INPUT")
    wrong_dimension = {"inputs": [{"name": "load", "source": "value", "unit": "degC"}]}
    resp = await cp_client.put(f"{url}/mapping", json=wrong_dimension, headers=admin_headers)
    standard_error(resp, 422, "UNIT_INCONSISTENT")
    not_an_input = {"inputs": [{"name": "pressure", "source": "p"}]}
    resp = await cp_client.put(f"{url}/mapping", json=not_an_input, headers=admin_headers)
    standard_error(resp, 400, "INVALID_INPUT")
    same_field_twice = {"inputs": [{"name": "temp", "source": "value"}]}
    resp = await cp_client.put(f"{url}/mapping", json=same_field_twice, headers=admin_headers)
    standard_error(resp, 400, "INVALID_INPUT")
    bad_ratio = {"maxMissingRatio": 1.5}
    resp = await cp_client.put(f"{url}/mapping", json=bad_ratio, headers=admin_headers)
    standard_error(resp, 400, "INVALID_INPUT")

    after = (await cp_client.get(url, headers=admin_headers)).json()
    assert after["revision"] == before["revision"] and after["contract"] == before["contract"]
    assert (await cp_client.get(f"{url}/history", headers=admin_headers)).json() == history_before
    assert await live_key_hashes(created["id"]) == [sha256(created["apiToken"])]

    # a good mapping: the caller sends the load in W under another name
    good = {"inputs": [{"name": "load", "source": "load_w", "unit": "W"}], "fill": "ffill"}
    resp = await cp_client.put(f"{url}/mapping", json=good, headers=admin_headers)
    assert resp.status_code == 200, resp.text
    changed = resp.json()
    assert changed["revision"] > before["revision"]
    assert changed["contract"]["sourceUnits"] == {"load_w": "W"}
    assert changed["contract"]["fill"] == "ffill"
    assert changed["contract"]["inputs"][0] | {"required": True} == {
        "name": "load",
        "source": "load_w",
        "unit": "kW",  # the model's unit; the caller's is in sourceUnits
        "required": True,
    }
    rows = [
        {**{k: v for k, v in r.items() if k != "value"}, "load_w": r["value"] * 1000}
        for r in hourly_rows(LOOKBACK)
    ]
    out = await cp_client.post(
        PREDICT, json={"series": rows, "deploymentId": created["id"]}, headers=admin_headers
    )
    assert out.status_code == 200, out.text
    # converted to kW for the model, and the forecast of the target back in the caller's W
    assert out.json()["unit"] == "W"
    assert out.json()["intervals"]["p50"][0] == pytest.approx(last_load() * 1000, rel=1e-5)


async def test_every_change_bumps_the_revision_and_is_in_the_history(
    cp_client, admin_headers, model: ModelVersions
) -> None:
    for shift in (0.0, 10.0):
        await model.register(shifted_forecaster(shift))
    created = await model.deploy(version=2)
    url = f"{DEPLOYMENTS}/{created['id']}"
    revisions = [created["deployment"]["revision"]]
    resp = await cp_client.put(f"{url}/mapping", json={"fill": "ffill"}, headers=admin_headers)
    revisions.append(resp.json()["revision"])
    resp = await cp_client.post(f"{url}/rollback", json={"version": 1}, headers=admin_headers)
    assert resp.status_code == 200 and resp.json()["version"] == 1, resp.text
    revisions.append(resp.json()["revision"])
    resp = await cp_client.post(f"{url}/rollback", json={"version": 1}, headers=admin_headers)
    standard_error(resp, 409, "CONFLICT")  # already there: not a change
    resp = await cp_client.post(f"{url}/rollback", json={"version": 7}, headers=admin_headers)
    standard_error(resp, 404, "NOT_FOUND")
    resp = await cp_client.post(f"{url}/token", headers=admin_headers)
    assert resp.status_code == 200, resp.text
    revisions.append(resp.json()["revision"])
    assert (await cp_client.delete(f"{url}/token", headers=admin_headers)).status_code == 204
    revisions.append((await cp_client.get(url, headers=admin_headers)).json()["revision"])

    assert revisions == sorted(set(revisions)), revisions
    history = (await cp_client.get(f"{url}/history", headers=admin_headers)).json()
    assert [(h["kind"], h["revision"]) for h in history] == list(
        zip(["created", "mapping", "rollback", "token", "revoked"], revisions, strict=True)
    )
    assert history[2]["details"] | {"mapping": None} == {"from": 2, "to": 1, "mapping": None}
    assert all(h["actor"] == "admin" for h in history)


async def test_a_rotated_token_replaces_the_old_one_at_the_gateway_and_revoking_ends_both(
    cp_client, admin_headers, model: ModelVersions, tmp_path: Path
) -> None:
    from edge_gateway.app import create_app as create_gateway

    await model.register(shifted_forecaster(0.0))
    created = await model.deploy(version=1)
    url = f"{DEPLOYMENTS}/{created['id']}"
    old = created["apiToken"]
    entry = await gateway_entry(cp_client, created["id"])
    assert entry is not None and served_hashes(entry) == {sha256(old)}

    resp = await cp_client.post(f"{url}/token", headers=admin_headers)
    assert resp.status_code == 200, resp.text
    new = resp.json()["apiToken"]
    assert new != old
    snap = await cp_client.get(SNAPSHOT, headers=GATEWAY)
    assert old not in snap.text and new not in snap.text
    entry = await gateway_entry(cp_client, created["id"])
    # the old key stays listed as revoked, so the gateway can say so
    assert entry is not None and served_hashes(entry) == {sha256(new)}
    assert served_hashes(entry, revoked=True) == {sha256(old)}

    # a gateway serving exactly this snapshot (from its file; no control plane reachable)
    state = tmp_path / "snapshot.json"
    state.write_bytes(snap.content)
    body = {"series": hourly_rows(LOOKBACK)}
    async with AsyncTestClient(app=create_gateway(gateway_settings(state))) as gateway:
        ok = await gateway.post(PREDICT, json=body, headers={"Authorization": f"Bearer {new}"})
        assert ok.status_code == 200, ok.text
        refused = await gateway.post(PREDICT, json=body, headers={"Authorization": f"Bearer {old}"})
        standard_error(refused, 401, "UNAUTHORIZED")

    assert (await cp_client.delete(f"{url}/token", headers=admin_headers)).status_code == 204
    assert await gateway_entry(cp_client, created["id"]) is None
    shown = (await cp_client.get(url, headers=admin_headers)).json()
    assert shown["status"] == "revoked"
    assert await live_key_hashes(created["id"]) == []
    standard_error(await cp_client.post(f"{url}/token", headers=admin_headers), 409, "CONFLICT")
    resp = await cp_client.post(PREDICT, json=predict_body(created["id"]), headers=admin_headers)
    standard_error(resp, 409, "CONFLICT")


async def test_the_snapshot_long_poll_answers_304_when_idle_and_200_when_newer(
    live: tuple[httpx.AsyncClient, dict[str, str]], live_model: ModelVersions
) -> None:
    client, admin = live
    await live_model.register(shifted_forecaster(0.0))
    created = await live_model.deploy(version=1)
    standard_error(await client.get(SNAPSHOT), 401, "UNAUTHORIZED")
    bad = await client.get(SNAPSHOT, headers={"X-Gateway-Token": "guess"})
    standard_error(bad, 401, "UNAUTHORIZED")

    current = (await client.get(SNAPSHOT, headers=GATEWAY)).json()["revision"]
    started = time.monotonic()
    idle = await client.get(SNAPSHOT, params={"after": current, "wait": 1}, headers=GATEWAY)
    waited = time.monotonic() - started
    assert idle.status_code == 304 and not idle.content, idle.text
    assert 0.9 <= waited < 5, waited

    started = time.monotonic()
    newer = await client.get(SNAPSHOT, params={"after": current - 1, "wait": 20}, headers=GATEWAY)
    assert newer.status_code == 200 and newer.json()["revision"] >= current
    assert time.monotonic() - started < 2

    # a poll parked on the current revision returns as soon as something changes
    waiting = asyncio.create_task(
        client.get(SNAPSHOT, params={"after": current, "wait": 20}, headers=GATEWAY)
    )
    await asyncio.sleep(0.5)  # the poll is now parked on the control plane
    assert not waiting.done()
    started = time.monotonic()
    rotated = await client.post(f"{DEPLOYMENTS}/{created['id']}/token", headers=admin)
    woke = await waiting
    assert woke.status_code == 200 and woke.json()["revision"] >= rotated.json()["revision"]
    assert time.monotonic() - started < 3
    entry = next(
        d for d in woke.json()["deployments"] if d["contract"]["deploymentId"] == created["id"]
    )
    assert served_hashes(entry) == {sha256(rotated.json()["apiToken"])}


async def test_viewers_read_but_cannot_change_deployments(
    cp_client, admin_headers, viewer_headers, model: ModelVersions
) -> None:
    await model.register(shifted_forecaster(0.0))
    created = await model.deploy(version=1)
    url = f"{DEPLOYMENTS}/{created['id']}"
    writes = [
        cp_client.post(DEPLOYMENTS, json={"modelId": model.name}, headers=viewer_headers),
        cp_client.put(f"{url}/mapping", json={"fill": "ffill"}, headers=viewer_headers),
        cp_client.post(f"{url}/rollback", json={"version": 1}, headers=viewer_headers),
        cp_client.post(f"{url}/token", headers=viewer_headers),
        cp_client.delete(f"{url}/token", headers=viewer_headers),
        cp_client.delete(url, headers=viewer_headers),
    ]
    for write in writes:
        standard_error(await write, 403, "FORBIDDEN")
    shown = await cp_client.get(url, headers=viewer_headers)
    assert (
        shown.status_code == 200 and shown.json()["revision"] == created["deployment"]["revision"]
    )
    assert (await cp_client.get(f"{url}/history", headers=viewer_headers)).status_code == 200
    assert await live_key_hashes(created["id"]) == [sha256(created["apiToken"])]


async def test_moving_the_alias_repoints_the_deployments_that_follow_it(
    cp_client, admin_headers, model: ModelVersions
) -> None:
    for shift in (0.0, 10.0):
        await model.register(shifted_forecaster(shift))
    alias_url = f"{MODELS}/{model.name}/aliases/production"
    assert (
        await cp_client.put(alias_url, json={"version": 1}, headers=admin_headers)
    ).status_code == 200
    follower = await model.deploy(alias="production")
    pinned = await model.deploy(version=1)
    assert await p50(cp_client, admin_headers, follower["id"]) == pytest.approx(last_load())

    moved = await cp_client.put(alias_url, json={"version": 2}, headers=admin_headers)
    assert moved.status_code == 200, moved.text

    url = f"{DEPLOYMENTS}/{follower['id']}"

    async def followed() -> dict[str, Any] | None:  # after the move commits, not inside it
        now = (await cp_client.get(url, headers=admin_headers)).json()
        return now if now["version"] == 2 else None

    now = await until(followed, seconds=60)
    assert now["contract"]["version"] == 2
    assert now["revision"] > follower["deployment"]["revision"]
    history = (await cp_client.get(f"{url}/history", headers=admin_headers)).json()
    assert history[-1]["kind"] == "alias" and history[-1]["details"] == {"from": 1, "to": 2}
    assert await p50(cp_client, admin_headers, follower["id"]) == pytest.approx(last_load() + 10)
    entry = await gateway_entry(cp_client, follower["id"])
    assert entry is not None and entry["tritonVersion"] == 2

    stays = (await cp_client.get(f"{DEPLOYMENTS}/{pinned['id']}", headers=admin_headers)).json()
    assert stays["version"] == 1 and stays["revision"] == pinned["deployment"]["revision"]


async def test_delete_unloads_the_triton_model_once_no_deployment_uses_it(
    cp_client, admin_headers, model: ModelVersions
) -> None:
    for shift in (0.0, 10.0):
        await model.register(shifted_forecaster(shift))
    first = await model.deploy(version=1)
    second = await model.deploy(version=2)
    repository = model.repository
    assert await repository.is_ready(model.triton_model, 1)
    assert await repository.is_ready(model.triton_model, 2)

    assert (
        await cp_client.delete(f"{DEPLOYMENTS}/{first['id']}", headers=admin_headers)
    ).status_code == 204
    gone = await cp_client.get(f"{DEPLOYMENTS}/{first['id']}", headers=admin_headers)
    standard_error(gone, 404, "NOT_FOUND")
    assert await gateway_entry(cp_client, first["id"]) is None
    assert await repository.is_ready(model.triton_model, 2)  # still used by the other one

    async def version_unloaded() -> bool:
        return not await repository.is_ready(model.triton_model, 1)

    await until(version_unloaded, seconds=30)  # nothing uses version 1 any more
    assert await p50(cp_client, admin_headers, second["id"]) == pytest.approx(last_load() + 10)

    assert (
        await cp_client.delete(f"{DEPLOYMENTS}/{second['id']}", headers=admin_headers)
    ).status_code == 204

    async def unloaded() -> bool:
        return not await repository.is_ready(model.triton_model)

    await until(unloaded, seconds=30)
    again = await cp_client.delete(f"{DEPLOYMENTS}/{second['id']}", headers=admin_headers)
    standard_error(again, 404, "NOT_FOUND")


async def test_metrics_report_tritons_counters_for_the_deployed_version(
    cp_client, admin_headers, model: ModelVersions
) -> None:
    await model.register(shifted_forecaster(0.0))
    created = await model.deploy(version=1)
    url = f"{DEPLOYMENTS}/{created['id']}/metrics"

    def served(body: dict[str, Any]) -> float:
        assert body["available"] is True, body["message"]
        return sum(s["requestSuccess"] for s in body["series"] if s["version"] == "1")

    before = served((await cp_client.get(url, headers=admin_headers)).json())
    for _ in range(3):
        await p50(cp_client, admin_headers, created["id"])

    async def counted() -> dict[str, Any] | None:
        body: dict[str, Any] = (await cp_client.get(url, headers=admin_headers)).json()
        return body if served(body) >= before + 3 else None

    body = await until(counted, seconds=10)
    series = next(s for s in body["series"] if s["version"] == "1")
    assert series["model"] == model.triton_model and series["requestFailure"] == 0
    assert series["inferenceCount"] >= series["requestSuccess"]
    assert series["meanRequestUs"] and series["meanRequestUs"] > 0
    assert series["requestDurationUs"] >= series["queueDurationUs"]
    assert series["meanComputeUs"] is not None
    assert "request:p99" in series["quantiles"] or series["p99RequestUs"] is None
