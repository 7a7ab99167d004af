"""Each lab route under `/api/...` and under seed 004's `/api/v1/...`."""

from __future__ import annotations


def both(path: str) -> list[str]:
    return [f"/api{path}", f"/api/v1{path}"]
