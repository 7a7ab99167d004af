"""Watching deployments in service: readings, forecasts, live accuracy, anomaly events."""
