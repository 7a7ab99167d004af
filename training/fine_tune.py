"""Starting a run from a weight of the library: a state dict, loaded with weights_only."""

from __future__ import annotations

from pathlib import Path

import torch

from schemas.errors import InvalidInput
from training.graph import ForecastGraph


def load_matching_weights(graph: ForecastGraph, path: Path) -> int:
    """Copy every tensor whose name and shape match the graph's (a state dict saved from
    this graph or from the same architecture); returns how many. INVALID_INPUT when the
    file is not a plain state dict or when nothing matches."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # the safe unpickler refuses anything but tensors and dicts
        raise InvalidInput(f"the weight is not a plain state dict: {error}", {}) from error
    if not isinstance(state, dict):
        raise InvalidInput("the weight is not a state dict", {})
    own = graph.state_dict()
    matching = {
        k: v
        for k, v in state.items()
        if isinstance(v, torch.Tensor) and k in own and own[k].shape == v.shape
    }
    if not matching:
        raise InvalidInput(
            "no tensor of the weight fits this model (names or shapes differ)",
            {"weightTensors": len(state), "modelTensors": len(own)},
        )
    graph.load_state_dict(matching, strict=False)
    return len(matching)
