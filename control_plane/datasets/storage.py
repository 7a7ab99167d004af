"""Where a dataset's objects live in S3, and polars scans of its canonical Parquet."""

from __future__ import annotations

import polars as pl

from control_plane.datasets.schemas import DatasetFormat
from control_plane.settings import Settings


def prefix(dataset_id: str) -> str:
    return f"datasets/{dataset_id}/"


def original_key(dataset_id: str, fmt: DatasetFormat) -> str:
    return f"{prefix(dataset_id)}original.{fmt}"


def canonical_key(dataset_id: str) -> str:
    return f"{prefix(dataset_id)}canonical.parquet"


def explore_key(dataset_id: str, name: str) -> str:
    """Cached explore results beside the Parquet (removed with the dataset)."""
    return f"{prefix(dataset_id)}explore/{name}"


def storage_options(settings: Settings) -> dict[str, str]:
    """polars' (object_store) view of the same S3 store the ObjectStore uses."""
    scheme = "https" if settings.s3_secure else "http"
    return {
        "aws_endpoint_url": f"{scheme}://{settings.s3_endpoint}",
        "aws_access_key_id": settings.s3_access_key,
        "aws_secret_access_key": settings.s3_secret_key,
        "aws_region": "us-east-1",
        "aws_allow_http": "false" if settings.s3_secure else "true",
        "aws_virtual_hosted_style_request": "false",
    }


def scan_canonical(settings: Settings, dataset_id: str) -> pl.LazyFrame:
    """A lazy scan of the canonical Parquet straight from S3: only the row groups and
    columns a query needs are fetched."""
    uri = f"s3://{settings.s3_bucket}/{canonical_key(dataset_id)}"
    return pl.scan_parquet(uri, storage_options=storage_options(settings))
