"""`s3://bucket/key` is taken apart in one place, and refuses what is not one."""

from __future__ import annotations

import pytest

from loadstar_core.s3_uri import split_s3_uri


def test_the_bucket_is_the_first_segment_and_the_key_the_rest() -> None:
    assert split_s3_uri("s3://models/run-1/model.onnx") == ("models", "run-1/model.onnx")


@pytest.mark.parametrize(
    "uri", ["models/model.onnx", "s3://models", "s3:///model.onnx", "http://a/b"]
)
def test_anything_else_is_refused(uri: str) -> None:
    with pytest.raises(ValueError, match="not an s3:// URL"):
        split_s3_uri(uri)
