"""Rule suites: versioned, bound to a dataset or to a dataset name; checked on creation."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import msgspec

from control_plane.datasets.schemas import DatasetOut
from control_plane.datasets.service import get_dataset
from control_plane.quality.schemas import SuiteIn, SuiteOut
from control_plane.quality.tables import QualitySuite
from loadstar_core.quality.suite import rule_columns
from schemas.errors import InvalidInput, NotFound
from schemas.quality import (
    MonotonicTimestamps,
    NoDuplicateTimestamps,
    NotNull,
    Range,
    RegularInterval,
    Rule,
)

DEFAULT_SUITE = "default"
_rules_decoder = msgspec.json.Decoder(list[Rule])


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def as_json(value: object) -> str | bytes:
    """A JSONB column as selected: text, or already decoded."""
    return value if isinstance(value, str | bytes) else msgspec.json.encode(value)


def to_out(row: dict[str, Any]) -> SuiteOut:
    return SuiteOut(
        id=row["id"],
        name=row["name"],
        version=row["version"],
        rules=_rules_decoder.decode(as_json(row["rules"])),
        createdAt=row["created_at"],
        datasetId=row["dataset_id"],
        datasetName=row["dataset_name"],
        description=row["description"],
        createdBy=row["created_by"],
    )


def check_rules(rules: list[Rule], dataset: DatasetOut) -> None:
    """Refuse a rule that names a column the dataset lacks, or bounds in another unit."""
    columns = {c.name: c for c in dataset.columns if c.role != "timestamp"}
    for index, rule in enumerate(rules):
        for name in rule_columns(rule):
            if name not in columns:
                raise InvalidInput(
                    f"rule {index + 1}: the dataset has no column {name!r}",
                    {"field": f"rules[{index}]", "column": name, "columns": sorted(columns)},
                )
        if isinstance(rule, Range) and rule.unit is not None:
            unit = columns[rule.column].unit
            if unit != rule.unit:
                raise InvalidInput(
                    f"rule {index + 1}: {rule.column} is in {unit or 'no declared unit'}, "
                    f"not {rule.unit}; give the bounds in the column's unit",
                    {"field": f"rules[{index}].unit", "columnUnit": unit, "unit": rule.unit},
                )


async def _next_version(name: str, dataset_id: str | None, dataset_name: str | None) -> int:
    query = QualitySuite.select(QualitySuite.version).where(QualitySuite.name == name)
    query = query.where(
        QualitySuite.dataset_id == dataset_id if dataset_id else QualitySuite.dataset_id.is_null()
    )
    query = query.where(
        QualitySuite.dataset_name == dataset_name
        if dataset_name
        else QualitySuite.dataset_name.is_null()
    )
    rows = await query.order_by(QualitySuite.version, ascending=False).first()
    return (rows["version"] if rows else 0) + 1


async def create_suite(data: SuiteIn, user: str) -> SuiteOut:
    if (data.datasetId is None) == (data.datasetName is None):
        raise InvalidInput(
            "bind the suite to a dataset: give datasetId or datasetName (one of them)",
            {"field": "datasetId"},
        )
    if data.datasetId is not None:
        check_rules(data.rules, await get_dataset(data.datasetId))
    row = QualitySuite(
        id=new_id("qs"),
        name=data.name,
        version=await _next_version(data.name, data.datasetId, data.datasetName),
        dataset_id=data.datasetId,
        dataset_name=data.datasetName,
        description=data.description,
        rules=msgspec.to_builtins(data.rules),
        created_by=user,
        created_at=datetime.now(UTC),
    )
    await row.save()
    return await get_suite(row.id)


async def get_suite(suite_id: str) -> SuiteOut:
    row = await QualitySuite.select().where(QualitySuite.id == suite_id).first()
    if row is None:
        raise NotFound(f"no rule suite {suite_id!r}", {"suiteId": suite_id})
    return to_out(row)


async def list_suites(dataset_id: str | None, name: str | None) -> list[SuiteOut]:
    query = QualitySuite.select()
    if dataset_id:
        dataset = await get_dataset(dataset_id)
        query = query.where(
            (QualitySuite.dataset_id == dataset_id) | (QualitySuite.dataset_name == dataset.name)
        )
    if name:
        query = query.where(QualitySuite.name == name)
    rows = await query.order_by(QualitySuite.created_at, ascending=False)
    return [to_out(r) for r in rows]


def default_rules(dataset: DatasetOut) -> list[Rule]:
    """What every dataset is checked against until it has a suite: all warnings."""
    rules: list[Rule] = [
        NotNull(column=c.name, minShare=0.95, severity="warn")
        for c in dataset.columns
        if c.role != "timestamp"
    ]
    rules += [
        MonotonicTimestamps(severity="warn"),
        NoDuplicateTimestamps(severity="warn"),
        RegularInterval(severity="warn"),
    ]
    return rules


async def suite_for(dataset: DatasetOut, suite_id: str | None, name: str | None) -> SuiteOut:
    """The suite a check of `dataset` uses (see `ValidateRequest`)."""
    if suite_id:
        return await get_suite(suite_id)
    bound = await list_suites(dataset.id, name)
    own = [s for s in bound if s.datasetId == dataset.id]
    if own or bound:
        return (own or bound)[0]
    if name and name != DEFAULT_SUITE:
        raise NotFound(f"no rule suite {name!r} for this dataset", {"suiteName": name})
    return await create_suite(
        SuiteIn(name=DEFAULT_SUITE, rules=default_rules(dataset), datasetId=dataset.id),
        "system",
    )
