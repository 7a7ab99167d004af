"""Inference over Triton's HTTP/REST endpoint with the binary tensor extension.

Measured on loopback (benchmarks/gateway_bench.py), a call through the gRPC aio client
costs the caller about 300 µs of CPU and one through aiohttp about as much; this one,
keep-alive connections each a bare `asyncio.Protocol` that parses the answer as it
arrives, about 50 µs (with asyncio streams it was about 110 on a busier machine, 60-70
beside it), and answers sooner. The gateway makes one such call per request, so it is
the lean path; readiness and model configuration stay on gRPC (`triton_client.py`).

Protocol: the request body is a JSON header (`Inference-Header-Content-Length` bytes) and
then the raw little-endian tensors in input order; the answer is laid out the same way.
Every failure is a `TritonCallError` carrying a gRPC-style status name, so callers map
HTTP and gRPC failures alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import msgspec
import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]

# Triton's HTTP status -> the gRPC status it stands for (what errors report either way).
_STATUS_BY_HTTP = {
    400: "StatusCode.INVALID_ARGUMENT",
    404: "StatusCode.NOT_FOUND",
    409: "StatusCode.ALREADY_EXISTS",
    429: "StatusCode.RESOURCE_EXHAUSTED",
    500: "StatusCode.INTERNAL",
    501: "StatusCode.UNIMPLEMENTED",
    503: "StatusCode.UNAVAILABLE",
}
_HEADER_LENGTH = b"inference-header-content-length"
_HEAD_LIMIT = 2**16  # an answer's status line and headers, at most


class TritonCallError(Exception):
    """A call that did not produce the tensor: `status` is a gRPC-style status name."""

    def __init__(self, status: str, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


class _Tensor(msgspec.Struct):
    name: str
    datatype: str
    shape: list[int]
    parameters: dict[str, int | bool] = {}


class _Header(msgspec.Struct):
    outputs: list[_Tensor] = []
    error: str | None = None


_decode_header = msgspec.json.Decoder(_Header).decode

_Cached = TypeVar("_Cached")

# Triton answers a stream of calls of one shape with the same status line, headers and
# JSON header every time: each is parsed once and looked up afterwards (bounded)
_CACHE_SIZE = 64
_heads: dict[bytes, tuple[tuple[int, int | None, bool], int]] = {}
_json_headers: dict[bytes, _Header] = {}


def _remember(cache: dict[bytes, _Cached], key: bytes, value: _Cached) -> None:
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value


_encode = msgspec.json.Encoder().encode


class _Connection(asyncio.Protocol):
    """One keep-alive connection to Triton, one exchange at a time: the answer is parsed
    as its bytes arrive (status line and headers, then Content-Length bytes of body) and
    handed to the waiting call through one future; no stream reader in between."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._waiter: asyncio.Future[tuple[int, int | None, bytes, bool]] | None = None
        self._buffer = b""
        self._head: tuple[int, int | None, bool] | None = None  # status, JSON length, keep
        self._body_at = 0
        self._length = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send(self, parts: list[bytes | memoryview], waiter: asyncio.Future[Any]) -> None:
        """Writes a request; its answer (or failure) will be `waiter`'s."""
        assert self.transport is not None
        self._waiter = waiter
        self._buffer, self._head = b"", None
        self.transport.writelines(parts)

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():  # bytes nobody asked for: never reuse it
            self.abort()
            return
        buffer = self._buffer + data if self._buffer else data
        if self._head is None:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > _HEAD_LIMIT:
                    self._fail(ValueError("Triton's answer headers are too long"))
                else:
                    self._buffer = buffer
                return
            try:
                head = buffer[: end + 4]
                parsed = _heads.get(head)
                if parsed is None:
                    parsed = _parse_head(head)
                    _remember(_heads, head, parsed)
                self._head, self._length = parsed
            except ValueError as exc:
                self._fail(exc)
                return
            self._body_at = end + 4
        stop = self._body_at + self._length
        if len(buffer) < stop:
            self._buffer = buffer
            return
        status, header_length, keep = self._head
        if len(buffer) > stop:  # more than one answer: the connection is out of step
            keep = False
        self._waiter = None
        self._buffer, self._head = b"", None
        waiter.set_result((status, header_length, buffer[self._body_at : stop], keep))

    def _fail(self, exc: BaseException) -> None:
        waiter, self._waiter = self._waiter, None
        self.abort()
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def eof_received(self) -> bool:
        return False  # close: Triton ended the connection

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter, self._waiter = self._waiter, None
        if waiter is None or waiter.done():
            return
        if self._head is None and not self._buffer:
            waiter.set_exception(ConnectionResetError("Triton closed the connection"))
        else:  # cut off mid-answer
            expected = None if self._head is None else self._body_at + self._length
            waiter.set_exception(asyncio.IncompleteReadError(self._buffer, expected))


