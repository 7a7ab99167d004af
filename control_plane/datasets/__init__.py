"""Datasets: uploads and S3 registrations, profiled and kept as canonical Parquet."""
