"""The thin wedge between a value and the same value plus a small term that is no linear one.

relu'(z1) beside ``1{z1 + 0.001 sum(W1) > 0}``, ``1{z1 + 0.001 b1 ⊙ b1 > 0}`` or
``1{z1 + 0.001 W1 x ⊙ W1 x > 0}``: the second argument is z1 plus a term that is no function
of z1 (so :mod:`.switches` keeps it a base of its own) and not linear in the leaves (so
:mod:`.joint` solves no point for it); each is reached on both sides of its own 0, and the two
differ only in an entry where they have opposite signs, a wedge about 0.001 |sum(W1)| wide
around z1 = 0 (review15 N10). Two bases of one shape that share a term, written out with
products of sums multiplied out (b1 ⊙ (1 + 0.001 b1) is b1 + 0.001 b1 ⊙ b1), and are not one
value scaled (:func:`shifted_pairs`: z1 beside z1 + 0.001 b1 ⊙ b1, or beside
W1 x + 0.999 b1 + 0.001 sum(W1) 1, review16 T2) get a joint region for every pair of their
pieces, as linear pairs do; a point inside one is searched on lines through the leaves, one
entry's two values followed at once (:func:`along`): where the two cross their switches close
together, the halving between the crossings lands in the wedge. A pair of pieces no line
reaches stays missing (the check cannot decide): it may be empty, which is known for a
further term of one sign (z1 above 0 with z1 + b1 ⊙ b1 below 0) and a factor of one sign
(z1 above 0 with z1 ⊙ (1 + b1 ⊙ b1) below 0), and left out there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from symbackprop.check.joint import (
    Piece,
    canonical_product,
    linear_form,
    moving_leaves,
    orientations,
    own_base,
    pieces,
    proportional,
    scaled,
    summed,
    transposed,
)
from symbackprop.records.nodes import Elementwise

#: the halvings of one line's bracket at most (each a point evaluated)
HALVINGS = 40
#: element-wise products a name may stand for, written out like sums and matrix products
_PRODUCTS = (sp.HadamardProduct, sp.HadamardPower)


def shifted_pairs(
    on: dict[Any, set[Any]], definitions: dict[str, Any], done: set[tuple[Any, Any]]
) -> list[tuple[Any, Piece, Any, Piece, tuple[str, ...]]]:
    """``(u, piece of u, v, piece of v, leaves)`` for every pair of pieces of two bases of one
    shape that share a term and are not proportional (not both linear:
    :func:`.joint.joint_pairs` has those; pairs in ``done`` are left out), but pairs that
    hold no entry where that is known: v is c u plus terms of one sign, or u times a factor
    of one sign; ``leaves``: the names under both."""
    terms = {base: _terms(base, definitions) for base in on}
    bases = [base for base in on if terms[base]]
    out: list[tuple[Any, Piece, Any, Piece, tuple[str, ...]]] = []
    for k, first in enumerate(bases):
        for base in bases[k + 1 :]:
            form = terms[base]
            assert form is not None
            pair = None
            for second, oriented_form in orientations(first, base, form):
                if (first, second) in done or (second, first) in done:
                    break  # joint.py's already
                terms[second] = oriented_form  # paired as it is, or by its transpose
                pair = (
                    _shifted(first, second, terms)
                    or _shifted(second, first, terms)
                    or _sharing(first, second, terms)
                )
                if pair is not None:
                    break
            if pair is None:
                continue
            u, v, scale, sign = pair
            fu, fv = linear_form(u, definitions), linear_form(v, definitions)
            if fu and fv and moving_leaves(set(fu) | set(fv), definitions):
                continue  # both linear in leaves that move them so: joint.py's regions
            leaves = tuple(sorted(_leaves(u, definitions) | _leaves(v, definitions)))
            factor = _factor_sign(u, v, terms, definitions)
            if leaves:
                out.extend(
                    (u, pu, v, pv, leaves)
                    for pu in pieces(on[own_base(u)])
                    for pv in pieces(on[own_base(v)])
                    if not _empty(pu, pv, scale, sign) and not _signs_apart(pu, pv, factor)
                )
    return out


def _shifted(u: Any, v: Any, terms: dict[Any, Any]) -> tuple[Any, Any, Any, int] | None:
    """``(u, v, c, sign)`` where v's terms are u's, all scaled by one number c, and at least
    one more; ``sign``: 1 where those further terms are never negative (0.001 b1 ⊙ b1), -1
    where never positive, 0 where not known."""
    mine, theirs = terms[u], terms[v]
    if not set(mine) < set(theirs):
        return None
    key = next(iter(mine))
    scale = theirs[key] / mine[key]
    if any(sp.expand(theirs[t] - scale * mine[t]) != 0 for t in mine):
        return None
    if not (scale.is_number and scale.is_extended_real and scale != 0):
        return None
    signs = {_sign(term) * _number_sign(c) for term, c in theirs.items() if term not in mine}
    return u, v, scale, signs.pop() if len(signs) == 1 else 0


def _sharing(u: Any, v: Any, terms: dict[Any, Any]) -> tuple[Any, Any, Any, int] | None:
    """``(u, v, None, 0)`` where the two share a term but neither is the other scaled (plus
    more): z1 beside W1 x + 0.999 b1 + 0.001 sum(W1) 1 differs from it in a thin wedge too
    (review16 T2); which pairs of their pieces are empty is not known."""
    mine, theirs = terms[u], terms[v]
    if not set(mine) & set(theirs) or proportional(mine, theirs):
        return None
    return u, v, None, 0


def _empty(pu: Piece, pv: Piece, scale: Any, sign: int) -> bool:
    """Whether no entry can have u in ``pu`` and v = scale u + r in ``pv`` where r is never
    negative (``sign`` 1) or never positive (-1): with r >= 0, v > scale u; z1 above 0 with
    z1 + b1 ⊙ b1 below 0 is empty, and a right formula's search there would never end."""
    if sign == 0:
        return False
    low, high = pu if bool(scale > 0) else (pu[1], pu[0])
    if sign > 0:  # v >= scale u > the least of scale u
        least = scale * low
        return bool(least != -sp.oo and least != sp.oo and pv[1] <= least)
    most = scale * high
    return bool(most != -sp.oo and most != sp.oo and pv[0] >= most)


