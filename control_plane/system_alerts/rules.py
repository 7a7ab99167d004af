"""Pure: the host's readings as named metrics, and which rules a reading fires or resolves.

A rule fires when its metric crosses the threshold and no event of it is open; an open
event resolves when the metric is back on the right side. A metric with no reading (no
GPU on this host, Redis down) neither fires nor resolves anything.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Literal, get_args

import msgspec

Metric = Literal[
    "gpuUtilization",
    "gpuTemperature",
    "gpuMemory",
    "cpu",
    "memory",
    "disk",
    "queueLength",
    "workersAlive",
]
METRICS: tuple[Metric, ...] = get_args(Metric)
UNITS: dict[Metric, str] = {
    "gpuUtilization": "%",
    "gpuTemperature": "degC",
    "gpuMemory": "%",
    "cpu": "%",
    "memory": "%",
    "disk": "%",
    "queueLength": "jobs",
    "workersAlive": "workers",
}
Op = Literal[">", ">=", "<", "<="]
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


class RuleView(msgspec.Struct, frozen=True):
    id: int
    name: str
    metric: str
    op: str
    threshold: float


class Firing(msgspec.Struct, frozen=True):
    rule: RuleView
    value: float
    message: str


def breached(rule: RuleView, value: float) -> bool:
    return _OPS[rule.op](value, rule.threshold)


def message_for(rule: RuleView, value: float) -> str:
    unit = UNITS.get(rule.metric, "")  # type: ignore[call-overload]
    return (
        f"{rule.name}: {rule.metric} is {value:g} {unit}".rstrip()
        + f" ({rule.op} {rule.threshold:g})"
    )


def evaluate(
    rules: Iterable[RuleView], readings: Mapping[str, float | None], open_rules: set[int]
) -> tuple[list[Firing], list[int]]:
    """(what fires now, the ids of rules whose open event resolves now)."""
    fired: list[Firing] = []
    resolved: list[int] = []
    for rule in rules:
        value = readings.get(rule.metric)
        if value is None:
            continue
        if breached(rule, value):
            if rule.id not in open_rules:
                fired.append(Firing(rule=rule, value=value, message=message_for(rule, value)))
        elif rule.id in open_rules:
            resolved.append(rule.id)
    return fired, resolved


def gpu_readings(
    utilizations: list[float], temperatures: list[float | None], memory: list[tuple[int, int]]
) -> dict[str, float | None]:
    """The hottest GPU counts: the highest utilisation, temperature and memory share."""
    temps = [t for t in temperatures if t is not None]
    shares = [100.0 * used / total for used, total in memory if total > 0]
    return {
        "gpuUtilization": max(utilizations) if utilizations else None,
        "gpuTemperature": max(temps) if temps else None,
        "gpuMemory": round(max(shares), 2) if shares else None,
    }
