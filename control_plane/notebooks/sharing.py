"""Shares: a notebook's owner (or an admin) lets a user or a role read or edit it."""

from __future__ import annotations

from control_plane.auth.service import AuthUser, user_exists
from control_plane.notebooks.access import notebook_for
from control_plane.notebooks.schemas import ShareOut, ShareRequest
from control_plane.notebooks.tables import NotebookShareRow
from schemas.errors import Forbidden, InvalidInput, NotFound


def _out(row: NotebookShareRow) -> ShareOut:
    return ShareOut(
        id=row.id,
        kind=row.kind,  # type: ignore[arg-type]
        principal=row.principal,
        permission=row.permission,  # type: ignore[arg-type]
        createdBy=row.created_by,
        createdAt=row.created_at,
    )


async def _owned(user: AuthUser, notebook_id: str) -> None:
    _, access = await notebook_for(user, notebook_id)
    if access != "owner":
        raise Forbidden("only the owner shares a notebook", {"notebookId": notebook_id})


async def share(user: AuthUser, notebook_id: str, data: ShareRequest) -> ShareOut:
    """Grant (or change) one share; sharing again with the same principal replaces it."""
    await _owned(user, notebook_id)
    if (data.user is None) == (data.role is None):
        raise InvalidInput("give either `user` or `role`", {"field": "user"})
    if data.user is not None:
        kind, principal = "user", data.user
        if not await user_exists(principal):
            raise InvalidInput(f"no user named {principal!r}", {"field": "user"})
    else:
        kind, principal = "role", str(data.role)
    async with NotebookShareRow._meta.db.transaction():
        await NotebookShareRow.delete().where(
            (NotebookShareRow.notebook_id == notebook_id)
            & (NotebookShareRow.kind == kind)
            & (NotebookShareRow.principal == principal)
        )
        row = NotebookShareRow(
            notebook_id=notebook_id,
            kind=kind,
            principal=principal,
            permission=data.permission,
            created_by=user.username,
        )
        await row.save()
    return _out(row)


async def list_shares(user: AuthUser, notebook_id: str) -> list[ShareOut]:
    await notebook_for(user, notebook_id)
    rows = (
        await NotebookShareRow.objects()
        .where(NotebookShareRow.notebook_id == notebook_id)
        .order_by(NotebookShareRow.id)
    )
    return [_out(r) for r in rows]


async def unshare(user: AuthUser, notebook_id: str, share_id: int) -> None:
    await _owned(user, notebook_id)
    deleted = (
        await NotebookShareRow.delete()
        .where((NotebookShareRow.notebook_id == notebook_id) & (NotebookShareRow.id == share_id))
        .returning(NotebookShareRow.id)
    )
    if not deleted:
        raise NotFound(f"share {share_id} not found", {"shareId": share_id})
