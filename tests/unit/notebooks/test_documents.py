"""nbformat documents: what goes in comes back, every cell gets one unique id, bad input is
refused in plain words."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from control_plane.notebooks import documents
from schemas.errors import InvalidInput

sources = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
cell_ids = st.sampled_from(["a", "b", "c", ""]) | st.none()


def _notebook(cells: list[tuple[str, str | None]], minor: int = 5) -> dict[str, object]:
    built = []
    for source, cell_id in cells:
        cell: dict[str, object] = {
            "cell_type": "code",
            "metadata": {},
            "source": source,
            "outputs": [],
            "execution_count": None,
        }
        if cell_id is not None and minor >= 5:
            cell["id"] = cell_id or "x"
        built.append(cell)
    return {"nbformat": 4, "nbformat_minor": minor, "metadata": {}, "cells": built}


@given(st.lists(st.tuples(sources, cell_ids), max_size=6), st.sampled_from([4, 5]))
def test_checked_notebooks_keep_their_code_and_get_unique_ids(
    cells: list[tuple[str, str | None]], minor: int
) -> None:
    checked = documents.check_notebook(_notebook(cells, minor))
    ids = [c["id"] for c in checked["cells"]]
    assert len(ids) == len(set(ids)) and all(ids)
    assert [s for _, s in documents.code_cells(checked)] == [s for s, _ in cells]
    assert checked["nbformat_minor"] >= 5


@given(st.lists(sources, max_size=5))
def test_a_saved_file_reads_back_the_same(texts: list[str]) -> None:
    checked = documents.check_notebook(_notebook([(t, None) for t in texts]))
    raw = documents.dump(checked)
    assert raw.endswith(b"\n") and json.loads(raw)["nbformat"] == 4
    assert documents.load(raw) == checked


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ({"nbformat": 3, "cells": []}, "content.nbformat"),
        (
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "x"}]},
            "content",
        ),
        ({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}, "content"),
    ],
)
def test_what_is_not_a_v4_notebook_is_refused(content: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        documents.check_notebook(content)
    assert refused.value.details["field"].startswith(field)


@pytest.mark.parametrize("raw", [b"{nope", b"[]", b'"text"'])
def test_an_upload_that_is_not_a_notebook_is_refused(raw: bytes) -> None:
    with pytest.raises(InvalidInput):
        documents.parse_ipynb(raw)


def test_a_new_notebook_has_one_empty_code_cell() -> None:
    nb = documents.empty_notebook()
    assert [(c["cell_type"], c["source"]) for c in nb["cells"]] == [("code", "")]
    assert documents.check_notebook(nb) == nb
