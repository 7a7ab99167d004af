"""`/api/projects` (also `/api/v1/projects`, seed 002)."""

from __future__ import annotations

from litestar import delete, get, post, put
from litestar.params import Body
from litestar.types import ControllerRouterHandler

from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.lab import access, projects
from control_plane.lab.schemas import (
    MemberBody,
    ProjectBody,
    ProjectLinkBody,
    ProjectOut,
    ProjectPatch,
)

P = "/projects"


@get(P, tags=["lab"], summary="List projects")
async def list_projects(user: AuthUser) -> list[ProjectOut]:
    return await projects.list_projects(user)


@post(
    P,
    tags=["lab"],
    guards=[writer_guard],
    status_code=201,
    summary="Create a project (its creator is its owner)",
)
async def create_project(user: AuthUser, data: ProjectBody = Body()) -> ProjectOut:
    return await projects.create_project(data, user)


@get(P + "/{project_id:str}", tags=["lab"], summary="A project")
async def get_project(project_id: str, user: AuthUser) -> ProjectOut:
    await access.require(project_id, user, "read")
    return await projects.get_project(project_id, user)


@put(
    P + "/{project_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Rename, describe or archive a project",
)
async def update_project(
    project_id: str, user: AuthUser, data: ProjectPatch = Body()
) -> ProjectOut:
    await access.require(project_id, user, "own")
    return await projects.update_project(project_id, data, user)


@delete(
    P + "/{project_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Delete a project without experiments",
)
async def delete_project(project_id: str, user: AuthUser) -> None:
    await access.require(project_id, user, "own")
    await projects.delete_project(project_id)


@post(
    P + "/{project_id:str}/links",
    tags=["lab"],
    guards=[writer_guard],
    status_code=200,
    summary="Group a dataset, feature plan, experiment, model or deployment",
)
async def link_project(
    project_id: str, user: AuthUser, data: ProjectLinkBody = Body()
) -> ProjectOut:
    await access.require(project_id, user, "edit")
    if data.kind == "experiment":  # it leaves its project: change rights there too
        await access.experiment(data.refId, user, "edit")
    return await projects.link(project_id, data, user)


@delete(
    P + "/{project_id:str}/links/{kind:str}/{ref_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    status_code=204,
    summary="Remove a link",
)
async def unlink_project(project_id: str, kind: str, ref_id: str, user: AuthUser) -> None:
    await access.require(project_id, user, "edit")
    await projects.unlink(project_id, kind, ref_id, user)


@put(
    P + "/{project_id:str}/members",
    tags=["lab"],
    guards=[writer_guard],
    summary="Add a member or change a member's role (owner, editor or viewer)",
)
async def set_member(project_id: str, user: AuthUser, data: MemberBody = Body()) -> ProjectOut:
    await access.require(project_id, user, "own")
    return await projects.set_member(project_id, data, user)


@delete(
    P + "/{project_id:str}/members/{username:str}",
    tags=["lab"],
    guards=[writer_guard],
    status_code=204,
    summary="Remove a member (a project keeps at least one owner)",
)
async def remove_member(project_id: str, username: str, user: AuthUser) -> None:
    await access.require(project_id, user, "own")
    await projects.remove_member(project_id, username, user)


project_routes: list[ControllerRouterHandler] = [
    list_projects,
    create_project,
    get_project,
    update_project,
    delete_project,
    link_project,
    unlink_project,
    set_member,
    remove_member,
]
