"""Each rule kind evaluated on a frame: counts, failing time ranges and sample rows.

Pure polars on a LazyFrame with a `timestamp` column in row order; nothing here reads or
writes anything. A row-level rule is a boolean mask over the rows; its failing ranges are
the runs of consecutive rows where the mask holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import polars as pl

from loadstar_core.quality.timeline import (
    TIMESTAMP,
    as_ranges,
    failing_runs,
    gap_table,
    regular_share,
    samples,
)
from schemas.quality import (
    AllowedValues,
    ColumnsCompare,
    Freshness,
    MonotonicTimestamps,
    NoDuplicateTimestamps,
    NotNull,
    OutlierShare,
    Range,
    RegularInterval,
    RowCount,
    Rule,
    RuleResult,
    StuckValues,
    TimeRange,
)

MAD_SCALE = 1.4826  # MAD of a normal distribution times this is its standard deviation
MEAN_AD_SCALE = 1.2533  # the same for the mean absolute deviation (used when MAD is 0)


@dataclass(frozen=True)
class Context:
    """What a rule needs beyond the rows: the time of the check, the sampling step, the
    number of rows and the columns' types."""

    now: datetime
    step_seconds: float | None
    rows: int
    schema: pl.Schema


def _missing(column: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(column)
    return col.is_null() | col.is_nan() if dtype.is_float() else col.is_null()


def _finite(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Float64).is_finite().fill_null(False)


def _count(frame: pl.LazyFrame, expr: pl.Expr) -> int:
    return int(frame.select(expr.fill_null(False).sum()).collect().item() or 0)


@dataclass(frozen=True)
class Finding:
    """What a row-level rule found, before it is judged against its threshold."""

    failing: int
    ranges: list[TimeRange]
    total: int
    samples: list[dict[str, Any]]


def _find(frame: pl.LazyFrame, mask: pl.Expr, columns: list[str]) -> Finding:
    runs = failing_runs(frame, mask)
    failing = int(runs["points"].sum()) if runs.height else 0
    return Finding(
        failing=failing,
        ranges=as_ranges(runs),
        total=runs.height,
        samples=samples(frame, mask, columns) if failing else [],
    )


def _result(
    index: int,
    rule: Rule,
    ok: bool,
    checked: int,
    code: str,
    message: str,
    params: dict[str, Any],
    found: Finding | None = None,
    column: str | None = None,
    observed: float | None = None,
) -> RuleResult:
    kind: str = rule.__struct_config__.tag  # type: ignore[assignment]
    return RuleResult(
        index=index,
        kind=kind,
        severity=rule.severity,
        outcome="pass" if ok else rule.severity,
        checked=checked,
        failing=found.failing if found else (0 if ok else 1),
        code=code,
        message=message,
        params=params,
        column=column,
        observed=observed,
        ranges=found.ranges if found else [],
        rangesTotal=found.total if found else 0,
        samples=found.samples if found else [],
    )


def _share_rule(
    index: int,
    rule: Rule,
    frame: pl.LazyFrame,
    mask: pl.Expr,
    checked: int,
    max_share: float,
    columns: list[str],
    code: str,
    what: str,
) -> RuleResult:
    found = _find(frame, mask, columns)
    share = found.failing / checked if checked else 0.0
    ok = found.failing == 0 if max_share == 0 else share <= max_share
    return _result(
        index,
        rule,
        ok,
        checked,
        code,
        f"{found.failing} of {checked} row(s) {what} ({share:.2%}; allowed {max_share:.2%})",
        {"failing": found.failing, "checked": checked, "share": share, "allowed": max_share},
        found,
        columns[0] if columns else None,
        share,
    )


def not_null(i: int, r: NotNull, f: pl.LazyFrame, ctx: Context) -> RuleResult:
    found = _find(f, _missing(r.column, ctx.schema[r.column]), [r.column])
    present = 1.0 - found.failing / ctx.rows if ctx.rows else 1.0
    return _result(
        i,
        r,
        present >= r.minShare,
        ctx.rows,
        "quality.notNull",
        f"{r.column}: {present:.2%} of values present ({found.failing} missing; "
        f"at least {r.minShare:.2%} required)",
        {"column": r.column, "present": present, "missing": found.failing, "min": r.minShare},
        found,
        r.column,
        present,
    )


def value_range(i: int, r: Range, f: pl.LazyFrame, ctx: Context) -> RuleResult:
    v = pl.col(r.column).cast(pl.Float64)
    low = v < r.min if r.min is not None else pl.lit(False)
    high = v > r.max if r.max is not None else pl.lit(False)
    low_text = "-inf" if r.min is None else f"{r.min:g}"
    high_text = "+inf" if r.max is None else f"{r.max:g}"
    bounds = f"[{low_text}, {high_text}]"
    return _share_rule(
        i,
        r,
        f,
        _finite(r.column) & (low | high),
        _count(f, _finite(r.column)),
        r.maxShare,
        [r.column],
        "quality.range",
        f"of {r.column} outside {bounds}" + (f" {r.unit}" if r.unit else ""),
    )


def _as_text(value: str | float | int | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def allowed_values(i: int, r: AllowedValues, f: pl.LazyFrame, ctx: Context) -> RuleResult:
    text = pl.col(r.column).cast(pl.String)
    allowed = [_as_text(v) for v in r.values]
    present = pl.col(r.column).is_not_null()
    return _share_rule(
        i,
        r,
        f,
        present & ~text.is_in(allowed),
        _count(f, present),
        0.0,
        [r.column],
        "quality.allowedValues",
        f"of {r.column} not among {', '.join(allowed)}",
    )


def regular_interval(i: int, r: RegularInterval, f: pl.LazyFrame, ctx: Context) -> RuleResult:
    step = r.everySeconds or ctx.step_seconds
    if step is None:
        return _result(
            i, r, False, ctx.rows, "quality.noFrequency", "no sampling interval is known", {}
        )
    gaps = gap_table(f, step, r.maxGapSeconds).collect()
    runs = gaps.select(
        pl.col("after").alias("start"),
        pl.col("before").alias("end"),
        pl.col("missingPoints").alias("points"),
    )
    missing = int(gaps["missingPoints"].sum() or 0)
    found = Finding(failing=gaps.height, ranges=as_ranges(runs), total=gaps.height, samples=[])
    largest = float(gaps["seconds"].max() or 0.0) if gaps.height else 0.0  # type: ignore[arg-type]
    share = regular_share(f, step)
    return _result(
        i,
        r,
        gaps.height == 0,
        max(ctx.rows - 1, 0),
        "quality.gaps",
        f"{gaps.height} gap(s) longer than {r.maxGapSeconds or 1.5 * step:g} s, "
        f"{missing} missing point(s); {share:.2%} of steps are {step:g} s",
        {"gaps": gaps.height, "missingPoints": missing, "largestSeconds": largest, "step": step},
        found,
        observed=share,
    )


def monotonic(i: int, r: MonotonicTimestamps, f: pl.LazyFrame, ctx: Context) -> RuleResult:
    ts = pl.col(TIMESTAMP)
    found = _find(f, ts < ts.shift(1), [])
    return _result(
        i,
        r,
        found.failing == 0,
        max(ctx.rows - 1, 0),
        "quality.monotonic",
        f"{found.failing} timestamp(s) earlier than the row before",
        {"failing": found.failing},
        found,
    )


def no_duplicates(i: int, r: NoDuplicateTimestamps, f: pl.LazyFrame, ctx: Context) -> RuleResult:
    found = _find(f, pl.col(TIMESTAMP).is_duplicated(), [])
    return _result(
        i,
        r,
        found.failing == 0,
        ctx.rows,
        "quality.duplicates",
        f"{found.failing} row(s) share their timestamp with another row",
        {"failing": found.failing},
        found,
    )


def freshness(i: int, r: Freshness, f: pl.LazyFrame, ctx: Context) -> RuleResult:
    last = f.select(pl.col(TIMESTAMP).max()).collect().item()
    if last is None:
        return _result(i, r, False, 0, "quality.empty", "the dataset has no rows", {})
    last = last.replace(tzinfo=UTC) if last.tzinfo is None else last
    age = (ctx.now - last).total_seconds()
    ok = age <= r.maxAgeSeconds
    found = Finding(
        failing=0 if ok else 1,
        ranges=[] if ok else [TimeRange(start=last, end=ctx.now, points=0)],
        total=0 if ok else 1,
        samples=[],
    )
    return _result(
        i,
        r,
        ok,
        1,
        "quality.freshness",
        f"the last timestamp is {age:g} s old (at most {r.maxAgeSeconds:g} s allowed)",
        {"ageSeconds": age, "maxAgeSeconds": r.maxAgeSeconds, "last": last.isoformat()},
        found,
        observed=age,
    )


def stuck(i: int, r: StuckValues, f: pl.LazyFrame, ctx: Context) -> RuleResult:
    v = pl.col(r.column)
    run = v.ne_missing(v.shift(1)).fill_null(True).cum_sum()
    mask = v.is_not_null() & (pl.len().over(run) >= r.maxRepeats)
    return _share_rule(
        i,
        r,
        f,
        mask,
        _count(f, v.is_not_null()),
        0.0,
        [r.column],
        "quality.stuck",
        f"of {r.column} in runs of {r.maxRepeats} or more equal values",
    )


def outliers(i: int, r: OutlierShare, f: pl.LazyFrame, ctx: Context) -> RuleResult:
    v = pl.col(r.column).cast(pl.Float64)
    finite = f.filter(_finite(r.column)).select(v.alias("v"))
    med = finite.select(pl.col("v").median()).collect().item()
    scale = 0.0
    if med is not None:
        deviation = (pl.col("v") - med).abs()
        mad, mean_ad = (
            finite.select(deviation.median().alias("mad"), deviation.mean().alias("mean"))
            .collect()
            .row(0)
        )
        scale = MAD_SCALE * mad if mad else MEAN_AD_SCALE * (mean_ad or 0.0)
    mask = (
        _finite(r.column) & ((v - med).abs() / scale > r.z)
        if med is not None and scale > 0
        else pl.lit(False)
    )
    return _share_rule(
        i,
        r,
        f,
        mask,
        _count(f, _finite(r.column)),
        r.maxShare,
        [r.column],
        "quality.outliers",
        f"of {r.column} with a robust z-score above {r.z:g}",
    )


def row_count(i: int, r: RowCount, f: pl.LazyFrame, ctx: Context) -> RuleResult:
    ok = (r.min is None or ctx.rows >= r.min) and (r.max is None or ctx.rows <= r.max)
    return _result(
        i,
        r,
        ok,
        ctx.rows,
        "quality.rowCount",
        f"{ctx.rows} row(s); expected {r.min if r.min is not None else 0} to "
        f"{r.max if r.max is not None else 'any'}",
        {"rows": ctx.rows, "min": r.min, "max": r.max},
        observed=float(ctx.rows),
    )


_OPS: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
}


def compare(i: int, r: ColumnsCompare, f: pl.LazyFrame, ctx: Context) -> RuleResult:
    a, b = pl.col(r.left).cast(pl.Float64), pl.col(r.right).cast(pl.Float64)
    both = _finite(r.left) & _finite(r.right)
    return _share_rule(
        i,
        r,
        f,
        both & ~_OPS[r.op](a, b),
        _count(f, both),
        r.maxShare,
        [r.left, r.right],
        "quality.compare",
        f"where {r.left} {r.op} {r.right} does not hold",
    )


# each rule kind's check; the suite dispatches on the rule's type through this table
EVALUATORS: dict[type[Rule], Callable[[int, Any, pl.LazyFrame, Context], RuleResult]] = {
    NotNull: not_null,
    Range: value_range,
    AllowedValues: allowed_values,
    RegularInterval: regular_interval,
    MonotonicTimestamps: monotonic,
    NoDuplicateTimestamps: no_duplicates,
    Freshness: freshness,
    StuckValues: stuck,
    OutlierShare: outliers,
    RowCount: row_count,
    ColumnsCompare: compare,
}
