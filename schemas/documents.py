"""How a committed document (an API description, a JSON Schema) is written: the same text
every time, so that a drift test can compare it with what the code says.

An app's OpenAPI module names its file and how to build the document:

    DOCUMENT = SavedDocument(Path(...), document)
    render = DOCUMENT.render
    if __name__ == "__main__":
        sys.exit(DOCUMENT.main())
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def document_text(document: Any) -> str:
    """The committed file's text: two-space indent, final newline, unicode kept."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class SavedDocument:
    """A document built from the code and the file it is committed as."""

    path: Path
    build: Callable[[], Any]

    def render(self) -> str:
        return document_text(self.build())

    def main(self) -> int:
        """Rewrite the committed file (`make schemas` runs this for each document)."""
        self.path.write_text(self.render(), encoding="utf-8")
        print(f"wrote {self.path.relative_to(self.path.parents[1])}")
        return 0
