"""Benchmarks (not tests): `make bench` runs `python -m bench` against a throw-away PostgreSQL."""
