"""Helpers the feature-store tests share: groups with unique names, a burst worker."""

from __future__ import annotations

import uuid
from typing import Any

FS = "/api/v2/feature-store"


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


async def make_group(
    client: Any, headers: dict[str, str], source_type: str = "batch", **extra: Any
) -> dict[str, Any]:
    body = {
        "name": unique("line"),
        "description": "press line 1",
        "sourceType": source_type,
        "entity": "meter",
        "lookback": 8,
        "features": [
            {"name": "power", "dtype": "float64", "unit": "kW", "minValue": 0, "maxValue": 500},
            {"name": "temp", "dtype": "float64", "unit": "degC"},
            {"name": "running", "dtype": "bool"},
        ],
        **extra,
    }
    resp = await client.post(f"{FS}/groups", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


async def run_feature_worker() -> None:
    """The real materialization job in a burst-mode arq worker on the real Redis."""
    from arq.worker import Worker

    from control_plane.feature_store.worker import worker_settings

    settings = worker_settings()
    worker = Worker(
        functions=settings.functions,  # type: ignore[attr-defined]
        redis_settings=settings.redis_settings,  # type: ignore[attr-defined]
        queue_name=settings.queue_name,  # type: ignore[attr-defined]
        on_startup=settings.on_startup,  # type: ignore[attr-defined]
        on_shutdown=settings.on_shutdown,  # type: ignore[attr-defined]
        burst=True,
        poll_delay=0,
        handle_signals=False,
    )
    try:
        await worker.main()
    finally:
        await worker.close()
