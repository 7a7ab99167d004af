"""One row per dataset; the bytes live in S3 under `datasets/<id>/`."""

from __future__ import annotations

from piccolo.columns import JSONB, BigInt, DoublePrecision, Text, Timestamptz, Varchar
from piccolo.table import Table


class Dataset(Table, tablename="dataset"):
    id = Varchar(length=16, primary_key=True)
    name = Varchar(length=200, required=True)
    description = Text(default="")
    status = Varchar(length=16, default="ready")
    source = Varchar(length=16, default="upload")  # upload | url
    source_uri = Text(null=True, default=None)
    format = Varchar(length=16, required=True)  # csv | parquet
    original_key = Text(required=True)
    canonical_key = Text(required=True)
    # Columns of the canonical Parquet ([{name, dtype, role, unit, ...}]) and ingest facts.
    columns = JSONB(default=[])
    ingest = JSONB(default={})
    quality_rules = JSONB(default={})
    timestamp_column = Varchar(length=200, required=True)
    frequency = Varchar(length=16, null=True, default=None)
    frequency_seconds = DoublePrecision(null=True, default=None)
    rows = BigInt(default=0)
    start_at = Timestamptz(null=True, default=None)
    end_at = Timestamptz(null=True, default=None)
    size_bytes = BigInt(default=0)
    canonical_size_bytes = BigInt(default=0)
    created_by = Varchar(length=64, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()
