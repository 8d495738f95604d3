"""Optimizers for the generated gradient code: SGD, Momentum (as the lecture writes it), Adam.

Parameters and gradients are dicts of NumPy arrays keyed like the generated module's
(``"W1"``: n1 x n0, ``"b1"``: n1 x 1, ...). ``step(params, grads)`` updates ``params`` in place
(the arrays themselves, so references held elsewhere see the update) and keeps any state per
key. Only NumPy is needed.

Typical use with a generated module::

    opt = Momentum(lr=0.5, beta=0.9)
    for X_batch, Y_batch in minibatches(X, Y, 32, rng):
        cost, grads = module.loss_and_grads(params, X_batch, Y_batch)
        opt.step(params, grads)
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

import numpy as np

__all__ = ["SGD", "Adam", "Momentum", "Optimizer"]

Params = MutableMapping[str, np.ndarray]
Grads = Mapping[str, np.ndarray]


class Optimizer:
    """Base class: ``step(params, grads)`` updates every key of ``grads`` in ``params``."""

    def __init__(self, lr: float) -> None:
        if not lr > 0:
            raise ValueError(f"lr {lr!r}: expected a positive learning rate")
        self.lr = float(lr)

    def step(self, params: Params, grads: Grads) -> None:
        for key, grad in grads.items():
            param = params[key]
            if param.shape != grad.shape:
                raise ValueError(
                    f"{key}: gradient has shape {grad.shape}, parameter {param.shape}"
                )
            # in place: ``param -= ...`` keeps the caller's array objects
            param -= self.update(key, grad)

    def update(self, key: str, grad: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """The amount to subtract from parameter ``key`` given its gradient."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget all per-parameter state (velocities, moments, step counts)."""


class SGD(Optimizer):
    """Plain (mini-batch) gradient descent: W <- W - lr dW."""

    def update(self, key: str, grad: np.ndarray) -> np.ndarray:
        return self.lr * grad


class Momentum(Optimizer):
    """Gradient descent with momentum, as in the lecture.

    v_dW <- beta v_dW + (1 - beta) dW, then W <- W - lr v_dW; the velocity v starts at zero
    and is kept per parameter key. The (1 - beta) factor makes v an exponentially weighted
    average of past gradients (so the step size in a steady direction is lr dW, as for SGD);
    the gain is that oscillating components average out, which tolerates a larger lr.
    """

    def __init__(self, lr: float, beta: float = 0.9) -> None:
        super().__init__(lr)
        if not 0 <= beta < 1:
            raise ValueError(f"beta {beta!r}: expected 0 <= beta < 1")
        self.beta = float(beta)
        self.velocity: dict[str, np.ndarray] = {}

    def update(self, key: str, grad: np.ndarray) -> np.ndarray:
        v = self.velocity.get(key)
        if v is None:
            v = np.zeros_like(grad)
        v = self.beta * v + (1 - self.beta) * grad
        self.velocity[key] = v
        return self.lr * v

    def reset(self) -> None:
        self.velocity.clear()


class Adam(Optimizer):
    """Adam: momentum on the gradient and on its square, with bias correction.

    m <- beta1 m + (1 - beta1) dW, s <- beta2 s + (1 - beta2) dW^2 (element-wise),
    m_hat = m / (1 - beta1^t), s_hat = s / (1 - beta2^t), W <- W - lr m_hat / (sqrt(s_hat) + eps),
    with t the number of steps taken for that key (the correction undoes the zero start).
    """

    def __init__(
        self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        super().__init__(lr)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= beta < 1:
                raise ValueError(f"{name} {beta!r}: expected 0 <= {name} < 1")
        if not eps > 0:
            raise ValueError(f"eps {eps!r}: expected a positive number")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.first: dict[str, np.ndarray] = {}
        self.second: dict[str, np.ndarray] = {}
        self.steps: dict[str, int] = {}

    def update(self, key: str, grad: np.ndarray) -> np.ndarray:
        m = self.first.get(key, np.zeros_like(grad))
        s = self.second.get(key, np.zeros_like(grad))
        t = self.steps.get(key, 0) + 1
        m = self.beta1 * m + (1 - self.beta1) * grad
        s = self.beta2 * s + (1 - self.beta2) * grad * grad
        self.first[key], self.second[key], self.steps[key] = m, s, t
        m_hat = m / (1 - self.beta1**t)
        s_hat = s / (1 - self.beta2**t)
        return self.lr * m_hat / (np.sqrt(s_hat) + self.eps)

    def reset(self) -> None:
        self.first.clear()
        self.second.clear()
        self.steps.clear()
