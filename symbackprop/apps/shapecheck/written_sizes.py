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

import itertools
import random
from collections.abc import Callable, Collection, Iterable
from typing import Any

import sympy as sp
from mpmath.libmp.libhyper import NoConvergence
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.matrices.expressions.special import GenericIdentity, GenericZeroMatrix

from symbackprop.check.exact import NotRationalError
from symbackprop.check.interpret import NotExact
from symbackprop.core.rebuild import rebuilt

#: a matrix node whose arguments are its shape (or its name and shape)
_MATRICES = (
    sp.MatrixSymbol,
    sp.OneMatrix,
    sp.ZeroMatrix,
    sp.Identity,
    GenericIdentity,
    GenericZeroMatrix,
)
#: the nodes whose sizes are shapes, not numbers: the matrices, and a sum, whose limits run
#: over a matrix's entries (sum(x): i from 0 to n - 1)
_SHAPED = (sp.Sum, *_MATRICES)
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
        for atom in expr.atoms(*_MATRICES):
            for d in atom.shape:
                found |= {s for s in getattr(d, "free_symbols", ()) if isinstance(s, sp.Symbol)}
    return frozenset(found)


def as_numbers(expr: Any, fresh: dict[sp.Symbol, sp.Symbol]) -> Any:
    """``expr`` with each size of ``fresh`` that it uses as a number (not as a shape) replaced
    by its fresh symbol: ``(1/m) X 1_m`` becomes ``(1/u) X 1_m``. Each distinct subexpression
    is rebuilt once (a written-out gradient shares its subtrees: a1 appears in every delta)."""

    def stop(node: Any) -> Any:
        if isinstance(node, sp.Symbol):
            return fresh.get(node, node)
        return node if isinstance(node, _SHAPED) else None  # a shape's sizes stay sizes

    return rebuilt(expr, stop)


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
    """The sizes at which a condition of the formula (an indicator, abs, relu) switches with a
    size written in it, by each written size: k where it may differ between k and k + 1
    (``1{m > 100}``: 100; ``1{(m - 5)(m - 10) > 0}``: 5 and 10; :func:`_switches_of`). A
    random value of the size seldom lands between two such switches, so they are compared
    where they lie (:func:`larger`), or named where they lie past :data:`MAX_SWITCH_SIZE`."""
    out: dict[sp.Symbol, set[int]] = {}
    for dim in fresh:
        found: set[int] = set()
        for relation in _conditions(formula):
            edge = relation.lhs - relation.rhs
            if edge.free_symbols != {dim}:
                continue  # a switch of the point's values too, or of no size
            found |= _switches_of(relation, edge, dim)
        if found:
            out[dim] = found
    return out


#: the sizes a condition on several written sizes is read at, each size at each of these
_GRID = (1, 2, 3, 4, 6, 8, 16, 32, 64, 128, 1024, 2**16)


def joint_switches(formula: Any, fresh: dict[sp.Symbol, sp.Symbol]) -> list[sp.Symbol]:
    """The written sizes of the conditions of ``formula`` on two or more of them together
    whose truth changes with the sizes (``1{sum(exp(W1 - W1)) > 1000}`` is 1{n1 n0 > 1000}),
    else []. :func:`switch_sizes` finds the switches of one size; such a condition switches on
    a curve no one size's switches place, and it passed wherever the sizes compared lay on one
    side of it (hostile48a #3: twice the gradient at the network's own 784 x 128)."""
    out: list[sp.Symbol] = []
    for relation in _conditions(formula):
        edge = relation.lhs - relation.rhs
        dims = sorted(edge.free_symbols, key=lambda d: d.name)
        if len(dims) < 2 or not set(dims) <= set(fresh):
            continue
        if len(dims) > 3:  # too many sizes to read at every combination: said to change
            out += [d for d in dims if d not in out]
            continue
        seen = set()
        for values in itertools.product(_GRID, repeat=len(dims)):
            at = {d: sp.Integer(v) for d, v in zip(dims, values, strict=True)}
            seen.add(_truth(relation, edge.xreplace(at), None, 0))
            if len(seen) > 1:
                out += [d for d in dims if d not in out]
                break
    return out


