"""Vanishing and exploding gradients, across depths and initializations.

First the lecture's example in exact fractions: identity activations, zero biases and
W[l] = 1.5 I (or 0.5 I) give W[L] ... W[1] = 1.5^L I, and every dJ/dW[l] = 1.5^(L-1)
(y_hat - y) x^T. Then, with the generated NumPy code, the per-layer gradient norms of a ReLU
network at initialization: the ratio max/min across layers for each depth and scheme.

    python examples/vanishing_gradients.py [--fast]
"""

from __future__ import annotations

import argparse

from symbackprop.apps.gradients import analyze, exact_scaling


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="fewer depths and seeds")
    args = parser.parse_args()

    for scale in ("3/2", "1/2"):
        for depth in (5, 10):
            example = exact_scaling(depth, scale)
            print(
                f"c = {scale}, L = {depth}: W[L]...W[1] = {example.product[0, 0]} I, "
                f"dJ/dW[l] = {example.factors[1]} (y_hat - y) x^T for every l; "
                f"exact: {example.product_is_power and example.gradients_scale_as_power}"
            )
    print()

    depths = (10, 50) if args.fast else (10, 25, 50, 100)
    seeds = 2 if args.fast else 5
    inits = ("he", "xavier", "glorot", "normal")
    print(
        f"ReLU, width 64, {seeds} seeds: max/min across layers of ||dJ/db[l]|| "
        "(the error signal reaching layer l) and of ||dJ/dW[l]||_F"
    )
    print(f"{'depth':>5}  " + "  ".join(f"{init:>20}" for init in inits))
    for depth in depths:
        cells = []
        for init in inits:
            table = analyze(depth, 64, "relu", init, seeds=seeds)
            cells.append(f"{table.bias_ratio:9.3g} / {table.weight_ratio:8.3g}")
        print(f"{depth:>5}  " + "  ".join(f"{cell:>20}" for cell in cells))
    print(
        "\nHe init keeps the backpropagated signal within a small factor across layers; "
        "normal (std 1) multiplies it by about sqrt(64/2) per layer."
    )


if __name__ == "__main__":
    main()
