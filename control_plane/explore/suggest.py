"""Explore's feature suggestions: the ops of the suggested plan, each with its reason.

There is one rule set (`loadstar_core.features.auto` and its season rule in
`loadstar_core.features.seasons`); Explore shows the ops that the default plan for this
target would take, so what Explore suggests and what an auto plan trains agree by
construction.
"""

from __future__ import annotations

from typing import Literal, cast

import msgspec
import polars as pl

from control_plane.explore.schemas import FeatureSuggestion
from loadstar_core.features.auto import suggest_plan
from loadstar_core.profile import TIMESTAMP
from schemas.errors import InvalidInput

OpName = Literal["lag", "rolling", "diff", "seasonality", "normalize"]


def suggest_features(frame: pl.DataFrame, target: str) -> list[FeatureSuggestion]:
    """The plan ops suggested for `target` (empty when no plan can be derived)."""
    try:
        _, choices = suggest_plan(frame, target, timestamp_column=TIMESTAMP)
    except InvalidInput:
        return []  # too short or irregular for a plan: Explore still shows its charts
    out = []
    for choice in choices:
        if choice.kind != "op" or choice.op is None:
            continue
        params = {k: v for k, v in msgspec.structs.asdict(choice.op).items() if v is not None}
        op = cast(OpName, type(choice.op).__struct_config__.tag)
        out.append(
            FeatureSuggestion(
                op=op,
                params=params,
                reason=choice.reason,
                score=choice.score or 0.0,
                reasonCode=choice.code,
                reasonParams=choice.params,
            )
        )
    return out
