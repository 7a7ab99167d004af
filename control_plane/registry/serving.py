"""What the registry asks of serving before it deletes or renames a model: which deployments
serve it, and Triton's repository to take its versions out of.

The deployments slice fills this in at start-up (`app.state[STATE_KEY]`), so the registry
never imports it: deployments depend on the registry, not the other way round.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec

from triton_repo.publisher import TritonPublisher
from triton_repo.repository import TritonRepository

STATE_KEY = "model_serving"

# (model name, version or None for any, aliases pointing at that version) -> deployment ids
ServedBy = Callable[[str, int | None, list[str]], Awaitable[list[str]]]


class ModelServing(msgspec.Struct, frozen=True, kw_only=True):
    served_by: ServedBy
    publisher: TritonPublisher
    repository: TritonRepository
