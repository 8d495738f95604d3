"""Pieces of two linear values at once: the thin wedge between two nearly equal arguments.

relu'(z1) beside ``1{W1 x + 0.99999 b1 > 0}``: each switches at 0 of its own base, and random
points reach both sides of each, but the two differ only in an entry where z1 and
W1 x + 0.99999 b1 = z1 - 0.00001 b1 have opposite signs: a wedge around z1 = 0 of width
about 1e-5 |b1|, which is no region of either base (review14 R11). Likewise relu'(z1) beside
``1{b1 > -100}`` differs only where b1 < -100 and z1 > 0 in one entry; a point with b1 < -100
alone has relu' = 0 there (review14 R5).

Two bases of one shape that are both linear in terms of the leaves (a leaf b1, or a product
with a leaf W1 x; z1 = W1 x + b1 written out, numbers times ones left out) and share a term
but are not proportional (then they are one value, scaled: trust15's canonical bases) have a
*joint region* for every pair of their pieces: some entry must lie in both at once. Two such
values are independent linear forms, so every pair of pieces is reached; :func:`solve` puts
one entry there in the plane of two random directions of the leaves they are linear in (one
leaf of each term moves, so both stay linear), instead of searching a line for a band it would
step over.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import sympy as sp

#: pieces: (low, high) of a base between two neighbouring switch values (or -oo, oo)
Piece = tuple[Any, Any]
#: the random planes tried for one joint region
PLANES = 3


def joint_pairs(
    on: dict[Any, set[Any]], definitions: dict[str, Any]
) -> list[tuple[Any, Piece, Any, Piece, tuple[str, ...]]]:
    """``(u, piece of u, v, piece of v, leaves)`` for every pair of pieces of two linear,
    related, not proportional bases of one shape (above); ``leaves``: the names to move."""
    forms = {base: linear_form(base, definitions) for base in on}
    bases = [base for base in on if forms[base]]
    out: list[tuple[Any, Piece, Any, Piece, tuple[str, ...]]] = []
    for k, u in enumerate(bases):
        for base in bases[k + 1 :]:
            fu, fv = forms[u], forms[base]
            assert fu is not None and fv is not None
            for v, form in orientations(u, base, fv):
                if not set(fu) & set(form) or proportional(fu, form):
                    continue
                leaves = moving_leaves(set(fu) | set(form), definitions)
                if leaves:
                    out.extend(
                        (u, pu, v, pv, leaves) for pu in pieces(on[u]) for pv in pieces(on[base])
                    )
                break
    return out


def orientations(u: Any, v: Any, form: dict[Any, Any]) -> list[tuple[Any, dict[Any, Any]]]:
    """``v`` with its {term: number} ``form`` where it has ``u``'s shape, and its transpose
    with the form transposed where that has it (entry (i, j) of the one beside entry (j, i)
    of the other): both for a square v. A formula's ``1{w^T X - 5 c > 0}^T`` switches on
    ``X^T w - 5 1 c^T`` (m x 1), beside the model's 1 x m ``w^T X - 4 c 1^T`` (hostile49c);
    a model's n x n ``A^T W^T + B^T`` beside a formula's ``W A + 1.001 B`` (review51 #1):
    one value each way, whose pieces were never searched together."""
    out = []
    if u.shape == v.shape:
        out.append((v, form))
    if tuple(u.shape) == tuple(reversed(v.shape)):
        out.append((sp.Transpose(v), transposed(form)))
    return out


def own_base(value: Any) -> Any:
    """The switch base a value paired by its transpose (:func:`orientations`) is: ``v`` of
    ``v^T``, any other value itself."""
    return value.arg if isinstance(value, sp.Transpose) else value


def transposed(form: dict[Any, Any]) -> dict[Any, Any]:
    """The {term: coefficient} form of the transpose of a value of ``form``: each term
    transposed (W x is x^T W^T, c 1^T is 1 c^T), a 1 x 1 one as :func:`canonical_product`."""
    return {canonical_product(sp.Transpose(term).doit()): c for term, c in form.items()}


def pieces(values: set[Any]) -> list[Piece]:
    """The intervals between ``values`` in order, -oo and oo at the ends."""
    ordered = sorted(values, key=lambda value: sp.N(value, 30))
    edges = [-sp.oo, *ordered, sp.oo]
    return list(zip(edges, edges[1:], strict=False))


def summed(parts: Any, terms_of: Callable[[Any], dict[Any, Any] | None]) -> dict[Any, Any] | None:
    """The coefficients of a sum: ``terms_of`` of each of its ``parts`` added term by term
    (terms that cancel left out); None where some part has none."""
    out: dict[Any, Any] = {}
    for part in parts:
        found = terms_of(part)
        if found is None:
            return None
        for key, coeff in found.items():
            out[key] = out.get(key, sp.Integer(0)) + coeff
    return {key: coeff for key, coeff in out.items() if coeff != 0}


def scaled(product: sp.MatMul) -> tuple[Any, list[Any]] | None:
    """``(c, [matrix factors])`` of a matrix product ``c A B ...`` whose number c is a real
    one other than 0; None where c holds more (a sum(W1) times ones, a size)."""
    numbers = [a for a in product.args if not getattr(a, "is_Matrix", False)]
    factors = [a for a in product.args if getattr(a, "is_Matrix", False)]
    coeff = sp.Mul(*numbers)
    if not (coeff.is_number and coeff.is_extended_real and coeff != 0):
        return None
    return coeff, factors


def linear_form(expr: Any, definitions: dict[str, Any], depth: int = 0) -> dict[Any, Any] | None:
    """``expr`` as {term: coefficient} over terms that are leaves (b1) or products of
    matrices with a leaf among them (W1 x, W2 a1); a name for a sum or product (z1) written
    out, numbers times ones left out; None where ``expr`` is no such sum (a1 = relu(z1),
    abs(x))."""
    if depth > 20:
        return None
    if isinstance(expr, sp.MatrixSymbol):
        inner = definitions.get(str(expr.name))
        if inner is None:
            return {expr: sp.Integer(1)}
        if isinstance(inner, (sp.MatAdd, sp.MatMul, sp.MatrixSymbol, sp.Transpose)):
            return linear_form(inner, definitions, depth + 1)
        return None
    if isinstance(expr, (sp.OneMatrix, sp.Identity)):
        return {}
    if _leaf(expr) is not None and str(expr.arg.name) not in definitions:
        return {expr: sp.Integer(1)}  # a leaf transposed (v^T) moves with its leaf
    if isinstance(expr, sp.Transpose):
        found = linear_form(expr.arg, definitions, depth + 1)
        return None if found is None else transposed(found)
    if isinstance(expr, sp.MatAdd):
        return summed(expr.args, lambda term: linear_form(term, definitions, depth + 1))
    if isinstance(expr, sp.MatMul):
        if any(
            isinstance(f, sp.MatAdd)
            or (isinstance(f, sp.Transpose) and isinstance(f.arg, sp.MatAdd))
            for f in expr.args
        ):
            # (w - 1.2 v)^T x: each term apart, w^T x - 1.2 v^T x (hostile49c #1)
            spread = sp.expand(expr.doit())
            if isinstance(spread, sp.MatAdd):
                return linear_form(spread, definitions, depth + 1)
        written = _products_written(expr.args, definitions)
        if written is not None:  # _t3 1^T with _t3 = 4 c is 4 c 1^T
            return linear_form(sp.MatMul(*written), definitions, depth + 1)
        split = scaled(expr)
        if split is None:
            return None
        coeff, factors = split
        # a model's name for a transposed leaf (_t1 = v^T): the leaf itself, so that v^T x
        # and _t1 x are one term (hostile49c #1: relu(1 + v^T x - w^T x) beside a formula's
        # 1{1.2 v^T x + 1 > w^T x} shared none, had no joint region, and a wrong threshold
        # passed)
        factors = [named_leaf(f, definitions) for f in factors]
        if len(factors) == 1:
            found = linear_form(factors[0], definitions, depth + 1)
            return None if found is None else {k: coeff * c for k, c in found.items()}
        # a ones factor broadcasts (c 1^T of a 1 x 1 c): linear in the other factors' leaves
        leaves = [_leaf(f) for f in factors if not isinstance(f, sp.OneMatrix)]
        if not leaves or any(leaf is None for leaf in leaves):
            return None
        if all(str(leaf.name) in definitions for leaf in leaves):  # type: ignore[union-attr]
            return None  # no leaf to move it by
        return {canonical_product(sp.MatMul(*factors)): coeff}
    return None


def _products_written(factors: Any, definitions: dict[str, Any]) -> list[Any] | None:
    """``factors`` with each name for a product replaced by that product's factors, each
    name for a sum (or its transpose) by that sum (``_t1 x`` with ``_t1 = u^T``, ``u = w -
    v`` is ``(w - v)^T x``, which is then spread: hostile51a #2, where u^T x shared no term
    with a formula's w^T x and a wrong threshold passed), and ``1^T (a ⊙ b)`` of two columns
    by ``a^T b`` (a model's sum(w ⊙ x) beside a formula's w^T x: hostile51a #4); None where
    no factor is any of these."""
    out: list[Any] = []
    changed = False
    for k, factor in enumerate(factors):
        if _ones_row(factor) and _dot(factors[k + 1 : k + 2], definitions):
            continue  # written with the product that follows
        dot = _dot(factors[k : k + 1], definitions) if k and _ones_row(factors[k - 1]) else None
        if dot is not None:
            out += dot
            changed = True
            continue
        written = _sum_written(factor, definitions)
        if written is not None:
            out.append(written)
            changed = True
            continue
        inner = definitions.get(str(factor.name)) if isinstance(factor, sp.MatrixSymbol) else None
        if isinstance(inner, sp.MatMul):
            out.extend(inner.args)
            changed = True
        else:
            out.append(factor)
    return out if changed else None


def _dot(factor: Any, definitions: dict[str, Any]) -> list[Any] | None:
    """``[a^T, b]`` where the one factor in ``factor`` is ``a ⊙ b`` of two columns (or a
    name for it), which a row of ones before it sums into a^T b; else None."""
    if not factor:
        return None
    (value,) = factor
    if isinstance(value, sp.MatrixSymbol):
        value = definitions.get(str(value.name), value)
    if not isinstance(value, sp.HadamardProduct) or len(value.args) != 2:
        return None
    first, second = value.args
    if tuple(first.shape)[1] != 1:
        return None
    return [first.T, second]


def _ones_row(factor: Any) -> bool:
    return isinstance(factor, sp.OneMatrix) and factor.shape[0] == 1


def _sum_written(factor: Any, definitions: dict[str, Any], depth: int = 0) -> Any:
    """The sum a name (or its transpose, or a chain of names) stands for, transposed where it
    is; None where ``factor`` is no such name."""
    if depth > 20:
        return None
    if isinstance(factor, sp.Transpose):
        inner = _sum_written(factor.arg, definitions, depth + 1)
        return None if inner is None else sp.Transpose(inner)
    if not isinstance(factor, sp.MatrixSymbol):
        return None
    inner = definitions.get(str(factor.name))
    if isinstance(inner, sp.MatAdd):
        return inner
    if isinstance(inner, (sp.MatrixSymbol, sp.Transpose)):
        return _sum_written(inner, definitions, depth + 1)
    return None


def canonical_product(term: Any) -> Any:
    """A 1 x 1 product as one of it and its transpose (``x^T v`` is ``v^T x``), the first by
    SymPy's sort key, and a 1 x 1 leaf transposed as the leaf: the two are one number, and as
    two terms two bases shared none."""
    if tuple(term.shape) != (1, 1):
        return term
    if isinstance(term, sp.Transpose) and isinstance(term.arg, sp.MatrixSymbol):
        return term.arg  # c^T of a 1 x 1 c is c (review51 #1: relu(c^T - d^T))
    if not isinstance(term, sp.MatMul):
        return term
    # a scalar factor (tr(A), sum(v)'s entry) is its own transpose (hostile51a #3: its .T
    # raised AttributeError, exit 3)
    flipped = sp.MatMul(*(f.T if f.is_Matrix else f for f in reversed(term.args)))
    return min(term, flipped, key=sp.default_sort_key)


def named_leaf(factor: Any, definitions: dict[str, Any], depth: int = 0) -> Any:
    """``factor``, or the leaf (or transposed leaf) a chain of names defines it as."""
    if depth > 20 or not isinstance(factor, sp.MatrixSymbol):
        return factor
    inner = definitions.get(str(factor.name))
    if isinstance(inner, sp.MatrixSymbol) or (
        isinstance(inner, sp.Transpose) and isinstance(inner.arg, sp.MatrixSymbol)
    ):
        return named_leaf(inner, definitions, depth + 1) if inner != factor else factor
    return factor


def _leaf(factor: Any) -> sp.MatrixSymbol | None:
    """The matrix symbol a factor is, or is the transpose of (W2^T, v^T); None otherwise."""
    if isinstance(factor, sp.MatrixSymbol):
        return factor
    if isinstance(factor, sp.Transpose) and isinstance(factor.arg, sp.MatrixSymbol):
        return factor.arg
    return None


def proportional(first: dict[Any, Any], second: dict[Any, Any]) -> bool:
    """Whether two {term: coefficient} forms have the same terms, all scaled by one number."""
    if set(first) != set(second):
        return False
    key = next(iter(first))
    return all(sp.expand(first[k] * second[key] - second[k] * first[key]) == 0 for k in first)


def moving_leaves(terms: set[Any], definitions: dict[str, Any]) -> tuple[str, ...]:
    """One leaf of each term (b1; W1 of W1 x), so that each term is linear in what moves;
    () where a term would hold two of them (then the two values are not linear in it)."""
    chosen: list[str] = []
    for term in sorted(terms, key=str):
        factors = term.args if isinstance(term, sp.MatMul) else (term,)
        names = [str(leaf.name) for leaf in map(_leaf, factors) if leaf is not None]
        free = [name for name in names if name not in definitions]
        if not free:
            return ()
        if free[0] not in chosen:
            chosen.append(free[0])
    for term in terms:
        factors = term.args if isinstance(term, sp.MatMul) else (term,)
        leaves = [leaf for leaf in map(_leaf, factors) if leaf is not None]
        if sum(1 for leaf in leaves if str(leaf.name) in chosen) > 1:
            return ()
    return tuple(chosen)


#: an evaluator at given leaves: leaves -> (a matrix expression -> its entries)
ValueAt = Callable[[dict[str, sp.Matrix]], Callable[[Any], sp.MatrixBase]]


def solve(
    u: Any,
    pu: Piece,
    v: Any,
    pv: Piece,
    leaves: list[str],
    base: dict[str, sp.Matrix],
    value_at: ValueAt,
    rng: random.Random,
    unevaluated: tuple[type[BaseException], ...],
) -> dict[str, sp.Matrix] | None:
    """Leaves where some entry of ``u`` lies in ``pu`` and the same entry of ``v`` in ``pv``,
    moving ``leaves`` in a random plane through ``base``; None where none is found. Both are
    linear in the plane: three points give each entry's map, solved for a target either side
    of the corner where the two edges meet, and checked at the point found."""
    for _ in range(PLANES):
        steps = [
            {
                name: base[name].applyfunc(
                    lambda _v: sp.Rational(rng.choice([-1, 1]) * rng.randint(1, 10), 10)
                )
                for name in leaves
            }
            for _k in range(2)
        ]

        def at(s1: Any, s2: Any, steps: list[dict[str, Any]] = steps) -> dict[str, sp.Matrix]:
            moved = {n: base[n] + s1 * steps[0][n] + s2 * steps[1][n] for n in leaves}
            return {**base, **moved}

        try:
            corners = [value_at(at(*s)) for s in ((0, 0), (1, 0), (0, 1))]
            us = [list(c(u)) for c in corners]
            vs = [list(c(v)) for c in corners]
        except unevaluated:
            return None
        for entry in range(len(us[0])):
            s = _target(entry, us, vs, pu, pv)
            if s is None:
                continue
            point = at(*s)
            try:
                there = value_at(point)
                pair = zip(list(there(u)), list(there(v)), strict=True)
            except unevaluated:
                continue
            if any(_inside(a, pu) and _inside(b, pv) for a, b in pair):
                return point
    return None


def _target(
    entry: int, us: list[list[Any]], vs: list[list[Any]], pu: Piece, pv: Piece
) -> tuple[sp.Rational, sp.Rational] | None:
    """The plane's coordinates putting ``entry`` of u in ``pu`` and of v in ``pv``."""
    numbers = [sp.N(row[entry], 30) for row in (*us, *vs)]
    if not all(n.is_Float or n.is_Rational for n in numbers):
        return None
    u0, u1, u2, v0, v1, v2 = numbers
    a, b, c, d = u1 - u0, u2 - u0, v1 - v0, v2 - v0
    det = a * d - b * c
    if det == 0 or abs(det) <= sp.Float("1e-12") * (abs(a) + abs(b)) * (abs(c) + abs(d)):
        return None
    (tu, du), (tv, dv) = _aim(pu), _aim(pv)

    def inverse(x: Any, y: Any) -> tuple[Any, Any]:
        return (d * x - b * y) / det, (a * y - c * x) / det

    corner = inverse(tu - u0, tv - v0)
    away = inverse(du, dv)
    size = max(abs(away[0]), abs(away[1]))
    scale = 0 if size == 0 else min(sp.Integer(1), 1 / size)
    return tuple(  # type: ignore[return-value]
        sp.Rational(str(sp.N(c0 + scale * w, 15))) for c0, w in zip(corner, away, strict=True)
    )


def _aim(piece: Piece) -> tuple[Any, int]:
    """A point of ``piece`` to aim at and the way into it: the middle of a bounded piece,
    else its finite edge and the side the piece lies on."""
    low, high = piece
    if low != -sp.oo and high != sp.oo:
        return sp.N((low + high) / 2, 30), 0
    if low == -sp.oo:
        return sp.N(high, 30), -1
    return sp.N(low, 30), 1


def _inside(value: Any, piece: Piece) -> bool:
    if not (getattr(value, "is_number", False) and value.is_extended_real):
        return False
    return bool(piece[0] < value) and bool(value < piece[1])
