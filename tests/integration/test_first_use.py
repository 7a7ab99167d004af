"""What a first-time user meets: strict input (units through pint, lists element by element,
plain words), one version per stage, and imports read the way the file is written."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.lineage_support import (
    MODELS,
    make_model,
    plan_body,
    register,
    unique,
    upload_dataset,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]

EU = (
    "Zeit;Last [kW];Temp\n"
    + "".join(
        f"{d:02d}.01.2024 {h:02d}:00;{100 + h},{h % 4}5;{h % 7},5\n"
        for d in range(1, 4)
        for h in range(24)
    )
).encode()


async def test_a_unit_pint_does_not_know_is_refused_and_nothing_changes(
    cp_client, admin_headers
) -> None:
    ds = await upload_dataset(cp_client, admin_headers, 50, units={"OT": "degC"})
    url = f"/api/datasets/{ds['id']}"
    bad = await cp_client.patch(url, json={"units": {"OT": "bananas"}}, headers=admin_headers)
    assert bad.status_code == 400, bad.text
    body = bad.json()
    assert body["code"] == "INVALID_INPUT" and "unknown unit 'bananas'" in body["message"]
    assert body["details"]["field"] == "units.OT"
    after = (await cp_client.get(url, headers=admin_headers)).json()
    assert {c["name"]: c.get("unit") for c in after["columns"]}["OT"] == "degC"
    # case slips get a hint; a known unit is kept
    hint = await cp_client.patch(url, json={"units": {"OT": "KW"}}, headers=admin_headers)
    assert hint.status_code == 400 and hint.json()["details"].get("didYouMean") == "kW"
    good = await cp_client.patch(url, json={"units": {"HUFL": "kW"}}, headers=admin_headers)
    assert good.status_code == 200, good.text


async def test_an_upload_with_an_unknown_unit_stores_nothing(cp_client, admin_headers) -> None:
    name = unique("bananas")
    resp = await cp_client.post(
        "/api/datasets",
        files={"file": ("eu.csv", EU, "text/csv")},
        data={"name": name, "units": '{"Temp": "bananas"}'},
        headers=admin_headers,
    )
    assert resp.status_code == 400 and "bananas" in resp.json()["message"], resp.text
    listed = await cp_client.get("/api/datasets", params={"q": name}, headers=admin_headers)
    assert listed.json()["total"] == 0


async def test_a_bad_lag_is_refused_with_the_element_named(cp_client, admin_headers) -> None:
    ds = await upload_dataset(cp_client, admin_headers, 400)
    ops: list[dict[str, Any]] = [{"op": "lag", "input": "OT", "lags": [1, "two", -3]}]
    resp = await cp_client.post(
        "/api/features/plans", json=plan_body(ds["id"], ops=ops), headers=admin_headers
    )
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["code"] == "INVALID_INPUT"
    assert "lags[1]" in body["message"] and "whole number" in body["message"], body
    assert "Expected" not in body["message"]  # the technical text stays in the details
    ops = [{"op": "lag", "input": "OT", "lags": [1, -3]}]
    neg = await cp_client.post(
        "/api/features/plans", json=plan_body(ds["id"], ops=ops), headers=admin_headers
    )
    assert neg.status_code == 400 and "lags[1]" in neg.json()["message"], neg.text
    assert "at least 1" in neg.json()["message"]


async def test_promoting_keeps_one_version_per_stage(cp_client, admin_headers) -> None:
    name = await make_model(cp_client, admin_headers)
    for _ in range(3):
        assert (await register(cp_client, admin_headers, name)).status_code == 201
    url = f"{MODELS}/{name}/versions"

    async def stage(version: int, to: str, **extra: Any) -> list[tuple[int, str]]:
        resp = await cp_client.post(
            f"{url}/{version}/stage", json={"stage": to, **extra}, headers=admin_headers
        )
        assert resp.status_code == 200, resp.text
        return [(t["version"], t["toStage"]) for t in resp.json()["transitions"]]

    assert await stage(1, "Production") == [(1, "Production")]
    # no archiveExisting in the body: the previous Production version is archived anyway
    assert await stage(2, "Production") == [(1, "Archived"), (2, "Production")]
    assert await stage(3, "Staging") == [(3, "Staging")]
    # asked not to archive, the previous holder is demoted to None instead
    assert await stage(3, "Production", archiveExisting=False) == [(2, "None"), (3, "Production")]
    listed = await cp_client.get(
        url, params={"stage": "Production", "pageSize": 50}, headers=admin_headers
    )
    assert [v["version"] for v in listed.json()["items"]] == [3]
    history = (await cp_client.get(f"{MODELS}/{name}/stage-history", headers=admin_headers)).json()
    demoted = [h for h in history if h["version"] == 2 and h["toStage"] == "None"]
    assert demoted and demoted[0]["comment"].startswith("demoted: version 3")


async def test_the_import_preview_reads_semicolons_and_decimal_commas_and_stores_nothing(
    cp_client, admin_headers
) -> None:
    before = (await cp_client.get("/api/datasets", headers=admin_headers)).json()["total"]
    resp = await cp_client.post(
        "/api/datasets/inspect",
        files={"file": ("scada.csv", EU, "text/csv")},
        data={"timezone": "Europe/Berlin"},
        headers=admin_headers,
    )
    assert resp.status_code == 200, resp.text
    p = resp.json()
    assert (p["separator"], p["decimal"], p["timestampColumn"]) == (";", ",", "Zeit")
    assert p["timezone"] == "Europe/Berlin" and p["frequency"] == "1h" and p["totalRows"] == 72
    assert p["rows"][0]["timestamp"] == "2023-12-31T23:00:00Z"
    assert p["rows"][1]["Last"] == 101.15 and p["rows"][0]["Temp"] == 0.5
    assert {c["name"]: c.get("unit") for c in p["columns"]}["Last"] == "kW"
    after = (await cp_client.get("/api/datasets", headers=admin_headers)).json()["total"]
    assert after == before  # a preview stores nothing

    # the same options upload it; a wrong separator is refused with a hint
    wrong = await cp_client.post(
        "/api/datasets/inspect",
        files={"file": ("scada.csv", EU, "text/csv")},
        data={"separator": ","},
        headers=admin_headers,
    )
    assert wrong.status_code == 400 and "check the separator" in wrong.json()["message"]
    up = await cp_client.post(
        "/api/datasets",
        files={"file": ("scada.csv", EU, "text/csv")},
        data={"name": unique("scada"), "timezone": "Europe/Berlin", "units": '{"Temp": "degC"}'},
        headers=admin_headers,
    )
    assert up.status_code == 201, up.text
    out = up.json()
    assert out["rows"] == 72 and out["ingest"]["timezone"] == "Europe/Berlin"
    assert {c["name"]: c.get("unit") for c in out["columns"]} == {
        "timestamp": None,
        "Last": "kW",
        "Temp": "degC",
    }


async def test_a_conflict_names_the_records(cp_client, admin_headers) -> None:
    ds = await upload_dataset(cp_client, admin_headers, 400)
    plan = await cp_client.post(
        "/api/features/plans", json=plan_body(ds["id"]), headers=admin_headers
    )
    assert plan.status_code == 201, plan.text
    resp = await cp_client.delete(f"/api/datasets/{ds['id']}", headers=admin_headers)
    assert resp.status_code == 409
    assert plan.json()["id"] in resp.json()["message"], resp.json()
    assert "record(s)" not in resp.json()["message"]
