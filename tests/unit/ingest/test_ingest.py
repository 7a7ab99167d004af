"""ingest_file on local files: canonical Parquet, and malformed files named by row/column."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from control_plane.datasets.ingest import IngestOptions, ingest_file, sniff_format
from schemas.errors import InvalidInput


def write(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rows(n: int, start: int = 0) -> str:
    return "".join(
        f"2024-01-01 {h // 60:02d}:{h % 60:02d}:00,{h},{h * 0.5}\n" for h in range(start, start + n)
    )


def test_canonical_parquet_is_sorted_utc_with_units(tmp_path: Path) -> None:
    body = rows(30)
    lines = body.splitlines()
    lines[3], lines[4] = lines[4], lines[3]
    src = write(tmp_path, "time,count,load[kW]\n" + "\n".join(lines) + "\n")
    out = tmp_path / "c.parquet"
    result = ingest_file(src, "csv", out, IngestOptions(units={"count": "1"}))
    frame = pl.read_parquet(out)
    assert frame.columns == ["timestamp", "count", "load"] and frame["timestamp"].is_sorted()
    assert result.frequency == "1min" and result.rows == 30 and not result.facts.sortedOnUpload
    units = {c.name: c.unit for c in result.columns}
    assert units == {"timestamp": None, "count": "1", "load": "kW"}


def test_an_integer_column_that_turns_decimal_after_the_sample_is_widened(tmp_path: Path) -> None:
    text = "time,count\n" + "".join(f"2024-01-01T00:00:{s:02d},{s}\n" for s in range(50))
    text = text.replace(",49\n", ",49.5\n")
    src = write(tmp_path, text)
    import control_plane.datasets.readers as readers

    old = readers.SAMPLE_ROWS
    readers.SAMPLE_ROWS = 10
    try:
        result = ingest_file(src, "csv", tmp_path / "c.parquet", IngestOptions())
    finally:
        readers.SAMPLE_ROWS = old
    assert {c.name: c.dtype for c in result.columns}["count"] == "Float64"


@pytest.mark.parametrize(
    ("text", "details"),
    [
        (
            "time,a,load\n" + rows(20).replace(",7,3.5", ",7,abc"),
            {"row": 8, "column": "load", "value": "abc"},
        ),
        ("time,a,b\n" + rows(20).replace(",12,6.0", ",12,6.0,9"), {"row": 13}),
        (
            "time,a,b\n" + rows(20).replace("2024-01-01 00:04:00", "yesterday"),
            {"row": 5, "column": "time"},
        ),
        (
            "time,a,b\n" + rows(20).replace("2024-01-01 00:09:00", ""),
            {"row": 10, "reason": "no timestamp"},
        ),
    ],
)
def test_malformed_cells_are_named(tmp_path: Path, text: str, details: dict[str, object]) -> None:
    with pytest.raises(InvalidInput) as caught:
        ingest_file(write(tmp_path, text), "csv", tmp_path / "c.parquet", IngestOptions())
    assert details.items() <= caught.value.details.items()
    assert not (tmp_path / "c.parquet").exists()


def test_duplicate_names_after_unit_split_are_refused(tmp_path: Path) -> None:
    src = write(tmp_path, "time,load,load[kW]\n2024-01-01,1,2\n")
    with pytest.raises(InvalidInput, match="both be named 'load'"):
        ingest_file(src, "csv", tmp_path / "c.parquet", IngestOptions())


def test_sniffing(tmp_path: Path) -> None:
    frame = pl.DataFrame({"t": [1]})
    frame.write_parquet(tmp_path / "x.bin")
    assert sniff_format(tmp_path / "x.bin", "x.bin") == "parquet"
    assert sniff_format(write(tmp_path, "a,b\n1,2\n"), "x.txt") == "csv"
    with pytest.raises(InvalidInput):
        sniff_format(write(tmp_path, "a,b\n"), "x.parquet")
    (tmp_path / "z").write_bytes(b"\x00\x01\x02")
    with pytest.raises(InvalidInput, match="binary"):
        sniff_format(tmp_path / "z", "z")


@pytest.mark.parametrize("where", [3, 45])  # inside the sample, and only after it
def test_spelled_out_missing_values_are_null(tmp_path: Path, where: int, monkeypatch) -> None:
    import control_plane.datasets.readers as readers

    monkeypatch.setattr(readers, "SAMPLE_ROWS", 20)
    lines = [f"2024-01-01T00:{m:02d}:00,{m}.5,{m}" for m in range(50)]
    lines[where] = lines[where].rsplit(",", 2)[0] + ",NA,null"
    src = write(tmp_path, "time,load,count\n" + "\n".join(lines) + "\n")
    result = ingest_file(src, "csv", tmp_path / "c.parquet", IngestOptions())
    columns = {c.name: c for c in result.columns}
    assert columns["load"].nullCount == 1 and columns["load"].dtype == "Float64"
    assert columns["count"].nullCount == 1 and columns["count"].role == "numeric"
