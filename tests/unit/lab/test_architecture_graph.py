"""The graph check: shapes resolved in topological order, bad graphs refused by node."""

from __future__ import annotations

import itertools
import random
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadstar_core.architecture import resolve, shapes_of, topological_order
from schemas.architecture import ArchitectureGraph, ShapeContext
from schemas.errors import InvalidInput

from .arch_samples import edge, every_block_graph, node, skip_graph


def graph(raw: dict[str, Any]) -> ArchitectureGraph:
    return msgspec.convert(raw, ArchitectureGraph)


def refusal(raw: dict[str, Any], ctx: ShapeContext | None = None) -> dict[str, Any]:
    with pytest.raises(InvalidInput) as caught:
        resolve(graph(raw), ctx)
    return caught.value.details


def test_skip_connection_resolves_every_shape() -> None:
    ctx = ShapeContext(lookback=48, horizon=12, features=5, quantiles=3)
    shapes = shapes_of(graph(skip_graph()), ctx)
    assert shapes["conv"] == shapes["gru"] == shapes["sum"] == [48, 16]
    assert shapes["join"] == [48, 21]
    assert shapes["head"] == [12, 3]


def test_every_block_of_the_catalogue_resolves() -> None:
    shapes = shapes_of(graph(every_block_graph()), ShapeContext(lookback=48, features=3))
    assert shapes["both"] == [48, 5]
    assert shapes["patch"] == [(48 - 8) // 4 + 1, 8]
    assert shapes["time"] == [4, 8]
    assert shapes["vec"] == [16]


def test_a_shape_mismatch_names_the_node() -> None:
    raw = skip_graph()
    raw["nodes"][3] = node("gru", "gru", hidden=7)  # add(conv 16, gru 7)
    details = refusal(raw)
    assert details["node"] == "sum"
    assert details["expected"] == [96, 16] and details["got"] == [96, 7]


def test_heads_that_do_not_divide_the_width_are_refused() -> None:
    raw = every_block_graph()
    raw["nodes"][7] = node("enc", "transformer", heads=3)
    assert refusal(raw)["node"] == "enc"


def test_a_patch_longer_than_the_window_is_refused_for_that_plan_only() -> None:
    raw = every_block_graph()
    resolve(graph(raw), ShapeContext(lookback=48))
    assert refusal(raw, ShapeContext(lookback=6))["node"] == "patch"


def test_a_cycle_is_refused() -> None:
    raw = skip_graph()
    raw["edges"].append(edge("norm", "conv"))
    details = refusal(raw)
    assert details["field"] == "edges" and details["node"] in {"conv", "gru", "sum", "norm"}


@pytest.mark.parametrize(
    ("change", "node_id"),
    [
        (lambda g: g["nodes"].append(node("in2", "input")), "in2"),
        (lambda g: g["nodes"].append(node("head2", "quantileHead")), "head2"),
        (lambda g: g["nodes"].append(node("lost", "dropout")), "lost"),
        (lambda g: g["edges"].remove(edge("gru", "sum")), "sum"),
        (lambda g: g["nodes"].append(node("x", "Conv2d")), "x"),
        (lambda g: g["edges"].append(edge("ghost", "sum")), "ghost"),
    ],
)
def test_structural_refusals_name_the_node(change: Any, node_id: str) -> None:
    raw = skip_graph()
    change(raw)
    assert refusal(raw)["node"] == node_id


def test_no_head_is_refused() -> None:
    raw = {"name": "x", "nodes": [node("in", "input")], "edges": []}
    with pytest.raises(InvalidInput, match="quantile head"):
        resolve(graph(raw))


@st.composite
def dags(draw: st.DrawFn) -> tuple[list[str], dict[str, list[str]]]:
    """A random DAG: each node draws its inputs among the nodes before it."""
    n = draw(st.integers(1, 12))
    names = [f"v{i}" for i in range(n)]
    inputs = {
        name: draw(st.lists(st.sampled_from(names[:i]), max_size=3, unique=True)) if i else []
        for i, name in enumerate(names)
    }
    shuffled = draw(st.permutations(names))
    return list(shuffled), inputs


@given(dags())
@settings(max_examples=200, deadline=None)
def test_topological_order_puts_every_source_first(
    dag: tuple[list[str], dict[str, list[str]]],
) -> None:
    names, inputs = dag
    order = topological_order(names, inputs)
    assert sorted(order) == sorted(names)
    position = {n: i for i, n in enumerate(order)}
    for target, sources in inputs.items():
        assert all(position[s] < position[target] for s in sources)


@given(st.integers(2, 8), st.integers(4, 64), st.integers(1, 8), st.randoms())
@settings(max_examples=100, deadline=None)
def test_a_chain_of_linears_resolves_or_names_the_first_misfit(
    depth: int, width: int, heads: int, rnd: random.Random
) -> None:
    """Linear widths chosen at random; a transformer at the end fits iff heads divide."""
    widths = [rnd.choice([width, width * 2]) for _ in range(depth)]
    nodes = [node("in", "input")] + [node(f"l{i}", "linear", out=w) for i, w in enumerate(widths)]
    nodes += [node("t", "transformer", heads=heads), node("head", "quantileHead")]
    ids = [n["id"] for n in nodes]
    raw = {
        "name": "chain",
        "nodes": nodes,
        "edges": [edge(a, b) for a, b in itertools.pairwise(ids)],
    }
    if widths[-1] % heads:
        assert refusal(raw)["node"] == "t"
    else:
        assert shapes_of(graph(raw))["t"] == [96, widths[-1]]
