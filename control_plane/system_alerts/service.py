"""System alert rules: stored, evaluated against the host's readings, events recorded.

One evaluation runs at a time across control-plane processes (a transaction-scoped
advisory lock); delivery happens after the commit."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from control_plane.struct_rows import from_row
from control_plane.system.probe import SystemProbe
from control_plane.system_alerts.delivery import AlertDelivery
from control_plane.system_alerts.rules import RuleView, evaluate, gpu_readings
from control_plane.system_alerts.schemas import (
    AlertEvaluation,
    SystemAlertEventOut,
    SystemAlertRuleIn,
    SystemAlertRuleOut,
)
from control_plane.system_alerts.tables import SystemAlertEvent, SystemAlertRule
from schemas.errors import InvalidInput, NotFound
from schemas.training_job.protocol import JobKeys

log = logging.getLogger("loadstar.system_alerts")
_LOCK_KEY = 0x5A1E47
HEALTH_CHECK_SUFFIX = ":health-check"  # arq's worker heartbeat key, beside its queue


def rule_out(row: dict[str, Any]) -> SystemAlertRuleOut:
    return from_row(SystemAlertRuleOut, row)


def event_out(row: dict[str, Any]) -> SystemAlertEventOut:
    return from_row(SystemAlertEventOut, row)


async def create_rule(data: SystemAlertRuleIn, actor: str) -> SystemAlertRuleOut:
    row = SystemAlertRule(
        name=data.name,
        metric=data.metric,
        op=data.op,
        threshold=data.threshold,
        enabled=data.enabled,
        created_by=actor,
        created_at=datetime.now(UTC),
        webhook_url=data.webhookUrl,
        webhook_secret=data.webhookSecret,
    )
    if (data.webhookUrl is None) != (data.webhookSecret is None):
        raise InvalidInput(
            "a webhook needs both its URL and its secret", {"field": "webhookSecret"}
        )
    await row.save()
    return rule_out(row.to_dict())


async def list_rules() -> list[SystemAlertRuleOut]:
    return [rule_out(r) for r in await SystemAlertRule.select().order_by(SystemAlertRule.id)]


async def delete_rule(rule_id: int) -> None:
    found = await SystemAlertRule.exists().where(SystemAlertRule.id == rule_id)
    if not found:
        raise NotFound(f"no alert rule {rule_id}", {"ruleId": rule_id})
    async with SystemAlertRule._meta.db.transaction():
        await SystemAlertRule.delete().where(SystemAlertRule.id == rule_id)
        await SystemAlertEvent.update({SystemAlertEvent.resolved_at: datetime.now(UTC)}).where(
            (SystemAlertEvent.rule_id == rule_id) & SystemAlertEvent.resolved_at.is_null()
        )


async def list_events(open_only: bool, limit: int) -> list[SystemAlertEventOut]:
    query = SystemAlertEvent.select().order_by(SystemAlertEvent.id, ascending=False).limit(limit)
    if open_only:
        query = query.where(SystemAlertEvent.resolved_at.is_null())
    return [event_out(r) for r in await query]


async def readings(
    probe: SystemProbe, redis: aioredis.Redis | None, keys: JobKeys
) -> dict[str, float | None]:
    stats = await anyio.to_thread.run_sync(probe.snapshot)
    found = gpu_readings(
        [g.utilization for g in stats.gpus],
        [g.temperatureC for g in stats.gpus],
        [(g.memoryUsedBytes, g.memoryTotalBytes) for g in stats.gpus],
    )
    found |= {"cpu": stats.cpu.percent, "memory": stats.memory.percent, "disk": stats.disk.percent}
    found |= {"queueLength": None, "workersAlive": None}
    if redis is not None:
        try:
            found["queueLength"] = float(await redis.zcard(keys.queue))
            alive = await redis.exists(keys.queue + HEALTH_CHECK_SUFFIX)
            found["workersAlive"] = float(alive)
        except RedisError as exc:
            log.warning("system alerts: Redis unreadable (%s)", exc)
    return found


async def evaluate_once(
    probe: SystemProbe, redis: aioredis.Redis | None, keys: JobKeys, delivery: AlertDelivery
) -> AlertEvaluation:
    values = await readings(probe, redis, keys)
    now = datetime.now(UTC)
    async with SystemAlertEvent._meta.db.transaction():
        await SystemAlertEvent.raw("SELECT pg_advisory_xact_lock({})", _LOCK_KEY)
        rules = await SystemAlertRule.select().where(SystemAlertRule.enabled.eq(True))
        views = [RuleView(r["id"], r["name"], r["metric"], r["op"], r["threshold"]) for r in rules]
        open_rows = await SystemAlertEvent.select(SystemAlertEvent.rule_id).where(
            SystemAlertEvent.resolved_at.is_null()
        )
        fired, resolved_ids = evaluate(views, values, {r["rule_id"] for r in open_rows})
        fired_rows = []
        for firing in fired:
            row = SystemAlertEvent(
                rule_id=firing.rule.id,
                rule_name=firing.rule.name,
                metric=firing.rule.metric,
                op=firing.rule.op,
                threshold=firing.rule.threshold,
                value=firing.value,
                message=firing.message,
                fired_at=now,
            )
            await row.save()
            fired_rows.append(event_out(row.to_dict()))
        resolved_rows: list[dict[str, Any]] = []
        if resolved_ids:
            resolved_rows = await (
                SystemAlertEvent.update({SystemAlertEvent.resolved_at: now})
                .where(
                    SystemAlertEvent.rule_id.is_in(resolved_ids)
                    & SystemAlertEvent.resolved_at.is_null()
                )
                .returning(*SystemAlertEvent.all_columns())
            )
    for event in fired_rows:  # after the commit
        try:
            await delivery.deliver(event)
        except Exception:
            log.exception("system alert %s: delivery failed", event.id)
    return AlertEvaluation(
        readings=values, fired=fired_rows, resolved=[event_out(r) for r in resolved_rows]
    )
