"""Point-in-time-correct (`as of`) joins: a training frame from several feature histories.

Each spine row (entity, eventTime) gets, for every feature, the value with the latest
event time at or before the row's own time, for the same entity: never a value from the
row's future. With `ttl`, a value older than that counts as missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import polars as pl

ENTITY = "entity"
TIME = "eventTime"


def as_of_join(
    spine: pl.DataFrame,
    histories: Mapping[str, pl.DataFrame],
    ttl: timedelta | None = None,
) -> pl.DataFrame:
    """`spine` (entity, eventTime) with one column per history, in the spine's order.

    Each history is a frame (entity, eventTime, value) of one feature, named by its key
    (`group.feature`); rows may come in any order and repeat an event time (the last
    one given wins, as a later correction would).
    """
    order = "__row"
    left = spine.select(ENTITY, TIME).with_row_index(order).sort(TIME)
    for name, history in histories.items():
        right = (
            history.select(ENTITY, TIME, pl.col("value").alias(name))
            .with_row_index("__seq")
            .sort([TIME, "__seq"])
            .unique(subset=[ENTITY, TIME], keep="last", maintain_order=True)
            .drop("__seq")
        )
        left = left.join_asof(
            right.rename({TIME: "__valueTime"}),
            left_on=TIME,
            right_on="__valueTime",
            by=ENTITY,
            strategy="backward",
            tolerance=ttl,
            check_sortedness=False,  # both sides sorted by time just above
        ).drop("__valueTime")
    return left.sort(order).drop(order)
