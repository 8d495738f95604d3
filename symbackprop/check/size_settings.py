"""The size settings a formula is compared at: the first, then one where the sizes change.

A formula right at one size only (``(1/2) (A2 - Y) A1^T`` for ``(1/m) ...`` at m = 2, or
``sum(x^0)/3`` for 1 at n0 = 3) is wrong at another, so the formula checker compares at a
second setting where every dimension that may change does (networks: every dimension; models:
every one the model's ``sizes:`` line does not fix), each made :func:`other_size`.
"""

from __future__ import annotations

from collections.abc import Collection

import sympy as sp

#: a setting: dimension symbol -> size, and the number of points drawn at it
Setting = tuple[dict[sp.Symbol, int], int]


def other_size(size: int) -> int:
    """A small size other than ``size``: 3 for 1 or 2, else 2 (widths stay within 3)."""
    return 3 if size <= 2 else 2


def size_settings(
    first: dict[sp.Symbol, int], fixed: Collection[sp.Symbol], trials: int
) -> list[Setting]:
    """``first`` with ``trials`` points, then (when a dimension is not ``fixed``) every other
    dimension made :func:`other_size` with one point."""
    second = {dim: size if dim in fixed else other_size(size) for dim, size in first.items()}
    settings = [(first, trials)]
    if second != first:
        settings.append((second, 1))
    return settings
