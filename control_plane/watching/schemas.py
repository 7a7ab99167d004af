"""Request and response bodies of the watching routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
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
    offlineMae: float | None  # the model card's hold-out MAE, when it has one
    bucket: Literal["hour", "day"] | None  # set when `buckets` was asked for
    buckets: list[AccuracyBucket]  # accuracy over time, oldest first (empty unless asked)


class AccuracyBucket(Wire, omit_defaults=False):
    """Every forecast-actual pair whose actual falls in the hour or day starting at `t`."""

    t: datetime
    n: int
    mae: float
    coverage: float
    naiveMae: float | None


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


AlertKind = Literal["anomaly_event", "coverage", "mae_vs_naive", "no_data"]


class AlertRuleIn(Wire):
    """Deliver to `webhookUrl`, signed with `secret` (HMAC-SHA256, header
    X-Loadstar-Signature), when the rule fires and when it resolves:

    - `anomaly_event`: each new anomaly event of the deployment;
    - `coverage`: the realised coverage of [p05, p95] over the last `windowMinutes` of
      actuals (default a day) falls below `threshold` (default 0.8);
    - `mae_vs_naive`: the live MAE over that window exceeds `threshold` (default 1.0) times
      the better seasonal naive's MAE on the same points;
    - `no_data`: no readings have arrived for `windowMinutes` (default 60).
    """

    webhookUrl: Annotated[str, Meta(pattern=r"^https?://", max_length=2000)]
    secret: Annotated[str, Meta(min_length=8, max_length=128)]
    kind: AlertKind = "anomaly_event"
    threshold: Annotated[float, Meta(gt=0.0, le=100.0)] | None = None
    windowMinutes: Annotated[int, Meta(ge=1, le=366 * 1440)] | None = None


class AlertRuleOut(Wire, omit_defaults=False):
    id: int
    deploymentId: str
    kind: str
    webhookUrl: str
    enabled: bool
    createdBy: str
    createdAt: datetime
    threshold: float | None  # None for anomaly_event and no_data
    windowMinutes: int | None  # None for anomaly_event
    firingSince: datetime | None  # set while the rule's condition holds
    lastValue: float | None  # coverage, MAE ratio or minutes without data, when evaluated
    evaluatedAt: datetime | None


class RuleTransition(Wire, omit_defaults=False):
    ruleId: int
    kind: str
    state: Literal["fired", "resolved"]
    value: float | None


class EvaluationOut(Wire, omit_defaults=False):
    """One pass of the periodic work: rules evaluated, fired or resolved; live confidence
    figures updated; recorded rows past the retention deleted."""

    evaluated: int
    transitions: list[RuleTransition]
    liveConfidence: int  # deployments whose `confidence` is now live
    deleted: dict[str, int]


class AlertDeliveryOut(Wire, omit_defaults=False):
    """One delivery and its attempts. `message` is the body's plain English sentence;
    `code` and `params` name it for the console's `alertMessages` (None and empty for a
    delivery logged before they were sent)."""

    id: int
    ruleId: int
    delivered: bool
    payload: dict[str, Any]
    attempts: list[dict[str, Any]]
    createdAt: datetime
    message: str | None = None
    code: str | None = None
    params: dict[str, str] = msgspec.field(default_factory=dict)