def _factor_sign(u: Any, v: Any, terms: dict[Any, Any], definitions: dict[str, Any]) -> int:
    """s where v = u ⊙ p (or u = v ⊙ p) and every entry of p has the sign s
    (z1 ⊙ (1 + b1 ⊙ b1): 1, so each entry of the one has the other's sign), else 0."""
    return _factor_of(u, v, terms, definitions) or _factor_of(v, u, terms, definitions)


def _factor_of(u: Any, v: Any, terms: dict[Any, Any], definitions: dict[str, Any]) -> int:
    """s where v = u ⊙ p with every entry of p of the sign s, else 0."""
    if not isinstance(v, sp.HadamardProduct):
        return 0
    for k, arg in enumerate(v.args):
        if _terms(arg, definitions) != terms[u]:
            continue
        sign = 1
        for other in (*v.args[:k], *v.args[k + 1 :]):
            sign *= _strict_sign(_terms(other, definitions))
        return sign
    return 0


def _strict_sign(found: dict[Any, Any] | None) -> int:
    """1 where a sum of terms is above 0 in every entry (a positive number plus terms never
    negative: 1 + b1 ⊙ b1), -1 where below 0, else 0."""
    if not found:
        return 0
    signs = {_sign(term) * _number_sign(c) for term, c in found.items()}
    if len(signs) != 1 or 0 in signs or not any(isinstance(t, sp.OneMatrix) for t in found):
        return 0
    return signs.pop()


def _signs_apart(pu: Piece, pv: Piece, factor: int) -> bool:
    """Whether v = u ⊙ p with p of the sign ``factor`` (not 0) cannot be in ``pv`` where u is
    in ``pu``: each entry of v has the sign of u's times ``factor``, so pieces of opposite
    signs hold no entry (a right formula's search there would never end)."""
    if factor == 0:
        return False
    u_side = 1 if bool(pu[0] >= 0) else (-1 if bool(pu[1] <= 0) else 0)
    v_side = 1 if bool(pv[0] >= 0) else (-1 if bool(pv[1] <= 0) else 0)
    return u_side != 0 and v_side != 0 and u_side * factor != v_side


def _number_sign(value: Any) -> int:
    if value.is_extended_positive:
        return 1
    return -1 if value.is_extended_negative else 0


def _sign(term: Any) -> int:
    """1 where every entry of ``term`` is never negative (x ⊙ x with any number in a factor
    taken out, an even power, abs), -1 never positive, 0 not known."""
    if isinstance(term, sp.MatMul):
        numbers = [a for a in term.args if not getattr(a, "is_Matrix", False)]
        factors = [a for a in term.args if getattr(a, "is_Matrix", False)]
        if len(factors) == 1 and numbers:
            return _number_sign(sp.Mul(*numbers)) * _sign(factors[0])
        if len(factors) == 2 and tuple(term.shape) == (1, 1) and factors[0] == factors[1].T:
            # w^T w, a squared length, times its numbers' sign (-tr(A) w^T w: not known,
            # review51 #4)
            return _number_sign(sp.Mul(*numbers)) if numbers else 1
        return 0
    if isinstance(term, sp.HadamardProduct):
        sign, cores = 1, []
        for factor in term.args:
            numbers = [a for a in getattr(factor, "args", ()) if not getattr(a, "is_Matrix", True)]
            if isinstance(factor, sp.MatMul) and numbers:
                sign *= _number_sign(sp.Mul(*numbers))
                factor = sp.MatMul(*(a for a in factor.args if getattr(a, "is_Matrix", False)))
            cores.append(factor)
        even = all(cores.count(core) % 2 == 0 for core in cores)
        return sign if even else 0
    if isinstance(term, sp.HadamardPower) and term.exp.is_even:
        return 1
    if isinstance(term, sp.OneMatrix):
        return 1
    if isinstance(term, Elementwise) and term.body == sp.Abs(term.variable):
        return 1
    return 0


def _terms(expr: Any, definitions: dict[str, Any], depth: int = 0) -> dict[Any, Any] | None:
    """``expr`` as {term: number}: a name for a sum or a product (z1 = W1 x + b1) written out,
    products and element-wise products of sums multiplied out ((W1 + 0.001 W1 ⊙ W1) x is
    W1 x + 0.001 (W1 ⊙ W1) x, b1 ⊙ (1 + 0.001 b1) is b1 + 0.001 b1 ⊙ b1), numbers taken out
    of products; any other term (sum(W1) 1, abs(b1)) is one term as a whole. None where
    ``expr`` is no matrix."""
    if depth > 20 or not getattr(expr, "is_Matrix", False):
        return None
    if isinstance(expr, sp.MatrixSymbol):
        inner = definitions.get(str(expr.name))
        # a name for a transpose is written out too: _t1 = w^T makes w^T x and _t1 x one
        # term, and _t1 = u^T of u = w - v gives u^T x's terms w^T x - v^T x (hostile51a #2)
        # a name for gamma ⊙ N is written out too: gamma ⊙ N + beta beside _t8 = _t7 + beta
        # with _t7 = gamma ⊙ N is one value, not two sharing a term (a pair of its pieces
        # would be an empty region searched in vain)
        if isinstance(inner, (sp.MatAdd, sp.MatMul, sp.MatrixSymbol, sp.Transpose, *_PRODUCTS)):
            return _terms(inner, definitions, depth + 1)
        return {expr: sp.Integer(1)}
    if isinstance(expr, sp.MatAdd):
        return summed(expr.args, lambda term: _terms(term, definitions, depth + 1))
    if isinstance(expr, sp.Transpose):
        leaf = isinstance(expr.arg, sp.MatrixSymbol) and str(expr.arg.name) not in definitions
        if leaf:
            return {expr: sp.Integer(1)}  # w^T, moved with w
        inner_terms = _terms(expr.arg, definitions, depth + 1)
        return None if inner_terms is None else transposed(inner_terms)
    factors: list[Any] | None = None
    coeff, join = sp.Integer(1), _matmul
    if isinstance(expr, sp.MatMul):
        split = scaled(expr)
        if split is not None:
            coeff, factors = split
    elif isinstance(expr, sp.HadamardProduct):
        factors, join = list(expr.args), _hadamard
    elif isinstance(expr, sp.HadamardPower) and expr.exp.is_Integer and 1 < expr.exp <= MAX_POWER:
        factors, join = [expr.base] * int(expr.exp), _hadamard
    if factors is None:
        return {expr: sp.Integer(1)}
    found = _multiplied([_terms(f, definitions, depth + 1) for f in factors], join, expr.shape)
    if found is None:
        return {expr: sp.Integer(1)}
    return {key: coeff * c for key, c in found.items()}


#: an element-wise power written out as a product of its base this many times at most
MAX_POWER = 4
#: the terms of one product multiplied out at most (more: the product is one term)
MAX_TERMS = 64


def _multiplied(
    parts: list[dict[Any, Any] | None], join: Callable[[list[Any], Any], Any], shape: Any
) -> dict[Any, Any] | None:
    """The product of sums ``parts`` (each {term: number}) multiplied out, each product of
    terms made one term by ``join``; None where a part is None or there are too many."""
    out: dict[tuple[Any, ...], Any] = {(): sp.Integer(1)}
    for part in parts:
        if part is None or len(out) * len(part) > MAX_TERMS:
            return None
        out = {(*keys, key): c * coeff for keys, c in out.items() for key, coeff in part.items()}
    return summed([{join(list(keys), shape): c} for keys, c in out.items()], lambda found: found)


