"""The records lineage is derived from, read by reference: datasets, plans, jobs, versions,
deployments. No lineage table of its own: every edge is a column of some record.

Lineage is the one read model over the other slices' records: it reads `dataset`,
`feature_plan`, `training_job`, `model_version` and `deployment` with plain SQL (only once
`to_regclass` says a table exists, and only through the columns every version of it has)
and imports none of those slices, so the slices that ask it "who refers to this?"
(features before deleting a plan, the registry before accepting a version's sources)
depend on it one way only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from control_plane.lineage.tables import ExternalNode

NodeType = Literal["dataset", "featurePlan", "trainingJob", "modelVersion", "deployment"]
NODE_TYPES: tuple[NodeType, ...] = (
    "dataset",
    "featurePlan",
    "trainingJob",
    "modelVersion",
    "deployment",
)
_TABLES: dict[NodeType, str] = {
    "dataset": "dataset",
    "featurePlan": "feature_plan",
    "trainingJob": "training_job",
    "deployment": "deployment",
}


@dataclass(frozen=True)
class Ref:
    type: str  # a NodeType, or an external node's type
    id: str

    @property
    def derived(self) -> bool:
        return self.type in NODE_TYPES


@dataclass(frozen=True)
class Record:
    """One record: its label and what it references, most specific first."""

    ref: Ref
    label: str
    refs: tuple[Ref, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    created_at: datetime | None = field(default=None, compare=False, hash=False)


def version_id(model: str, version: int) -> str:
    return f"{model}:{version}"


def split_version_id(node_id: str) -> tuple[str, int] | None:
    """`name:3` or `name/3` -> (name, 3); None when it is neither."""
    for sep in (":", "/"):
        name, found, number = node_id.strip("/").rpartition(sep)
        if found and name and number.isdigit():
            return name, int(number)
    return None


async def _table_exists(name: str) -> bool:
    rows = await ExternalNode.raw("SELECT to_regclass({}) IS NOT NULL AS present", name)
    return bool(rows[0]["present"])


async def _optional_rows(node_type: NodeType, where: str, *args: Any) -> list[dict[str, Any]]:
    """Rows of another slice's table, or none while that table does not exist yet."""
    table = _TABLES[node_type]
    if not await _table_exists(table):
        return []
    rows: list[dict[str, Any]] = await ExternalNode.raw(
        f"SELECT * FROM {table} WHERE {where}", *args
    )
    return rows


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _dataset(row: dict[str, Any]) -> Record:
    label = _text(row.get("name")) or str(row["id"])
    return Record(Ref("dataset", str(row["id"])), label, created_at=row.get("created_at"))


def _plan(row: dict[str, Any]) -> Record:
    refs = (Ref("dataset", row["dataset_id"]),)
    label = row["name"] or row["id"]
    return Record(Ref("featurePlan", row["id"]), label, refs, created_at=row.get("created_at"))


def _job(row: dict[str, Any]) -> Record:
    refs = [Ref("featurePlan", p)] if (p := _text(row.get("feature_plan_id"))) else []
    refs += [Ref("dataset", d)] if (d := _text(row.get("dataset_id"))) else []
    status = _text(row.get("status"))
    label = str(row["id"]) + (f" ({status})" if status else "")
    return Record(
        Ref("trainingJob", str(row["id"])),
        label,
        tuple(refs),
        {"status": status},
        created_at=row.get("created_at"),
    )


def _version(row: dict[str, Any]) -> Record:
    refs = [Ref("trainingJob", j)] if (j := row["source_job_id"]) else []
    refs += [Ref("featurePlan", p)] if (p := row["feature_plan_id"]) else []
    refs += [Ref("dataset", d)] if (d := row["dataset_id"]) else []
    name, number = row["model.name"], row["version"]
    label = f"{name} v{number} ({row['stage']})"
    ref = Ref("modelVersion", version_id(name, number))
    return Record(ref, label, tuple(refs), created_at=row.get("created_at"))


