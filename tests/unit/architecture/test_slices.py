"""The control plane's slices, as packages: which of them still reach each other both ways.

A loop between slices means neither can be read, tested or moved without the other. The
loops listed here are the ones left to break (see CONTRIBUTING.md); the list may only
shrink: a new loop fails, and so does a listed one that is gone (take it off the list).
"""

from __future__ import annotations

from .imports import cycles, import_graph, slice_graph

KNOWN_LOOPS = [
    # registry.edits asks deployments who uses a version; the seed-003 route checks a
    # deployment key; deployments.basis reads training's and the registry's tables
    ["deployments", "registry", "training"],
    # notebook runs sit in lab experiments, and the run table reads notebook runs
    ["lab", "notebooks"],
]


def test_no_new_loop_between_slices() -> None:
    found = sorted(cycles(slice_graph(import_graph(), "control_plane")))
    assert found == KNOWN_LOOPS, (
        f"loops between control-plane slices: {found}; a new one must be broken (one slice "
        "calls the other's service, never both ways); a broken one leaves KNOWN_LOOPS"
    )


def test_a_slice_loop_is_caught() -> None:
    graph = {m: dict(edges) for m, edges in import_graph().items()}
    graph["control_plane.datasets.intake"]["control_plane.explore.service"] = 1
    assert ["datasets", "explore"] in cycles(slice_graph(graph, "control_plane"))