def _conditions(formula: Any) -> list[Any]:
    """The conditions a formula's pieces switch on: a Piecewise's (an indicator's, relu's),
    and ``t > 0`` for abs(t), sign(t) and Heaviside(t), ``a > b`` for max(a, b) and min(a, b)
    (``abs(m - 30) + m - 30`` is 0 up to m = 30 and was never compared past it: hostile38b
    #2)."""
    relational = sp.core.relational.Relational
    found = []
    for piecewise in formula.atoms(sp.Piecewise):
        for _, cond in piecewise.args:
            found += list(cond.atoms(relational)) if isinstance(cond, sp.Basic) else []
    for node in formula.atoms(sp.Abs, sp.sign, sp.Heaviside):
        found.append(sp.StrictGreaterThan(node.args[0], 0, evaluate=False))
    for node in formula.atoms(sp.Max, sp.Min):
        if len(node.args) == 2:
            found.append(sp.StrictGreaterThan(node.args[0], node.args[1], evaluate=False))
    return found


#: the sizes past :data:`MAX_SWITCH_SIZE` a condition SymPy cannot solve is read at (bounded:
#: an exact 2^(2^40) or exp(exp(2^40)) never finishes: review27 #1)
_FAR = tuple(2**k for k in range(7, 17))
#: a condition larger than this is not given to SymPy's inequality solver
_SOLVABLE_OPS = 60


def _switches_of(relation: Any, edge: Any, dim: sp.Symbol) -> set[int]:
    """The sizes k >= 1 at which ``relation`` (``edge`` compared with 0) may differ between k
    and k + 1: the floors of the boundary of the set of positive reals where it holds, as
    SymPy's inequality solver gives it exactly (``-(m - 100)^4 >= 0``: {100}, which a root
    finder missed; ``abs(m - 200) < 1/2``: 199.5 and 200.5; ``2^m > 10^25``: 83.05), else
    read at sizes (:func:`_read_at_sizes`)."""
    x = sp.Dummy("x", positive=True)
    condition = relation.xreplace({dim: x})
    if sp.count_ops(edge) <= _SOLVABLE_OPS:
        try:
            holds = sp.solve_univariate_inequality(
                condition, x, relational=False, domain=sp.Interval(0, sp.oo)
            )
            boundary = holds.boundary
        except (NotImplementedError, ValueError, TypeError, ArithmeticError, NoConvergence):
            boundary = None
        if isinstance(boundary, sp.FiniteSet):
            out = set()
            for point in boundary:
                value = sp.N(point, 30)
                if value.is_real and value > 0:
                    out.add(int(sp.floor(value)))
            return out
    return _read_at_sizes(relation, edge, dim)


def _read_at_sizes(relation: Any, edge: Any, dim: sp.Symbol) -> set[int]:
    """The switches of a condition SymPy cannot solve, read at every size up to
    :data:`MAX_SWITCH_SIZE` and at :data:`_FAR` (halved down to the switch between two of
    them); a size where it has no value counts as a switch (the check then cannot decide)."""
    sizes = (*range(1, MAX_SWITCH_SIZE + 1), *_FAR)
    values = [_truth(relation, edge, dim, size) for size in sizes]
    out = set()
    for low, high, now, after in zip(sizes, sizes[1:], values, values[1:], strict=False):
        if now is None or after is None:
            out.add(low)
            continue
        while now != after and high - low > 1:  # halved down to the size where it switches
            middle = (low + high) // 2
            here = _truth(relation, edge, dim, middle)
            if here is None:
                break
            low, high = (middle, high) if here == now else (low, middle)
        if now != after:
            out.add(low)
    return out


def _truth(relation: Any, edge: Any, dim: sp.Symbol | None, size: int) -> bool | None:
    """Whether ``relation`` holds with ``dim`` = ``size`` (``edge`` as it is where ``dim`` is
    None), from ``edge`` to 30 digits; None where that has no real value."""
    try:
        value = sp.N(edge if dim is None else edge.xreplace({dim: sp.Integer(size)}), 30)
    except (ValueError, TypeError, ArithmeticError, NoConvergence):
        return None
    if not (value.is_real and value.is_finite):
        return None
    decided = relation.func(value, 0)
    return bool(decided) if decided in (sp.true, sp.false) else None