def _deployment(row: dict[str, Any]) -> Record:
    refs: tuple[Ref, ...] = ()
    model, number = _text(row.get("model_name")), _text(row.get("model_version"))
    if model and number:
        refs = (Ref("modelVersion", f"{model}:{number}"),)
    label = _text(row.get("name")) or str(row["id"])
    return Record(Ref("deployment", str(row["id"])), label, refs, created_at=row.get("created_at"))


# a version with its model's name, as `_version` reads it
_VERSIONS = (
    'SELECT m.name AS "model.name", v.version, v.stage, v.source_job_id, v.feature_plan_id, '
    "v.dataset_id, v.created_at FROM model_version v JOIN registered_model m ON m.id = v.model"
)


async def fetch(ref: Ref) -> Record | None:
    """The record behind `ref`, or None when there is none."""
    if ref.type == "modelVersion":
        parsed = split_version_id(ref.id)
        if parsed is None:
            return None
        versions = await _versions_where("m.name = {} AND v.version = {}", *parsed)
        return versions[0] if versions else None
    if not ref.derived:
        return None
    rows = await _optional_rows(cast(NodeType, ref.type), "id = {}", ref.id)
    if not rows:
        return None
    build = {
        "dataset": _dataset,
        "featurePlan": _plan,
        "trainingJob": _job,
        "deployment": _deployment,
    }[ref.type]
    return build(rows[0])


async def referencing(ref: Ref) -> list[Record]:
    """Every record with a column pointing at `ref` (candidates for its children)."""
    found: list[Record] = []
    if ref.type == "dataset":
        found += [_plan(r) for r in await _optional_rows("featurePlan", "dataset_id = {}", ref.id)]
        found += [_job(r) for r in await _optional_rows("trainingJob", "dataset_id = {}", ref.id)]
        found += await _versions_where("v.dataset_id = {}", ref.id)
    elif ref.type == "featurePlan":
        jobs = await _optional_rows("trainingJob", "feature_plan_id = {}", ref.id)
        found += [_job(r) for r in jobs]
        found += await _versions_where("v.feature_plan_id = {}", ref.id)
    elif ref.type == "trainingJob":
        found += await _versions_where("v.source_job_id = {}", ref.id)
    elif ref.type == "modelVersion" and (parsed := split_version_id(ref.id)):
        rows = await _optional_rows(
            "deployment", "model_name = {} AND model_version::text = {}", parsed[0], str(parsed[1])
        )
        found += [_deployment(r) for r in rows]
    return found


async def _versions_where(where: str | None, *args: Any) -> list[Record]:
    if not await _table_exists("model_version"):
        return []
    condition = f" WHERE {where}" if where else ""
    rows = await ExternalNode.raw(f"{_VERSIONS}{condition} ORDER BY v.id", *args)
    return [_version(r) for r in rows]


_BULK_COLUMNS: dict[NodeType, str] = {
    "dataset": "id, name, created_at",
    "featurePlan": "id, name, dataset_id, created_at",
    "trainingJob": "id, status, dataset_id, feature_plan_id, created_at",
    "deployment": "id, name, model_name, model_version, created_at",
}


async def _all_rows(node_type: NodeType) -> list[dict[str, Any]]:
    table = _TABLES[node_type]
    if not await _table_exists(table):
        return []
    rows: list[dict[str, Any]] = await ExternalNode.raw(
        f"SELECT {_BULK_COLUMNS[node_type]} FROM {table}"
    )
    return rows


async def every_record(types: set[str]) -> list[Record]:
    """Every record of the given derived types, in one query per table."""
    found: list[Record] = []
    if "dataset" in types:
        found += [_dataset(r) for r in await _all_rows("dataset")]
    if "featurePlan" in types:
        found += [_plan(r) for r in await _all_rows("featurePlan")]
    if "trainingJob" in types:
        found += [_job(r) for r in await _all_rows("trainingJob")]
    if "modelVersion" in types:
        found += await _versions_where(None)
    if "deployment" in types:
        found += [_deployment(r) for r in await _all_rows("deployment")]
    return found
