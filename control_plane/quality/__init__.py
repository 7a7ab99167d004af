"""Data-quality rule suites, validation jobs, reports and schedules."""
