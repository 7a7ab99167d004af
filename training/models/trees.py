"""Gradient-boosted trees as tensors, so they export into the same ONNX graph.

A LightGBM model (`Booster.dump_model()`) becomes, per tree, a complete binary tree of a
fixed depth: every split a (feature, threshold) pair, every shallower leaf padded with
splits that send every row left to copies of itself. Serving walks all trees at once,
one gather per level (`TreeEnsemble.forward`), so the graph's cost is depth x trees
gathers, independent of the data.

LightGBM sends a row left when `value <= threshold` (in float64); the graph compares
float32 values, so each threshold becomes the largest float32 not above it: for every
float32 value both comparisons agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

PAD_THRESHOLD = np.float32(np.finfo(np.float32).max)  # every finite value goes left


def float32_floor(threshold: float) -> np.float32:
    """The largest float32 not above `threshold`: `x <= result` iff `x <= threshold` for
    every float32 `x`."""
    near = np.float32(threshold)
    if float(near) > threshold:
        near = np.nextafter(near, np.float32(-np.inf))
    return np.float32(near)


def weighted_sum(parts: list[tuple[dict[str, Any], float]]) -> dict[str, Any]:
    """One dump whose raw score is the weighted sum of the parts' raw scores: every tree of
    each part, its leaves times the part's weight (the parts read the same features)."""

    def scaled(node: dict[str, Any], weight: float) -> dict[str, Any]:
        if "leaf_value" in node:
            return {**node, "leaf_value": float(node["leaf_value"]) * weight}
        left, right = node["left_child"], node["right_child"]
        return {**node, "left_child": scaled(left, weight), "right_child": scaled(right, weight)}

    trees = [
        {**info, "tree_structure": scaled(info["tree_structure"], weight)}
        for dump, weight in parts
        for info in dump["tree_info"]
    ]
    return {"tree_info": trees}


def tree_depth(node: dict[str, Any]) -> int:
    if "leaf_value" in node:
        return 0
    return 1 + max(tree_depth(node["left_child"]), tree_depth(node["right_child"]))


def _fill(
    node: dict[str, Any],
    position: int,
    level: int,
    depth: int,
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """Write `node` at `position` (level-order index) of a complete tree of `depth`."""
    features, thresholds, leaves = arrays
    if level == depth:
        leaves[position - (2**depth - 1)] = node["leaf_value"]
        return
    if "leaf_value" in node:  # a shallow leaf: a split that sends everything left
        features[position], thresholds[position] = 0, PAD_THRESHOLD
        _fill(node, 2 * position + 1, level + 1, depth, arrays)
        _fill(node, 2 * position + 2, level + 1, depth, arrays)  # never reached
        return
    if node.get("decision_type", "<=") != "<=":
        raise ValueError(f"unsupported split {node.get('decision_type')}")
    features[position] = node["split_feature"]
    thresholds[position] = float32_floor(float(node["threshold"]))
    _fill(node["left_child"], 2 * position + 1, level + 1, depth, arrays)
    _fill(node["right_child"], 2 * position + 2, level + 1, depth, arrays)


def complete_trees(dump: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A LightGBM dump -> split features [T, 2^D - 1], thresholds [T, 2^D - 1] (float32)
    and leaf values [T, 2^D], D the deepest tree's depth (at least 1)."""
    trees = [info["tree_structure"] for info in dump["tree_info"]]
    depth = max([1, *(tree_depth(t) for t in trees)])
    features = np.zeros((len(trees), 2**depth - 1), dtype=np.int64)
    thresholds = np.full((len(trees), 2**depth - 1), PAD_THRESHOLD, dtype=np.float32)
    leaves = np.zeros((len(trees), 2**depth), dtype=np.float64)
    for t, tree in enumerate(trees):
        _fill(tree, 0, 0, depth, (features[t], thresholds[t], leaves[t]))
    return features, thresholds, leaves


class TreeEnsemble(nn.Module):
    """[N, F] float32 features -> [N] sum of every tree's leaf (LightGBM's raw score)."""

    features: torch.Tensor
    thresholds: torch.Tensor
    leaves: torch.Tensor
    node_offsets: torch.Tensor
    leaf_offsets: torch.Tensor

    def __init__(self, features: np.ndarray, thresholds: np.ndarray, leaves: np.ndarray) -> None:
        super().__init__()
        n_trees, n_nodes = features.shape
        self.depth = int(np.log2(n_nodes + 1))
        self.n_trees = n_trees
        offsets = (np.arange(n_trees) * n_nodes)[None, :]
        # flattened per tree, so one gather reads every tree's node at once
        self.register_buffer("features", torch.from_numpy(features.reshape(-1).copy()))
        self.register_buffer("thresholds", torch.from_numpy(thresholds.reshape(-1).copy()))
        self.register_buffer("leaves", torch.from_numpy(leaves.astype(np.float32).reshape(-1)))
        self.register_buffer("node_offsets", torch.from_numpy(offsets.astype(np.int64)))
        self.register_buffer(
            "leaf_offsets", torch.from_numpy((np.arange(n_trees) * (n_nodes + 1))[None, :])
        )

    @classmethod
    def from_lightgbm(cls, dump: dict[str, Any]) -> TreeEnsemble:
        return cls(*complete_trees(dump))

    @classmethod
    def empty(cls, depth: int = 1) -> TreeEnsemble:
        """No trees: zero everywhere (the state before a fit, or a checkpoint's shape)."""
        nodes = 2**depth - 1
        return cls(
            np.zeros((0, nodes), dtype=np.int64),
            np.zeros((0, nodes), dtype=np.float32),
            np.zeros((0, nodes + 1)),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = x.shape[0]
        node = torch.zeros(rows, self.n_trees, dtype=torch.long, device=x.device)
        for _ in range(self.depth):
            flat = node + self.node_offsets
            value = torch.gather(x, 1, self.features[flat])
            right = (value > self.thresholds[flat]).long()
            node = 2 * node + 1 + right
        leaf = node - (2**self.depth - 1) + self.leaf_offsets
        return self.leaves[leaf].sum(dim=1)
