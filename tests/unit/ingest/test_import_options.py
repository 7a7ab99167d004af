"""Import options: separator and decimal mark (detected or given), the time column's format
and zone, units checked by pint, and .xlsx workbooks."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from control_plane.datasets.dialect import SEPARATORS, detect_dialect
from control_plane.datasets.ingest import IngestOptions, ingest_file
from schemas.errors import InvalidInput

EU = (
    "Zeit;Last [kW];Temp\n"
    "01.01.2024 00:00;12,5;3,1\n"
    "01.01.2024 01:00;13,25;2,9\n"
    "01.01.2024 02:00;11,0;2,5\n"
    "01.01.2024 03:00;10,75;2,0\n"
)


def ingest(tmp_path: Path, text: str, options: IngestOptions = IngestOptions()):  # type: ignore[no-untyped-def]
    src = tmp_path / "in.csv"
    src.write_text(text)
    return ingest_file(src, "csv", tmp_path / "out.parquet", options, keep_frame=True)


def test_semicolon_csv_with_decimal_commas_is_read_as_numbers(tmp_path: Path) -> None:
    result = ingest(tmp_path, EU)
    assert result.dialect is not None
    assert (result.dialect.separator, result.dialect.decimal) == (";", ",")
    assert result.frame is not None
    assert result.frame["Last"].to_list() == [12.5, 13.25, 11.0, 10.75]
    assert result.frame["Temp"].dtype == pl.Float64
    assert {c.name: c.unit for c in result.columns}["Last"] == "kW"
    assert result.timestamp_column == "Zeit" and result.frequency == "1h"


def test_time_zone_and_format_are_applied(tmp_path: Path) -> None:
    result = ingest(
        tmp_path, EU, IngestOptions(timezone="Europe/Berlin", timestamp_format="%d.%m.%Y %H:%M")
    )
    assert result.frame is not None
    first = result.frame["timestamp"][0]
    assert first.isoformat() == "2023-12-31T23:00:00+00:00"  # midnight in Berlin (CET)
    assert result.facts.timezone == "Europe/Berlin"
    assert result.timestamp_format == "%d.%m.%Y %H:%M"


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        (IngestOptions(timezone="Mars/Olympus"), "unknown time zone"),
        (IngestOptions(timestamp_format="%Y/%m/%d"), "does not read"),
        (IngestOptions(units={"Temp": "bananas"}), "unknown unit 'bananas'"),
        (IngestOptions(separator=","), "no timestamp column"),
    ],
)
def test_wrong_options_are_refused_in_plain_words(
    tmp_path: Path, options: IngestOptions, needle: str
) -> None:
    with pytest.raises(InvalidInput, match=needle):
        ingest(tmp_path, EU, options)


def test_given_separator_and_decimal_win_over_detection() -> None:
    head = b"a|b\n1|2,5\n"
    assert detect_dialect(head, separator=";", decimal=".").separator == ";"
    assert detect_dialect(head).separator == "|"


@settings(max_examples=60, deadline=None)
@given(
    separator=st.sampled_from(SEPARATORS),
    comma=st.booleans(),
    values=st.lists(
        st.lists(
            st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)), min_size=2, max_size=2
        ),
        min_size=2,
        max_size=20,
    ),
)
def test_dialect_is_found_from_the_text(
    separator: str, comma: bool, values: list[list[float]]
) -> None:
    decimal = "," if comma and separator != "," else "."

    def cell(x: float) -> str:
        text = f"{x:.3f}"
        return text.replace(".", ",") if decimal == "," else text

    lines = ["time" + separator + "a" + separator + "b"]
    lines += [
        f"2024-01-01 {i % 24:02d}:00{separator}{cell(a)}{separator}{cell(b)}"
        for i, (a, b) in enumerate(values)
    ]
    found = detect_dialect(("\n".join(lines) + "\n").encode())
    assert found.separator == separator
    assert found.decimal == decimal
