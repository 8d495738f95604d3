"""Train a small classifier on two moons with the generated gradient code: SGD vs momentum.

Two moons (NumPy only, noise 0.2), standardized with the training set's mean and standard
deviation, mini-batches of 128, network 2-16:tanh-16:tanh-1:sigmoid with binary cross-entropy,
gradients from ``symbackprop.compile``. Every run starts from the same initialization and sees
the same batches. Momentum as in the lecture (v = beta v + (1 - beta) dW, W -= lr v) averages
the gradients, so its steady step is lr dW like plain descent's, but the zigzag across sharp
directions of the cost cancels out: it stays stable at a learning rate where plain descent
jumps about. So the comparison is each method at a learning rate where it is stable:

* SGD at lr 0.3 (at lr 1.0 it spikes, shown as a third run for contrast),
* Momentum at lr 1.0, beta 0.9.

For each run the script prints the epoch at which the training cost first reaches TARGET, the
largest rise of the cost above its lowest value so far (after the first few epochs; "stable"
means it never rises more than STABLE = TARGET / 2 above it), the final cost and the test
accuracy, and plots the cost curves when matplotlib is installed.

    python examples/train_moons.py [--fast] [--plot costs.png]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np

import symbackprop as sb
from symbackprop.apps.data import Standardizer, minibatches, train_test_split, two_moons
from symbackprop.apps.optim import SGD, Momentum, Optimizer

SPEC = "2-16:tanh-16:tanh-1:sigmoid"
NOISE, BATCH, BETA, TARGET = 0.2, 128, 0.9, 0.1
#: a run is stable when, after WARMUP epochs, its cost never rises more than STABLE above the
#: lowest cost it had reached before
WARMUP, STABLE = 3, TARGET / 2


@dataclass
class Run:
    name: str
    lr: float
    costs: list[float]
    accuracy: float

    @property
    def reached(self) -> int | None:
        """The first epoch (1-based) whose training cost is <= TARGET."""
        return next((epoch for epoch, c in enumerate(self.costs, 1) if c <= TARGET), None)

    @property
    def largest_rise(self) -> float:
        """max over the epochs after WARMUP of cost - (lowest cost before that epoch)."""
        costs = np.asarray(self.costs)
        best = np.minimum.accumulate(costs)
        return max(0.0, float(np.max(costs[WARMUP:] - best[WARMUP - 1 : -1])))

    @property
    def stable(self) -> bool:
        return self.largest_rise <= STABLE


def train(module, optimizer: Optimizer, X, Y, epochs: int, seed: int) -> tuple[dict, list[float]]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="fewer epochs")
    parser.add_argument("--plot", default="train_moons_cost.png", help="cost-curve PNG")
    args = parser.parse_args()
    n, epochs = 600, (60 if args.fast else 150)

    X, Y = two_moons(n, noise=NOISE, rng=np.random.default_rng(0))
    X_train, Y_train, X_test, Y_test = train_test_split(X, Y, 0.25, np.random.default_rng(1))
    scaler = Standardizer().fit(X_train)  # test set: the training set's mean and std
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    module = sb.compile(SPEC)  # sigmoid output: bce, the default loss
    runs = []
    for name, optimizer in (
        ("SGD", SGD(0.3)),
        ("Momentum", Momentum(1.0, beta=BETA)),
        ("SGD fast", SGD(1.0)),
    ):
        params, costs = train(module, optimizer, X_train, Y_train, epochs, seed=0)
        A, _cache = module.forward(params, X_test)
        accuracy = float(np.mean((A > 0.5) == (Y_test > 0.5)))
        run = Run(name, optimizer.lr, costs, accuracy)
        runs.append(run)
        reached = run.reached if run.reached else f"> {epochs}"
        print(
            f"{name:>8}: lr {run.lr}, cost <= {TARGET} after {reached} epochs, "
            f"largest rise {run.largest_rise:.3f} ({'stable' if run.stable else 'unstable'}), "
            f"final training cost {costs[-1]:.4f}, test accuracy {accuracy:.1%}"
        )
    sgd, momentum = runs[0], runs[1]
    if sgd.stable and momentum.stable and momentum.reached and sgd.reached:
        print(
            f"Momentum reaches cost {TARGET} in {momentum.reached} epochs, SGD in {sgd.reached}, "
            "both stable"
        )

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    for run in runs:
        ax.semilogy(range(1, len(run.costs) + 1), run.costs, label=f"{run.name}, lr {run.lr}")
    ax.axhline(TARGET, color="grey", linestyle=":", label=f"cost {TARGET}")
    ax.set(xlabel="epoch", ylabel="training cost J", title=f"{SPEC}, batch {BATCH}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.plot, dpi=110)
    print(f"wrote {args.plot}")


if __name__ == "__main__":
    main()
