"""Evaluate the system alert rules every `LOADSTAR_SYSTEM_ALERT_PERIOD_S` seconds (30)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from litestar import Litestar
from litestar.datastructures import State

from control_plane.background import every, stop
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


@asynccontextmanager
async def system_alerts_lifespan(app: Litestar) -> AsyncIterator[None]:
    period = float(os.environ.get("LOADSTAR_SYSTEM_ALERT_PERIOD_S", "30"))
    tasks = []
    if period > 0:
        step = partial(evaluate_now, app.state)
        tasks.append(asyncio.create_task(every(period, step, log, "system alert evaluation")))
    try:
        yield
    finally:
        await stop(tasks)
