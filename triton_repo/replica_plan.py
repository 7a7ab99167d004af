"""Pure choices for several Triton replicas: which models a replica must load, and in
which order a call tries the replicas."""

from __future__ import annotations

from collections.abc import Collection, Iterable


def missing_models(
    wanted: Iterable[tuple[str, int]], ready: Collection[tuple[str, int]]
) -> list[str]:
    """The models (sorted, each once) with a wanted version that is not READY. Loading a
    model loads every version in its folder, so one load per model is enough."""
    return sorted({model for model, version in wanted if (model, version) not in ready})


def try_order(start: int, count: int) -> list[int]:
    """Replica indexes for one call: `start` first (round robin), then the others in turn."""
    if count <= 0:
        return []
    first = start % count
    return [(first + i) % count for i in range(count)]
