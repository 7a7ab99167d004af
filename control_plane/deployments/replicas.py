"""Keep every Triton replica serving what the active deployments use.

A replica that restarted empty, or was down while a version was published, is found by
its missing READY models and told to load them from the shared model repository. The
first pass runs one period after start-up (a replica started with the stack's
`--load-model=*` already loads the repository itself), then every period.
"""

from __future__ import annotations

import asyncio
import logging

from control_plane.deployments.runtime import DeploymentRuntime
from control_plane.deployments.tables import Deployment

log = logging.getLogger("loadstar.deployments.replicas")


async def active_models() -> list[tuple[str, int]]:
    """(Triton model, version) of every active deployment, each once."""
    rows = await Deployment.select(Deployment.triton_model, Deployment.model_version).where(
        Deployment.status == "active"
    )
    return sorted({(r["triton_model"], int(r["model_version"])) for r in rows})


async def sync_replicas(runtime: DeploymentRuntime) -> list[tuple[str, str]]:
    """One pass: returns the (replica, model) pairs that were loaded. A version whose folder
    is not in the model repository (a deployment left by another checkout's database) is
    left out: no replica can load it, and asking would reload the model every pass."""
    wanted = [(m, v) for m, v in await active_models() if runtime.publisher.has_version(m, v)]
    return await runtime.repository.sync(wanted)


async def keep_replicas(runtime: DeploymentRuntime, period_s: float) -> None:
    """Run `sync_replicas` every `period_s` seconds until cancelled; a failed pass (the
    database or every replica away) is logged and tried again at the next period."""
    while True:
        await asyncio.sleep(period_s)
        try:
            loaded = await sync_replicas(runtime)
        except Exception:
            log.warning("replica sync failed; trying again in %.0f s", period_s, exc_info=True)
            continue
        if loaded:
            log.info("replicas caught up: %s", loaded)
