"""Copy an upload into S3 while it is still arriving, so storing the original overlaps
receiving and profiling it instead of following them.

A minio multipart upload runs in its own thread and reads from a bounded queue: a slow
store slows the sender down rather than filling memory. `abort` makes the reader fail,
which makes minio abort the multipart upload; the caller then removes the prefix.
"""

from __future__ import annotations

import queue
import threading
from pathlib import PurePosixPath

import anyio.to_thread

from control_plane.adapters.object_store import ObjectStore
from control_plane.datasets import storage
from control_plane.datasets.ingest import PARQUET_MAGIC

PART_SIZE = 16 << 20
_DEPTH = 4  # blocks in flight (the receiver hands over ~8 MiB at a time)
_EOF = b""
_POLL = 0.5


class _Aborted(Exception):
    """Raised inside the upload thread so minio aborts its multipart upload."""


class OriginalMirror:
    """The original file of one dataset, written to `datasets/<id>/original.<ext>`."""

    def __init__(self, store: ObjectStore, dataset_id: str) -> None:
        self.store = store
        self.dataset_id = dataset_id
        self.filename = ""
        self.key: str | None = None
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=_DEPTH)
        self._pending = b""
        self._eof = False
        self._aborted = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def extension(self, head: bytes) -> str:
        """Parquet by its magic bytes (or name), else CSV: the same rule ingest sniffs by."""
        if head.startswith(PARQUET_MAGIC) or PurePosixPath(self.filename).suffix.lower() in (
            ".parquet",
            ".pq",
        ):
            return "parquet"
        return "csv"

    # The file-like side, read by minio in the upload thread.
    def read(self, size: int = -1) -> bytes:
        while not self._pending:
            if self._eof:
                return b""
            if self._aborted.is_set():
                raise _Aborted("upload aborted")
            try:
                block = self._queue.get(timeout=_POLL)
            except queue.Empty:
                continue
            if not block:
                self._eof = True
                return b""
            self._pending = block
        size = len(self._pending) if size < 0 else size
        out, self._pending = self._pending[:size], self._pending[size:]
        return out

    def _run(self, key: str) -> None:
        try:
            self.store.client.put_object(self.store.bucket, key, self, -1, part_size=PART_SIZE)  # type: ignore[arg-type]
        except BaseException as exc:
            self._error = exc

    def _hand_over(self, block: bytes) -> None:
        while True:
            thread = self._thread
            if thread is None or not thread.is_alive():
                return  # the upload ended (failed): `wait` reports why
            try:
                self._queue.put(block, timeout=_POLL)
                return
            except queue.Full:
                continue

    async def write(self, block: bytes) -> None:
        if not block:
            return
        if self._thread is None:
            self.key = storage.original_key(self.dataset_id, self.extension(block))  # type: ignore[arg-type]
            self._thread = threading.Thread(target=self._run, args=(self.key,), daemon=True)
            self._thread.start()
        await anyio.to_thread.run_sync(self._hand_over, block)

    async def close(self) -> None:
        """No more data: the upload completes in the background (see `wait`)."""
        if self._thread is not None:
            await anyio.to_thread.run_sync(self._hand_over, _EOF)

    async def wait(self) -> None:
        """Until the object is stored; re-raises the upload's error."""
        if self._thread is not None:
            await anyio.to_thread.run_sync(self._thread.join)
        if self._error is not None:
            raise self._error

    async def abort(self) -> None:
        """Stop (if still reading) and wait for the thread; the caller removes the prefix."""
        self._aborted.set()
        if self._thread is not None:
            await anyio.to_thread.run_sync(self._thread.join)
