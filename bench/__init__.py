"""Benchmarks of the series: run `make bench` (see __main__.py)."""
