"""The web console, served from `web/dist`.

Hashed files under `/assets/` are cached for a year (their names change with their
content); every other path that is not the API answers with `index.html`, uncached, so
the console's own router handles deep links such as `/deployments/<id>` on reload.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from litestar import Router, get
from litestar.response import File

from control_plane.auth.security import PUBLIC_OPT
from schemas.errors import NotFound

ASSET_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"
# First path segments that belong to the services, never to the console.
NOT_CONSOLE = frozenset({"api", "ws", "schema", "healthz", "readyz", "metrics", "assets"})


def _media_type(path: Path) -> str:
    if path.suffix in (".js", ".mjs"):
        return "text/javascript"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _inside(root: Path, relative: str) -> Path | None:
    """`root / relative` when it is a file inside `root` (no `..` escapes), else None."""
    path = (root / relative.lstrip("/")).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def console_router(static_dir: Path) -> Router:
    """Routes for the built console in `static_dir` (which holds `index.html`)."""
    root = static_dir.resolve()
    assets = root / "assets"

    @get("/assets/{name:path}", opt=PUBLIC_OPT, include_in_schema=False, sync_to_thread=False)
    def asset(name: str) -> File:
        path = _inside(assets, name)
        if path is None:
            raise NotFound("no such console asset", {"path": f"/assets{name}"})
        return File(
            path,
            media_type=_media_type(path),
            content_disposition_type="inline",
            headers={"Cache-Control": ASSET_CACHE},
        )

    @get(["/", "/{path:path}"], opt=PUBLIC_OPT, include_in_schema=False, sync_to_thread=False)
    def page(path: str = "/") -> File:
        first = path.strip("/").split("/", 1)[0]
        if first in NOT_CONSOLE:
            raise NotFound(f"no route for {path}", {"path": path})
        # Real files at the top of dist (an icon, robots.txt) are served as they are.
        found = _inside(root, path) if first else None
        target = found or root / "index.html"
        if not target.is_file():  # mounted before a build: works once `make web` ran
            raise NotFound("the console is not built; run `make web`", {"path": str(root)})
        return File(
            target,
            media_type=_media_type(target),
            content_disposition_type="inline",
            headers={"Cache-Control": PAGE_CACHE},
        )

    return Router(path="/", route_handlers=[asset, page])
