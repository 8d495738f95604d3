"""The SymPy proof that each backward form a model plan writes equals its derivation step's.

A model plan prints its backward statements in a simpler form than the step writes them
(``((1/200) I)[0, 0] 1_4`` -> ``(1/200) 1_4``, ``w + w`` -> ``2 w``): every ``=`` the tool
prints is checked by SymPy first, so the plan proves each such rewrite before it keeps it,
and refuses with an :class:`~symbackprop.errors.InternalError` (our bug) when it cannot.

The check is explicit and exact, at two settings of the sizes: every dimension gets a small
distinct size (2, 3, 4, ... in name order, then larger ones in the reverse order, so a
dimension written for another, or a count that matches one size by accident, is caught);
every matrix symbol ``W`` becomes a matrix of scalar symbols ``W[i,j]``; both sides are
evaluated entry by entry; and every entry of the difference must expand (or cancel) to 0.
Nothing is numerical. The expressions are in symbolic dimensions (the plan settles before it
puts in the model's sizes), so the matrices stay small whatever the sizes are. (SymPy's
matrix-expression route, ``(before - after).doit()``, decides only some of the rewrites and
costs more than the explicit route on the example models, so it is not tried.)

The same proof covers the plan's reading of the cache (``1 - tanh(t8)^2`` computed from
``h3 = tanh(t8)`` as ``1 - h3^2``, ``det(t1)`` read as the cached ``t2[0, 0]``): given the
values the forward pass caches with their defining expressions (``reads``), a cached value
read on either side stands for its definition, a function applied to a cached ``a = g(t)``
is composed with g (relu's ``1{a > 0}`` is ``1{relu(t) > 0}`` of t), and a piecewise body is
put in one canonical form (activations written out as their formulas, nested pieces folded:
``1{t > 0}``). The two sides are then usually the same SymPy object; where they are not, the
explicit route above decides. A custom activation (``define``) stays opaque until that fails;
then every activation with a formula of its own is written out as it (a custom *is* its
formula: sg' = sg (1 - sg) read from a cached sg(t) holds because sg is sigmoid) and the
explicit route decides again.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterator, Mapping
from typing import Any

import sympy as sp
from sympy import (
    Determinant,
    HadamardProduct,
    Identity,
    Inverse,
    MatAdd,
    MatMul,
    MatrixSymbol,
    OneMatrix,
    Trace,
    Transpose,
    ZeroMatrix,
)
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.core.entrywise import entrywise_product
from symbackprop.errors import InternalError
from symbackprop.lowering.provenance import text
from symbackprop.records.nodes import (
    ActivationFunction,
    Elementwise,
    Softmax,
    T,
)

#: the smallest size a dimension gets in the explicit route (a size 1 would hide a transpose)
FIRST_SIZE = 2


def prove_settled(
    before: Any, after: Any, where: str, *, reads: Mapping[Any, Any] | None = None
) -> None:
    """Raise :class:`InternalError` naming ``where`` unless ``after`` equals ``before``.

    ``before`` and ``after`` are matrix expressions of one shape (symbolic dimensions, the
    batch ``m`` among them) over matrix symbols, element-wise functions and numbers.
    ``reads`` (given when ``after`` reads the cache): each cached value (a matrix symbol) ->
    its defining expression; on both sides a cached value is its definition, and the error
    names the values ``after`` reads.
    """
    if before == after:
        return
    named = _reading(reads, before, after)
    what = "the settled form " if reads is None else ""
    if before.shape != after.shape:
        raise InternalError(
            f"{where}: {what}{text(after)}{named} has shape {after.shape}, not {before.shape}"
        )
    left, right = _normal(before, reads or {}), _normal(after, reads or {})
    if left == right or _explicitly_equal(left, right):
        return
    # a custom activation is known to the proof by its formula only: sg' = sg (1 - sg) read
    # from a cached a = sg(t) holds because sg is sigmoid(t) (written out only here: the
    # opaque function keeps the usual proofs small)
    out = _written_out(left), _written_out(right)
    if out != (left, right) and (out[0] == out[1] or _explicitly_equal(*out)):
        return
    raise InternalError(
        f"{where}: SymPy does not confirm that {what}{text(after)}{named} equals {text(before)}"
    )


def _reading(reads: Mapping[Any, Any] | None, before: Any, after: Any) -> str:
    """``, which reads h3 = tanh(t8) from the cache,``: the matrices ``after`` names that
    ``before`` does not (else the cached values it reads), each with its definition."""
    if reads is None:
        return ""
    names = after.atoms(MatrixSymbol)
    shown = sorted((names - before.atoms(MatrixSymbol)) or (names & set(reads)), key=str)
    parts = [
        f"{s} = {text(reads[s])}" if s in reads else f"{s} (not a cached value)" for s in shown
    ]
    return f", which reads {', '.join(parts) or 'nothing'} from the cache,"


def _normal(expr: Any, reads: Mapping[Any, Any]) -> Any:
    """``expr`` with each cached value in ``reads`` replaced by its definition (in turn), a
    function of a function composed into one (``1{a > 0}`` of ``a = relu(t)`` is
    ``1{relu(t) > 0}`` of t) and each function's body in :func:`_canonical` form. These
    identities, applied alike to both sides, make most reads of the cache the same SymPy
    object as the form they replace, with no explicit matrix built."""

    def rewrite(e: Any) -> Any:
        if isinstance(e, MatrixSymbol):
            return _normal(reads[e], reads)
        body, arg = e.body.xreplace({e.variable: T}), e.arg
        if isinstance(arg, Elementwise):
            body, arg = body.xreplace({T: arg.body.xreplace({arg.variable: T})}), arg.arg
        return Elementwise(sp.Lambda(T, _canonical(body)), arg)

    return expr.replace(
        lambda e: isinstance(e, Elementwise) or (isinstance(e, MatrixSymbol) and e in reads),
        rewrite,
    )


def _written_out(expr: Any) -> Any:
    """``expr`` with every activation that has a formula of its own (a custom one, softplus,
    their g') written out as that formula, inside element-wise bodies too."""
    for _ in range(4):  # a formula may name another such activation
        done = expr.replace(
            lambda e: isinstance(e, ActivationFunction),
            lambda e: e.written_out(),
        )
        if done == expr:
            break
        expr = done
    return expr


@functools.lru_cache(maxsize=256)
def _canonical(body: Any) -> Any:
    """A function's body (in :data:`T`) in one form: a piecewise one (an indicator) with its
    activations written out as their formulas and its nested pieces folded, so that relu's
    ``1{a > 0}`` composed with ``a = relu(t)`` and ``1{t > 0}`` are the same SymPy object (a
    Piecewise is opaque to expand); any other body as it is."""
    if not body.has(sp.Piecewise):
        return body
    unfolded = body.replace(
        lambda e: isinstance(e, ActivationFunction),
        lambda e: e.written_out(),
    ).replace(lambda e: isinstance(e, sp.core.relational.Relational), _root_condition)
    try:
        return sp.piecewise_fold(unfolded)
    except (TypeError, ValueError, NotImplementedError):
        return body  # not folded: the explicit route still decides, or the proof fails


def _root_condition(relation: Any) -> Any:
    """``u rel r`` for a condition ``u**e rel c`` (e = p/q > 0 with q even: a root, c >= 0,
    r >= 0 with r**e = c, rel one of ``> >= == !=``), else the condition as it is. A read of a
    root's output writes such a condition (``sqrt(t) > 0`` for t > 0 where ``a = sqrt(t)`` is
    cached). For u >= 0 the power is increasing, so both hold together; for u < 0 an even root
    is not real (NaN in the generated code: ``>``, ``>=``, ``==`` false, ``!=`` true) and the
    plain condition says the same, as r >= 0. ``<`` and ``<=`` differ there and are left alone,
    and so are integer and odd-root powers, which are real for u < 0 (``u**2 > 0`` holds at
    u = -1, ``u > 0`` does not)."""
    relational = (sp.StrictGreaterThan, sp.GreaterThan, sp.Eq, sp.Ne)
    if not isinstance(relation, relational) or not isinstance(relation.lhs, sp.Pow):
        return relation
    base, exponent, bound = relation.lhs.base, relation.lhs.exp, relation.rhs
    if not (exponent.is_Rational and exponent > 0 and exponent.q % 2 == 0):
        return relation
    if not (bound.is_Rational and bound >= 0):
        return relation
    root = bound ** (1 / exponent)
    if not (root.is_Rational and root >= 0 and root**exponent == bound and base.is_real):
        return relation
    return relation.func(base, root)


#: a concrete dimension above this (``W : 300 x 300`` declared in numbers) is proved at small
#: sizes as a symbol: written out at 300 x 300, one proof built 90,000 entries (47 s)
LARGEST_WRITTEN = 12


def _explicitly_equal(before: Any, after: Any) -> bool:
    """Whether both sides are equal, entry by entry at small sizes (:func:`_equal_at`); a
    large concrete dimension is first given a symbol (:func:`_symbolic_sizes`), and written
    out at its own size only where that decides nothing."""
    shrunk = _symbolic_sizes(before, after)
    if shrunk is not None and _equal_at_small_sizes(*shrunk):
        return True
    return _equal_at_small_sizes(before, after)


def _symbolic_sizes(before: Any, after: Any) -> tuple[Any, Any] | None:
    """Both sides with each concrete dimension over :data:`LARGEST_WRITTEN` replaced by one
    symbol per size, in every matrix symbol, ones, zero and identity matrix (a 300 x 300 W
    becomes an s x s one), or None where there is none. An identity of the two at every s
    compared holds at 300 too; a rewrite that reads the number 300 itself fails there, and is
    written out at its own size."""
    kinds = (MatrixSymbol, OneMatrix, Identity, ZeroMatrix)
    atoms = before.atoms(*kinds) | after.atoms(*kinds)
    big = {int(d) for a in atoms for d in a.shape if d.is_Integer and int(d) > LARGEST_WRITTEN}
    if not big:
        return None
    symbols = {v: sp.Symbol(f"_size{v}", integer=True, positive=True) for v in sorted(big)}

    def sized(d: Any) -> Any:
        return symbols.get(int(d), d) if d.is_Integer else d

    def swapped(atom: Any) -> Any:
        rows, cols = (sized(d) for d in atom.shape)
        if isinstance(atom, MatrixSymbol):
            return MatrixSymbol(atom.name, rows, cols)
        if isinstance(atom, OneMatrix):
            return OneMatrix(rows, cols)
        if isinstance(atom, ZeroMatrix):
            return ZeroMatrix(rows, cols)
        return Identity(rows)

    mapping = {atom: swapped(atom) for atom in atoms}
    try:
        return before.xreplace(mapping), after.xreplace(mapping)
    except (TypeError, ValueError):  # a shape SymPy checks in numbers: as written
        return None


def _equal_at_small_sizes(before: Any, after: Any) -> bool:
    decided, wanted = 0, 0
    for wanted, sizes in _small_sizes(before, after):
        equal = _equal_at(before, after, sizes)
        if equal is False:
            return False
        decided += equal is True
        if decided == wanted:
            return True
    return False


def _equal_at(before: Any, after: Any, sizes: dict[Any, int]) -> bool | None:
    """Whether both sides are equal at ``sizes``; None where a side is not a finite number
    there (``1/(m - 2)`` at m = 2): such sizes decide nothing."""
    explicit = _Explicit(sizes)
    try:
        left = explicit(before)
        right = explicit(after)
    except (TypeError, ValueError, NotImplementedError, AttributeError, ZeroDivisionError):
        return False
    if left.shape != right.shape:
        return False
    if any(x.has(sp.zoo, sp.nan, sp.oo, -sp.oo) for x in (*left, *right)):
        return None
    return all(_scalar_zero(x - y) for x, y in zip(left, right, strict=True))


#: settings tried at most, so that a pole of a function of the sizes (``1/(m - 2)``) at one
#: of the first two is stepped over rather than taken for a difference
SETTINGS = 6


def _small_sizes(*exprs: Any) -> Iterator[tuple[int, dict[Any, int]]]:
    """Settings of every symbolic dimension of ``exprs`` to small sizes, distinct per
    dimension, each with the number of settings that decide (2, or 1 with no dimension): 2,
    3, ..., d + 1 in name order, then d + 2, d + 3, ... in the reverse order (d dimensions),
    so every dimension changes size and a coefficient that agrees with a size by accident at
    one setting (``3`` written for ``m``, one dimension for another) fails at the other; then
    larger ones alike, for a setting where a side is undefined (a pole of ``1/(m - 2)``)."""
    dims: set[Any] = set()
    for expr in exprs:
        for atom in expr.atoms(MatrixSymbol, OneMatrix, Identity, ZeroMatrix):
            for d in atom.shape:
                dims |= sp.sympify(d, strict=True).free_symbols
    ordered = sorted(dims, key=sp.default_sort_key)
    if not ordered:
        yield 1, {}
        return
    for k in range(SETTINGS):
        names = ordered if k % 2 == 0 else ordered[::-1]
        yield 2, {d: FIRST_SIZE + k * len(ordered) + i for i, d in enumerate(names)}


class _Explicit:
    """A matrix expression as an explicit matrix at ``sizes``: a matrix symbol ``W`` has the
    scalar symbols ``W[i,j]`` as entries, element-wise functions apply to each entry, an
    inverse or determinant is opaque (fresh symbols per argument), and a dimension used as a
    number (``1/m``) takes its size too."""

    def __init__(self, sizes: dict[Any, int]) -> None:
        self.sizes = sizes
        self.memo: dict[Any, Any] = {}
        self.opaque: dict[tuple[str, Any], Any] = {}

    def _opaque(self, kind: str, arg: Any, rows: int, cols: int) -> Any:
        """``inv(A)`` or ``det(A)`` as a matrix of fresh symbols, one per explicit value of
        ``A``: equal arguments give equal symbols, and nothing else is assumed, so a proof
        never expands a symbolic inverse or determinant (a k x k one has k! terms). Of a
        transposed argument, the transpose of the one known: inv(A^T) = inv(A)^T."""
        key = (kind, sp.ImmutableMatrix(self(arg).applyfunc(sp.expand)))
        known = self.opaque.get(key)
        flipped = self.opaque.get((kind, sp.ImmutableMatrix(key[1].T)))
        if known is None and flipped is not None:  # inv(A^T) = inv(A)^T, det(A^T) = det(A)
            known = self.opaque[key] = flipped.T
        if known is None:
            tag = f"{kind}{len(self.opaque)}"
            known = self.opaque[key] = sp.Matrix(
                rows, cols, lambda i, j: sp.Symbol(f"{tag}[{i},{j}]")
            )
        return known

    def __call__(self, expr: Any) -> Any:
        done = self.memo.get(expr)
        if done is None:
            done = self.memo[expr] = self._evaluate(expr)
        return done

    def _size(self, d: Any) -> int:
        return int(sp.sympify(d, strict=True).xreplace(self.sizes))

    def _evaluate(self, e: Any) -> Any:
        rows, cols = (self._size(d) for d in e.shape)
        if isinstance(e, MatrixSymbol):
            return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{e.name}[{i},{j}]"))
        if isinstance(e, OneMatrix):
            return sp.ones(rows, cols)
        if isinstance(e, ZeroMatrix):
            return sp.zeros(rows, cols)
        if isinstance(e, Identity):
            return sp.eye(rows)
        if isinstance(e, MatAdd):
            return functools.reduce(operator.add, (self(a) for a in e.args))
        if isinstance(e, MatMul):
            coeff = self.scalar(sp.Mul(*(a for a in e.args if not a.is_Matrix)))
            product = functools.reduce(operator.matmul, (self(a) for a in e.args if a.is_Matrix))
            return coeff * product
        if isinstance(e, HadamardProduct):
            return entrywise_product(*map(self, e.args))
        if isinstance(e, Transpose):
            return self(e.arg).T
        if isinstance(e, Elementwise):
            body, variable = self.scalar(e.body), e.variable
            return self(e.arg).applyfunc(lambda x: body.xreplace({variable: x}))
        if isinstance(e, Softmax):
            return sp.Matrix(Softmax.of_values(self(e.arg)))
        if isinstance(e, Inverse):
            # inv(inv(A)) = A and inv(inv(A)^T) = A^T: the code reads A for the inverse of a
            # cached inverse (logdet_inv's inv(t1)^T with t1 = inv(X)), not a second inverse
            inner = e.arg.arg if isinstance(e.arg, Transpose) else e.arg
            if isinstance(inner, Inverse):
                known = self(inner.arg)
                return known.T if isinstance(e.arg, Transpose) else known
            return self._opaque("inv", e.arg, rows, cols)
        # anything else (a power, a kind no plan holds today): SymPy's own evaluation
        entries = {s: sp.ImmutableMatrix(self(s)) for s in e.atoms(MatrixSymbol)}
        sized = e.xreplace(self.sizes).xreplace(entries).doit()
        return sp.Matrix(sized.as_explicit()).applyfunc(self.scalar)

    def scalar(self, expr: Any) -> Any:
        """A scalar expression with its entries (``s[0, 0]``), determinants and traces of
        matrices evaluated, and its dimensions sized."""
        swaps = {}
        for node in sp.preorder_traversal(expr):
            if isinstance(node, MatrixElement):
                swaps[node] = self(node.parent)[int(node.i), int(node.j)]
            elif isinstance(node, Determinant):
                swaps[node] = self._opaque("det", node.arg, 1, 1)[0, 0]
            elif isinstance(node, Trace):
                swaps[node] = self(node.arg).trace()
        return sp.sympify(expr, strict=True).xreplace(swaps).xreplace(self.sizes)


def _scalar_zero(difference: Any) -> bool:
    if difference == 0 or sp.expand(difference) == 0:
        return True
    try:
        return bool(sp.cancel(difference) == 0)
    except (TypeError, ValueError, NotImplementedError, sp.PolynomialError):
        return False
