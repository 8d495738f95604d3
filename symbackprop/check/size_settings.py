"""The size settings a formula is compared at: the first, then two where the sizes change.

A formula right at one size only (``(1/2) (A2 - Y) A1^T`` for ``(1/m) ...`` at m = 2, or
``sum(x^0)/3`` for 1 at n0 = 3) is wrong at another, so the formula checker compares at a
second setting where every dimension that may change does (networks: every dimension; models:
every one the model's ``sizes:`` line does not fix), each made :func:`other_size`, and at a
third where each is :data:`THIRD_SIZE`: every such dimension then takes three different sizes
(2, 3 and 4 for most; 1, 3 and 4 for an output of width 1), so a factor of degree 2 in a
size that is right at two of them (``(5 - m)/6`` or ``1/(m^2 - 4m + 6)`` for ``1/m``, right
at m = 2 and 3) and a matrix identity that holds up to 3 x 3 (Cayley-Hamilton for n = 3) are
caught (hostile22). With ``distinct`` (a model's formula) the third setting also gives the
dimensions that change distinct sizes (4, 5, 6, ... in name order): in the first two they
are equal, and a formula right only where two of them are (``det(W W^T) - det(W^T W)``, 0 for
a square W only) passed (hostile31). A formula built to agree at all three still passes: the
check compares at points, it proves nothing.
"""

from __future__ import annotations

from collections.abc import Collection

import sympy as sp

#: a setting: dimension symbol -> size, and the number of points drawn at it
Setting = tuple[dict[sp.Symbol, int], int]


def other_size(size: int) -> int:
    """A small size other than ``size``: 3 for 1 or 2, else 2 (widths stay within 3)."""
    return 3 if size <= 2 else 2


#: every dimension that may change, in the third setting: neither 2 nor 3
THIRD_SIZE = 4


def size_settings(
    first: dict[sp.Symbol, int],
    fixed: Collection[sp.Symbol],
    trials: int,
    *,
    distinct: bool = False,
) -> list[Setting]:
    """``first`` with ``trials`` points, then (when a dimension is not ``fixed``) every other
    dimension made :func:`other_size`, then :data:`THIRD_SIZE` (with ``distinct``: 4, 5, ...
    in name order), one point each."""
    second = {dim: size if dim in fixed else other_size(size) for dim, size in first.items()}
    changing = sorted((dim for dim in first if dim not in fixed), key=str)
    step = dict.fromkeys(changing, 0) if not distinct else {d: k for k, d in enumerate(changing)}
    third = {dim: size if dim in fixed else THIRD_SIZE + step[dim] for dim, size in first.items()}
    settings = [(first, trials)]
    for other in (second, third):
        if all(other != setting for setting, _ in settings):
            settings.append((other, 1))
    return settings


def other_sizes_text(settings: list[Setting]) -> str:
    """``", 2 at other sizes"`` for the settings after the first (nothing where none)."""
    count = sum(points for _, points in settings[1:])
    return f", {count} at other sizes" if count else ""