def _matmul(keys: list[Any], shape: Any) -> Any:
    """One term of a matrix product: its factors' terms multiplied, as one flat product
    (``shape``, unused, as for :func:`_hadamard`)."""
    args = [a for key in keys for a in (key.args if isinstance(key, sp.MatMul) else (key,))]
    return args[0] if len(args) == 1 else canonical_product(sp.MatMul(*args))


def _hadamard(keys: list[Any], shape: Any) -> Any:
    """One term of an element-wise product, its factors in one order (b1 ⊙ W1 x is
    W1 x ⊙ b1) and the ones matrix left out (b1 ⊙ 1 is b1)."""
    args = [
        a
        for key in keys
        for a in (key.args if isinstance(key, sp.HadamardProduct) else (key,))
        if not isinstance(a, sp.OneMatrix)
    ]
    if not args:
        return sp.OneMatrix(*shape)
    args.sort(key=sp.default_sort_key)
    return args[0] if len(args) == 1 else sp.HadamardProduct(*args)


def _leaves(expr: Any, definitions: dict[str, Any]) -> set[str]:
    """The names ``expr`` depends on that no definition gives (W1, b1, x under z1)."""
    out: set[str] = set()
    seen: set[str] = set()
    todo = [expr]
    while todo:
        node = todo.pop()
        for symbol in node.atoms(sp.MatrixSymbol):
            name = str(symbol.name)
            if name in seen:
                continue
            seen.add(name)
            inner = definitions.get(name)
            if inner is None:
                out.add(name)
            elif getattr(inner, "free_symbols", None) is not None:
                todo.append(inner)
    return out


def position(value: Any, piece: Piece) -> int | None:
    """-1 at or below the piece, 0 inside it, 1 at or above it; None where not a real."""
    if not (getattr(value, "is_number", False) and value.is_extended_real):
        return None
    low, high = piece
    if not bool(value > low):
        return -1
    return 0 if bool(value < high) else 1


def _may_hold(first: tuple[Any, Any], second: tuple[Any, Any]) -> bool:
    """Whether a path from positions ``first`` to ``second`` (each pair: u's, v's) may pass
    both pieces at once: in each value, one end inside or the two ends apart."""
    return first != second and all(
        a is not None and b is not None and (a == 0 or b == 0 or a != b)
        for a, b in zip(first, second, strict=True)
    )


#: a line's positions at a point: one (u's, v's) pair per entry, or None (not evaluated)
Positions = Callable[[Any], list[tuple[Any, Any]] | None]


def along(positions: Positions, scan: int) -> Any:
    """The line's parameter t where some entry has u in its piece and v in its: t = 0, then
    +-1, +-2, ..., +-2^``scan``; each step where an entry's two positions change so that the
    pieces may lie between is halved toward them (two crossings close together: the wedge
    lies between them), :data:`HALVINGS` points at most per step. None where not found."""
    start = positions(sp.Integer(0))
    if start is None:
        return None
    if (0, 0) in start:
        return sp.Integer(0)
    for sign in (1, -1):
        low, before = sp.Integer(0), start
        for k in range(scan + 1):
            high = sign * sp.Integer(2) ** k
            now = positions(high)
            if now is None:
                break
            if (0, 0) in now:
                return high
            for entry, (a, b) in enumerate(zip(before, now, strict=True)):
                if _may_hold(a, b):
                    found = _halve(positions, entry, (low, a), (high, b))
                    if found is not None:
                        return found
            low, before = high, now
    return None


def _halve(
    positions: Positions, entry: int, first: tuple[Any, Any], second: tuple[Any, Any]
) -> Any:
    """A t between ``first`` and ``second`` (each (t, positions of ``entry``)) with the entry
    in both pieces, by halving every part whose ends may hold them; None where not found."""
    todo = [(first, second)]
    for _ in range(HALVINGS):
        if not todo:
            return None
        (low, a), (high, b) = todo.pop()
        # a little off the middle: a rational switch is not hit exactly
        middle = low + (high - low) * sp.Rational(49, 97)
        now = positions(middle)
        if now is None:
            return None
        here = now[entry]
        if (0, 0) in now or (here not in (a, b) and None not in here):
            # inside both pieces, or in a third pair of pieces between the two crossings (the
            # other wedge, v past its switch before u): a joint region of the pair either way
            return middle
        for part in (((low, a), (middle, here)), ((middle, here), (high, b))):
            if _may_hold(part[0][1], part[1][1]):
                todo.append(part)
    return None
