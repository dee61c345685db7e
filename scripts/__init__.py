"""Benchmarks and operations tools, run from the repository root as `python -m scripts.NAME` (make bench,
make bench-scale, make cluster) and imported by the tests as `from scripts import NAME`."""
