"""The feature store's outside systems for a request, made once per app and kept in its state."""

from __future__ import annotations

import msgspec
from litestar.datastructures import State
from litestar.di import Provide

from control_plane.feature_store.buffer import StreamBuffer
from control_plane.feature_store.online import OnlineStore
from control_plane.feature_store.queue import MaterializationQueue
from control_plane.settings import Settings


class FeatureStoreClients(msgspec.Struct):
    online: OnlineStore
    buffer: StreamBuffer
    queue: MaterializationQueue | None = None


def clients(state: State) -> FeatureStoreClients:
    """Built at first use (they connect lazily) and shared by every request of the app."""
    found = state.get("feature_store")
    if found is None:
        settings: Settings = state.settings
        online = OnlineStore.connect(settings.redis_url, settings.namespace)
        found = FeatureStoreClients(
            online=online, buffer=StreamBuffer(online.client, settings.namespace)
        )
        state.feature_store = found
    return found  # type: ignore[no-any-return]


async def queue(state: State) -> MaterializationQueue:
    found = clients(state)
    if found.queue is None:
        settings: Settings = state.settings
        found.queue = await MaterializationQueue.connect(settings.redis_url, settings.namespace)
    return found.queue


FEATURE_STORE_DEPENDENCIES = {
    "fs": Provide(clients, sync_to_thread=False),
    "fs_queue": Provide(queue),
}
