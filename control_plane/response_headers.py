"""Headers every control-plane answer carries: the browser's security policy for the
console, and an `Allow` on OPTIONS that lists every method of the path.

Litestar builds one OPTIONS answer per controller that declares a path, so a path served
by two handlers' registrations answered with only the first one's methods; the methods
are read here from the app's merged routes instead.
"""

from __future__ import annotations

import re

from litestar.enums import ScopeType
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope

# The console is served by this app: scripts, styles and data from here only, no framing
# (clickjacking), no plugins. Charts draw on canvas; React sets inline styles.
CONSOLE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# The API browsers at /schema load their scripts from a CDN: only framing is refused there.
SCHEMA_POLICY = "frame-ancestors 'none'"

_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


_TYPED_PARAMETER = re.compile(r"\{(\w+):[^}]*\}")


def _template(path: str) -> str:
    """`/a/{id:str}` and `/a/{id}` name the same path."""
    return _TYPED_PARAMETER.sub(r"{\1}", path)


def _methods_by_path(app: object) -> dict[str, str]:
    routes = getattr(app, "routes", [])
    return {
        _template(r.path): ", ".join(sorted(r.methods)) for r in routes if isinstance(r, HTTPRoute)
    }


class ResponseHeaders:
    """A `before_send` hook, so that every answer gets them, the router's own 404 and 405
    included (middleware runs only on a matched route)."""

    def __init__(self) -> None:
        self._allow_by_path: dict[str, str] | None = None

    def _allow(self, scope: Scope) -> str | None:
        if scope.get("method") != "OPTIONS":
            return None
        if self._allow_by_path is None:
            self._allow_by_path = _methods_by_path(scope.get("app"))
        return self._allow_by_path.get(_template(scope.get("path_template", "")))

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
            return
        policy = SCHEMA_POLICY if scope["path"].startswith("/schema") else CONSOLE_POLICY
        allow = self._allow(scope)
        headers = [
            (k, v) for k, v in message.get("headers", []) if not (allow and k.lower() == b"allow")
        ]
        headers += [*_COMMON, (b"content-security-policy", policy.encode())]
        if allow:
            headers.append((b"allow", allow.encode()))
        message["headers"] = headers  # type: ignore[typeddict-unknown-key]
