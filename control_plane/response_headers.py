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
from litestar.types import ASGIApp, Message, Receive, Scope, Send

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


def response_headers(app: ASGIApp) -> ASGIApp:
    """Middleware: security headers on every HTTP answer, a full `Allow` on OPTIONS."""
    allow_by_path: dict[str, str] | None = None

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal allow_by_path
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        path = scope["path"]
        policy = SCHEMA_POLICY if path.startswith("/schema") else CONSOLE_POLICY
        allow: str | None = None
        if scope["method"] == "OPTIONS":
            if allow_by_path is None:
                allow_by_path = _methods_by_path(scope.get("app"))
            allow = allow_by_path.get(_template(scope.get("path_template", "")))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not (allow and k.lower() == b"allow")
                ]
                headers += [*_COMMON, (b"content-security-policy", policy.encode())]
                if allow:
                    headers.append((b"allow", allow.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware
