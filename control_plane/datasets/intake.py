"""Intake: a multipart upload or a URL becomes a dataset.

Every object goes under `datasets/<id>/` first and the row is inserted last; any failure
(cancellation included) stops the mirror and removes the prefix, so a refused file leaves
neither rows nor objects behind.
"""

from __future__ import annotations

import dataclasses
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import msgspec

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.service import AuthUser
from control_plane.datasets import storage
from control_plane.datasets.ingest import IngestOptions, IngestResult, ingest_file, sniff_format
from control_plane.datasets.mirror import OriginalMirror
from control_plane.datasets.schemas import (
    DatasetFormat,
    DatasetOut,
    DatasetRegistration,
    ImportPreview,
    ReadOptions,
    UploadForm,
)
from control_plane.datasets.service import get_dataset
from control_plane.datasets.tables import Dataset
from control_plane.datasets.transfer import Received, fetch_url, receive_multipart
from loadstar_core import profile as stats
from loadstar_core.json_rows import json_rows
from schemas.errors import InvalidInput

_TEMP_PREFIX = "loadstar-ingest-"
PREVIEW_ROWS = 20


def new_dataset_id() -> str:
    return f"ds-{uuid.uuid4().hex[:8]}"


def _decode_form(fields: dict[str, str]) -> UploadForm:
    raw: dict[str, Any] = {k: v for k, v in fields.items() if v != "" or k == "description"}
    if "units" in raw:
        try:
            raw["units"] = msgspec.json.decode(raw["units"])
        except msgspec.DecodeError as exc:
            raise InvalidInput(
                "units must be a JSON object {column: unit}", {"field": "units"}
            ) from exc
    try:
        return msgspec.convert(raw, UploadForm)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"invalid form field: {exc}", {"errors": str(exc)}) from exc


async def upload_dataset(
    store: ObjectStore, chunks: AsyncIterator[bytes], boundary: str, limit: int, user: AuthUser
) -> DatasetOut:
    """A multipart upload: spooled to a temp file and, at the same time, copied to S3 as
    the original; then profiled and made canonical."""
    dataset_id = new_dataset_id()
    mirror = OriginalMirror(store, dataset_id)
    async with _nothing_left_on_failure(store, dataset_id, mirror):
        with tempfile.TemporaryDirectory(prefix=_TEMP_PREFIX) as tmp:
            received = await receive_multipart(chunks, boundary, Path(tmp), limit, mirror)
            form = _decode_form(received.fields)
            name = form.name or Path(received.filename).stem or received.filename
            return await _ingest(store, dataset_id, received, form, name, user, mirror=mirror)


def ingest_options(form: ReadOptions) -> IngestOptions:
    return IngestOptions(
        timestamp_column=form.timestampColumn,
        units=dict(form.units),
        separator=form.separator,
        decimal=form.decimal,
        timestamp_format=form.timestampFormat,
        timezone=form.timezone,
    )


def _preview(path: Path, filename: str, form: ReadOptions) -> ImportPreview:
    fmt: DatasetFormat = form.format or sniff_format(path, filename)
    result = ingest_file(
        path, fmt, path.with_name("canonical.parquet"), ingest_options(form), keep_frame=True
    )
    assert result.frame is not None
    return ImportPreview(
        filename=filename,
        format=fmt,
        separator=result.dialect.separator if result.dialect else None,
        decimal=result.dialect.decimal if result.dialect else None,
        timestampColumn=result.timestamp_column,
        timestampFormat=result.timestamp_format or "inferred",
        timezone=form.timezone or result.facts.timezone,
        columns=result.columns,
        rows=json_rows(result.frame.head(PREVIEW_ROWS)),
        totalRows=result.rows,
        frequency=result.frequency,
    )


async def preview_upload(chunks: AsyncIterator[bytes], boundary: str, limit: int) -> ImportPreview:
    """Read a multipart upload exactly as an upload would, and store nothing."""
    with tempfile.TemporaryDirectory(prefix=_TEMP_PREFIX) as tmp:
        received = await receive_multipart(chunks, boundary, Path(tmp), limit)
        form = _decode_form(received.fields)
        return await anyio.to_thread.run_sync(_preview, received.path, received.filename, form)


