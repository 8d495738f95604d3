"""When the exact comparison of a formula decides "not equal" on its own.

The exact comparison reads every transcendental function as a table of random rationals
(:mod:`symbackprop.check.interpret`). Equal there means equal everywhere. A difference there
means a difference in truth only where the tables forget no relation the true functions have:
``softplus'(z)`` and ``sigmoid(z)`` are one value drawn twice, ``sqrt(u)^2`` is ``u``,
``sigmoid(-z)`` is ``1 - sigmoid(z)``. Such a difference is confirmed with the true functions,
whose comparison sees only the first :data:`~.numeric.AGREED_DIGITS` digits; a formula off by a
relative 1e-40 passed it. So where no forgotten relation can matter, the exact difference is the
verdict:

* every transcendental value the formula applies is one the derivation applies itself, at the
  same argument (``sigmoid'(z1)`` where a1 = sigmoid(z1); not ``exp(z1)``, ``sigmoid(-z1)``,
  ``sqrt(a1)``), so both sides are rational functions of the same table values; and
* the tables forget no relation between those values of the derivation's: what each table
  keeps of its true function is said beside the tables
  (:func:`~symbackprop.check.interpret.tables_independent`: no roots, no custom activation,
  no two tables at one argument).

Where the derivation's values as a whole relate (softplus(z) in the forward pass, its
derivative sigmoid(z) in the gradient: two tables at one argument), the same test is made
again on both sides written out in the leaves (:func:`written_out`): the formula against the
gradient alone, so that a relation between a forward value and the gradient's, which neither
side reads, does not hide a difference.

Relations between values at arguments that are not equal as expressions (exp(z) and exp(2 z)
in one model) are not looked for; a model that writes both is not a plausible one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy as sp
from sympy import Transpose
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.hadamard import HadamardPower

from symbackprop.check.exact import NotRationalError
from symbackprop.check.interpret import (
    TableKey,
    activation_records,
    drawn_table,
    tables_independent,
)
from symbackprop.core.substitute import substituted_within
from symbackprop.records.activations import Activation
from symbackprop.records.nodes import Softmax

#: one transcendental value: (its table, its argument in the element-wise variable, the matrix
#: it is applied to (None for a scalar)); the table is ("g", name), ("exp",), ("root", b), ...
Key = tuple[TableKey, Any, Any]
#: the element-wise variable every key is written in
_VAR = sp.Dummy("u")


def exact_decides(
    formula: Any,
    derivation_exprs: Iterable[Any],
    custom: list[Activation],
    written: tuple[Any, Any] | None = None,
) -> bool:
    """True when an exact difference of ``formula`` from a gradient built of
    ``derivation_exprs`` (forward values, deltas, gradients) is a difference in truth.

    ``written``: the formula and the gradient written out in the leaves
    (:func:`written_out`); where the derivation's values as a whole relate, the formula's
    values must then be the written-out gradient's, and those forget no relation."""
    records = activation_records({act.name: act for act in custom})
    names = {act.name for act in custom}
    known: set[Key] = set()
    for expr in derivation_exprs:
        known |= applications(expr, records)
    if written is None or any(expr is None for expr in written):
        # the switches cannot be compared in the leaves: decided only where none reads a table
        switches = switch_reads(formula, records).union(
            *(switch_reads(expr, records) for expr in derivation_exprs)
        )
        if any(switches):
            return False
    elif not _switches_agree(*written, records):
        return False
    if applications(formula, records) <= known and tables_independent(known, names):
        return True
    if written is None or any(expr is None for expr in written):
        return False
    mine, truth = (applications(expr, records) for expr in written)
    # g(z^T) written out is g applied to z's transpose multiplied out (X^T w + 1 c^T for
    # w^T X + c 1^T): the same values
    seen = truth | {(key, inner, _transposed(at)) for key, inner, at in truth}
    return mine <= seen and tables_independent(truth, names)


def _switches_agree(mine: Any, truth: Any, records: dict[type, Activation]) -> bool:
    """Whether the switches of the formula ``mine`` read what the gradient's read (both
    written out in the leaves), where some switch reads a table value: a table forgets the
    order of its values, so ``1{u > log(2)}`` and the gradient's ``1{exp(u) - 2 > 0}`` agree
    in truth and not in the tables (hostile16 #3)."""
    yours, its = switch_reads(mine, records), switch_reads(truth, records)
    return not any(yours | its) or yours <= its


