"""Seed 004's `/experiments` routes and the run table (under `/api` and `/api/v1`)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get, post, put
from litestar.params import Body, Parameter
from litestar.types import ControllerRouterHandler

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.lab import access, experiments, runs
from control_plane.lab.schemas import (
    Comparison,
    ExperimentControl,
    ExperimentCreate,
    ExperimentOut,
    Rename,
    RunCreate,
    RunMetrics,
    RunPage,
    RunRow,
    SaveRequest,
    WeightOut,
)

EXP = "/experiments"
RUNS = "/runs"
Query = Annotated[str | None, Parameter(default=None)]


@get(EXP, tags=["lab"], summary="List experiments, each with its newest run's status")
async def list_experiments(
    user: AuthUser,
    status: Query,
    project_id: Annotated[str | None, Parameter(query="projectId", default=None)],
) -> list[ExperimentOut]:
    await access.require(project_id, user, "read")
    found = await experiments.list_experiments(status, project_id)
    return await _visible(found, user)


async def _visible(found: list[ExperimentOut], user: AuthUser) -> list[ExperimentOut]:
    """Experiments the user may see, each saying whether the user may change it."""
    hidden = set(await access.hidden_projects(user))
    roles: dict[str, str | None] = {}
    out = []
    for e in found:
        if e.projectId in hidden:
            continue
        if e.projectId and e.projectId not in roles:
            roles[e.projectId] = await access.role_in(e.projectId, user)
        role = roles.get(e.projectId or "", "editor" if user.can_write else "viewer")
        out.append(msgspec.structs.replace(e, canEdit=user.can_write and role != "viewer"))
    return out


@post(
    EXP,
    tags=["lab"],
    guards=[writer_guard],
    status_code=201,
    summary="Create an experiment; with datasetId and featurePlanId its first run starts",
)
async def create_experiment(
    request: Request[Any, Any, Any],
    user: AuthUser,
    store: ObjectStore,
    data: ExperimentCreate = Body(),
) -> ExperimentOut:
    await access.require(data.projectId, user, "edit")
    if data.architectureId:  # a private project's architecture is its members' only
        await access.architecture(data.architectureId, user, "read")
    queue = request.app.state.training_queue
    return await experiments.create_experiment(data, user.username, store, queue)


@get(EXP + "/{experiment_id:str}", tags=["lab"], summary="An experiment")
async def get_experiment(experiment_id: str, user: AuthUser) -> ExperimentOut:
    await access.experiment(experiment_id, user, "read")
    return (await _visible([await experiments.get_experiment(experiment_id)], user))[0]


@put(
    EXP + "/{experiment_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Rename an experiment or change its description",
)
async def rename_experiment(
    experiment_id: str, user: AuthUser, data: Rename = Body()
) -> ExperimentOut:
    await access.experiment(experiment_id, user, "edit")
    return await experiments.rename_experiment(experiment_id, data)


@delete(
    EXP + "/{experiment_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Delete an experiment with its runs' logs, events, checkpoints and artifacts",
)
async def delete_experiment(experiment_id: str, user: AuthUser, store: ObjectStore) -> None:
    await access.experiment(experiment_id, user, "edit")
    await experiments.delete_experiment(experiment_id, store)


@post(
    EXP + "/{experiment_id:str}/runs",
    tags=["lab"],
    guards=[writer_guard],
    status_code=202,
    summary="Start another run in an experiment",
)
async def add_run(
    request: Request[Any, Any, Any],
    experiment_id: str,
    user: AuthUser,
    store: ObjectStore,
    data: RunCreate = Body(),
) -> RunRow:
    await access.experiment(experiment_id, user, "edit")
    if data.architectureId:
        await access.architecture(data.architectureId, user, "read")
    queue = request.app.state.training_queue
    return await experiments.add_run(experiment_id, data, user.username, store, queue)


@post(
    EXP + "/{experiment_id:str}/control",
    tags=["lab"],
    guards=[writer_guard],
    status_code=200,
    summary="stop | pause | resume the experiment's active (or named) run",
)
async def control_experiment(
    request: Request[Any, Any, Any],
    experiment_id: str,
    user: AuthUser,
    store: ObjectStore,
    data: ExperimentControl = Body(),
) -> RunRow:
    await access.experiment(experiment_id, user, "edit")
    state = request.app.state
    return await experiments.control(experiment_id, data, state.redis, store, state.training_queue)


@get(
    EXP + "/{experiment_id:str}/metrics",
    tags=["lab"],
    summary="Every run's metric points (loss curves)",
)
async def experiment_metrics(experiment_id: str, user: AuthUser) -> list[RunMetrics]:
    await access.experiment(experiment_id, user, "read")
    return await experiments.metrics(experiment_id)


@post(
    EXP + "/{experiment_id:str}/save",
    tags=["lab"],
    guards=[writer_guard],
    status_code=201,
    summary="Copy a succeeded run's model into the weights library",
)
async def save_experiment(
    experiment_id: str, user: AuthUser, store: ObjectStore, data: SaveRequest = Body()
) -> WeightOut:
    # the library is seen by everyone: what leaves a private project is its editors' call
    await access.experiment(experiment_id, user, "edit")
    return await experiments.save(experiment_id, data, user.username, store)


@get(
    RUNS,
    tags=["lab"],
    summary="The run table: filter and sort on the server",
    description="`sort`: createdAt, name, status, algorithm, `param:<name>` or "
    "`metric:<name>:<last|min|max>`; `order`: asc or desc. `where` (repeatable): "
    "`param:<name><op><value>` or `metric:<name>:<last|min|max><op><value>`, op one of "
    "= != < <= > >= (numbers compare numerically). Runs of private projects the caller is "
    "not a member of are left out.",
)
async def list_runs(
    user: AuthUser,
    status: Query,
    algorithm: Query,
    q: Query,
    experiment_id: Annotated[str | None, Parameter(query="experimentId", default=None)],
    sort: Annotated[str, Parameter(default="createdAt")],
    order: Annotated[str, Parameter(default="desc", pattern="^(asc|desc)$")],
    page: Annotated[int, Parameter(ge=1, default=1)],
    page_size: Annotated[int, Parameter(ge=1, le=1000, default=50, query="pageSize")],
    where: Annotated[list[str] | None, Parameter(default=None)],
) -> RunPage:
    if experiment_id:
        await access.experiment(experiment_id, user, "read")
    return await runs.list_runs(
        experiment_id=experiment_id,
        status=status,
        algorithm=algorithm,
        q=q,
        sort=sort,
        descending=order == "desc",
        page=page,
        page_size=page_size,
        where=where,
        hidden_projects=await access.hidden_projects(user),
    )


@get(
    RUNS + "/compare",
    tags=["lab"],
    summary="Runs side by side: parameter diff, loss curves, metrics per horizon step",
)
async def compare_runs(
    user: AuthUser,
    ids: Annotated[str, Parameter(description="run ids, comma-separated")],
) -> Comparison:
    for run_id in dict.fromkeys(i for i in ids.split(",") if i):
        await access.run(run_id, user, "read")
    return await runs.compare_runs(ids.split(","))


@get(RUNS + "/{run_id:str}", tags=["lab"], summary="One row of the run table")
async def get_run(run_id: str, user: AuthUser) -> RunRow:
    await access.run(run_id, user, "read")
    return await runs.get_run(run_id)


@put(RUNS + "/{run_id:str}", tags=["lab"], guards=[writer_guard], summary="Rename a run")
async def rename_run(run_id: str, user: AuthUser, data: Rename = Body()) -> RunRow:
    await access.run(run_id, user, "edit")
    row = await runs.get_run(run_id)
    return await runs.rename_run(run_id, data.name if isinstance(data.name, str) else row.name)


@delete(
    RUNS + "/{run_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Delete a run: its job, logs, events, checkpoints and unregistered artifacts",
)
async def delete_run(run_id: str, user: AuthUser, store: ObjectStore) -> None:
    await access.run(run_id, user, "edit")
    await runs.delete_run(run_id, store)


run_routes: list[ControllerRouterHandler] = [
    list_experiments,
    create_experiment,
    get_experiment,
    rename_experiment,
    delete_experiment,
    add_run,
    control_experiment,
    experiment_metrics,
    save_experiment,
    list_runs,
    compare_runs,
    get_run,
    rename_run,
    delete_run,
]
