"""Helpers the feature-store tests share: groups with unique names, a burst worker."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

FS = "/api/v2/feature-store"
ROOT = Path(__file__).resolve().parents[3]


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
    """The real feature-store worker (`arq ... --burst`, a process of its own as in
    production) until its queue is empty."""
    proc = await asyncio.create_subprocess_exec(
        str(ROOT / ".venv" / "bin" / "arq"),
        "control_plane.feature_store.worker.WorkerSettings",
        "--burst",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, out.decode(errors="replace")[-3000:]


def feature_store_app(settings: Any) -> Any:
    """The control plane's auth and feature-store/device routes on the real PostgreSQL and
    Redis, without the S3 and Triton the full app needs at start (these slices use
    neither), so these tests can run beside a stack that is busy elsewhere."""
    from contextlib import asynccontextmanager

    from litestar import Litestar
    from piccolo.engine import engine_finder

    from control_plane.adapters.object_store import ObjectStore
    from control_plane.auth.controller import AuthController
    from control_plane.auth.security import build_jwt_auth
    from control_plane.auth.service import ensure_admin
    from control_plane.auth.sessions import auth_lifespan
    from control_plane.deps import DEPENDENCIES
    from control_plane.errors import EXCEPTION_HANDLERS
    from control_plane.feature_store.controller import FeatureStoreController
    from control_plane.migrations import run_migrations
    from control_plane.streams.controller import stream_routes

    jwt_auth = build_jwt_auth(settings.jwt_secret, settings.jwt_ttl_seconds)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = engine_finder()
        assert engine is not None
        await engine.start_connection_pool()  # type: ignore[no-untyped-call]
        try:
            await run_migrations()
            await ensure_admin(settings.admin_username, settings.admin_password)
            yield
        finally:
            fs = app.state.get("feature_store")
            if fs is not None:
                if fs.queue is not None:
                    await fs.queue.close()
                await fs.online.close()
            await engine.close_connection_pool()  # type: ignore[no-untyped-call]

    app = Litestar(
        route_handlers=[AuthController, FeatureStoreController, *stream_routes],
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        on_app_init=[jwt_auth.on_app_init],
        lifespan=[lifespan, auth_lifespan],
    )
    app.state.settings = settings
    app.state.jwt_auth = jwt_auth
    app.state.store = ObjectStore.from_settings(settings)  # dataset ingest only; lazy
    return app
