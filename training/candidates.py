"""Which forecast serves: the graph an algorithm builds, `auto`'s ridge candidate chosen by
backtest, and the boosted trees on its residuals where validation earns them."""

from __future__ import annotations

import msgspec
import torch

from loadstar_core.features.layout import calendar_terms, feature_columns, seasonal_period
from loadstar_core.hyperparams import CommonParams
from schemas.feature_plan import FeaturePlan
from training.data import SeriesData
from training.features.exog import ExogenousBlock
from training.graph import ForecastGraph
from training.models import Shape, build_forecaster
from training.models.boost_fit import BoostResult, fit_booster
from training.models.boosted import StepFeatures
from training.models.common import LinearStart
from training.models.selection import NORMS, Choice, choose


def build_graph(plan: FeaturePlan, series: SeriesData, params: CommonParams) -> ForecastGraph:
    torch.manual_seed(params.seed)
    shape = Shape(
        lookback=plan.lookback,
        horizon=plan.horizon,
        n_features=len(feature_columns(plan)),
        n_calendar=len(calendar_terms(plan).columns),
        quantiles=tuple(plan.quantiles),
        season=seasonal_period(plan),
        n_exog=ExogenousBlock(plan, series.stats, params.weekdays).width,
    )
    return ForecastGraph(plan, series.stats, build_forecaster(shape, params), params.weekdays)


def choose_candidate(
    plan: FeaturePlan, series: SeriesData, params: CommonParams
) -> tuple[CommonParams, Choice]:
    """The ridge candidate that serves (see models/selection.py) and every score."""
    graphs = {  # seven day types: the three-type candidates are sums of their cells
        norm: build_graph(
            plan, series, msgspec.structs.replace(params, instance_norm=norm, weekdays=True)
        )
        for norm in NORMS
    }
    choice = choose(graphs, series.windows("train"), series.windows("val"))
    chosen = msgspec.structs.replace(
        params,
        instance_norm="none" if choice.norm == "mix" else choice.norm,
        exogenous=choice.exogenous,
        ensemble=choice.norm == "mix",
        weekdays=choice.weekdays,
    )
    return chosen, choice


TREES = "+trees"  # the served candidate's suffix when boosted trees correct its p50


def boost_residuals(
    graph: ForecastGraph,
    plan: FeaturePlan,
    series: SeriesData,
    refit: LinearStart | None,
    seed: int,
) -> BoostResult:
    """Trees on the ridge's residuals, where validation earns them (boost_fit.py)."""
    features = StepFeatures(plan, series.stats, graph.uses_calendar)
    return fit_booster(graph, features, series.windows("train"), series.windows("val"), refit, seed)
