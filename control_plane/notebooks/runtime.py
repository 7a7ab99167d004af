"""Kernels for notebooks: who may open, run, interrupt and restart them, with which
token and environment. The host and the executions live in `app.state.notebooks`."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from litestar.security.jwt import JWTAuth, Token

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.service import AuthUser
from control_plane.notebooks import documents
from control_plane.notebooks.access import notebook_for
from control_plane.notebooks.execution import Executions
from control_plane.notebooks.kernel_settings import KernelSettings
from control_plane.notebooks.kernels import KernelHost
from control_plane.notebooks.schemas import ExecuteRequest, ExecutionOut, KernelOut
from control_plane.notebooks.service import read_content
from schemas.errors import InvalidInput, NotFound


class NotebookRuntime:
    def __init__(self, settings: KernelSettings, jwt_auth: JWTAuth[AuthUser, Token]) -> None:
        self.host = KernelHost(settings)
        self.executions = Executions(self.host)
        self.jwt_auth = jwt_auth
        self._tasks: set[asyncio.Task[None]] = set()

    def _kernel_env(
        self, user: AuthUser, notebook_id: str, version: int, base_url: str
    ) -> dict[str, str]:
        """What the kernel's `loadstar` client needs: the API's URL and a short-lived token
        of the notebook's user; the notebook and version for runs it tracks."""
        settings = self.host.settings
        token = self.jwt_auth.create_token(
            identifier=str(user.id),
            token_expiration=timedelta(seconds=settings.token_ttl_seconds),
            token_extras={"role": user.role, "username": user.username},
        )
        return {
            "LOADSTAR_URL": (settings.api_url or base_url).rstrip("/"),
            "LOADSTAR_TOKEN": token,
            "LOADSTAR_NOTEBOOK_ID": notebook_id,
            "LOADSTAR_NOTEBOOK_VERSION": str(version),
        }

    async def open(self, user: AuthUser, notebook_id: str, base_url: str) -> KernelOut:
        row, _ = await notebook_for(user, notebook_id, "execute")
        env = self._kernel_env(user, row.id, row.version, base_url)
        await self.host.open(row.id, user.username, env)
        return self.host.describe(row.id)

    async def state(self, user: AuthUser, notebook_id: str) -> KernelOut:
        await notebook_for(user, notebook_id)
        return self.host.describe(notebook_id)

    async def interrupt(self, user: AuthUser, notebook_id: str) -> KernelOut:
        await notebook_for(user, notebook_id, "execute")
        return await self.host.interrupt(notebook_id)

    async def restart(self, user: AuthUser, notebook_id: str, base_url: str) -> KernelOut:
        """A new kernel process (and token) in the same working directory."""
        await notebook_for(user, notebook_id, "execute")
        await self.host.shutdown(notebook_id, "restarted")
        return await self.open(user, notebook_id, base_url)

    async def shutdown(self, user: AuthUser, notebook_id: str) -> KernelOut:
        await notebook_for(user, notebook_id, "execute")
        return await self.host.shutdown(notebook_id, "shut down")

    async def execute(
        self,
        store: ObjectStore,
        user: AuthUser,
        notebook_id: str,
        data: ExecuteRequest,
        base_url: str,
    ) -> ExecutionOut:
        """Queue one cell or all code cells of the saved notebook; returns at once, outputs
        follow on the notebook's socket and on `GET .../executions/{id}`."""
        row, _ = await notebook_for(user, notebook_id, "execute")
        cells = documents.code_cells(await read_content(store, row.id, row.version))
        if data.all:
            chosen = cells
        elif data.cellId is not None:
            chosen = [c for c in cells if c[0] == data.cellId]
            if not chosen and data.source is None:
                raise InvalidInput(f"no code cell {data.cellId!r}", {"field": "cellId"})
            if data.source is not None:
                chosen = [(data.cellId, data.source)]
        else:
            raise InvalidInput("give `cellId` (one cell) or `all: true`", {"field": "cellId"})
        env = self._kernel_env(user, row.id, row.version, base_url)
        kernel = await self.host.open(row.id, user.username, env)
        execution = self.executions.new(row.id, user.username, chosen)
        task = asyncio.create_task(self.executions.run(kernel, execution))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return execution.out()

    async def execution(self, user: AuthUser, notebook_id: str, execution_id: str) -> ExecutionOut:
        await notebook_for(user, notebook_id)
        execution = self.executions.by_id.get(execution_id)
        if execution is None or execution.notebook_id != notebook_id:
            raise NotFound(f"execution {execution_id!r} not found", {"executionId": execution_id})
        return execution.out()

    async def start(self) -> None:
        await self.host.start()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.host.stop()

    def snapshot(self) -> dict[str, Any]:
        return self.host.snapshot()
