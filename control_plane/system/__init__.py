"""System: GPU/CPU/memory/disk stats (HTTP and a 1 Hz WebSocket) and local service logs."""
