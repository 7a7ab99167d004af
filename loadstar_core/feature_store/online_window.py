"""The online store's key layout and a serving window built from it, shared by the control
plane (which writes and reads it) and the edge gateway (which reads windows from it).

Keys (`{ns}` is the deployment's namespace): `{ns}:fs:v:{group}:{entity}:{feature}` holds
the latest `[eventTime, value]` as JSON; `{ns}:fs:w:{group}:{entity}:{feature}` is a
sorted set (score: event time) whose members are a 16-hex-digit time prefix, a colon and
the `[eventTime, value]` JSON. Pure: no I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec

from schemas.errors import InvalidInput

Value = float | str | bool | None
PREFIX = 17  # the window member's time prefix and its colon
_DECODE = msgspec.json.Decoder(tuple[str, float | str | bool | None])


def latest_key(namespace: str, group: str, entity: str, feature: str) -> str:
    return f"{namespace}:fs:v:{group}:{entity}:{feature}"


def window_key(namespace: str, group: str, entity: str, feature: str) -> str:
    return f"{namespace}:fs:w:{group}:{entity}:{feature}"


def decode_point(raw: bytes) -> tuple[str, Value]:
    """A latest key's value as `(eventTime, value)`."""
    return _DECODE.decode(raw)


def decode_member(raw: bytes) -> tuple[str, Value]:
    """A window member as `(eventTime, value)`."""
    return _DECODE.decode(raw[PREFIX:])


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def window_rows(
    windows: Mapping[str, Sequence[tuple[str, Value]]],
    timestamp_field: str,
    *,
    entity: str,
    lookback: int,
    step: int,
    now: float,
    max_age_seconds: float | None,
    newer: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The rows of a predict request's `series`, one per event time, from the online
    windows of each feature (`feature -> [(eventTime, value)]`) and the caller's own
    `newer` rows (which win over a stored value at the same time and field).

    INVALID_INPUT, in plain words, when nothing is online for the entity, when its newest
    reading is older than `max_age_seconds`, or when fewer than `lookback` grid points up
    to the newest one hold a reading (the window is incomplete).
    """
    series: dict[float, dict[str, Any]] = {}
    for feature, points in windows.items():
        for when, value in points:
            series.setdefault(_epoch(when), {})[feature] = value
    for index, row in enumerate(newer):
        stamp = row.get(timestamp_field)
        try:
            t = _epoch(str(stamp))
        except ValueError as exc:
            raise InvalidInput(
                f"series[{index}].{timestamp_field} is not a time: {stamp!r}",
                {"field": f"series.{index}.{timestamp_field}"},
            ) from exc
        fields = {k: v for k, v in row.items() if k != timestamp_field}
        series.setdefault(t, {}).update(fields)
    if not series:
        raise InvalidInput(
            f"nothing is online for {entity!r}: no reading of {sorted(windows)} yet",
            {"entity": entity, "reason": "empty"},
        )
    newest = max(series)
    age = now - newest
    if max_age_seconds is not None and age > max_age_seconds:
        raise InvalidInput(
            f"the online window of {entity!r} is stale: its newest reading, at "
            f"{_iso(newest)}, is {age:.0f} s old (at most {max_age_seconds:.0f} s allowed)",
            {
                "entity": entity,
                "reason": "stale",
                "newest": _iso(newest),
                "ageSeconds": round(age, 3),
                "maxAgeSeconds": max_age_seconds,
            },
        )
    last = int(newest // step) * step
    first = last - (lookback - 1) * step
    covered = {int(t // step) * step for t in series if t >= first}
    if len(covered) < lookback:
        raise InvalidInput(
            f"the online window of {entity!r} is incomplete: {len(covered)} of the "
            f"{lookback} grid points up to {_iso(last)} hold a reading",
            {
                "entity": entity,
                "reason": "incomplete",
                "points": len(covered),
                "lookback": lookback,
                "newest": _iso(newest),
            },
        )
    return [{timestamp_field: _iso(t), **series[t]} for t in sorted(series) if t >= first]
