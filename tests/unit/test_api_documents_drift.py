"""The committed API documents match the code: the control plane's OpenAPI document, the
console's types generated from it, and the edge gateway's OpenAPI document.

`make schemas` rewrites all three."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
FIX = "run: make schemas"


def test_control_plane_openapi_document_matches_the_code() -> None:
    from control_plane.openapi import SAVED, render

    assert SAVED.read_text(encoding="utf-8") == render(), FIX


def test_the_document_is_the_same_every_time_an_app_is_built() -> None:
    """Nothing random in it (a generated example was, and the committed copy then differed
    from the document of any app built after the first in a process)."""
    from control_plane.openapi import render

    assert render() == render()


def test_console_api_types_match_the_openapi_document(tmp_path: Path) -> None:
    """openapi-typescript over the committed document (which the test above holds to the
    code) gives the committed `schema.d.ts`, byte for byte."""
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules" / "openapi-typescript").is_dir():
        pytest.skip("the console's packages are not installed (make web installs them)")
    out = tmp_path / "schema.d.ts"
    result = subprocess.run(
        [node, str(WEB / "scripts" / "gen-api.mjs"), "--saved", "--out", str(out)],
        cwd=WEB, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    committed = (WEB / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") == committed, FIX


def test_the_console_types_know_the_standard_error_body() -> None:
    types = (WEB / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8")
    assert "ErrorBody: {" in types
    assert 'components["schemas"]["ErrorBody"]' in types


def test_gateway_openapi_document_matches_the_code() -> None:
    from edge_gateway.openapi import SAVED, render

    assert SAVED.read_text(encoding="utf-8") == render(), FIX


def test_gateway_document_describes_every_http_route() -> None:
    from edge_gateway.app import create_app
    from edge_gateway.inference_routes import ASSET_DETECT, ASSET_PREDICT, PREDICT
    from edge_gateway.openapi import OPENAPI_PATH, document
    from edge_gateway.settings import GatewaySettings

    served = {route.path for route in create_app(GatewaySettings(mode="development")).routes}
    # the assets mount serves the two asset routes; OpenAPI has no WebSocket operations
    served = served - {"/api/v1/assets", "/ws/predict", OPENAPI_PATH}
    assert set(document()["paths"]) == served | {ASSET_PREDICT, ASSET_DETECT}
    assert PREDICT in served
    for path, item in document()["paths"].items():
        for operation in item.values():
            responses = operation["responses"]
            assert "200" in responses, path
            if path.startswith("/api/"):  # every inference route answers the standard error
                assert all(
                    r["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
                    for status, r in responses.items()
                    if status != "200"
                ), path
