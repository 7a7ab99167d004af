"""Each service of the local stack is real: a round trip through each one."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
REPO_DIR = Path(__file__).resolve().parents[2] / "triton_repo" / "models"


async def test_piccolo_table_round_trip_on_postgres(services) -> None:
    from piccolo.columns import Integer, Varchar
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.table import Table

    engine = PostgresEngine(config={"dsn": os.environ["DATABASE_URL"]}, extensions=())

    class RoundTrip(Table, tablename=f"round_trip_{uuid.uuid4().hex[:8]}", db=engine):
        name = Varchar()
        value = Integer()

    await RoundTrip.create_table()
    try:
        await RoundTrip.insert(RoundTrip(name="a", value=1), RoundTrip(name="b", value=2))
        rows = await RoundTrip.select(RoundTrip.name, RoundTrip.value).order_by(RoundTrip.value)
        assert rows == [{"name": "a", "value": 1}, {"name": "b", "value": 2}]
    finally:
        await RoundTrip.alter().drop_table()


async def test_arq_job_round_trip_through_a_burst_worker(services) -> None:
    from arq import create_pool
    from arq.connections import RedisSettings
    from arq.worker import Worker

    from training.worker import ping

    settings = RedisSettings.from_dsn(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    queue = f"test-{uuid.uuid4().hex[:8]}"
    pool = await create_pool(settings, default_queue_name=queue)
    try:
        job = await pool.enqueue_job("ping", "hello", _queue_name=queue)
        assert job is not None
        worker = Worker(
            functions=[ping],
            redis_settings=settings,
            queue_name=queue,
            burst=True,
            poll_delay=0,
            handle_signals=False,
        )
        await worker.main()
        await worker.close()
        assert await job.result(timeout=5) == "pong:hello"
    finally:
        await pool.aclose()


def test_minio_client_put_get_list_delete_on_the_s3_server(services) -> None:
    from minio import Minio
    from minio.error import S3Error

    client = Minio(
        os.environ.get("S3_ENDPOINT", "127.0.0.1:9000"),
        access_key=os.environ.get("S3_ACCESS_KEY", "loadstar"),
        secret_key=os.environ.get("S3_SECRET_KEY", "loadstar-secret"),
        secure=False,
    )
    bucket = f"svc-{uuid.uuid4().hex[:8]}"
    client.make_bucket(bucket)
    try:
        payload = os.urandom(3 * 1024 * 1024)
        client.put_object(bucket, "a/b.bin", io.BytesIO(payload), len(payload))
        resp = client.get_object(bucket, "a/b.bin")
        try:
            assert resp.read() == payload
        finally:
            resp.close()
            resp.release_conn()
        assert [
            o.object_name for o in client.list_objects(bucket, prefix="a/", recursive=True)
        ] == ["a/b.bin"]
        client.remove_object(bucket, "a/b.bin")
        assert list(client.list_objects(bucket, recursive=True)) == []
        # wrong credentials are refused: the server is configured, not open
        intruder = Minio(
            client._base_url.host, access_key="nobody", secret_key="wrong-secret", secure=False
        )
        with pytest.raises(S3Error):
            intruder.list_objects(bucket).__next__()
    finally:
        client.remove_bucket(bucket)


def tiny_onnx() -> bytes:
    """y = 2x + 1 over a [batch, 4] input."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])
    two = helper.make_tensor("two", TensorProto.FLOAT, [], [2.0])
    one = helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])
    graph = helper.make_graph(
        [
            helper.make_node("Mul", ["x", "two"], ["t"]),
            helper.make_node("Add", ["t", "one"], ["y"]),
        ],
        "tiny",
        [x],
        [y],
        initializer=[two, one],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model.SerializeToString()


async def test_tiny_onnx_model_loads_into_triton_and_infers_over_grpc(services) -> None:
    import tritonclient.grpc.aio as grpcclient

    from triton_repo.publisher import TritonPublisher
    from triton_repo.repository import TritonRepository
    from triton_repo.signature import ModelSignature

    repo_dir = Path(os.environ.get("TRITON_REPO_DIR", REPO_DIR))
    name = f"tiny_{uuid.uuid4().hex[:8]}"
    data = tiny_onnx()
    publisher = TritonPublisher(repo_dir, "cpu")
    publisher.publish(name, 1, data, ModelSignature.from_onnx(data))
    repo = TritonRepository()
    client = grpcclient.InferenceServerClient("127.0.0.1:8001")
    try:
        await repo.load(name)
        x = np.arange(8, dtype=np.float32).reshape(2, 4)
        inp = grpcclient.InferInput("x", list(x.shape), "FP32")
        inp.set_data_from_numpy(x)
        result = await client.infer(name, [inp], outputs=[grpcclient.InferRequestedOutput("y")])
        np.testing.assert_allclose(result.as_numpy("y"), 2 * x + 1)
    finally:
        await repo.unload(name)
        await repo.close()
        await client.close()
        publisher.remove_model(name)