#: the sums, products and powers whose degree in a written size is that of their arguments'
_SUMS = (sp.Add, sp.MatAdd)
_PRODUCTS = (sp.Mul, sp.MatMul, sp.HadamardProduct)
_SAME = (sp.Transpose, sp.Sum, MatrixElement)
#: the most sizes past the largest compared that a written size of high degree is tried at
#: (each a comparison at a larger size); a degree that needs more: the check cannot decide
MAX_EXTRA_SIZES = 16


def degree(expr: Any, symbols: Collection[Any]) -> int | None:
    """A bound on the degree of ``expr`` as a rational function of ``symbols`` (a written
    size's fresh symbol: numerator and denominator degrees added), or None where one is in
    some other function (exp(m), an indicator: :func:`switch_sizes` reads those).

    A formula that is a polynomial of degree d in a size it writes can agree with the gradient
    at d sizes and no other: ``(1 + (n - 3)(n - 4)(n - 7)...(n - 12)) truth`` agreed at every
    size compared (3, 4, 7) and at the five past them, and passed (hostile37c #1). Compared at
    d + 1 sizes, it differs at one of them."""
    if not (expr.free_symbols & set(symbols)):
        return 0
    if expr in symbols:
        return 1
    bound = _bound(expr, symbols)
    if bound is not None and bound > 1:
        exact = _rational_degree(expr, symbols, bound)
        if exact is not None:
            return min(exact, bound)
    return bound


def _bound(expr: Any, symbols: Collection[Any]) -> int | None:
    """:func:`degree` of ``expr`` from its parts' degrees (a sum's largest, a product's sum, a
    power's multiple), without cancelling ``expr`` itself."""
    parts = [degree(arg, symbols) for arg in _arguments(expr)]
    if any(part is None for part in parts):
        return None
    known = [part for part in parts if part is not None]
    if isinstance(expr, _SUMS):
        return max(known)
    if isinstance(expr, _PRODUCTS):
        return sum(known)
    if isinstance(expr, _SAME):
        return known[0]
    if isinstance(expr, (sp.Pow, sp.HadamardPower)):
        power = expr.exp
        if power.is_Integer:
            return abs(int(power)) * known[0]
    return None


#: the largest scalar part (in SymPy operations) whose degree is found by cancelling it, and
#: the largest bound of its parts' degrees cancelled, in one size and in several (SymPy expands
#: the powers: (n + m + k + 1)^40 took 19 s, review39 #3)
MAX_CANCELLED_OPS = 200
MAX_CANCELLED_DEGREE, MAX_CANCELLED_DEGREE_SEVERAL = 64, 12


def cancellable(expr: Any, symbols: Collection[Any]) -> bool:
    """Whether SymPy cancels ``expr``, a rational function of ``symbols``, in little time: its
    parts' degree bound within the caps above and few operations (the ratio of
    ``(1 + ((m-2)(m-3))^450) truth`` to the gradient took minutes: hostile40b #4)."""
    own = [s for s in symbols if s in expr.free_symbols]
    return _quick(expr, own, _bound(expr, own) if own else 0)


def _quick(expr: Any, own: list[Any], bound: int | None) -> bool:
    """Whether ``expr`` in the sizes ``own``, its parts' degrees bounded by ``bound``, is
    within the caps cancelling takes little time in."""
    cap = MAX_CANCELLED_DEGREE if len(own) <= 1 else MAX_CANCELLED_DEGREE_SEVERAL
    return bound is not None and bound <= cap and sp.count_ops(expr) <= MAX_CANCELLED_OPS


