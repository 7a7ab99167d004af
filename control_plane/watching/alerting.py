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
from control_plane.struct_rows import from_row
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
    return from_row(AlertRuleOut, row)


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
    return [from_row(AlertDeliveryOut, r, **_said(r["payload"])) for r in rows]


def _said(payload: dict[str, Any]) -> dict[str, Any]:
    """A logged delivery's message, code and parameters (an anomaly event delivered before
    deliveries had them says its reason, with no code)."""
    params = payload.get("params")
    message = payload.get("message")
    if message is None and isinstance(payload.get("event"), dict):
        message = payload["event"].get("reason")
    return {
        "message": message if isinstance(message, str) else None,
        "code": payload.get("code") if isinstance(payload.get("code"), str) else None,
        "params": {str(k): str(v) for k, v in params.items()} if isinstance(params, dict) else {},
    }


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
        payload: dict[str, Any] = {
            "type": "anomaly_event",
            "eventId": event_id,
            "deploymentId": record.deploymentId,
            "assetId": record.assetId,
            "event": msgspec.to_builtins(record.event),
        }
        text = event_text(record)
        payload |= {"message": text.message, "code": text.code, "params": text.params}
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


# The English wording of each alert message code: the console's `alertMessages` in en.ts
# hold the same sentences (a unit test keeps them equal) and their zh-CN translations.
ALERT_MESSAGES: dict[str, str] = {
    "coverageFired": "Live coverage of [p05, p95] is {value} over the last {window} "
    "(below {threshold})",
    "coverageResolved": "Live coverage of [p05, p95] is {value} over the last {window} "
    "(back in range)",
    "maeFired": "Live MAE is {value}x the seasonal naive's over the last {window} "
    "(worse than {threshold}x)",
    "maeResolved": "Live MAE is {value}x the seasonal naive's over the last {window} "
    "(back in range)",
    "noDataFired": "No readings for {minutes} min (rule: {rule} min)",
    "noDataResolved": "Readings arrive again",
}


class AlertText(msgspec.Struct, frozen=True):
    """What a delivery says: a code of the console's `alertMessages`, its parameters (text,
    put in as they are), and the plain English sentence for receivers."""

    code: str
    params: dict[str, str]
    message: str


def transition_text(kind: str, state: str, value: float | None, rule: dict[str, Any]) -> AlertText:
    """The sentence a metric rule's firing or resolving says, as a code with parameters."""
    threshold, window = rule["threshold"], rule["window_minutes"]
    span = f"{window} min" if window < 120 else f"{window / 60:g} h"
    params: dict[str, str]
    if kind == "coverage":
        code = "coverageFired" if state == "fired" else "coverageResolved"
        got = _percent(float(value)) if value is not None else "?"
        params = {"value": got, "window": span, "threshold": _percent(threshold)}
    elif kind == "mae_vs_naive":
        code = "maeFired" if state == "fired" else "maeResolved"
        got = f"{float(value):.2f}" if value is not None else "?"
        params = {"value": got, "window": span, "threshold": f"{threshold:g}"}
    else:
        code = "noDataFired" if state == "fired" else "noDataResolved"
        minutes = "?" if value is None else f"{float(value):.0f}"
        params = {"minutes": minutes, "rule": str(window)}
    return AlertText(code, params, ALERT_MESSAGES[code].format(**params))


def transition_message(kind: str, state: str, value: float | None, rule: dict[str, Any]) -> str:
    """The plain English sentence a receiver shows."""
    return transition_text(kind, state, value, rule).message


def event_text(record: EventRecord) -> AlertText:
    """A new anomaly event's delivery: the event's own reason as the English sentence; the
    console words it from its kind and span."""
    e = record.event
    params = {
        "kind": e.kind,
        "start": e.start,
        "end": e.end,
        "minutes": f"{e.durationMinutes:g}",
    }
    return AlertText("anomalyEvent", params, e.reason)


def deliver_transition(rule: dict[str, Any], transition: RuleTransition, at: datetime) -> None:
    """A metric rule fired or resolved: deliver it in the background, logged like events."""
    payload: dict[str, Any] = {
        "type": f"alert_{transition.state}",
        "ruleId": rule["id"],
        "kind": rule["kind"],
        "deploymentId": rule["deployment_id"],
        "state": transition.state,
        "value": transition.value,
        "threshold": rule["threshold"],
        "windowMinutes": rule["window_minutes"],
        "at": at.isoformat(),
    }
    text = transition_text(rule["kind"], transition.state, transition.value, rule)
    payload |= {"message": text.message, "code": text.code, "params": text.params}

    async def send() -> None:
        try:
            await _deliver_one(rule, payload, event=f"alert_{transition.state}")
        except Exception:
            log.exception("alert delivery for rule %s failed", rule["id"])

    task = asyncio.get_running_loop().create_task(send())
    _running.add(task)
    task.add_done_callback(_running.discard)
