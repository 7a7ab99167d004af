"""Alert rules per deployment: a new anomaly event goes to each enabled `anomaly_event`
rule's webhook (through `control_plane.alerts.webhook`) after the batch that brought it is
committed; metric rules (`rules`) deliver when they fire and when they resolve. Every
delivery and its attempts are logged."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import msgspec

from control_plane.alerts.webhook import deliver
from control_plane.deployments import service as deployments
from control_plane.watching.schemas import (
    AlertDeliveryOut,
    AlertRuleIn,
    AlertRuleOut,
    RuleTransition,
)
from control_plane.watching.tables import AlertDelivery, AlertRule
from schemas.errors import InvalidInput, NotFound
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
        threshold=row["threshold"],
        windowMinutes=row["window_minutes"],
        firingSince=row["firing_since"],
        lastValue=row["last_value"],
        evaluatedAt=row["evaluated_at"],
    )


DEFAULTS: dict[str, tuple[float | None, int]] = {
    "coverage": (0.8, 1440),  # threshold, window minutes
    "mae_vs_naive": (1.0, 1440),
    "no_data": (None, 60),
}


def settings_of(kind: str, threshold: float | None, window: int | None) -> tuple[float | None, int]:
    """A metric rule's threshold and window with the kind's defaults filled in."""
    default_threshold, default_window = DEFAULTS[kind]
    if kind == "no_data":
        return None, window if window is not None else default_window
    return (
        threshold if threshold is not None else default_threshold,
        window if window is not None else default_window,
    )


def _checked(data: AlertRuleIn) -> tuple[float | None, int | None]:
    if data.kind == "anomaly_event":
        if data.threshold is not None or data.windowMinutes is not None:
            raise InvalidInput(
                "an anomaly_event rule takes no 'threshold' nor 'windowMinutes'",
                {"kind": data.kind},
            )
        return None, None
    if data.kind == "no_data" and data.threshold is not None:
        raise InvalidInput(
            "a no_data rule takes 'windowMinutes' (minutes without readings), no 'threshold'",
            {"kind": data.kind},
        )
    if data.kind == "coverage" and data.threshold is not None and data.threshold > 1.0:
        raise InvalidInput(
            f"a coverage threshold is a share between 0 and 1, not {data.threshold}",
            {"field": "threshold", "value": data.threshold},
        )
    return settings_of(data.kind, data.threshold, data.windowMinutes)


async def create_rule(deployment_id: str, data: AlertRuleIn, actor: str) -> AlertRuleOut:
    await deployments.get_row(deployment_id)
    threshold, window = _checked(data)
    rows = await AlertRule.insert(
        AlertRule(
            deployment_id=deployment_id,
            kind=data.kind,
            webhook_url=data.webhookUrl,
            secret=data.secret,
            created_by=actor,
            created_at=datetime.now(UTC),
            threshold=threshold,
            window_minutes=window,
        )
    ).returning(*AlertRule.all_columns())
    return _rule_out(rows[0])


async def list_rules(deployment_id: str) -> list[AlertRuleOut]:
    rows = (
        await AlertRule.select()
        .where(AlertRule.deployment_id == deployment_id)
        .order_by(AlertRule.id)
    )
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


async def _deliver_one(
    rule: dict[str, Any], payload: dict[str, Any], event: str = "anomaly_event"
) -> None:
    result = await deliver(rule["webhook_url"], payload, rule["secret"], event=event)
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


def _percent(value: float) -> str:
    return f"{100.0 * value:.0f}%"


def transition_message(kind: str, state: str, value: float | None, rule: dict[str, Any]) -> str:
    """The plain sentence a receiver shows (English; the console words it per locale)."""
    threshold, window = rule["threshold"], rule["window_minutes"]
    span = f"{window} min" if window < 120 else f"{window / 60:g} h"
    shown = "?" if value is None else value
    if kind == "coverage":
        got = _percent(float(shown)) if value is not None else "?"
        verdict = f"below {_percent(threshold)}" if state == "fired" else "back in range"
        return f"Live coverage of [p05, p95] is {got} over the last {span} ({verdict})"
    if kind == "mae_vs_naive":
        got = f"{float(shown):.2f}" if value is not None else "?"
        verdict = f"worse than {threshold:g}x" if state == "fired" else "back in range"
        return f"Live MAE is {got}x the seasonal naive's over the last {span} ({verdict})"
    if state == "fired":
        return f"No readings for {float(shown):.0f} min (rule: {window} min)"
    return "Readings arrive again"


def deliver_transition(rule: dict[str, Any], transition: RuleTransition, at: datetime) -> None:
    """A metric rule fired or resolved: deliver it in the background, logged like events."""
    payload = {
        "type": f"alert_{transition.state}",
        "ruleId": rule["id"],
        "kind": rule["kind"],
        "deploymentId": rule["deployment_id"],
        "state": transition.state,
        "value": transition.value,
        "threshold": rule["threshold"],
        "windowMinutes": rule["window_minutes"],
        "at": at.isoformat(),
        "message": transition_message(rule["kind"], transition.state, transition.value, rule),
    }

    async def send() -> None:
        try:
            await _deliver_one(rule, payload, event=f"alert_{transition.state}")
        except Exception:
            log.exception("alert delivery for rule %s failed", rule["id"])

    task = asyncio.get_running_loop().create_task(send())
    _running.add(task)
    task.add_done_callback(_running.discard)
