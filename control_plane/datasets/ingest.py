"""Turn an uploaded CSV/Parquet/.xlsx file into the canonical Parquet and its profile.

Local files only (the service moves bytes to and from S3): the original is read with
polars, the timestamp column found and parsed to UTC, unit headers split off, rows
sorted by time, and `canonical.parquet` written with a column named `timestamp` first.
A malformed file raises InvalidInput naming the row and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from control_plane.datasets import limits, readers
from control_plane.datasets.diagnose import BadCell
from control_plane.datasets.dialect import CsvDialect, Decimal, Separator, detect_dialect
from control_plane.datasets.profile import (
    TimestampParser,
    column_role,
    infer_frequency,
    source_timezone,
    split_unit,
    to_utc,
)
from control_plane.datasets.schemas import ColumnInfo, DatasetFormat, IngestFacts
from loadstar_core.postprocess.units import check_unit
from schemas.errors import InvalidInput

TIMESTAMP = "timestamp"
PARQUET_MAGIC = b"PAR1"
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive
DIALECT_SAMPLE_BYTES = 64 * 1024


@dataclass(frozen=True)
class IngestOptions:
    timestamp_column: str | None = None
    units: dict[str, str] = field(default_factory=dict)  # by column name (clean or header)
    separator: Separator | None = None  # CSV only; detected when None
    decimal: Decimal | None = None  # CSV only; detected when None
    timestamp_format: str | None = None  # strftime, e.g. "%d.%m.%Y %H:%M"; detected when None
    timezone: str | None = None  # IANA zone of timestamps written without an offset; UTC when None


@dataclass(frozen=True)
class IngestResult:
    columns: list[ColumnInfo]
    timestamp_column: str
    rows: int
    start: datetime | None
    end: datetime | None
    frequency: str | None
    frequency_seconds: float | None
    facts: IngestFacts
    frame: pl.DataFrame | None = None  # the canonical frame, when asked for
    dialect: CsvDialect | None = None  # how a CSV was read
    timestamp_format: str | None = None  # how the time column was read ("inferred", "native")


def sniff_format(path: Path, filename: str) -> DatasetFormat:
    """Parquet by its magic bytes, .xlsx by name and zip bytes, CSV by looking like text."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    lowered = filename.lower()
    if head.startswith(ZIP_MAGIC) and lowered.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if lowered.endswith((".parquet", ".pq")):
        raise InvalidInput("the file is named .parquet but is not Parquet", {"filename": filename})
    if not head.strip():
        raise InvalidInput("the file is empty", {"filename": filename})
    if b"\x00" in head:
        raise InvalidInput(
            "expected a CSV, Parquet or .xlsx file; this one is binary", {"filename": filename}
        )
    return "csv"


def _zone(name: str | None) -> str | None:
    if name is None or name in ("", "UTC"):
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)",
            {"field": "timezone", "timezone": name},
        ) from exc
    return name


def _parse_timestamps(
    frame: pl.DataFrame, column: str, parser: TimestampParser, zone: str | None = None
) -> tuple[pl.Series, str]:
    """UTC timestamps and the zone the original was in; any unparseable row is an error.
    Timestamps without an offset are read in `zone` (UTC when None)."""
    raw = frame[column]
    local = frame.select(parser.expr(column)).to_series()
    if zone and isinstance(local.dtype, pl.Datetime) and local.dtype.time_zone is None:
        # a wall-clock time that does not exist (spring forward) becomes null: reported below
        local = local.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    parsed = to_utc(local)
    bad = parsed.is_null()
    if bad.any():
        index = int(bad.arg_true()[0])
        value = raw[index]
        reason = (
            "no timestamp"
            if value is None
            else f"{value!r} is not a timestamp ({parser.describe()})"
        )
        raise readers.malformed(
            BadCell(index + 1, column, None if value is None else str(value), reason)
        )
    return parsed.alias(TIMESTAMP), source_timezone(local)


