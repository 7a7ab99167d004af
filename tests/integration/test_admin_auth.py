"""The administrator's desk on the real Postgres and Redis: logout that revokes, sockets
that authenticate without the token in the URL, throttled logins, users admin."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def new_user(client: Any, admin: dict[str, str], role: str = "viewer", **extra: Any) -> str:
    name = f"u-{uuid.uuid4().hex[:8]}"
    resp = await client.post(
        "/api/auth/users",
        json={"username": name, "password": "first-pass-1", "role": role, **extra},
        headers=admin,
    )
    assert resp.status_code == 201, resp.text
    return name


async def login(client: Any, password: str = "first-pass-1", **who: str) -> Any:
    return await client.post("/api/auth/login", json={**who, "password": password})


def bearer(resp: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {resp.json()['token']}"}


async def test_logout_revokes_the_token_on_http_and_websocket(cp_client, admin_headers) -> None:
    name = await new_user(cp_client, admin_headers)
    session = await login(cp_client, username=name)
    headers = bearer(session)
    token = session.json()["token"]
    assert (await cp_client.get("/api/auth/me", headers=headers)).status_code == 200

    ws = await cp_client.websocket_connect("/ws/system")  # the token in the first message
    with ws:
        ws.send_json({"type": "auth", "token": token})
        assert ws.receive_json(timeout=10)["type"] == "system_stats"

    assert (await cp_client.post("/api/auth/logout", headers=headers)).status_code == 204
    refused = await cp_client.get("/api/auth/me", headers=headers)
    assert refused.status_code == 401 and refused.json()["code"] == "UNAUTHORIZED"
    ws = await cp_client.websocket_connect("/ws/system")
    with ws:
        ws.send_json({"type": "auth", "token": token})
        error = ws.receive_json(timeout=10, mode="binary")
        assert error["code"] == "UNAUTHORIZED" and "revoked" in error["message"]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive(timeout=10)
    assert closed.value.code == 4401
    # another session of the same user goes on
    again = await login(cp_client, username=name)
    assert (await cp_client.get("/api/auth/me", headers=bearer(again))).status_code == 200


async def test_the_sixth_wrong_password_in_a_minute_is_slowed_then_locked(
    cp_client, admin_headers
) -> None:
    name = await new_user(cp_client, admin_headers)
    took = []
    for _ in range(6):
        started = time.monotonic()
        resp = await login(cp_client, "wrong-pass-0", username=name)
        took.append(time.monotonic() - started)
        assert resp.status_code == 401 and resp.json()["code"] == "UNAUTHORIZED"
    assert took[5] >= 1.0 and took[5] > max(took[:5]) + 0.5, took
    for _ in range(4):  # 7th..10th: slowed more, and the 10th locks the account
        await login(cp_client, "wrong-pass-0", username=name)
    locked = await login(cp_client, username=name)  # even the right password, for a while
    assert locked.status_code == 401 and "too many failed sign-ins" in locked.json()["message"]
    assert locked.json()["details"]["retryAfter"] > 0
    # an admin's password reset unlocks
    users = (await cp_client.get("/api/auth/users", headers=admin_headers)).json()
    user_id = next(u["id"] for u in users if u["username"] == name)
    reset = await cp_client.post(
        f"/api/auth/users/{user_id}/password",
        json={"password": "second-pass-2"},
        headers=admin_headers,
    )
    assert reset.status_code == 204
    assert (await login(cp_client, "second-pass-2", username=name)).status_code == 200


async def test_users_admin_roles_disable_email_and_own_password(cp_client, admin_headers) -> None:
    email = f"{uuid.uuid4().hex[:8]}@plant.example"
    name = await new_user(cp_client, admin_headers, email=email.upper())
    by_email = await login(cp_client, email=email)
    assert by_email.status_code == 200, by_email.text
    body = by_email.json()
    assert body["user"]["username"] == name and body["user"]["email"] == email
    assert body["token"] == body["accessToken"] and body["user"]["role"] == "viewer"
    old = bearer(by_email)
    user_id = body["user"]["id"]

    promoted = await cp_client.patch(
        f"/api/auth/users/{user_id}", json={"role": "engineer"}, headers=admin_headers
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "engineer"
    assert (await cp_client.get("/api/auth/me", headers=old)).status_code == 401  # re-login
    fresh = bearer(await login(cp_client, username=name))
    assert (await cp_client.get("/api/auth/me", headers=fresh)).json()["role"] == "engineer"

    wrong = await cp_client.post(
        "/api/auth/password",
        json={"currentPassword": "nope-nope", "newPassword": "third-pass-3"},
        headers=fresh,
    )
    assert wrong.status_code == 400 and wrong.json()["details"]["field"] == "currentPassword"
    short = await cp_client.post(
        "/api/auth/password",
        json={"currentPassword": "first-pass-1", "newPassword": "short"},
        headers=fresh,
    )
    assert short.status_code == 400 and "8 characters" in short.json()["message"]
    changed = await cp_client.post(
        "/api/auth/password",
        json={"currentPassword": "first-pass-1", "newPassword": "third-pass-3"},
        headers=fresh,
    )
    assert changed.status_code == 204
    assert (await login(cp_client, username=name)).status_code == 401
    assert (await login(cp_client, "third-pass-3", username=name)).status_code == 200

    disabled = await cp_client.patch(
        f"/api/auth/users/{user_id}", json={"disabled": True}, headers=admin_headers
    )
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    refused = await login(cp_client, "third-pass-3", username=name)
    assert refused.status_code == 401 and "disabled" in refused.json()["message"]

    dup = await cp_client.post(
        "/api/auth/users",
        json={"username": f"x-{name}", "password": "first-pass-1", "email": email},
        headers=admin_headers,
    )
    assert dup.status_code == 409
    bad = await cp_client.patch(
        f"/api/auth/users/{user_id}", json={"email": "not-an-email"}, headers=admin_headers
    )
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "email"
    me = (await cp_client.get("/api/auth/me", headers=admin_headers)).json()
    self_disable = await cp_client.patch(
        f"/api/auth/users/{me['id']}", json={"disabled": True}, headers=admin_headers
    )
    assert self_disable.status_code in (403, 409)
