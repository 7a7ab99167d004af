"""Users, password hashing (argon2) and the administration of users."""

from __future__ import annotations

import re
from typing import Any, Literal

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError

from control_plane.auth.tables import AppUser
from control_plane.struct_rows import from_row
from schemas.base import Wire
from schemas.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized

Role = Literal["admin", "engineer", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "engineer", "viewer")
MIN_PASSWORD = 8
_hasher = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AuthUser(msgspec.Struct, frozen=True):
    """The signed-in user as carried by the JWT (no database read per request)."""

    id: int
    username: str
    role: Role

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "engineer")


class LoginRequest(Wire):
    """`{username, password}` or `{email, password}` (seed 004)."""

    password: str
    username: str | None = None
    email: str | None = None


class UserOut(Wire):
    id: int
    username: str
    role: Role
    email: str | None = None
    disabled: bool = False


class LoginResponse(Wire):
    accessToken: str
    token: str  # the same JWT, under the name seed 004 gives it
    tokenType: str
    expiresIn: int
    user: UserOut


class CreateUser(Wire):
    username: str
    password: str
    role: Role = "viewer"
    email: str | None = None


class UserPatch(Wire):
    """What an admin may change; every change ends the user's current sessions."""

    role: Role | None = None
    email: str | None = None
    disabled: bool | None = None


class PasswordReset(Wire):
    password: str


class PasswordChange(Wire):
    currentPassword: str
    newPassword: str


def _check_password_rules(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"the password needs at least {MIN_PASSWORD} characters", {"field": field}
        )


async def _check_email(email: str | None, user_id: int | None = None) -> str | None:
    if email is None or email == "":
        return None
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput(f"{email!r} is not an email address", {"field": "email"})
    query = AppUser.exists().where(AppUser.email == email)
    if user_id is not None:
        query = query.where(AppUser.id != user_id)
    if await query:
        raise Conflict(f"another user has the email {email}", {"email": email})
    return email


def _out(row: dict[str, Any]) -> UserOut:
    return from_row(UserOut, row)


async def create_user(
    username: str, password: str, role: Role, email: str | None = None
) -> UserOut:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", {"field": "role", "allowed": list(ROLES)})
    if not username.strip():
        raise InvalidInput("the username is empty", {"field": "username"})
    _check_password_rules(password)
    if await AppUser.exists().where(AppUser.username == username):
        raise Conflict(f"user {username!r} exists", {"username": username})
    row = AppUser(
        username=username,
        password_hash=_hasher.hash(password),
        role=role,
        email=await _check_email(email),
    )
    await row.save()
    return await get_user(row.id)


async def ensure_admin(username: str, password: str) -> bool:
    """Create the first admin if no user has that name; True when one was created."""
    if await AppUser.exists().where(AppUser.username == username):
        return False
    await create_user(username, password, "admin")
    return True


def login_name(data: LoginRequest) -> str:
    name = data.username or data.email
    if not name:
        raise InvalidInput("give a username or an email, and a password", {"field": "username"})
    return name


async def check_password(name: str, password: str) -> UserOut:
    """The user whose username or email is `name`, if the password is theirs."""
    column = AppUser.email if "@" in name else AppUser.username
    row = await AppUser.objects().where(column == (name.lower() if "@" in name else name)).first()
    if row is None:
        _hasher.hash(password)  # same cost whether or not the user exists
        raise Unauthorized("wrong username or password")
    try:
        _hasher.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError) as exc:
        raise Unauthorized("wrong username or password") from exc
    if row.disabled:
        raise Unauthorized("this account is disabled; ask an administrator", {"disabled": True})
    return await get_user(row.id)


async def get_user(user_id: int) -> UserOut:
    row = await AppUser.select().where(AppUser.id == user_id).first()
    if row is None:
        raise NotFound(f"no user {user_id}", {"userId": user_id})
    return _out(row)


async def user_exists(username: str) -> bool:
    return await AppUser.exists().where(AppUser.username == username)  # type: ignore[no-any-return]


async def list_users() -> list[UserOut]:
    return [_out(r) for r in await AppUser.select().order_by(AppUser.id)]


async def _active_admins(excluding: int) -> int:
    return int(
        await AppUser.count().where(
            AppUser.role == "admin", AppUser.disabled.eq(False), AppUser.id != excluding
        )
    )


async def update_user(user_id: int, patch: UserPatch, acting: AuthUser) -> UserOut:
    user = await get_user(user_id)
    demoted = patch.role is not None and patch.role != "admin"
    if user.role == "admin" and (demoted or patch.disabled) and not await _active_admins(user_id):
        raise Conflict("the last active admin cannot be demoted or disabled", {"userId": user_id})
    if user_id == acting.id and patch.disabled:
        raise Forbidden("you cannot disable yourself", {"userId": user_id})
    values: dict[Any, Any] = {}
    if patch.role is not None:
        values[AppUser.role] = patch.role
    if patch.disabled is not None:
        values[AppUser.disabled] = patch.disabled
    if patch.email is not None:
        values[AppUser.email] = await _check_email(patch.email, user_id)
    if values:
        await AppUser.update(values).where(AppUser.id == user_id)
    return await get_user(user_id)


async def set_password(user_id: int, password: str) -> None:
    await get_user(user_id)
    _check_password_rules(password)
    await AppUser.update({AppUser.password_hash: _hasher.hash(password)}).where(
        AppUser.id == user_id
    )


async def change_own_password(user: AuthUser, change: PasswordChange) -> None:
    try:
        await check_password(user.username, change.currentPassword)
    except Unauthorized as exc:
        raise InvalidInput("the current password is wrong", {"field": "currentPassword"}) from exc
    _check_password_rules(change.newPassword, "newPassword")
    await set_password(user.id, change.newPassword)
