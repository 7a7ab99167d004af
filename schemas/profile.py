"""A dataset's profile: column statistics, quantiles, histogram buckets and gaps. Computed
once per dataset (at upload, or on first read), cached beside its Parquet, read by Explore
and the quality report."""

from __future__ import annotations

from datetime import datetime

import msgspec

from schemas.base import Wire


class Quantiles(Wire):
    p01: float
    p05: float
    p25: float
    p50: float
    p75: float
    p95: float
    p99: float


class Bucket(Wire):
    """Histogram bar: values in [lo, hi) (the last one includes hi)."""

    lo: float
    hi: float
    count: int


class ValueCount(Wire):
    value: str
    count: int


class ColumnStats(Wire):
    """Statistics of one column; NaN counts as missing. Numbers only for numeric columns."""

    name: str
    dtype: str
    count: int
    missing: int
    missingRate: float
    mean: float | None = None
    std: float | None = None
    min: float | None = None
    max: float | None = None
    quantiles: Quantiles | None = None
    buckets: list[Bucket] = msgspec.field(default_factory=list)
    distinct: int | None = None
    top: list[ValueCount] = msgspec.field(default_factory=list)


class Gap(Wire):
    """A hole in the series: the last timestamp before it and the first after it."""

    after: datetime
    before: datetime
    missingPoints: int


class GapSummary(Wire):
    count: int
    missingPoints: int
    regularShare: float  # share of steps equal to the frequency
    largest: list[Gap] = msgspec.field(default_factory=list)


class Profile(Wire):
    """Everything a preview needs but the sample rows; cached beside the Parquet."""

    rows: int
    stats: dict[str, ColumnStats]
    gaps: GapSummary
    computeSeconds: float
