"""Data-quality rules over a dataset: not-null share, value ranges, monotonic timestamps,
regular interval (any gap fails it: the same gaps, with their times, that Explore shows).
Pure: the profile, the ingest facts and the numeric columns in, a report out.

A range is the one configured for the column, or else a robust default: Tukey's far-out
fences (quartiles -/+ 3 IQR), which real load data stays inside except for faults.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from control_plane.datasets.schemas import IngestFacts, RangeRule
from control_plane.explore.schemas import QualityReport, RuleResult
from loadstar_core.json_rows import json_rows
from loadstar_core.profile import TIMESTAMP
from schemas.profile import ColumnStats, Profile

NOT_NULL_MIN = 0.95
REGULAR_MIN = 0.99
ROBUST_OUTSIDE_MAX = 0.001  # share outside the default fences that still passes
FENCE_IQR = 3.0
EXAMPLES = 5


def default_range(stats: ColumnStats) -> RangeRule | None:
    q = stats.quantiles
    if q is None:
        return None
    spread = (q.p75 - q.p25) or (q.p99 - q.p01) or abs(q.p50) * 0.1 or 1.0
    return RangeRule(min=q.p25 - FENCE_IQR * spread, max=q.p75 + FENCE_IQR * spread)


def not_null_rule(stats: ColumnStats) -> RuleResult:
    share = 1.0 - stats.missingRate
    return RuleResult(
        rule="notNull",
        column=stats.name,
        passed=share >= NOT_NULL_MIN,
        observed=share,
        threshold=f">= {NOT_NULL_MIN:.0%} present",
        message=f"{stats.name}: {share:.2%} of values present ({stats.missing} missing)",
        details={"missing": stats.missing},
    )


def range_rule(
    frame: pl.DataFrame, stats: ColumnStats, configured: RangeRule | None
) -> RuleResult | None:
    bounds = configured or default_range(stats)
    if bounds is None or stats.count == 0:
        return None
    values = pl.col(stats.name).cast(pl.Float64)
    outside = values.is_finite() & (
        (values < bounds.min if bounds.min is not None else pl.lit(False))
        | (values > bounds.max if bounds.max is not None else pl.lit(False))
    )
    hits = frame.select(TIMESTAMP, stats.name).filter(outside)
    share_outside = hits.height / stats.count
    allowed = 0.0 if configured else ROBUST_OUTSIDE_MAX
    low = "-inf" if bounds.min is None else f"{bounds.min:.6g}"
    high = "+inf" if bounds.max is None else f"{bounds.max:.6g}"
    return RuleResult(
        rule="range",
        column=stats.name,
        passed=share_outside <= allowed,
        observed=1.0 - share_outside,
        threshold=f"[{low}, {high}]" + (" (configured)" if configured else " (robust default)"),
        message=f"{stats.name}: {hits.height} value(s) outside [{low}, {high}]",
        details={
            "min": bounds.min,
            "max": bounds.max,
            "source": "configured" if configured else "robust",
            "violations": hits.height,
            "examples": json_rows(hits.head(EXAMPLES)),
        },
    )


def monotonic_rule(facts: IngestFacts) -> RuleResult:
    ok = facts.sortedOnUpload and facts.duplicateTimestamps == 0
    problems = [] if facts.sortedOnUpload else ["rows were out of time order (sorted on ingest)"]
    if facts.duplicateTimestamps:
        problems.append(f"{facts.duplicateTimestamps} repeated timestamp(s)")
    return RuleResult(
        rule="monotonicTimestamps",
        passed=ok,
        observed=1.0 if ok else 0.0,
        threshold="strictly increasing",
        message="timestamps strictly increase" if ok else "; ".join(problems),
        details={
            "sortedOnUpload": facts.sortedOnUpload,
            "duplicateTimestamps": facts.duplicateTimestamps,
        },
    )


def interval_rule(profile: Profile, frequency: str | None) -> RuleResult:
    gaps = profile.gaps
    largest = gaps.largest[0] if gaps.largest else None
    return RuleResult(
        rule="regularInterval",
        passed=frequency is not None and gaps.regularShare >= REGULAR_MIN and gaps.count == 0,
        observed=gaps.regularShare,
        threshold=f">= {REGULAR_MIN:.0%} of steps equal to {frequency or 'a frequency'}",
        message=(
            f"{gaps.regularShare:.2%} of steps are {frequency}; {gaps.count} gap(s), "
            f"{gaps.missingPoints} missing point(s)"
            if frequency
            else "no sampling frequency could be inferred"
        ),
        details={
            "frequency": frequency,
            "gaps": gaps.count,
            "missingPoints": gaps.missingPoints,
            "largestGap": None
            if largest is None
            else {
                "after": largest.after.isoformat(),
                "before": largest.before.isoformat(),
                "missingPoints": largest.missingPoints,
            },
            "gapRanges": [
                {
                    "after": g.after.isoformat(),
                    "before": g.before.isoformat(),
                    "missingPoints": g.missingPoints,
                }
                for g in gaps.largest
            ],
        },
    )


def quality_report(
    dataset_id: str,
    frame: pl.DataFrame,
    profile: Profile,
    facts: IngestFacts,
    frequency: str | None,
    configured: dict[str, RangeRule],
    now: datetime,
) -> QualityReport:
    """`frame` holds the timestamp and the numeric columns whose ranges are checked."""
    rules = [not_null_rule(s) for s in profile.stats.values()]
    for name, stats in profile.stats.items():
        if name in frame.columns and stats.quantiles is not None:
            result = range_rule(frame, stats, configured.get(name))
            if result is not None:
                rules.append(result)
    rules += [monotonic_rule(facts), interval_rule(profile, frequency)]
    passed = sum(r.passed for r in rules)
    return QualityReport(
        datasetId=dataset_id,
        passed=passed == len(rules),
        score=passed / len(rules),
        rules=rules,
        generatedAt=now,
    )
