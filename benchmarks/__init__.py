"""Benchmarks: run with ``make benchmark``, never as part of the test suite."""
