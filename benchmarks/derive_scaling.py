"""Symbolic work against depth: derive, render and the exact check, each against its target.

Run: ``python benchmarks/derive_scaling.py`` (``--quick``: fewer depths and repeats;
``--sympy``: also SymPy's own ``MatrixExpr.diff``, which takes minutes). Prints median wall
and CPU times over ``--repeats`` runs, each with a per-layer column so that linear growth shows
as a flat column:

1. ``sb.derive`` of a sigmoid/BCE network of width 8 in batch form (steps with candidates and
   reasons, compact gradients; ``.expanded`` is lazy), then ``sb.to_text``, ``sb.to_latex``
   (the standalone document) and ``sb.to_markdown`` of that derivation, at depths 10 to 1000.
   Targets (issue 13): 1000 layers under 2 s for each.
2. ``sb.check_exact`` (three points, exact rationals; the reference is SymPy's ``diff`` of
   each stage of the cost in scalar symbols, composed by the chain rule in rationals) of a
   width-3 sigmoid/BCE network in batch form with m = 3, at depths 2 to 100 (the check's
   limit). Target: depth 10 under 5 s; linear in depth.
3. ``symbackprop derive 4-3-2-1`` as a fresh process (target: 1.0 s wall) and import times.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import symbackprop as sb

DERIVE_TARGET = RENDER_TARGET = 2.0  # seconds at 1000 layers
EXACT_TARGET, EXACT_DEPTH = 5.0, 10  # seconds at depth 10
CLI_TARGET = 1.0  # seconds, wall, for `symbackprop derive 4-3-2-1`


def median_time(work: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """The median wall and CPU times of ``repeats`` calls, and the last call's result.

    CPU time is this process's own: on a shared machine it moves far less than wall time
    when other processes take the cores (a 2-core VM at load 5 triples wall times)."""
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
    return statistics.median(walls), statistics.median(cpus), result


def network(depth: int, width: int) -> sb.Network:
    return sb.Network.parse("-".join([str(width)] * depth) + "-1")


def derive_and_render(depths: list[int], repeats: int) -> None:
    stages: list[tuple[str, Callable[[Any], Any]]] = [
        ("to_text", sb.to_text),
        ("to_latex", sb.to_latex),
        ("to_markdown", sb.to_markdown),
    ]
    head = f"{'depth':>6}  {'derive':>24}"
    head += "".join(f"  {name:>24}" for name, _ in stages)
    print("derive and render, width 8, batch (median wall s, CPU s, wall ms per layer)")
    print(head)
    last: dict[str, float] = {}
    for depth in depths:
        net = network(depth, 8)
        row = f"{depth:>6}"
        work = [("derive", functools.partial(sb.derive, net, batch=True))]
        d = sb.derive(net, batch=True)
        work += [(name, functools.partial(render, d)) for name, render in stages]
        for name, call in work:
            wall, cpu, _ = median_time(call, repeats)
            row += f"  {wall:>7.3f} ({cpu:>6.3f}) {1e3 * wall / depth:>5.2f} ms"
            last[name] = wall
        print(row, flush=True)
    deepest = depths[-1]
    verdicts = []
    for name, seconds in last.items():
        target = DERIVE_TARGET if name == "derive" else RENDER_TARGET
        verdict = "met" if seconds < target else "NOT met"
        verdicts.append(f"{name} {seconds:.2f} s (target < {target:g} s: {verdict})")
    print(f"at {deepest} layers: " + "; ".join(verdicts))


def exact_check(depths: list[int], repeats: int) -> None:
    print("\nexact check, width 3, batch, m = 3, three points (median wall s, CPU s)")
    print(
        f"{'depth':>6}  {'check_exact':>11}  {'CPU':>7}  {'per layer':>10}  {'entries':>7}  "
        f"{'per entry':>10}"
    )
    at_target = float("nan")
    for depth in depths:
        d = sb.derive(network(depth, 3), batch=True)
        check = functools.partial(sb.check_exact, d, sizes={"m": 3})
        seconds, cpu, result = median_time(check, repeats)
        assert result.ok, result.mismatches[:3]
        print(
            f"{depth:>6}  {seconds:>9.3f} s  {cpu:>5.3f} s  {1e3 * seconds / depth:>7.1f} ms  "
            f"{result.entries:>7}  {1e3 * seconds / result.entries:>7.2f} ms",
            flush=True,
        )
        if depth == EXACT_DEPTH:
            at_target = seconds
    verdict = "met" if at_target < EXACT_TARGET else "NOT met"
    print(f"at depth {EXACT_DEPTH}: {at_target:.2f} s (target < {EXACT_TARGET:g} s: {verdict})")


def process_time(argv: list[str], repeats: int) -> float:
    """Median wall time of a fresh process running ``argv`` (start-up included)."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def start_up(repeats: int) -> None:
    py = sys.executable
    cli = shutil.which("symbackprop", path=os.path.dirname(py)) or "symbackprop"
    derive_cli = process_time([cli, "derive", "4-3-2-1"], repeats)
    verdict = "met" if derive_cli <= CLI_TARGET else "NOT met"
    print(
        f"\nsymbackprop derive 4-3-2-1:        {derive_cli:.3f} s wall "
        f"(target <= {CLI_TARGET:g} s: {verdict})"
    )
    base = process_time([py, "-c", "import sympy, numpy"], repeats)
    ours = process_time([py, "-c", "import symbackprop"], repeats)
    full = process_time([py, "-c", "import symbackprop as sb; sb.derive"], repeats)
    helps = process_time(
        [
            py,
            "-c",
            "import sys; from symbackprop.cli.main import main; "
            "sys.argv=['symbackprop','--help']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert 'sympy' not in sys.modules",
        ],
        repeats,
    )
    print(f"import sympy, numpy:               {base:.3f} s")
    print(f"import symbackprop:                {ours:.3f} s (lazy: no SymPy yet)")
    print(f"import symbackprop + sb.derive:    {full:.3f} s ({full / base:.2f}x sympy+numpy)")
    print(f"symbackprop --help (no SymPy):     {helps:.3f} s")


