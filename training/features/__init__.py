"""Feature ops of a plan: the torch module inside the exported graph and its polars twin."""
