"""Data-quality rules and their results: the contract of rule suites and reports.

A rule is one variant of a tagged union (`kind`), each with a severity: a rule that does
not hold marks the report `warn` or `fail`. Bounds are in the column's own unit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from schemas.base import Wire

Severity = Literal["warn", "fail"]
Outcome = Literal["pass", "warn", "fail"]
Share = Annotated[float, Meta(ge=0.0, le=1.0)]
Column = Annotated[str, Meta(min_length=1)]
Seconds = Annotated[float, Meta(gt=0.0)]


class NotNull(Wire, tag="notNull", tag_field="kind"):
    """At least `minShare` of the column's values are present (NaN counts as missing)."""

    column: Column
    minShare: Share = 1.0
    severity: Severity = "fail"


class Range(Wire, tag="range", tag_field="kind"):
    """Values within [min, max] in the column's unit; at most `maxShare` outside."""

    column: Column
    min: float | None = None
    max: float | None = None
    unit: str | None = None  # when given, it must be the column's unit
    maxShare: Share = 0.0
    severity: Severity = "fail"


class AllowedValues(Wire, tag="allowedValues", tag_field="kind"):
    """Every present value is one of `values` (compared as text)."""

    column: Column
    values: Annotated[list[str | float | int | bool], Meta(min_length=1)]
    severity: Severity = "fail"


class RegularInterval(Wire, tag="regularInterval", tag_field="kind"):
    """Steps of `everySeconds` (the dataset's frequency when absent); a hole longer than
    1.5 steps (or than `maxGapSeconds` when given) is a finding."""

    everySeconds: Seconds | None = None
    maxGapSeconds: Seconds | None = None
    severity: Severity = "fail"


class MonotonicTimestamps(Wire, tag="monotonicTimestamps", tag_field="kind"):
    """Timestamps never go back in row order."""

    severity: Severity = "fail"


class NoDuplicateTimestamps(Wire, tag="noDuplicateTimestamps", tag_field="kind"):
    """No timestamp occurs twice."""

    severity: Severity = "fail"


class Freshness(Wire, tag="freshness", tag_field="kind"):
    """The last timestamp is at most `maxAgeSeconds` before the check."""

    maxAgeSeconds: Seconds
    severity: Severity = "warn"


class StuckValues(Wire, tag="stuckValues", tag_field="kind"):
    """No run of `maxRepeats` or more equal consecutive values (a frozen sensor)."""

    column: Column
    maxRepeats: Annotated[int, Meta(ge=2)] = 12
    severity: Severity = "warn"


class OutlierShare(Wire, tag="outlierShare", tag_field="kind"):
    """At most `maxShare` of values have a robust z-score (median, MAD) above `z`."""

    column: Column
    z: Annotated[float, Meta(gt=0.0)] = 3.5
    maxShare: Share = 0.01
    severity: Severity = "warn"


class RowCount(Wire, tag="rowCount", tag_field="kind"):
    min: Annotated[int, Meta(ge=0)] | None = None
    max: Annotated[int, Meta(ge=0)] | None = None
    severity: Severity = "fail"


class ColumnsCompare(Wire, tag="columnsCompare", tag_field="kind"):
    """`left op right` on every row where both are present, e.g. `a <= b`."""

    left: Column
    op: Literal["<", "<=", "==", ">=", ">"]
    right: Column
    maxShare: Share = 0.0
    severity: Severity = "fail"


Rule = (
    NotNull
    | Range
    | AllowedValues
    | RegularInterval
    | MonotonicTimestamps
    | NoDuplicateTimestamps
    | Freshness
    | StuckValues
    | OutlierShare
    | RowCount
    | ColumnsCompare
)
RULE_KINDS = tuple(
    t.__struct_config__.tag  # type: ignore[attr-defined]
    for t in Rule.__args__  # type: ignore[attr-defined]
)


class TimeRange(Wire):
    """Consecutive failing rows (or a hole): first and last time, and how many points."""

    start: datetime
    end: datetime
    points: int


class RuleResult(Wire):
    """One rule's outcome: `failing` of `checked` did not hold, with where and examples.

    `code` and `params` name the finding for the console to word in the user's language;
    `message` is the English wording."""

    index: int
    kind: str
    severity: Severity
    outcome: Outcome
    checked: int
    failing: int
    code: str
    message: str
    params: dict[str, Any] = msgspec.field(default_factory=dict)
    column: str | None = None
    observed: float | None = None
    ranges: list[TimeRange] = msgspec.field(default_factory=list)
    rangesTotal: int = 0
    samples: list[dict[str, Any]] = msgspec.field(default_factory=list)


class SuiteResult(Wire):
    outcome: Outcome
    rows: int
    rules: list[RuleResult]
    passed: int
    warned: int
    failed: int
