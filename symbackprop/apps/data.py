"""Small data utilities for training the generated code, NumPy only.

Examples are *columns* (DESIGN.md): X is n0 x m, Y is n_L x m.

* :func:`minibatches` shuffles the columns once per call and yields (X_batch, Y_batch).
* :class:`Standardizer` learns each feature's mean and standard deviation on the training set
  and applies the same numbers to any other set (the lecture: normalize the test set with the
  training set's statistics, never its own).
* :func:`two_moons` and :func:`spirals` make the usual 2-D toy classification sets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

__all__ = ["Standardizer", "minibatches", "one_hot", "spirals", "train_test_split", "two_moons"]


def minibatches(
    X: np.ndarray, Y: np.ndarray, batch_size: int, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X[:, idx], Y[:, idx])`` over a random permutation of the m columns.

    X is n0 x m and Y is n_L x m; every column appears exactly once per pass; the last batch
    holds the remainder (m mod batch_size columns) when m is not a multiple of batch_size.
    """
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X {X.shape} and Y {Y.shape}: expected 2-D arrays with examples as columns "
            "(the same number of columns)"
        )
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise ValueError(f"batch_size {batch_size!r}: expected a positive integer")
    if batch_size < 1:
        raise ValueError(f"batch_size {batch_size!r}: expected a positive integer")
    order = rng.permutation(X.shape[1])
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        yield X[:, idx], Y[:, idx]


@dataclass
class Standardizer:
    """Per-feature standardization, fit on the training set.

    ``fit(X)`` stores ``mean`` and ``std`` (each n0 x 1, over the columns of X, one row per
    feature); ``transform(X)`` returns (X - mean) / std for any X with n0 rows. A standard
    deviation below ``floor`` is replaced by 1 so that a constant feature maps to 0 instead of
    dividing by zero.
    """

    floor: float = 1e-8
    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> Standardizer:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] < 1:
            raise ValueError(f"X {X.shape}: expected n0 x m with m >= 1 (examples as columns)")
        self.mean = X.mean(axis=1, keepdims=True)
        std = X.std(axis=1, keepdims=True)
        self.std = np.where(std < self.floor, 1.0, std)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if self.mean is None or self.std is None:
            raise ValueError("Standardizer: call fit(X_train) before transform")
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[0] != self.mean.shape[0]:
            raise ValueError(
                f"X {X.shape}: expected {self.mean.shape[0]} rows (features) as in fit"
            )
        return (X - self.mean) / self.std

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        return self.fit(X).transform(X)


def one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    """Integer labels (m,) -> a classes x m one-hot matrix (each column sums to 1).

    Each label must be a whole number in [0, classes): a -1 ("ignore") would index the last
    class, 1.7 would be cut to 1, so both are refused (ValueError naming the first), as is a
    label of ``classes`` or more.
    """
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 1:
        raise ValueError(f"classes {classes!r}: expected a positive integer")
    given = np.asarray(labels)
    if given.ndim != 1 or given.dtype.kind not in "iuf":
        raise ValueError(
            f"labels of shape {given.shape} and dtype {given.dtype}: expected a 1-D array of "
            f"integer labels in [0, {classes})"
        )
    whole = np.isfinite(given) & (given == np.round(given)) if given.dtype.kind == "f" else None
    bad = (given < 0) | (given >= classes)
    if whole is not None:
        bad |= ~whole
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        label = given[at].item()
        raise ValueError(
            f"label {label!r} at position {at}: expected a whole number in [0, {classes})"
        )
    labels = given.astype(int)
    out = np.zeros((classes, labels.size))
    out[labels, np.arange(labels.size)] = 1.0
    return out


def two_moons(
    n: int, noise: float = 0.1, rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: X is 2 x n, Y is 1 x n with labels 0 and 1.

    Class 0 is the upper half circle of radius 1 centred at (0, 0), class 1 the lower one
    centred at (1, 0.5); Gaussian ``noise`` (standard deviation) is added to both coordinates.
    """
    rng = np.random.default_rng() if rng is None else rng
    n0 = n // 2
    n1 = n - n0
    t0 = rng.uniform(0, np.pi, n0)
    t1 = rng.uniform(0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)])
    lower = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.concatenate([upper, lower], axis=1) + noise * rng.standard_normal((2, n))
    Y = np.concatenate([np.zeros(n0), np.ones(n1)])[None, :]
    order = rng.permutation(n)  # mix the classes so that any slice holds both
    return X[:, order], Y[:, order]


def spirals(
    n: int,
    rng: np.random.Generator | None = None,
    *,
    classes: int = 2,
    noise: float = 0.2,
    onehot: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: X is 2 x n.

    Y is 1 x n with labels 0..classes-1, or classes x n one-hot when ``onehot`` (for a
    softmax output with loss ``ce``). Each arm turns once and a quarter; ``noise`` is added to
    the angle.
    """
    rng = np.random.default_rng() if rng is None else rng
    labels = np.arange(n) % classes
    radius = rng.uniform(0.05, 1.0, n)
    angle = radius * 2.5 * np.pi + labels * 2 * np.pi / classes + noise * rng.standard_normal(n)
    X = np.stack([radius * np.cos(angle), radius * np.sin(angle)])
    order = rng.permutation(n)
    X, labels = X[:, order], labels[order]
    if onehot:
        return X, one_hot(labels, classes)
    return X, labels[None, :].astype(float)


def train_test_split(
    X: np.ndarray, Y: np.ndarray, test_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split the columns at random: ``X_train, Y_train, X_test, Y_test``.

    X is n0 x m and Y is n_L x m (examples as columns); ``test_fraction`` in [0, 1) of the m
    columns, rounded, go to the test set (n0 x m_test, n_L x m_test), the rest to the training
    set, which keeps at least one column.
    """
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1] or X.shape[1] < 1:
        raise ValueError(
            f"X {X.shape} and Y {Y.shape}: expected 2-D arrays with examples as columns "
            "(the same number of columns, at least one)"
        )
    if not 0 <= test_fraction < 1:  # also refuses nan
        raise ValueError(f"test_fraction {test_fraction!r}: expected a number in [0, 1)")
    m = X.shape[1]
    order = rng.permutation(m)
    n_test = min(int(round(test_fraction * m)), m - 1)
    test, train = order[:n_test], order[n_test:]
    return X[:, train], Y[:, train], X[:, test], Y[:, test]
