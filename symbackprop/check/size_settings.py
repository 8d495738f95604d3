"""The size settings a formula is compared at: the first, then three where the sizes change.

A formula right at one size only (``(1/2) (A2 - Y) A1^T`` for ``(1/m) ...`` at m = 2, or
``sum(x^0)/3`` for 1 at n0 = 3) is wrong at another, so the formula checker compares at a
second setting where every dimension that may change does (networks: every dimension; models:
every one the model's ``sizes:`` line does not fix), each made :func:`other_size`, and at a
third where each takes its own size from :data:`THIRD_SIZE` on (4, 5, 6, 7, then 4 again: m
first, then in the order of the first setting). Every such dimension then takes three
different sizes (2, 3 and 4 or more; 1, 3 and 4 or more for an output of width 1), so a factor
of degree 2 in a size that is right at two of them (``(5 - m)/6`` or ``1/(m^2 - 4m + 6)`` for
``1/m``, right at m = 2 and 3) and a matrix identity that holds up to 3 x 3 (Cayley-Hamilton
for n = 3) are caught (hostile22); and no two of them are equal in all three settings unless
more than four change, so a formula right only where two are (``det(W W^T) - det(W^T W)``, 0
for a square W only) is caught too (hostile31: the third gave every one 4). The fourth
mirrors the third (7, 6, 5, 4, ...): two dimensions of different sizes there are in the other
order, so a formula right only where one is at least the other (``det(W^T W)`` is 0 for a
wide W) is caught whichever order the dimensions come in (hostile31 F1b). A formula built to
agree at all four still passes: the check compares at points, it proves nothing.
"""

from __future__ import annotations

from collections.abc import Collection

import sympy as sp

#: a setting: dimension symbol -> size, and the number of points drawn at it
Setting = tuple[dict[sp.Symbol, int], int]


def other_size(size: int) -> int:
    """A small size other than ``size``: 3 for 1 or 2, else 2 (widths stay within 3)."""
    return 3 if size <= 2 else 2


#: the first size of the third setting (the next dimension gets 5, ...): neither 2 nor 3
THIRD_SIZE = 4
#: the third setting's sizes run from THIRD_SIZE through THIRD_SIZE + THIRD_SPAN - 1, then
#: again: dimensions next to each other (a layer's two widths) always differ,
#: and a 60-layer network's widths stay small (each its own size took one from 1 s to 6 s)
THIRD_SPAN = 4


def size_settings(
    first: dict[sp.Symbol, int],
    fixed: Collection[sp.Symbol],
    trials: int,
    ordered: Collection[sp.Symbol] = (),
) -> list[Setting]:
    """``first`` with ``trials`` points, then (when a dimension is not ``fixed``) every other
    dimension made :func:`other_size`, then each its own size from :data:`THIRD_SIZE` on (4,
    5, 6, 7, 4, ... in the order of ``first``), then those sizes mirrored (7, 6, 5, 4, 7, ...),
    one point each, then every dimension at 1 (the ``ordered`` ones at their ranks).

    ``ordered`` dimensions are a model's declared ones: their sizes in ``first`` keep the
    declared order (and equalities), and they keep it in every setting (1 larger in the
    second; in the third and fourth the largest is 7, the next smaller one 6, ...), so a
    formula is never compared where the declared order is turned round (hostile31 F6: a
    tall A, declared, makes inv(A^T A) defined), yet each takes three sizes (hostile32: a
    declared n = 3 was the only n a Cayley-Hamilton identity for n = 3 was compared at).
    """
    changing = [dim for dim in first if dim not in fixed and dim not in ordered]
    second = {dim: other_size(size) if dim in changing else size for dim, size in first.items()}
    second.update({dim: first[dim] + 1 for dim in ordered})
    # in the order of ``first`` (a network's n0, n1, ...; a model's as declared): a layer's two
    # widths are next to each other there, not in name order (n1, n10, n11, ..., n2)
    # the batch size first: m = 4 as before, where the checks of a formula that writes m
    # itself (m at larger sizes, an indicator of m) start from
    changing.sort(key=lambda dim: str(dim) != "m")
    steps = {dim: k % THIRD_SPAN for k, dim in enumerate(changing)}
    shifted = _top_aligned({dim: first[dim] for dim in ordered})
    third = {**first, **shifted, **{dim: THIRD_SIZE + step for dim, step in steps.items()}}
    # the mirror turns every pair of different sizes round: a formula right only where one
    # dimension is at least another (det(W^T W) is 0 where W is wide) is wrong at one of the two
    last = THIRD_SIZE + THIRD_SPAN - 1
    mirrored = {dim: last - step for dim, step in steps.items()}
    if mirrored and shifted:
        # above every declared one too: k undeclared and n declared were k < n in every setting
        # (hostile32b), so a formula right only where k <= n passed
        lift = max(0, max(shifted.values()) + 1 - min(mirrored.values()))
        mirrored = {dim: size + lift for dim, size in mirrored.items()}
    fourth = {**first, **shifted, **mirrored}
    # every dimension at 1: a factor that vanishes for every size from 2 on (det(p^T p) of a
    # 1 x m row p, rank 1) hid a wrong term at m = 2, 3, 4 and 7 (hostile48d #1); the
    # declared ones at their ranks (1, 2, ... in size order, equal sizes equal), keeping the
    # declared order; last, and a model with no value there skips it (shapecheck.model)
    ranks = {size: k + 1 for k, size in enumerate(sorted({first[dim] for dim in ordered}))}
    ones = {
        dim: ranks[first[dim]] if dim in ordered else first[dim] if dim in fixed else 1
        for dim in first
    }
    settings = [(first, trials)]
    for other in (second, third, fourth, ones):
        if all(other != setting for setting, _ in settings):
            settings.append((other, 1))
    return settings


#: a network's own width up to this is compared at too (:func:`with_own_sizes`): the exact
#: check at 7 is one of the four settings already; a wider one is left at its first size
OWN_LIMIT = 8


def with_own_sizes(
    settings: list[Setting],
    first: dict[sp.Symbol, int],
    own: dict[sp.Symbol, int],
    limit: int | None = None,
) -> list[Setting]:
    """``settings`` and, where it is none of them, one more with one point: each dimension at
    its ``own`` size (the user's network: 5 for 5-3-1's n0) up to :data:`OWN_LIMIT`, else at
    ``first``'s. The four settings gave 5-3-1's n0 the sizes 3, 2, 4 and 7, where
    ``(s - 2)(s - 3)(s - 4)(s - 7)`` with s = sum(1{x > -100}) (n0 at every point) is 0, and a
    formula with that factor passed, although at its own n0 = 5 it is -11 times the gradient
    (hostile40b #1). ``limit``: the largest own size taken (default :data:`OWN_LIMIT`); the
    caller whose network is small enough at its own sizes passes a larger one."""
    most = OWN_LIMIT if limit is None else limit
    mine = {
        dim: own[dim] if dim in own and own[dim] <= most else size for dim, size in first.items()
    }
    if all(mine != setting for setting, _ in settings):
        return [*settings, (mine, 1)]
    return settings


def _top_aligned(sizes: dict[sp.Symbol, int]) -> dict[sp.Symbol, int]:
    """``sizes`` moved up to end at the third setting's largest size (7), keeping their order
    and equalities (3 and 5 become 6 and 7), and each at least 2 above its own."""
    values = sorted(set(sizes.values()))
    last = THIRD_SIZE + THIRD_SPAN - 1
    top = {v: max(v + 2, last - (len(values) - 1 - k)) for k, v in enumerate(values)}
    return {dim: top[size] for dim, size in sizes.items()}


def other_sizes_text(settings: list[Setting]) -> str:
    """``", 3 at other sizes"`` for the settings after the first (nothing where none)."""
    count = sum(points for _, points in settings[1:])
    return f", {count} at other sizes" if count else ""
