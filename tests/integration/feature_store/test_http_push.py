"""HTTP-push devices on the real Redis and PostgreSQL: a batch POSTed is mapped as MQTT
messages are (units converted, entity from the topic) and lands online at once and offline
after materialization; a batch with one bad reading stores nothing and says which one."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.feature_store.support import FS, make_group, run_feature_worker, unique

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
DEVICES = "/api/inference/devices"


async def _device(client: Any, headers: dict[str, str], group: str) -> dict[str, Any]:
    resp = await client.post(
        DEVICES,
        json={
            "name": unique("pusher"),
            "kind": "http",
            "group": group,
            "topic": "line/+/meter",
            "mapping": {
                "entitySegment": 1,
                "timeField": "ts",
                "fields": {"p": {"feature": "power", "unit": "W"}, "t": {"feature": "temp"}},
            },
        },
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def reading(minute: int, watts: Any) -> dict[str, Any]:
    return {"ts": f"2026-04-01T06:{minute:02d}:00Z", "p": watts, "t": 19.0 + minute}


async def test_a_pushed_batch_goes_online_then_offline(cp_client, admin_headers) -> None:
    group = await make_group(cp_client, admin_headers, source_type="stream")
    device = await _device(cp_client, admin_headers, group["name"])
    name = group["name"]
    url = f"{DEVICES}/{device['id']}/readings"
    batch = {"topic": "line/m3/meter", "readings": [reading(m, 1000 * (m + 1)) for m in range(3)]}

    anonymous = await cp_client.post(url, json=batch)
    assert anonymous.status_code == 401, anonymous.text
    resp = await cp_client.post(url, json=batch, headers=admin_headers)
    assert resp.status_code == 201, resp.text
    assert resp.json() == {"device": device["id"], "readings": 3, "values": 6}

    online = f"{FS}/online?entity=m3&features={name}.power,{name}.temp&window=5"
    body = (await cp_client.get(online, headers=admin_headers)).json()
    power, temp = body["values"]
    assert [v for _, v in power["window"]] == [1.0, 2.0, 3.0]  # W -> the feature's kW
    assert power["eventTime"].startswith("2026-04-01T06:02:00") and temp["value"] == 21.0
    seen = (await cp_client.get(f"{DEVICES}/{device['id']}", headers=admin_headers)).json()
    assert seen["kind"] == "http" and seen["messages"] == 3 and seen["malformed"] == 0

    run = await cp_client.post(f"{FS}/materialize", json={"group": name}, headers=admin_headers)
    assert run.status_code == 202, run.text
    await run_feature_worker()
    spine = {"features": [f"{name}.power"], "spine": [["m3", "2026-04-01T06:01:30Z"]]}
    frame = (await cp_client.post(f"{FS}/training-frame", json=spine, headers=admin_headers)).json()
    assert frame["rows"][0][f"{name}.power"] == 2.0


async def test_a_bad_reading_refuses_the_whole_batch(cp_client, admin_headers) -> None:
    group = await make_group(cp_client, admin_headers, source_type="stream")
    device = await _device(cp_client, admin_headers, group["name"])
    url = f"{DEVICES}/{device['id']}/readings"
    bad = {"topic": "line/m4/meter", "readings": [reading(0, 500), reading(1, "lots")]}
    resp = await cp_client.post(url, json=bad, headers=admin_headers)
    assert resp.status_code in (400, 422), resp.text
    assert resp.json()["code"] == "INVALID_INPUT"
    assert resp.json()["details"]["field"] == "readings.1", resp.json()
    online = f"{FS}/online?entity=m4&features={group['name']}.power"
    assert (await cp_client.get(online, headers=admin_headers)).json()["values"][0]["value"] is None
    seen = (await cp_client.get(f"{DEVICES}/{device['id']}", headers=admin_headers)).json()
    assert seen["malformed"] == 1 and seen["messages"] == 0

    for topic, field in (("other/m4/meter", "topic"), (None, "topic")):
        body: dict[str, Any] = {"readings": [reading(0, 500)]}
        if topic:
            body["topic"] = topic
        resp = await cp_client.post(url, json=body, headers=admin_headers)
        assert resp.status_code in (400, 422) and resp.json()["details"]["field"] == field

    mqtt = await cp_client.post(
        DEVICES,
        json={
            "name": unique("meter"),
            "group": group["name"],
            "topic": "plant/+/x",
            "mapping": {"entitySegment": 1, "fields": {"p": {"feature": "power"}}},
        },
        headers=admin_headers,
    )
    wrong = await cp_client.post(
        f"{DEVICES}/{mqtt.json()['id']}/readings",
        json={"topic": "plant/a/x", "readings": [{"p": 1}]},
        headers=admin_headers,
    )
    assert wrong.status_code in (400, 422) and wrong.json()["details"]["field"] == "device"
