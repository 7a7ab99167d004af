"""Notebook documents: the record in PostgreSQL, every version's `.ipynb` in S3."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

import msgspec

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.service import AuthUser
from control_plane.notebooks import documents
from control_plane.notebooks.access import notebook_for, visible_ids
from control_plane.notebooks.schemas import (
    Access,
    NotebookCreate,
    NotebookOut,
    NotebookPage,
    NotebookSummary,
    NotebookUpdate,
    VersionOut,
)
from control_plane.notebooks.tables import NotebookRow, NotebookShareRow, NotebookVersionRow
from schemas.errors import Conflict, Forbidden, NotFound

IPYNB = "application/x-ipynb+json"


def _key(notebook_id: str, version: int) -> str:
    return f"notebooks/{notebook_id}/v{version}.ipynb"


def _summary(row: NotebookRow, access: Access) -> NotebookSummary:
    return NotebookSummary(
        id=row.id,
        name=row.name,
        owner=row.owner,
        projectId=row.project_id,
        version=row.version,
        size=row.size,
        createdAt=row.created_at,
        updatedAt=row.updated_at,
        access=access,
    )


async def _write_version(
    store: ObjectStore, row: NotebookRow, content: dict[str, Any], by: str, message: str
) -> None:
    """Put the version's file in S3 first: a crash leaves an unused object, never a record
    that points at nothing."""
    data = documents.dump(content)
    key = _key(row.id, row.version)
    await store.put_bytes(key, data, IPYNB)
    row.size = len(data)
    await NotebookVersionRow(
        notebook_id=row.id,
        version=row.version,
        object_key=key,
        size=len(data),
        saved_by=by,
        message=message,
    ).save()


async def create_notebook(store: ObjectStore, user: AuthUser, data: NotebookCreate) -> NotebookOut:
    content = (
        documents.empty_notebook()
        if data.content is None
        else documents.check_notebook(data.content)
    )
    now = datetime.now(UTC)
    row = NotebookRow(
        id=f"nb-{secrets.token_hex(4)}",
        name=data.name,
        owner=user.username,
        project_id=data.projectId,
        version=1,
        created_at=now,
        updated_at=now,
    )
    async with NotebookRow._meta.db.transaction():
        await _write_version(store, row, content, user.username, "created")
        await row.save()
    return NotebookOut(**msgspec.structs.asdict(_summary(row, "owner")), content=content)


async def list_notebooks(
    user: AuthUser, q: str | None, project_id: str | None, page: int, page_size: int
) -> NotebookPage:
    """The caller's own notebooks and those shared with them (admins: all), newest first."""
    query = NotebookRow.objects()
    count = NotebookRow.count()
    shared = await visible_ids(user)
    where = []
    if shared is not None:
        mine = NotebookRow.owner == user.username
        where.append(mine | NotebookRow.id.is_in(shared) if shared else mine)
    if q:
        where.append(NotebookRow.name.ilike(f"%{q}%"))
    if project_id:
        where.append(NotebookRow.project_id == project_id)
    if where:
        query = query.where(*where)
        count = count.where(*where)
    rows = (
        await query.order_by(NotebookRow.updated_at, ascending=False)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    total = await count
    items = []
    for row in rows:
        if user.role == "admin" or row.owner == user.username:
            items.append(_summary(row, "owner"))
        else:
            _, access = await notebook_for(user, row.id)
            items.append(_summary(row, access))
    return NotebookPage(items=items, total=total, page=page, pageSize=page_size)


async def read_content(store: ObjectStore, notebook_id: str, version: int) -> dict[str, Any]:
    row = (
        await NotebookVersionRow.objects()
        .where(
            (NotebookVersionRow.notebook_id == notebook_id)
            & (NotebookVersionRow.version == version)
        )
        .first()
    )
    if row is None:
        raise NotFound(
            f"notebook {notebook_id!r} has no version {version}",
            {"notebookId": notebook_id, "version": version},
        )
    return documents.load(await store.get_bytes(row.object_key))


async def get_notebook(
    store: ObjectStore, user: AuthUser, notebook_id: str, version: int | None = None
) -> NotebookOut:
    row, access = await notebook_for(user, notebook_id)
    content = await read_content(store, row.id, version or row.version)
    return NotebookOut(**msgspec.structs.asdict(_summary(row, access)), content=content)


async def update_notebook(
    store: ObjectStore, user: AuthUser, notebook_id: str, data: NotebookUpdate
) -> NotebookOut:
    row, access = await notebook_for(user, notebook_id, "edit")
    content = None
    if not isinstance(data.content, msgspec.UnsetType):
        content = documents.check_notebook(data.content)
    async with NotebookRow._meta.db.transaction():
        # lock the record: two saves at once get versions one after the other
        locked = await NotebookRow.raw(
            "SELECT version FROM notebook WHERE id = {} FOR UPDATE", row.id
        )
        row.version = locked[0]["version"]
        base = data.baseVersion
        if content is not None and not isinstance(base, msgspec.UnsetType) and base != row.version:
            raise Conflict(
                f"the notebook was saved as version {row.version} since version {base} was opened",
                {"notebookId": row.id, "version": row.version, "baseVersion": base},
            )
        if not isinstance(data.name, msgspec.UnsetType):
            row.name = data.name
        if not isinstance(data.projectId, msgspec.UnsetType):
            row.project_id = data.projectId
        if content is not None:
            row.version += 1
            await _write_version(store, row, content, user.username, data.message)
        row.updated_at = datetime.now(UTC)
        await row.save()
    if content is None:
        content = await read_content(store, row.id, row.version)
    return NotebookOut(**msgspec.structs.asdict(_summary(row, access)), content=content)


async def list_versions(user: AuthUser, notebook_id: str) -> list[VersionOut]:
    await notebook_for(user, notebook_id)
    rows = (
        await NotebookVersionRow.objects()
        .where(NotebookVersionRow.notebook_id == notebook_id)
        .order_by(NotebookVersionRow.version, ascending=False)
    )
    return [
        VersionOut(
            version=r.version,
            size=r.size,
            savedBy=r.saved_by,
            savedAt=r.saved_at,
            message=r.message,
        )
        for r in rows
    ]


async def delete_notebook(store: ObjectStore, user: AuthUser, notebook_id: str) -> None:
    row, access = await notebook_for(user, notebook_id, "edit")
    if access != "owner":
        raise Forbidden("only the owner deletes a notebook", {"notebookId": notebook_id})
    async with NotebookRow._meta.db.transaction():
        await NotebookShareRow.delete().where(NotebookShareRow.notebook_id == row.id)
        await NotebookVersionRow.delete().where(NotebookVersionRow.notebook_id == row.id)
        await NotebookRow.delete().where(NotebookRow.id == row.id)
    await store.remove_prefix(f"notebooks/{row.id}/")
