"""The weights library: uploaded or saved-from-run .onnx/.pt files in S3, with metadata."""

from __future__ import annotations

import hashlib
import re
import secrets
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from multipart import MultipartError, MultipartSegment, PushMultipartParser

from control_plane.adapters.object_store import ObjectStore
from control_plane.lab.schemas import WeightOut, WeightPatch
from control_plane.lab.tables import Weight
from control_plane.lab.weight_files import onnx_signature, pt_state_dict
from control_plane.row_by_id import row_by_id
from control_plane.struct_rows import from_row
from schemas.errors import InvalidInput, PayloadTooLarge

FIELDS = ("name", "tags", "notes", "architectureId")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _out(row: dict[str, Any]) -> WeightOut:
    return from_row(
        WeightOut,
        row,
        signature=row["signature"] or {},
        metrics=row["metrics"] or {},
        tags=row["tags"] or [],
    )


async def _row(weight_id: str) -> dict[str, Any]:
    return await row_by_id(Weight, weight_id, "weight", "weightId")


def object_key(weight_id: str, fmt: str) -> str:
    return f"weights/{weight_id}/weights.{fmt}"


async def _spool(
    chunks: AsyncIterator[bytes], boundary: str, folder: Path, limit: int
) -> tuple[Path, str, dict[str, str]]:
    """The multipart body's `file` part to a file (refused past `limit`), and its fields."""
    if not boundary:
        raise InvalidInput("multipart body without a boundary in Content-Type")
    target, filename, size = folder / "upload", "", 0
    fields: dict[str, bytearray] = {}
    current: MultipartSegment | None = None
    sink = None
    try:
        with PushMultipartParser(boundary, max_segment_count=len(FIELDS) + 2) as parser:
            async for chunk in chunks:
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        current = event
                        if event.name == "file":
                            filename, sink = event.filename or "", target.open("wb")
                        elif event.name in FIELDS:
                            fields[event.name] = bytearray()
                    elif event is None:
                        current = None
                    elif current is not None and current.name == "file" and sink is not None:
                        size += len(event)
                        if size > limit:
                            raise PayloadTooLarge(
                                f"the weight exceeds the limit of {limit} bytes",
                                {"limitBytes": limit},
                            )
                        sink.write(event)
                    elif current is not None and current.name in fields:
                        fields[current.name] += event
    except MultipartError as error:
        raise InvalidInput(f"malformed multipart body: {error}") from error
    finally:
        if sink is not None:
            sink.close()
    if not filename:
        raise InvalidInput("send the weight as a `file` part", {"field": "file"})
    return target, filename, {k: v.decode() for k, v in fields.items()}


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def describe_file(path: Path, filename: str) -> tuple[str, dict[str, Any]]:
    """The format and signature of an uploaded weight; INVALID_INPUT for anything else."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".onnx":
        return "onnx", onnx_signature(path)
    if suffix in (".pt", ".pth"):
        return "pt", pt_state_dict(path)
    raise InvalidInput(
        "a weight is an .onnx or a .pt file", {"field": "file", "filename": filename}
    )


async def upload_weight(
    store: ObjectStore, chunks: AsyncIterator[bytes], boundary: str, limit: int, user: str
) -> WeightOut:
    with tempfile.TemporaryDirectory(prefix="weight-") as tmp:
        path, filename, fields = await _spool(chunks, boundary, Path(tmp), limit)
        fmt, signature = describe_file(path, filename)
        tags = [t.strip() for t in fields.get("tags", "").split(",") if t.strip()]
        weight_id = f"wt-{secrets.token_hex(4)}"
        await store.put_file(object_key(weight_id, fmt), path)
        stamp = datetime.now(UTC)
        await Weight(
            id=weight_id,
            name=fields.get("name") or Path(filename).stem or weight_id,
            format=fmt,
            bytes=path.stat().st_size,
            sha256=_digest(path),
            uri=store.uri(object_key(weight_id, fmt)),
            signature=signature,
            architecture_id=fields.get("architectureId") or None,
            tags=tags,
            notes=fields.get("notes", ""),
            created_by=user,
            created_at=stamp,
            updated_at=stamp,
        ).save()
    return await get_weight(weight_id)


async def save_file(
    store: ObjectStore,
    *,
    source_key: str,
    fmt: str,
    name: str,
    metrics: dict[str, Any],
    signature: dict[str, Any],
    source_run: str,
    architecture_id: str | None,
    tags: list[str],
    user: str,
) -> WeightOut:
    """A run's artifact copied into the library (it outlives the run)."""
    weight_id = f"wt-{secrets.token_hex(4)}"
    data = await store.get_bytes(source_key)
    key = object_key(weight_id, fmt)
    await store.put_bytes(key, data)
    stamp = datetime.now(UTC)
    await Weight(
        id=weight_id,
        name=name,
        format=fmt,
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uri=store.uri(key),
        signature=signature,
        metrics=metrics,
        architecture_id=architecture_id,
        source_run=source_run,
        tags=tags,
        created_by=user,
        created_at=stamp,
        updated_at=stamp,
    ).save()
    return await get_weight(weight_id)


async def get_weight(weight_id: str) -> WeightOut:
    return _out(await _row(weight_id))


async def list_weights(tag: str | None) -> list[WeightOut]:
    rows = await Weight.select().order_by(Weight.created_at, ascending=False).output(load_json=True)
    out = [_out(r) for r in rows]
    return [w for w in out if tag in w.tags] if tag else out


async def update_weight(weight_id: str, patch: WeightPatch) -> WeightOut:
    await _row(weight_id)
    changes: dict[Any, Any] = {Weight.updated_at: datetime.now(UTC)}
    if patch.name is not msgspec.UNSET:
        changes[Weight.name] = patch.name
    if patch.tags is not msgspec.UNSET:
        changes[Weight.tags] = list(dict.fromkeys(patch.tags))
    if patch.notes is not msgspec.UNSET:
        changes[Weight.notes] = patch.notes
    await Weight.update(changes).where(Weight.id == weight_id)
    return await get_weight(weight_id)


async def download(store: ObjectStore, weight_id: str) -> tuple[bytes, str]:
    row = await _row(weight_id)
    filename = f"{_SAFE.sub('_', row['name']) or weight_id}.{row['format']}"
    return await store.get_bytes(object_key(weight_id, row["format"])), filename


async def delete_weight(store: ObjectStore, weight_id: str) -> None:
    """The record and the object itself."""
    row = await _row(weight_id)
    await store.remove_prefix(f"weights/{weight_id}/")
    await Weight.delete().where(Weight.id == row["id"])


async def init_weights_uri(weight_id: str) -> str:
    """The S3 URI of a .pt state dict a run may start from."""
    row = await _row(weight_id)
    if row["format"] != "pt":
        raise InvalidInput(
            "a run starts from a .pt state dict; an .onnx weight cannot be fine-tuned",
            {"field": "weightId", "format": row["format"]},
        )
    return str(row["uri"])
