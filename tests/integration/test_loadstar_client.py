"""The `loadstar` client against a real control plane process: sign in, datasets as polars
frames, explore, a feature plan, runs tracked from a notebook, the standard errors."""

from __future__ import annotations

import anyio.to_thread
import polars as pl
import pytest
from loadstar import Client, LoadstarError

from tests.integration.lineage_support import upload_dataset
from tests.integration.notebook_support import NotebookServer, create, notebook_server

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
__all__ = ["notebook_server"]


async def test_the_client_reads_explores_plans_and_tracks(
    notebook_server: NotebookServer, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    s = notebook_server
    dataset = await upload_dataset(s.client, s.admin, 300)
    nb = await create(s.client, s.admin, "1")
    artifact = tmp_path / "note.txt"
    artifact.write_text("lags 1 and 24 help")

    def use_the_client() -> dict[str, object]:
        with Client.login(s.url, "admin", "loadstar-admin") as ls:
            assert ls.me()["username"] == "admin"
            assert dataset["id"] in [d["id"] for d in ls.datasets()]
            frame = ls.read_dataset(dataset["id"])
            assert frame.height == dataset["rows"] and frame.schema["timestamp"] == pl.Datetime(
                "us", "UTC"
            )
            assert frame["OT"].dtype == pl.Float64
            assert ls.read_dataset(dataset["id"], limit=10).height == 10
            assert ls.explore(dataset["id"])["datasetId"] == dataset["id"]
            plan = ls.create_plan(ls.auto_plan(dataset["id"], "OT"))
            assert (
                plan["id"].startswith("fp-") and ls.plan(plan["id"])["datasetId"] == dataset["id"]
            )
            with pytest.raises(LoadstarError) as missing:
                ls.dataset("ds-missing")
            assert missing.value.status == 404 and missing.value.code == "NOT_FOUND"
            with ls.start_run("sweep", {"lags": [1, 24]}, notebook_id=nb["id"]) as run:
                run.log_metric("mae", 3.5, step=1)
                run.log_metrics({"mae": 3.1, "coverage": 0.9}, step=2)
                run.log_artifact(artifact)
            return run.info()

    info = await anyio.to_thread.run_sync(use_the_client)
    assert info["status"] == "finished" and info["notebookId"] == nb["id"]
    assert info["notebookVersion"] == 1 and info["params"] == {"lags": [1, 24]}
    assert [(m["key"], m["value"], m["step"]) for m in info["metrics"]] == [  # type: ignore[index]
        ("mae", 3.5, 1),
        ("mae", 3.1, 2),
        ("coverage", 0.9, 2),
    ]
    assert info["artifacts"][0]["name"] == "note.txt"  # type: ignore[index]
    runs = (await s.client.get(f"/api/v2/notebooks/{nb['id']}/runs", headers=s.admin)).json()
    assert [r["id"] for r in runs] == [info["id"]]
