"""The console's static serving: long-cached hashed assets, deep links answered by the SPA."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar import Litestar, get
from litestar.testing import TestClient

from control_plane.console import ASSET_CACHE, _inside, console_router
from control_plane.errors import EXCEPTION_HANDLERS


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "robots.txt").write_text("User-agent: *")
    (tmp_path.parent / "secret.txt").write_text("nope")
    return tmp_path


@pytest.fixture
def client(dist: Path) -> TestClient[Litestar]:
    @get("/api/ping", sync_to_thread=False)
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    app = Litestar([ping, console_router(dist)], exception_handlers=EXCEPTION_HANDLERS)  # type: ignore[arg-type]
    return TestClient(app)


def test_hashed_assets_are_cached_for_a_year(client: TestClient[Litestar]) -> None:
    resp = client.get("/assets/index-abc123.js")
    assert resp.status_code == 200
    assert resp.headers["cache-control"] == ASSET_CACHE
    assert "javascript" in resp.headers["content-type"]


def test_deep_links_get_the_console_uncached(client: TestClient[Litestar]) -> None:
    for path in ("/", "/login", "/deployments/abc", "/registry/load%20model"):
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert resp.headers["cache-control"] == "no-cache"
        assert "id=root" in resp.text
    assert client.get("/robots.txt").text == "User-agent: *"


def test_api_paths_and_missing_assets_keep_the_standard_error(client: TestClient[Litestar]) -> None:
    assert client.get("/api/ping").json() == {"pong": "yes"}
    for path in (
        "/api/nothing",
        "/assets/missing.js",
        "/assets/..%2F..%2Fsecret.txt",
        "/ws/nothing",
    ):
        resp = client.get(path)
        assert resp.status_code == 404, path
        assert resp.json()["code"] == "NOT_FOUND"


def test_no_file_outside_the_folder_is_reachable(dist: Path) -> None:
    assert _inside(dist.resolve(), "../secret.txt") is None
    assert _inside((dist / "assets").resolve(), "/../../secret.txt") is None
    assert _inside(dist.resolve(), "robots.txt") == (dist / "robots.txt").resolve()


def test_a_console_built_after_start_is_served_at_once(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    client = TestClient(
        Litestar([console_router(dist)], exception_handlers=EXCEPTION_HANDLERS)  # type: ignore[arg-type]
    )
    before = client.get("/deployments/abc")
    assert before.status_code == 404 and "make web" in before.json()["message"]
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root></div>")
    after = client.get("/deployments/abc")
    assert after.status_code == 200 and "id=root" in after.text
