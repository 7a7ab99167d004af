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
        (IngestOptions(separator=","), "looks ';'-separated: check the separator"),
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


def _xlsx(path: Path, rows: list[list[str | float]]) -> None:
    """A minimal one-sheet workbook (inline strings), written with zipfile alone."""
    import zipfile

    def cell(ref: str, value: str | float) -> str:
        if isinstance(value, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        return f'<c r="{ref}"><v>{value}</v></c>'

    sheet_rows = "".join(
        f'<row r="{i + 1}">'
        + "".join(cell(f"{chr(65 + j)}{i + 1}", v) for j, v in enumerate(row))
        + "</row>"
        for i, row in enumerate(rows)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="r1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Data" sheetId="1" r:id="r1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="r1" '
            f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?><worksheet xmlns="{main}"><sheetData>{sheet_rows}'
            "</sheetData></worksheet>",
        )


def test_an_xlsx_workbook_is_read_like_a_csv(tmp_path: Path) -> None:
    from control_plane.datasets.ingest import sniff_format

    src = tmp_path / "line.xlsx"
    _xlsx(
        src,
        [["time", "load [kW]"]] + [[f"2024-01-01 {h:02d}:00:00", 10.0 + h] for h in range(6)],
    )
    assert sniff_format(src, "line.xlsx") == "xlsx"
    result = ingest_file(src, "xlsx", tmp_path / "out.parquet", IngestOptions(), keep_frame=True)
    assert result.frame is not None
    assert result.frame["load"].to_list() == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]
    assert result.frequency == "1h" and {c.name: c.unit for c in result.columns}["load"] == "kW"
