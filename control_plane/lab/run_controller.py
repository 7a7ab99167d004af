"""Seed 004's `/experiments` routes and the run table (under `/api` and `/api/v1`)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, delete, get, post, put
from litestar.params import Body, Parameter
from litestar.types import ControllerRouterHandler

from control_plane.adapters.object_store import ObjectStore
from control_plane.auth.security import writer_guard
from control_plane.auth.service import AuthUser
from control_plane.lab import experiments, runs
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
    status: Query, project_id: Annotated[str | None, Parameter(query="projectId", default=None)]
) -> list[ExperimentOut]:
    return await experiments.list_experiments(status, project_id)


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
    queue = request.app.state.training_queue
    return await experiments.create_experiment(data, user.username, store, queue)


@get(EXP + "/{experiment_id:str}", tags=["lab"], summary="An experiment")
async def get_experiment(experiment_id: str) -> ExperimentOut:
    return await experiments.get_experiment(experiment_id)


@put(
    EXP + "/{experiment_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Rename an experiment or change its description",
)
async def rename_experiment(experiment_id: str, data: Rename = Body()) -> ExperimentOut:
    return await experiments.rename_experiment(experiment_id, data)


@delete(
    EXP + "/{experiment_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Delete an experiment with its runs' logs, events, checkpoints and artifacts",
)
async def delete_experiment(experiment_id: str, store: ObjectStore) -> None:
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
    store: ObjectStore,
    data: ExperimentControl = Body(),
) -> RunRow:
    state = request.app.state
    return await experiments.control(experiment_id, data, state.redis, store, state.training_queue)


@get(
    EXP + "/{experiment_id:str}/metrics",
    tags=["lab"],
    summary="Every run's metric points (loss curves)",
)
async def experiment_metrics(experiment_id: str) -> list[RunMetrics]:
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
    return await experiments.save(experiment_id, data, user.username, store)


@get(
    RUNS,
    tags=["lab"],
    summary="The run table: filter and sort on the server",
    description="`sort`: createdAt, name, status, algorithm, `param:<name>` or "
    "`metric:<name>:<last|min|max>`; `order`: asc or desc.",
)
async def list_runs(
    status: Query,
    algorithm: Query,
    q: Query,
    experiment_id: Annotated[str | None, Parameter(query="experimentId", default=None)],
    sort: Annotated[str, Parameter(default="createdAt")],
    order: Annotated[str, Parameter(default="desc", pattern="^(asc|desc)$")],
    page: Annotated[int, Parameter(ge=1, default=1)],
    page_size: Annotated[int, Parameter(ge=1, le=1000, default=50, query="pageSize")],
) -> RunPage:
    return await runs.list_runs(
        experiment_id=experiment_id,
        status=status,
        algorithm=algorithm,
        q=q,
        sort=sort,
        descending=order == "desc",
        page=page,
        page_size=page_size,
    )


@get(
    RUNS + "/compare",
    tags=["lab"],
    summary="Runs side by side: parameter diff, loss curves, metrics per horizon step",
)
async def compare_runs(
    ids: Annotated[str, Parameter(description="run ids, comma-separated")],
) -> Comparison:
    return await runs.compare_runs(ids.split(","))


@get(RUNS + "/{run_id:str}", tags=["lab"], summary="One row of the run table")
async def get_run(run_id: str) -> RunRow:
    return await runs.get_run(run_id)


@put(RUNS + "/{run_id:str}", tags=["lab"], guards=[writer_guard], summary="Rename a run")
async def rename_run(run_id: str, data: Rename = Body()) -> RunRow:
    row = await runs.get_run(run_id)
    return await runs.rename_run(run_id, data.name if isinstance(data.name, str) else row.name)


@delete(
    RUNS + "/{run_id:str}",
    tags=["lab"],
    guards=[writer_guard],
    summary="Delete a run: its job, logs, events, checkpoints and unregistered artifacts",
)
async def delete_run(run_id: str, store: ObjectStore) -> None:
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
