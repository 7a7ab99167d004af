"""CPU per Triton inference call, client side, by way of calling, alternated in one process.

    .venv/bin/python -m benchmarks.triton_call_ways [--calls 400] [--rounds 6]

It starts a Triton of its own (as `gateway_bench` does) with the benchmark's forecaster and
sends the same [1, 168, 3] window each of these ways, round after round, on uvloop (what
uvicorn runs the gateway on); `time.process_time` counts every thread of the process, grpc's
own included:

- `tritonclient`: `InferInput` + `tritonclient.grpc.aio` `infer` + `as_numpy` (the gateway's
  gRPC call before its request was built once per shape);
- `gateway grpc`: `TritonForecaster.infer` over gRPC (what the gateway does by default);
- `gateway http`: `TritonForecaster.infer` over Triton's HTTP endpoint;
- `sync in thread`: grpc's synchronous stub called in the loop's default thread pool;
- `sync future`: the synchronous stub's `future()`, its answer handed back to the loop.

Prints each way's median over the rounds and every round's value (CPU us per call).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.gateway_bench_setup import PrivateTriton, bench_model_onnx

Way = Callable[[], Awaitable[object]]


def sync_ways(url: str, model: str, window: np.ndarray) -> tuple[Any, Way, Way]:
    """The synchronous channel and the two ways of calling it from the loop."""
    import grpc
    from tritonclient.grpc import service_pb2_grpc

    from triton_repo.inference_client import _CHANNEL_ARGS
    from triton_repo.inference_grpc import GrpcInference

    channel = grpc.insecure_channel(url, options=_CHANNEL_ARGS)
    call = service_pb2_grpc.GRPCInferenceServiceStub(channel).ModelInfer
    builder = GrpcInference(url, _CHANNEL_ARGS, "quantiles")  # its request, not its channel
    named = [("window", window)]
    loop = asyncio.get_running_loop()

    async def in_thread() -> object:
        request = builder.request(model, 1, named)
        response = await loop.run_in_executor(None, lambda: call(request, timeout=2.0))
        return builder.tensor(response)

    def settle(future: asyncio.Future[Any], done: Any) -> None:
        if not future.done():
            try:
                future.set_result(done.result())
            except Exception as exc:
                future.set_exception(exc)

    async def by_future() -> object:
        future: asyncio.Future[Any] = loop.create_future()
        pending = call.future(builder.request(model, 1, named), timeout=2.0)
        pending.add_done_callback(lambda done: loop.call_soon_threadsafe(settle, future, done))
        return builder.tensor(await future)

    return (channel, builder), in_thread, by_future


async def run(calls: int, rounds: int) -> None:
    import tritonclient.grpc as grpc_sync
    import tritonclient.grpc.aio as grpcclient

    from triton_repo.inference_client import _CHANNEL_ARGS, Inputs, TritonForecaster
    from triton_repo.publisher import TritonPublisher
    from triton_repo.signature import ModelSignature

    workdir = Path(tempfile.mkdtemp(prefix="triton-call-ways-"))
    model = f"call_ways_{uuid.uuid4().hex[:6]}"
    onnx = bench_model_onnx()
    TritonPublisher(workdir / "models", "cpu").publish(
        model, 1, onnx, ModelSignature.from_onnx(onnx)
    )
    triton = PrivateTriton(workdir / "models", 0)
    triton.start(workdir / "triton.log")
    try:
        grpc_sync.InferenceServerClient(triton.grpc_url).load_model(model)
        window = np.random.default_rng(1).random((1, 168, 3)).astype(np.float32)
        inputs = Inputs(window)
        http_url = f"127.0.0.1:{triton.ports['--http-port']}"
        over_grpc = TritonForecaster(triton.grpc_url, 2.0)
        over_http = TritonForecaster(triton.grpc_url, 2.0, http_url)
        wrapped = grpcclient.InferenceServerClient(url=triton.grpc_url, channel_args=_CHANNEL_ARGS)
        outputs = [grpcclient.InferRequestedOutput("quantiles")]
        (channel, builder), in_thread, by_future = sync_ways(triton.grpc_url, model, window)

        async def through_tritonclient() -> object:
            tensor = grpcclient.InferInput("window", list(window.shape), "FP32")
            tensor.set_data_from_numpy(window)
            result = await wrapped.infer(
                model, [tensor], model_version="1", outputs=outputs, client_timeout=2.0
            )
            return result.as_numpy("quantiles")

        ways: dict[str, Way] = {
            "tritonclient": through_tritonclient,
            "gateway grpc": lambda: over_grpc.infer(model, 1, inputs),
            "gateway http": lambda: over_http.infer(model, 1, inputs),
            "sync in thread": in_thread,
            "sync future": by_future,
        }
        reference = await over_grpc.infer(model, 1, inputs)
        for way in ways.values():  # warm, and every way gives the same answer
            assert np.array_equal(np.asarray(await way()), reference)
        spent: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(rounds):
            for name, way in ways.items():
                started = time.process_time()
                for _ in range(calls):
                    await way()
                spent[name].append((time.process_time() - started) / calls * 1e6)
        print(f"CPU us per Triton call, client side ({calls} calls a round, {rounds} rounds)")
        for name, values in spent.items():
            every = ", ".join(f"{v:.0f}" for v in values)
            print(f"  {name:<16}{statistics.median(values):>6.0f}  ({every})")
        for client in (over_grpc, over_http, builder):
            await client.close()
        await wrapped.close()
        channel.close()
    finally:
        triton.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=400, help="calls per way and round")
    parser.add_argument("--rounds", type=int, default=6, help="alternating rounds")
    args = parser.parse_args()
    import uvloop

    uvloop.install()
    asyncio.run(run(args.calls, args.rounds))


if __name__ == "__main__":
    main()
