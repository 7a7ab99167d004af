"""Architectures drawn as graphs of time-series blocks: the catalogue and the graph check."""

from loadstar_core.architecture.blocks import BLOCKS, HEAD, SOURCES, Shape
from loadstar_core.architecture.graph import ResolvedGraph, resolve, shapes_of, topological_order

__all__ = [
    "BLOCKS",
    "HEAD",
    "SOURCES",
    "ResolvedGraph",
    "Shape",
    "resolve",
    "shapes_of",
    "topological_order",
]
