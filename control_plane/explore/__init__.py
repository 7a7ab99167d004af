"""Exploration: column statistics, charts, feature suggestions and data quality."""