class TritonHttp:
    """One pool of keep-alive connections to one Triton; `infer` is safe to run concurrently
    (each call holds a connection of its own for the exchange)."""

    def __init__(self, address: str, timeout_s: float, max_idle: int = 64) -> None:
        hostport = address.removeprefix("http://").rstrip("/")
        host, _, port = hostport.rpartition(":")
        self.host, self.port = host or "127.0.0.1", int(port or 8000)
        self.timeout_s = timeout_s
        self.max_idle = max_idle
        self._idle: list[_Connection] = []
        # the request line, headers and JSON header per model, version and input shapes:
        # a stream sends the same few shapes again and again
        self._prefixes: dict[tuple[object, ...], bytes] = {}

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            if connection.transport is not None:
                connection.transport.close()

    async def infer(
        self, model: str, version: int, inputs: Sequence[tuple[str, Array]], output: str
    ) -> Array:
        """The `output` tensor for float32 `inputs` (name, array), within the timeout."""
        shapes = tuple((name, array.shape) for name, array in inputs)
        key = (model, version, shapes, output)
        prefix = self._prefixes.get(key)
        if prefix is None:
            prefix = self._prefixes[key] = self._prefix(model, version, inputs, output)
        tensors = [np.ascontiguousarray(a, dtype="<f4").data for _, a in inputs]
        try:
            status, header_length, body = await self._exchange([prefix, *tensors])
        except TimeoutError as exc:
            raise TritonCallError(
                "StatusCode.DEADLINE_EXCEEDED", f"Deadline Exceeded after {self.timeout_s}s"
            ) from exc
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            raise TritonCallError("StatusCode.UNAVAILABLE", f"{type(exc).__name__}: {exc}") from exc
        return _tensor(status, header_length, body, output)

    def _prefix(
        self, model: str, version: int, inputs: Sequence[tuple[str, Array]], output: str
    ) -> bytes:
        """Everything of a request before its tensors' bytes (which follow in input order)."""
        header = _encode(
            {
                "inputs": [
                    {
                        "name": name,
                        "shape": list(array.shape),
                        "datatype": "FP32",
                        "parameters": {"binary_data_size": 4 * array.size},
                    }
                    for name, array in inputs
                ],
                "outputs": [{"name": output, "parameters": {"binary_data": True}}],
            }
        )
        length = len(header) + sum(4 * array.size for _, array in inputs)
        path = f"/v2/models/{quote(model, safe='')}/versions/{version}/infer"
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {length}\r\n"
            f"Inference-Header-Content-Length: {len(header)}\r\n\r\n"
        ).encode()
        if len(self._prefixes) >= 256:  # many shapes (detection's batches): start over
            self._prefixes.clear()
        return head + header

    async def _exchange(self, parts: list[bytes | memoryview]) -> tuple[int, int | None, bytes]:
        """Sends one request and reads its answer within the timeout; an idle connection
        the server closed meanwhile is replaced once."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        for attempt in (0, 1):
            connection = self._take() if attempt == 0 else None
            reused = connection is not None
            if connection is None:
                async with asyncio.timeout_at(deadline):
                    connection = await self._connect(loop)
            waiter: asyncio.Future[tuple[int, int | None, bytes, bool]] = loop.create_future()
            timer = loop.call_at(deadline, _expire, connection, waiter)
            try:
                connection.send(parts, waiter)
                status, header_length, body, keep = await waiter
            except TimeoutError:
                raise
            except (OSError, asyncio.IncompleteReadError) as exc:
                connection.abort()
                if reused and not isinstance(exc, asyncio.IncompleteReadError):
                    continue
                raise
            except BaseException:  # a cancellation mid-exchange: never reuse it
                connection.abort()
                raise
            finally:
                timer.cancel()
            if keep and not connection.closed and len(self._idle) < self.max_idle:
                self._idle.append(connection)
            else:
                connection.abort()
            return status, header_length, body
        raise ConnectionResetError("Triton closed the connection")  # not reached

    def _take(self) -> _Connection | None:
        """An idle connection still open, if any (those Triton closed are dropped)."""
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed:
                return connection
        return None

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> _Connection:
        _, connection = await loop.create_connection(_Connection, self.host, self.port)
        return connection


def _expire(connection: _Connection, waiter: asyncio.Future[Any]) -> None:
    """The deadline passed with no answer: the call fails, the connection is dropped."""
    if not waiter.done():
        waiter.set_exception(TimeoutError())
    connection.abort()


def _parse_head(head: bytes) -> tuple[tuple[int, int | None, bool], int]:
    """(status, JSON header length or None, whether the connection stays open) and the
    body's length, from an answer's status line and headers."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(None, 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP answer: {lines[0][:80]!r}")
    status = int(parts[1])
    length, header_length, keep = 0, None, parts[0] == b"HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == _HEADER_LENGTH:
            header_length = int(value)
        elif name == b"connection":
            keep = value.strip().lower() == b"keep-alive"
        elif name == b"transfer-encoding":
            raise ValueError("chunked answers are not expected from Triton")
    return (status, header_length, keep), length


def _tensor(status: int, header_length: int | None, body: bytes, output: str) -> Array:
    json_part = body if header_length is None else body[:header_length]
    header = _json_headers.get(json_part)
    if header is None:
        try:
            header = _decode_header(json_part)
        except msgspec.DecodeError:
            header = _Header(error=json_part[:500].decode("utf-8", "replace"))
        if status == 200:
            _remember(_json_headers, json_part, header)
    if status != 200:
        text = header.error or f"HTTP {status}"
        raise TritonCallError(_STATUS_BY_HTTP.get(status, f"HTTP {status}"), text)
    offset = header_length if header_length is not None else len(body)
    for tensor in header.outputs:
        size = int(tensor.parameters.get("binary_data_size", 0))
        if tensor.name == output:
            if tensor.datatype != "FP32" or size != 4 * math.prod(tensor.shape):
                raise TritonCallError(
                    "StatusCode.INTERNAL",
                    f"output {output!r} is {tensor.datatype} {tensor.shape} ({size} bytes)",
                )
            if offset + size > len(body):
                raise TritonCallError("StatusCode.INTERNAL", "the answer is cut short")
            array = np.frombuffer(body, dtype="<f4", count=size // 4, offset=offset)
            return array.reshape(tensor.shape).astype(np.float32, copy=False)
        offset += size
    raise TritonCallError("StatusCode.INTERNAL", f"no {output!r} in Triton's answer")
