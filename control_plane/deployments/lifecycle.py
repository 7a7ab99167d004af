"""Start and stop what the deployments slice needs: the Triton clients and the alias follower."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from control_plane.deployments.runtime import DeploymentRuntime
from control_plane.deployments.service import follow_alias
from control_plane.registry.aliases import on_alias_moved


@asynccontextmanager
async def deployments_lifespan(app: Litestar) -> AsyncIterator[None]:
    runtime = DeploymentRuntime.build(app.state.settings, app.state.store)
    app.state.deployments = runtime

    async def follow(model: str, alias: str, version: int | None) -> None:
        if version is not None:
            await follow_alias(model, alias, version, runtime)

    on_alias_moved.append(follow)
    try:
        yield
    finally:
        on_alias_moved.remove(follow)
        await runtime.close()
