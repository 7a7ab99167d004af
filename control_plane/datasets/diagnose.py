"""Find the first cell that makes a CSV unreadable, so the error can name its row and column.

Only runs after a fast parse failed; it re-reads the file as text (polars), and falls back
to the csv module for structural faults (ragged rows, broken quoting).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl

NULL_VALUES = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"]
_TRUTH = ["true", "false"]


@dataclass(frozen=True)
class BadCell:
    """Row is 1-based over data rows (the header is not a row); line is the file line."""

    row: int
    column: str | None
    value: str | None
    reason: str

    @property
    def details(self) -> dict[str, object]:
        out: dict[str, object] = {"row": self.row, "line": self.row + 1, "reason": self.reason}
        if self.column is not None:
            out["column"] = self.column
        if self.value is not None:
            out["value"] = self.value[:200]
        return out

    @property
    def message(self) -> str:
        where = f"row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"malformed file at {where}: {self.reason}"


def _bad_cell_check(column: str, dtype: pl.DataType, decimal_comma: bool) -> pl.Expr | None:
    raw = pl.col(column)
    if dtype == pl.String:
        return None
    if dtype == pl.Boolean:
        return raw.is_not_null() & ~raw.str.to_lowercase().is_in(_TRUTH)
    text = raw.str.replace(",", ".", literal=True) if decimal_comma else raw
    return raw.is_not_null() & text.cast(dtype, strict=False).is_null()


def first_bad_value(
    path: Path, schema: dict[str, pl.DataType], separator: str = ",", decimal_comma: bool = False
) -> BadCell | None:
    """The first cell whose text does not parse as its column's type, or a structural fault."""
    checks = {
        c: e for c, d in schema.items() if (e := _bad_cell_check(c, d, decimal_comma)) is not None
    }
    try:
        raw = pl.scan_csv(path, infer_schema=False, null_values=NULL_VALUES, separator=separator)
        if not checks:
            raw.collect()
            return None
        found = (
            raw.with_row_index("__row", offset=1)
            .filter(pl.any_horizontal(list(checks.values())))
            .head(1)
            .collect()
        )
    except pl.exceptions.PolarsError:
        return first_structural_fault(path, separator)
    if found.height == 0:
        return None
    row = found.row(0, named=True)
    for column, dtype in schema.items():
        if column in checks and found.select(checks[column]).item():
            value = row[column]
            return BadCell(int(row["__row"]), column, value, f"{value!r} is not a valid {dtype}")
    return None


def first_structural_fault(path: Path, separator: str = ",") -> BadCell | None:
    """A row with more fields than the header, or quoting the csv module cannot read."""
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle, delimiter=separator, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return BadCell(0, None, None, "the file is empty")
        except csv.Error as exc:
            return BadCell(0, None, None, f"unreadable header: {exc}")
        row = 0
        try:
            for row, fields in enumerate(reader, start=1):
                if len(fields) > len(header):
                    value = separator.join(fields[len(header) :])
                    return BadCell(
                        row, None, value, f"{len(fields)} fields where the header has {len(header)}"
                    )
        except csv.Error as exc:
            return BadCell(row + 1, None, None, f"unreadable quoting: {exc}")
    return None
