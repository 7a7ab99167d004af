"""Projects: a name, members with roles, and links to what they group in other slices."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from control_plane.auth.service import AuthUser
from control_plane.lab import access
from control_plane.lab.designs import new_id
from control_plane.lab.schemas import (
    MemberBody,
    ProjectBody,
    ProjectLinkBody,
    ProjectOut,
    ProjectPatch,
)
from control_plane.lab.tables import Experiment, Project, ProjectLink, ProjectMember
from control_plane.row_by_id import row_by_id
from control_plane.struct_rows import from_row
from schemas.errors import Conflict


async def _row(project_id: str) -> dict[str, Any]:
    return await row_by_id(Project, project_id, "project", "projectId")


async def _out(row: dict[str, Any], user: AuthUser) -> ProjectOut:
    pid = row["id"]
    members = await ProjectMember.select().where(ProjectMember.project_id == pid)
    links = await ProjectLink.select().where(ProjectLink.project_id == pid)
    experiments = await Experiment.count().where(Experiment.project_id == pid)
    return from_row(
        ProjectOut,
        row,
        id=pid,
        members=[MemberBody(username=m["username"], role=m["role"]) for m in members],
        links=[from_row(ProjectLinkBody, k) for k in links],
        experiments=experiments,
        myRole=await access.role_in(pid, user),
    )


async def create_project(body: ProjectBody, user: AuthUser) -> ProjectOut:
    pid, stamp = new_id("prj"), datetime.now(UTC)
    await Project(
        id=pid,
        name=body.name,
        description=body.description,
        private=body.private,
        created_by=user.username,
        created_at=stamp,
        updated_at=stamp,
    ).save()
    await ProjectMember(project_id=pid, username=user.username, role="owner").save()
    return await get_project(pid, user)


async def get_project(project_id: str, user: AuthUser) -> ProjectOut:
    return await _out(await _row(project_id), user)


async def list_projects(user: AuthUser) -> list[ProjectOut]:
    hidden = set(await access.hidden_projects(user))
    rows = await Project.select().order_by(Project.created_at, ascending=False)
    return [await _out(r, user) for r in rows if r["id"] not in hidden]


async def update_project(project_id: str, patch: ProjectPatch, user: AuthUser) -> ProjectOut:
    await _row(project_id)
    changes: dict[Any, Any] = {Project.updated_at: datetime.now(UTC)}
    for field, column in (
        ("name", Project.name),
        ("description", Project.description),
        ("status", Project.status),
        ("private", Project.private),
    ):
        value = getattr(patch, field)
        if value is not msgspec.UNSET:
            changes[column] = value
    await Project.update(changes).where(Project.id == project_id)
    return await get_project(project_id, user)


async def delete_project(project_id: str) -> None:
    """Refused while experiments belong to it (delete or move them first)."""
    await _row(project_id)
    if await Experiment.count().where(Experiment.project_id == project_id):
        raise Conflict("the project still has experiments", {"projectId": project_id})
    await ProjectLink.delete().where(ProjectLink.project_id == project_id)
    await ProjectMember.delete().where(ProjectMember.project_id == project_id)
    await Project.delete().where(Project.id == project_id)


async def link(project_id: str, body: ProjectLinkBody, user: AuthUser) -> ProjectOut:
    await _row(project_id)
    if body.kind == "experiment":
        await Experiment.update({Experiment.project_id: project_id}).where(
            Experiment.id == body.refId
        )
    else:
        exists = await ProjectLink.exists().where(
            (ProjectLink.project_id == project_id)
            & (ProjectLink.kind == body.kind)
            & (ProjectLink.ref_id == body.refId)
        )
        if not exists:
            await ProjectLink(project_id=project_id, kind=body.kind, ref_id=body.refId).save()
    return await get_project(project_id, user)


async def unlink(project_id: str, kind: str, ref_id: str, user: AuthUser) -> ProjectOut:
    await _row(project_id)
    await ProjectLink.delete().where(
        (ProjectLink.project_id == project_id)
        & (ProjectLink.kind == kind)
        & (ProjectLink.ref_id == ref_id)
    )
    return await get_project(project_id, user)


async def _owners_left(project_id: str, username: str) -> int:
    """Owners of the project other than `username`."""
    return int(
        await ProjectMember.count().where(
            (ProjectMember.project_id == project_id)
            & (ProjectMember.role == "owner")
            & (ProjectMember.username != username)
        )
    )


async def set_member(project_id: str, body: MemberBody, user: AuthUser) -> ProjectOut:
    """Add a member or change a member's role; a project keeps at least one owner."""
    await _row(project_id)
    if body.role != "owner" and not await _owners_left(project_id, body.username):
        raise Conflict(
            f"{body.username} is the project's last owner: make someone else owner first",
            {"projectId": project_id, "username": body.username},
        )
    await ProjectMember.delete().where(
        (ProjectMember.project_id == project_id) & (ProjectMember.username == body.username)
    )
    await ProjectMember(project_id=project_id, username=body.username, role=body.role).save()
    return await get_project(project_id, user)


async def remove_member(project_id: str, username: str, user: AuthUser) -> ProjectOut:
    await _row(project_id)
    if not await _owners_left(project_id, username):
        raise Conflict(
            f"{username} is the project's last owner: make someone else owner first",
            {"projectId": project_id, "username": username},
        )
    await ProjectMember.delete().where(
        (ProjectMember.project_id == project_id) & (ProjectMember.username == username)
    )
    return await get_project(project_id, user)
