"""Alert rules per deployment: a new anomaly event goes to each enabled rule's webhook
(through `control_plane.alerts.webhook`) after the batch that brought it is committed;
every delivery and its attempts are logged."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import msgspec

from control_plane.alerts.webhook import deliver
from control_plane.deployments import service as deployments
from control_plane.watching.schemas import AlertDeliveryOut, AlertRuleIn, AlertRuleOut
from control_plane.watching.tables import AlertDelivery, AlertRule
from schemas.errors import NotFound
from schemas.watching import EventRecord

log = logging.getLogger("loadstar.control_plane.alerts")
_running: set[asyncio.Task[None]] = set()  # deliveries in flight (kept referenced)


def _rule_out(row: dict[str, Any]) -> AlertRuleOut:
    return AlertRuleOut(
        id=row["id"],
        deploymentId=row["deployment_id"],
        kind=row["kind"],
        webhookUrl=row["webhook_url"],
        enabled=row["enabled"],
        createdBy=row["created_by"],
        createdAt=row["created_at"],
    )


async def create_rule(deployment_id: str, data: AlertRuleIn, actor: str) -> AlertRuleOut:
    await deployments.get_row(deployment_id)
    rows = await AlertRule.insert(
        AlertRule(
            deployment_id=deployment_id,
            kind=data.kind,
            webhook_url=data.webhookUrl,
            secret=data.secret,
            created_by=actor,
            created_at=datetime.now(UTC),
        )
    ).returning(*AlertRule.all_columns())
    return _rule_out(rows[0])


async def list_rules(deployment_id: str) -> list[AlertRuleOut]:
    rows = await AlertRule.select().where(AlertRule.deployment_id == deployment_id)
    return [_rule_out(r) for r in rows]


async def delete_rule(rule_id: int) -> None:
    found = await AlertRule.select(AlertRule.id).where(AlertRule.id == rule_id).first()
    if found is None:
        raise NotFound(f"alert rule {rule_id} not found", {"ruleId": rule_id})
    await AlertRule.delete().where(AlertRule.id == rule_id)


async def list_deliveries(deployment_id: str, limit: int) -> list[AlertDeliveryOut]:
    rows = (
        await AlertDelivery.select()
        .where(AlertDelivery.deployment_id == deployment_id)
        .order_by(AlertDelivery.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return [
        AlertDeliveryOut(
            id=r["id"],
            ruleId=r["rule_id"],
            delivered=r["delivered"],
            payload=r["payload"],
            attempts=r["attempts"],
            createdAt=r["created_at"],
        )
        for r in rows
    ]


async def _deliver_one(rule: dict[str, Any], payload: dict[str, Any]) -> None:
    result = await deliver(rule["webhook_url"], payload, rule["secret"], event="anomaly_event")
    await AlertDelivery.insert(
        AlertDelivery(
            rule_id=rule["id"],
            deployment_id=rule["deployment_id"],
            payload=payload,
            delivered=result.delivered,
            attempts=msgspec.to_builtins(result.attempts),
            created_at=datetime.now(UTC),
        )
    )


async def _deliver_all(new: list[tuple[int, EventRecord]]) -> None:
    ids = sorted({record.deploymentId for _, record in new})
    rules = await AlertRule.select().where(
        AlertRule.deployment_id.is_in(ids) & (AlertRule.enabled == True)  # noqa: E712
    )
    for event_id, record in new:
        payload = {
            "type": "anomaly_event",
            "eventId": event_id,
            "deploymentId": record.deploymentId,
            "assetId": record.assetId,
            "event": msgspec.to_builtins(record.event),
        }
        for rule in rules:
            if rule["deployment_id"] == record.deploymentId and rule["kind"] == "anomaly_event":
                try:
                    await _deliver_one(rule, payload)
                except Exception:
                    log.exception("alert delivery for rule %s failed", rule["id"])


def notify(new: list[tuple[int, EventRecord]]) -> None:
    """After the commit: deliver the new events in the background (never on the request)."""
    if not new:
        return
    task = asyncio.get_running_loop().create_task(_deliver_all(new))
    _running.add(task)
    task.add_done_callback(_running.discard)
