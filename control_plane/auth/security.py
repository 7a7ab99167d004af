"""JWT authentication for HTTP routes, a token check for WebSockets, and role guards."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import anyio
from litestar import WebSocket
from litestar.connection import ASGIConnection
from litestar.exceptions import WebSocketDisconnect
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import JWTAuth, Token

from control_plane.auth.service import ROLES, AuthUser, UserOut
from control_plane.auth.sessions import SessionStore
from schemas.errors import Forbidden, Unauthorized

# Paths that need no token: login, health, schema. WebSockets authenticate their first
# message themselves, the gateway sync routes a shared secret; the static console is
# marked with `PUBLIC_OPT`.
PUBLIC_PATHS = [
    "^/api/auth/login$",
    "^/healthz$",
    "^/readyz$",
    "^/schema",
    "^/ws",
    "^/api/gateway/",
    "^/api/v1/training-jobs",  # a JWT or a deployment API key, checked by the route
]
PUBLIC_OPT = {"exclude_from_auth": True}
SOCKET_AUTH_TIMEOUT_S = 5.0


async def _user_from_token(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> AuthUser | None:
    role = token.extras.get("role")
    if role not in ROLES:
        return None
    user = AuthUser(id=int(token.sub), username=str(token.extras.get("username", "")), role=role)
    sessions: SessionStore = connection.app.state.sessions
    jti = token.jti if isinstance(token.jti, str) else None
    if not await sessions.valid(jti, user.id, int(token.extras.get("gen", 0))):
        return None  # signed out, or the user was changed or disabled since
    return user


def build_jwt_auth(secret: str, ttl_seconds: int) -> JWTAuth[AuthUser, Token]:
    return JWTAuth[AuthUser, Token](
        retrieve_user_handler=_user_from_token,
        token_secret=secret,
        exclude=PUBLIC_PATHS,
        default_token_expiration=timedelta(seconds=ttl_seconds),
    )


def issue_token(auth: JWTAuth[AuthUser, Token], user: UserOut, generation: int) -> str:
    return auth.create_token(
        identifier=str(user.id),
        token_unique_jwt_id=secrets.token_hex(16),
        token_extras={"role": user.role, "username": user.username, "gen": generation},
    )


def decode_token(auth: JWTAuth[AuthUser, Token], raw: str) -> Token:
    try:
        return Token.decode(raw, secret=auth.token_secret, algorithm=auth.algorithm)
    except Exception as exc:
        raise Unauthorized("invalid or expired token") from exc


async def _first_message_token(socket: WebSocket[Any, Any, Any]) -> str | None:
    try:
        with anyio.fail_after(SOCKET_AUTH_TIMEOUT_S):
            message = await socket.receive_json()
    except (TimeoutError, ValueError, WebSocketDisconnect):
        return None
    token = message.get("token") if isinstance(message, dict) else None
    return token if isinstance(token, str) and message.get("type") == "auth" else None


async def authenticate_socket(socket: WebSocket[Any, Any, Any]) -> AuthUser:
    """Browsers cannot set headers on WebSockets, and a token in the URL lands in proxy
    logs: the client sends `{"type": "auth", "token": "<jwt>"}` as its first message after
    the socket opens. (`?token=` is still read, for scripts that cannot do that.)"""
    raw = socket.query_params.get("token") or await _first_message_token(socket)
    if not raw:
        raise Unauthorized('send {"type": "auth", "token": "<jwt>"} first')
    user = await _user_from_token(decode_token(socket.app.state.jwt_auth, raw), socket)
    if user is None:
        raise Unauthorized("invalid, expired or revoked token")
    return user


async def bearer_user(connection: ASGIConnection[Any, Any, Any, Any], raw: str) -> AuthUser | None:
    """The user of a console JWT (None when `raw` is not a valid, live one)."""
    try:
        token = decode_token(connection.app.state.jwt_auth, raw)
    except Unauthorized:
        return None
    return await _user_from_token(token, connection)


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> AuthUser:
    user = connection.scope.get("user")
    if not isinstance(user, AuthUser):
        raise Unauthorized("authentication required")
    return user


def writer_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Admins and engineers write; viewers only read."""
    if not current_user(connection).can_write:
        raise Forbidden("viewers cannot change anything", {"role": "viewer"})


def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if current_user(connection).role != "admin":
        raise Forbidden("admins only")