#: SymPy's nodes that switch between pieces at some value of their argument
_SWITCHES = (sp.Piecewise, sp.Heaviside, sp.sign, sp.Abs, sp.Max, sp.Min)


def switch_reads(expr: Any, records: dict[type, Activation]) -> set[frozenset[Key]]:
    """For each switch in ``expr`` (a piecewise function, abs, sign, max, min, or an activation
    whose formula has one: relu), the transcendental values its argument reads."""
    found: set[frozenset[Key]] = set()
    _switches(expr, records, found, None, None)
    return found


def _switches(
    node: Any, records: dict[type, Activation], found: set[frozenset[Key]], var: Any, at: Any
) -> None:
    if isinstance(node, ElementwiseApplyFunction):
        lam, arg = node.args
        _switches(arg, records, found, var, at)
        body = lam.expr.xreplace({lam.variables[0]: _VAR})
        inner = arg.arg if isinstance(arg, Transpose) else arg
        _switches(body, records, found, _VAR, inner)
        return
    record = records.get(type(node))
    if isinstance(node, _SWITCHES) or (
        record is not None and record.formula is not None and record.formula.has(*_SWITCHES)
    ):
        reads: set[Key] = set()
        for child in node.args:
            if isinstance(child, sp.Basic):
                _walk(child, records, reads, var, at)
        if at is not None and node.has(var):  # its argument reads the matrix it is applied to
            reads |= applications(at, records)
        found.add(frozenset(reads))
    for child in node.args:
        if isinstance(child, sp.Basic) and not isinstance(child, sp.Lambda):
            _switches(child, records, found, var, at)


def _transposed(at: Any) -> Any:
    return at if at is None else Transpose(at).doit()


#: how deep definitions are written into each other (a value defined through 50 others is
#: not a plausible model; the test then stays undecided, and the numeric verdict stands)
_DEPTH = 50


def written_out(expr: Any, definitions: dict[Any, Any]) -> Any:
    """``expr`` with every defined name (a1 -> tanh(z1), an adjoint -> its step) replaced by
    its definition until only leaves remain; None where names are defined through more than
    :data:`_DEPTH` - 1 others (or through themselves), or where SymPy could not size the
    result in reasonable time (:func:`~symbackprop.core.substitute.shape_work`).

    Each definition is written out once, its names first (memoized, no recursion: a chain of
    1,000 equations), and ``expr`` is written out in one ``xreplace``: a round of ``xreplace``
    per level re-walked the growing expression at every level (hostile15 #7: a 100-step tanh
    chain took a minute).
    """
    done: dict[Any, tuple[Any, int]] = {}  # name -> (written out, levels of names in it)
    entered: set[Any] = set()
    names = _names_in(expr, definitions)
    stack = list(names)
    while stack:
        name = stack[-1]
        if name in done:
            stack.pop()
            continue
        inner = _names_in(definitions[name], definitions)
        waiting = [other for other in inner if other not in done]
        if waiting:
            if name in entered:  # its names were resolved first: a cycle
                return None
            entered.add(name)
            stack.extend(waiting)
            continue
        levels = 1 + max((done[other][1] for other in inner), default=0)
        if levels >= _DEPTH:
            return None
        value = substituted_within(definitions[name], {other: done[other][0] for other in inner})
        if value is None:
            return None  # SymPy could not size it in reasonable time (hostile27 #3)
        done[name] = (value, levels)
        stack.pop()
    if not names:
        return expr
    return substituted_within(expr, {name: done[name][0] for name in names})


def _names_in(expr: Any, definitions: dict[Any, Any]) -> list[Any]:
    """The defined names ``expr`` uses, each once."""
    return list(dict.fromkeys(n for n in sp.preorder_traversal(expr) if n in definitions))


def applications(expr: Any, records: dict[type, Activation]) -> set[Key]:
    """The transcendental values ``expr`` applies (activations evaluated exactly, such as relu,
    are rational and left out; g' counts as g at the same argument)."""
    found: set[Key] = set()
    _walk(expr, records, found, None, None)
    return found


