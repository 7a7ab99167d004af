"""Running cells on a notebook's kernel: each iopub message of the cell becomes an
nbformat output, kept on the execution and published to the notebook's sockets."""

from __future__ import annotations

import asyncio
import logging
import queue
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import nbformat

from control_plane.notebooks.kernels import Kernel, KernelHost
from control_plane.notebooks.schemas import CellResult, ExecutionOut, RunState

log = logging.getLogger("loadstar.notebooks.execution")
POLL_S = 0.2
KEEP_EXECUTIONS = 50  # per host, the newest


@dataclass
class Execution:
    id: str
    notebook_id: str
    started_by: str
    cells: list[CellResult]
    sources: dict[str, str]
    status: RunState = "queued"
    reason: str | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def out(self) -> ExecutionOut:
        return ExecutionOut(
            id=self.id,
            notebookId=self.notebook_id,
            status=self.status,
            cells=list(self.cells),
            reason=self.reason,
            startedBy=self.started_by,
            startedAt=self.started_at,
        )


class Executions:
    """The executions of this host, newest kept."""

    def __init__(self, host: KernelHost) -> None:
        self.host = host
        self.by_id: dict[str, Execution] = {}

    def new(self, notebook_id: str, username: str, cells: list[tuple[str, str]]) -> Execution:
        execution = Execution(
            id=f"ex-{secrets.token_hex(4)}",
            notebook_id=notebook_id,
            started_by=username,
            cells=[CellResult(cellId=cid, status="queued") for cid, _ in cells],
            sources=dict(cells),
        )
        self.by_id[execution.id] = execution
        while len(self.by_id) > KEEP_EXECUTIONS:
            self.by_id.pop(next(iter(self.by_id)))
        return execution

    async def run(self, kernel: Kernel, execution: Execution) -> None:
        """Cells one after another; an error, an interrupt or a dead kernel ends the run
        (the cells after it are not run)."""
        events = self.host.log_of(execution.notebook_id)
        async with kernel.lock:
            execution.status = "running"
            try:
                for i, cell in enumerate(execution.cells):
                    if execution.status != "running":
                        break
                    result = await self._run_cell(kernel, execution, cell.cellId)
                    execution.cells[i] = result
                    if result.status != "ok":
                        execution.status = result.status
                        execution.reason = kernel.reason if result.status == "dead" else None
            except Exception as exc:  # the kernel's channels failed: say so, keep the host
                log.exception("execution %s failed", execution.id)
                execution.status, execution.reason = "error", f"the execution failed: {exc}"
            if execution.status == "running":
                execution.status = "ok"
        execution.done.set()
        await events.publish(
            "execution",
            {"status": execution.status, "reason": execution.reason},
            execution_id=execution.id,
        )

    async def _run_cell(self, kernel: Kernel, execution: Execution, cell_id: str) -> CellResult:
        events = self.host.log_of(execution.notebook_id)
        source = execution.sources[cell_id]
        result = CellResult(cellId=cell_id, status="running")
        await events.publish(
            "cell", {"status": "running"}, execution_id=execution.id, cell_id=cell_id
        )
        if not kernel.alive:
            return await self._finish(execution, result, "dead")
        kernel.state = "busy"
        kernel.touch()
        await events.publish("kernel", {"state": "busy"})
        msg_id = kernel.client.execute(source, store_history=True, allow_stdin=False)
        status: RunState = "ok"
        while True:
            try:
                msg = await kernel.client.get_iopub_msg(timeout=POLL_S)
            except queue.Empty:
                if not kernel.alive or not await kernel.manager.is_alive():
                    status = "dead"
                    break
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            content: dict[str, Any] = msg["content"]
            if kind == "status" and content.get("execution_state") == "idle":
                break
            if kind == "execute_input":
                result.executionCount = content.get("execution_count")
                kernel.execution_count = result.executionCount or kernel.execution_count
            elif kind == "clear_output":
                result.outputs.clear()
                await events.publish(
                    "output", {"clear": True}, execution_id=execution.id, cell_id=cell_id
                )
            elif kind in ("stream", "display_data", "execute_result", "error"):
                output = dict(nbformat.v4.output_from_msg(msg))  # type: ignore[no-untyped-call]
                _append(result.outputs, output)
                await events.publish("output", output, execution_id=execution.id, cell_id=cell_id)
                if kind == "error":
                    interrupted = content.get("ename") == "KeyboardInterrupt"
                    status = "interrupted" if interrupted else "error"
        if status == "dead":
            await self.host.mark_dead(kernel, kernel.reason or self.host._exit_reason(kernel))
        else:
            kernel.state = "idle"
            kernel.touch()
            await events.publish("kernel", {"state": "idle"})
        return await self._finish(execution, result, status)

    async def _finish(
        self, execution: Execution, result: CellResult, status: RunState
    ) -> CellResult:
        result.status = status
        payload: dict[str, Any] = {"status": status, "executionCount": result.executionCount}
        await self.host.log_of(execution.notebook_id).publish(
            "cell", payload, execution_id=execution.id, cell_id=result.cellId
        )
        return result


def _append(outputs: list[dict[str, Any]], output: dict[str, Any]) -> None:
    """Consecutive stream outputs of one name are one output, as Jupyter saves them."""
    last = outputs[-1] if outputs else None
    if (
        output.get("output_type") == "stream"
        and last is not None
        and last.get("output_type") == "stream"
        and last.get("name") == output.get("name")
    ):
        outputs[-1] = {**last, "text": last["text"] + output["text"]}
    else:
        outputs.append(output)
