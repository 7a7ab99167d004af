"""Read an original file into a frame and find its timestamp column.

CSV: a text sample from the first lines decides each column's type (a few odd cells do
not turn a numeric column into text: they are reported), then one typed polars read;
when that fails, `diagnose` finds the row and column. Parquet: read as it is.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import polars as pl

from control_plane.datasets.diagnose import (
    NULL_VALUES,
    BadCell,
    first_bad_value,
    first_structural_fault,
)
from control_plane.datasets.dialect import CsvDialect, detect_separator
from control_plane.datasets.profile import (
    TimestampParser,
    detect_timestamp,
    parses,
    split_unit,
    tolerated,
)
from schemas.errors import InvalidInput

SAMPLE_ROWS = 10_000
_BOOLEANS = ["true", "false"]


def malformed(cell: BadCell) -> InvalidInput:
    return InvalidInput(cell.message, cell.details)


def _sample_csv(path: Path, separator: str) -> pl.DataFrame:
    """The first SAMPLE_ROWS rows as text. Read from the first lines only (polars' `n_rows`
    still parses much of a large file); a record cut at the end, e.g. by a quoted newline,
    falls back to polars reading the file itself."""
    with path.open("rb") as handle:
        head = b"".join(itertools.islice(handle, SAMPLE_ROWS + 1))
    try:
        return pl.read_csv(io.BytesIO(head), infer_schema=False, separator=separator)
    except pl.exceptions.PolarsError:
        return pl.read_csv(path, n_rows=SAMPLE_ROWS, infer_schema=False, separator=separator)


def read_csv(
    path: Path,
    requested: str | None,
    dialect: CsvDialect = CsvDialect(),
    timestamp_format: str | None = None,
) -> tuple[pl.DataFrame, str, TimestampParser]:
    sep, comma = dialect.separator, dialect.decimal == ","
    try:
        raw = _sample_csv(path, sep)
    except pl.exceptions.NoDataError as exc:
        raise InvalidInput("the file is empty") from exc
    except pl.exceptions.PolarsError as exc:
        cell = first_structural_fault(path, sep)
        if cell is None:
            raise InvalidInput(f"unreadable CSV: {exc}") from exc
        with path.open("rb") as handle:
            likely = detect_separator(handle.read(64 * 1024))
        if likely == sep:
            raise malformed(cell) from exc
        raise InvalidInput(
            f"{cell.message} (the file looks {likely!r}-separated: check the separator)",
            {**cell.details, "likelySeparator": likely},
        ) from exc
    if raw.height == 0:
        raise InvalidInput("the file has no data rows", {"columns": raw.columns})
    raw, spelled = _null_tokens(raw)
    schema = {c: _column_type(raw[c], comma) for c in raw.columns}
    sample = raw.with_columns(_typed(c, d, comma) for c, d in schema.items())
    timestamp, parser = _timestamp_of(sample, requested, timestamp_format)
    if parser.kind == "string":
        schema[timestamp] = pl.String()
    # Clean files take the fast path: only empty fields are null. Files that spell missing
    # values out (NA, null, None...) are read again with those tokens as null.
    null_tokens: list[str] | None = NULL_VALUES if spelled else None
    for _ in range(len(schema) + 2):
        try:
            frame = pl.scan_csv(
                path, schema=schema, null_values=null_tokens, separator=sep, decimal_comma=comma
            ).collect()
            return frame, timestamp, parser
        except pl.exceptions.PolarsError as exc:
            if null_tokens is None:
                null_tokens = NULL_VALUES
                continue
            cell = first_bad_value(path, schema, sep, comma)
            if cell is None:
                raise InvalidInput(f"unreadable CSV: {str(exc).splitlines()[0]}") from exc
            column = cell.column
            # An integer column that holds a decimal further down is a float column.
            if (
                column
                and schema[column].is_integer()
                and cell.value
                and _is_float(cell.value.replace(",", ".") if comma else cell.value)
            ):
                schema[column] = pl.Float64()
                continue
            raise malformed(cell) from exc
    raise InvalidInput("unreadable CSV: column types keep changing")


def _null_tokens(sample: pl.DataFrame) -> tuple[pl.DataFrame, bool]:
    """The text sample with spelled-out missing values (NA, null, None, NaN...) as null,
    and whether it had any."""
    tokens = [t for t in NULL_VALUES if t]
    spelled = sample.select(pl.any_horizontal(pl.all().is_in(tokens)).any()).item()
    if not spelled:
        return sample, False
    return sample.with_columns(
        pl.when(pl.all().is_in(tokens)).then(None).otherwise(pl.all()).name.keep()
    ), True


def _column_type(sample: pl.Series, decimal_comma: bool = False) -> pl.DataType:
    """The type of a text sample: integers, else numbers, else booleans, else text. A
    column of numbers with a few odd cells (see `tolerated`) is numeric: the odd cells are then
    reported as malformed instead of silently turning the column into text."""
    present = sample.drop_nulls().str.strip_chars()
    if decimal_comma:
        present = present.str.replace(",", ".", literal=True)
    if present.len() == 0:
        return pl.Float64()
    if present.cast(pl.Int64, strict=False).null_count() == 0:
        return pl.Int64()
    if tolerated(present.cast(pl.Float64, strict=False).null_count(), present.len()):
        return pl.Float64()
    if present.is_in(_BOOLEANS).all():
        return pl.Boolean()
    return pl.String()


def _typed(column: str, dtype: pl.DataType, decimal_comma: bool = False) -> pl.Expr:
    """Cast one text column of the sample to its inferred type (odd cells become null)."""
    text = pl.col(column).str.strip_chars()
    if decimal_comma and dtype.is_numeric():
        text = text.str.replace(",", ".", literal=True)
    if dtype == pl.Boolean:
        return (text == "true").alias(column)
    return text.cast(dtype, strict=False).alias(column) if dtype != pl.String else pl.col(column)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_parquet(path: Path, requested: str | None) -> tuple[pl.DataFrame, str, TimestampParser]:
    try:
        lazy = pl.scan_parquet(path)
        sample = lazy.head(SAMPLE_ROWS).collect()
        frame = lazy.collect()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InvalidInput(f"not a readable Parquet file: {str(exc).splitlines()[0]}") from exc
    if sample.height == 0:
        raise InvalidInput("the file has no data rows", {"columns": sample.columns})
    timestamp, parser = _timestamp_of(sample, requested)
    return frame, timestamp, parser


def read_excel(path: Path, requested: str | None) -> tuple[pl.DataFrame, str, TimestampParser]:
    """The first sheet of an .xlsx workbook (read by fastexcel through polars)."""
    try:
        frame = pl.read_excel(path, engine="calamine")
    except Exception as exc:  # fastexcel raises its own types for damaged or encrypted files
        raise InvalidInput(f"not a readable .xlsx workbook: {str(exc).splitlines()[0]}") from exc
    if frame.height == 0:
        raise InvalidInput("the file has no data rows", {"columns": frame.columns})
    timestamp, parser = _timestamp_of(frame.head(SAMPLE_ROWS), requested)
    return frame, timestamp, parser


def _timestamp_of(
    sample: pl.DataFrame, requested: str | None, timestamp_format: str | None = None
) -> tuple[str, TimestampParser]:
    if requested is not None:
        by_clean = {split_unit(c)[0]: c for c in sample.columns}
        requested = requested if requested in sample.columns else by_clean.get(requested, requested)
        if requested not in sample.columns:
            raise InvalidInput(
                f"timestampColumn {requested!r} is not a column",
                {"field": "timestampColumn", "columns": sample.columns},
            )
    if timestamp_format:
        return _formatted(sample, requested, timestamp_format)
    found = detect_timestamp(sample, requested)
    if found is None:
        what = (
            f"column {requested!r} does not hold timestamps"
            if requested
            else "no timestamp column found"
        )
        raise InvalidInput(
            what,
            {
                "columns": sample.columns,
                "hint": "name it timestamp/time/date or pass timestampColumn",
            },
        )
    return found


def _formatted(
    sample: pl.DataFrame, requested: str | None, timestamp_format: str
) -> tuple[str, TimestampParser]:
    """The time column read with the caller's strftime format (e.g. `%d.%m.%Y %H:%M`)."""
    parser = TimestampParser("string", timestamp_format)
    names = [requested] if requested else sample.columns
    for name in names:
        if sample[name].dtype == pl.String and parses(sample[name], parser):
            return name, parser
    where = f"column {requested!r}" if requested else "any column"
    raise InvalidInput(
        f"timestampFormat {timestamp_format!r} does not read {where} as timestamps",
        {"field": "timestampFormat", "format": timestamp_format, "columns": sample.columns},
    )
