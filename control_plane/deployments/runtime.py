"""The Triton side of deployments: publisher, repository API, inference client; one per app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import msgspec
from litestar import Litestar

from control_plane.adapters.object_store import ObjectStore
from control_plane.settings import Settings
from triton_repo.config import Target
from triton_repo.inference_client import TritonForecaster
from triton_repo.publisher import TritonPublisher
from triton_repo.repository import TritonRepository


class DeploymentRuntime(msgspec.Struct, kw_only=True):
    settings: Settings
    store: ObjectStore
    publisher: TritonPublisher
    repository: TritonRepository
    inference: TritonForecaster

    @classmethod
    def build(cls, settings: Settings, store: ObjectStore) -> DeploymentRuntime:
        target: Target = "gpu" if settings.triton_target == "gpu" else "cpu"
        return cls(
            settings=settings,
            store=store,
            publisher=TritonPublisher(settings.triton_repo_dir, target),
            repository=TritonRepository(settings.triton_grpc_url),
            inference=TritonForecaster(settings.triton_grpc_url),
        )

    async def close(self) -> None:
        await self.repository.close()
        await self.inference.close()


@asynccontextmanager
async def deployments_lifespan(app: Litestar) -> AsyncIterator[None]:
    from control_plane.deployments.service import follow_alias
    from control_plane.registry.aliases import on_alias_moved

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
