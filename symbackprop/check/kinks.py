"""Where an element-wise piece of a formula or a gradient changes, and values on either side.

Random points seldom land between two nearby kinks: ``1{z1 > 1/10}`` written for relu'
(``1{z1 > 0}``) differs only for 0 < z1 < 1/10. :func:`kinks` collects the rational points
where an element-wise function of either expression has a kink, a jump or a pole (indicators,
``abs``, ``sign``, ``max``, relu and the other activations' pieces, Piecewise conditions, a
negative power), and :func:`straddling` gives one value in every interval between them and one
beyond each end; the formula checker places the pre-activations there.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import HadamardPower

from symbackprop.check.interpret import breakpoints
from symbackprop.records.nodes import Elementwise


def kinks(*exprs: Any) -> frozenset[sp.Rational]:
    """The rational points where an element-wise piece of any of ``exprs`` changes."""
    points: set[sp.Rational] = set()
    for expr in exprs:
        for node in sp.preorder_traversal(expr):
            if isinstance(node, Elementwise):
                points |= breakpoints(node.body, node.variable)
            elif isinstance(node, sp.Abs) and getattr(node.args[0], "is_Matrix", False):
                points.add(sp.Integer(0))
            elif isinstance(node, HadamardPower) and not (
                node.exp.is_integer and node.exp.is_nonnegative
            ):
                points.add(sp.Integer(0))  # a pole (1/z) or a root's edge at 0
    return frozenset(points)


def straddling(points: frozenset[sp.Rational]) -> list[sp.Rational]:
    """One value below the smallest point, one in every gap (a third of the way, or two
    thirds where that is 0), one above the largest; none when there is no point."""
    ordered = sorted(points)
    if not ordered:
        return []
    values = [ordered[0] - sp.Rational(1, 2)]
    for low, high in zip(ordered, ordered[1:], strict=False):
        inside = low + (high - low) / 3
        values.append(inside if inside != 0 else low + 2 * (high - low) / 3)
    values.append(ordered[-1] + sp.Rational(1, 2))
    return [v for v in values if v != 0]
