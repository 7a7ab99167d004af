"""Wire shapes of `/api/v2/notebooks`: documents, versions, shares, kernels, executions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from schemas.base import Wire

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Permission = Literal["read", "edit"]
Access = Literal["owner", "edit", "read"]
KernelState = Literal["none", "starting", "idle", "busy", "dead"]
RunState = Literal["queued", "running", "ok", "error", "interrupted", "dead"]


class NotebookCreate(Wire):
    """`content` is an nbformat v4 document (an empty notebook with one code cell when left
    out); `projectId` ties it to a project when there is one."""

    name: Name
    projectId: Annotated[str, Meta(max_length=64)] | None = None
    content: dict[str, Any] | None = None


class NotebookUpdate(Wire):
    """Any of name, project and content; a new content is a new version. `baseVersion`
    (the version the editor loaded) makes a save over a newer version a CONFLICT."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    projectId: Annotated[str, Meta(max_length=64)] | msgspec.UnsetType | None = msgspec.UNSET
    content: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    baseVersion: int | msgspec.UnsetType = msgspec.UNSET
    message: Annotated[str, Meta(max_length=200)] = ""


class NotebookSummary(Wire):
    id: str
    name: str
    owner: str
    projectId: str | None
    version: int
    size: int
    createdAt: datetime
    updatedAt: datetime
    access: Access  # what the caller may do: owner, edit (shared editable), read


class NotebookOut(NotebookSummary):
    """The record and the nbformat v4 document of its latest (or asked) version."""

    content: dict[str, Any]


class NotebookPage(Wire):
    items: list[NotebookSummary]
    total: int
    page: int
    pageSize: int


class VersionOut(Wire):
    version: int
    size: int
    savedBy: str
    savedAt: datetime
    message: str


class ShareRequest(Wire):
    """Share with one user (`user`) or everyone of a role (`role`)."""

    permission: Permission = "read"
    user: str | None = None
    role: Literal["admin", "engineer", "viewer"] | None = None


class ShareOut(Wire):
    id: int
    kind: Literal["user", "role"]
    principal: str
    permission: Permission
    createdBy: str
    createdAt: datetime


class KernelLimits(Wire):
    memoryMb: int
    cpuSeconds: int
    openFiles: int
    idleCullSeconds: int


class KernelOut(Wire):
    """The notebook's kernel; `reason` says why a dead kernel died."""

    notebookId: str
    state: KernelState
    limits: KernelLimits
    reason: str | None = None
    startedAt: datetime | None = None
    lastActivity: datetime | None = None
    executionCount: int = 0
    lastSeq: int = 0  # of the notebook's events: a socket opened with `?after=` this skips history


class ExecuteRequest(Wire):
    """One cell (`cellId`, with the editor's `source` when it differs from the saved one)
    or every code cell in order (`all`)."""

    cellId: str | None = None
    source: str | None = None
    all: bool = False


class CellResult(Wire):
    cellId: str
    status: RunState
    executionCount: int | None = None
    outputs: list[dict[str, Any]] = []


class ExecutionOut(Wire):
    """An execution: its cells' nbformat outputs so far; events stream on
    `/ws/notebooks/{id}`."""

    id: str
    notebookId: str
    status: RunState
    cells: list[CellResult]
    startedBy: str
    startedAt: datetime
    reason: str | None = None


class RunCreate(Wire):
    name: Annotated[str, Meta(max_length=200)] = ""
    params: dict[str, Any] = {}
    experimentId: str | None = None  # a lab experiment: the run is listed beside its jobs


class MetricIn(Wire):
    key: Annotated[str, Meta(min_length=1, max_length=100)]
    value: float
    step: Annotated[int, Meta(ge=0)] = 0


class RunEnd(Wire):
    status: Literal["finished", "failed"] = "finished"


class MetricOut(Wire):
    key: str
    value: float
    step: int
    loggedAt: datetime


class ArtifactOut(Wire):
    name: str
    uri: str
    size: int
    contentType: str
    loggedAt: datetime


class RunOut(Wire):
    """An experiment run whose source is a notebook at one version."""

    id: str
    notebookId: str
    notebookVersion: int
    name: str
    params: dict[str, Any]
    status: Literal["running", "finished", "failed"]
    startedBy: str
    startedAt: datetime
    endedAt: datetime | None = None
    metrics: list[MetricOut] = []
    artifacts: list[ArtifactOut] = []
    experimentId: str | None = None
    modelName: str | None = None  # the model version this run logged, if any
    modelVersion: int | None = None
