"""Benchmarks: ``python -m bench`` (``make bench``) times registered cases on a scaled data set.

Add a case in a module named ``bench/cases_<topic>.py``; it is imported
automatically. See `bench.registry` for the decorators and `bench.harness` for
how a run goes.
"""

from bench.harness import Context, expect_ok
from bench.registry import benchmark, dataset

__all__ = ["Context", "benchmark", "dataset", "expect_ok"]
