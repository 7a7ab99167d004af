"""`Client`: the control plane's public API, one method per thing a notebook does."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import polars as pl

from loadstar.tracking import Run

Json = dict[str, Any]
TERMINAL_JOB_STATES = {"succeeded", "failed", "cancelled"}


class LoadstarError(Exception):
    """The API's standard error: `code`, `message`, `details`, and the HTTP status."""

    def __init__(self, status: int, code: str, message: str, details: Json) -> None:
        super().__init__(f"{code} ({status}): {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details


class Client:
    """A signed-in session. `Client.login(url, user, password)` or `connect()` (from
    LOADSTAR_URL and LOADSTAR_TOKEN, as a notebook's kernel has them)."""

    def __init__(self, url: str, token: str, *, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )

    @classmethod
    def login(cls, url: str, username: str, password: str) -> Client:
        resp = httpx.post(
            f"{url.rstrip('/')}/api/auth/login",
            json={"username": username, "password": password},
            timeout=30,
        )
        _raise_for(resp)
        return cls(url, resp.json()["accessToken"])

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call; the decoded JSON answer, or `LoadstarError`."""
        resp = self._http.request(method, path, **kwargs)
        _raise_for(resp)
        return resp.json() if resp.content else None

    # who
    def me(self) -> Json:
        return self.request("GET", "/api/auth/me")  # type: ignore[no-any-return]

    # datasets
    def datasets(self, q: str | None = None, page_size: int = 200) -> list[Json]:
        params: dict[str, Any] = {"pageSize": page_size}
        if q:
            params["q"] = q
        return self.request("GET", "/api/datasets", params=params)["items"]  # type: ignore[no-any-return]

    def dataset(self, dataset_id: str) -> Json:
        return self.request("GET", f"/api/datasets/{dataset_id}")  # type: ignore[no-any-return]

    def read_dataset(self, dataset_id: str, limit: int | None = None) -> pl.DataFrame:
        """The dataset's canonical rows as a polars frame (timestamps parsed, UTC)."""
        rows: list[Json] = []
        columns: list[str] = []
        offset = 0
        while limit is None or offset < limit:
            page_size = 1000 if limit is None else min(1000, limit - offset)
            page = self.request(
                "GET",
                f"/api/datasets/{dataset_id}/preview",
                params={"offset": offset, "limit": page_size},
            )
            columns = page["columns"]
            rows.extend(page["rows"])
            offset += len(page["rows"])
            if not page["rows"] or offset >= page["total"]:
                break
        frame = pl.DataFrame(
            rows, schema=columns if not rows else None, orient="row" if not rows else None
        )
        if "timestamp" in frame.columns and frame.schema["timestamp"] == pl.String:
            frame = frame.with_columns(pl.col("timestamp").str.to_datetime(time_zone="UTC"))
        return frame

    # explore and features
    def explore(self, dataset_id: str, sample_size: int = 20) -> Json:
        return self.request(  # type: ignore[no-any-return]
            "GET",
            "/api/explore/preview",
            params={"datasetId": dataset_id, "sampleSize": sample_size},
        )

    def suggest(self, dataset_id: str, target: str) -> Json:
        return self.request(  # type: ignore[no-any-return]
            "POST", "/api/explore/suggest", json={"datasetId": dataset_id, "target": target}
        )

    def auto_plan(self, dataset_id: str, target: str, **choices: Any) -> Json:
        body = {"datasetId": dataset_id, "target": target, **choices}
        return self.request("POST", "/api/features/auto", json=body)["plan"]  # type: ignore[no-any-return]

    def create_plan(self, plan: Json) -> Json:
        return self.request("POST", "/api/features/plans", json=plan)  # type: ignore[no-any-return]

    def plan(self, plan_id: str) -> Json:
        return self.request("GET", f"/api/features/plans/{plan_id}")  # type: ignore[no-any-return]

    # training
    def submit_training(self, body: Json) -> Json:
        """Queue a job (`datasetId`, `featurePlanId`, ...: the API's CreateJob)."""
        return self.request("POST", "/api/training/jobs", json=body)  # type: ignore[no-any-return]

    def job(self, job_id: str) -> Json:
        return self.request("GET", f"/api/training/jobs/{job_id}")  # type: ignore[no-any-return]

    def wait_for_job(self, job_id: str, timeout: float = 3600, every: float = 2.0) -> Json:
        """Follow a job until it ends; its last state."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job["status"] in TERMINAL_JOB_STATES or time.monotonic() > deadline:
                return job
            time.sleep(every)

    def job_metrics(self, job_id: str) -> pl.DataFrame:
        return pl.DataFrame(self.request("GET", f"/api/training/jobs/{job_id}/metrics"))

    # registry
    def models(self) -> list[Json]:
        return self.request("GET", "/api/registry/models")["items"]  # type: ignore[no-any-return]

    def model_versions(self, name: str, stage: str | None = None) -> list[Json]:
        """The model's versions, newest first (optionally those in one stage)."""
        params: dict[str, Any] = {"pageSize": 200}
        if stage:
            params["stage"] = stage
        path = f"/api/registry/models/{name}/versions"
        return self.request("GET", path, params=params)["items"]  # type: ignore[no-any-return]

    def model_version(self, name: str, version: int) -> Json:
        return self.request("GET", f"/api/registry/models/{name}/versions/{version}")  # type: ignore[no-any-return]

    def model_card(self, name: str, version: int) -> Json:
        return self.model_version(name, version).get("card") or {}

    def register_version(self, job_id: str, model_name: str, **fields: Any) -> Json:
        """Register a finished training job's model as a new version of `model_name`."""
        body = {"modelName": model_name, **fields}
        return self.request("POST", f"/api/training/jobs/{job_id}/register", json=body)  # type: ignore[no-any-return]

    # deployments
    def deployments(self, model_id: str | None = None) -> list[Json]:
        """Every deployment (or those of one model), each with its state and version."""
        params = {"modelId": model_id} if model_id else {}
        return self.request("GET", "/api/deployments", params=params)  # type: ignore[no-any-return]

    def predict(self, deployment_id: str, series: list[Json], **fields: Any) -> Json:
        """The deployment's standard forecast for a window of raw readings."""
        body = {"deploymentId": deployment_id, "series": series, **fields}
        return self.request("POST", "/api/inference/predict", json=body)  # type: ignore[no-any-return]

    # tracking
    def start_run(
        self,
        name: str = "",
        params: Json | None = None,
        notebook_id: str | None = None,
        experiment_id: str | None = None,
    ) -> Run:
        """A tracked run of a notebook (this kernel's, LOADSTAR_NOTEBOOK_ID, unless named):
        log metrics, artifacts and a model on it; `with client.start_run(...) as run:` ends
        it, failed on an exception. With `experiment_id` the run is listed in that lab
        experiment's run table beside its training jobs."""
        notebook_id = notebook_id or os.environ.get("LOADSTAR_NOTEBOOK_ID")
        if not notebook_id:
            raise RuntimeError("runs are tracked from a notebook (LOADSTAR_NOTEBOOK_ID is not set)")
        body: Json = {"name": name, "params": params or {}}
        if experiment_id:
            body["experimentId"] = experiment_id
        run = self.request("POST", f"/api/v2/notebooks/{notebook_id}/runs", json=body)
        return Run(self, run["id"])


def connect(url: str | None = None, token: str | None = None) -> Client:
    """The client a notebook's kernel is set up for (LOADSTAR_URL, LOADSTAR_TOKEN)."""
    url = url or os.environ.get("LOADSTAR_URL")
    token = token or os.environ.get("LOADSTAR_TOKEN")
    if not url or not token:
        raise RuntimeError("set LOADSTAR_URL and LOADSTAR_TOKEN (a notebook's kernel has them)")
    return Client(url, token)


def _raise_for(resp: httpx.Response) -> None:
    if resp.is_success:
        return
    try:
        body = resp.json()
    except ValueError:
        body = {}
    raise LoadstarError(
        resp.status_code,
        str(body.get("code", "HTTP_ERROR")),
        str(body.get("message", resp.text[:200])),
        body.get("details") or {},
    )
