"""`s3://bucket/key` addresses: the one place that takes them apart."""

from __future__ import annotations


def split_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key) of `s3://bucket/key`; ValueError for anything else."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not uri.startswith("s3://") or not bucket or not key:
        raise ValueError(f"not an s3:// URL: {uri!r}")
    return bucket, key
