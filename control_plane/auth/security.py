"""JWT authentication for HTTP routes, a token check for WebSockets, and role guards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.security.jwt import JWTAuth, Token

from control_plane.auth.service import ROLES, AuthUser, UserOut
from schemas.errors import Forbidden, Unauthorized

# Paths that need no token: login, health, schema. WebSockets check `?token=` themselves,
# the gateway sync routes a shared secret; the static console is marked with `PUBLIC_OPT`.
PUBLIC_PATHS = [
    "^/api/auth/login$",
    "^/healthz$",
    "^/readyz$",
    "^/schema",
    "^/ws",
    "^/api/gateway/",
]
PUBLIC_OPT = {"exclude_from_auth": True}


def _user_from_token(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> AuthUser | None:
    role = token.extras.get("role")
    if role not in ROLES:
        return None
    return AuthUser(id=int(token.sub), username=str(token.extras.get("username", "")), role=role)


def build_jwt_auth(secret: str, ttl_seconds: int) -> JWTAuth[AuthUser, Token]:
    return JWTAuth[AuthUser, Token](
        retrieve_user_handler=_user_from_token,
        token_secret=secret,
        exclude=PUBLIC_PATHS,
        default_token_expiration=timedelta(seconds=ttl_seconds),
    )


def issue_token(auth: JWTAuth[AuthUser, Token], user: UserOut) -> str:
    return auth.create_token(
        identifier=str(user.id), token_extras={"role": user.role, "username": user.username}
    )


def authenticate_socket(auth: JWTAuth[AuthUser, Token], token: str | None) -> AuthUser:
    """Browsers cannot set headers on WebSockets: the JWT comes as `?token=`."""
    if not token:
        raise Unauthorized("missing token (pass ?token=<jwt>)")
    try:
        decoded = Token.decode(token, secret=auth.token_secret, algorithm=auth.algorithm)
    except Exception as exc:
        raise Unauthorized("invalid or expired token") from exc
    user = _user_from_token(decoded, None)  # type: ignore[arg-type]
    if user is None:
        raise Unauthorized("invalid token")
    return user


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
