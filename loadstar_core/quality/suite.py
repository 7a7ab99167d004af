"""A suite of rules evaluated on one frame, with progress, into one result.

Pure: the frame (a `timestamp` column in row order and the value columns), the rules,
the time of the check and the sampling step in; a `SuiteResult` out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import polars as pl

from loadstar_core.quality import rules as kinds
from loadstar_core.quality.timeline import TIMESTAMP
from schemas.quality import ColumnsCompare, Rule, RuleResult, SuiteResult

Progress = Callable[[int, int], None]


def rule_columns(rule: Rule) -> list[str]:
    """The value columns a rule reads."""
    if isinstance(rule, ColumnsCompare):
        return [rule.left, rule.right]
    column = getattr(rule, "column", None)
    return [column] if isinstance(column, str) else []


def _missing_column(index: int, rule: Rule, column: str, rows: int) -> RuleResult:
    kind: str = rule.__struct_config__.tag  # type: ignore[assignment]
    return RuleResult(
        index=index,
        kind=kind,
        severity=rule.severity,
        outcome=rule.severity,
        checked=rows,
        failing=rows,
        code="quality.missingColumn",
        message=f"the dataset has no column {column!r}",
        params={"column": column},
        column=column,
    )


def evaluate_rule(index: int, rule: Rule, frame: pl.LazyFrame, ctx: kinds.Context) -> RuleResult:
    for column in rule_columns(rule):
        if column not in ctx.schema:
            return _missing_column(index, rule, column, ctx.rows)
    return kinds.EVALUATORS[type(rule)](index, rule, frame, ctx)


def evaluate_suite(
    frame: pl.DataFrame | pl.LazyFrame,
    rules: list[Rule],
    now: datetime,
    step_seconds: float | None,
    progress: Progress | None = None,
) -> SuiteResult:
    """Every rule on `frame` (its `timestamp` column in row order); `progress(done, total)`
    after each rule."""
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    if TIMESTAMP not in schema:
        raise ValueError(f"the frame has no {TIMESTAMP!r} column")
    rows = int(lazy.select(pl.len()).collect().item())
    ctx = kinds.Context(now=now, step_seconds=step_seconds, rows=rows, schema=schema)
    results: list[RuleResult] = []
    for index, rule in enumerate(rules):
        results.append(evaluate_rule(index, rule, lazy, ctx))
        if progress is not None:
            progress(index + 1, len(rules))
    failed = sum(r.outcome == "fail" for r in results)
    warned = sum(r.outcome == "warn" for r in results)
    return SuiteResult(
        outcome="fail" if failed else "warn" if warned else "pass",
        rows=rows,
        rules=results,
        passed=len(results) - failed - warned,
        warned=warned,
        failed=failed,
    )
