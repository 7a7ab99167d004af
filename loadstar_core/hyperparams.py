"""Validated hyperparameters per algorithm, with their defaults. No torch here: the control
plane checks a job's hyperparameters with this before queueing it.

Besides model and optimiser settings they carry how the data is split in time
(`split` fractions, or explicit `split_rows`) and how long a gap may be filled.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from loadstar_core.architecture import resolve
from loadstar_core.augmentation import AugmentationStep
from loadstar_core.plain_words import plain_validation
from schemas.architecture import ArchitectureGraph
from schemas.errors import InvalidInput

_PATH = re.compile(r"at `\$\.([A-Za-z_]+)|unknown field `([^`]+)`")
Fraction = Annotated[float, Meta(ge=0.0, le=1.0)]
RowRange = Annotated[list[Annotated[int, Meta(ge=0)]], Meta(min_length=2, max_length=2)]


class CommonParams(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    epochs: Annotated[int, Meta(ge=1, le=1000)] = 40
    batch_size: Annotated[int, Meta(ge=1, le=8192)] = 128
    lr: Annotated[float, Meta(gt=0.0, le=1.0)] = 1e-3
    weight_decay: Annotated[float, Meta(ge=0.0, le=1.0)] = 1e-4
    seed: Annotated[int, Meta(ge=0, le=2**31 - 1)] = 0
    patience: Annotated[int, Meta(ge=1, le=1000)] = 6
    # Relative drop of the validation loss that counts as an improvement (early stopping).
    min_improvement: Annotated[float, Meta(ge=0.0, lt=1.0)] = 0.005
    dropout: Annotated[float, Meta(ge=0.0, lt=1.0)] = 0.1
    # "last": subtract the window's last target value (NLinear); "revin": window mean/std;
    # "none": the globally z-scored history as it is (levels set by calendar/covariates).
    instance_norm: Literal["last", "revin", "none"] = "last"
    # Width of the temporal summary of each past feature channel (0: the target alone).
    covariate_rank: Annotated[int, Meta(ge=0, le=64)] = 4
    # Begin from the ridge-regression linear forecast (see models/warm_start.py).
    warm_start: bool = True
    # Fit the calendar cells and covariates in that ridge ("auto" decides by backtest).
    exogenous: bool = True
    # Calendar cells with a day type per weekday (Monday to Saturday, Sunday or holiday)
    # instead of working day / Saturday / Sunday or holiday ("auto" decides by backtest).
    weekdays: bool = False
    # Average the ridge fit with a last-value-normalised twin (with instance_norm "none").
    ensemble: bool = False
    # Rescale the quantile offsets on the validation split (conformal), baked into the graph.
    calibrate: bool = True
    split: Annotated[list[Fraction], Meta(min_length=3, max_length=3)] = msgspec.field(
        default_factory=lambda: [0.7, 0.1, 0.2]
    )
    # Explicit [start, end) rows of train/val/test forecast targets; overrides `split`.
    split_rows: Annotated[list[RowRange], Meta(min_length=3, max_length=3)] | None = None
    max_gap: Annotated[int, Meta(ge=0)] | None = None
    device: Literal["auto", "cpu", "cuda"] = "auto"
    # Time-series augmentations applied to training windows only (loadstar_core.augmentation).
    augmentation: list[AugmentationStep] | None = None
    # A weight of the library to start from (fine-tuning): its S3 URI, a state dict.
    init_weights: str | None = None
    # Many meters, one model: the column that names each row's series (an asset or meter
    # id) in a long frame; one global model is fitted across every series. None: one series.
    series_column: Annotated[str, Meta(min_length=1, max_length=200)] | None = None


class LinearParams(CommonParams, kw_only=True):
    lr: Annotated[float, Meta(gt=0.0, le=1.0)] = 5e-3
    kernel_size: Annotated[int, Meta(ge=3, le=1001)] = 25


class MLPParams(CommonParams, kw_only=True):
    hidden_sizes: Annotated[list[Annotated[int, Meta(ge=1, le=8192)]], Meta(min_length=1)] = (
        msgspec.field(default_factory=lambda: [256, 256])
    )


class PatchParams(CommonParams, kw_only=True):
    lr: Annotated[float, Meta(gt=0.0, le=1.0)] = 5e-4
    dropout: Annotated[float, Meta(ge=0.0, lt=1.0)] = 0.2
    patch_len: Annotated[int, Meta(ge=2, le=512)] = 16
    stride: Annotated[int, Meta(ge=1, le=512)] = 16
    d_model: Annotated[int, Meta(ge=8, le=1024)] = 64
    n_heads: Annotated[int, Meta(ge=1, le=32)] = 4
    n_layers: Annotated[int, Meta(ge=1, le=12)] = 2
    d_ff: Annotated[int, Meta(ge=8, le=4096)] = 128


class TiDEParams(CommonParams, kw_only=True):
    epochs: Annotated[int, Meta(ge=1, le=1000)] = 30
    batch_size: Annotated[int, Meta(ge=1, le=8192)] = 256
    hidden_size: Annotated[int, Meta(ge=8, le=4096)] = 256
    decoder_width: Annotated[int, Meta(ge=1, le=256)] = 8
    exog_width: Annotated[int, Meta(ge=1, le=256)] = 4


class AutoParams(LinearParams, kw_only=True):
    """The default: the closed-form ridge on history, calendar and covariates, under the
    instance normalisation that scores best on the validation windows; no gradient steps."""

    # Gradient-boosted trees correcting the ridge's p50, served where validation says so
    # (training/models/boost_fit.py).
    trees: bool = True


class ArchitectureParams(CommonParams, kw_only=True):
    """A graph drawn in the builder, compiled to torch by the worker (not in ALGORITHMS:
    jobs name it through the model lab, which stores the graph)."""

    architecture: ArchitectureGraph
    architecture_id: str = ""


PARAMS: dict[str, type[CommonParams]] = {
    "auto": AutoParams,
    "tide": TiDEParams,
    "linear": LinearParams,
    "mlp": MLPParams,
    "patchtst": PatchParams,
    "architecture": ArchitectureParams,
}


def parse_hyperparams(algorithm: str, raw: dict[str, Any]) -> CommonParams:
    """The algorithm's parameters from a request's dict; InvalidInput names the bad field."""
    if algorithm not in PARAMS:
        raise InvalidInput(
            f"unknown algorithm {algorithm!r}", {"algorithm": algorithm, "known": sorted(PARAMS)}
        )
    try:
        params = msgspec.convert(raw, PARAMS[algorithm])
    except msgspec.ValidationError as error:
        where = _PATH.search(str(error))
        details = {"field": "hyperparams", "algorithm": algorithm}
        if where:
            details["parameter"] = where.group(1) or where.group(2)
        details["detail"] = str(error)
        raise InvalidInput(
            f"invalid hyperparams: {plain_validation(str(error))}", details
        ) from error
    if isinstance(params, PatchParams):
        if params.d_model % params.n_heads:
            raise InvalidInput(
                "d_model must be a multiple of n_heads",
                {"field": "hyperparams", "algorithm": algorithm, "parameter": "d_model"},
            )
        if params.stride > params.patch_len:
            raise InvalidInput(
                "stride must not exceed patch_len",
                {"field": "hyperparams", "algorithm": algorithm, "parameter": "stride"},
            )
    if isinstance(params, ArchitectureParams):
        resolve(params.architecture)
    return params


def hyperparams_dict(params: CommonParams) -> dict[str, Any]:
    """Every parameter used, defaults included, as plain JSON values."""
    result: dict[str, Any] = msgspec.to_builtins(params)
    return result
