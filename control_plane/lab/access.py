"""Who may read or change a project's things (experiments, runs, architectures).

Each project has members with a role: `owner` (everything, members included), `editor`
(change its experiments, runs and architectures) or `viewer` (read only). A private project
is seen by its members only; a shared one can be read by everyone signed in and changed by
its owners and editors. Admins may do everything. Things outside any project follow the
platform's roles alone (the writer guard of each route).
"""

from __future__ import annotations

from typing import Literal

from control_plane.auth.service import AuthUser
from control_plane.lab.tables import Architecture, Experiment, Project, ProjectMember, Run
from schemas.errors import Forbidden

Role = Literal["owner", "editor", "viewer"]
Need = Literal["read", "edit", "own"]
_RANK: dict[str, int] = {"viewer": 0, "editor": 1, "owner": 2}


async def role_in(project_id: str, user: AuthUser) -> Role | None:
    """The user's role in the project: a member's own, `owner` for admins, `viewer` for
    everyone else when the project is shared, None when it is private."""
    if user.role == "admin":
        return "owner"
    member = (
        await ProjectMember.select(ProjectMember.role)
        .where((ProjectMember.project_id == project_id) & (ProjectMember.username == user.username))
        .first()
    )
    if member is not None:
        return member["role"] if member["role"] in _RANK else "viewer"  # type: ignore[no-any-return]
    project = await Project.select(Project.private).where(Project.id == project_id).first()
    if project is None or not project["private"]:
        return "viewer"
    return None


async def require(project_id: str | None, user: AuthUser, need: Need) -> None:
    """FORBIDDEN, in plain words, unless the user may `need` the project's things."""
    if not project_id:
        return
    project = await Project.select(Project.name).where(Project.id == project_id).first()
    if project is None:
        return  # the service says NOT_FOUND
    role, name = await role_in(project_id, user), project["name"]
    if role is None:
        raise Forbidden(
            f"project {name!r} is private: only its members can see it",
            {"projectId": project_id, "need": need},
        )
    wanted = {"read": "viewer", "edit": "editor", "own": "owner"}[need]
    if _RANK[role] < _RANK[wanted]:
        what = "change its members or settings" if need == "own" else "change its things"
        raise Forbidden(
            f"you are a {role} of project {name!r}: only its "
            f"{'owners' if need == 'own' else 'owners and editors'} can {what}",
            {"projectId": project_id, "role": role, "need": need},
        )


async def hidden_projects(user: AuthUser) -> list[str]:
    """Private projects the user is not a member of (none for admins)."""
    if user.role == "admin":
        return []
    private = await Project.select(Project.id).where(Project.private.eq(True))
    if not private:
        return []
    mine = await ProjectMember.select(ProjectMember.project_id).where(
        ProjectMember.username == user.username
    )
    joined = {m["project_id"] for m in mine}
    return [p["id"] for p in private if p["id"] not in joined]


async def experiment_project(experiment_id: str) -> str | None:
    row = (
        await Experiment.select(Experiment.project_id).where(Experiment.id == experiment_id).first()
    )
    return row["project_id"] if row else None


async def run_project(job_id: str) -> str | None:
    row = await Run.select(Run.experiment_id).where(Run.job_id == job_id).first()
    return await experiment_project(row["experiment_id"]) if row and row["experiment_id"] else None


async def architecture_project(arch_id: str) -> str | None:
    row = (
        await Architecture.select(Architecture.project_id).where(Architecture.id == arch_id).first()
    )
    return row["project_id"] if row else None


async def experiment(experiment_id: str, user: AuthUser, need: Need) -> None:
    await require(await experiment_project(experiment_id), user, need)


async def run(job_id: str, user: AuthUser, need: Need) -> None:
    await require(await run_project(job_id), user, need)


async def architecture(arch_id: str, user: AuthUser, need: Need) -> None:
    await require(await architecture_project(arch_id), user, need)
