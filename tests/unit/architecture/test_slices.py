"""The control plane's slices, as packages: none reaches another both ways, and none reads
another's tables.

A loop between slices means neither can be read, tested or moved without the other; a
slice reading another's tables bypasses that slice's service and its typed results. The
lists here are what is left to fix (see CONTRIBUTING.md); they may only shrink: a new
loop or table read fails, and so does a listed one that is gone (take it off the list).
"""

from __future__ import annotations

from .imports import cycles, import_graph, slice_graph

KNOWN_LOOPS: list[list[str]] = []

# (slice, slice whose tables it imports) still to move onto that slice's service; only shrinks
KNOWN_TABLE_READS: list[tuple[str, str]] = []


def table_reads(graph: dict[str, dict[str, int]]) -> list[tuple[str, str]]:
    """(slice, other slice) for every control-plane module importing another slice's tables."""
    found: set[tuple[str, str]] = set()
    for module, edges in graph.items():
        parts = module.split(".")
        if parts[0] != "control_plane" or len(parts) < 3:
            continue
        for name in edges:
            target = name.split(".")
            if (
                target[0] == "control_plane"
                and len(target) >= 3
                and target[1] != parts[1]
                and target[2] == "tables"
            ):
                found.add((parts[1], target[1]))
    return sorted(found)


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


def test_no_slice_reads_another_slices_tables() -> None:
    found = table_reads(import_graph())
    assert found == KNOWN_TABLE_READS, (
        f"slices importing another slice's tables: {found}; call that slice's service (a "
        "Struct result) instead; a read that is gone leaves KNOWN_TABLE_READS"
    )


def test_a_table_read_is_caught() -> None:
    graph = {m: dict(edges) for m, edges in import_graph().items()}
    graph["control_plane.explore.service"]["control_plane.datasets.tables"] = 1
    assert ("explore", "datasets") in table_reads(graph)
