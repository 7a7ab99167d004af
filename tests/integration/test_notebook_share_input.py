"""Bad share requests are 400 or 404 in the standard shape and share nothing; the fuzzer
found a 500 on this route."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
NB = "/api/v2/notebooks"


@pytest.mark.parametrize(
    "body",
    [
        {"user": {}, "role": "admin"},
        {"user": {}},
        {"role": "admin", "user": None, "permission": "x"},
        {"user": "nobody-\u0000", "permission": "read"},
        {"user": "a" * 5000},
        {},
        [],
    ],
)
async def test_a_bad_share_body_is_a_standard_400(cp_client, admin_headers, body) -> None:
    nb = await cp_client.post(NB, json={"name": "share probe"}, headers=admin_headers)
    assert nb.status_code == 201, nb.text
    path = f"{NB}/{nb.json()['id']}"
    resp = await cp_client.post(f"{path}/share", json=body, headers=admin_headers)
    assert resp.status_code == 400, resp.text
    assert set(resp.json()) == {"code", "message", "details"}
    assert (await cp_client.get(f"{path}/shares", headers=admin_headers)).json() == []


@pytest.mark.parametrize("notebook_id", ["x" * 3000, "%00", "nb-%00x"])
async def test_a_share_on_an_odd_id_is_not_found(cp_client, admin_headers, notebook_id) -> None:
    resp = await cp_client.post(
        f"{NB}/{notebook_id}/share", json={"role": "viewer"}, headers=admin_headers
    )
    assert resp.status_code in (400, 404), resp.text


async def test_a_share_id_past_the_integer_range_is_a_400(cp_client, admin_headers) -> None:
    nb = await cp_client.post(NB, json={"name": "share probe"}, headers=admin_headers)
    assert nb.status_code == 201, nb.text
    gone = await cp_client.delete(
        f"{NB}/{nb.json()['id']}/shares/195647542651438848", headers=admin_headers
    )
    assert gone.status_code == 400, gone.text
    assert gone.json()["code"] == "INVALID_INPUT" and "range" in gone.json()["message"]
