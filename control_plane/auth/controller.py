"""`/api/auth`: log in and out, who am I, my password, users (admin)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.params import Body, Parameter
from litestar.security.jwt import Token

from control_plane.auth import service
from control_plane.auth.security import admin_guard, current_user, issue_token
from control_plane.auth.service import (
    AuthUser,
    CreateUser,
    LoginRequest,
    LoginResponse,
    PasswordChange,
    PasswordReset,
    UserOut,
    UserPatch,
)
from control_plane.auth.sessions import SessionStore


def _sessions(request: Request[Any, Any, Any]) -> SessionStore:
    return request.app.state.sessions  # type: ignore[no-any-return]


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post(
        "/login",
        status_code=200,
        summary="Log in with {username, password} or {email, password}; returns a JWT",
    )
    async def login(
        self, request: Request[Any, Any, Any], data: LoginRequest = Body()
    ) -> LoginResponse:
        name = service.login_name(data)
        address = request.client.host if request.client else "-"
        sessions = _sessions(request)
        await sessions.check_locked(name, address)
        try:
            user = await service.check_password(name, data.password)
        except Exception:
            await sessions.failed(name, address)
            raise
        await sessions.succeeded(name)
        jwt_auth = request.app.state.jwt_auth
        token = issue_token(jwt_auth, user, await sessions.generation(user.id))
        return LoginResponse(
            accessToken=token,
            token=token,
            tokenType="Bearer",
            expiresIn=int(jwt_auth.default_token_expiration.total_seconds()),
            user=user,
        )

    @post("/logout", status_code=204, summary="Log out: the token stops working at once")
    async def logout(self, request: Request[Any, Any, Any]) -> None:
        token: Token = request.auth
        if isinstance(token.jti, str):
            await _sessions(request).revoke(token.jti, token.exp)

    @get("/me", summary="The signed-in user")
    async def me(self, request: Request[Any, Any, Any]) -> UserOut:
        return await service.get_user(current_user(request).id)

    @post("/password", status_code=204, summary="Change my password (ends my other sessions)")
    async def change_password(
        self, request: Request[Any, Any, Any], user: AuthUser, data: PasswordChange = Body()
    ) -> None:
        await service.change_own_password(user, data)
        await _sessions(request).end_sessions(user.id)

    @get("/users", guards=[admin_guard], summary="List users (admin)")
    async def users(self) -> list[UserOut]:
        return await service.list_users()

    @post("/users", guards=[admin_guard], summary="Create a user (admin)")
    async def create(self, data: CreateUser = Body()) -> UserOut:
        return await service.create_user(data.username, data.password, data.role, data.email)

    @patch(
        "/users/{user_id:int}",
        guards=[admin_guard],
        summary="Change a user's role, email or disabled flag (admin); ends their sessions",
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        user: AuthUser,
        user_id: int = Parameter(),
        data: UserPatch = Body(),
    ) -> UserOut:
        out = await service.update_user(user_id, data, user)
        await _sessions(request).end_sessions(user_id)
        return out

    @post(
        "/users/{user_id:int}/password",
        guards=[admin_guard],
        status_code=204,
        summary="Reset a user's password (admin); ends their sessions and unlocks them",
    )
    async def reset_password(
        self,
        request: Request[Any, Any, Any],
        user_id: int = Parameter(),
        data: PasswordReset = Body(),
    ) -> None:
        await service.set_password(user_id, data.password)
        sessions = _sessions(request)
        await sessions.end_sessions(user_id)
        await sessions.unlock((await service.get_user(user_id)).username)
