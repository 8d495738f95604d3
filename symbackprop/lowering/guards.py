"""Where-branches with a pole, a root or an exponential, evaluated at a safe argument where
they are not taken.

Every backend prints a piecewise function as ``where(cond, value, otherwise)``, which
evaluates every branch on every entry: a branch with a pole or a root (sqrt's 1/(2 sqrt(t))
for t > 0) would divide by zero or take the root of a negative number where it is not taken
(a warning in NumPy, an inf or NaN that reaches a gradient through a product). The plans
decide, here and for every backend at once, which argument such a branch reads instead:
its ``t`` becomes ``SafeArgument(t, cond, c)`` (printed ``where(cond, t, c)``) with a
number c where ``cond`` holds and the branch is finite (SymPy decides both), so the taken
entries are unchanged. A plan holds the result as a table (:func:`safe_forms`): each scalar
form a printer reads (an activation's formula or derivative, a function's body) -> its
guarded form, for the forms that have a guarded one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sympy as sp

from symbackprop.records.activations import Activation
from symbackprop.records.nodes import Elementwise


class SafeArgument(sp.Function):  # type: ignore[misc]  # SymPy ships no type information
    """``SafeArgument(t, cond, c)``: t where ``cond`` holds, else the number c; every backend
    prints it ``where(cond, t, c)``. A function of its own, not a Piecewise: SymPy would
    distribute a power over a Piecewise (``Piecewise((t, cond), (1, True))**(-1/2)`` becomes
    ``Piecewise((t**(-1/2), cond), (1, True))``), which evaluates the pole again."""

    nargs = 3
    is_real = True

    @classmethod
    def eval(cls, t: Any, cond: Any, c: Any) -> Any:
        """Its value once ``cond`` is decided (at a number); else it stays as it is."""
        if cond is sp.true:
            return t
        if cond is sp.false:
            return c
        return None


#: the numbers tried as the safe argument, in order
SAFE_ARGUMENTS = (sp.Integer(1), sp.Integer(-1), sp.Integer(2), sp.Integer(-2))


def guarded(expr: Any) -> Any:
    """``expr`` (a scalar form) with each piecewise branch that may be undefined reading its
    argument only where it is taken.

    A sum of pieces times indicators (ELU as ``z 1{z > 0} + (e^z - 1) 1{z <= 0}``) is folded
    into one piecewise function first: printed as it stands, the untaken piece was multiplied
    by 0, and e^z = inf at z = 710 (12 in float16) made the cost NaN (hostile39b #1)."""
    if not expr.has(sp.Piecewise):
        return expr
    pieces = expr.atoms(sp.Piecewise)
    if len(pieces) <= MAX_FOLDED and any(_partial(p) for p in _terms(expr)):
        # only where a piece needs its guard, and a few at most: a sum of k indicator terms
        # folds into up to 2^k nested branches (8 would not compile: review39 #1)
        expr = sp.piecewise_fold(expr)
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), _guarded_piecewise)


#: the most piecewise atoms a form is folded with (2^4 branches at most)
MAX_FOLDED = 4


def _terms(expr: Any) -> list[Any]:
    """The terms of a sum (``expr`` itself where it is none): ELU's ``(e^z - 1) 1{z <= 0}``."""
    return list(expr.args) if isinstance(expr, sp.Add) else [expr]


def _guarded_piecewise(expr: sp.Piecewise) -> Any:
    pairs = []
    before: list[Any] = []  # a branch is taken where no earlier condition holds
    for value, cond in expr.args:
        taken = sp.And(cond, *(sp.Not(c) for c in before))
        pairs.append((_guarded(value, taken), cond))
        before.append(cond)
    return sp.Piecewise(*pairs, evaluate=False)


def _guarded(value: Any, cond: Any) -> Any:
    if cond == sp.true or not _partial(value) or len(cond.free_symbols) != 1:
        return value
    (t,) = cond.free_symbols
    for c in SAFE_ARGUMENTS:
        if cond.xreplace({t: c}) is sp.true and value.xreplace({t: c}).is_finite:
            return value.xreplace({t: SafeArgument(t, cond, c)})
    return value


#: functions whose value overflows to inf for large arguments: an untaken branch reading
#: them there (ELU's e^z - 1 where z > 700) is inf, and inf times a 0 is NaN
_GROWING = (sp.exp, sp.sinh, sp.cosh)


def _partial(expr: Any) -> bool:
    """Whether ``expr`` may be undefined or overflow somewhere: a negative or fractional power,
    a log, an exponential."""
    return any(
        isinstance(e, (sp.log, *_GROWING))
        or (isinstance(e, sp.Pow) and not (e.exp.is_Integer and e.exp > 0))
        for e in sp.preorder_traversal(expr)
    )


def printed_forms(
    exprs: Iterable[Any], activations: Mapping[str, Activation], used: Iterable[str] = ()
) -> list[Any]:
    """The scalar forms a printer reads to print ``exprs`` (matrix expressions): each
    element-wise function's body, the formula and derivative of each activation applied or
    differentiated there, and the formula of each activation named in ``used``."""
    out: list[Any] = []
    names = set(used)
    for expr in exprs:
        for e in expr.atoms(Elementwise):
            out.append(e.body)
            if e.activation_name is not None:
                names.add(str(e.activation_name))
            if e.derivative_name is not None:
                act = activations[str(e.derivative_name)]
                out.append(act.derivative)
    for name in sorted(names):
        formula = activations[name].formula
        if formula is not None:
            out.append(formula)
    return out


def safe_forms(forms: Iterable[Any]) -> dict[Any, Any]:
    """Each form of ``forms`` that has a guarded form -> that form (see the module)."""
    out = {}
    for form in forms:
        if form not in out:
            safe = guarded(form)
            if safe != form:
                out[form] = safe
    return out