def _names_and_units(
    headers: list[str], timestamp: str, options: IngestOptions
) -> tuple[dict[str, str], dict[str, str]]:
    """Header -> clean name, and clean name -> unit (headers first, then options)."""
    renames: dict[str, str] = {}
    units: dict[str, str] = {}
    for header in headers:
        if header == timestamp:
            renames[header] = TIMESTAMP
            continue
        name, unit = split_unit(header)
        if name in renames.values() or name == TIMESTAMP:
            other = next((h for h, n in renames.items() if n == name), timestamp)
            raise InvalidInput(
                f"columns {other!r} and {header!r} would both be named {name!r}",
                {"column": header, "conflictsWith": other},
            )
        renames[header] = name
        if unit:
            units[name] = unit
    for key, unit in options.units.items():
        name = renames.get(key, key)
        if name == TIMESTAMP or name not in renames.values():
            raise InvalidInput(
                f"units: {key!r} is not a value column", {"field": "units", "column": key}
            )
        check_unit(unit, f"units.{key}")
        units[name] = unit
    return renames, units


def ingest_file(
    path: Path, fmt: DatasetFormat, out: Path, options: IngestOptions, keep_frame: bool = False
) -> IngestResult:
    """Read, check and profile `path`; write the canonical Parquet to `out` (and return
    the canonical frame too with `keep_frame`)."""
    zone_option = _zone(options.timezone)
    dialect = None
    if fmt == "csv":
        limits.check_csv_header(path)
        with path.open("rb") as handle:
            head = handle.read(DIALECT_SAMPLE_BYTES)
        dialect = detect_dialect(head, options.separator, options.decimal)
        frame, timestamp, parser = readers.read_csv(
            path, options.timestamp_column, dialect, options.timestamp_format
        )
    elif fmt == "xlsx":
        frame, timestamp, parser = readers.read_excel(path, options.timestamp_column)
    else:
        limits.check_parquet(path)
        frame, timestamp, parser = readers.read_parquet(path, options.timestamp_column)
    limits.check_rows(frame.height)
    if frame.height == 0:
        raise InvalidInput("the file has no data rows", {"columns": frame.columns})
    parsed, zone = _parse_timestamps(frame, timestamp, parser, zone_option)
    renames, units = _names_and_units(frame.columns, timestamp, options)
    frame = frame.with_columns(parsed.alias(timestamp)).rename(renames)
    frame = frame.select(TIMESTAMP, *[c for c in frame.columns if c != TIMESTAMP])
    is_sorted = frame[TIMESTAMP].is_sorted()
    if not is_sorted:
        frame = frame.sort(TIMESTAMP, maintain_order=True)
    times = frame[TIMESTAMP]
    steps = times.dt.epoch("us").diff().drop_nulls()
    duplicates = int((steps == 0).sum())
    frequency = infer_frequency(times)
    # zstd level 1: half the CPU of the default level for ~25% more bytes.
    frame.write_parquet(out, compression="zstd", compression_level=1, statistics=True)
    nulls = frame.null_count().row(0, named=True)
    originals = {v: k for k, v in renames.items()}
    columns = [
        ColumnInfo(
            name=name,
            dtype=str(dtype),
            role="timestamp" if name == TIMESTAMP else column_role(dtype),
            nullCount=int(nulls[name]),
            unit=units.get(name),
            sourceName=originals[name] if originals[name] != name else None,
        )
        for name, dtype in frame.schema.items()
    ]
    return IngestResult(
        columns=columns,
        timestamp_column=timestamp,
        rows=frame.height,
        start=times[0],
        end=times[-1],
        frequency=frequency[0] if frequency else None,
        frequency_seconds=frequency[1] if frequency else None,
        facts=IngestFacts(sortedOnUpload=is_sorted, duplicateTimestamps=duplicates, timezone=zone),
        frame=frame if keep_frame else None,
        dialect=dialect,
        timestamp_format=parser.describe(),
    )
