"""Interleaved CPU-time A/B rounds, shared by the torch, JAX and w2-parts benchmarks.

Each round runs every step ``calls`` times on the given clock (thread or process CPU time);
the starting step rotates from round to round, as in grad_speed.py, because a fixed order
favours one place (jax_jit against a copy of itself placed third: 1.033 over 300 rounds). The
table gives each step's ratio to the first one, per round, as its median and interquartile
range.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence


def rotated_rounds(
    steps: Sequence[Callable[[], object]], rounds: int, calls: int, clock: Callable[[], float]
) -> list[list[float]]:
    """Seconds per call of each step, one entry per round (steps[i] -> times[i])."""
    times: list[list[float]] = [[] for _ in steps]
    for round_ in range(rounds):
        for shift in range(len(steps)):
            index = (round_ + shift) % len(steps)
            step = steps[index]
            start = clock()
            for _ in range(calls):
                step()
            times[index].append((clock() - start) / calls)
    return times


def ratio_table(heading: str, names: Sequence[str], times: list[list[float]]) -> str:
    """A Markdown table: each name's min and median time, its per-round ratio to the first
    name's (median) and the ratios' interquartile range."""
    lines = [
        f"| {heading} | min | median | ratio to the first (median) | IQR |",
        "|---|---|---|---|---|",
    ]
    for name, row in zip(names, times, strict=True):
        ratios = sorted(t / b for t, b in zip(row, times[0], strict=True))

        def quantile(q: float, ratios: list[float] = ratios) -> float:
            return ratios[round(q * (len(ratios) - 1))]

        lines.append(
            f"| {name} | {min(row) * 1e6:.1f} us | {statistics.median(row) * 1e6:.1f} us "
            f"| {quantile(0.5):.3f} | {quantile(0.25):.3f}-{quantile(0.75):.3f} |"
        )
    return "\n".join(lines)
