"""`/api/datasets`: upload or register, list, get, preview rows, update, delete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.params import Body, Parameter

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.datasets import intake, service
from control_plane.datasets.references import referrers
from control_plane.datasets.schemas import (
    DatasetOut,
    DatasetPage,
    DatasetPatch,
    DatasetReferences,
    DatasetRegistration,
    DatasetRows,
    ImportPreview,
)
from control_plane.datasets.transfer import request_body
from control_plane.settings import Settings
from schemas.errors import InvalidInput

_JSON_LIMIT = 1 << 20
_registration_decoder = msgspec.json.Decoder(DatasetRegistration)


def _text(description: str) -> Schema:
    return Schema(type=OpenAPIType.STRING, description=description)


@dataclass
class _UploadOperation(Operation):
    """The body is read as a stream, so its two shapes are described here by hand."""

    def __post_init__(self) -> None:
        form = Schema(
            type=OpenAPIType.OBJECT,
            required=["file"],
            properties={
                "file": Schema(
                    type=OpenAPIType.STRING,
                    format=OpenAPIFormat.BINARY,
                    description="CSV, Parquet or .xlsx (first sheet)",
                ),
                "name": _text("defaults to the file name"),
                "description": _text("free text"),
                "format": Schema(
                    type=OpenAPIType.STRING,
                    enum=["csv", "parquet", "xlsx"],
                    description="sniffed when absent",
                ),
                "timestampColumn": _text("detected when absent"),
                "units": _text('JSON object {column: unit}, e.g. {"load": "kW"}'),
                "separator": Schema(
                    type=OpenAPIType.STRING,
                    enum=[",", ";", "\t", "|"],
                    description="CSV field separator; detected when absent",
                ),
                "decimal": Schema(
                    type=OpenAPIType.STRING,
                    enum=[".", ","],
                    description="CSV decimal mark; detected when absent",
                ),
                "timestampFormat": _text('strftime format, e.g. "%d.%m.%Y %H:%M"; detected'),
                "timezone": _text("IANA zone of timestamps without an offset; UTC when absent"),
            },
        )
        self.request_body = RequestBody(
            required=True,
            content={
                "multipart/form-data": OpenAPIMediaType(schema=form),
                "application/json": OpenAPIMediaType(
                    schema=Reference(ref="#/components/schemas/DatasetRegistration")
                ),
            },
        )


class DatasetController(Controller):
    path = "/api/datasets"
    tags = ["datasets"]

    @post(
        "/",
        guards=[writer_guard],
        status_code=201,
        request_max_body_size=None,  # enforced while streaming, from settings
        operation_class=_UploadOperation,
        summary="Upload a CSV/Parquet file (multipart) or register an s3:// / http(s) URL (JSON)",
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        store: ObjectStore,
        settings: Settings,
        user: AuthUser,
    ) -> DatasetOut:
        media, options = request.content_type
        limit = settings.upload_limit_bytes
        if media == "multipart/form-data":
            chunks = request_body(request, limit)
            out = await intake.upload_dataset(
                store, chunks, options.get("boundary", ""), limit, user
            )
            request.app.emit(
                "dataset_created", dataset_id=out.id, user=user.username, app=request.app
            )
            return out
        if media == "application/json":
            body = b"".join([c async for c in request_body(request, _JSON_LIMIT)])
            try:
                data = _registration_decoder.decode(body)
            except msgspec.DecodeError as exc:
                raise InvalidInput(f"invalid JSON body: {exc}") from exc
            out = await intake.register_dataset(store, data, limit, user)
            request.app.emit(
                "dataset_created", dataset_id=out.id, user=user.username, app=request.app
            )
            return out
        raise InvalidInput(
            "send multipart/form-data with a `file` part, or application/json with `dataUrl`",
            {"contentType": media},
        )

    @post(
        "/inspect",
        guards=[writer_guard],
        status_code=200,
        request_max_body_size=None,  # enforced while streaming, from settings
        operation_class=_UploadOperation,
        summary="Read a file as an upload would (same fields) and store nothing: the options "
        "found, the columns and the first rows",
    )
    async def inspect(self, request: Request[Any, Any, Any], settings: Settings) -> ImportPreview:
        media, options = request.content_type
        if media != "multipart/form-data":
            raise InvalidInput(
                "send multipart/form-data with a `file` part", {"contentType": media}
            )
        limit = settings.upload_limit_bytes
        chunks = request_body(request, limit)
        return await intake.preview_upload(chunks, options.get("boundary", ""), limit)

    @post(
        "/register",
        guards=[writer_guard],
        status_code=201,
        summary="Register an existing S3 object by URL",
    )
    async def register(
        self,
        store: ObjectStore,
        settings: Settings,
        user: AuthUser,
        data: DatasetRegistration = Body(),
    ) -> DatasetOut:
        return await intake.register_dataset(store, data, settings.upload_limit_bytes, user)

    @get("/", summary="List datasets, newest first; `q` searches name, description and id")
    async def list_datasets(
        self,
        page: int = Parameter(ge=1, le=1_000_000, default=1),
        page_size: int = Parameter(query="pageSize", ge=1, le=200, default=20),
        q: str | None = Parameter(default=None, max_length=200),
    ) -> DatasetPage:
        return await service.list_datasets(page, page_size, q)

    @get("/{dataset_id:str}", summary="One dataset: columns (dtype, role, unit), frequency, range")
    async def get_one(self, dataset_id: str = Parameter()) -> DatasetOut:
        return await service.get_dataset(dataset_id)

    @get("/{dataset_id:str}/preview", summary="A page of the canonical rows")
    async def preview(
        self,
        settings: Settings,
        dataset_id: str = Parameter(),
        offset: int = Parameter(ge=0, le=1_000_000_000, default=0),
        limit: int = Parameter(ge=1, le=1000, default=50),
    ) -> DatasetRows:
        return await service.preview_rows(settings, dataset_id, offset, limit)

    @get(
        "/{dataset_id:str}/references", summary="Feature plans, training jobs and versions using it"
    )
    async def references(
        self, request: Request[Any, Any, Any], dataset_id: str = Parameter()
    ) -> DatasetReferences:
        return await service.references(dataset_id, referrers(request))

    @patch(
        "/{dataset_id:str}",
        guards=[writer_guard],
        summary="Update name, description, units, quality rules",
    )
    async def update(
        self, dataset_id: str = Parameter(), data: DatasetPatch = Body()
    ) -> DatasetOut:
        return await service.update_dataset(dataset_id, data)

    @put(
        "/{dataset_id:str}",
        guards=[writer_guard],
        summary="Update name and description (seed 004's PUT); the same body and rules as PATCH",
    )
    async def replace(
        self, dataset_id: str = Parameter(), data: DatasetPatch = Body()
    ) -> DatasetOut:
        return await service.update_dataset(dataset_id, data)

    @delete(
        "/{dataset_id:str}",
        guards=[writer_guard],
        summary="Delete the dataset and its S3 objects (CONFLICT while referenced, unless force)",
    )
    async def remove(
        self,
        request: Request[Any, Any, Any],
        store: ObjectStore,
        dataset_id: str = Parameter(),
        force: bool = Parameter(default=False),
    ) -> None:
        await service.delete_dataset(store, dataset_id, force, referrers(request))
