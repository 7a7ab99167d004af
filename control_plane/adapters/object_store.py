"""The S3 store (MinIO in production, SeaweedFS locally) behind one small typed class."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import anyio.to_thread
import urllib3
from minio import Minio
from minio.deleteobjects import DeleteObject
from minio.error import S3Error

from control_plane.settings import Settings
from schemas.errors import NotFound


class ObjectStore:
    """Blocking minio calls run in worker threads; keys are plain strings in one bucket."""

    def __init__(self, client: Minio, bucket: str, endpoint: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.endpoint = endpoint  # host:port, the one private address URLs may name

    @classmethod
    def from_settings(cls, settings: Settings) -> ObjectStore:
        # a store that does not answer is known within seconds (then 503), not after
        # minio's default five retries
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=3.0, read=120.0),
            retries=urllib3.Retry(
                total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]
            ),
            maxsize=16,
        )
        client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            secure=settings.s3_secure,
            http_client=http,
        )
        return cls(client, settings.s3_bucket, settings.s3_endpoint)

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    async def ensure_bucket(self) -> None:
        exists = await anyio.to_thread.run_sync(self.client.bucket_exists, self.bucket)
        if not exists:
            await anyio.to_thread.run_sync(self.client.make_bucket, self.bucket)

    async def put_bytes(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> None:
        def put() -> None:
            self.client.put_object(
                self.bucket, key, io.BytesIO(data), len(data), content_type=content_type
            )

        await anyio.to_thread.run_sync(put)

    async def put_stream(
        self, key: str, stream: BinaryIO, length: int = -1, part_size: int = 16 << 20
    ) -> None:
        def put() -> None:
            self.client.put_object(self.bucket, key, stream, length, part_size=part_size)

        await anyio.to_thread.run_sync(put)

    async def put_file(self, key: str, path: Path) -> None:
        await anyio.to_thread.run_sync(self.client.fput_object, self.bucket, key, str(path))

    async def get_bytes(self, key: str, bucket: str | None = None) -> bytes:
        def get() -> bytes:
            try:
                resp = self.client.get_object(bucket or self.bucket, key)
            except S3Error as exc:
                if exc.code in {"NoSuchKey", "NoSuchBucket"}:
                    raise NotFound(f"object {key!r} not found", {"key": key}) from exc
                raise
            try:
                return resp.read()
            finally:
                resp.close()
                resp.release_conn()

        return await anyio.to_thread.run_sync(get)

    async def get_file(self, key: str, path: Path, bucket: str | None = None) -> None:
        def get() -> None:
            try:
                self.client.fget_object(bucket or self.bucket, key, str(path))
            except S3Error as exc:
                if exc.code in {"NoSuchKey", "NoSuchBucket"}:
                    raise NotFound(f"object {key!r} not found", {"key": key}) from exc
                raise

        await anyio.to_thread.run_sync(get)

    async def exists(self, key: str, bucket: str | None = None) -> bool:
        def stat() -> bool:
            try:
                self.client.stat_object(bucket or self.bucket, key)
            except S3Error as exc:
                if exc.code in {"NoSuchKey", "NoSuchBucket", "NoSuchObject"}:
                    return False
                raise
            return True

        return await anyio.to_thread.run_sync(stat)

    def _keys(self, prefix: str) -> Iterator[str]:
        for obj in self.client.list_objects(self.bucket, prefix=prefix, recursive=True):
            if obj.object_name is not None:
                yield obj.object_name

    async def list_keys(self, prefix: str) -> list[str]:
        return await anyio.to_thread.run_sync(lambda: list(self._keys(prefix)))

    async def remove_prefix(self, prefix: str) -> int:
        """Delete every object under `prefix`; returns how many were removed."""

        def remove() -> int:
            keys = list(self._keys(prefix))
            errors = list(self.client.remove_objects(self.bucket, (DeleteObject(k) for k in keys)))
            if errors:
                raise RuntimeError(f"failed to delete {len(errors)} objects under {prefix!r}")
            return len(keys)

        return await anyio.to_thread.run_sync(remove)

    async def remove(self, key: str, bucket: str | None = None) -> None:
        """Delete one object (nothing happens when it is already gone)."""
        await anyio.to_thread.run_sync(
            lambda: self.client.remove_object(bucket or self.bucket, key)
        )
