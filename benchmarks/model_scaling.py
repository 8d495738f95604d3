"""Deriving models against their size: an unrolled RNN by steps, a residual stack by blocks.

Run: ``python benchmarks/model_scaling.py`` (``--quick`` for fewer sizes). For each size it
prints the median wall time of ``Model.parse`` and of ``symbackprop.derive`` (steps and
compact gradients, every adjoint kept under its ``dJ/d<name>`` symbol; ``.expanded`` is lazy
and not counted), the number of steps, and the time per step, so linear growth shows as a flat
last column. Issue 11's target: 50 RNN steps and 50 residual blocks each under 1 s.
``--chain`` also times the long chain ``h{i+1} = tanh(W h{i})`` (hostile test 12, finding 11)
up to the model limit of 1,000 equations, with the terminal text's rendering, which the CLI
adds to ``derive``: the sum over the shared W's N contributions once made both quadratic.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import symbackprop as sb


def rnn(steps: int) -> str:
    """A tanh RNN unrolled over ``steps`` steps: one W, U and b shared by every step."""
    lines = ["W : n1 x n1", "U : n1 x n0", "Y : 1 x m", "sizes: n0 = 8, n1 = 16"]
    lines += [f"X{t} : n0 x m" for t in range(1, steps + 1)]
    lines.append("h1 = tanh(U X1 + b)")
    lines += [f"h{t} = tanh(W h{t - 1} + U X{t} + b)" for t in range(2, steps + 1)]
    lines.append(f"J = mse(v^T h{steps} + c, Y)")
    lines.append("data: Y, " + ", ".join(f"X{t}" for t in range(1, steps + 1)))
    return "\n".join(lines)


def residual(blocks: int) -> str:
    """``blocks`` residual blocks h_k = h_{k-1} + W_k relu(V_k h_{k-1} + b_k), a BCE head."""
    lines = ["X : n x m", "Y : 1 x m", "sizes: n = 16", "h0 = X"]
    for k in range(1, blocks + 1):
        lines += [f"W{k} : n x n", f"V{k} : n x n"]
        lines.append(f"h{k} = h{k - 1} + W{k} relu(V{k} h{k - 1} + b{k})")
    lines.append(f"J = bce(sigmoid(w^T h{blocks} + c), Y)")
    lines.append("data: X, Y")
    return "\n".join(lines)


def chain(steps: int) -> str:
    """``steps`` steps ``h{i+1} = tanh(W h{i})`` sharing one W: ``steps + 2`` equations."""
    lines = ["X : n0 x m", "W : n0 x n0", "sizes: n0 = 3", "h0 = X"]
    lines += [f"h{i + 1} = tanh(W h{i})" for i in range(steps)]
    return "\n".join([*lines, f"J = sum(h{steps})", "data: X"])


def measure_chain(sizes: tuple[int, ...]) -> None:
    """Parse, derive and text rendering of the chain by N, once each (CPU seconds)."""
    import symbackprop.render as render

    print(f"{'chain steps':>16}  {'parse s':>8}  {'derive s':>9}  {'render s':>9}  {'ms/step':>8}")
    for size in sizes:
        start = time.process_time()
        model = sb.Model.parse(chain(size))
        parsed = time.process_time()
        d = sb.derive(model)
        derived = time.process_time()
        render.text.to_text(d)
        done = time.process_time()
        per_step = 1e3 * (done - start) / size
        print(
            f"{size:>16}  {parsed - start:>8.3f}  {derived - parsed:>9.3f}  "
            f"{done - derived:>9.3f}  {per_step:>8.2f}"
        )


def measure(text: str, repeats: int) -> tuple[float, float, int]:
    """Median parse and derive times (s) and the number of steps."""
    parse, derive, steps = [], [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        model = sb.Model.parse(text)
        parsed = time.perf_counter()
        d = sb.derive(model)
        parse.append(parsed - start)
        derive.append(time.perf_counter() - parsed)
        steps = len(d.steps)
    return statistics.median(parse), statistics.median(derive), steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 5, 10 and 20 only")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--chain", action="store_true", help="also the tanh chain at 125 to 998 steps"
    )
    args = parser.parse_args()
    sizes = (5, 10, 20) if args.quick else (5, 10, 25, 50, 100)
    sb.derive(sb.Model.parse(rnn(2)))  # warm up: imports and SymPy's caches of the rules
    builders: dict[str, Callable[[int], str]] = {
        "RNN steps": rnn,
        "residual blocks": residual,
    }
    for label, build in builders.items():
        print(f"{label:>16}  {'parse s':>8}  {'derive s':>9}  {'steps':>6}  {'ms/step':>8}")
        for size in sizes:
            parse, derive, steps = measure(build(size), args.repeats)
            per_step = 1e3 * derive / steps
            print(f"{size:>16}  {parse:>8.3f}  {derive:>9.3f}  {steps:>6}  {per_step:>8.2f}")
        print()
    if args.chain:
        measure_chain((50, 100) if args.quick else (125, 250, 500, 998))


if __name__ == "__main__":
    main()
