"""Pure helpers that read a table's shape: unit headers, the timestamp column, frequency.

No I/O: polars frames and series in, plain values out (property-tested).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import polars as pl

from control_plane.datasets.schemas import ColumnRole
from schemas.feature_plan import FREQUENCY_SECONDS

_UNIT_HEADER = re.compile(
    r"^\s*(?P<name>.*?\S)\s*(?:\[(?P<bracket>[^\[\]]*)\]|\((?P<paren>[^()]*)\))\s*$"
)
_TIMESTAMP_HINTS = (
    "timestamp",
    "datetime",
    "date_time",
    "time",
    "date",
    "ts",
    "dt",
    "时间",
    "日期",
)
_STRING_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    # Slashes, as spreadsheets export them ("13/01/2018 00:15", "1/13/17 0:10"). Two-digit
    # years first: a four-digit year fails them, while "%Y" would read "17" as the year 17,
    # and "%Y/%m/%d" (after these) would read "13/1/01" as the year 13. Day first before
    # month first: a sample whose days all fit both reads day first; a day past 12 in the
    # sample settles it. `timestampFormat` at upload overrides the guess.
    *(
        f"{date}{time}"
        for date in ("%d/%m/%y", "%m/%d/%y", "%d/%m/%Y", "%m/%d/%Y")
        for time in (" %H:%M:%S", " %H:%M", "")
    ),
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y%m%d%H%M%S",
    "%Y%m%d%H%M",
    # With an offset or Z (fractions optional); polars cannot infer zones inside a query.
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
)
# Epoch integers by magnitude: seconds, milliseconds, microseconds, nanoseconds.
_EPOCH_RANGES: tuple[tuple[float, float, Literal["s", "ms", "us", "ns"]], ...] = (
    (1e8, 1e10, "s"),
    (1e11, 1e13, "ms"),
    (1e14, 1e16, "us"),
    (1e17, 1e19, "ns"),
)
SNAP_TOLERANCE = 0.02
ODD_SHARE = 0.01  # share of sample cells that may be odd before a column changes type


def tolerated(odd: int, total: int) -> bool:
    """A few odd cells (1%, at least one once there are ten) do not decide a column's type:
    they are reported as malformed cells instead."""
    allowed = max(1, int(ODD_SHARE * total)) if total >= 10 else 0
    return odd <= allowed and odd < total


def split_unit(header: str) -> tuple[str, str | None]:
    """`load[kW]` / `load (kW)` -> (`load`, `kW`); any other header -> (header stripped, None)."""
    match = _UNIT_HEADER.match(header)
    if match is None:
        return header.strip(), None
    unit = (
        match.group("bracket") if match.group("bracket") is not None else match.group("paren")
    ).strip()
    return match.group("name"), unit or None


def hint_rank(name: str) -> int | None:
    """How strongly a column name says "time" (0 strongest); None when it does not."""
    lowered = name.strip().lower()
    for rank, hint in enumerate(_TIMESTAMP_HINTS):
        if lowered == hint:
            return rank
    tokens = re.split(r"[^a-z0-9一-鿿]+", lowered)
    for rank, hint in enumerate(_TIMESTAMP_HINTS):
        if hint in tokens or (len(hint) > 3 and hint in lowered):
            return len(_TIMESTAMP_HINTS) + rank
    return None


@dataclass(frozen=True)
class TimestampParser:
    """How one column turns into UTC timestamps; found on a sample, applied to every row."""

    kind: Literal["native", "date", "string", "epoch"]
    format: str | None = None  # strftime format for strings; None lets polars infer it
    epoch_unit: Literal["s", "ms", "us", "ns"] = "s"

    def expr(self, column: str) -> pl.Expr:
        """An expression giving Datetime(us, UTC); unparseable values become null."""
        col = pl.col(column)
        if self.kind == "epoch":
            parsed = pl.from_epoch(col.cast(pl.Int64, strict=False), time_unit=self.epoch_unit)
        elif self.kind == "string":
            parsed = (
                col.cast(pl.String)
                .str.strip_chars()
                .str.to_datetime(format=self.format, strict=False, time_unit="us", cache=False)
            )
        elif self.kind == "date":
            parsed = col.cast(pl.Datetime("us"))
        else:
            parsed = col
        return parsed

    def apply(self, series: pl.Series) -> pl.Series:
        parsed = series.to_frame().select(self.expr(series.name)).to_series()
        return to_utc(parsed)

    def describe(self) -> str:
        if self.kind == "epoch":
            return f"epoch[{self.epoch_unit}]"
        return self.format or ("inferred" if self.kind == "string" else self.kind)


def to_utc(parsed: pl.Series) -> pl.Series:
    """Datetime series -> Datetime(us, UTC); naive values are read as UTC."""
    dtype = parsed.dtype
    if not isinstance(dtype, pl.Datetime):
        raise TypeError(f"not a datetime series: {dtype}")
    if dtype.time_zone is None:
        parsed = parsed.dt.replace_time_zone("UTC")
    elif dtype.time_zone != "UTC":
        parsed = parsed.dt.convert_time_zone("UTC")
    return parsed.dt.cast_time_unit("us")


def source_timezone(series: pl.Series) -> str:
    dtype = series.dtype
    return (dtype.time_zone or "naive") if isinstance(dtype, pl.Datetime) else "naive"


def parses(series: pl.Series, parser: TimestampParser) -> bool:
    """True when (nearly) every non-null value parses; the odd bad cell is reported later."""
    present = series.drop_nulls()
    if present.len() == 0:
        return False
    try:
        parsed = parser.apply(present)
    except (pl.exceptions.PolarsError, TypeError):
        return False
    return tolerated(parsed.null_count(), present.len())


def find_parser(series: pl.Series) -> TimestampParser | None:
    """The parser that reads (nearly) every non-null sample value as a timestamp, if any."""
    dtype = series.dtype
    if isinstance(dtype, pl.Datetime):
        return TimestampParser("native")
    if dtype == pl.Date:
        return TimestampParser("date")
    if dtype.is_integer():
        present = series.drop_nulls()
        if present.len() == 0:
            return None
        low, high = float(present.min()), float(present.max())  # type: ignore[arg-type]
        for lo, hi, unit in _EPOCH_RANGES:
            if lo <= low and high < hi:
                return TimestampParser("epoch", epoch_unit=unit)
        return None
    if dtype != pl.String:
        return None
    for fmt in _STRING_FORMATS:
        if parses(series, TimestampParser("string", fmt)):
            return TimestampParser("string", fmt)
    inferred = TimestampParser("string", None)
    return inferred if parses(series, inferred) else None


def detect_timestamp(
    sample: pl.DataFrame, requested: str | None = None
) -> tuple[str, TimestampParser] | None:
    """Pick the timestamp column: the requested one, else hinted names, else any parseable
    string/datetime column (integers count only with a hinted name)."""
    if requested is not None:
        if requested not in sample.columns:
            return None
        parser = find_parser(sample[requested])
        return (requested, parser) if parser else None
    hinted = sorted(
        (
            (rank, i, name)
            for i, name in enumerate(sample.columns)
            if (rank := hint_rank(name)) is not None
        ),
    )
    for _, _, name in hinted:
        if (parser := find_parser(sample[name])) is not None:
            return name, parser
    for name in sample.columns:
        series = sample[name]
        if series.dtype.is_integer() or series.dtype.is_float():
            continue
        if (parser := find_parser(series)) is not None:
            return name, parser
    return None


def snap_frequency(seconds: float) -> str:
    """Name a sampling interval: one of the plan frequencies when within 2%, else `Ns`/`Nmin`/..."""
    for name, nominal in FREQUENCY_SECONDS.items():
        if abs(seconds - nominal) <= SNAP_TOLERANCE * nominal:
            return name
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    whole = round(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if whole >= size and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


def snapped_seconds(seconds: float) -> float:
    name = snap_frequency(seconds)
    return float(FREQUENCY_SECONDS[name]) if name in FREQUENCY_SECONDS else seconds


def infer_frequency(timestamps: pl.Series) -> tuple[str, float] | None:
    """Median positive step of sorted timestamps, named and snapped; None under two distinct."""
    steps = timestamps.diff().dt.total_microseconds().drop_nulls()
    positive = steps.filter(steps > 0)
    if positive.len() == 0:
        return None
    median = float(positive.median()) / 1e6  # type: ignore[arg-type]
    return snap_frequency(median), snapped_seconds(median)


def column_role(dtype: pl.DataType) -> ColumnRole:
    if dtype.is_numeric():
        return "numeric"
    if dtype == pl.Boolean:
        return "boolean"
    if isinstance(dtype, pl.Datetime) or dtype == pl.Date:
        return "datetime"
    return "categorical"
