"""Who may do what with a notebook: its owner and admins everything, a share read or edit."""

from __future__ import annotations

from typing import Literal

from control_plane.auth.service import AuthUser
from control_plane.notebooks.schemas import Access
from control_plane.notebooks.tables import NotebookRow, NotebookShareRow
from schemas.errors import Forbidden, NotFound

Need = Literal["read", "edit", "execute"]


async def access_of(user: AuthUser, row: NotebookRow) -> Access | None:
    """The caller's access to a notebook, or None when it is neither theirs nor shared."""
    if user.role == "admin" or row.owner == user.username:
        return "owner"
    shares = await NotebookShareRow.select(NotebookShareRow.permission).where(
        NotebookShareRow.notebook_id == row.id,
        ((NotebookShareRow.kind == "user") & (NotebookShareRow.principal == user.username))
        | ((NotebookShareRow.kind == "role") & (NotebookShareRow.principal == user.role)),
    )
    permissions = {s["permission"] for s in shares}
    if "edit" in permissions:
        return "edit"
    return "read" if permissions else None


async def notebook_for(
    user: AuthUser, notebook_id: str, need: Need = "read"
) -> tuple[NotebookRow, Access]:
    """The notebook's record if the caller may `need` it: NOT_FOUND when they may not see
    it at all, FORBIDDEN when they may see it but not do this."""
    row = await NotebookRow.objects().where(NotebookRow.id == notebook_id).first()
    access = None if row is None else await access_of(user, row)
    if row is None or access is None:
        raise NotFound(f"notebook {notebook_id!r} not found", {"notebookId": notebook_id})
    if need == "execute" and not user.can_write:
        raise Forbidden("viewers cannot run notebooks", {"role": user.role})
    if need in ("edit", "execute") and access == "read":
        raise Forbidden("this notebook is shared with you read-only", {"notebookId": notebook_id})
    return row, access


async def visible_ids(user: AuthUser) -> list[str] | None:
    """Ids of the notebooks shared with the caller (None: an admin, who sees all)."""
    if user.role == "admin":
        return None
    rows = await NotebookShareRow.select(NotebookShareRow.notebook_id).where(
        ((NotebookShareRow.kind == "user") & (NotebookShareRow.principal == user.username))
        | ((NotebookShareRow.kind == "role") & (NotebookShareRow.principal == user.role))
    )
    return sorted({r["notebook_id"] for r in rows})
