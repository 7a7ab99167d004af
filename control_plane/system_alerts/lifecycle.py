"""Evaluate the system alert rules every `LOADSTAR_SYSTEM_ALERT_PERIOD_S` seconds (30)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State

from control_plane.system.controller import provide_probe
from control_plane.system_alerts.delivery import AlertDelivery, WebhookDelivery
from control_plane.system_alerts.schemas import AlertEvaluation
from control_plane.system_alerts.service import evaluate_once
from schemas.training_job.protocol import JobKeys

log = logging.getLogger("loadstar.system_alerts")


def delivery_of(state: State) -> AlertDelivery:
    """The app's delivery (the log and the rule's webhook, unless a process set another)."""
    found = state.get("system_alert_delivery")
    if found is None:
        found = state["system_alert_delivery"] = WebhookDelivery()
    return found  # type: ignore[no-any-return]


async def evaluate_now(state: State) -> AlertEvaluation:
    return await evaluate_once(
        provide_probe(state),
        state.get("redis"),
        JobKeys(state.settings.namespace),
        delivery_of(state),
    )


async def _every(state: State, period: float) -> None:
    while True:
        await asyncio.sleep(period)
        try:
            await evaluate_now(state)
        except Exception:
            log.exception("system alert evaluation failed")


@asynccontextmanager
async def system_alerts_lifespan(app: Litestar) -> AsyncIterator[None]:
    period = float(os.environ.get("LOADSTAR_SYSTEM_ALERT_PERIOD_S", "30"))
    task = asyncio.create_task(_every(app.state, period)) if period > 0 else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
