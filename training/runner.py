"""Run one training job on a worker: S3 in, S3 out, events to the Redis Stream.

The training itself runs in a thread (it is CPU/GPU bound); the event loop keeps the
heartbeat alive meanwhile. Stop and pause are cooperative (polled between batches).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import threading
import time
import traceback
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, cast

import msgspec
import polars as pl
import redis
from minio import Minio
from minio.error import S3Error

from loadstar_core.feature_store.training_frame import build_frame, grid_spine
from loadstar_core.s3_uri import split_s3_uri
from loadstar_core.structured_logs import bind
from schemas.feature_plan import FeaturePlan
from schemas.training_job.protocol import (
    Action,
    EventType,
    FeatureFrame,
    HeartbeatTiming,
    JobKeys,
    JobStatus,
    TrainingSpec,
    handback_key,
    heartbeat_key,
)
from training.events import ControlPoller, EventEmitter
from training.file_digest import sha256_of

log = logging.getLogger("loadstar.worker")
CHECKPOINT = "checkpoint.pt"


def s3_from_env() -> Minio:
    return Minio(
        os.environ.get("S3_ENDPOINT", "127.0.0.1:9000"),
        access_key=os.environ.get("S3_ACCESS_KEY", "loadstar"),
        secret_key=os.environ.get("S3_SECRET_KEY", "loadstar-secret"),
        secure=os.environ.get("S3_SECURE", "false").lower() == "true",
    )


class JobRun:
    """One attempt of one job, with its S3 locations and event emitter."""

    def __init__(
        self, spec: TrainingSpec, s3: Minio, client: redis.Redis, keys: JobKeys, workdir: Path
    ) -> None:
        self.spec = spec
        self.s3 = s3
        self.emitter = EventEmitter(client, spec.jobId, keys)
        self.control = ControlPoller(client, spec.jobId)
        self.workdir = workdir
        self.bucket, canonical_key = split_s3_uri(spec.canonicalUri)
        self.canonical_key = canonical_key
        self.prefix = spec.artifact_prefix()
        self._last_ckpt: tuple[int, int] | None = None
        self.artifacts: list[dict[str, Any]] = []
        # Set when the worker shuts down: the run saves its place at the next batch and ends.
        self.interrupted = threading.Event()

    def emit(self, type_: str, payload: dict[str, Any]) -> None:
        """Events from the pipeline; artifact files are uploaded and announced by S3 URI."""
        if type_ == "artifact" and "path" in payload:
            self.artifacts.append(self.upload(payload["name"], Path(payload["path"])))
            return
        self.emitter.emit(cast(EventType, type_), payload)  # checked against the protocol there
        self._upload_checkpoint()

    def poll_control(self) -> Action:
        """Polled before every batch. The trainer writes an epoch's checkpoint after that
        epoch's metric event, so this is the first moment the new checkpoint can go up."""
        self._upload_checkpoint()
        if self.interrupted.is_set():
            return "pause"
        return self.control()

    def _upload_checkpoint(self) -> None:
        """Keep the latest epoch checkpoint in S3 so a retry on another worker resumes from it."""
        ckpt = self.workdir / CHECKPOINT
        try:
            st = ckpt.stat()
        except FileNotFoundError:
            return
        # every save is a new file renamed into place: a new inode and modification time
        stamp = (st.st_ino, st.st_mtime_ns)
        if stamp != self._last_ckpt:
            self.s3.fput_object(self.bucket, self.prefix + CHECKPOINT, str(ckpt))
            self._last_ckpt = stamp

    def upload(self, name: str, path: Path) -> dict[str, Any]:
        key = self.prefix + name
        self.s3.fput_object(self.bucket, key, str(path))
        meta = {
            "name": name,
            "uri": f"s3://{self.bucket}/{key}",
            "sha256": sha256_of(path),
            "bytes": path.stat().st_size,
        }
        self.emitter.emit("artifact", meta)
        return meta

    def load_frame(self) -> pl.DataFrame:
        query = self.spec.featureFrame
        if query is not None:
            return self.feature_frame(query)
        local = self.workdir / "canonical.parquet"
        self.s3.fget_object(self.bucket, self.canonical_key, str(local))
        return pl.read_parquet(local)

    def feature_frame(self, query: FeatureFrame) -> pl.DataFrame:
        """The point-in-time frame of a feature-store query, from its histories snapshot."""
        bucket, key = split_s3_uri(query.historiesUri)
        local = self.workdir / "histories.parquet"
        self.s3.fget_object(bucket, key, str(local))
        spine = grid_spine(query.entity, query.start, query.end, query.stepSeconds)
        ttl = None if query.ttlSeconds is None else timedelta(seconds=query.ttlSeconds)
        plan = msgspec.convert(self.spec.plan, FeaturePlan)
        frame = build_frame(pl.read_parquet(local), spine, query.columns, plan.timestampColumn, ttl)
        self.emitter.emit(
            "log",
            {
                "level": "INFO",
                "message": f"feature-store frame: {frame.height} rows x "
                f"{len(query.columns)} features of {query.entity!r}, as of each grid point",
            },
        )
        return frame

    def resume_checkpoint(self) -> Path | None:
        if not self.spec.resume and self.spec.attempt == 1:
            return None
        local = self.workdir / "resume.pt"
        try:
            self.s3.fget_object(self.bucket, self.prefix + CHECKPOINT, str(local))
        except S3Error:
            return None
        return local

    def init_weights(self) -> Path | None:
        """The library weight a fine-tuning run starts from, fetched from S3."""
        uri = self.spec.hyperparams.get("init_weights")
        if not uri:
            return None
        bucket, key = split_s3_uri(str(uri))
        local = self.workdir / "init-weights.pt"
        self.s3.fget_object(bucket, key, str(local))
        return local

    def run(self) -> JobStatus | Literal["interrupted"]:
        """Train and publish artifacts; returns the final status."""
        from training.pipeline import TrainingPaused, TrainingStopped, train_forecaster

        started = time.monotonic()
        if self.control() == "stop":  # stopped while still queued
            self.emitter.emit("status", {"status": "cancelled"})
            return "cancelled"
        self.emitter.emit("status", {"status": "running", "attempt": self.spec.attempt})
        try:
            frame = self.load_frame()
            plan = msgspec.convert(self.spec.plan, FeaturePlan)
            resume = self.resume_checkpoint()
            if resume is not None:
                self.emitter.emit(
                    "log",
                    {
                        "level": "INFO",
                        "message": f"resuming from checkpoint (attempt {self.spec.attempt})",
                        "code": "resuming",
                        "params": {"attempt": str(self.spec.attempt)},
                    },
                )
            result = train_forecaster(
                frame,
                plan,
                self.spec.algorithm,
                self.spec.hyperparams,
                workdir=self.workdir,
                emit=self.emit,
                control=self.poll_control,
                resume_from=resume,
                init_weights=self.init_weights(),
                dataset_id=self.spec.datasetId,
                plan_id=self.spec.featurePlanId,
            )
        except TrainingPaused:
            self._upload_checkpoint()
            if self.interrupted.is_set():
                message = "worker shutting down: place saved; the job continues from it"
                self.emitter.emit(
                    "log", {"level": "WARNING", "message": message, "code": "shuttingDown"}
                )
                return "interrupted"
            self.emitter.emit("status", {"status": "paused"})
            return "paused"
        except TrainingStopped:
            self.emitter.emit("status", {"status": "cancelled"})
            return "cancelled"
        except Exception as exc:
            log.exception("job %s failed", self.spec.jobId)
            tail = traceback.format_exc().splitlines()[-6:]
            self.emitter.emit("log", {"level": "ERROR", "message": f"{type(exc).__name__}: {exc}"})
            self.emitter.emit(
                "error", {"message": f"{type(exc).__name__}: {exc}", "traceback": tail}
            )
            return "failed"
        done = {
            "evaluation": result.metrics,
            "signature": result.signature,
            "card": msgspec.json.decode(result.card_json_path.read_bytes()),
            "cardMarkdown": result.card_md_path.read_text(),
            "artifacts": self.artifacts,
            "algorithm": result.algorithm,
            "hyperparams": result.hyperparams,
            "epochs": result.epochs_run,
            "bestEpoch": result.best_epoch,
            "device": result.device,
            "onnxSha256": result.sha256,
            "seconds": round(time.monotonic() - started, 2),
        }
        self.emitter.emit("done", done)
        return "succeeded"


