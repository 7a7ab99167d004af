"""One inference call's inputs: the tensors a model gets by name in the graph's order, and
the same inputs cut to some of the windows (a batch split at `max_batch_size`)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from triton_repo.inference_client import Inputs

ORDER = ("window", "calendar", "future", "series")


def _inputs(batch: int, present: tuple[bool, bool, bool]) -> Inputs:
    def tensor(width: int, seed: int) -> np.ndarray:
        return np.arange(batch * width, dtype=np.float32).reshape(batch, width) + seed * 1000

    calendar, future, series = (
        tensor(width, seed) if here else None
        for here, width, seed in zip(present, (5, 3, 1), (1, 2, 3), strict=True)
    )
    return Inputs(tensor(4, 0), calendar, future, series)


presence = st.tuples(st.booleans(), st.booleans(), st.booleans())


@given(st.integers(1, 6), presence)
def test_named_gives_the_present_tensors_in_the_graphs_order(
    batch: int, present: tuple[bool, bool, bool]
) -> None:
    inputs = _inputs(batch, present)
    named = inputs.named()
    expected = [name for name, here in zip(ORDER, (True, *present), strict=True) if here]
    assert [name for name, _ in named] == expected
    for name, array in named:
        assert array is getattr(inputs, name)


@given(st.integers(1, 9), presence, st.integers(0, 9), st.integers(1, 9))
def test_rows_cuts_every_present_tensor_alike(
    batch: int, present: tuple[bool, bool, bool], start: int, size: int
) -> None:
    inputs = _inputs(batch, present)
    part = slice(start, start + size)
    cut = inputs.rows(part)
    assert [name for name, _ in cut.named()] == [name for name, _ in inputs.named()]
    for (_, whole), (_, piece) in zip(inputs.named(), cut.named(), strict=True):
        np.testing.assert_array_equal(piece, whole[part])
