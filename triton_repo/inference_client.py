"""The gateway's link to Triton, with every failure turned into INFERENCE_FAILED.

Inference goes over gRPC (`inference_grpc.py`: the request message built once per shape,
on a channel of its own), or over Triton's HTTP endpoint with binary tensors when an HTTP
address is given (`inference_http.py`: a third of the CPU of a gRPC call); readiness and
model configuration use `tritonclient`'s gRPC channel. Both channels live as long as the
app; gRPC reconnects them by itself after Triton went away; the reconnect backoff is capped
low so the gateway answers again within about a second of Triton coming back, without a
restart.
"""

from __future__ import annotations

from typing import Any

import grpc
import msgspec
import numpy as np
import numpy.typing as npt
import tritonclient.grpc.aio as grpcclient
from tritonclient.utils import InferenceServerException

from schemas.errors import InferenceFailed
from triton_repo.inference_grpc import GrpcInference
from triton_repo.inference_http import TritonCallError, TritonHttp

Array = npt.NDArray[np.float32]

# gRPC status -> the kind of INFERENCE_FAILED (503 unavailable, 504 timeout, 502 bad output).
_KIND_BY_STATUS: dict[str, str] = {
    "StatusCode.DEADLINE_EXCEEDED": "timeout",
    "StatusCode.UNAVAILABLE": "unavailable",
    "StatusCode.CANCELLED": "unavailable",
    "StatusCode.NOT_FOUND": "unavailable",
    "StatusCode.RESOURCE_EXHAUSTED": "unavailable",
    "StatusCode.UNKNOWN": "unavailable",
}

_MAX_MESSAGE = 2**31 - 1
_CHANNEL_ARGS: list[tuple[str, Any]] = [
    ("grpc.max_send_message_length", _MAX_MESSAGE),
    ("grpc.max_receive_message_length", _MAX_MESSAGE),
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
    ("grpc.keepalive_time_ms", 10_000),
    ("grpc.keepalive_timeout_ms", 2_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
]


class Inputs(msgspec.Struct, frozen=True):
    """One call's input tensors: `window` [batch, L, n], `calendar` [batch, L+H, 2|3],
    `future` [batch, H, n_known] and `series` [batch, 1] (the series index of a global
    model), the last three where the model takes them."""

    window: Array
    calendar: Array | None = None
    future: Array | None = None
    series: Array | None = None

    def named(self) -> list[tuple[str, Array]]:
        """The tensors by name, in the order the graph declares them."""
        named = [("window", self.window)]
        if self.calendar is not None:
            named.append(("calendar", self.calendar))
        if self.future is not None:
            named.append(("future", self.future))
        if self.series is not None:
            named.append(("series", self.series))
        return named

    def rows(self, part: slice) -> Inputs:
        """The same inputs for the windows in `part` only."""
        return Inputs(
            self.window[part],
            None if self.calendar is None else self.calendar[part],
            None if self.future is None else self.future[part],
            None if self.series is None else self.series[part],
        )


def _kind(status: str) -> str:
    return _KIND_BY_STATUS.get(status, "bad_output")


class TritonForecaster:
    """Sends a float32 window (calendar phases, known future inputs) and returns `quantiles`."""

    OUTPUT = "quantiles"

    def __init__(self, url: str, timeout_s: float = 2.0, http_url: str | None = None) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.client = grpcclient.InferenceServerClient(url=url, channel_args=_CHANNEL_ARGS)
        self.http = TritonHttp(http_url, timeout_s) if http_url else None
        self.over_grpc = GrpcInference(url, _CHANNEL_ARGS, self.OUTPUT)
        self._max_batch: dict[tuple[str, int], int] = {}

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()
        await self.over_grpc.close()
        await self.client.close()

    async def infer(self, model: str, version: int, inputs: Inputs) -> Array:
        """One call -> the quantiles [batch, H, q]."""
        named = inputs.named()
        if self.http is not None:
            try:
                array: Array | None = await self.http.infer(model, version, named, self.OUTPUT)
            except TritonCallError as exc:
                raise self._failure(model, version, exc) from exc
            return self._checked(model, version, array, inputs.window)
        try:
            output = await self.over_grpc.infer(model, version, named, self.timeout_s)
        except grpc.RpcError as exc:
            raise self._failure(model, version, exc) from exc
        except TimeoutError as exc:
            raise InferenceFailed(
                f"Triton did not answer within {self.timeout_s}s",
                {"model": model, "version": version, "cause": repr(exc)},
                kind="timeout",
            ) from exc
        return self._checked(model, version, output, inputs.window)

    def _checked(self, model: str, version: int, array: Array | None, window: Array) -> Array:
        if array is None or array.shape[0] != window.shape[0]:
            raise InferenceFailed(
                f"Triton returned no usable {self.OUTPUT!r} for {model!r}",
                {
                    "model": model,
                    "version": version,
                    "shape": None if array is None else list(array.shape),
                },
                kind="bad_output",
            )
        return array

    async def max_batch(self, model: str, version: int) -> int:
        """The model's `max_batch_size` (0: no limit), read once per model version."""
        key = (model, version)
        if key not in self._max_batch:
            try:
                config = await self.client.get_model_config(
                    model, str(version), as_json=True, client_timeout=self.timeout_s
                )
            except InferenceServerException as exc:
                raise self._failure(model, version, exc) from exc
            self._max_batch[key] = int(config.get("config", {}).get("max_batch_size", 0))
        return self._max_batch[key]

    async def infer_many(self, model: str, version: int, inputs: Inputs) -> tuple[Array, int]:
        """Like `infer` for any number of windows: one call, or one per `max_batch_size`.

        Returns the quantiles and how many calls it took."""
        batch = inputs.window.shape[0]
        limit = await self.max_batch(model, version) if batch > 1 else 0
        if not limit or batch <= limit:
            return await self.infer(model, version, inputs), 1
        parts = [
            await self.infer(model, version, inputs.rows(slice(start, start + limit)))
            for start in range(0, batch, limit)
        ]
        return np.concatenate(parts), len(parts)

    def _failure(self, model: str, version: int, exc: Exception) -> InferenceFailed:
        if isinstance(exc, TritonCallError):
            status, text = exc.status, exc.text
        elif isinstance(exc, InferenceServerException):
            status = str(exc.status())
            text = exc.message() or str(exc)
        elif isinstance(exc, grpc.aio.AioRpcError | grpc.Call):  # as tritonclient words it
            status = str(exc.code())
            text = exc.details() or str(exc)
        else:
            status, text = type(exc).__name__, str(exc)
        kind = _kind(status)
        if "Deadline Exceeded" in text:
            kind = "timeout"
        message = {
            "timeout": f"Triton did not answer within {self.timeout_s}s",
            "unavailable": "Triton is unavailable",
            "bad_output": "Triton rejected the request",
        }[kind]
        details = {"model": model, "version": version, "status": status, "cause": text[:500]}
        return InferenceFailed(f"{message}: {text[:200]}", details, kind=kind)  # type: ignore[arg-type]

    async def ready(self, model: str | None = None, version: int | None = None) -> str:
        """'ok', or why not: the server (or one model) is not answering or not ready."""
        try:
            if model is None:
                ok = await self.client.is_server_ready(client_timeout=self.timeout_s)
            else:
                ok = await self.client.is_model_ready(
                    model, "" if version is None else str(version), client_timeout=self.timeout_s
                )
        except InferenceServerException as exc:
            return f"unreachable: {exc.message() or exc}"[:300]
        if ok:
            return "ok"
        return "not ready" if model is None else f"model {model!r} v{version} not ready"
