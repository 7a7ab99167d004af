"""Wire shapes of system alert rules, their events and one evaluation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta

from control_plane.system_alerts.rules import Metric, Op
from schemas.base import Wire


class SystemAlertRuleIn(Wire):
    """Fire when `metric op threshold`, e.g. `{metric: "gpuTemperature", op: ">", threshold: 85}`.

    Metrics: gpuUtilization, gpuTemperature (degC), gpuMemory (% used, the fullest GPU),
    cpu, memory, disk (% used), queueLength (training jobs waiting), workersAlive (0 when no
    worker's heartbeat is fresh)."""

    name: Annotated[str, Meta(min_length=1, max_length=128)]
    metric: Metric
    op: Op
    threshold: float
    enabled: bool = True
    # a firing is POSTed here, signed with `webhookSecret` like a deployment's alerts
    webhookUrl: Annotated[str, Meta(pattern=r"^https?://", max_length=2000)] | None = None
    webhookSecret: Annotated[str, Meta(min_length=8, max_length=128)] | None = None


class SystemAlertRuleOut(Wire):
    id: int
    name: str
    metric: str
    op: str
    threshold: float
    enabled: bool
    createdBy: str
    createdAt: datetime
    webhookUrl: str | None = None  # the secret is never shown


class SystemAlertEventOut(Wire):
    id: int
    ruleId: int
    ruleName: str
    metric: str
    op: str
    threshold: float
    value: float
    message: str
    firedAt: datetime
    resolvedAt: datetime | None = None


class AlertEvaluation(Wire):
    """What one evaluation read, fired and resolved."""

    readings: dict[str, float | None]
    fired: list[SystemAlertEventOut]
    resolved: list[SystemAlertEventOut]
