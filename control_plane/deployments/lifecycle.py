"""Start and stop what the deployments slice needs: the Triton clients, the task that
follows committed alias moves (the registry's outbox), and the answer to the registry's
question of who serves a model (`registry.serving`), and the task that keeps every Triton
replica serving the active deployments (`replicas.py`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from control_plane.background import stop
from control_plane.deployments.replicas import keep_replicas
from control_plane.deployments.runtime import DeploymentRuntime
from control_plane.deployments.served_by import deployments_serving
from control_plane.deployments.service import follow_alias
from control_plane.registry import serving
from control_plane.registry.outbox import STATE_KEY, AliasMove, AliasOutbox


@asynccontextmanager
async def deployments_lifespan(app: Litestar) -> AsyncIterator[None]:
    runtime = DeploymentRuntime.build(app.state.settings, app.state.store)
    app.state.deployments = runtime
    app.state[serving.STATE_KEY] = serving.ModelServing(
        served_by=deployments_serving,
        publisher=runtime.publisher,
        repository=runtime.repository,
    )

    async def follow(move: AliasMove) -> None:
        if move.version is not None:  # a deleted alias leaves its followers where they are
            await follow_alias(move.model, move.alias, move.version, runtime)

    outbox = AliasOutbox(follow)
    app.state[STATE_KEY] = outbox
    tasks = [asyncio.create_task(outbox.run())]
    period = app.state.settings.triton_sync_s
    if period > 0:
        tasks.append(asyncio.create_task(keep_replicas(runtime, period), name="triton-sync"))
    try:
        yield
    finally:
        await stop(tasks)
        del app.state[STATE_KEY]
        del app.state[serving.STATE_KEY]
        await runtime.close()
