"""Bring a dataset's bytes to a local temp file without holding them in memory.

A multipart request body is parsed as it streams in (the `file` part goes to disk in
large writes, the small text fields are kept); an `s3://` or `http(s)://` URL is
downloaded the same way. Every path enforces the upload size limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

import anyio.to_thread
import httpx
from litestar import Request
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from minio.error import S3Error
from multipart import MultipartError, MultipartSegment, PushMultipartParser

from control_plane.adapters.object_store import ObjectStore
from control_plane.datasets.mirror import OriginalMirror
from control_plane.datasets.url_guard import check_fetchable
from loadstar_core.s3_uri import split_s3_uri
from schemas.errors import InvalidInput, PayloadTooLarge

FILE_FIELD = "file"
TEXT_FIELDS = (
    "name",
    "description",
    "timestampColumn",
    "units",
    "format",
    "separator",
    "decimal",
    "timestampFormat",
    "timezone",
)
_FLUSH_BYTES = 8 << 20
_MAX_FIELD_BYTES = 64 << 10


@dataclass
class Received:
    path: Path
    filename: str
    size: int
    fields: dict[str, str] = field(default_factory=dict)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the upload exceeds the limit of {limit} bytes", {"limitBytes": limit})


class _SpoolToFile:
    """Buffered writes to a local file, done in a worker thread, and to an optional mirror."""

    def __init__(self, path: Path, limit: int, mirror: OriginalMirror | None = None) -> None:
        self.handle = path.open("wb")
        self.buffer = bytearray()
        self.size = 0
        self.limit = limit
        self.mirror = mirror

    async def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise _too_large(self.limit)
        self.buffer += data
        if len(self.buffer) >= _FLUSH_BYTES:
            await self.flush()

    async def flush(self) -> None:
        if self.buffer:
            chunk, self.buffer = bytes(self.buffer), bytearray()
            await anyio.to_thread.run_sync(self.handle.write, chunk)
            if self.mirror is not None:
                await self.mirror.write(chunk)

    async def finish(self) -> None:
        """All data is in: write the rest, close the file, tell the mirror."""
        await self.flush()
        self.handle.close()
        if self.mirror is not None:
            await self.mirror.close()

    def discard(self) -> None:
        """Stop writing (after `finish`, or on a failure: nothing more reaches the mirror)."""
        self.handle.close()


async def request_body(request: Request[Any, Any, Any], limit: int) -> AsyncIterator[bytes]:
    """The request body as it arrives, refused with PAYLOAD_TOO_LARGE past `limit`."""
    announced = request.content_length
    if announced is not None and announced > limit:
        raise _too_large(limit)
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise _too_large(limit)
            yield chunk
    except RequestEntityTooLarge as exc:
        raise _too_large(limit) from exc


async def receive_multipart(
    chunks: AsyncIterator[bytes],
    boundary: str,
    folder: Path,
    limit: int,
    mirror: OriginalMirror | None = None,
) -> Received:
    """Stream a multipart/form-data body: the `file` part to `folder` (and to `mirror`,
    closed once the part is complete), text fields kept."""
    if not boundary:
        raise InvalidInput("multipart body without a boundary in Content-Type")
    spool: _SpoolToFile | None = None
    filename = ""
    fields: dict[str, bytearray] = {}
    current: MultipartSegment | None = None
    try:
        with PushMultipartParser(boundary, max_segment_count=len(TEXT_FIELDS) + 2) as parser:
            async for chunk in chunks:
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        current = event
                        if event.name == FILE_FIELD:
                            if spool is not None:
                                raise InvalidInput("send exactly one `file` part")
                            filename = event.filename or "upload"
                            if mirror is not None:
                                mirror.filename = filename
                            spool = _SpoolToFile(folder / "original", limit, mirror)
                        elif event.name in TEXT_FIELDS:
                            fields[event.name] = bytearray()
                        else:
                            raise InvalidInput(
                                f"unknown form field {event.name!r}",
                                {"field": event.name, "allowed": [FILE_FIELD, *TEXT_FIELDS]},
                            )
                    elif event is None:
                        if current is not None and current.name == FILE_FIELD and spool is not None:
                            await spool.finish()
                        current = None
                    elif current is not None and current.name == FILE_FIELD and spool is not None:
                        await spool.write(event)
                    elif current is not None:
                        buffer = fields[current.name]
                        buffer += event
                        if len(buffer) > _MAX_FIELD_BYTES:
                            raise InvalidInput(
                                f"form field {current.name!r} is too long", {"field": current.name}
                            )
    except MultipartError as exc:
        raise InvalidInput(f"malformed multipart body: {exc}") from exc
    finally:
        if spool is not None:
            spool.discard()
    if spool is None:
        raise InvalidInput("no `file` part in the multipart body", {"field": FILE_FIELD})
    if spool.size == 0:
        raise InvalidInput("the uploaded file is empty", {"field": FILE_FIELD})
    texts = {k: v.decode("utf-8", errors="replace") for k, v in fields.items()}
    return Received(folder / "original", filename, spool.size, texts)


async def fetch_url(store: ObjectStore, url: str, folder: Path, limit: int) -> Received:
    """Download `s3://bucket/key` (through the store's credentials) or `http(s)://...`."""
    parsed = urlparse(url)
    filename = PurePosixPath(parsed.path).name or "data"
    target = folder / "original"
    if parsed.scheme == "s3":
        return await _fetch_s3(store, url, target, filename, limit)
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return await _fetch_http(url, target, filename, limit, store.endpoint)
    raise InvalidInput(
        "dataUrl must be s3://bucket/key or an http(s) URL", {"field": "dataUrl", "dataUrl": url}
    )


async def _fetch_s3(
    store: ObjectStore, url: str, target: Path, filename: str, limit: int
) -> Received:
    try:
        bucket, key = split_s3_uri(url)
    except ValueError as exc:
        raise InvalidInput(str(exc), {"field": "dataUrl"}) from exc
    try:
        stat = await anyio.to_thread.run_sync(store.client.stat_object, bucket, key)
    except S3Error as exc:
        if exc.code in {"NoSuchKey", "NoSuchBucket", "NoSuchObject"}:
            raise InvalidInput(f"no object at {url}", {"field": "dataUrl", "dataUrl": url}) from exc
        raise
    size = stat.size or 0
    if size > limit:
        raise _too_large(limit)
    await store.get_file(key, target, bucket)
    return Received(target, filename, size)


_MAX_REDIRECTS = 5


async def _fetch_http(
    url: str, target: Path, filename: str, limit: int, own_endpoint: str
) -> Received:
    spool = _SpoolToFile(target, limit)
    try:
        async with httpx.AsyncClient(
            follow_redirects=False, timeout=httpx.Timeout(30.0, read=120.0)
        ) as client:
            await _stream_checked(client, url, spool, own_endpoint)
    except httpx.HTTPError as exc:
        raise InvalidInput(f"could not download dataUrl: {exc}", {"field": "dataUrl"}) from exc
    finally:
        spool.discard()
    if spool.size == 0:
        raise InvalidInput("dataUrl returned no data", {"field": "dataUrl"})
    return Received(target, filename, spool.size)


async def _stream_checked(
    client: httpx.AsyncClient, url: str, spool: _SpoolToFile, own_endpoint: str
) -> None:
    """GET `url`, following redirects by hand so that every hop passes the SSRF rule."""
    for _ in range(_MAX_REDIRECTS + 1):
        await check_fetchable(url, own_endpoint)
        async with client.stream("GET", url) as response:
            if response.is_redirect and "location" in response.headers:
                url = str(response.url.join(response.headers["location"]))
                continue
            if response.status_code != 200:
                raise InvalidInput(
                    f"dataUrl answered HTTP {response.status_code}",
                    {"field": "dataUrl", "status": response.status_code},
                )
            async for chunk in response.aiter_bytes(1 << 20):
                await spool.write(chunk)
            await spool.finish()
            return
    raise InvalidInput(f"dataUrl redirected more than {_MAX_REDIRECTS} times", {"field": "dataUrl"})