async def _run_until_shutdown(job: JobRun) -> JobStatus | Literal["interrupted"]:
    """Runs the attempt in a thread. When the worker shuts down (arq cancels this task on
    SIGTERM/SIGINT), the run is told to save its place at the next batch, and this waits
    for that instead of leaving a thread training on behind a vanished heartbeat."""
    future = asyncio.get_running_loop().run_in_executor(None, job.run)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        log.warning("job %s: worker shutting down; saving the job's place", job.spec.jobId)
        job.interrupted.set()
        return await future


async def run_training_job(ctx: dict[str, Any], spec_data: dict[str, Any]) -> str:
    """arq entry point: one attempt of one training job."""
    spec = msgspec.convert(spec_data, TrainingSpec)
    bind(jobId=spec.jobId, attempt=str(spec.attempt))  # this job's own task: ends with it
    if ctx.get("job_try", 1) > 1:
        # arq hands an attempt out again when its worker was shut down mid-job, or died
        # (then hours later, once arq's in-progress mark expires). Either way the heartbeat
        # stopped and the control plane's watchdog retries the job from its checkpoint as a
        # new attempt; running this one again would train the job twice.
        log.warning(
            "job %s attempt %s was redelivered; left to the watchdog", spec.jobId, spec.attempt
        )
        return "superseded"
    client: redis.Redis = ctx["sync_redis"]
    s3: Minio = ctx["s3"]
    timing: HeartbeatTiming = ctx["timing"]

    async def heartbeat() -> None:
        while True:
            client.set(heartbeat_key(spec.jobId), str(os.getpid()), px=timing.ttl_ms)
            await asyncio.sleep(timing.every_s)

    beat = asyncio.create_task(heartbeat())
    ended = False
    try:
        with tempfile.TemporaryDirectory(prefix=f"{spec.jobId}-") as tmp:
            job = JobRun(spec, s3, client, ctx["keys"], Path(tmp))
            status = await _run_until_shutdown(job)
            if status == "interrupted":  # hand the job back: the watchdog queues it again
                client.set(handback_key(spec.jobId), str(spec.attempt), ex=86_400)
            else:
                ended = True
            return status
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
        if ended:
            # The attempt's last event is in the stream, but until the control plane folds
            # it in the job still reads "running": with no heartbeat it would look lost and
            # be trained again. Say that this attempt ended instead.
            client.set(heartbeat_key(spec.jobId), "ended", px=timing.ended_ms)
        else:
            client.delete(heartbeat_key(spec.jobId))
