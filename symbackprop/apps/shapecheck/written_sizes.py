"""A size a formula writes as a number (``m``, ``n1``), checked as a number.

Points are compared at a few sizes: m = 2, 3, 4. A formula that writes a size as a number can
be right at exactly those sizes and wrong at every other: ``((m-2)(m-3)(m-4) + 1) dZ X^T`` is
the gradient at m = 2, 3, 4 and 7 times it at m = 5 (hostile25). Here the size the formula
writes is read apart from the shapes it sizes: each number-position ``m`` (in the formula and in
the gradient, both written out in the leaves) becomes a free number and is put at a random
rational at a point drawn at the compared sizes. The gradient's own 1/m moves with it, so a
formula whose numbers are the gradient's agrees there too; one that does not agree is
compared again at larger sizes, where the difference it hid shows as a counterexample.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any

import sympy as sp
from sympy.matrices.expressions.special import GenericIdentity, GenericZeroMatrix

from symbackprop.apps.shapecheck.decided import entries_differ
from symbackprop.check.exact import NotRationalError
from symbackprop.check.interpret import NotExact

#: a matrix node whose arguments are its shape (or its name and shape): the sizes there are
#: shapes, not numbers
_SHAPED = (
    sp.Sum,  # its limits run over a matrix's entries (sum(x): i from 0 to n - 1)
    sp.MatrixSymbol,
    sp.OneMatrix,
    sp.ZeroMatrix,
    sp.Identity,
    GenericIdentity,
    GenericZeroMatrix,
)
#: the larger sizes a size the formula writes is tried at, past the largest compared
EXTRA_SIZES = 5
#: points at which the written sizes are moved off the shapes' sizes
POINTS = 2


def dims_of(*exprs: Any) -> frozenset[sp.Symbol]:
    """The size symbols that size the matrices of ``exprs`` (m, n1, h)."""
    found: set[sp.Symbol] = set()
    for expr in exprs:
        for atom in expr.atoms(*_SHAPED[1:]):  # the matrices
            for d in atom.shape:
                found |= {s for s in getattr(d, "free_symbols", ()) if isinstance(s, sp.Symbol)}
    return frozenset(found)


def as_numbers(expr: Any, fresh: dict[sp.Symbol, sp.Symbol]) -> Any:
    """``expr`` with each size of ``fresh`` that it uses as a number (not as a shape) replaced
    by its fresh symbol: ``(1/m) X 1_m`` becomes ``(1/u) X 1_m``. Each distinct subexpression
    is rebuilt once (a written-out gradient shares its subtrees: a1 appears in every delta)."""
    done: dict[Any, Any] = {}

    def rebuilt(node: Any) -> Any:
        found = done.get(node)
        if found is not None:
            return found
        if isinstance(node, _SHAPED) or not getattr(node, "args", ()):
            out = fresh.get(node, node) if isinstance(node, sp.Symbol) else node
        else:
            args = [rebuilt(arg) for arg in node.args]
            same = all(new is old for new, old in zip(args, node.args, strict=True))
            out = node if same else node.func(*args)
        done[node] = out
        return out

    return rebuilt(expr)


def written(expr: Any, dims: Iterable[sp.Symbol]) -> dict[sp.Symbol, sp.Symbol]:
    """The sizes among ``dims`` that ``expr`` writes as a number, each with a fresh symbol."""
    fresh = {d: sp.Dummy(f"{d.name}_number") for d in dims}
    free = as_numbers(expr, fresh).free_symbols
    return {d: f for d, f in fresh.items() if f in free}


def moved_apart(
    evaluate_at: Callable[[], Callable[[Any], sp.MatrixBase]],
    formula: Any,
    gradient: Any,
    fresh: dict[sp.Symbol, sp.Symbol],
    rng: random.Random,
) -> bool:
    """Whether ``formula`` and ``gradient`` (written out in the leaves) differ at some of
    :data:`POINTS` points of ``evaluate_at()`` with each written size at a random rational.

    Exact evaluation raising (a table at an irrational point) counts as no difference: the
    points at the compared sizes stand then."""
    mine, theirs = as_numbers(formula, fresh), as_numbers(gradient, fresh)
    for _ in range(POINTS):
        values = {
            f: sp.Rational(rng.randint(10**5, 10**6), rng.randint(7, 97)) for f in fresh.values()
        }
        evaluate = evaluate_at()
        try:
            yours = evaluate(mine.xreplace(values))
            truth = evaluate(theirs.xreplace(values))
            if any(
                entries_differ(yours[i, j], truth[i, j])
                for i in range(truth.rows)
                for j in range(truth.cols)
            ):
                return True
        except (NotRationalError, NotExact, ValueError, TypeError, ArithmeticError):
            # no exact value there (a table at an irrational point), or a difference with no
            # digits to decide: no verdict from this point; the compared sizes' points stand
            return False
    return False


def larger(
    compared: Iterable[dict[sp.Symbol, int]], dims: Iterable[sp.Symbol]
) -> list[dict[sp.Symbol, int]]:
    """Size settings past the compared ones: the first compared setting with each of ``dims``
    at each of the :data:`EXTRA_SIZES` sizes above the largest it was compared at."""
    settings = list(compared)
    first = settings[0]
    out = []
    for dim in dims:
        top = max(setting.get(dim, 0) for setting in settings)
        for size in range(top + 1, top + 1 + EXTRA_SIZES):
            out.append({**first, dim: size})
    return out
