"""What an upload may hold, checked before its contents are read.

The byte size is enforced while the body streams in (`LOADSTAR_UPLOAD_LIMIT_BYTES`); a
small file can still hold too much: a Parquet file whose columns compress a thousandfold
(a zip bomb) or a table too wide or too long to profile. Parquet says its rows, columns
and uncompressed size in its footer, so those are checked before a single page is
decompressed; a CSV's columns are counted on its header line.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq

from schemas.errors import InvalidInput, PayloadTooLarge


class UploadLimits(msgspec.Struct, frozen=True, kw_only=True):
    max_rows: int = 50_000_000
    max_columns: int = 1_000
    max_uncompressed_bytes: int = 8 << 30


def _refuse(what: str, found: int, limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the file holds {found:,} {what}, more than the {limit:,} an upload may hold",
        {"limit": what, "found": found, "max": limit},
    )


def check_parquet(path: Path, limits: UploadLimits = UploadLimits()) -> None:
    """Refuse from the footer alone: rows, columns, bytes once decompressed."""
    try:
        meta = pq.ParquetFile(path).metadata
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidInput(f"not a readable Parquet file: {exc}", {"format": "parquet"}) from exc
    if meta.num_columns > limits.max_columns:
        raise _refuse("columns", meta.num_columns, limits.max_columns)
    if meta.num_rows > limits.max_rows:
        raise _refuse("rows", meta.num_rows, limits.max_rows)
    expanded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if expanded > limits.max_uncompressed_bytes:
        raise _refuse("bytes once decompressed", expanded, limits.max_uncompressed_bytes)


def check_csv_header(path: Path, limits: UploadLimits = UploadLimits()) -> None:
    """Refuse a header line with more fields than allowed, whichever separator it uses."""
    with path.open("rb") as handle:
        header = handle.readline(1 << 20)
    fields = 1 + max(header.count(sep) for sep in (b",", b";", b"\t", b"|"))
    if fields > limits.max_columns:
        raise _refuse("columns", fields, limits.max_columns)


def check_rows(rows: int, limits: UploadLimits = UploadLimits()) -> None:
    if rows > limits.max_rows:
        raise _refuse("rows", rows, limits.max_rows)
