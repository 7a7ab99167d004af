"""The platform's serving contract for an ONNX graph, from a feature plan, and the check of
a weight's graph (or a declared signature) against it.

A forecaster the platform serves takes `window` [batch, lookback, inputs] (plus `calendar`
[batch, lookback + horizon, 2|3] when the plan has seasonality and `future` [batch,
horizon, known inputs] when it has known inputs) and returns `quantiles` [batch, horizon,
quantiles], all float32. Dims of -1 in a graph are dynamic and match any size.
"""

from __future__ import annotations

from typing import Any

from loadstar_core.signature import signature_of
from schemas.errors import InvalidInput
from schemas.feature_plan import FeaturePlan


def expected_signature(plan: FeaturePlan) -> dict[str, Any]:
    """The signature a version of this plan carries (as a trained one does, without the
    training ranges it cannot know)."""
    return signature_of(plan)


def _tensors(signature: dict[str, Any], side: str) -> dict[str, dict[str, Any]]:
    return {t.get("name", ""): t for t in signature.get(side) or [] if isinstance(t, dict)}


def mismatches(got: dict[str, Any], want: dict[str, Any], source: str) -> list[dict[str, Any]]:
    """Each tensor of `want` missing from `got` or of another dtype or shape (a -1 in either
    matches anything), and each extra input of `got`."""
    found: list[dict[str, Any]] = []
    for side in ("inputs", "outputs"):
        have, need = _tensors(got, side), _tensors(want, side)
        for name, tensor in need.items():
            other = have.get(name)
            if other is None:
                found.append({"tensor": name, "problem": f"missing from the {source}"})
                continue
            if str(other.get("dtype", "float32")) != tensor["dtype"]:
                found.append(
                    {"tensor": name, "expected": tensor["dtype"], "got": other.get("dtype")}
                )
            a, b = list(other.get("shape") or []), list(tensor["shape"])
            fits = len(a) == len(b) and all(
                x == y or -1 in (x, y) for x, y in zip(a, b, strict=True)
            )
            if not fits:
                found.append({"tensor": name, "expected": b, "got": a})
        if side == "inputs":
            for name in sorted(set(have) - set(need)):
                found.append({"tensor": name, "problem": "an input the contract does not feed"})
    return found


def checked_signature(
    graph: dict[str, Any], plan: FeaturePlan, declared: dict[str, Any] | None
) -> dict[str, Any]:
    """The version's signature: the declared one, or the plan's contract; either must agree
    with the ONNX graph, and a declared one with the contract too. INVALID_INPUT naming
    each tensor that does not."""
    contract = expected_signature(plan)
    problems = mismatches(graph, contract, "ONNX graph")
    if declared:
        problems += mismatches(graph, declared, "ONNX graph (declared)")
        problems += mismatches(declared, contract, "declared signature")
    if problems:
        first = problems[0]
        raise InvalidInput(
            f"the weight does not fit the serving contract of plan {plan.name or plan.target!r}: "
            f"tensor {first['tensor']!r} "
            + (
                first["problem"]
                if "problem" in first
                else f"expected {first['expected']}, got {first['got']}"
            ),
            {"field": "signature", "mismatches": problems},
        )
    return declared or contract
