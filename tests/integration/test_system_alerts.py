"""System alert rules on the real app: a CPU threshold fires here, once, and resolves."""

from __future__ import annotations

import uuid

import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
ALERTS = "/api/system/alerts"


async def add_rule(client, headers, **body):  # type: ignore[no-untyped-def]
    body = {"name": f"rule-{uuid.uuid4().hex[:6]}", **body}
    resp = await client.post(f"{ALERTS}/rules", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def evaluate(client, headers):  # type: ignore[no-untyped-def]
    resp = await client.post(f"{ALERTS}/evaluate", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_a_cpu_threshold_fires_once_and_resolves(cp_client, admin_headers) -> None:
    rule = await add_rule(cp_client, admin_headers, metric="cpu", op=">=", threshold=0)
    quiet = await add_rule(cp_client, admin_headers, metric="disk", op=">", threshold=100)
    first = await evaluate(cp_client, admin_headers)
    assert 0 <= first["readings"]["cpu"] <= 100
    mine = [e for e in first["fired"] if e["ruleId"] == rule["id"]]
    assert len(mine) == 1 and mine[0]["metric"] == "cpu" and mine[0]["value"] >= 0
    assert mine[0]["message"].startswith(f"{rule['name']}: cpu is ")
    assert not [e for e in first["fired"] if e["ruleId"] == quiet["id"]]

    again = await evaluate(cp_client, admin_headers)  # still open: no second event
    assert not [e for e in again["fired"] if e["ruleId"] == rule["id"]]
    events = (await cp_client.get(f"{ALERTS}/events?open=true", headers=admin_headers)).json()
    assert [e["id"] for e in events if e["ruleId"] == rule["id"]] == [mine[0]["id"]]

    removed = await cp_client.delete(f"{ALERTS}/rules/{rule['id']}", headers=admin_headers)
    assert removed.status_code == 204
    events = (await cp_client.get(f"{ALERTS}/events?limit=500", headers=admin_headers)).json()
    closed = next(e for e in events if e["id"] == mine[0]["id"])
    assert closed["resolvedAt"] is not None
    await cp_client.delete(f"{ALERTS}/rules/{quiet['id']}", headers=admin_headers)


async def test_gpu_thresholds_fire_only_where_there_is_a_gpu(cp_client, admin_headers) -> None:
    rule = await add_rule(cp_client, admin_headers, metric="gpuUtilization", op=">=", threshold=0)
    stats = (await cp_client.get("/api/system/stats", headers=admin_headers)).json()
    result = await evaluate(cp_client, admin_headers)
    mine = [e for e in result["fired"] if e["ruleId"] == rule["id"]]
    if stats["gpuAvailable"]:
        assert len(mine) == 1 and result["readings"]["gpuUtilization"] is not None
    else:
        assert mine == [] and result["readings"]["gpuUtilization"] is None
    await cp_client.delete(f"{ALERTS}/rules/{rule['id']}", headers=admin_headers)


async def test_queue_and_worker_readings_come_from_redis(cp_client, admin_headers) -> None:
    readings = (await evaluate(cp_client, admin_headers))["readings"]
    assert readings["queueLength"] >= 0 and readings["workersAlive"] in (0, 1)


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "metric": "bogus", "op": ">", "threshold": 1},
        {"name": "x", "metric": "cpu", "op": "!=", "threshold": 1},
        {"name": "", "metric": "cpu", "op": ">", "threshold": 1},
    ],
)
async def test_bad_rules_are_refused(cp_client, admin_headers, body) -> None:
    resp = await cp_client.post(f"{ALERTS}/rules", json=body, headers=admin_headers)
    assert resp.status_code == 400 and resp.json()["code"] == "INVALID_INPUT"


async def test_viewers_read_but_cannot_add_rules(cp_client, viewer_headers) -> None:
    body = {"name": "x", "metric": "cpu", "op": ">", "threshold": 90}
    resp = await cp_client.post(f"{ALERTS}/rules", json=body, headers=viewer_headers)
    assert resp.status_code == 403
    assert (await cp_client.get(f"{ALERTS}/rules", headers=viewer_headers)).status_code == 200
    missing = await cp_client.delete(f"{ALERTS}/rules/99999999", headers=viewer_headers)
    assert missing.status_code == 403


async def test_a_firing_reaches_its_webhook_signed_and_retried(cp_client, admin_headers) -> None:
    import json

    from control_plane.alerts.webhook import SIGNATURE_HEADER, verify
    from tests.integration.flow_support import until
    from tests.integration.test_alert_webhook import Receiver

    with Receiver([500]) as receiver:
        rule = await add_rule(
            cp_client,
            admin_headers,
            metric="cpu",
            op=">=",
            threshold=0,
            webhookUrl=receiver.url,
            webhookSecret="system-secret",
        )
        assert rule["webhookUrl"] == receiver.url and "webhookSecret" not in rule
        fired = await evaluate(cp_client, admin_headers)
        event = next(e for e in fired["fired"] if e["ruleId"] == rule["id"])

        # the 500 is retried after a second, in the background
        async def both_posts() -> bool:
            return len(receiver.seen) >= 2

        await until(both_posts, seconds=20)
    headers, body = receiver.seen[-1]
    assert verify("system-secret", body, headers[SIGNATURE_HEADER])
    assert json.loads(body)["id"] == event["id"] and headers["X-Loadstar-Event"] == "system_alert"
    await cp_client.delete(f"{ALERTS}/rules/{rule['id']}", headers=admin_headers)


async def test_a_webhook_needs_its_secret(cp_client, admin_headers) -> None:
    body = {"name": "half", "metric": "cpu", "op": ">", "threshold": 1, "webhookUrl": "http://x/"}
    resp = await cp_client.post(f"{ALERTS}/rules", json=body, headers=admin_headers)
    assert resp.status_code == 400 and resp.json()["code"] == "INVALID_INPUT", resp.text
