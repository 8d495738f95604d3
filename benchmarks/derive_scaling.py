"""Derivation time against depth, beside SymPy's own matrix differentiation.

Run: ``python benchmarks/derive_scaling.py`` (``--quick`` for fewer depths). Prints, for each
depth, the median time of ``symbackprop.derive`` (steps and compact gradients; ``.expanded`` is
lazy and printing is not counted) for a sigmoid/BCE network of width 8, and of SymPy's
``MatrixExpr.diff`` on the only network it handles (identity activations, MSE), plus SymPy's
failure on a two-layer sigmoid/BCE network; then import times.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import sympy as sp
from sympy import MatrixSymbol, OneMatrix, Symbol
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

import symbackprop as sb


def time_ours(depth: int, repeats: int = 3) -> float:
    spec = "-".join(["8"] * depth) + "-1"
    network = sb.Network.parse(spec)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        sb.derive(network)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def sympy_identity_mse(depth: int) -> float:
    """SymPy's MatrixExpr.diff of 1/2 ||W_L ... (W_1 x + b_1) ... + b_L - y||^2 for each W."""
    dims = [Symbol(f"n{i}", integer=True, positive=True) for i in range(depth + 1)]
    a: sp.Basic = MatrixSymbol("x", dims[0], 1)
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


def sympy_sigmoid_bce() -> str:
    """SymPy's MatrixExpr.diff on the two-layer sigmoid/BCE network: the error it raises."""
    n0, n1, n2 = (Symbol(f"n{i}", integer=True, positive=True) for i in range(3))
    t = Symbol("t")
    sig = sp.Lambda(t, 1 / (1 + sp.exp(-t)))
    x, y = MatrixSymbol("x", n0, 1), MatrixSymbol("y", n2, 1)
    w1, b1 = MatrixSymbol("W1", n1, n0), MatrixSymbol("b1", n1, 1)
    w2, b2 = MatrixSymbol("W2", n2, n1), MatrixSymbol("b2", n2, 1)
    a2 = ElementwiseApplyFunction(sig, w2 * ElementwiseApplyFunction(sig, w1 * x + b1) + b2)
    log_a = ElementwiseApplyFunction(sp.Lambda(t, sp.log(t)), a2)
    log_1ma = ElementwiseApplyFunction(sp.Lambda(t, sp.log(1 - t)), a2)
    cost = -(y.T * log_a + (OneMatrix(n2, 1) - y).T * log_1ma)
    try:
        cost.diff(w1)
    except Exception as exc:  # noqa: BLE001 - the point is to show what SymPy raises
        return f"{type(exc).__name__}: {exc}"
    return "succeeded (unreadable array expression)"


def import_time(statement: str, repeats: int = 5) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer depths, fewer repeats")
    args = parser.parse_args()
    depths = [2, 10, 50, 100] if args.quick else [2, 5, 10, 20, 50, 100]
    sympy_limit = 10 if args.quick else 20
    time_ours(3)  # warm SymPy's caches and the activation records once
    header = ("depth", "symbackprop.derive", "per layer", "SymPy diff (id/MSE)")
    print(f"{header[0]:>5}  {header[1]:>18}  {header[2]:>10}  {header[3]:>20}")
    for depth in depths:
        ours = time_ours(depth)
        theirs = f"{sympy_identity_mse(depth):.3f} s" if depth <= sympy_limit else "(skipped)"
        print(f"{depth:>5}  {ours:>16.3f} s  {1e3 * ours / depth:>7.2f} ms  {theirs:>20}")
    print(f"\nSymPy MatrixExpr.diff, 2-layer sigmoid/BCE, dJ/dW1: {sympy_sigmoid_bce()}")
    base = import_time("import sympy, numpy")
    ours_import = import_time("import symbackprop")
    full = import_time("import symbackprop as sb; sb.derive")
    helps = import_time(
        "import sys; from symbackprop.cli.main import main; "
        "sys.argv=['symbackprop','--help']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'sympy' not in sys.modules"
    )
    print(f"\nimport sympy, numpy:               {base:.3f} s")
    print(f"import symbackprop:                {ours_import:.3f} s (lazy: no SymPy yet)")
    print(f"import symbackprop + sb.derive:    {full:.3f} s ({full / base:.2f}x sympy+numpy)")
    print(f"symbackprop --help (no SymPy):     {helps:.3f} s")


if __name__ == "__main__":
    main()
