"""Users, password hashing (argon2) and JWT issuance."""

from __future__ import annotations

from typing import Literal

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError

from control_plane.auth.tables import AppUser
from schemas.base import Wire
from schemas.errors import Conflict, InvalidInput, Unauthorized

Role = Literal["admin", "engineer", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "engineer", "viewer")
_hasher = PasswordHasher()


class AuthUser(msgspec.Struct, frozen=True):
    """The signed-in user as carried by the JWT (no database read per request)."""

    id: int
    username: str
    role: Role

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "engineer")


class LoginRequest(Wire):
    username: str
    password: str


class LoginResponse(Wire):
    accessToken: str
    tokenType: str
    expiresIn: int
    user: UserOut


class UserOut(Wire):
    id: int
    username: str
    role: Role


class CreateUser(Wire):
    username: str
    password: str
    role: Role = "viewer"


async def create_user(username: str, password: str, role: Role) -> UserOut:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", {"field": "role", "allowed": list(ROLES)})
    if len(password) < 8:
        raise InvalidInput("password must have at least 8 characters", {"field": "password"})
    if await AppUser.exists().where(AppUser.username == username):
        raise Conflict(f"user {username!r} exists", {"username": username})
    row = AppUser(username=username, password_hash=_hasher.hash(password), role=role)
    await row.save()
    return UserOut(id=row.id, username=username, role=role)


async def ensure_admin(username: str, password: str) -> bool:
    """Create the first admin if no user has that name; True when one was created."""
    if await AppUser.exists().where(AppUser.username == username):
        return False
    await create_user(username, password, "admin")
    return True


async def check_password(username: str, password: str) -> UserOut:
    row = await AppUser.objects().where(AppUser.username == username).first()
    if row is None:
        _hasher.hash(password)  # same cost whether or not the user exists
        raise Unauthorized("wrong username or password")
    try:
        _hasher.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError) as exc:
        raise Unauthorized("wrong username or password") from exc
    return UserOut(id=row.id, username=row.username, role=row.role)  # type: ignore[arg-type]


async def list_users() -> list[UserOut]:
    rows = await AppUser.select(AppUser.id, AppUser.username, AppUser.role).order_by(AppUser.id)
    return [UserOut(id=r["id"], username=r["username"], role=r["role"]) for r in rows]
