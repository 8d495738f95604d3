"""Random rational targets of each kind (:data:`symbackprop.records.losses.TARGET_KINDS` and
their soft relaxations, :data:`~symbackprop.records.losses.SOFT_TARGETS`), for the exact check
of a network or a model and for the formula checker's points.
"""

from __future__ import annotations

import random

import sympy as sp


def rational_targets(kind: str, rows: int, cols: int, rng: random.Random) -> sp.Matrix:
    """A rows x cols matrix of valid targets of ``kind``, exact rationals.

    "binary": entries 0 or 1; "one-hot": one 1 in each column; "probability": entries k/20,
    0 < k < 20; "distribution": each column positive integers 1..9 divided by their sum (every
    entry strictly between 0 and 1 when there are two rows or more); "real": k/q, 1 <= k <= 9,
    1 <= q <= 5, either sign.
    """
    if kind == "binary":
        return sp.Matrix(rows, cols, lambda i, j: sp.Integer(rng.randint(0, 1)))
    if kind == "one-hot":
        value = sp.zeros(rows, cols)
        for col in range(cols):
            value[rng.randrange(rows), col] = 1
        return value
    if kind == "probability":
        return sp.Matrix(rows, cols, lambda i, j: sp.Rational(rng.randint(1, 19), 20))
    if kind == "distribution":
        value = sp.Matrix(rows, cols, lambda i, j: sp.Integer(rng.randint(1, 9)))
        for col in range(cols):
            total = sum(value[:, col])
            value[:, col] = value[:, col] / total
        return value
    return sp.Matrix(rows, cols, lambda i, j: rational(rng))


def rational(rng: random.Random) -> sp.Rational:
    """A random rational k/q, 1 <= k <= 9, 1 <= q <= 5, either sign."""
    return sp.Rational(rng.choice([-1, 1]) * rng.randint(1, 9), rng.randint(1, 5))
