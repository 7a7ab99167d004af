"""Make a registry version callable in Triton: place it, load it, prove it answers right.

Nothing points at a version until Triton reports it READY and a warm-up inference on the
held-out parity window matches the output recorded at export. A version that fails is
removed again, so Triton keeps serving what it served before.
"""

from __future__ import annotations

import hashlib
import io
import logging
from typing import Any

import numpy as np

from control_plane.adapters.object_store import ObjectStore
from loadstar_core.s3_uri import split_s3_uri
from schemas.errors import InferenceFailed
from triton_repo.inference_client import Inputs
from triton_repo.pool import Forecaster, TritonPool
from triton_repo.publisher import TritonPublisher
from triton_repo.repository import TritonRepository
from triton_repo.signature import ModelSignature

log = logging.getLogger("loadstar.publishing")
PARITY_RTOL = 1e-4


async def load_parity(
    store: ObjectStore, artifacts: list[dict[str, Any]]
) -> dict[str, np.ndarray] | None:
    """The parity sample saved at export: model inputs and the expected `quantiles`."""
    found = next(
        (
            a
            for a in artifacts
            if a.get("name", "").startswith("parity") and a["name"].endswith(".npz")
        ),
        None,
    )
    if found is None:
        return None
    bucket, key = split_s3_uri(found["uri"])
    data = np.load(io.BytesIO(await store.get_bytes(key, bucket=bucket)))
    return {k: data[k] for k in data.files}


async def publish_version(
    *,
    store: ObjectStore,
    publisher: TritonPublisher,
    repository: TritonRepository,
    inference: Forecaster,
    triton_model: str,
    version: int,
    artifact_uri: str,
    artifacts: list[dict[str, Any]],
) -> dict[str, Any]:
    """Place, load and verify one version; returns what was checked."""
    bucket, key = split_s3_uri(artifact_uri)
    onnx_bytes = await store.get_bytes(key, bucket=bucket)
    # a folder left by an older registry (same name and number, other weights) is replaced
    digest = hashlib.sha256(onnx_bytes).hexdigest()
    fresh = not publisher.has_version(triton_model, version, sha256=digest)
    if fresh:
        publisher.publish(triton_model, version, onnx_bytes, ModelSignature.from_onnx(onnx_bytes))
    try:
        await repository.load(triton_model)
        if not await repository.is_ready(triton_model, version):
            raise InferenceFailed(
                f"Triton loaded {triton_model!r} but version {version} is not READY",
                {"model": triton_model, "version": version},
            )
        return await warm_up_replicas(store, inference, triton_model, version, artifacts)
    except Exception:
        if fresh:
            publisher.remove_version(triton_model, version)
            remaining = publisher.versions(triton_model)
            if remaining:
                try:
                    await repository.load(triton_model)  # back to the versions that worked
                except InferenceFailed:
                    log.exception("reload of %s after a failed publish also failed", triton_model)
            else:
                publisher.remove_model(triton_model)
        raise


async def warm_up_replicas(
    store: ObjectStore,
    inference: Forecaster,
    triton_model: str,
    version: int,
    artifacts: list[dict[str, Any]],
) -> dict[str, Any]:
    """The warm-up on every replica that answers (a pool's), so none serves a version that
    differs from the export's; a replica that is down is left to catch up."""
    parity = await load_parity(store, artifacts)
    if not isinstance(inference, TritonPool) or len(inference.replicas) == 1:
        return await warm_up(inference, triton_model, version, parity)
    checked: dict[str, Any] = {}
    for replica in inference.replicas:
        try:
            checked[replica.url] = await warm_up(replica, triton_model, version, parity)
        except InferenceFailed as exc:
            if exc.kind != "unavailable":
                raise
            log.warning("replica %s skipped in the warm-up: %s", replica.url, exc)
    if not checked:
        raise InferenceFailed("no Triton replica answered the warm-up", {"model": triton_model})
    first = next(iter(checked.values()))
    return {**first, "replicas": checked}


async def warm_up(
    inference: Forecaster,
    triton_model: str,
    version: int,
    parity: dict[str, np.ndarray] | None,
) -> dict[str, Any]:
    """One inference on the export's parity sample, compared with the quantiles it recorded."""
    if parity is None:
        return {"warmup": "skipped: no parity sample"}
    expected = parity["quantiles"]
    calendar, future = parity.get("calendar"), parity.get("future")
    series = parity.get("series")  # a global model's series index
    inputs = Inputs(
        parity["window"].astype(np.float32),
        None if calendar is None else calendar.astype(np.float32),
        None if future is None else future.astype(np.float32),
        None if series is None else series.astype(np.float32),
    )
    got = await inference.infer(triton_model, version, inputs)
    scale = float(np.max(np.abs(expected))) or 1.0
    diff = float(np.max(np.abs(got - expected)))
    if not np.all(np.isfinite(got)) or diff / scale > PARITY_RTOL:
        raise InferenceFailed(
            "warm-up output differs from the export's",
            {
                "model": triton_model,
                "version": version,
                "maxAbsDiff": diff,
                "relative": diff / scale,
            },
            kind="bad_output",
        )
    return {"warmup": "ok", "maxAbsDiff": diff}
