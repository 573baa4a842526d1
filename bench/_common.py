"""Small helpers the benchmarks share: pinning to one core, percentiles, target lines."""
from __future__ import annotations

import math
import os


def pin_to_one_core(cpu: int | None) -> str:
    """Run on a single core, as the target says; returns a line saying which."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    available = sorted(os.sched_getaffinity(0))
    cpu = available[-1] if cpu is None else cpu
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu} (of {len(available)} available)"


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = min(len(sorted_values), max(1, math.ceil(fraction * len(sorted_values))))
    return sorted_values[rank - 1]


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"
