"""A deployment's API key as another slice sees a caller that sent one: the key's name and
the deployment and asset it belongs to.

The deployments slice owns the keys and answers the check (`KeyCheck`); the app puts that
answer into `app.state[STATE_KEY]` at assembly, so a slice that accepts API keys (seed
003's training route) never imports the deployments slice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request

STATE_KEY = "api_key_check"


class KeyCaller(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    deployment_id: str
    asset_id: str | None


# (secret, scope) -> the live key with that scope on an active deployment, or None
KeyCheck = Callable[[str, str], Awaitable[KeyCaller | None]]


async def check_key(request: Request[Any, Any, Any], secret: str, scope: str) -> KeyCaller | None:
    """The key with `secret`, if it is live and may `scope`, by the check the app wired in."""
    check: KeyCheck = request.app.state[STATE_KEY]
    return await check(secret, scope)
