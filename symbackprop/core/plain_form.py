"""The plain form of a matrix expression: the one every printer shows.

The rules and the substitutions of a derivation leave forms nobody would write: a transpose of
a transpose (an expanded gradient substitutes ``x^T`` for an adjoint that is transposed again:
``(x^T)^T``; a model's internal value ``_t2 = (y ⊙ v)^T``, shown by its source, transposed:
``((y ⊙ v)^T)^T``), and an element-wise product with an all-ones factor (the seed dJ/dJ = 1 in
``1 ⊙ (1/det(X))``, a weight decay's ``((1/200) 1) ⊙ w``). :func:`plain` rewrites them on the
SymPy expression, before any printer sees it, so that text, LaTeX, MathML and the formula
language show the same thing:

- ``(A^T)^T`` -> ``A``; ``s^T`` -> ``u`` where ``transposes`` says the value ``s`` is ``u^T``;
- ``1 ⊙ M`` -> ``M``, ``(c 1) ⊙ M`` -> ``c M`` (a ones matrix, a 1 x 1 identity, a number times
  one), except where only broadcast columns ``b 1_m^T`` would remain (the ones give the
  columns).

Each rule is checked by SymPy, entry by entry, on a generic instance (fresh symbols for the
parts it keeps) the first time it is used: a printed expression is equal to the one the
derivation holds, so every ``=`` beside it still holds. Nothing is rebuilt where no rule
applies: such an expression comes back as the same object.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import sympy as sp
from sympy import HadamardProduct, Identity, MatMul, MatrixSymbol, OneMatrix, Transpose
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.core.substitute import substituted
from symbackprop.errors import InternalError

#: a value defined as a transpose, ``s = u^T``, as the pair ``(s, u)`` (a model's)
Transposes = tuple[tuple[Any, Any], ...]


def plain(expr: Any, transposes: Transposes = ()) -> Any:
    """``expr`` in plain form (see the module docstring); ``transposes`` are the values
    defined as a transpose, ``(s, u)`` for ``s = u^T``."""
    if not isinstance(expr, sp.Basic) or not getattr(expr, "is_Matrix", False):
        return expr
    return _plain(expr, transposes)


@functools.lru_cache(maxsize=4096)  # a printer is asked for the same expression many times
def _plain(expr: Any, transposes: Transposes) -> Any:
    defined = dict(transposes)
    done: dict[Any, Any] = {}  # node -> its plain form, None where that is the node

    def visit(node: Any) -> Any:
        if node in done:  # an equal node seen before; this one itself where nothing changed
            known = done[node]
            return node if known is None else known
        result = node
        if node.args and not isinstance(node, MatrixSymbol):
            moved = {}
            for arg in node.args:
                if isinstance(arg, sp.Basic):
                    new = visit(arg)
                    if new is not arg:
                        moved[arg] = new
            if moved:
                result = substituted(node, moved)
            result = _rewritten(result, defined)
        done[node] = None if result is node else result
        return result

    return visit(expr)


def _rewritten(node: Any, transposes: Mapping[Any, Any]) -> Any:
    """``node`` with one rule applied at its top (checked: :func:`_check`), or ``node``."""
    new = _apply(node, transposes)
    if new is None:
        return node
    _check(_kind(node))
    return new


def _apply(node: Any, transposes: Mapping[Any, Any]) -> Any:
    """``node`` with the rule that fits it applied at its top; None where none does."""
    if isinstance(node, Transpose):
        if isinstance(node.arg, Transpose):
            return node.arg.arg
        return transposes.get(node.arg)
    if isinstance(node, HadamardProduct):
        coeff, kept = without_ones(node.args)
        if len(kept) == len(node.args):
            return None
        body = kept[0] if len(kept) == 1 else HadamardProduct(*kept)
        return body if coeff == 1 else coeff * body
    return None


#: what a rule needs of a node to be checked on a generic instance: its kind and shape, and
#: for an element-wise product which factors are ones and which of those a number times one
Kind = tuple[Any, ...]


def _kind(node: Any) -> Kind:
    if isinstance(node, Transpose):
        defined = not isinstance(node.arg, Transpose)
        return ("defined" if defined else "transpose", tuple(node.shape))
    numbers = [_ones_times(f) for f in node.args]
    pattern = tuple(None if c is None else c != 1 for c in numbers)
    return ("hadamard", tuple(node.shape), pattern)


@functools.lru_cache(maxsize=256)
def _check(kind: Kind) -> None:
    """Check the rule for ``kind`` with SymPy, entry by entry: :func:`_apply` on a generic
    instance (fresh symbols for the parts it keeps, and for the numbers) against the instance
    itself. Raises :class:`InternalError` where they differ."""
    rows, cols = kind[1]
    transposes: dict[Any, Any] = {}
    if kind[0] == "transpose":
        kept = MatrixSymbol("_A", rows, cols)
        before = Transpose(Transpose(kept))
        meaning = before
    elif kind[0] == "defined":  # s^T where s = u^T: (u^T)^T
        u, s = MatrixSymbol("_U", rows, cols), MatrixSymbol("_S", cols, rows)
        transposes[s] = u
        before, meaning = Transpose(s), Transpose(Transpose(u))
    else:
        one = Identity(1) if (rows, cols) == (1, 1) else OneMatrix(rows, cols)
        factors = [
            MatrixSymbol(f"_F{k}", rows, cols)
            if scaled is None
            else (sp.Symbol(f"_c{k}") * one if scaled else one)
            for k, scaled in enumerate(kind[2])
        ]
        before = meaning = HadamardProduct(*factors)
    after = _apply(before, transposes)
    i, j = sp.Symbol("_i", integer=True), sp.Symbol("_j", integer=True)
    at = (0 if rows == 1 else i, 0 if cols == 1 else j)
    if after is None or sp.expand(meaning[at] - after[at]) != 0:
        raise InternalError(f"the plain form's rule does not hold: {meaning} = {after}")


def without_ones(factors: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
    """The number and the other factors of an element-wise product whose all-ones factors (a
    ones matrix, a 1 x 1 identity, or a number times one) are left out; all the factors, and
    1, where only ones or broadcast columns would remain (the ones give the columns)."""
    coeff: Any = sp.Integer(1)
    kept = []
    for factor in factors:
        number = _ones_times(factor)
        if number is None:
            kept.append(factor)
        else:
            coeff *= number
    if all(broadcast_column(factor) is not None for factor in kept):
        return sp.Integer(1), factors
    return coeff, tuple(kept)


def _ones_times(factor: Any) -> Any:
    """``c`` where ``factor`` is c times an all-ones matrix (a 1 x 1 identity is one), else
    None."""
    coeff, matrices = factor.as_coeff_matrices() if isinstance(factor, MatMul) else (1, [factor])
    if len(matrices) != 1 or (isinstance(coeff, sp.Basic) and coeff.has(MatrixElement)):
        # an entry of a 1 x 1 value times ones is a broadcast, not a number: taken out of the
        # product, SymPy writes the entry out as index sums (norm2's sqrt(sum(...))[0, 0])
        return None
    ones = matrices[0]
    if isinstance(ones, OneMatrix) or (isinstance(ones, Identity) and tuple(ones.shape) == (1, 1)):
        return coeff
    return None


def broadcast_column(term: Any) -> Any:
    """The column ``b`` of a term ``b 1_m^T`` (a model's broadcast), else None."""
    if not isinstance(term, MatMul) or term.shape[1] == 1:
        return None
    coeff, matrices = term.as_coeff_matrices()
    last = matrices[-1] if matrices else None
    if len(matrices) < 2 or not isinstance(last, OneMatrix) or last.shape[0] != 1:
        return None
    return MatMul(coeff, *matrices[:-1]) if coeff != 1 or len(matrices) > 2 else matrices[0]
