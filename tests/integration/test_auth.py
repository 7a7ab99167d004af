"""Auth on the real Postgres: login, JWT, roles."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_login_returns_a_token_that_identifies_the_user(cp_client, admin_headers) -> None:
    resp = await cp_client.get("/api/auth/me", headers=admin_headers)
    assert resp.status_code == 200
    assert resp.json()["role"] == "admin"


async def test_wrong_password_is_401_in_the_standard_shape(cp_client) -> None:
    resp = await cp_client.post(
        "/api/auth/login", json={"username": "admin", "password": "nope-nope"}
    )
    assert resp.status_code == 401
    assert resp.json()["code"] == "UNAUTHORIZED"


async def test_missing_field_is_invalid_input(cp_client) -> None:
    resp = await cp_client.post("/api/auth/login", json={"username": "admin"})
    assert resp.status_code == 400
    body = resp.json()
    assert body["code"] == "INVALID_INPUT" and "password" in str(body["details"])


async def test_no_token_is_401(cp_client) -> None:
    resp = await cp_client.get("/api/auth/me")
    assert resp.status_code == 401 and resp.json()["code"] == "UNAUTHORIZED"


async def test_viewer_cannot_create_users(cp_client, viewer_headers) -> None:
    resp = await cp_client.post(
        "/api/auth/users",
        json={"username": "x-user", "password": "12345678"},
        headers=viewer_headers,
    )
    assert resp.status_code == 403 and resp.json()["code"] == "FORBIDDEN"
