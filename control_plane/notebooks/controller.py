"""`/api/v2/notebooks` (the seed's paths): documents, versions, import/export, shares,
kernels and executions; `/ws/notebooks/{id}` live outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, WebSocket, delete, get, post, put, websocket
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, Parameter
from litestar.types import ControllerRouterHandler

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.notebooks import documents, service, sharing
from control_plane.notebooks.live import relay_notebook_events
from control_plane.notebooks.runtime import NotebookRuntime
from control_plane.notebooks.schemas import (
    ExecuteRequest,
    ExecutionOut,
    KernelOut,
    NotebookCreate,
    NotebookOut,
    NotebookPage,
    NotebookUpdate,
    ShareOut,
    ShareRequest,
    VersionOut,
)
from control_plane.notebooks.tracking_controller import NotebookRunsController

PageNo = Annotated[int, Parameter(ge=1, default=1)]
PageSize = Annotated[int, Parameter(ge=1, le=500, default=50, query="pageSize")]


@dataclass
class ImportForm:
    file: UploadFile
    name: str | None = None


def _runtime(request: Request[Any, Any, Any]) -> NotebookRuntime:
    return request.app.state.notebooks  # type: ignore[no-any-return]


def _base_url(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url)


class NotebooksController(Controller):
    path = "/api/v2/notebooks"
    tags = ["notebooks"]

    @post("/", guards=[writer_guard], status_code=201, summary="Create a notebook")
    async def create(
        self, user: AuthUser, store: ObjectStore, data: NotebookCreate = Body()
    ) -> NotebookOut:
        return await service.create_notebook(store, user, data)

    @get("/", summary="Notebooks of the caller and those shared with them, newest first")
    async def list_notebooks(
        self,
        user: AuthUser,
        page: PageNo,
        page_size: PageSize,
        q: Annotated[str | None, Parameter(query="q", default=None)],
        project_id: Annotated[str | None, Parameter(query="projectId", default=None)],
    ) -> NotebookPage:
        return await service.list_notebooks(user, q, project_id, page, page_size)

    @post(
        "/import",
        guards=[writer_guard],
        status_code=201,
        summary="Import an .ipynb file (multipart `file`, optional `name`)",
    )
    async def import_notebook(
        self,
        user: AuthUser,
        store: ObjectStore,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> NotebookOut:
        content = documents.parse_ipynb(await data.file.read())
        name = data.name or (data.file.filename or "notebook").removesuffix(".ipynb")
        return await service.create_notebook(
            store, user, NotebookCreate(name=name[:200], content=content)
        )

    @get("/{notebook_id:str}", summary="A notebook and its document (`?version=` for an older one)")
    async def get_notebook(
        self,
        user: AuthUser,
        store: ObjectStore,
        notebook_id: str,
        version: Annotated[int | None, Parameter(query="version", ge=1, default=None)],
    ) -> NotebookOut:
        return await service.get_notebook(store, user, notebook_id, version)

    @put("/{notebook_id:str}", guards=[writer_guard], summary="Rename it or save a new version")
    async def update(
        self, user: AuthUser, store: ObjectStore, notebook_id: str, data: NotebookUpdate = Body()
    ) -> NotebookOut:
        return await service.update_notebook(store, user, notebook_id, data)

    @delete("/{notebook_id:str}", guards=[writer_guard], summary="Delete it (owner)")
    async def remove(
        self, request: Request[Any, Any, Any], user: AuthUser, store: ObjectStore, notebook_id: str
    ) -> None:
        await service.delete_notebook(store, user, notebook_id)
        await _runtime(request).host.shutdown(notebook_id, "the notebook was deleted")

    @get("/{notebook_id:str}/versions", summary="Version history: who saved which and when")
    async def versions(self, user: AuthUser, notebook_id: str) -> list[VersionOut]:
        return await service.list_versions(user, notebook_id)

    @get(
        "/{notebook_id:str}/export",
        summary="The .ipynb file (`?version=` for an older one)",
        media_type="application/x-ipynb+json",
        responses={
            200: ResponseSpec(
                data_container=dict[str, Any],
                media_type="application/x-ipynb+json",
                description="The notebook as nbformat v4 JSON",
                # generated examples are random: the committed document would differ
                # from one app to the next
                generate_examples=False,
            )
        },
    )
    async def export(
        self,
        user: AuthUser,
        store: ObjectStore,
        notebook_id: str,
        version: Annotated[int | None, Parameter(query="version", ge=1, default=None)],
    ) -> Response[bytes]:
        nb = await service.get_notebook(store, user, notebook_id, version)
        filename = "".join(c if c.isalnum() or c in "-_." else "_" for c in nb.name) or nb.id
        return Response(
            content=documents.dump(nb.content),
            media_type=service.IPYNB,
            headers={"Content-Disposition": f'attachment; filename="{filename}.ipynb"'},
        )

    @post("/{notebook_id:str}/share", status_code=201, summary="Share with a user or a role")
    async def share(
        self, user: AuthUser, notebook_id: str, data: ShareRequest = Body()
    ) -> ShareOut:
        return await sharing.share(user, notebook_id, data)

    @get("/{notebook_id:str}/shares", summary="Who the notebook is shared with")
    async def shares(self, user: AuthUser, notebook_id: str) -> list[ShareOut]:
        return await sharing.list_shares(user, notebook_id)

    @delete("/{notebook_id:str}/shares/{share_id:int}", summary="Take a share back")
    async def unshare(self, user: AuthUser, notebook_id: str, share_id: int) -> None:
        await sharing.unshare(user, notebook_id, share_id)

    @post(
        "/{notebook_id:str}/execute",
        guards=[writer_guard],
        status_code=202,
        summary="Run one cell or all cells; outputs stream on /ws/notebooks/{id}",
    )
    async def execute(
        self,
        request: Request[Any, Any, Any],
        user: AuthUser,
        store: ObjectStore,
        notebook_id: str,
        data: ExecuteRequest = Body(),
    ) -> ExecutionOut:
        return await _runtime(request).execute(store, user, notebook_id, data, _base_url(request))

    @get(
        "/{notebook_id:str}/executions/{execution_id:str}", summary="An execution's outputs so far"
    )
    async def execution(
        self, request: Request[Any, Any, Any], user: AuthUser, notebook_id: str, execution_id: str
    ) -> ExecutionOut:
        return await _runtime(request).execution(user, notebook_id, execution_id)

    @get("/{notebook_id:str}/kernel", summary="The kernel's state and limits")
    async def kernel(
        self, request: Request[Any, Any, Any], user: AuthUser, notebook_id: str
    ) -> KernelOut:
        return await _runtime(request).state(user, notebook_id)

    @post(
        "/{notebook_id:str}/kernel",
        guards=[writer_guard],
        status_code=200,
        summary="Start the kernel; returns when it is ready",
    )
    async def open_kernel(
        self, request: Request[Any, Any, Any], user: AuthUser, notebook_id: str
    ) -> KernelOut:
        return await _runtime(request).open(user, notebook_id, _base_url(request))

    @post(
        "/{notebook_id:str}/kernel/interrupt",
        guards=[writer_guard],
        status_code=200,
        summary="Interrupt the running cell",
    )
    async def interrupt(
        self, request: Request[Any, Any, Any], user: AuthUser, notebook_id: str
    ) -> KernelOut:
        return await _runtime(request).interrupt(user, notebook_id)

    @post(
        "/{notebook_id:str}/kernel/restart",
        guards=[writer_guard],
        status_code=200,
        summary="Restart the kernel (a new process)",
    )
    async def restart(
        self, request: Request[Any, Any, Any], user: AuthUser, notebook_id: str
    ) -> KernelOut:
        return await _runtime(request).restart(user, notebook_id, _base_url(request))

    @delete(
        "/{notebook_id:str}/kernel",
        guards=[writer_guard],
        status_code=204,
        summary="Shut the kernel down",
    )
    async def shutdown(
        self, request: Request[Any, Any, Any], user: AuthUser, notebook_id: str
    ) -> None:
        await _runtime(request).shutdown(user, notebook_id)


@websocket("/ws/notebooks/{notebook_id:str}")
async def notebook_socket(socket: WebSocket[Any, Any, Any], notebook_id: str) -> None:
    """`?token=<jwt>&after=<seq>`: events after `seq`, then live ones."""
    await relay_notebook_events(socket, notebook_id)


notebook_routes: list[ControllerRouterHandler] = [
    NotebooksController,
    NotebookRunsController,
    notebook_socket,
]
