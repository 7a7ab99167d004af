"""The run table as one SQL query: filter, sort and page in PostgreSQL.

A run is a training job (`training_job`) with its lab record (`lab_run`, optional) and its
folded metric summary (`lab_run_summary.metrics`: `{metric: {last, min, max}}`). Sorting and
filtering by a parameter or a metric reads the JSONB columns directly, so only the page's
rows leave the database. Everything a caller names becomes a bound argument, never SQL text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from schemas.errors import InvalidInput

COLUMNS = {
    "createdAt": "j.created_at",
    "name": "COALESCE(NULLIF(r.name, ''), j.id)",
    "status": "j.status",
    "algorithm": "j.algorithm",
}
STATS = ("last", "min", "max")
OPERATORS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_FILTER = re.compile(r"^(param|metric):([^<>=!]+?)(=|!=|<=|>=|<|>)(.*)$")
SORT_HELP = [*COLUMNS, "param:<name>", "metric:<name>:<last|min|max>"]


@dataclass
class Query:
    """SQL fragments with `{}` placeholders and their arguments, in order."""

    where: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    def add(self, sql: str, *values: Any) -> None:
        self.where.append(sql)
        self.args.extend(values)

    def clause(self) -> str:
        return " AND ".join(self.where) if self.where else "TRUE"


def param_path(name: str) -> list[str]:
    """A flattened parameter name as a JSONB path into `hyperparams` (the graph by its name)."""
    if name == "architecture":
        return ["architecture", "name"]
    return name.split(".")


def metric_path(spec: str) -> list[str]:
    """`valLoss`, `valLoss:min`, `test.mae:last` -> [metric, stat] (last by default)."""
    name, _, stat = spec.rpartition(":")
    if stat not in STATS:
        name, stat = spec, "last"
    if not name:
        raise InvalidInput(f"name a metric in {spec!r}", {"field": "sort"})
    return [name, stat]


def column_expr(spec: str, field_name: str = "sort") -> tuple[str, list[Any]]:
    """SQL (and its arguments) for a sortable column: a run column, `param:<name>` or
    `metric:<name>[:stat]` (JSONB values: numbers order numerically, before strings)."""
    if spec in COLUMNS:
        return COLUMNS[spec], []
    kind, _, rest = spec.partition(":")
    if kind == "param" and rest:
        return "(j.hyperparams #> {})", [param_path(rest)]
    if kind == "metric" and rest:
        return "(s.metrics #> {})", [metric_path(rest)]
    raise InvalidInput(
        f"cannot sort or filter by {spec!r}", {"field": field_name, "allowed": SORT_HELP}
    )


def _literal(text: str) -> Any:
    """A filter's value: a number when it reads as one, else the text."""
    try:
        return float(text)
    except ValueError:
        return text


def add_filter(query: Query, text: str) -> None:
    """`param:lr=0.001`, `metric:valLoss:min<0.5`, `param:optimizer!=adam`: a JSONB value
    compared with a number (numerically) or with text."""
    match = _FILTER.match(text.strip())
    if match is None:
        raise InvalidInput(
            f"cannot read the filter {text!r}: write param:<name><op><value> or "
            "metric:<name>:<last|min|max><op><value> with op one of = != < <= > >=",
            {"field": "where", "where": text},
        )
    kind, name, op, raw = match.groups()
    column, (path,) = column_expr(f"{kind}:{name.strip()}", "where")
    value, sql_op = _literal(raw.strip()), OPERATORS[op]
    if isinstance(value, float):
        query.add(
            f"jsonb_typeof({column}) = 'number' AND ({column})::text::float8 {sql_op} {{}}",
            path,
            path,
            value,
        )
    else:
        query.add(f"(jsonb_build_array({column}) ->> 0) {sql_op} {{}}", path, value)


SELECT = """
SELECT j.id, j.status, j.algorithm, j.hyperparams, j.dataset_id, j.feature_plan_id,
       j.created_at, j.last_seq, j.progress, j.error, j.finished_at, r.name AS run_name,
       r.experiment_id, r.architecture_id, r.augmentation_id, r.weight_id,
       COALESCE(r.kind, 'training') AS kind,
       s.metrics, count(*) OVER () AS total
FROM training_job j
LEFT JOIN lab_run r ON r.job_id = j.id
LEFT JOIN lab_experiment e ON e.id = r.experiment_id
LEFT JOIN lab_run_summary s ON s.job_id = j.id
WHERE {where}
ORDER BY {order} {direction} NULLS LAST, j.created_at DESC, j.id
LIMIT {{}} OFFSET {{}}
"""

COLUMN_NAMES = """
WITH picked AS (
  SELECT j.hyperparams, s.metrics FROM training_job j
  LEFT JOIN lab_run r ON r.job_id = j.id
  LEFT JOIN lab_experiment e ON e.id = r.experiment_id
  LEFT JOIN lab_run_summary s ON s.job_id = j.id
  WHERE {where}
)
SELECT DISTINCT 'param' AS kind,
       CASE WHEN jsonb_typeof(p.value) = 'object' AND p.key <> 'architecture'
            THEN p.key || '.' || sub.key ELSE p.key END AS name
FROM picked, jsonb_each(COALESCE(picked.hyperparams, jsonb_build_object())) AS p
LEFT JOIN LATERAL jsonb_object_keys(
  CASE WHEN jsonb_typeof(p.value) = 'object' THEN p.value ELSE jsonb_build_object() END
) AS sub(key) ON TRUE
WHERE NOT (jsonb_typeof(p.value) = 'object' AND p.key <> 'architecture' AND sub.key IS NULL)
UNION
SELECT DISTINCT 'metric', m.key
FROM picked, jsonb_object_keys(COALESCE(picked.metrics, jsonb_build_object())) AS m(key)
"""

COUNT = """
SELECT count(*) AS total FROM training_job j
LEFT JOIN lab_run r ON r.job_id = j.id
LEFT JOIN lab_experiment e ON e.id = r.experiment_id
LEFT JOIN lab_run_summary s ON s.job_id = j.id
WHERE {where}
"""
