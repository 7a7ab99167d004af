"""An alert rule against the real stack: a new anomaly event shipped by a gateway reaches a
local webhook receiver, signed, retried after the receiver's first 500; stored once and
delivered once when the same batch comes twice."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
import pytest

from control_plane.alerts.webhook import SIGNATURE_HEADER, verify
from schemas.watching import AnomalyEvent, EventRecord, RecordBatch
from tests.conftest import login
from tests.integration.test_alert_webhook import Receiver
from tests.integration.test_gateway_sync import wait_for
from tests.integration.test_watching import (  # noqa: F401 (fixtures)
    RestartableControlPlane,
    control_plane,
    deployed,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_a_new_event_reaches_the_webhook_signed_and_retried_after_a_500(
    control_plane: RestartableControlPlane,  # noqa: F811
    deployed: dict[str, Any],  # noqa: F811
    settings: Any,
) -> None:
    event = AnomalyEvent(
        kind="spike",
        start="2025-07-01T10:00:00Z",
        end="2025-07-01T10:00:00Z",
        readings=1,
        durationMinutes=60,
        peak=180.0,
        peakAt="2025-07-01T10:00:00Z",
        expected=120.0,
        energyAboveExpectedKWh=60.0,
        score=12.0,
        unit="kW",
        reason="Spike: load 1.5x the expected 120 kW for 1 h",
    )
    record = EventRecord(deploymentId=deployed["id"], event=event, assetId="line-x")
    with Receiver([500]) as receiver:
        async with httpx.AsyncClient(base_url=control_plane.url, timeout=30) as cp:
            admin = await login(cp)
            rule = {"webhookUrl": receiver.url, "secret": "s3cret-rule"}
            resp = await cp.post(
                f"/api/deployments/{deployed['id']}/alert-rules", json=rule, headers=admin
            )
            assert resp.status_code == 201, resp.text
            assert "secret" not in resp.json()
            bad = await cp.post(
                f"/api/deployments/{deployed['id']}/alert-rules",
                json={"webhookUrl": "ftp://x", "secret": "short"},
                headers=admin,
            )
            assert bad.status_code == 400 and bad.json()["code"] == "INVALID_INPUT"
            for _ in range(2):  # the same batch twice: one event, one delivery
                batch = RecordBatch(batchId="b-1", events=[record])
                resp = await cp.post(
                    "/api/gateway/records",
                    content=msgspec.json.encode(batch),
                    headers={"X-Gateway-Token": settings.gateway_sync_token},
                )
                assert resp.status_code == 200, resp.text
            path = f"/api/deployments/{deployed['id']}/alert-deliveries"

            async def delivered() -> bool:
                return bool((await cp.get(path, headers=admin)).json())

            await wait_for(delivered, 20.0)
            (delivery,) = (await cp.get(path, headers=admin)).json()
    assert delivery["delivered"] is True
    assert [a["status"] for a in delivery["attempts"]] == [500, 200]
    assert len(receiver.seen) == 2
    headers, body = receiver.seen[-1]
    assert verify("s3cret-rule", body, headers[SIGNATURE_HEADER])
    sent = msgspec.json.decode(body)
    assert sent["event"]["reason"] == event.reason and sent["deploymentId"] == deployed["id"]
    # plain English for receivers, a code and parameters for the console's languages
    assert (sent["message"], sent["code"]) == (event.reason, "anomalyEvent")
    assert sent["params"] == {
        "kind": "spike", "start": event.start, "end": event.end, "minutes": "60",
    }  # fmt: skip
    said = (delivery["message"], delivery["code"], delivery["params"])
    assert said == (sent["message"], sent["code"], sent["params"])