def _walk(node: Any, records: dict[type, Activation], found: set[Key], var: Any, at: Any) -> None:
    if isinstance(node, sp.Expr) and not getattr(node, "is_Matrix", False) and node.is_number:
        return  # a constant (exp(-100)): its exact value, no table
    if isinstance(node, ElementwiseApplyFunction):
        lam, arg = node.args
        _walk(arg, records, found, var, at)
        body = lam.expr.xreplace({lam.variables[0]: _VAR})
        # g(z1^T) is g(z1)^T: the same values (SymPy moves a transpose inside)
        _walk(body, records, found, _VAR, arg.arg if isinstance(arg, Transpose) else arg)
        return
    if isinstance(node, Softmax):  # evaluated from the exp table at every entry
        arg = node.args[0]
        found.add((("exp",), _VAR, arg.arg if isinstance(arg, Transpose) else arg))
        _walk(node.args[0], records, found, var, at)
        return
    if isinstance(node, HadamardPower):
        base, exponent = node.args
        # a fraction is a root's table; a size (A ^ (m + 1)) is an integer at every point
        if exponent.is_Rational and not exponent.is_Integer:
            found.add((("root", int(exponent.q)), _VAR, base))
        _walk(base, records, found, var, at)
        return
    kind = drawn_table(node, records)
    if kind is not None:
        found.add((kind, node.args[0], at))
    elif isinstance(node, sp.Function) and any(getattr(a, "is_Matrix", False) for a in node.args):
        found.add(((type(node).__name__,), node.args, None))  # softmax(z2), logdet(X)
    for child in node.args:
        if isinstance(child, sp.Basic) and not isinstance(child, sp.Lambda):
            _walk(child, records, found, var, at)


def entries_differ(yours: Any, truth: Any) -> bool:
    """Whether two entries of the exact comparison differ. Rationals compare by value; an entry
    with an exact constant of the formula (``exp(-100)`` is kept, not drawn) differs where
    SymPy evaluates the difference to nonzero digits (``evalf`` with ``strict``: its digits
    are right). A difference that cancels to no digits (``log(8)/log(2) - 3``) decides
    nothing: :class:`~symbackprop.check.exact.NotRationalError`, and the true functions
    compare instead."""
    if yours == truth:
        return False
    if getattr(yours, "is_Rational", False) and getattr(truth, "is_Rational", False):
        return True
    try:
        gap = (yours - truth).evalf(30, strict=True)  # SymPy entries: no sympify needed
    except (sp.core.evalf.PrecisionExhausted, TypeError, ValueError):
        gap = None
    if gap is None or not gap.is_Number or gap == 0:
        raise NotRationalError(f"the exact difference {yours - truth} has no digits to decide")
    return True


def numeric_only_note(digits: int) -> str:
    """The note of a verdict "equal" that only the true functions gave: the tables saw a
    difference that a relation between the formula's functions may explain, or one below what
    ``digits`` digits see."""
    return (
        "the exact comparison (each function a table of random rationals) differs, and does "
        "not decide here: a table forgets how function values relate, so a formula that "
        "writes a value with other functions or at other arguments than the derivation "
        "(sigmoid(-z) for 1 - sigmoid(z), softplus'(z) for sigmoid(z), 1{u > log(2)} for "
        "1{exp(u) > 2}) differs there too, and only the true functions can tell; they agree "
        f"to {digits} digits at the points compared, so a relative difference below "
        f"1e-{digits} would not be seen, nor one confined to a region no point reached (a "
        "smooth step far from them)"
    )


def not_rational_note(digits: int) -> str:
    """The note of a verdict "equal" where the exact comparison could not run: the formula has
    a value no rational holds (a log of a constant, log(1 + exp(-100)), hostile22; an exp of a
    value, exp(z3), hostile33b #4), so only the true functions compared it."""
    return (
        "the formula has values no rational holds (a function the exact comparison computes "
        "as it is, not as a table of random rationals: exp(z3) of a drawn z3, log(1 + "
        "exp(-100))), so only the true "
        f"functions compared it: they agree to {digits} digits at the points compared, and a "
        f"relative difference below 1e-{digits} would not be seen"
    )
