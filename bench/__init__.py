"""Benchmarks: a generated firm at real size, the pages and the worker against their ceilings.

`make bench` runs `python -m bench` (see bench/__main__.py). Never run by `make test`.
"""
