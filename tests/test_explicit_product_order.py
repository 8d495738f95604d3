"""The exact evaluator multiplies a chain of explicit matrices from its cheaper end.

hostile36c #5: collapse's rational check of a 100-layer network with widths 8 took 27 s (67 s
on a loaded machine): each term of b' = sum_l W[L] ... W[l+1] b[l] was multiplied out from the
left, matrix by matrix, where from the right it is matrix-vector products only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import sympy as sp

from symbackprop.check.explicit import _chain


@dataclass
class _Counted:
    """A matrix of a shape that counts the scalar multiplications its products cost."""

    rows: int
    cols: int
    cost: list[int] = field(default_factory=lambda: [0])

    def __mul__(self, other: _Counted) -> _Counted:
        assert self.cols == other.rows
        self.cost[0] += self.rows * self.cols * other.cols
        return _Counted(self.rows, other.cols, self.cost)


def test_a_chain_ending_in_a_vector_is_multiplied_from_the_right() -> None:
    cost = [0]
    factors = [_Counted(8, 8, cost) for _ in range(99)] + [_Counted(8, 1, cost)]
    out = _chain(factors)
    assert (out.rows, out.cols) == (8, 1)
    assert cost[0] == 99 * 8 * 8  # 99 matrix-vector products (from the left: 98 * 512 + 64)
    cost[0] = 0
    row = [_Counted(1, 8, cost)] + [_Counted(8, 8, cost) for _ in range(5)]
    assert (_chain(row).rows, _chain(row).cols) == (1, 8)


def test_either_order_gives_the_same_exact_product() -> None:
    rng = random.Random(0)

    def draw(rows: int, cols: int) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix(
            rows, cols, lambda i, j: sp.Rational(rng.randint(-9, 9), rng.randint(1, 7))
        )

    factors = [draw(4, 4) for _ in range(6)] + [draw(4, 1)]
    left = factors[0]
    for factor in factors[1:]:
        left = left * factor
    assert _chain(factors) == left
