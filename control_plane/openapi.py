"""The control plane's OpenAPI document, built from the code as `/schema/openapi.json`
serves it, and the copy the console's API types are generated from.

    python -m control_plane.openapi   # rewrite web/openapi.json (`make schemas` does this)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from litestar.serialization import encode_json

from control_plane.app import create_app
from control_plane.settings import Settings
from schemas.documents import SavedDocument

SAVED = Path(__file__).resolve().parents[1] / "web" / "openapi.json"


def document() -> dict[str, Any]:
    """The document the app serves (the settings do not change it)."""
    schema = create_app(Settings(mode="development")).openapi_schema.to_schema()
    return json.loads(encode_json(schema))  # type: ignore[no-any-return]


DOCUMENT = SavedDocument(SAVED, document)
render = DOCUMENT.render

if __name__ == "__main__":
    sys.exit(DOCUMENT.main())
