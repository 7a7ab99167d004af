"""The algorithms a job may ask for, without importing torch (the control plane reads this)."""

from __future__ import annotations

ALGORITHMS: dict[str, str] = {
    "linear": "DLinear-style trend/seasonal decomposition with linear quantile heads",
    "mlp": "multi-layer perceptron over the feature window",
    "patchtst": "patch-based transformer encoder (PatchTST-style), the strongest and slowest",
}
DEFAULT_ALGORITHM = "linear"
