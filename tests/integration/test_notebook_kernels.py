"""Notebook kernels on the real stack: a control plane process, real IPython kernels, the
`loadstar` client inside them calling the API back."""

from __future__ import annotations

import asyncio
import base64

import pytest

from tests.conftest import login
from tests.integration.lineage_support import upload_dataset
from tests.integration.notebook_support import (
    KERNEL_MEMORY_MB,
    NotebookServer,
    create,
    execute,
    notebook_server,
    socket_events,
    text_of,
)

pytestmark = [pytest.mark.anyio, pytest.mark.integration]
__all__ = ["notebook_server"]

PLOT = """
import loadstar, matplotlib.pyplot as plt
ls = loadstar.connect()
frame = ls.read_dataset("{dataset}")
print(ls.me()["username"], frame.height, frame.columns[:2])
fig, ax = plt.subplots()
ax.plot(frame["timestamp"].to_list(), frame["OT"].to_list())
plt.show()
"""


async def test_a_cell_reads_a_dataset_through_the_client_and_plots_it(
    notebook_server: NotebookServer,
) -> None:
    s = notebook_server
    dataset = await upload_dataset(s.client, s.admin, 200)
    nb = await create(s.client, s.admin, PLOT.format(dataset=dataset["id"]), "1 + 1")
    run = await execute(s.client, s.admin, nb["id"], all=True)
    assert run["status"] == "ok", run
    first, second = run["cells"]
    assert f"admin {dataset['rows']} ['timestamp'" in text_of(first), first
    images = [o for o in first["outputs"] if "image/png" in o.get("data", {})]
    assert len(images) == 1
    assert base64.b64decode(images[0]["data"]["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert second["outputs"][0]["data"]["text/plain"] == "2" and second["executionCount"] == 2
    # the same outputs streamed over the notebook's WebSocket, in order
    events = await socket_events(s.url, s.admin, nb["id"], run["id"])
    outputs = [e for e in events if e["type"] == "output" and e["executionId"] == run["id"]]
    assert any("image/png" in e["payload"].get("data", {}) for e in outputs)
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    cell_states = [(e["cellId"], e["payload"]["status"]) for e in events if e["type"] == "cell"]
    assert cell_states[-4:] == [("c0", "running"), ("c0", "ok"), ("c1", "running"), ("c1", "ok")]


async def test_an_endless_cell_is_interrupted_and_the_kernel_goes_on(
    notebook_server: NotebookServer,
) -> None:
    s = notebook_server
    nb = await create(s.client, s.admin, "import time\nwhile True:\n    time.sleep(0.01)", "40 + 2")
    path = f"/api/v2/notebooks/{nb['id']}"
    resp = await s.client.post(f"{path}/execute", json={"cellId": "c0"}, headers=s.admin)
    assert resp.status_code == 202, resp.text

    async def busy() -> bool:
        kernel = (await s.client.get(f"{path}/kernel", headers=s.admin)).json()
        return kernel["state"] == "busy"  # type: ignore[no-any-return]

    for _ in range(300):
        if await busy():
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)
    interrupted = await s.client.post(f"{path}/kernel/interrupt", headers=s.admin)
    assert interrupted.status_code == 200, interrupted.text
    loop = (await s.client.get(f"{path}/executions/{resp.json()['id']}", headers=s.admin)).json()
    for _ in range(100):
        if loop["status"] != "running":
            break
        await asyncio.sleep(0.1)
        loop = (await s.client.get(f"{path}/executions/{loop['id']}", headers=s.admin)).json()
    assert loop["status"] == "interrupted", loop
    assert "KeyboardInterrupt" in text_of(loop["cells"][0])
    after = await execute(s.client, s.admin, nb["id"], cellId="c1")
    assert after["status"] == "ok" and text_of(after["cells"][0]) == "42"


async def test_a_cell_past_the_memory_limit_kills_only_its_kernel(
    notebook_server: NotebookServer,
) -> None:
    s = notebook_server
    bystander = await create(s.client, s.admin, "x = 7", "x")
    assert (await execute(s.client, s.admin, bystander["id"], cellId="c0"))["status"] == "ok"
    hog = await create(
        s.client,
        s.admin,
        "import time\nblocks = []\nwhile True:\n"
        "    blocks.append(bytearray(b'x') * (16 << 20))\n    time.sleep(0.01)",
    )
    run = await execute(s.client, s.admin, hog["id"], cellId="c0")
    assert run["status"] == "dead", run
    assert f"memory limit of {KERNEL_MEMORY_MB} MiB" in run["reason"]
    kernel = (await s.client.get(f"/api/v2/notebooks/{hog['id']}/kernel", headers=s.admin)).json()
    assert kernel["state"] == "dead" and "memory limit" in kernel["reason"]
    events = await socket_events(s.url, s.admin, hog["id"], run["id"])
    assert any(
        e["type"] == "kernel" and "memory limit" in e["payload"].get("reason", "") for e in events
    )
    # the other notebook's kernel and the control plane go on
    still = await execute(s.client, s.admin, bystander["id"], cellId="c1")
    assert still["status"] == "ok" and text_of(still["cells"][0]) == "7"
    assert (await s.client.get("/healthz")).status_code == 200
    # a restart brings the notebook back
    restarted = await s.client.post(
        f"/api/v2/notebooks/{hog['id']}/kernel/restart", headers=s.admin
    )
    assert restarted.status_code == 200 and restarted.json()["state"] == "idle", restarted.text


SNOOP = """
import os, pathlib
secret = {secret!r}
found = [k for k, v in os.environ.items() if secret in v]
for pid in [os.getppid()] + [p.name for p in pathlib.Path('/proc').iterdir() if p.name.isdigit()]:
    try:
        if secret.encode() in pathlib.Path(f'/proc/{{pid}}/environ').read_bytes():
            found.append(f'proc {{pid}}')
    except OSError:
        pass
print('found:', found, 'env:', sorted(os.environ), 'uid:', os.getuid())
"""


async def test_a_kernel_cannot_read_the_control_planes_secrets(
    notebook_server: NotebookServer,
) -> None:
    s = notebook_server
    nb = await create(s.client, s.admin, SNOOP.format(secret=s.secret))
    run = await execute(s.client, s.admin, nb["id"], cellId="c0")
    out = text_of(run["cells"][0])
    assert run["status"] == "ok", run
    assert "found: []" in out, out
    assert "DATABASE_URL" not in out and "S3_SECRET_KEY" not in out and "LOADSTAR_TOKEN" in out


async def test_a_viewer_reads_but_cannot_run(notebook_server: NotebookServer) -> None:
    s = notebook_server
    resp = await s.client.post(
        "/api/auth/users",
        json={"username": "nb-viewer", "password": "viewer-pass", "role": "viewer"},
        headers=s.admin,
    )
    assert resp.status_code in (201, 409), resp.text
    viewer = await login(s.client, "nb-viewer", "viewer-pass")
    nb = await create(s.client, s.admin, "print('hi')")
    shared = await s.client.post(
        f"/api/v2/notebooks/{nb['id']}/share", json={"role": "viewer"}, headers=s.admin
    )
    assert shared.status_code == 201, shared.text
    path = f"/api/v2/notebooks/{nb['id']}"
    assert (await s.client.get(path, headers=viewer)).status_code == 200
    for route, body in [
        ("/execute", {"all": True}),
        ("/kernel", None),
        ("/kernel/interrupt", None),
    ]:
        denied = await s.client.post(path + route, json=body, headers=viewer)
        assert denied.status_code == 403 and denied.json()["code"] == "FORBIDDEN", route
    assert (await s.client.get(f"{path}/kernel", headers=s.admin)).json()["state"] == "none"
