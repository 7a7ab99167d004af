"""Metric alert rules, evaluated periodically: live coverage below a threshold, live MAE
worse than the seasonal naive, no readings for a while.

A rule fires once when its condition starts to hold and resolves once when it stops; both
go to its webhook (signed, retried) through `alerting`. The firing state lives on the rule
row and changes by a conditional update, so two control planes evaluating at once deliver
each transition once. Coverage and MAE are taken over the rule's window of actuals ending
at the deployment's newest reading (data time, as `GET .../accuracy`); a window with fewer
than `MIN_PAIRS` forecast-actual pairs says nothing, and the rule keeps its state.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from control_plane.watching.alerting import deliver_transition
from control_plane.watching.schemas import RuleTransition
from control_plane.watching.tables import AlertRule

MIN_PAIRS = 20
_WINDOW = """
WITH newest AS (SELECT max(t) AS t FROM watch_reading WHERE deployment_id = {}),
pairs AS (
    SELECT r.value AS actual, f.p05, f.p50, f.p95, d.value AS naive_day, w.value AS naive_week
    FROM newest, watch_forecast f
    JOIN watch_reading r ON r.deployment_id = f.deployment_id AND r.t = f.t
    LEFT JOIN watch_reading d ON d.deployment_id = f.deployment_id AND d.t = f.t - interval '1 day'
    LEFT JOIN watch_reading w ON w.deployment_id = f.deployment_id AND w.t = f.t - interval '7 days'
    WHERE f.deployment_id = {} AND f.t > newest.t - make_interval(mins => {}) AND f.t <= newest.t
)
SELECT count(*) AS n,
    avg(CASE WHEN actual BETWEEN p05 AND p95 THEN 1.0 ELSE 0.0 END) AS coverage,
    avg(abs(actual - p50)) AS mae,
    least(avg(abs(actual - naive_day)) FILTER (WHERE naive_day IS NOT NULL),
        avg(abs(actual - naive_week)) FILTER (WHERE naive_week IS NOT NULL)) AS naive_mae
FROM pairs
"""

_SILENCE = """
SELECT extract(epoch FROM now() - coalesce(
    (SELECT received_at FROM watch_state WHERE deployment_id = {}), {}::timestamptz)) / 60.0
    AS minutes
"""


def breached(kind: str, value: float, threshold: float | None, window: int) -> bool:
    """Whether a rule's measured value means trouble (the pure half of the evaluation)."""
    if kind == "coverage":
        return threshold is not None and value < threshold
    if kind == "mae_vs_naive":
        return threshold is not None and value > threshold
    return value >= window  # no_data: minutes since readings last arrived


async def measure(rule: dict[str, Any]) -> float | None:
    """The rule's value now; None when the window holds too few pairs to judge."""
    kind, window = rule["kind"], rule["window_minutes"]
    if kind == "no_data":
        rows = await AlertRule.raw(_SILENCE, rule["deployment_id"], rule["created_at"])
        return float(rows[0]["minutes"])
    rows = await AlertRule.raw(_WINDOW, rule["deployment_id"], rule["deployment_id"], window)
    r = rows[0]
    if int(r["n"]) < MIN_PAIRS:
        return None
    if kind == "coverage":
        return float(r["coverage"])
    if r["naive_mae"] is None or float(r["naive_mae"]) <= 0.0:
        return None
    return float(r["mae"]) / float(r["naive_mae"])


async def evaluate_rules() -> tuple[int, list[RuleTransition]]:
    """One pass over every enabled metric rule; transitions are delivered in the background."""
    rules = await AlertRule.select().where(
        (AlertRule.enabled == True) & (AlertRule.kind != "anomaly_event")  # noqa: E712
    )
    transitions: list[RuleTransition] = []
    for rule in rules:
        value = await measure(rule)
        now = datetime.now(UTC)
        await AlertRule.update({AlertRule.last_value: value, AlertRule.evaluated_at: now}).where(
            AlertRule.id == rule["id"]
        )
        if value is None:
            continue
        firing = breached(rule["kind"], value, rule["threshold"], rule["window_minutes"])
        if firing:
            changed = (
                await AlertRule.update({AlertRule.firing_since: now})
                .where((AlertRule.id == rule["id"]) & AlertRule.firing_since.is_null())
                .returning(AlertRule.id)
            )
        else:
            changed = (
                await AlertRule.update({AlertRule.firing_since: None})
                .where((AlertRule.id == rule["id"]) & AlertRule.firing_since.is_not_null())
                .returning(AlertRule.id)
            )
        if not changed:
            continue
        transition = RuleTransition(
            ruleId=rule["id"],
            kind=rule["kind"],
            state="fired" if firing else "resolved",
            value=value,
        )
        transitions.append(transition)
        deliver_transition(rule, transition, now)
    return len(rules), transitions
