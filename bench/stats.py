"""Latency summaries shared by the benchmarks: nearest-rank percentiles in milliseconds."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values (p99 of 50 samples is the maximum)."""
    if not sorted_values:
        raise ValueError("no samples")
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_summary(samples_s: Sequence[float]) -> dict[str, float]:
    """``n``, mean, p50, p95, p99 and max in milliseconds of samples given in seconds."""
    if not samples_s:
        return {"n": 0}
    ordered = sorted(samples_s)
    return {
        "n": len(ordered),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
        "p50_ms": round(percentile(ordered, 50) * 1000, 1),
        "p95_ms": round(percentile(ordered, 95) * 1000, 1),
        "p99_ms": round(percentile(ordered, 99) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }
