"""The model lab's experiments as the notebooks slice sees them: a run may sit in one, and
the lab says whether it exists. The app wires the lab's check into `app.state[STATE_KEY]`,
so the notebooks slice never imports the lab (the lab reads notebook runs)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request

STATE_KEY = "notebook_experiment_check"

# experiment id -> None, or NOT_FOUND (details naming the field `experimentId`)
ExperimentCheck = Callable[[str], Awaitable[None]]


def experiment_check(request: Request[Any, Any, Any]) -> ExperimentCheck:
    return request.app.state[STATE_KEY]  # type: ignore[no-any-return]
