"""A slice's record by its `id`, or the NOT_FOUND that names it: the lookup every slice's
service starts its reads and writes with, written once."""

from __future__ import annotations

from typing import Any

from piccolo.table import Table

from schemas.errors import NotFound


async def row_by_id(table: type[Table], key: str, what: str, field: str) -> dict[str, Any]:
    """The row of `table` whose `id` is `key`, its JSON columns loaded; NOT_FOUND ("`what`
    'key' not found", with `{field: key}` in the details) when there is none."""
    id_column = table._meta.get_column_by_name("id")
    row: dict[str, Any] | None = (
        await table.select().where(id_column == key).output(load_json=True).first()
    )
    if row is None:
        raise NotFound(f"{what} {key!r} not found", {field: key})
    return row
