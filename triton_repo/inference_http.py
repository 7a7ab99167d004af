"""Inference over Triton's HTTP/REST endpoint with the binary tensor extension.

Measured on loopback (benchmarks/gateway_bench.py), a call through the gRPC aio client
costs the caller about 300 µs of CPU and one through aiohttp about as much; this one,
keep-alive connections written and read with asyncio streams, about 110 µs, and answers
sooner. The gateway makes one such call per request, so it is the lean path; readiness and
model configuration stay on gRPC (`triton_client.py`).

Protocol: the request body is a JSON header (`Inference-Header-Content-Length` bytes) and
then the raw little-endian tensors in input order; the answer is laid out the same way.
Every failure is a `TritonCallError` carrying a gRPC-style status name, so callers map
HTTP and gRPC failures alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Sequence
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
_encode = msgspec.json.Encoder().encode

_Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class TritonHttp:
    """One pool of keep-alive connections to one Triton; `infer` is safe to run concurrently
    (each call holds a connection of its own for the exchange)."""

    def __init__(self, address: str, timeout_s: float, max_idle: int = 64) -> None:
        hostport = address.removeprefix("http://").rstrip("/")
        host, _, port = hostport.rpartition(":")
        self.host, self.port = host or "127.0.0.1", int(port or 8000)
        self.timeout_s = timeout_s
        self.max_idle = max_idle
        self._idle: list[_Stream] = []
        # the request line, headers and JSON header per model, version and input shapes:
        # a stream sends the same few shapes again and again
        self._prefixes: dict[tuple[object, ...], bytes] = {}

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for _, writer in idle:
            writer.close()

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
            async with asyncio.timeout(self.timeout_s):
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
        """Sends one request and reads its answer; an idle connection the server closed
        meanwhile is replaced once."""
        for attempt in (0, 1):
            reused = bool(self._idle) and attempt == 0
            reader, writer = self._idle.pop() if reused else await self._connect()
            try:
                writer.writelines(parts)
                answer = await _read_answer(reader, await _read_head(reader))
            except (OSError, asyncio.IncompleteReadError) as exc:
                writer.close()
                if reused and not isinstance(exc, asyncio.IncompleteReadError):
                    continue
                raise
            except BaseException:  # a timeout or cancellation mid-exchange: never reuse it
                writer.close()
                raise
            status, header_length, body, keep = answer
            if keep and len(self._idle) < self.max_idle:
                self._idle.append((reader, writer))
            else:
                writer.close()
            return status, header_length, body
        raise ConnectionResetError("Triton closed the connection")  # not reached

    async def _connect(self) -> _Stream:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            import socket

            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return reader, writer


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    """The status line and headers of an answer, up to the blank line, in one read."""
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            raise ConnectionResetError("Triton closed the connection") from exc
        raise
    except asyncio.LimitOverrunError as exc:
        raise ValueError("Triton's answer headers are too long") from exc


async def _read_answer(
    reader: asyncio.StreamReader, head: bytes
) -> tuple[int, int | None, bytes, bool]:
    """(status, JSON header length or None, body, whether the connection stays open)."""
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
    body = await reader.readexactly(length) if length else b""
    return status, header_length, body, keep


def _tensor(status: int, header_length: int | None, body: bytes, output: str) -> Array:
    json_part = body if header_length is None else body[:header_length]
    try:
        header = _decode_header(json_part)
    except msgspec.DecodeError:
        header = _Header(error=json_part[:500].decode("utf-8", "replace"))
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
