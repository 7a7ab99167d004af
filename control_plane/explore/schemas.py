"""Wire shapes of exploration: column statistics, gaps, charts, suggestions, quality."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from schemas.base import Wire
from schemas.profile import ColumnStats, GapSummary


class ExplorePreview(Wire):
    datasetId: str
    rows: int
    sampleRows: list[dict[str, Any]]
    stats: dict[str, ColumnStats]
    gaps: GapSummary
    cached: bool
    computeSeconds: float
    frequency: str | None = None
    frequencySeconds: float | None = None
    start: datetime | None = None
    end: datetime | None = None


class SuggestRequest(Wire):
    datasetId: str
    target: str | None = None  # defaults to the load-like numeric column
    maxPoints: Annotated[int, Meta(ge=100, le=5000)] = 2000


class SeriesChart(Wire, tag="series", tag_field="type"):
    """The target over time, min/max-downsampled: each bucket keeps its extremes."""

    column: str
    t: list[str]
    y: list[float]
    originalPoints: int
    method: Literal["none", "minmax"]


class BoxChart(Wire, tag="box", tag_field="type"):
    column: str
    min: float
    q1: float
    median: float
    q3: float
    max: float
    whiskerLow: float
    whiskerHigh: float
    outliers: int


class DensityChart(Wire, tag="density", tag_field="type"):
    """Gaussian kernel density (Silverman bandwidth) on an even grid."""

    column: str
    x: list[float]
    density: list[float]
    bandwidth: float


class ProfileChart(Wire, tag="profile", tag_field="type"):
    """Mean and spread by hour of day (daily: 24 slots) or hour of week (weekly: 168)."""

    column: str
    period: Literal["daily", "weekly"]
    slot: list[int]
    mean: list[float | None]
    std: list[float | None]
    count: list[int]


class AcfChart(Wire, tag="acf", tag_field="type"):
    """Autocorrelation on a regular grid of `stepSeconds`, lags 0.. up to two weeks."""

    column: str
    stepSeconds: float
    lags: list[int]
    values: list[float]
    confidence: float  # +-1.96/sqrt(n): values inside are indistinguishable from noise


Chart = SeriesChart | BoxChart | DensityChart | ProfileChart | AcfChart


class FeatureSuggestion(Wire):
    """A feature-plan op (`op` + `params` as in the plan) and the evidence for it."""

    op: Literal["lag", "rolling", "diff", "seasonality", "normalize"]
    params: dict[str, Any]
    reason: str  # in English; the console words it from `reasonCode` and `reasonParams`
    score: float = 0.0
    reasonCode: str = ""  # e.g. "persistence": the message a console renders in its language
    reasonParams: dict[str, str] = {}  # the message's parameters, numbers already formatted


class ExploreSuggestion(Wire):
    datasetId: str
    target: str
    charts: list[Chart]
    features: list[FeatureSuggestion]
    frequency: str | None = None


class RuleResult(Wire):
    rule: Literal["notNull", "range", "monotonicTimestamps", "regularInterval"]
    passed: bool
    observed: float
    threshold: str
    message: str
    column: str | None = None
    details: dict[str, Any] = msgspec.field(default_factory=dict)


class QualityReport(Wire):
    datasetId: str
    passed: bool
    score: float  # share of rules passed
    rules: list[RuleResult]
    generatedAt: datetime
