"""The Triton HTTP connection reads an answer the same however its bytes are split."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triton_repo.inference_http import _Connection, _parse_head


class _Transport:
    """Just enough of a transport: what was written, and whether it was dropped."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.aborted = False

    def writelines(self, parts: list[Any]) -> None:
        self.written.extend(bytes(p) for p in parts)

    def abort(self) -> None:
        self.aborted = True

    def close(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str) -> None:
        return None


def _answer(status: int, json_part: bytes, tensor: bytes, keep: str | None) -> bytes:
    head = [f"HTTP/1.1 {status} OK", "Content-Type: application/octet-stream"]
    if tensor:
        head.append(f"Inference-Header-Content-Length: {len(json_part)}")
    head.append(f"Content-Length: {len(json_part) + len(tensor)}")
    if keep is not None:
        head.append(f"Connection: {keep}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + json_part + tensor


def _feed(chunks: list[bytes]) -> tuple[asyncio.Future[Any], _Transport]:
    loop = asyncio.new_event_loop()
    try:
        connection = _Connection()
        transport = _Transport()
        connection.connection_made(transport)  # type: ignore[arg-type]
        waiter: asyncio.Future[Any] = loop.create_future()
        connection.send([b"request"], waiter)
        for chunk in chunks:
            connection.data_received(chunk)
        if not waiter.done():
            connection.connection_lost(None)
        return waiter, transport
    finally:
        loop.close()


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points) if b > a]


@settings(max_examples=200, deadline=None)
@given(
    status=st.sampled_from([200, 400, 404, 500, 503]),
    json_part=st.binary(min_size=0, max_size=300),
    tensor=st.binary(min_size=0, max_size=600),
    keep=st.sampled_from([None, "keep-alive", "close"]),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=8),
)
def test_an_answer_split_anywhere_reads_as_a_whole(
    status: int, json_part: bytes, tensor: bytes, keep: str | None, cuts: list[int]
) -> None:
    data = _answer(status, json_part, tensor, keep)
    waiter, transport = _feed(_split(data, cuts))
    got_status, header_length, body, kept = waiter.result()
    assert got_status == status
    assert header_length == (len(json_part) if tensor else None)
    assert body == json_part + tensor
    assert kept == (keep != "close")
    assert transport.written == [b"request"]


@settings(max_examples=100, deadline=None)
@given(
    tensor=st.binary(min_size=1, max_size=300),
    cut=st.integers(min_value=1),
)
def test_an_answer_cut_short_is_an_incomplete_read(tensor: bytes, cut: int) -> None:
    data = _answer(200, b"{}", tensor, None)
    waiter, _ = _feed([data[: cut % len(data)]] if cut % len(data) else [])
    if cut % len(data):
        with pytest.raises(asyncio.IncompleteReadError):
            waiter.result()
    else:  # nothing at all came back: the connection was closed, a retry may follow
        with pytest.raises(ConnectionResetError):
            waiter.result()


def test_an_answer_followed_by_more_bytes_is_not_kept() -> None:
    data = _answer(200, b"{}", b"abcd", "keep-alive")
    waiter, _ = _feed([data + b"HTTP/1.1 200 OK\r\n"])
    assert waiter.result()[3] is False


def test_heads_that_are_not_http_or_too_long_fail() -> None:
    with pytest.raises(ValueError, match="not an HTTP answer"):
        _parse_head(b"SMTP 220 hello\r\n\r\n")
    with pytest.raises(ValueError, match="chunked"):
        _parse_head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    waiter, transport = _feed([b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70_000])
    with pytest.raises(ValueError, match="too long"):
        waiter.result()
    assert transport.aborted
    assert _parse_head(b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n") == ((200, None, False), 3)
