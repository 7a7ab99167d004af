"""`/api/auth`: log in, who am I, users (admin)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import Body

from control_plane.auth import service
from control_plane.auth.security import admin_guard, current_user, issue_token
from control_plane.auth.service import CreateUser, LoginRequest, LoginResponse, UserOut


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", status_code=200, summary="Log in; returns a JWT")
    async def login(
        self, request: Request[Any, Any, Any], data: LoginRequest = Body()
    ) -> LoginResponse:
        user = await service.check_password(data.username, data.password)
        jwt_auth = request.app.state.jwt_auth
        return LoginResponse(
            accessToken=issue_token(jwt_auth, user),
            tokenType="Bearer",
            expiresIn=int(jwt_auth.default_token_expiration.total_seconds()),
            user=user,
        )

    @get("/me", summary="The signed-in user")
    async def me(self, request: Request[Any, Any, Any]) -> UserOut:
        user = current_user(request)
        return UserOut(id=user.id, username=user.username, role=user.role)

    @get("/users", guards=[admin_guard], summary="List users (admin)")
    async def users(self) -> list[UserOut]:
        return await service.list_users()

    @post("/users", guards=[admin_guard], summary="Create a user (admin)")
    async def create(self, data: CreateUser = Body()) -> UserOut:
        return await service.create_user(data.username, data.password, data.role)
