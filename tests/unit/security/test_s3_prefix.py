"""No dataset id, whatever a caller sends, names an object outside its own prefix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from control_plane.datasets import storage
from schemas.errors import InvalidInput


@given(st.text(max_size=40))
def test_every_key_of_a_dataset_stays_under_its_own_prefix(dataset_id: str) -> None:
    try:
        keys = [
            storage.prefix(dataset_id),
            storage.canonical_key(dataset_id),
            storage.original_key(dataset_id, "csv"),
            storage.explore_key(dataset_id, "profile.json"),
        ]
    except InvalidInput:
        return
    own = f"datasets/{dataset_id}/"
    for key in keys:
        assert key.startswith(own)
        assert ".." not in key and "//" not in key
        assert key.count("/") >= 2 and "/" not in dataset_id


@pytest.mark.parametrize("hostile", ["..", "../models", "a/b", "", "ds-1/../../x", "*", "ds 1"])
def test_hostile_ids_are_refused(hostile: str) -> None:
    with pytest.raises(InvalidInput):
        storage.prefix(hostile)
