"""Unit conversions resolved once with pint into affine factor/offset pairs.

pint is slow and large, so it runs only here, when a deployment (or a new caller unit)
is first seen; every request then applies `y = factor * x + offset` with numpy.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np
import numpy.typing as npt

from schemas.errors import InvalidInput, UnitInconsistent

if TYPE_CHECKING:
    import pint

MAX_UNIT_LENGTH = 64

# Spellings callers use that pint does not read (or reads differently), mapped to pint's.
UNIT_ALIASES: dict[str, str] = {
    "°C": "degC",
    "℃": "degC",
    "°F": "degF",
    "℉": "degF",
    "m3/h": "m**3/h",
    "m³/h": "m**3/h",
    "m3/s": "m**3/s",
    "m³/s": "m**3/s",
    "m3": "m**3",
    "m³": "m**3",
    "%": "percent",
    "1": "dimensionless",
}

# The units the contract promises; used to suggest the right case for a wrong spelling.
KNOWN_UNITS: tuple[str, ...] = (
    "W", "kW", "MW", "GW", "Wh", "kWh", "MWh", "GWh",
    "degC", "degF", "K", "Pa", "kPa", "MPa", "bar", "mbar", "psi",
    "m3/h", "L/min", "L/h", "%", "1", "A", "kA", "V", "kV", "Hz",
)  # fmt: skip
_BY_LOWER = {u.lower(): u for u in (*KNOWN_UNITS, *UNIT_ALIASES)}


class Conversion(msgspec.Struct, frozen=True):
    """`y = factor * x + offset`: one unit conversion, resolved ahead of time."""

    factor: float = 1.0
    offset: float = 0.0

    @property
    def is_identity(self) -> bool:
        return self.factor == 1.0 and self.offset == 0.0

    def apply(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Converts an array; identity conversions return `x` itself, bit for bit."""
        if self.is_identity:
            return x
        return x * self.factor + self.offset


IDENTITY = Conversion()


@lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry[Any]:
    import pint

    return pint.UnitRegistry(autoconvert_offset_to_baseunit=False)


def _pint_name(unit: str) -> str:
    return UNIT_ALIASES.get(unit, unit)


def _parse(unit: Any, field: str) -> Any:
    """pint's unit for a caller or contract spelling; INVALID_INPUT naming `field` if unknown."""
    if not isinstance(unit, str) or not unit.strip() or len(unit) > MAX_UNIT_LENGTH:
        raise InvalidInput(
            f"unit for '{field}' must be a non-empty string of at most {MAX_UNIT_LENGTH} chars",
            {"field": field, "unit": unit if isinstance(unit, str) else repr(unit)},
        )
    spelled = unit.strip()
    try:
        return _registry().parse_units(_pint_name(spelled))
    except Exception as exc:  # pint raises several types (and AssertionError) for bad text
        details: dict[str, Any] = {"field": field, "unit": unit}
        guess = _BY_LOWER.get(spelled.lower())
        if guess is not None and guess != spelled:
            details["didYouMean"] = guess
            message = (
                f"unknown unit '{unit}' for '{field}': "
                f"units are case-sensitive: did you mean '{guess}'?"
            )
        else:
            message = f"unknown unit '{unit}' for '{field}'"
        details["cause"] = f"{type(exc).__name__}: {exc}"[:200]
        raise InvalidInput(message, details) from exc


def check_unit(unit: str, field: str) -> None:
    """Raises INVALID_INPUT when `unit` is not a unit we can read."""
    _parse(unit, field)


@lru_cache(maxsize=1024)
def _resolve(from_unit: str, to_unit: str, field: str) -> Conversion:
    if from_unit == to_unit:
        _parse(from_unit, field)
        return IDENTITY
    src = _parse(from_unit, field)
    dst = _parse(to_unit, field)
    if src.dimensionality != dst.dimensionality:
        raise UnitInconsistent(
            f"'{field}' is given in '{from_unit}' ({src.dimensionality}) "
            f"but the model expects '{to_unit}' ({dst.dimensionality})",
            {
                "field": field,
                "unit": from_unit,
                "expectedUnit": to_unit,
                "dimension": str(src.dimensionality),
                "expectedDimension": str(dst.dimensionality),
            },
        )
    reg = _registry()
    try:
        at0 = float(reg.Quantity(0.0, src).to(dst).magnitude)
        at1 = float(reg.Quantity(1.0, src).to(dst).magnitude)
    except Exception as exc:  # offset units inside compound expressions cannot convert
        raise UnitInconsistent(
            f"cannot convert '{field}' from '{from_unit}' to '{to_unit}'",
            {"field": field, "unit": from_unit, "expectedUnit": to_unit, "cause": str(exc)[:200]},
        ) from exc
    if at0 == 0.0 and at1 == 1.0:
        return IDENTITY
    return Conversion(factor=at1 - at0, offset=at0)


def resolve_conversion(from_unit: str, to_unit: str, field: str = "unit") -> Conversion:
    """The affine conversion from `from_unit` to `to_unit`; cached, so pint runs once per pair.

    Unknown unit -> INVALID_INPUT; a unit of another dimension -> UNIT_INCONSISTENT; both
    name `field` in their details.
    """
    if not isinstance(from_unit, str) or not isinstance(to_unit, str):
        _parse(from_unit if not isinstance(from_unit, str) else to_unit, field)
    return _resolve(from_unit, to_unit, field)
