"""The offline store on PostgreSQL: every value with its event time and ingestion time.

PostgreSQL rather than Parquet on S3: a batch is written in one transaction (all or
nothing), late rows need no file rewrite, and the `as of` reads and the incremental
materialization reads (by ingestion time) are index range scans.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from control_plane.feature_store.tables import FeatureValueRow
from loadstar_core.feature_store.rows import CheckedRow

_CHUNK = 5000  # rows per INSERT (PostgreSQL allows 65535 parameters a statement)


def _rows(group_id: str, rows: Sequence[CheckedRow], at: datetime) -> list[FeatureValueRow]:
    out = []
    for row in rows:
        for feature, value in row.values.items():
            number = None
            text = None
            if isinstance(value, bool):
                number = 1.0 if value else 0.0
            elif isinstance(value, int | float):
                number = float(value)
            elif isinstance(value, str):
                text = value
            out.append(
                FeatureValueRow(
                    group_id=group_id,
                    entity=row.entity,
                    feature=feature,
                    event_time=row.event_time,
                    ingested_at=at,
                    value_num=number,
                    value_text=text,
                )
            )
    return out


async def append(group_id: str, rows: Sequence[CheckedRow], at: datetime) -> int:
    """Writes every value of `rows` in one transaction; returns how many values."""
    values = _rows(group_id, rows, at)
    async with FeatureValueRow._meta.db.transaction():
        for i in range(0, len(values), _CHUNK):
            await FeatureValueRow.insert(*values[i : i + _CHUNK])
    return len(values)


async def history(
    group_id: str, feature: str, entities: Sequence[str], until: datetime
) -> pl.DataFrame:
    """One feature's values (entity, eventTime, value) up to `until`, for the join."""
    rows = (
        await FeatureValueRow.select(
            FeatureValueRow.entity,
            FeatureValueRow.event_time,
            FeatureValueRow.value_num,
            FeatureValueRow.value_text,
        )
        .where(
            (FeatureValueRow.group_id == group_id)
            & (FeatureValueRow.feature == feature)
            & FeatureValueRow.entity.is_in(list(entities))
            & (FeatureValueRow.event_time <= until)
        )
        .order_by(FeatureValueRow.id)
    )
    text = any(r["value_text"] is not None for r in rows)
    return pl.DataFrame(
        {
            "entity": [r["entity"] for r in rows],
            "eventTime": [r["event_time"] for r in rows],
            "value": [r["value_text"] if text else r["value_num"] for r in rows],
        },
        schema={
            "entity": pl.String,
            "eventTime": pl.Datetime("us", "UTC"),
            "value": pl.String if text else pl.Float64,
        },
    )
