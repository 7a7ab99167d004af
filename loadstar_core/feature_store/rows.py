"""Ingested rows checked against a feature group's features, all or nothing.

A row is `{entity, eventTime, values: {feature: value}}`. Every refusal is INVALID_INPUT
naming the row (`details.row`) and the field, so a caller can fix the batch and resend
it; nothing is kept from a refused batch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import msgspec

from loadstar_core.postprocess.units import Conversion, resolve_conversion
from schemas.errors import InvalidInput

Dtype = Literal["float64", "float32", "int64", "int32", "bool", "string"]
DTYPES: tuple[str, ...] = ("float64", "float32", "int64", "int32", "bool", "string")
NUMERIC: frozenset[str] = frozenset({"float64", "float32", "int64", "int32"})


class FeatureSpec(msgspec.Struct, frozen=True):
    """What a group promises about one feature: its type and (numeric) unit."""

    dtype: str
    unit: str | None = None
    min_value: float | None = None
    max_value: float | None = None


class CheckedRow(msgspec.Struct, frozen=True):
    """A row as it is stored: UTC event time, values in the feature's own unit."""

    entity: str
    event_time: datetime
    values: dict[str, float | str | bool | None]


def parse_event_time(value: object, row: int) -> datetime:
    """An ISO 8601 timestamp (offsets honoured, naive read as UTC) as an aware UTC time."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
    raise InvalidInput(
        f"row {row}: eventTime {str(value)[:64]!r} is not an ISO 8601 timestamp",
        {"row": row, "field": "eventTime", "value": str(value)[:100]},
    )


def _typed(value: Any, spec: FeatureSpec, row: int, name: str, conv: Conversion) -> Any:
    if value is None:
        return None
    ok: bool
    if spec.dtype in NUMERIC:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and spec.dtype.startswith("int"):
            ok = float(value).is_integer()
        if ok and not math.isfinite(float(value)):
            ok = False
        if ok:
            converted = conv.factor * float(value) + conv.offset
            return int(converted) if spec.dtype.startswith("int") else converted
    elif spec.dtype == "bool":
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, str)
    if not ok:
        raise InvalidInput(
            f"row {row}: feature {name!r} must be {spec.dtype}, got {value!r:.64}",
            {
                "row": row,
                "field": f"values.{name}",
                "dtype": spec.dtype,
                "value": repr(value)[:100],
            },
        )
    return value


def unit_conversions(
    features: Mapping[str, FeatureSpec], units: Mapping[str, str]
) -> dict[str, Conversion]:
    """The conversion of each feature the caller gave in its own unit (pint, once)."""
    out: dict[str, Conversion] = {}
    for name, unit in units.items():
        spec = features.get(name)
        if spec is None:
            raise InvalidInput(
                f"units names {name!r}, which is not a feature of the group",
                {"field": f"units.{name}", "features": sorted(features)},
            )
        if spec.unit is None or spec.dtype not in NUMERIC:
            raise InvalidInput(
                f"feature {name!r} has no unit, so a unit cannot be given for it",
                {"field": f"units.{name}", "unit": unit},
            )
        out[name] = resolve_conversion(unit, spec.unit, f"units.{name}")
    return out


def check_rows(
    features: Mapping[str, FeatureSpec],
    rows: Sequence[Mapping[str, Any]],
    units: Mapping[str, str] | None = None,
) -> list[CheckedRow]:
    """Every row checked and converted; the first bad row refuses the whole batch."""
    conversions = unit_conversions(features, units or {})
    identity = Conversion()
    checked: list[CheckedRow] = []
    for i, raw in enumerate(rows):
        entity = raw.get("entity")
        if not isinstance(entity, str) or not entity.strip():
            raise InvalidInput(
                f"row {i}: entity must be a non-empty string",
                {"row": i, "field": "entity"},
            )
        when = parse_event_time(raw.get("eventTime"), i)
        values = raw.get("values")
        if not isinstance(values, Mapping) or not values:
            raise InvalidInput(
                f"row {i}: values must be an object of feature -> value",
                {"row": i, "field": "values"},
            )
        out: dict[str, float | str | bool | None] = {}
        for name, value in values.items():
            spec = features.get(name)
            if spec is None:
                raise InvalidInput(
                    f"row {i}: {name!r} is not a feature of the group",
                    {"row": i, "field": f"values.{name}", "features": sorted(features)},
                )
            out[name] = _typed(value, spec, i, name, conversions.get(name, identity))
        checked.append(CheckedRow(entity=entity, event_time=when, values=out))
    return checked