def _rational_degree(expr: Any, symbols: Collection[Any], bound: int) -> int | None:
    """The degree of a number of the sizes (no matrix in it) as a rational function of
    ``symbols``, cancelled first: ``((n + 1)^2 - n^2 - 2n)^10`` is 1, of degree 0, where the
    bound of its parts said 20 and a right formula was "cannot decide" (review38 #5). None
    for a matrix, a function of a size (exp(n)) or a part too large to cancel (its parts'
    ``bound`` above the caps)."""
    if getattr(expr, "is_Matrix", False) or not isinstance(expr, sp.Expr):
        return None
    own = [s for s in symbols if s in expr.free_symbols]
    if expr.atoms(MatrixElement, sp.MatrixSymbol, sp.Sum) or not _quick(expr, own, bound):
        return None
    try:
        numerator, denominator = sp.fraction(sp.cancel(expr))
        return int(
            sp.Poly(numerator, *own).total_degree() + sp.Poly(denominator, *own).total_degree()
        )
    except (sp.PolynomialError, sp.GeneratorsNeeded, ValueError, TypeError):
        return None


def _arguments(expr: Any) -> tuple[Any, ...]:
    """The arguments whose degree counts: a sum's summand (its limits are a shape's)."""
    if isinstance(expr, sp.Sum):
        return (expr.function,)
    if isinstance(expr, MatrixElement):
        return (expr.parent,)
    if isinstance(expr, (sp.Pow, sp.HadamardPower)):
        return (expr.base,)
    return tuple(expr.args)


def extra_count(
    compared: Iterable[dict[sp.Symbol, int]], dim: sp.Symbol, known: int | None
) -> int:
    """How many sizes past the largest compared ``dim`` is tried at: :data:`EXTRA_SIZES`, or
    as many as a formula of degree ``known`` in it needs to be compared at ``known`` + 1
    sizes (at most :data:`MAX_EXTRA_SIZES`)."""
    seen = {setting[dim] for setting in compared if dim in setting}
    needed = 0 if known is None else known + 1 - len(seen)
    return min(max(EXTRA_SIZES, needed), MAX_EXTRA_SIZES)


def short_of_degree(
    compared: Iterable[dict[sp.Symbol, int]], dim: sp.Symbol, known: int | None
) -> int | None:
    """``known`` (a formula's degree in ``dim``) where the sizes ``compared`` and tried past
    them (:func:`extra_count`) are too few to show that it agrees at every size, else None."""
    settings = list(compared)
    seen = {setting[dim] for setting in settings if dim in setting}
    tried = len(seen) + extra_count(settings, dim, known)
    return known if known is not None and tried < known + 1 else None


def larger(
    compared: Iterable[dict[sp.Symbol, int]],
    dims: Iterable[sp.Symbol],
    switches: dict[sp.Symbol, set[int]] | None = None,
    degrees: dict[sp.Symbol, int | None] | None = None,
) -> list[dict[sp.Symbol, int]]:
    """Size settings past the compared ones: the first compared setting with each of ``dims``
    at each of the :func:`extra_count` sizes above the largest it was compared at (more for a
    formula of high degree in it, ``degrees``), then at the sizes around its indicators'
    switches (``switches``, :func:`switch_sizes`) not yet compared, at most
    :data:`MAX_SWITCH_SIZE` (:func:`past_the_largest` names the others)."""
    settings = list(compared)
    first = settings[0]
    out = []
    for dim in dims:
        seen = {setting.get(dim) for setting in settings}
        top = max(setting.get(dim, 0) for setting in settings)
        count = extra_count(settings, dim, (degrees or {}).get(dim))
        sizes = list(range(top + 1, top + 1 + count))
        # both sides of each switch (k and k + 1), a size to spare on each
        edges = (switches or {}).get(dim, set())
        around = {size for k in edges for size in range(k - 1, k + 3) if size >= 1}
        sizes += sorted(size for size in around - seen - set(sizes) if size <= MAX_SWITCH_SIZE)
        out += [{**first, dim: size} for size in sizes]
    return out


def past_the_largest(switches: dict[sp.Symbol, set[int]]) -> dict[sp.Symbol, int]:
    """Each size with a switch no comparison reaches (past :data:`MAX_SWITCH_SIZE`), and the
    first such switch (``1{m > 100}``: m -> 100)."""
    out = {}
    for dim, sizes in switches.items():
        far = [size for size in sizes if size + 1 > MAX_SWITCH_SIZE]
        if far:
            out[dim] = min(far)
    return out
