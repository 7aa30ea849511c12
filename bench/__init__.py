"""Benchmarks run by ``make bench`` against PostgreSQL (never by the test suite). See docs/bench.md."""
