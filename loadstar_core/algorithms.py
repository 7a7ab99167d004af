"""The algorithms a job may ask for, without importing torch (the control plane reads this)."""

from __future__ import annotations

ALGORITHMS: dict[str, str] = {
    "auto": "the default: a ridge forecast on history, calendar and covariates, corrected by "
    "a TiDE network when that wins on the validation windows",
    "tide": "TiDE-style dense encoder/decoder over history, covariates and each step's "
    "calendar and known-future inputs, on top of the ridge forecast",
    "linear": "DLinear-style trend/seasonal decomposition with linear quantile heads",
    "mlp": "multi-layer perceptron over the feature window",
    "patchtst": "patch-based transformer encoder (PatchTST-style), the strongest and slowest",
}
DEFAULT_ALGORITHM = "auto"
