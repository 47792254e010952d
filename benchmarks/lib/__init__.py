"""Shared pieces of the load benchmark: the timed fake server, prospects, bot subprocesses and the report.

Nothing here is run by CI directly (CI runs `benchmarks/*.py --quick`); `benchmarks/load.py` imports it.
"""
