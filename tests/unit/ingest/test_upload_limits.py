"""A small file that holds too much is refused before its contents are read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from control_plane.datasets.limits import (
    UploadLimits,
    check_csv_header,
    check_parquet,
    check_rows,
)
from schemas.errors import PayloadTooLarge


def test_a_parquet_zip_bomb_is_refused_from_its_footer(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.parquet"
    # two million zeros: a few KiB on disk, 16 MB decompressed
    pl.DataFrame({"x": np.zeros(2_000_000)}).write_parquet(bomb, compression="zstd")
    assert bomb.stat().st_size < 100_000
    with pytest.raises(PayloadTooLarge) as refused:
        check_parquet(bomb, UploadLimits(max_uncompressed_bytes=8 << 20))
    assert refused.value.details["limit"] == "bytes once decompressed"
    assert refused.value.status == 413
    check_parquet(bomb)  # within the default limits


def test_too_many_rows_or_columns_are_refused(tmp_path: Path) -> None:
    wide = tmp_path / "wide.parquet"
    pl.DataFrame({f"c{i}": [1.0, 2.0] for i in range(30)}).write_parquet(wide)
    with pytest.raises(PayloadTooLarge, match="30 columns"):
        check_parquet(wide, UploadLimits(max_columns=20))
    with pytest.raises(PayloadTooLarge, match="rows"):
        check_parquet(wide, UploadLimits(max_rows=1))
    with pytest.raises(PayloadTooLarge, match="rows"):
        check_rows(11, UploadLimits(max_rows=10))


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_a_csv_header_wider_than_allowed_is_refused(tmp_path: Path, separator: str) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(separator.join(f"c{i}" for i in range(25)) + "\n" + "1" * 25 + "\n")
    with pytest.raises(PayloadTooLarge, match="25 columns"):
        check_csv_header(path, UploadLimits(max_columns=24))
    check_csv_header(path, UploadLimits(max_columns=25))


def test_a_file_that_is_not_parquet_is_invalid_input_not_a_crash(tmp_path: Path) -> None:
    from schemas.errors import InvalidInput

    png = tmp_path / "file.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40)
    with pytest.raises(InvalidInput, match="not a readable Parquet file"):
        check_parquet(png)
