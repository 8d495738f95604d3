"""Where a model itself has no value: the sides of a formula's edge that need no comparison.

A formula with a pole or a root's edge (``1 / s``, ``A^T (1 / (b - A x))``) is compared on
both sides of it (:mod:`.crossings`); where one side is one on which the model's own log,
root or fractional power has no real value (``J = sum(log(s))``: s below 0; ``log(v + 1)``: v
below -1), the model has no gradient there to compare with, and the formula was "cannot
decide" for want of points no search can find (hostile45c #2: a Gaussian likelihood's, a log
barrier's, 1 / s of log(s)). Such a side is known here from the model's equations, not from
points: its argument is the argument of the model's own function (or an affine function of
it, v + 1 of v), on the side of that function's edge where it has no real value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import sympy as sp
from sympy import HadamardPower

from symbackprop.check.kinks import Region
from symbackprop.check.switches import affine_parts
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.records.nodes import Elementwise

#: the most definitions substituted into one argument (a deep model's chain stays bounded)
_MAX_SUBSTITUTIONS = 200
#: the negative arguments a function must have no real value at to count as having none
#: below 0 (log(z), sqrt(z); not 1 / (z + 1), whose pole at -1 is no such edge)
_NEGATIVE = (sp.Integer(-1), sp.Rational(-1, 3), sp.Rational(-7, 2), sp.Integer(-100))


def outside_domain(
    derivation: ModelDerivation, region: Region, show: Callable[[Any], str]
) -> str | None:
    """Why every point of ``region`` is one where the model has no value ("log(s) has no
    real value there"), or None where that is not known from its equations."""
    if region.joint is not None:
        return None
    # a region's argument may be one of the model's values (NMF's W H is its _t1)
    arg = _in_leaves(region.arg, dict(derivation.graph.forward))
    for part, argument in _own_domain_parts(derivation):
        edge = _edge_of(argument, arg)
        if edge is None:
            continue
        at, rising = edge
        # every value of region.arg in (low, high) puts the argument below 0 in that entry
        if (rising and bool(region.high <= at)) or (not rising and bool(region.low >= at)):
            return f"the model's {show(part)} has no real value there"
    return None


def _own_domain_parts(derivation: ModelDerivation) -> Iterator[tuple[Any, Any]]:
    """Each element-wise function of the model's forward values that has no real value at a
    negative argument (a log, a root, a fractional power), with that argument written in the
    leaves (the model's internal values substituted)."""
    forward = dict(derivation.graph.forward)
    for expr in forward.values():
        for node in sp.preorder_traversal(expr):
            if isinstance(node, Elementwise) and all(
                node.body.subs(node.variable, at).is_extended_real is False for at in _NEGATIVE
            ):
                yield node, _in_leaves(node.arg, forward)
            elif isinstance(node, HadamardPower) and node.exp.is_integer is False:
                yield node, _in_leaves(node.base, forward)


def _in_leaves(expr: Any, forward: dict[str, Any]) -> Any:
    """``expr`` with every internal value of the model's (``_t2``) replaced by what it is."""
    for _ in range(_MAX_SUBSTITUTIONS):
        inner = {
            symbol: forward[symbol.name]
            for symbol in expr.atoms(sp.MatrixSymbol)
            if symbol.name in forward
        }
        if not inner:
            return expr
        expr = expr.xreplace(inner)
    return expr


def _edge_of(argument: Any, arg: Any) -> tuple[Any, bool] | None:
    """Where ``argument`` (a function's) is 0 as a value of ``arg`` (a region's), and whether
    it rises with ``arg``: ``(0, True)`` where they are the same value, ``(-1, True)`` for v
    + 1 of v; None where ``argument`` is no such function of ``arg``."""
    # flattened as SymPy's doit does: -(A x) + b substituted is -1 (A x), the region's -1 A x
    argument, arg = argument.doit(), arg.doit()
    if argument == arg:
        return sp.Integer(0), True
    found = affine_parts(argument)
    if found is None:
        return None
    base, scale, shift, spread = found
    if base != arg or spread != 0 or not (scale.is_real and scale != 0):
        return None
    return -shift / scale, bool(scale > 0)
