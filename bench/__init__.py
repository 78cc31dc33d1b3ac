"""Policyline benchmarks: ``python -m bench`` (``make bench``) runs the suite."""
