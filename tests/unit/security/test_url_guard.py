"""The SSRF rule for URLs the control plane fetches: public addresses only, and the
project's own S3 endpoint."""

from __future__ import annotations

import pytest

from control_plane.datasets.url_guard import check_fetchable, is_public
from schemas.errors import InvalidInput

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "240.0.0.1",
    ],
)
def test_private_local_and_reserved_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_public(address: str) -> None:
    assert is_public(address)


async def test_the_projects_own_s3_endpoint_is_the_one_exception() -> None:
    await check_fetchable("http://127.0.0.1:9000/bucket/key?X-Amz-Signature=x", "127.0.0.1:9000")
    with pytest.raises(InvalidInput, match="private or local"):
        await check_fetchable("http://127.0.0.1:9001/bucket/key", "127.0.0.1:9000")
    with pytest.raises(InvalidInput, match="private or local"):
        await check_fetchable("http://127.0.0.1/x", "")


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://h/", "http:///x"]
)
async def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput, match="http"):
        await check_fetchable(url, "127.0.0.1:9000")
