"""Benchmarks, run by `make bench-*`. Production code never imports this package."""