def sympy_identity_mse(depth: int) -> float:
    """SymPy's MatrixExpr.diff of 1/2 ||W_L ... (W_1 x + b_1) ... + b_L - y||^2 for each W."""
    import sympy as sp
    from sympy import MatrixSymbol, Symbol

    dims = [Symbol(f"n{i}", integer=True, positive=True) for i in range(depth + 1)]
    a: Any = MatrixSymbol("x", dims[0], 1)
    weights = []
    for layer in range(1, depth + 1):
        w = MatrixSymbol(f"W{layer}", dims[layer], dims[layer - 1])
        a = w * a + MatrixSymbol(f"b{layer}", dims[layer], 1)
        weights.append(w)
    y = MatrixSymbol("y", dims[-1], 1)
    cost = sp.Rational(1, 2) * ((a - y).T * (a - y))
    start = time.perf_counter()
    for w in weights:
        cost.diff(w)
    return time.perf_counter() - start


def sympy_comparison() -> None:
    print("\nSymPy's own MatrixExpr.diff on the only network it handles (identity, MSE):")
    for depth in (2, 5, 10, 20):
        print(f"{depth:>6}  {sympy_identity_mse(depth):>8.3f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer depths and repeats")
    parser.add_argument("--repeats", type=int, default=None, help="runs per measurement")
    parser.add_argument("--sympy", action="store_true", help="also time SymPy's MatrixExpr.diff")
    parser.add_argument(
        "--only", choices=["derive", "exact", "start-up"], help="one part of the benchmark"
    )
    args = parser.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    depths = [10, 100, 300] if args.quick else [10, 100, 300, 1000]
    exact_depths = [2, 4, 10] if args.quick else [2, 4, 6, 10, 20, 50, 100]
    sb.to_latex(sb.derive(network(3, 3), batch=True))  # warm up: imports and SymPy's caches
    if args.only in (None, "derive"):
        derive_and_render(depths, repeats)
    if args.only in (None, "exact"):
        exact_check(exact_depths, repeats)
    if args.only in (None, "start-up"):
        start_up(max(repeats, 5))
    if args.sympy:
        sympy_comparison()


if __name__ == "__main__":
    main()
