"""The batch size m written as a number in a formula (the one size it can name), checked as one.

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
#: the largest size tried around an indicator's switch (the exact comparison's matrices grow
#: with it)
MAX_SWITCH_SIZE = 64


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


#: the values a written size is moved to: p/q between these bounds, q one of these primes (no
#: integer; small enough that a power with a size in its exponent stays evaluable)
LOW, HIGH, DENOMINATORS = 5, 17, (7, 11, 13)


def moved_values(fresh: dict[sp.Symbol, sp.Symbol], rng: random.Random) -> dict[Any, Any]:
    """Each fresh symbol at a random rational p/q, :data:`LOW` < p/q < :data:`HIGH`."""
    out = {}
    for symbol in fresh.values():
        q = rng.choice(DENOMINATORS)
        p = rng.randint(LOW * q + 1, HIGH * q - 1)
        p += 1 if p % q == 0 else 0  # never an integer
        out[symbol] = sp.Rational(p, q)
    return out


def in_exponent(expr: Any, fresh: dict[sp.Symbol, sp.Symbol]) -> bool:
    """Whether a fresh symbol is in an exponent of ``expr`` (``A ^ (m + 1)``): exactly, a
    power of a rational to a moved m has no rational value, or one of millions of digits."""
    symbols = set(fresh.values())
    powers = expr.atoms(sp.Pow, sp.HadamardPower)
    return any(bool(power.exp.free_symbols & symbols) for power in powers)


def moved_apart(
    differs: Callable[[Any, Any, bool], bool],
    formula: Any,
    gradient: Any,
    fresh: dict[sp.Symbol, sp.Symbol],
    rng: random.Random,
) -> bool:
    """Whether ``formula`` and ``gradient`` (written out in the leaves) differ with each
    written size at a random rational (:func:`moved_values`), at :data:`POINTS` points.

    ``differs(mine, theirs, exact)`` compares two expressions at a new point of the compared
    sizes: exactly (every function a table of random rationals), else with the true
    functions. An exact difference is confirmed with the true functions (a formula may spell a
    function another way: softplus' for sigmoid), as the verdict's is; where no exact value
    exists, or a size is in an exponent, the true functions decide alone."""
    mine, theirs = as_numbers(formula, fresh), as_numbers(gradient, fresh)
    exactly = not in_exponent(mine, fresh)
    for _ in range(POINTS):
        values = moved_values(fresh, rng)
        moved = mine.xreplace(values), theirs.xreplace(values)
        if exactly:
            try:
                if not differs(*moved, True):
                    continue
            except (NotRationalError, NotExact, ValueError, TypeError, ArithmeticError):
                pass  # no exact value there: the true functions decide
        if differs(*moved, False):
            return True
    return False


def switch_sizes(formula: Any, fresh: dict[sp.Symbol, sp.Symbol]) -> dict[sp.Symbol, set[int]]:
    """The sizes around which an indicator of the formula switches with a size written in it
    (``1{(m - 5)(m - 10) > 0}``: m = 4 to 11), by each written size: a random value of the
    size seldom lands between two such switches."""
    out: dict[sp.Symbol, set[int]] = {}
    relational = sp.core.relational.Relational
    for dim in fresh:
        found: set[int] = set()
        for piecewise in formula.atoms(sp.Piecewise):
            for _, cond in piecewise.args:
                for relation in cond.atoms(relational) if isinstance(cond, sp.Basic) else ():
                    edge = relation.lhs - relation.rhs
                    if edge.free_symbols != {dim}:
                        continue  # a switch of the point's values too, or of no size
                    try:
                        roots = sp.Poly(edge, dim).nroots(n=15)
                    except (sp.PolynomialError, sp.polys.polyerrors.PolynomialError, ValueError):
                        continue
                    for root in roots:
                        if root.is_real and 0 < root < 10**4:
                            whole = int(root)
                            found |= {k for k in range(whole - 1, whole + 3) if k >= 1}
        if found:
            out[dim] = found
    return out


def larger(
    compared: Iterable[dict[sp.Symbol, int]],
    dims: Iterable[sp.Symbol],
    switches: dict[sp.Symbol, set[int]] | None = None,
) -> list[dict[sp.Symbol, int]]:
    """Size settings past the compared ones: the first compared setting with each of ``dims``
    at each of the :data:`EXTRA_SIZES` sizes above the largest it was compared at, then at
    the sizes around its indicators' switches (``switches``, :func:`switch_sizes`) not yet
    compared, at most :data:`MAX_SWITCH_SIZE`."""
    settings = list(compared)
    first = settings[0]
    out = []
    for dim in dims:
        seen = {setting.get(dim) for setting in settings}
        top = max(setting.get(dim, 0) for setting in settings)
        sizes = list(range(top + 1, top + 1 + EXTRA_SIZES))
        around = sorted((switches or {}).get(dim, set()) - seen - set(sizes))
        sizes += [size for size in around if size <= MAX_SWITCH_SIZE]
        out += [{**first, dim: size} for size in sizes]
    return out
