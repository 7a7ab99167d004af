"""Watching a deployment in service: anomaly events from readings and calibrated bands. Pure."""
