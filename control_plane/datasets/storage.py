"""Where a dataset's objects live in S3, and polars scans of its canonical Parquet."""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from control_plane.datasets.schemas import DatasetFormat
from control_plane.settings import Settings
from schemas.errors import Conflict, InvalidInput

# what a dataset id may be, so that no id (`..`, `/`, a wildcard) reaches another prefix
_DATASET_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def prefix(dataset_id: str) -> str:
    """`datasets/<id>/`, the only place a dataset's objects live."""
    if not _DATASET_ID.fullmatch(dataset_id):
        raise InvalidInput(
            f"{dataset_id!r} is not a dataset id", {"field": "datasetId", "datasetId": dataset_id}
        )
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


def read_canonical(
    settings: Settings,
    dataset_id: str,
    query: Callable[[pl.LazyFrame], pl.LazyFrame] = lambda scan: scan,
) -> pl.DataFrame:
    """`query` over the canonical Parquet, collected. A record whose Parquet is gone from
    the store (removed behind Loadstar's back, or a store emptied) is a CONFLICT that says
    so, not a server error."""
    try:
        return query(scan_canonical(settings, dataset_id)).collect()
    except FileNotFoundError as exc:
        raise Conflict(
            f"dataset {dataset_id!r} has a record but its data is missing from the object "
            "store; delete the dataset and upload it again",
            {"datasetId": dataset_id, "key": canonical_key(dataset_id)},
        ) from exc
