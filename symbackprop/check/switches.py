"""Where each piecewise atom of a formula switches, as values of the one variable it is a
function of.

A piecewise atom (an indicator ``1{...}``, ``abs``, relu and the other activations' pieces,
``max``/``min``, ``sign``, a pole or a root's edge of a power with a negative or fractional
exponent: ``sqrt(u^2)/u`` is sign(u)) changes at some values of its argument. Two atoms of one
variable written two ways (``1{sigmoid(z1) > 0.5025}`` and relu'(z1) = ``1{a1 > 0}`` with
a1 = relu(z1)) differ only between their switches; comparing either side of each atom's own
switches never enters that band. :func:`switches` maps every atom's switch values onto its
*base*: through affine maps (z1 + 1/100), element-wise functions of numeric constants solved
exactly (sigmoid(z1) = 201/400 at z1 = log(201/199); relu(z1) = c at z1 = c for c > 0),
powers and the forward definitions (a1 = relu(z1)), down to a leaf or a product of leaves
(z1, W1, x, W X). An atom whose argument cannot be taken to such a base (1{z1 ⊙ a1 > 0}) is
named instead: no verdict may rest on its sides.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy import Determinant, HadamardPower, HadamardProduct, Trace
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.check.entry_matrix import matrix_of_entry
from symbackprop.check.explicit import explicit
from symbackprop.formula.functions import sigmoid
from symbackprop.records.kinks import breakpoints
from symbackprop.records.nodes import ActivationFunction, Elementwise, T

#: the longest function (in SymPy operations) solved for its switches
MAX_OPS = 40
#: the scalar variable each function is solved in
_T = sp.Symbol("t", real=True)


@dataclass
class Switches:
    """``on``: base (a matrix expression) -> the values of the base where some atom switches;
    ``unmapped``: the atoms (as text) whose switch values could not be found."""

    on: dict[Any, set[Any]] = field(default_factory=dict)
    unmapped: list[Any] = field(default_factory=list)
    #: the bases some atom reaches through an element-wise function: only the true functions
    #: relate a1 = sigmoid(z1) to z1, not the exact check's tables of random values
    through: set[Any] = field(default_factory=set)
    #: the bases that are never negative (a norm, a sum of squares): no region below 0
    nonnegative: set[Any] = field(default_factory=set)
    #: each argument switched through a function, as written (sigmoid(w) of 1{sigmoid(w) >=
    #: 1/2}), with its own switch values: an exact point's tables draw sigmoid(w) = 1/2 itself
    raw: dict[Any, set[Any]] = field(default_factory=dict)


def definitions_read(exprs: tuple[Any, ...], definitions: dict[str, Any]) -> list[Any]:
    """The definition of every name ``exprs`` read, followed down (each once): a step that
    reads _t4 = relu(y) by its name switches where y does (the truth read it so, was compared
    at random y >= 0 only, and x (sigmoid(w^T x) - y) passed for x (sigmoid(w^T x) - relu(y))
    beside bce's targets in [0, 1])."""
    out: list[Any] = []
    seen: set[str] = set()
    todo = list(exprs)
    while todo:
        for symbol in getattr(todo.pop(), "free_symbols", ()):
            name = str(getattr(symbol, "name", ""))
            if name in definitions and name not in seen:
                seen.add(name)
                out.append(definitions[name])
                todo.append(definitions[name])
    return out


def one_name_each(
    exprs: tuple[Any, ...], definitions: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``exprs`` and ``definitions`` with every name defined as the value an earlier name is
    replaced by that name, and every name defined as another name by that one. A model names
    each operation apart: ``(w - 20) ⊙ (w - 20)`` is _t1 ⊙ _t2 with _t1 = _t2 = w - 20, which
    is no square to the switches (sqrt of it turns where w = 20) until the two are one name;
    ``(w - 20) ⊙ (w - 20) + 0`` is _t4 = _t3, and the switch sat on _t4 (hostile39a #1)."""
    first: dict[Any, str] = {}
    rename: dict[Any, Any] = {}
    out: dict[str, Any] = {}
    for name, value in definitions.items():
        if rename and hasattr(value, "xreplace"):
            value = value.xreplace(rename)
        out[name] = value
        shape = getattr(value, "shape", None)
        if isinstance(value, sp.MatrixSymbol) and str(value.name) != name:
            rename[sp.MatrixSymbol(name, *value.shape)] = value  # another name for it
            continue
        kept = first.setdefault(value, name)
        if kept != name and shape is not None:
            rename[sp.MatrixSymbol(name, *shape)] = sp.MatrixSymbol(kept, *shape)
    if not rename:
        return exprs, definitions
    return tuple(e.xreplace(rename) if hasattr(e, "xreplace") else e for e in exprs), out


def switches_read(*exprs: Any, definitions: dict[str, Any] | None = None) -> Switches:
    """:func:`switches` of ``exprs``, plus the regions of the kinked values they read by name
    only (:func:`definitions_read`: a model's _t4 = relu(y) of data, through which nothing is
    differentiated) for the bases no atom of ``exprs`` has (a layer's relu(z2) beside relu'(z2)
    adds none). A hidden base keeps all it knows: its values, whether it is never negative,
    whether it is reached through a function (then an exact point does not reach its regions)
    and the atoms whose switches could not be found (no verdict then)."""
    exprs, every = one_name_each(exprs, definitions or {})
    found = _switches(exprs, every)
    hidden = _switches(tuple(definitions_read(exprs, every)), every)
    for base, values in hidden.on.items():
        if base not in found.on:
            found.on[base] = set(values)
            found.nonnegative |= {base} & hidden.nonnegative
            found.through |= {base} & hidden.through
    for arg, values in hidden.raw.items():
        found.raw.setdefault(arg, set()).update(values)
    found.unmapped.extend(a for a in hidden.unmapped if a not in found.unmapped)
    return found


def switches(*exprs: Any, definitions: dict[str, Any] | None = None) -> Switches:
    """Every piecewise atom of ``exprs`` with its switch values mapped onto its base;
    ``definitions`` maps a name (a1) to the element-wise expression it stands for (relu(z1))."""
    return _switches(*one_name_each(exprs, definitions or {}))


def _switches(exprs: tuple[Any, ...], every: dict[str, Any]) -> Switches:
    """:func:`switches` of ``exprs`` whose names are one each already (:func:`one_name_each`)."""
    # only names for element-wise values count as functions (not plain) in a base: W2 a1
    defs = {k: v for k, v in every.items() if isinstance(v, Elementwise)}
    # the names followed down to their base: those, and a value that is an affine map or a
    # power of another (_t2 = W x - 1/2, _t1 = u ⊙ u); z1 = W1 x + b1 stays the base z1
    follow = {**{k: v for k, v in every.items() if _relation(v)}, **defs}
    # a plain base written out (W1 x + b1 in the formula) is the name it is defined as (z1)
    named = {v: sp.MatrixSymbol(k, *v.shape) for k, v in reversed(every.items()) if _named(v)}
    out = Switches()
    # a sum over every entry of a value (sum(1{x > 20}), an EntrySum of x[i, 0]'s pieces)
    # switches where the value's entries do: its summand read as the matrix it sums, whose
    # atoms have the value as their base (hostile47a #1: its dummy-indexed pieces were no
    # atoms, and a formula wrong only where x > 20 passed)
    summed = []
    for expr in exprs:
        for total in expr.atoms(sp.Sum) if isinstance(expr, sp.Basic) else ():
            matrix = _entrywise_sum(total)
            if matrix is not None:
                summed.append(matrix)
            elif _pieces_of_the_index(total):
                # a piece of each summed entry that no matrix names: its switches are not
                # found, and no verdict may rest on its sides (it was no atom at all, and a
                # wrong formula compared only at random points passed: hostile51a #1)
                out.unmapped.append(total)
    for expr in (*exprs, *summed):
        for node in sp.preorder_traversal(expr):
            scalar = _scalar_atom(node)
            if scalar is not None:
                if scalar is _NO_BASE:
                    out.unmapped.append(node)
                elif scalar[1]:  # 1{norm1(X) >= 0} never switches: no values
                    base, values, nonnegative = scalar
                    # norm2(W) = sqrt(sum(W ⊙ W)) = 1/2 is sum(W ⊙ W) = 1/4, exp(s) = c is
                    # s = log(c): one base for every function of one number
                    try:
                        onto = to_base(base, values, defs, follow=follow, named=named)
                    except NotImplementedError:
                        onto = None
                    if onto is None and isinstance(base, Elementwise):
                        out.unmapped.append(node)  # sin(sum(W ⊙ W)) > 1/10: no verdict
                        continue
                    if onto is None:  # sum(abs(X)): its own base, as a whole
                        onto = (base, values, False)
                    if not onto[1]:
                        continue  # exp(s) < -1 never switches
                    if onto[0] != base:
                        nonnegative = _nonnegative_matrix(onto[0])
                    raw_base, raw_values = base, values
                    base, values = onto[0], onto[1]
                    if onto[2]:
                        out.through.add(base)
                        out.raw.setdefault(raw_base, set()).update(raw_values)
                    out.on.setdefault(base, set()).update(values)
                    if nonnegative:
                        out.nonnegative.add(base)
                continue
            try:
                found = _atom(node)
            except NotImplementedError:
                # SymPy cannot solve the function for its switches (1{relu(R) > 0} of a
                # summed entry: its body is relu(t) > 0): no verdict rests on its sides, and
                # it was exit 3 on right formulas (hostile51c #4)
                out.unmapped.append(node)
                continue
            if found is None:
                continue
            arg, points, edges = found
            if not points:
                continue
            if isinstance(node, HadamardPower) and _never_zero(arg):
                continue  # 1/(exp(u) + 1): a pole only where its base is 0, which it never is
            # a root's edge or a pole at 0 of a product lies where a factor is 0: sqrt(u^2 ⊙
            # v^2) turns where u or v does, which the product (never below 0) does not show
            # (hostile39a #2); an indicator of a product (1{z1 ⊙ a1 > 0}) stays unmapped: its
            # pieces are signs of the factors together, which no one factor's sides reach
            factors = zero_factors(arg, every) if 0 in edges else [arg]
            split = factors != [arg]
            own = frozenset(p for p in points if p != 0) if split else frozenset(points)
            if own:
                _place(out, node, arg, own, every, (defs, follow, named))
            for factor in dict.fromkeys(factors) if split else ():
                _place(out, node, factor, frozenset({sp.Integer(0)}), every, (defs, follow, named))
    _merge_related(out, every)
    return out


def _pieces_of_the_index(total: sp.Sum) -> bool:
    """Whether a piecewise function inside ``total`` reads its summation index (a piece of
    each summed entry, not one number's)."""
    index = {limit[0] for limit in total.limits}
    return any(
        isinstance(node, _SCALAR) and bool(node.free_symbols & index)
        for node in sp.preorder_traversal(total.function)
    )


def _place(
    out: Switches,
    node: Any,
    arg: Any,
    points: frozenset[Any],
    every: dict[str, Any],
    maps: tuple[dict[str, Any], dict[str, Any], dict[Any, Any]],
) -> None:
    """Record the switch ``points`` of the atom ``node`` on ``arg`` onto its base in ``out``;
    ``maps``: :func:`to_base`'s ``defs``, ``follow`` and ``named``."""
    defs, follow, named = maps
    try:
        mapped = to_base(arg, points, defs, follow=follow, named=named)
    except NotImplementedError:  # SymPy could not solve or list the switches
        mapped = None
    if mapped is None:
        out.unmapped.append(node)
        return
    base, values, through = mapped
    own = isinstance(node, Elementwise) and arg is node.arg
    if own and values == points and _even(_scalar_body(node)):
        # abs(w) itself kinks at w = 0: a value of the base abs(w) (to_base, above)
        base = Elementwise(sp.Lambda(T, sp.Abs(T)), base)
        values = frozenset(v for v in values if bool(v >= 0))
    if not values:
        return  # 1{sigmoid(z1) > 2}: it never switches
    if isinstance(node, HadamardPower) and _one_signed(base, every):
        return
    out.on.setdefault(base, set()).update(values)
    if through:
        out.through.add(base)
        out.raw.setdefault(arg, set()).update(points)
    if _never_negative(base) or _defined_nonnegative(base, every):
        out.nonnegative.add(base)  # abs(z1 - 1) has no region below 0 (review14 R5)


def zero_factors(arg: Any, every: dict[str, Any], depth: int = 0) -> list[Any]:
    """The factors of a matrix value that is 0 where one of them is, entry by entry: those of
    an element-wise product, the base of a positive power, the matrix of a nonzero multiple,
    followed through names defined so (``_t3 = _t1 ⊙ _t2``); ``[arg]`` where it is no such
    product."""
    if depth > 20:
        return [arg]
    if isinstance(arg, sp.MatrixSymbol):
        defined = every.get(str(arg.name))
        if isinstance(defined, (HadamardProduct, HadamardPower, sp.MatMul)):
            inner = zero_factors(defined, every, depth + 1)
            return [arg] if inner == [defined] else inner
        return [arg]
    if isinstance(arg, HadamardProduct):
        return [f for a in arg.args for f in zero_factors(a, every, depth + 1)]
    if isinstance(arg, HadamardPower) and arg.exp.is_positive:
        return zero_factors(arg.base, every, depth + 1)
    if isinstance(arg, sp.MatMul):
        coeff, matrices = arg.as_coeff_matrices()
        if coeff != 0 and len(matrices) == 1:
            inner = zero_factors(matrices[0], every, depth + 1)
            return [arg] if inner == [matrices[0]] else inner
    return [arg]


def _never_negative(base: Any) -> bool:
    """An element-wise function that is never below 0 (abs(z1 - 1), exp(u)) or abs of a
    matrix: none of its entries is ever below 0."""
    if isinstance(base, sp.Abs):
        return bool(getattr(base.args[0], "is_Matrix", False))
    if isinstance(base, Elementwise):
        real = sp.Dummy(real=True)
        return bool(_explicit(base.body.xreplace({base.variable: real})).is_nonnegative)
    return False


def _defined_nonnegative(value: Any, every: dict[str, Any], depth: int = 0) -> bool:
    """Whether a matrix value is never below 0 in any entry by its definition (``every``: a
    model's names): an even power or a square u ⊙ u, abs, an element-wise function never below
    0, a sum or an element-wise product of such values, and a product of one with ones
    matrices and positive numbers (a variance, ``(1/m) rowsum(D ⊙ D)``). batch_norm's right
    dJ/dgamma, with sqrt(var + 0.001), was "cannot decide": no point had var below -1/1000
    (hostile38b #6)."""
    if depth > 20:
        return False
    if isinstance(value, sp.MatrixSymbol):
        defined = every.get(str(value.name))
        return defined is not None and _defined_nonnegative(defined, every, depth + 1)
    if isinstance(value, HadamardPower):
        return bool(value.exp.is_Integer and int(value.exp) % 2 == 0) or _defined_nonnegative(
            value.base, every, depth + 1
        )
    if isinstance(value, sp.HadamardProduct):
        # each factor an even number of times, or never negative itself: ((w ⊙ w) ⊙ w) ⊙ w
        # (SymPy nests it) was "maybe negative", and sqrt(w ⊙ w ⊙ w ⊙ w + 1) was searched for
        # a w^4 below -1 (review39 #2)
        counts = Counter(_flat_factors(value, every))
        return all(
            count % 2 == 0 or _defined_nonnegative(factor, every, depth + 1)
            for factor, count in counts.items()
        )
    if isinstance(value, sp.MatAdd):
        return all(_defined_nonnegative(arg, every, depth + 1) for arg in value.args)
    if isinstance(value, sp.MatMul):
        coeff, matrices = value.as_coeff_matrices()
        if _square_of_numbers(coeff, matrices):
            return True
        others = [f for f in matrices if not isinstance(f, sp.OneMatrix)]
        return bool(coeff.is_nonnegative) and (
            (len(others) == 1 and _defined_nonnegative(others[0], every, depth + 1))
            or _square_length(value, matrices)
        )
    return _never_negative(value)


def _square_of_numbers(coeff: Any, matrices: list[Any]) -> bool:
    """Whether ``coeff`` times ``matrices`` is a product of 1 x 1 values, each an even number
    of times, and a number never below 0: a model writes a 1 x 1 z times itself as
    ``z[0, 0] z`` (the entry is a number), and RMS norm's (z ⊙ z + 0.01)^-0.5 of a 1 x 1 z was
    "cannot decide": no point had z z below -0.01 (hostile51b #3)."""
    numbers, values = [], list(matrices)
    for factor in sp.Mul.make_args(coeff):
        if isinstance(factor, MatrixElement) and tuple(factor.parent.shape) == (1, 1):
            values.append(factor.parent)
        else:
            numbers.append(factor)
    if len(values) < 2 or any(tuple(v.shape) != (1, 1) for v in values):
        return False
    counts = Counter(values)
    return bool(sp.Mul(*numbers).is_nonnegative) and all(c % 2 == 0 for c in counts.values())


def _square_length(value: Any, matrices: list[Any]) -> bool:
    """Whether the product ``value`` of ``matrices`` is one number that is a squared length,
    ``v^T v`` or ``x^T A^T A x`` (each factor the transpose of its mirror): never below 0, so
    ``1{w^T w > 0}`` has no region below 0 to search, and "no point compared had w^T w below
    0" was said of a region with no point (hostile48d #7)."""
    count = len(matrices)

    def mirrored(first: Any, second: Any) -> bool:
        # a 1 x 1 value is its own transpose: z z (z = w^T x, as a formula's z ⊙ z of a
        # 1 x 1 z is written) is z^2; "no point had z z below -0.01" (hostile51b #3)
        return second == first.T or (tuple(first.shape) == (1, 1) and second == first)

    return (
        tuple(value.shape) == (1, 1)
        and count % 2 == 0
        and all(mirrored(matrices[k], matrices[count - 1 - k]) for k in range(count // 2))
    )


def _flat_factors(value: Any, every: dict[str, Any], depth: int = 0) -> list[Any]:
    """The factors of an element-wise product, nested products (and names defined as one: a
    model's _t3 = _t2 ⊙ w) taken apart."""
    if depth > 20:
        return [value]
    if isinstance(value, sp.MatrixSymbol):
        defined = every.get(str(value.name))
        if isinstance(defined, sp.HadamardProduct):
            return _flat_factors(defined, every, depth + 1)
    if isinstance(value, sp.HadamardProduct):
        return [f for arg in value.args for f in _flat_factors(arg, every, depth + 1)]
    return [value]


def _merge_related(out: Switches, every: dict[str, Any]) -> None:
    """Make bases of one shape (or transposed) where one is a function of the other one base:
    sum(W ⊙ W) in the formula is the model's _t2 = 1^T _t1 1 with _t1 = W ⊙ W; W x - 1/2
    written out is W x shifted; (u + 1) ⊙ (u - 1) is u ⊙ u - 1 and (W x) ⊙ u is u ⊙ u with
    u = W x. Each switch of the other lands on the one kept (a name where there is one, else
    the shorter value) at every preimage, so that the band between two switches is a region
    of that one base; a switch with no preimage found leaves its atom unmapped (no verdict).
    Bases not so related keep their own switches (W x and W x - 1/2 are not one value, and
    cutting either at the other's switches left the band between them unsearched: review14
    R6)."""
    order = sorted(
        out.on,
        key=lambda b: (
            not isinstance(b, sp.MatrixSymbol),
            not _is_abs(b),
            sp.count_ops(b),
            str(b),
        ),
    )
    entries: dict[Any, Entries | None] = {}
    kept: list[Any] = []
    for base in order:
        onto = None
        for other in kept:
            # X^T W^T is (W X)^T: a base of the transposed shape is compared transposed
            mine = base if other.shape == base.shape else sp.Transpose(base)
            if other.shape != mine.shape:
                continue
            for value in (mine, other):
                if value not in entries:
                    entries[value] = _entries(value, every)
            relation = _function_of(entries[mine], entries[other])
            if relation is None and _is_abs(other):
                # abs(u) kept, (u + 1) ⊙ (u - 1) = u ⊙ u - 1: an even function of u is one
                # of abs(u); any other function of u puts every switch on u itself
                if other.arg not in entries:
                    entries[other.arg] = _entries(other.arg, every)
                relation = _function_of(entries[mine], entries[other.arg])
                if relation is not None and not _even(relation):
                    inner = other.arg
                    out.on.setdefault(inner, set()).update(
                        {s * v for v in out.on.pop(other) for s in (-1, 1)}
                    )
                    if other in out.through:
                        out.through.add(inner)
                    kept[kept.index(other)] = other = inner
            if relation is not None:
                onto = other, relation
                break
        if onto is None:
            kept.append(base)
            _merge_onto(base, kept, entries, out)
            continue
        other, body = onto
        # an even body of u kept as abs(u): its switches as values of abs(u)
        _land(base, other, body, out, as_abs=_is_abs(other))


def _merge_onto(base: Any, kept: list[Any], entries: dict[Any, Any], out: Switches) -> None:
    """The other direction, for a base just kept: each kept base of its shape that is a
    function of it (_t2 = u ⊙ u ⊙ u beside u, kept first by the order of their names) has its
    switches mapped onto it, and is kept no more (review15 N2: u > 1.25 and u^3 > 2 were cut
    on two bases, and the band between them was no region)."""
    for other in [k for k in kept if k is not base and k.shape == base.shape]:
        if _is_abs(other) or entries.get(other) is None or entries.get(base) is None:
            continue
        body = _function_of(entries[other], entries[base])
        if body is None:
            continue
        kept.remove(other)
        _land(other, base, body, out, as_abs=False)


def _land(source: Any, onto: Any, body: Any, out: Switches, *, as_abs: bool) -> None:
    """``source`` = body(``onto``): each switch v of source becomes onto's t wherever
    body(t) = v (as |t| with ``as_abs``), and source is a base no more; where the preimages
    cannot be found its atom is unmapped (no verdict)."""
    values = _preimages(body, frozenset(out.on.pop(source, set())))
    if values is None:
        out.unmapped.append(source)
        return
    if as_abs:
        values = frozenset(abs(v) for v in values)
    # onto may have been landed on another base already (abs(w^T x)^2 / (w^T x): an exit 3,
    # KeyError, hostile48d #4): its values are added to what it has, if anything
    out.on.setdefault(onto, set()).update(values)
    if source in out.through or not tame(body):
        out.through.add(onto)
    out.nonnegative.discard(source)


#: the most entries, and operations in them, of a base written out (past it, no relation is
#: looked for)
MAX_ENTRIES, MAX_ENTRY_OPS = 400, 4000


#: a base's entries written out (:func:`_entries`)
Entries = tuple[sp.Expr, ...]


def _entries(base: Any, every: dict[str, Any]) -> Entries | None:
    """Every entry of ``base`` in the leaves' entries (each name written out as its definition,
    a symbolic size taken as a small number), expanded; None where that cannot be done."""
    # the same bases of one derivation are written out for each formula and each repair
    # candidate checked against it (perf16): once per base and definitions
    definitions = tuple(every.items())
    try:
        hash((base, definitions))
    except TypeError:  # a mutable matrix among them: written out each time
        return _entries_of.__wrapped__(base, definitions)
    return _entries_of(base, definitions)


@functools.lru_cache(maxsize=1024)
def _entries_of(base: Any, definitions: tuple[tuple[str, Any], ...]) -> Entries | None:
    every = dict(definitions)
    value = base
    for _ in range(30):
        names = {m for m in value.atoms(sp.MatrixSymbol) if str(m.name) in every}
        if not names:
            break
        value = value.xreplace({m: every[str(m.name)] for m in names})
    else:
        return None
    dims = sorted(
        {d for m in value.atoms(sp.MatrixSymbol) for d in m.shape if isinstance(d, sp.Symbol)},
        key=str,
    )
    value = value.xreplace({d: sp.Integer(2 + k) for k, d in enumerate(dims)})
    # a 1 x 1 value's shape (sum(W ⊙ W)) is Python ints, a matrix's SymPy Integers
    rows, cols = (sp.Integer(d) if isinstance(d, int) else d for d in value.shape)
    if not (rows.is_Integer and cols.is_Integer) or rows * cols > MAX_ENTRIES:
        return None
    try:
        value = _scalars_written_out(value)
        found = tuple(sp.expand(entry) for entry in explicit(value.doit()))
    except (TypeError, ValueError, LookupError, ArithmeticError, AttributeError):
        return None  # NotImplementedError is a RuntimeError: SymPy's "cannot"'s
    except (NotImplementedError, RecursionError):
        return None
    if sum(sp.count_ops(entry) for entry in found) > MAX_ENTRY_OPS:
        return None
    return found


#: the largest square matrix whose determinant is written out in its entries (n! products;
#: a trace, n terms, is written out at any size a base's entries are)
MAX_DET_SIZE = 5


def _scalars_written_out(value: Any) -> Any:
    """``value`` (of concrete sizes) with each det(M) and tr(M) of a small M written out in
    the leaves' entries: ``det(X)`` in a formula's 1 x 1 base and the model's ``_t1 = det(X)``
    are then the same polynomial, one base (review17 H1: left as Determinant(X) on both
    sides no relation was found, the band between their switches was no region, and a wrong
    threshold on det(X) passed "exactly")."""

    def written(node: Any) -> Any:
        rows, cols = node.arg.shape
        if not (sp.Integer(rows).is_Integer and rows == cols):
            return node
        if isinstance(node, Determinant) and rows > MAX_DET_SIZE:
            return node  # left as det(M): related to an equal det(M) only (_function_of)
        matrix = explicit(node.arg)
        return matrix.det(method="berkowitz") if isinstance(node, Determinant) else matrix.trace()

    return value.replace(lambda n: isinstance(n, (Determinant, Trace)), written)


#: the most SymPy operations in two values' entries that are solved one in terms of the other
#: (a triplet loss's u^T u - 1.01 v^T v beside u^T u - v^T v, 670 of them, ran for minutes
#: in sp.cancel); larger values are taken as unrelated, each its own base
MAX_RELATED_OPS = 200


@functools.lru_cache(maxsize=1024)  # pure, and asked again for every candidate (above)
def _function_of(mine: Entries | None, other: Entries | None) -> sp.Expr | None:
    """``f(t)`` (in :data:`_T`) where every entry of ``mine`` is f of ``other``'s entry, one f
    for all (checked exactly: ``other``'s entry solved for a leaf entry it is linear in, put
    into ``mine``'s, leaves no leaf); else None."""
    if mine is None or other is None or len(mine) != len(other):
        return None
    if mine == other:
        # the same value (a det(M) too large to write out, as it stands on both sides)
        return _T
    affine = _affine_relation(mine, other)
    if affine is not None:
        # sum(W ⊙ W) and _t2 = 1^T (W ⊙ W) 1: no leaf entry to solve for, one value
        return affine[0] * _T + affine[1]
    if sum(sp.count_ops(x) for x in (*mine, *other)) > MAX_RELATED_OPS:
        return None  # too large to solve in time (hostile51c #5: a triplet loss hung)
    found = None
    for a, b in zip(mine, other, strict=True):
        body = _in_terms_of(a, b)
        if body is None or (found is not None and sp.cancel(body - found) != 0):
            return None
        found = body
    return found


def _affine_relation(mine: Entries, other: Entries) -> tuple[Any, Any] | None:
    """``(scale, shift)`` where every entry of ``mine`` is scale times ``other``'s plus one
    number shift (scale a nonzero number), checked exactly; else None."""
    zero = {e: sp.Integer(0) for x in (*mine, *other) for e in x.atoms(MatrixElement)}
    scale = None
    for a, b in zip(mine, other, strict=True):
        moving = sp.expand(b - b.xreplace(zero))
        if moving != 0:
            scale = sp.cancel(sp.expand(a - a.xreplace(zero)) / moving)
            break
    if scale is None or not (scale.is_number and scale.is_extended_real) or scale == 0:
        return None
    shifts = {sp.expand(a - scale * b) for a, b in zip(mine, other, strict=True)}
    if len(shifts) != 1:
        return None
    (shift,) = shifts
    return (scale, shift) if shift.is_number and shift.is_extended_real else None


def _in_terms_of(a: sp.Expr, b: sp.Expr) -> sp.Expr | None:
    """``f(t)`` with a = f(b) as numbers, or None."""
    elements = b.atoms(MatrixElement)
    for e in sorted(elements, key=str):
        slope = sp.expand(sp.diff(b, e))
        if slope == 0 or slope.has(e):
            continue  # b not linear in e
        rest = sp.expand(b - slope * e)
        if rest.has(e):
            continue
        solved = (_T - rest) / slope
        try:
            body = sp.cancel(sp.expand(a.xreplace({e: solved})))
        except (TypeError, ValueError, NotImplementedError, sp.PolynomialError):
            return None
        if body.atoms(MatrixElement):
            return None  # a depends on more than b
        return body if body.has(_T) else None
    return None


def _never_zero(base: Any) -> bool:
    """Whether every entry of the matrix ``base`` is positive, or every one negative, for all
    real values of the matrices it names, by SymPy's assumptions on one entry: exp(u) + 1,
    (exp(u) + exp(-u))^2 (a name stands for any real, so its own range is not used)."""
    try:
        entry = base[0, 0]
    except (TypeError, ValueError, IndexError, NotImplementedError, AttributeError):
        return False
    if not isinstance(entry, sp.Expr):
        return False
    real = {e: sp.Dummy(real=True) for e in entry.atoms(MatrixElement)}
    entry = entry.xreplace(real)
    # a product's entry is a sum over an index up to a dimension (sum_i W[0, i] X[i, 0]): a
    # real number, of any length (exp(W X) + exp(W X + b 1^T) has no pole: hostile41d #2)
    sums = {s: sp.Dummy(real=True) for s in entry.atoms(sp.Sum) if s.function.is_real}
    entry = entry.xreplace(sums)
    if entry.free_symbols - set(real.values()) - set(sums.values()):
        return False  # a dimension or an index left in it: an entry of no one value
    return bool(entry.is_positive) or bool(entry.is_negative)


def _one_signed(base: Any, every: dict[str, Any]) -> bool:
    """A name for a value of a whole-matrix function (softmax(U), a product): 1/p of a
    softmax output p has its pole at 0, but p is never 0, and no line through the leaves
    reaches below it (a leaf, z1 = W1 x + b1, x, W X are searched)."""
    if not isinstance(base, sp.MatrixSymbol):
        return False
    found = every.get(str(base.name))
    return found is not None and not isinstance(found, (sp.MatAdd, sp.MatMul, sp.MatrixSymbol))


#: a scalar atom whose switches are no values of one 1 x 1 value
_NO_BASE: Any = object()
#: the scalar pieces: each switches where its edge (below) is 0
_SCALAR = (sp.Piecewise, sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign)


def _scalar_atom(node: Any) -> Any:
    """``(base, switch values, nonnegative)`` where ``node`` is a piecewise function of a
    number of the formula (``1{sum(W1) < 50}``, abs(x^T x - 1)): the base is that number less
    its constant and scale, as a 1 x 1 matrix (sum(W1), switching at 50), ``nonnegative``
    whether it is never below 0 (then no value <= 0 is a switch); :data:`_NO_BASE` where its edges
    are several such numbers; None where ``node`` is no such piece (an element-wise
    function's body, in its variable t, is not one)."""
    if not isinstance(node, _SCALAR) or getattr(node, "is_Matrix", False):
        return None
    free = node.free_symbols
    if not any(isinstance(s, (sp.MatrixSymbol, MatrixElement)) for s in free):
        return None
    if any(type(s) in (sp.Symbol, sp.Dummy) and not s.is_integer for s in free):
        return None  # a body in t
    if isinstance(node, sp.Piecewise):
        edges = [
            c.lhs - c.rhs for _e, c in node.args if isinstance(c, sp.core.relational.Relational)
        ]
    elif isinstance(node, (sp.Max, sp.Min)):
        edges = [node.args[0] - node.args[1]] if len(node.args) == 2 else []
    else:
        edges = [node.args[0]]
    base, values = None, set()
    for edge in edges:
        # the numbers may be irrational: norm2(W) > sqrt(0.5) has the edge norm2(W) - sqrt(2)/2
        # (det(X) has no entry of X among its atoms, but X among its free symbols)
        elements = edge.atoms(MatrixElement) | {
            m for m in edge.free_symbols if isinstance(m, sp.MatrixSymbol)
        }
        shift, rest = edge.as_independent(*elements, as_Add=True)
        scale, core = rest.as_independent(*elements, as_Add=False)
        if not (_real_number(shift) and _real_number(scale) and scale != 0):
            return _NO_BASE
        if base not in (None, core):
            return _NO_BASE
        base = core
        values.add(-shift / scale)
    if base is None:
        return None
    nonnegative = _nonnegative(base)
    if nonnegative:
        # a norm, a sum of squares or of abs never goes below 0: compared with a number <= 0
        # the piece is constant (its one edge value, 0, is reached only on a null set)
        values = {v for v in values if v > 0}
    return _one_by_one(base), frozenset(values), nonnegative


def _nonnegative(number: Any) -> bool:
    """Whether ``number`` is never negative by SymPy's assumptions, its matrix entries taken
    real (every matrix of a formula is): sum(X ⊙ X), norm1(X), norm2(X)."""
    entries = {e: sp.Dummy(real=True) for e in number.atoms(MatrixElement)}
    return bool(number.xreplace(entries).is_nonnegative)


def _one_by_one(number: Any) -> Any:
    """``number`` as a 1 x 1 matrix the printers show in the formula language: sum(W1), the
    sum of all of a matrix's entries, as the product 1^T W1 1; a sum of a function of each
    entry as the sum of an element-wise value (``sum(X ⊙ X)``, ``sum(abs(X))``) and a power of
    one as an element-wise power (``sqrt(sum(X ⊙ X))``); any other as an explicit matrix."""
    shown = _entrywise_sum(number)
    return shown if shown is not None else sp.ImmutableMatrix([[number]])


def shown_number(base: Any) -> Any:
    """A 1 x 1 explicit base (a number of the formula that is no one sum of entries:
    sum(W ⊙ W) + 0.001 sum(W), written out by SymPy as W[0, 0]**2 + W[0, 0]/1000 + ...) as a
    sum of such sums, each a number times 1^T f(M) 1, for the messages (the printers write
    those in the formula language); else the number times the 1 x 1 identity; ``base``
    itself where it is no 1 x 1 explicit matrix."""
    if not (isinstance(base, sp.ImmutableMatrix) and base.shape == (1, 1)):
        return base
    number = base[0, 0]
    # else the scalar as it stands, a number of matrices (det(X), tr(X X^T), SymPy's index sum
    # of sum(z1) at a symbolic size), which the printers write where they can
    as_it_stands = number * sp.Identity(1)
    if not number.atoms(MatrixElement):
        return as_it_stands
    groups: dict[tuple[Any, Any], set[tuple[Any, Any]]] = {}
    for term in number.args if isinstance(number, sp.Add) else (number,):
        elements = term.atoms(MatrixElement)
        if len(elements) != 1:
            return as_it_stands
        (element,) = elements
        parent, i, j = element.args
        groups.setdefault((parent, term.xreplace({element: T})), set()).add((i, j))
    parts = []
    for (matrix, own), seen in groups.items():
        rows, cols = matrix.shape
        if not (rows.is_Integer and cols.is_Integer) or len(seen) != rows * cols:
            return as_it_stands
        coeff, body = own.as_coeff_Mul()
        if body == T:
            value = matrix
        elif body == T**2:
            value = HadamardProduct(matrix, matrix)
        else:
            value = Elementwise(sp.Lambda(T, body), matrix)
        parts.append(coeff * (sp.OneMatrix(1, rows) * value * sp.OneMatrix(cols, 1)))
    return sp.MatAdd(*parts) if len(parts) > 1 else parts[0]


def _entrywise_sum(number: Any) -> Any:
    """:func:`_one_by_one`'s matrix expression, or None where ``number`` has none."""
    if isinstance(number, sp.Pow) and number.exp.is_Rational:
        inner = _entrywise_sum(number.base)
        if inner is None:
            return None
        return Elementwise(sp.Lambda(T, T**number.exp), inner)
    if isinstance(number, sp.Function) and len(number.args) == 1:
        # exp(sum(W ⊙ W)): the function applied to the sum's 1 x 1 value
        inner = _entrywise_sum(number.args[0])
        if inner is None:
            return None
        return Elementwise(sp.Lambda(T, number.func(T)), inner)
    if isinstance(number, sp.Add):
        found = _sum_of_entries(number)
        if found is None:
            return None
        matrix, body = found
    elif isinstance(number, sp.Sum):
        elements = number.function.atoms(MatrixElement)
        if len(elements) != 1:
            return _written_sum(number)
        (element,) = elements
        matrix, i, j = element.args
        rows, cols = matrix.shape
        # an index over the whole of its dimension, or 0 of a dimension of 1 (a column's j)
        expected = [
            (k, 0, size - 1) for k, size in ((i, rows), (j, cols)) if isinstance(k, sp.Symbol)
        ]
        fixed = [size for k, size in ((i, rows), (j, cols)) if not isinstance(k, sp.Symbol)]
        if [tuple(limit) for limit in number.limits] != expected or any(f != 1 for f in fixed):
            return None
        body = number.function.xreplace({element: T})
    else:
        return None
    rows, cols = matrix.shape
    if body == T:
        value = matrix
    elif body == T**2:
        value = HadamardProduct(matrix, matrix)
    else:
        value = Elementwise(sp.Lambda(T, body), matrix)
    return sp.OneMatrix(1, rows) * value * sp.OneMatrix(cols, 1)


def _written_sum(number: sp.Sum) -> Any:
    """``1^T f(M) 1`` where ``number`` sums f(M)'s entries written out from a matrix expression
    M (``sum(relu(W1 x - 100))``: relu(Sum(W1[i, k] x[k, 0], k) - 100) over i), else None: its
    pieces then switch where W1 x does (review47b: they were read as no atom, and a formula
    wrong only where W1 x > 100 passed)."""
    limits = [tuple(limit) for limit in number.limits]
    if not 1 <= len(limits) <= 2 or any(low != 0 for _k, low, _high in limits):
        return None
    sizes = [(k, high + 1) for k, _low, high in limits]
    one = (sp.Integer(0), sp.Integer(1))
    orders = [sizes, sizes[::-1]] if len(sizes) == 2 else [[sizes[0], one], [one, sizes[0]]]
    for (i, rows), (j, cols) in orders:
        matrix = matrix_of_entry(number.function, (i, j), (rows, cols))
        if matrix is not None:
            return sp.OneMatrix(1, rows) * matrix * sp.OneMatrix(cols, 1)
    return None


def _sum_of_entries(number: sp.Add) -> tuple[Any, sp.Expr] | None:
    """``(matrix, f(T))`` where ``number`` is f(M[i, j]) added over every entry of one
    concrete matrix M, as SymPy writes sum(W ⊙ W) of a 2 x 3 W (W[0, 0]**2 + ... + W[1, 2]**2),
    else None."""
    matrix, body, seen = None, None, set()
    for term in number.args:
        elements = term.atoms(MatrixElement)
        if len(elements) != 1:
            return None
        (element,) = elements
        parent, i, j = element.args
        own = term.xreplace({element: T})
        if (matrix, body) != (None, None) and (parent, own) != (matrix, body):
            return None
        matrix, body = parent, own
        seen.add((i, j))
    if matrix is None or body is None:
        return None
    rows, cols = matrix.shape
    if not (rows.is_Integer and cols.is_Integer) or len(seen) != rows * cols:
        return None
    return matrix, body


def _atom(node: Any) -> tuple[Any, frozenset[Any], frozenset[Any]] | None:
    """``(argument, switch values on it, those of them a root's edge or a pole only)`` where
    ``node`` is a piecewise atom, else None."""
    if isinstance(node, Elementwise):
        kinks = breakpoints(node.body, node.variable)
        roots = _root_edges(node.body, node.variable)
        return node.arg, kinks | roots, roots - kinks
    if isinstance(node, sp.Abs) and getattr(node.args[0], "is_Matrix", False):
        return node.args[0], frozenset({sp.Integer(0)}), frozenset()
    if isinstance(node, HadamardPower) and not (node.exp.is_integer and node.exp.is_nonnegative):
        zero = frozenset({sp.Integer(0)})
        return node.base, zero, zero  # a pole (1/u) or a root's edge at 0
    return None


@functools.lru_cache(maxsize=512)
def _root_edges(body: sp.Expr, variable: sp.Symbol) -> frozenset[Any]:
    """The real points where a root of the scalar function ``body`` has its edge (sqrt(t),
    1/(2 sqrt(t)): 0), as a power with a fractional exponent has at 0 (above): the edge where
    sqrt(u ⊙ u) = abs(u) turns. A model's ``sqrt((w - 20) ⊙ (w - 20))`` is one such
    function, and with no switch there ``-w^0`` passed for its gradient (sign(w - 20)) at
    points that all had w < 20 (review38)."""
    points: set[Any] = set()
    for node in sp.preorder_traversal(body):
        if not isinstance(node, sp.Pow) or variable not in node.base.free_symbols:
            continue
        if node.exp.is_integer is not False:
            continue  # a pole (1/t) stays a pole: a root's edge only
        try:
            # a polynomial base of low degree only: solving any other (a custom activation's
            # sqrt(exp(t) + t)) may not finish, and such an edge is left as before
            poly = sp.Poly(node.base, variable)
            if poly.degree() > MAX_EDGE_DEGREE or not poly.domain.is_Exact:
                continue
            roots = sp.solve(node.base, variable)
        except (NotImplementedError, ValueError, TypeError, sp.PolynomialError):
            continue
        points |= {r for r in roots if r.is_Rational or (r.is_number and r.is_real)}
    return frozenset(points)


#: the highest degree of a polynomial under a root whose zeros are solved for as edges
MAX_EDGE_DEGREE = 4


def to_base(
    arg: Any,
    points: frozenset[Any],
    defs: dict[str, Any],
    depth: int = 0,
    *,
    follow: dict[str, Any] | None = None,
    named: dict[Any, Any] | None = None,
) -> tuple[Any, frozenset[Any], bool] | None:
    """``(base, values, through)``: ``points`` of ``arg`` as values of its base, ``through``
    where the way there passes an element-wise function (sigmoid(z1), a1 = relu(z1)); None
    where ``arg`` is not a known function of one base. ``follow``: further names taken to
    their definition (``defs``' too); ``named``: a plain value -> the name defined as it."""
    if depth > 20:
        return None
    if not points:
        return arg, points, False
    more = {"follow": follow, "named": named}
    if isinstance(arg, sp.MatrixSymbol):
        inner = defs.get(str(arg.name))
        if inner is None and follow:
            inner = follow.get(str(arg.name))
        if inner is None:
            return arg, points, False
        return to_base(inner, points, defs, depth + 1, **more)
    if isinstance(arg, sp.Transpose):
        return to_base(arg.arg, points, defs, depth + 1, **more)  # the same values, transposed
    affine = affine_parts(arg)
    # a shift by a leaf (z1 + b1/1000) moves each entry's switch differently: such an
    # argument is its own base here (the kinks place points near it: check/kinks.py)
    if affine is not None and affine[3] == 0:
        base, scale, shift, _spread = affine
        moved = frozenset((p - shift) / scale for p in points)
        return to_base(base, moved, defs, depth + 1, **more)
    scalar = _scalar(arg)
    if scalar is not None:
        body, inner = scalar
        # z1 ⊙ z1 = 3 at z1 = -sqrt(3) and sqrt(3), abs(u) = 3/2 at u = -3/2 and 3/2: every
        # preimage is a switch of the inner value. (As its own base, z1 ⊙ z1 was cut at
        # z1's switches, values of another variable: review14 R12.)
        solved = _preimages(body, points)
        if solved is None:
            return None
        found = to_base(inner, solved, defs, depth + 1, **more)
        if found is not None and found[1] == solved and _even(body):
            # an even function of a base (abs(w), u ⊙ u) switches where abs of it does: the
            # base abs(w), its switches >= 0, is reached on either side of w, where w alone
            # may be reached beyond 100 only (a sigmoid saturates below -100); a base that
            # some other atom switches on too (relu'(u)) takes these (switches.py's merge)
            nonnegative = frozenset(v for v in solved if bool(v >= 0))
            found = (Elementwise(sp.Lambda(T, sp.Abs(T)), found[0]), nonnegative, found[2])
        # relu, abs, powers: the exact check's tables compute them; sigmoid(z1) is random there
        return found if tame(body) else _through(found)
    if _plain(arg, defs):
        # W X, x ⊙ w: its own base, searched as a whole; W1 x + b1 is the name z1 stands for
        return (named or {}).get(arg, arg), points, False
    if _plain(arg, {}) and _names_only_in_products(arg, defs):
        # W2 a1 + b2 with a1 = relu(z1): a line through W2 or b2 moves it as it moves W X, so
        # it is its own base; through a1 it is a function the exact tables draw at random
        return arg, points, True
    return None


def _is_abs(base: Any) -> bool:
    """Whether ``base`` is abs of a matrix, element-wise (never below 0)."""
    return isinstance(base, Elementwise) and base.body == sp.Abs(base.variable)


def _scalar_body(node: Elementwise) -> sp.Expr:
    """An element-wise node's function, written out, in :data:`_T`."""
    return _explicit(node.body.xreplace({node.variable: _T}))


#: positive t where f(-t) - f(t) is evaluated before SymPy's simplify is asked: every odd or
#: one-sided function met (relu, 1{t > 5/4}, t^3) differs at one of them
_PROBES = tuple(
    sp.Rational(p, q)
    for p, q in ((1, 7), (1, 3), (3, 4), (3, 2), (13, 5), (11, 2), (31, 3), (101, 4))
)


@functools.lru_cache(maxsize=1024)
def _even(body: sp.Expr) -> bool:
    """Whether f(-t) = f(t) for the function ``body`` in :data:`_T` (abs, t^2)."""
    try:
        difference = body.xreplace({_T: -_T}) - body
        # a difference surely not 0 at a number (30 digits, far above rounding) is no even
        # function: simplify, a second per piecewise body, only where none is found
        if any(_surely_nonzero(difference.xreplace({_T: p})) for p in _PROBES):
            return False
        return bool(sp.simplify(difference) == 0)
    except (TypeError, ValueError, NotImplementedError):
        return False


def _surely_nonzero(number: Any) -> bool:
    """Whether ``number`` (an expression without symbols) is certainly not 0: its value to 30
    digits is a real or complex number above 1e-10 in size."""
    try:
        value = complex(sp.N(number, 30))
    except (TypeError, ValueError, ArithmeticError):
        return False
    return value == value and abs(value) > 1e-10


def _relation(value: Any) -> bool:
    """Whether a name defined as ``value`` is followed to its base: an affine map of one value
    (_t2 = W x - 1/2: its switch 0 is W x = 1/2) or a power of one (_t1 = u ⊙ u)."""
    if not getattr(value, "is_Matrix", False):
        return False
    found = affine_parts(value)
    return (found is not None and found[3] == 0) or _scalar(value) is not None


def _named(value: Any) -> bool:
    """Whether ``value`` is a plain matrix value a base written out may equal (W1 x + b1)."""
    return bool(getattr(value, "is_Matrix", False)) and not isinstance(value, sp.MatrixSymbol)


def _nonnegative_matrix(base: Any) -> bool:
    """:func:`_nonnegative` of a 1 x 1 matrix value's one entry (False where it has none)."""
    try:
        entry = base.doit().as_explicit()[0, 0] if base.shape == (1, 1) else None
    except (TypeError, ValueError, IndexError, AttributeError, NotImplementedError):
        return False
    return entry is not None and _nonnegative(entry)


def _names_only_in_products(arg: Any, defs: dict[str, Any]) -> bool:
    """Every name of ``defs`` in ``arg`` is a factor of a matrix product (W2 a1), none stands
    alone in a sum or an element-wise operation."""
    named = [n for n in sp.preorder_traversal(arg) if isinstance(n, sp.MatrixSymbol)]
    total = sum(1 for n in named if str(n.name) in defs)
    in_products = sum(
        1
        for node in sp.preorder_traversal(arg)
        if isinstance(node, sp.MatMul)
        for factor in node.args
        if isinstance(factor, sp.MatrixSymbol) and str(factor.name) in defs
    )
    return total > 0 and total == in_products


#: functions with rational pieces: the exact check's tables compute them exactly, and a huge
#: argument does not overflow them (the pieces of an indicator, relu, abs)
TAME = (sp.Piecewise, sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside)


def tame(body: Any) -> bool:
    """Only rational functions and :data:`TAME` in ``body`` (no exp to overflow)."""
    return all(isinstance(f, TAME) for f in body.atoms(sp.Function))


def _through(
    found: tuple[Any, frozenset[Any], bool] | None,
) -> tuple[Any, frozenset[Any], bool] | None:
    return None if found is None else (found[0], found[1], True)


def _scalar(arg: Any) -> tuple[sp.Expr, Any] | None:
    """``(f(t), inner)`` where ``arg`` is f applied entry-wise to the matrix ``inner``."""
    if isinstance(arg, Elementwise):
        return _explicit(arg.body.xreplace({arg.variable: _T})), arg.arg
    if isinstance(arg, HadamardPower) and arg.exp.is_number and arg.exp.is_real:
        return _T**arg.exp, arg.base
    if isinstance(arg, HadamardProduct) and len(set(arg.args)) == 1:
        return _T ** len(arg.args), arg.args[0]
    if isinstance(arg, sp.MatAdd):
        return _sum_of_functions(arg)
    return None


def _sum_of_functions(arg: sp.MatAdd) -> tuple[sp.Expr, Any] | None:
    """``(f(t), inner)`` where ``arg`` adds element-wise functions of one matrix ``inner``
    (or of an affine map of it), ``inner`` itself and numbers times ones, with at least one
    function: abs(z1) + z1 is f(z1) with f(t) = abs(t) + t, abs(z1 - 1) + 2 z1 has
    f(t) = abs(t - 1) + 2 t; else None."""
    body: Any = sp.Integer(0)
    inner, functions = None, 0
    for term in arg.args:
        coeff, core = _numeric_factor(term)
        if _ones(core):
            body += coeff
            continue
        found = _scalar(core)
        if isinstance(core, sp.Abs) and getattr(core.args[0], "is_Matrix", False):
            found = (sp.Abs(_T), core.args[0])
        own, at = (_T, core) if found is None else found
        functions += found is not None
        affine = affine_parts(at)
        if affine is not None and affine[3] == 0:
            base, scale, shift, _spread = affine
            own, at = own.xreplace({_T: scale * _T + shift}), base
        if inner not in (None, at):
            return None
        inner = at
        body += coeff * own
    if not functions or inner is None:
        return None
    return body, inner


def _numeric_factor(term: Any) -> tuple[Any, Any]:
    """``(c, core)`` where ``term`` is a real number c times ``core`` (c = 1 where none)."""
    if isinstance(term, sp.MatMul) and term.args and _real_number(term.args[0]):
        return term.args[0], sp.MatMul(*term.args[1:]).doit()
    return sp.Integer(1), term


def _ones(core: Any) -> bool:
    """A matrix of ones (a 1 x 1 model value's shift is SymPy's Identity(1), which is one)."""
    return isinstance(core, sp.OneMatrix) or (
        isinstance(core, sp.Identity) and core.shape == (1, 1)
    )


def _explicit(body: sp.Expr) -> sp.Expr:
    """``body`` with every activation written out (softplus as log(1 + exp(t)))."""
    out = body.replace(lambda n: isinstance(n, ActivationFunction), lambda n: n.written_out())
    return out.replace(sigmoid, lambda u: 1 / (1 + sp.exp(-u)))


def _plain(arg: Any, defs: dict[str, Any]) -> bool:
    """No element-wise function (nor a name for one), absolute value or non-natural power
    inside ``arg``."""
    if isinstance(arg, sp.Abs):
        return _plain(arg.args[0], defs)
    for node in sp.preorder_traversal(arg):
        if isinstance(node, sp.MatrixSymbol) and str(node.name) in defs:
            return False
        if isinstance(node, (Elementwise, sp.Abs)):
            return False
        if isinstance(node, HadamardPower) and not (
            node.exp.is_integer and node.exp.is_nonnegative
        ):
            return False
    return True


def _preimages(body: sp.Expr, points: frozenset[Any]) -> frozenset[Any] | None:
    """Every real t where ``body`` (in :data:`_T`) equals one of ``points``, and where it
    switches itself (relu's 0 is where relu(t) > c starts for c = 0); None where SymPy cannot
    solve it."""
    out: set[Any] = set(breakpoints(body, _T))
    for point in points:
        solved = _solve(body, point)
        if solved is None:
            return None
        out |= solved
    return frozenset(out)


@functools.lru_cache(maxsize=512)
def _solve(body: sp.Expr, value: Any) -> frozenset[Any] | None:
    if sp.count_ops(body) > MAX_OPS:
        return None  # a custom activation's long formula: SymPy's solver may not come back
    try:
        found = sp.solveset(sp.Eq(body, value), _T, sp.Reals)
    except (NotImplementedError, ValueError, TypeError):
        return None
    # finite sets and intervals only: a periodic function's solutions (sin(t) = -1/2) are a
    # union of infinitely many image sets, whose boundary SymPy cannot list
    pieces = found.args if isinstance(found, sp.Union) else (found,)
    values = []
    for piece in pieces:
        if isinstance(piece, sp.FiniteSet):
            values.extend(piece)
        elif isinstance(piece, sp.Interval):
            values.extend((piece.start, piece.end))
        elif piece != sp.S.EmptySet:
            return None
    out = set()
    for v in values:
        if v in (sp.oo, -sp.oo):
            continue
        if not (getattr(v, "is_number", False) and v.is_real):
            return None
        out.add(sp.nsimplify(v) if v.is_Float else v)
    return frozenset(out)


def affine_parts(arg: Any) -> tuple[Any, Any, Any, Any] | None:
    """``(base, scale, shift, spread)`` where ``arg`` is scale * base + shift * 1 (real
    numeric scale and shift: 2, sqrt(2), log(2); shift or scale not the identity), else None:
    z1 + 1, 2 z1 + 1, 2 z1, sqrt(2) z1, z1 + log(2). The base is every term that is not a
    number times ones: W1 x + b1 - 1/100 is W1 x + b1 (a sum) shifted by -1/100, so that its
    switch lands on W1 x + b1, and through the bases of one shape on z1. ``spread`` is
    |c / scale| where ``arg`` also adds c times a leaf of base's shape with |c| < |scale|
    (z1 + b1/1000: 1/1000), else 0: that shift moves each entry's kink by c / scale times the
    leaf's entry, a drawn value of size about 1."""
    terms = list(arg.args) if isinstance(arg, sp.MatAdd) else [arg]
    shift, rest = sp.Integer(0), []
    for term in terms:
        coeff, core = _numeric_factor(term)
        if _ones(core):
            shift += coeff
        else:
            rest.append((coeff, core))
    spread = sp.Integer(0)
    if len(rest) == 2 and all(coeff.is_Rational for coeff, _core in rest):
        (scale, base), (small, leaf) = sorted(rest, key=lambda term: -abs(term[0]))
        leafy = isinstance(leaf, sp.MatrixSymbol) and leaf.shape == base.shape
        if leafy and 0 < abs(small) < abs(scale):
            rest, spread = [(scale, base)], abs(small / scale)
    if not rest or any(coeff == 0 for coeff, _core in rest):
        return None
    scale = rest[0][0]
    if all(coeff == scale for coeff, _core in rest):
        # 2 W1 x + 2 b1 - 1: the one scale out, base W1 x + b1
        cores = [core for _coeff, core in rest]
    else:
        scale, cores = sp.Integer(1), [coeff * core for coeff, core in rest]
    base = cores[0] if len(cores) == 1 else sp.MatAdd(*cores).doit()
    if scale == 1 and shift == 0 and spread == 0:
        return None
    if isinstance(base, sp.OneMatrix) or not getattr(base, "is_Matrix", False):
        return None
    return base, scale, shift, spread


def _real_number(value: Any) -> bool:
    """A finite real number SymPy knows as one (2, 1/100, sqrt(2), log(2)), no symbol."""
    return bool(
        isinstance(value, sp.Expr)
        and value.is_number
        and value.is_extended_real
        and value.is_finite
    )
