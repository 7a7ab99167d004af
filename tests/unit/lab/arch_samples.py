"""Architectures the lab tests share."""

from __future__ import annotations

from typing import Any


def node(id: str, type: str, **data: Any) -> dict[str, Any]:
    return {"id": id, "type": type, "data": data}


def edge(source: str, target: str) -> dict[str, str]:
    return {"source": source, "target": target}


def skip_graph(name: str = "skip", hidden: int = 16) -> dict[str, Any]:
    """input -> conv -> gru(seq) -> add(conv, gru) -> layernorm -> concat(features) -> head."""
    return {
        "name": name,
        "nodes": [
            node("in", "input"),
            node("feat", "features"),
            node("conv", "conv1d", out=hidden, kernel=3),
            node("gru", "gru", hidden=hidden),
            node("sum", "add"),
            node("norm", "layernorm"),
            node("join", "concat", axis="channels"),
            node("drop", "dropout", p=0.1),
            node("head", "quantileHead"),
        ],
        "edges": [
            edge("in", "conv"),
            edge("conv", "gru"),
            edge("conv", "sum"),
            edge("gru", "sum"),
            edge("sum", "norm"),
            edge("norm", "join"),
            edge("feat", "join"),
            edge("join", "drop"),
            edge("drop", "head"),
        ],
    }


def every_block_graph() -> dict[str, Any]:
    """Each block of the catalogue at least once."""
    return {
        "name": "zoo",
        "nodes": [
            node("in", "input"),
            node("feat", "features"),
            node("trend", "decomposition", kernel=5, part="trend"),
            node("season", "decomposition", kernel=5, part="seasonal"),
            node("both", "concat", axis="channels"),
            node("wide", "linear", out=8),
            node("patch", "patch", patchLen=8, stride=4, dModel=8),
            node("enc", "transformer", heads=2, dFf=16, dropout=0.0),
            node("lstm", "lstm", hidden=8, output="last"),
            node("time", "linear", out=4, axis="time"),
            node("mlp", "mlp", hidden=8, out=8),
            node("flat", "lstm", hidden=8, output="last"),
            node("vec", "concat"),
            node("head", "quantileHead"),
        ],
        "edges": [
            edge("in", "trend"),
            edge("in", "season"),
            edge("trend", "both"),
            edge("season", "both"),
            edge("feat", "both"),
            edge("both", "wide"),
            edge("wide", "patch"),
            edge("patch", "enc"),
            edge("enc", "lstm"),
            edge("wide", "time"),
            edge("time", "mlp"),
            edge("mlp", "flat"),
            edge("lstm", "vec"),
            edge("flat", "vec"),
            edge("vec", "head"),
        ],
    }
