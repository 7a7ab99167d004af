"""How a CSV file is written: its field separator and decimal mark, read from its first lines.

European SCADA and spreadsheet exports write `;` between fields and `,` as the decimal mark
(`2024-01-01 00:00;12,5`). The separator is the candidate that splits every sampled line
into the same number of fields (most fields wins); the decimal mark is `,` when the
separator is not `,` and the fields look like numbers written with a comma.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Literal

Separator = Literal[",", ";", "\t", "|"]
Decimal = Literal[".", ","]
SEPARATORS: tuple[Separator, ...] = (",", ";", "\t", "|")
SAMPLE_LINES = 50

_COMMA_NUMBER = re.compile(r"^[+-]?\d+,\d+$")
_DOT_NUMBER = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class CsvDialect:
    separator: Separator = ","
    decimal: Decimal = "."


def _lines(head: bytes) -> list[str]:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip()]
    # the last line of a sample may be cut in the middle
    return lines[: SAMPLE_LINES + 1] if len(lines) <= SAMPLE_LINES else lines[:SAMPLE_LINES]


def _rows(lines: list[str], separator: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO("\n".join(lines)), delimiter=separator))


def detect_separator(head: bytes) -> Separator:
    """The separator that gives every sampled line the same number (> 1) of fields."""
    lines = _lines(head)
    best: tuple[int, Separator] = (1, ",")
    for separator in SEPARATORS:
        try:
            counts = {len(row) for row in _rows(lines, separator)}
        except csv.Error:
            continue
        if len(counts) == 1 and (n := counts.pop()) > best[0]:
            best = (n, separator)
    return best[1]


def detect_decimal(head: bytes, separator: Separator) -> Decimal:
    """`,` when the fields hold comma-decimal numbers (and none with a dot), else `.`."""
    if separator == ",":
        return "."
    comma = dot = 0
    for row in _rows(_lines(head)[1:], separator):
        for field in row:
            value = field.strip()
            comma += bool(_COMMA_NUMBER.match(value))
            dot += bool(_DOT_NUMBER.match(value))
    return "," if comma > 0 and dot == 0 else "."


def detect_dialect(
    head: bytes, separator: Separator | None = None, decimal: Decimal | None = None
) -> CsvDialect:
    """The dialect of a file from its first bytes; a given separator or decimal mark wins."""
    sep = separator or detect_separator(head)
    mark = decimal or detect_decimal(head, sep)
    return CsvDialect(separator=sep, decimal=mark)
