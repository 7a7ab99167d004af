"""Data-quality rules: pure evaluation of rule suites on polars frames."""
