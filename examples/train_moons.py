"""Train a small classifier on two moons with the generated gradient code.

Two moons (NumPy only), standardized with the training set's mean and standard deviation,
mini-batches of 32, network 2-16:tanh-16:tanh-1:sigmoid with binary cross-entropy, gradients
from ``symbackprop.compile``. Plain mini-batch gradient descent and momentum
(v = beta v + (1 - beta) dW, W -= lr v) start from the same initialization and see the same
batches; the script prints the epoch at which each first reaches a training cost of TARGET,
the test accuracy, and plots both cost curves when matplotlib is installed.

    python examples/train_moons.py [--fast] [--plot costs.png]
"""

from __future__ import annotations

import argparse

import numpy as np

import symbackprop as sb
from symbackprop.data import Standardizer, minibatches, train_test_split, two_moons
from symbackprop.optim import SGD, Momentum

SPEC = "2-16:tanh-16:tanh-1:sigmoid"
# lr 2.0 is where plain descent starts to zigzag across the sharp directions of the cost;
# averaging the gradients (momentum) cancels the zigzag. At lr 1.0 the two are close.
LR, BETA, BATCH, TARGET = 2.0, 0.9, 32, 0.05


def train(module, optimizer, X, Y, epochs: int, seed: int) -> tuple[dict, list[float]]:
    """Mini-batch training; returns the parameters and the full training cost after each epoch."""
    params = module.init_params(seed=seed, scheme="xavier")
    rng = np.random.default_rng(seed)  # the same batches for every optimizer
    costs = []
    for _epoch in range(epochs):
        for X_batch, Y_batch in minibatches(X, Y, BATCH, rng):
            _cost, grads = module.loss_and_grads(params, X_batch, Y_batch)
            optimizer.step(params, grads)
        costs.append(module.loss_and_grads(params, X, Y)[0])
    return params, costs


def first_epoch_below(costs: list[float], target: float) -> int | None:
    return next((epoch for epoch, cost in enumerate(costs, 1) if cost <= target), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="fewer epochs")
    parser.add_argument("--plot", default="train_moons_cost.png", help="cost-curve PNG")
    args = parser.parse_args()
    n, epochs = 600, (40 if args.fast else 150)

    X, Y = two_moons(n, noise=0.15, rng=np.random.default_rng(0))
    X_train, Y_train, X_test, Y_test = train_test_split(X, Y, 0.25, np.random.default_rng(1))
    scaler = Standardizer().fit(X_train)  # test set: the training set's mean and std
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    module = sb.compile(sb.Network.parse(SPEC, loss="bce"))
    results = {}
    for name, optimizer in (("SGD", SGD(LR)), ("Momentum", Momentum(LR, beta=BETA))):
        params, costs = train(module, optimizer, X_train, Y_train, epochs, seed=0)
        A, _cache = module.forward(params, X_test)
        accuracy = float(np.mean((A > 0.5) == (Y_test > 0.5)))
        results[name] = costs
        reached = first_epoch_below(costs, TARGET)
        print(
            f"{name:>8}: lr {LR}, final training cost {costs[-1]:.4f}, "
            f"cost <= {TARGET} after {reached if reached else f'> {epochs}'} epochs, "
            f"test accuracy {accuracy:.1%}"
        )

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, costs in results.items():
        ax.semilogy(range(1, len(costs) + 1), costs, label=name)
    ax.axhline(TARGET, color="grey", linestyle=":", label=f"cost {TARGET}")
    ax.set(xlabel="epoch", ylabel="training cost J", title=f"{SPEC}, lr {LR}, batch {BATCH}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.plot, dpi=110)
    print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
