"""Liveness and readiness of the control plane."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from piccolo.engine import engine_finder

from control_plane.adapters.object_store import ObjectStore


@get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", include_in_schema=False)
async def readyz(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    checks: dict[str, str] = {}
    engine = engine_finder()
    try:
        assert engine is not None
        await engine.run_ddl("SELECT 1")
        checks["postgres"] = "ok"
    except Exception as exc:
        checks["postgres"] = f"error: {exc}"
    store: ObjectStore = request.app.state.store
    try:
        await store.ensure_bucket()
        checks["s3"] = "ok"
    except Exception as exc:
        checks["s3"] = f"error: {exc}"
    ready = all(v == "ok" for v in checks.values())
    return Response({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


health_routes = [healthz, readyz]
