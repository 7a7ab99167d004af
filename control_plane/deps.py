"""Dependencies shared by every slice: settings, the S3 store, the signed-in user."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import State
from litestar.di import Provide

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.security import current_user
from control_plane.auth.service import AuthUser
from control_plane.settings import Settings


def _settings(state: State) -> Settings:
    return state.settings  # type: ignore[no-any-return]


def _store(state: State) -> ObjectStore:
    return state.store  # type: ignore[no-any-return]


def _user(request: Any) -> AuthUser:
    return current_user(request)


DEPENDENCIES = {
    "settings": Provide(_settings, sync_to_thread=False),
    "store": Provide(_store, sync_to_thread=False),
    "user": Provide(_user, sync_to_thread=False),
}
