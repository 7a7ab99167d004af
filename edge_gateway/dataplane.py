"""The gateway's data plane: authenticate, legalize, infer, format. No transport in it.

HTTP routes and the WebSocket are thin shells: they hand over the Authorization header,
the raw body and the path's asset id, and send back the `Answer` bytes as they are.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import NamedTuple

import msgspec
import numpy as np

from edge_gateway.contracts import ContractStore, Served
from edge_gateway.detection import detect_anomalies
from edge_gateway.errors import error_of
from edge_gateway.key_usage import KeyUsage
from edge_gateway.metrics import GatewayMetrics
from edge_gateway.online import OnlineWindows
from edge_gateway.recorder import Recorder
from edge_gateway.wire import decode_detect, decode_input, encode
from loadstar_core.postprocess import (
    LegalizedWindow,
    format_output,
    legalize_window,
    requested_asset,
    series_input,
)
from loadstar_core.postprocess.jsonrows import read_body
from loadstar_core.postprocess.packed import PackedRows
from loadstar_core.postprocess.typed import decode_typed
from schemas.contracts import InferenceInput, InferenceOutput
from schemas.errors import Forbidden, InvalidInput, LoadstarError, NotFound, Unauthorized
from triton_repo.inference_client import Array, Inputs
from triton_repo.pool import Forecaster

_clock = time.perf_counter


class Answer(NamedTuple):
    status: int
    body: bytes
    code: str  # "OK" or the error code


def invalid_body(exc: msgspec.DecodeError) -> InvalidInput:
    return InvalidInput(f"invalid request body: {exc}", {"cause": str(exc)[:300]})


class DataPlane:
    def __init__(
        self,
        store: ContractStore,
        triton: Forecaster,
        metrics: GatewayMetrics,
        recorder: Recorder | None = None,
        usage: KeyUsage | None = None,
        online: OnlineWindows | None = None,
    ) -> None:
        self.store = store
        self.triton = triton
        self.metrics = metrics
        self.recorder = recorder
        self.usage = usage
        self.online = online or OnlineWindows(None, "")

    # -- who may call what -----------------------------------------------------------
    def authenticate(self, authorization: str | None, scope: str = "predict") -> Served:
        """The deployment of a live key that may `scope`; 401 for a revoked or expired key,
        403 for a key without the scope. A use is noted for the key's "last used"."""
        served, key = self.store.tokens.authenticate(authorization)
        if key is None:
            return served  # the older single token: every scope, no expiry
        if key.revoked:
            raise Unauthorized("this API key was revoked", {"keyId": key.id})
        if key.expiresAt is not None and time.time() >= key.expiresAt:
            expired = datetime.fromtimestamp(key.expiresAt, UTC).isoformat()
            raise Unauthorized(
                f"this API key expired at {expired}", {"keyId": key.id, "expiredAt": expired}
            )
        if scope not in key.scopes:
            raise Forbidden(
                f"this API key may not {scope}", {"keyId": key.id, "scopes": key.scopes}
            )
        if self.usage is not None:
            self.usage.touch(key.id)
        return served

    def check_scope(self, served: Served, deployment_id: str | None, asset_id: str | None) -> None:
        """A body's `deploymentId` and a path's asset must be the token's own."""
        if deployment_id is not None and deployment_id != served.id:
            if deployment_id in self.store.by_id:
                raise Forbidden(
                    "this token belongs to another deployment",
                    {"deploymentId": deployment_id, "tokenDeploymentId": served.id},
                )
            raise NotFound(f"no live deployment {deployment_id!r}", {"deploymentId": deployment_id})
        own = served.deployment.assetId
        if served.deployment.contract.assets:  # a global model: the path names one of its
            own = None  # assets, checked against them when the window is built
        if asset_id is not None and own is not None and own != asset_id:
            if any(s.deployment.assetId == asset_id for s in self.store.by_id.values()):
                raise Forbidden(
                    "this token belongs to another asset",
                    {"assetId": asset_id, "tokenAssetId": own},
                )
            raise NotFound(f"no live deployment for asset {asset_id!r}", {"assetId": asset_id})
        if served.problem is not None:
            raise served.problem

    # -- Triton ----------------------------------------------------------------------
    async def infer(
        self,
        served: Served,
        window: Array,
        calendar: Array | None,
        future: Array | None = None,
        series: Array | None = None,
    ) -> Array:
        dep = served.deployment
        try:
            raw, calls = await self.triton.infer_many(
                dep.tritonModel, dep.tritonVersion, Inputs(window, calendar, future, series)
            )
        except LoadstarError as exc:
            self.metrics.count_triton_calls(served.id, exc.code)
            raise
        self.metrics.count_triton_calls(served.id, "OK", calls)
        return raw

    # -- the routes' work --------------------------------------------------------------
    @staticmethod
    def decode(served: Served, body: bytes) -> tuple[InferenceInput, PackedRows | None]:
        """The body, with its rows already read into columns when the compiled reader takes
        them (the payload then holds none), else typed for the deployment when they fit (no
        dict per row), else decoded the general way, which also words every error."""
        plan = served.resolved
        if plan is not None:
            if served.deployment.onlineWindow is None:  # no rows to merge with the store's
                read = read_body(body, plan)
                if read is not None:
                    return read
            typed = decode_typed(body, plan)
            # rows merged into an online window are read as plain rows: the general way
            if typed is not None and typed.entity is None:
                return typed, None
        try:
            return decode_input(body), None
        except msgspec.DecodeError as exc:
            raise invalid_body(exc) from exc

    async def predict(
        self, route: str, authorization: str | None, body: bytes, asset_id: str | None = None
    ) -> Answer:
        started = _clock()
        label = "-"
        try:
            served = self.authenticate(authorization)
            label = served.id
            payload, columns = self.decode(served, body)
            decoded = _clock()
            self.metrics.observe_stage(route, "decode", decoded - started)
            self.check_scope(served, payload.deploymentId, asset_id)
            if columns is None:
                payload = await self.online.fill(served.deployment, payload, asset_id)
            asset = requested_asset(payload, asset_id)
            out, inferred = await self.forecast(route, served, payload, decoded, asset, columns)
            if asset is not None:
                out.meta.assetId = asset
            data = encode(out)
        except Exception as exc:
            return self.failed(route, label, started, exc)
        done = _clock()
        self.metrics.observe_stage(route, "format", done - inferred)
        self.metrics.observe_request(label, route, "OK", done - started)
        return Answer(200, data, "OK")

    async def forecast(
        self,
        route: str,
        served: Served,
        payload: InferenceInput,
        decoded: float,
        asset: str | None = None,
        columns: PackedRows | None = None,
    ) -> tuple[InferenceOutput, float]:
        """Legalize -> one Triton call -> the standard output, and when Triton answered."""
        assert served.resolved is not None
        plan = served.resolved
        contract = plan.contract
        observe = self.metrics.observe_stage
        series = series_input(contract, asset)  # a global model: which asset's series
        legal: LegalizedWindow = legalize_window(contract, payload, plan, columns)
        legalized = _clock()
        observe(route, "legalize", legalized - decoded)
        calendar = None if legal.calendar is None else legal.calendar[np.newaxis]
        future = None if legal.future is None else legal.future[np.newaxis]
        raw = await self.infer(served, legal.window[np.newaxis], calendar, future, series)
        inferred = _clock()
        observe(route, "triton", inferred - legalized)
        out = format_output(contract, legal, raw[0], None, datetime.now(UTC), plan)
        if self.recorder is not None:
            self.recorder.forecast(served, legal, out)
        return out, inferred

    async def detect(
        self, route: str, authorization: str | None, body: bytes, asset_id: str
    ) -> Answer:
        started = _clock()
        label = "-"
        try:
            served = self.authenticate(authorization, "detect")
            label = served.id
            try:
                payload = decode_detect(body)
            except msgspec.DecodeError as exc:
                raise invalid_body(exc) from exc
            self.metrics.observe_stage(route, "decode", _clock() - started)
            self.check_scope(served, payload.deploymentId, asset_id)
            series = series_input(served.deployment.contract, asset_id)

            async def infer(
                served: Served, window: Array, calendar: Array | None, future: Array | None
            ) -> Array:
                many = None if series is None else np.repeat(series, window.shape[0], axis=0)
                return await self.infer(served, window, calendar, future, many)

            report = await detect_anomalies(infer, self.metrics, route, served, payload)
            report.assetId = asset_id
            if self.recorder is not None:
                self.recorder.events(served, asset_id, report.events)
            data = encode(report)
        except Exception as exc:
            return self.failed(route, label, started, exc)
        self.metrics.observe_request(label, route, "OK", _clock() - started)
        return Answer(200, data, "OK")

    def failed(self, route: str, label: str, started: float, exc: Exception) -> Answer:
        status, code, body = error_of(exc, route)
        self.metrics.observe_request(label, route, code, _clock() - started)
        return Answer(status, body, code)