async def register_dataset(
    store: ObjectStore, data: DatasetRegistration, limit: int, user: AuthUser
) -> DatasetOut:
    """An object already in S3 (or at an http(s) URL) becomes a dataset: copied, profiled."""
    url = data.url
    if not url:
        raise InvalidInput("dataUrl is required (s3://bucket/key)", {"field": "dataUrl"})
    dataset_id = new_dataset_id()
    async with _nothing_left_on_failure(store, dataset_id):
        with tempfile.TemporaryDirectory(prefix=_TEMP_PREFIX) as tmp:
            received = await fetch_url(store, url, Path(tmp), limit)
            form = UploadForm(
                name=data.name,
                description=data.description,
                format=data.format,
                timestampColumn=data.timestampColumn,
                units=data.units,
                separator=data.separator,
                decimal=data.decimal,
                timestampFormat=data.timestampFormat,
                timezone=data.timezone,
            )
            name = data.name or Path(received.filename).stem or received.filename
            return await _ingest(store, dataset_id, received, form, name, user, source_uri=url)


@asynccontextmanager
async def _nothing_left_on_failure(
    store: ObjectStore, dataset_id: str, mirror: OriginalMirror | None = None
) -> AsyncIterator[None]:
    """On any failure (cancellation included): stop the mirror, remove the prefix."""
    try:
        yield
    except BaseException:
        with anyio.CancelScope(shield=True):
            if mirror is not None:
                await mirror.abort()
            await store.remove_prefix(storage.prefix(dataset_id))
        raise


async def _together(*jobs: Callable[[], Coroutine[Any, Any, Any]]) -> None:
    """Run jobs concurrently; the first failure is raised as itself."""
    try:
        async with anyio.create_task_group() as group:
            for job in jobs:
                group.start_soon(job)
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from failed


def _ingest_and_profile(
    path: Path, fmt: DatasetFormat, canonical: Path, options: IngestOptions
) -> tuple[IngestResult, bytes]:
    """Ingest, then profile the canonical frame while it is in memory (the original is
    usually still on its way to S3 meanwhile), so the first preview is served cached."""
    result = ingest_file(path, fmt, canonical, options, keep_frame=True)
    assert result.frame is not None
    profile = stats.profile(result.frame, result.frequency_seconds)
    return dataclasses.replace(result, frame=None), msgspec.json.encode(profile)


async def _ingest(
    store: ObjectStore,
    dataset_id: str,
    received: Received,
    form: UploadForm,
    name: str,
    user: AuthUser,
    *,
    mirror: OriginalMirror | None = None,
    source_uri: str | None = None,
) -> DatasetOut:
    """Profile and convert, store what is not stored yet, insert the row last."""
    fmt: DatasetFormat = form.format or sniff_format(received.path, received.filename)
    canonical = received.path.with_name("canonical.parquet")
    options = ingest_options(form)
    result, profile = await anyio.to_thread.run_sync(
        _ingest_and_profile, received.path, fmt, canonical, options
    )
    canonical_key = storage.canonical_key(dataset_id)
    original_key = (mirror.key if mirror else None) or storage.original_key(dataset_id, fmt)
    profile_key = storage.explore_key(dataset_id, stats.PROFILE_OBJECT)
    await _together(
        mirror.wait if mirror else partial(store.put_file, original_key, received.path),
        partial(store.put_file, canonical_key, canonical),
        partial(store.put_bytes, profile_key, profile, "application/json"),
    )
    source = "url" if source_uri else "upload"
    row = _new_row(dataset_id, name, form, fmt, source, source_uri, result, user)
    row.original_key, row.canonical_key = original_key, canonical_key
    row.size_bytes, row.canonical_size_bytes = received.size, canonical.stat().st_size
    await row.save()
    return await get_dataset(dataset_id)


def _new_row(
    dataset_id: str,
    name: str,
    form: UploadForm,
    fmt: DatasetFormat,
    source: str,
    source_uri: str | None,
    result: IngestResult,
    user: AuthUser,
) -> Dataset:
    return Dataset(
        id=dataset_id,
        name=name[:200],
        description=form.description,
        status="ready",
        source=source,
        source_uri=source_uri,
        format=fmt,
        columns=msgspec.json.encode(result.columns).decode(),
        ingest=msgspec.json.encode(result.facts).decode(),
        quality_rules="{}",
        timestamp_column=result.timestamp_column,
        frequency=result.frequency,
        frequency_seconds=result.frequency_seconds,
        rows=result.rows,
        start_at=result.start,
        end_at=result.end,
        created_by=user.username,
    )
