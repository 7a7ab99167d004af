"""nbformat v4 documents: read, check, give every cell an id, write. No I/O."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import nbformat
from nbformat.validator import ValidationError

from schemas.errors import InvalidInput

MAX_BYTES = 32 << 20  # a notebook larger than this is refused (images included)


def _cell_id() -> str:
    return uuid.uuid4().hex[:8]


def _plain(nb: Any) -> dict[str, Any]:
    """A notebook node as plain JSON data, multi-line texts as one string each."""
    return json.loads(json.dumps(nbformat.reads(nbformat.writes(nb), as_version=4)))  # type: ignore[no-any-return, no-untyped-call]


def load(raw: bytes) -> dict[str, Any]:
    """A stored `.ipynb` as the API gives it (texts joined)."""
    return _plain(nbformat.reads(raw.decode(), as_version=4))  # type: ignore[no-untyped-call]


def empty_notebook() -> dict[str, Any]:
    """A new notebook: one empty code cell, the Python 3 kernel."""
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.cells.append(nbformat.v4.new_code_cell(source="", id=_cell_id()))  # type: ignore[no-untyped-call]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return _plain(nb)


def check_notebook(content: dict[str, Any]) -> dict[str, Any]:
    """An nbformat v4 document, upgraded to 4.5 with an id on every cell, or INVALID_INPUT
    saying what is wrong (the first validation error, with where it is)."""
    if content.get("nbformat") != 4:
        raise InvalidInput(
            "only nbformat v4 notebooks are accepted",
            {"field": "content.nbformat", "got": content.get("nbformat")},
        )
    try:
        nb = nbformat.from_dict(copy.deepcopy(content))  # type: ignore[no-untyped-call]
        minor = nb.get("nbformat_minor", 0)
        if minor < 5:
            nb = nbformat.v4.upgrade(nb, from_version=4, from_minor=minor)  # type: ignore[no-untyped-call]
        seen: set[str] = set()
        for cell in nb.get("cells", []):
            if not isinstance(cell, dict):
                continue
            if not cell.get("id") or cell["id"] in seen:
                cell["id"] = _cell_id()
            seen.add(cell["id"])
        nbformat.validate(nb)
    except ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise InvalidInput(
            f"not a valid nbformat v4 notebook: {exc.message}",
            {"field": f"content/{where}" if where else "content"},
        ) from exc
    except (KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(
            f"not a valid nbformat v4 notebook: {exc}", {"field": "content"}
        ) from exc
    return _plain(nb)


def parse_ipynb(raw: bytes) -> dict[str, Any]:
    """An uploaded `.ipynb` file, checked as `check_notebook` does."""
    if len(raw) > MAX_BYTES:
        raise InvalidInput(
            f"the notebook is larger than {MAX_BYTES >> 20} MiB",
            {"field": "file", "size": len(raw)},
        )
    try:
        content = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"the file is not JSON: {exc}", {"field": "file"}) from exc
    if not isinstance(content, dict):
        raise InvalidInput("the file is not a notebook (a JSON object)", {"field": "file"})
    return check_notebook(content)


def dump(content: dict[str, Any]) -> bytes:
    """The `.ipynb` bytes as Jupyter writes them (indent 1, trailing newline)."""
    text: str = nbformat.writes(nbformat.from_dict(content)) + "\n"  # type: ignore[no-untyped-call]
    data = text.encode()
    if len(data) > MAX_BYTES:
        raise InvalidInput(
            f"the notebook is larger than {MAX_BYTES >> 20} MiB", {"field": "content"}
        )
    return data


def code_cells(content: dict[str, Any]) -> list[tuple[str, str]]:
    """(cell id, source) of every code cell, in order."""
    cells = []
    for cell in content.get("cells", []):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            cells.append(
                (str(cell.get("id", "")), "".join(source) if isinstance(source, list) else source)
            )
    return cells
