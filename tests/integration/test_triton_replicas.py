"""The repository API over several Triton replicas, against the stack's Triton and an
address where nothing listens (a replica that is down): the one that answers loads, the
one that does not is left to catch up, none answering is a clear 503, and `sync` loads on
a replica exactly the wanted models it lacks."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest

from schemas.errors import InferenceFailed
from tests.integration.test_gateway_support import free_port
from tests.integration.test_services import REPO_DIR, tiny_onnx
from triton_repo.publisher import TritonPublisher
from triton_repo.repository import TritonRepository
from triton_repo.signature import ModelSignature

pytestmark = [pytest.mark.anyio, pytest.mark.integration]


async def test_load_sync_and_unload_over_a_live_and_a_down_replica(services: None) -> None:
    repo_dir = Path(os.environ.get("TRITON_REPO_DIR", REPO_DIR))
    name = f"replicas_{uuid.uuid4().hex[:8]}"
    data = tiny_onnx()
    publisher = TritonPublisher(repo_dir, "cpu")
    publisher.publish(name, 1, data, ModelSignature.from_onnx(data))
    live = "127.0.0.1:8001"
    repo = TritonRepository(f"{live},127.0.0.1:{free_port()}")
    nobody = TritonRepository(f"127.0.0.1:{free_port()}")
    try:
        await repo.load(name)  # the down replica is skipped, the live one must load
        assert await repo.is_ready(name, 1)
        assert await repo.sync([(name, 1)]) == []  # nothing lacking
        await repo.unload(name)
        assert not await repo.is_ready(name, 1)
        assert await repo.sync([(name, 1)]) == [(live, name)]  # the lacking one, once
        assert await repo.is_ready(name, 1)
        assert not await repo.is_ready(name, 2)
        with pytest.raises(InferenceFailed) as refused:
            await nobody.load(name)
        assert refused.value.status == 503
        assert not await nobody.is_ready(name)
        assert await nobody.sync([(name, 1)]) == []
    finally:
        await repo.unload(name)
        await repo.close()
        await nobody.close()
        publisher.remove_model(name)


async def test_a_catch_up_load_waits_for_a_publish_of_the_same_model(services: None) -> None:
    """A publish holds the model's lock from placing files to its READY check; the periodic
    catch-up must not reload the model inside it (that reload made a publish's READY check
    fail and roll the new version back), and finds nothing to do once the publish is done."""
    repo_dir = Path(os.environ.get("TRITON_REPO_DIR", REPO_DIR))
    name = f"replicas_{uuid.uuid4().hex[:8]}"
    data = tiny_onnx()
    publisher = TritonPublisher(repo_dir, "cpu")
    repo = TritonRepository("127.0.0.1:8001")
    try:
        async with repo.model_lock(name):  # a publish under way
            publisher.publish(name, 1, data, ModelSignature.from_onnx(data))
            catch_up = asyncio.create_task(repo.sync([(name, 1)]))
            await asyncio.sleep(1.0)
            assert not catch_up.done()  # it waits on the lock
            assert not await repo.is_ready(name, 1)  # and loaded nothing meanwhile
            await repo.load(name)
        assert await asyncio.wait_for(catch_up, 30) == []  # READY by then: nothing loaded
        assert await repo.is_ready(name, 1)
    finally:
        await repo.unload(name)
        await repo.close()
        publisher.remove_model(name)
