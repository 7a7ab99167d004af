"""A run tracked from a notebook: parameters at its start, metrics by step, artifacts."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loadstar.client import Client


class Run:
    def __init__(self, client: Client, run_id: str) -> None:
        self.client = client
        self.id = run_id

    def _path(self, tail: str = "") -> str:
        return f"/api/v2/notebook-runs/{self.id}{tail}"

    def log_metric(self, key: str, value: float, step: int = 0) -> None:
        self.client.request(
            "POST", self._path("/metrics"), json=[{"key": key, "value": value, "step": step}]
        )

    def log_metrics(self, metrics: dict[str, float], step: int = 0) -> None:
        body = [{"key": k, "value": v, "step": step} for k, v in metrics.items()]
        self.client.request("POST", self._path("/metrics"), json=body)

    def log_artifact(self, path: str | Path, name: str | None = None) -> dict[str, Any]:
        p = Path(path)
        with p.open("rb") as f:
            return self.client.request(  # type: ignore[no-any-return]
                "POST", self._path("/artifacts"), files={"file": (name or p.name, f)}
            )

    def log_model(self, path: str | Path, model_name: str) -> dict[str, Any]:
        """Register the model file as the next version of `model_name` (created when new),
        with this run's last metrics and its notebook as source; the run, with
        `modelName` and `modelVersion`."""
        p = Path(path)
        with p.open("rb") as f:
            return self.client.request(  # type: ignore[no-any-return]
                "POST",
                self._path("/model"),
                data={"modelName": model_name},
                files={"file": (p.name, f)},
            )

    def end(self, status: str = "finished") -> dict[str, Any]:
        return self.client.request("POST", self._path("/end"), json={"status": status})  # type: ignore[no-any-return]

    def info(self) -> dict[str, Any]:
        return self.client.request("GET", self._path())  # type: ignore[no-any-return]

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.end("failed" if kind is not None else "finished")
