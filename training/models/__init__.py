"""The forecasting algorithms, by the name a training request uses."""

from __future__ import annotations

from loadstar_core.algorithms import ALGORITHMS as CATALOG
from loadstar_core.algorithms import DEFAULT_ALGORITHM
from loadstar_core.hyperparams import (
    ArchitectureParams,
    CommonParams,
    LinearParams,
    MLPParams,
    PatchParams,
    TiDEParams,
    parse_hyperparams,
)
from training.models.architecture import ArchitectureForecaster
from training.models.common import QuantileForecaster, Shape
from training.models.linear import LinearForecaster
from training.models.mlp import MLPForecaster
from training.models.patchtst import PatchForecaster
from training.models.tide import TiDEForecaster

ALGORITHMS = tuple(CATALOG)


def build_forecaster(shape: Shape, params: CommonParams) -> QuantileForecaster:
    """The network of the algorithm `params` belongs to."""
    norm, rank = params.instance_norm, params.covariate_rank
    if isinstance(params, ArchitectureParams):
        return ArchitectureForecaster(shape, instance_norm=norm, graph=params.architecture)
    if isinstance(params, TiDEParams):
        return TiDEForecaster(
            shape,
            instance_norm=norm,
            covariate_rank=rank,
            hidden_size=params.hidden_size,
            decoder_width=params.decoder_width,
            exog_width=params.exog_width,
            dropout=params.dropout,
        )
    if isinstance(params, LinearParams):
        return LinearForecaster(
            shape, instance_norm=norm, covariate_rank=rank, kernel_size=params.kernel_size
        )
    if isinstance(params, MLPParams):
        return MLPForecaster(
            shape,
            instance_norm=norm,
            covariate_rank=rank,
            hidden_sizes=params.hidden_sizes,
            dropout=params.dropout,
        )
    if isinstance(params, PatchParams):
        return PatchForecaster(
            shape,
            instance_norm=norm,
            covariate_rank=rank,
            patch_len=params.patch_len,
            stride=params.stride,
            d_model=params.d_model,
            n_heads=params.n_heads,
            n_layers=params.n_layers,
            d_ff=params.d_ff,
            dropout=params.dropout,
        )
    raise TypeError(f"no forecaster for {type(params).__name__}")


__all__ = [
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "QuantileForecaster",
    "Shape",
    "build_forecaster",
    "parse_hyperparams",
]
