"""Request and response bodies of the watching routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from msgspec import Meta

from schemas.base import Wire
from schemas.watching import EventKind


class CommentIn(Wire):
    text: Annotated[str, Meta(min_length=1, max_length=4000)]


class CommentOut(Wire, omit_defaults=False):
    id: int
    author: str
    text: str
    createdAt: datetime


class EventOut(Wire, omit_defaults=False):
    id: int
    deploymentId: str
    assetId: str | None
    kind: EventKind
    start: datetime
    end: datetime
    readings: int
    durationMinutes: float
    peak: float | None
    peakAt: datetime | None
    expected: float | None
    energyAboveExpectedKWh: float | None
    score: float
    unit: str
    reason: str
    acknowledgedBy: str | None
    acknowledgedAt: datetime | None
    comments: list[CommentOut]


class StepAccuracy(Wire, omit_defaults=False):
    """Live accuracy of one horizon step over the window: forecasts whose actual arrived."""

    step: int
    n: int
    mae: float
    mape: float | None  # None when every actual was 0
    coverage: float  # share of actuals inside [p05, p95]
    naiveMae: float | None  # the better seasonal naive (a day or a week before) on the same points
    skill: float | None  # 1 - mae / naiveMae


class AccuracyOut(Wire, omit_defaults=False):
    deploymentId: str
    windowDays: float
    windowEnd: datetime | None  # the newest actual with a forecast for it
    steps: list[StepAccuracy]
    coverage: float | None  # over every step
    offlineCoverage: float  # the model card's hold-out coverage (the contract's `confidence`)


class SeriesPoint(Wire, omit_defaults=False):
    t: datetime
    actual: float | None
    p05: float | None
    p50: float | None
    p95: float | None


class SeriesOut(Wire, omit_defaults=False):
    """Readings and the forecasts made `step` grid points ahead for them, downsampled to at
    most `points` buckets (means per bucket; band edges are the bucket's extremes)."""

    deploymentId: str
    step: int
    points: list[SeriesPoint]
    peak: SeriesPoint | None  # the highest reading, when
    loadDuration: list[float]  # readings sorted high to low, downsampled (load-duration curve)


class AlertRuleIn(Wire):
    """Deliver each new anomaly event of the deployment to `webhookUrl`, signed with
    `secret` (HMAC-SHA256, header X-Loadstar-Signature)."""

    webhookUrl: Annotated[str, Meta(pattern=r"^https?://", max_length=2000)]
    secret: Annotated[str, Meta(min_length=8, max_length=128)]
    kind: Literal["anomaly_event"] = "anomaly_event"


class AlertRuleOut(Wire, omit_defaults=False):
    id: int
    deploymentId: str
    kind: str
    webhookUrl: str
    enabled: bool
    createdBy: str
    createdAt: datetime


class AlertDeliveryOut(Wire, omit_defaults=False):
    id: int
    ruleId: int
    delivered: bool
    payload: dict[str, Any]
    attempts: list[dict[str, Any]]
    createdAt: datetime
