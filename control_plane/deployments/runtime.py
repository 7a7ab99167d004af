"""The Triton side of deployments: publisher, repository API, inference client; one per app.
With several Triton replicas the repository acts on every one and inference spreads over them."""

from __future__ import annotations

import msgspec

from control_plane.adapters.object_store import ObjectStore
from control_plane.settings import Settings
from triton_repo.config import Target
from triton_repo.pool import Forecaster, TritonPool
from triton_repo.publisher import TritonPublisher
from triton_repo.repository import TritonRepository


class DeploymentRuntime(msgspec.Struct, kw_only=True):
    settings: Settings
    store: ObjectStore
    publisher: TritonPublisher
    repository: TritonRepository
    inference: Forecaster

    @classmethod
    def build(cls, settings: Settings, store: ObjectStore) -> DeploymentRuntime:
        target: Target = "gpu" if settings.triton_target == "gpu" else "cpu"
        return cls(
            settings=settings,
            store=store,
            publisher=TritonPublisher(settings.triton_repo_dir, target),
            repository=TritonRepository(settings.triton_replicas),
            inference=TritonPool(settings.triton_replicas),
        )

    async def close(self) -> None:
        await self.repository.close()
        await self.inference.close()
