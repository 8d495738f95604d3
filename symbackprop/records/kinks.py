"""Where a scalar function has a kink or a jump: the breakpoints of an activation's formula.

One place for the checks (which watch finite steps across a kink and search both sides of
one) and for the generated modules (whose ``KINKS`` name the cached values at a kink and where
it lies).
"""

from __future__ import annotations

import functools
from typing import Any

import sympy as sp

from symbackprop.records import scalars
from symbackprop.records.nodes import ActivationFunction


@functools.lru_cache(maxsize=512)
def breakpoints(body: sp.Expr, variable: sp.Symbol) -> frozenset[Any]:
    """The real points where the scalar function ``body`` of ``variable`` has a kink or a
    jump (``abs``, ``sign``, ``max``, a piecewise condition), including inside activations:
    rational ones and exact irrational ones (1{t > log(21/10)} switches at log(21/10); dropping
    it made the indicator look smooth, and 1{z1 > log(1.1)} passed for relu' = 1{z1 > 0})."""
    edges: list[sp.Expr] = []
    # an activation's own points (g = relu(z - exp(-3)): exp(-3)), kept as they are, irrational
    # ones too: read as edges, a number without the variable was dropped (review14 R1)
    points: set[Any] = set()
    for node in sp.preorder_traversal(body):
        if isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
            edges.append(node.args[0])
        elif isinstance(node, (sp.Max, sp.Min)) and len(node.args) == 2:
            edges.append(node.args[0] - node.args[1])
        elif isinstance(node, sp.core.relational.Relational):
            edges.append(node.lhs - node.rhs)
        elif isinstance(node, ActivationFunction) and node.args:
            inner = node.written_out()
            points |= breakpoints(inner, variable)
    for edge in edges:
        if variable not in edge.free_symbols:
            continue
        for root in sp.solve(edge, variable):
            if root.is_Rational or (root.is_number and root.is_real):
                points.add(root)
    return frozenset(points)


def kink_values(formula: Any, of_output: bool) -> tuple[float, ...]:
    """Where a kinked value changes piece: the breakpoints of the activation ``formula`` g(z)
    (a scalar SymPy expression in z; ``None``: unknown, the kink at 0 of relu, leaky_relu and
    abs), or their images g(c) when the value watched is the output a = g(z) (relu's a
    leaves 0 exactly where z passes 0). A kink at an irrational point, which the breakpoints
    do not give, leaves the watch at 0."""
    if formula is None:
        return (0.0,)
    points = sorted(breakpoints(formula, scalars.z))
    if of_output:
        points = [formula.subs(scalars.z, c) for c in points]
    values = tuple(sorted({float(c) for c in points}))
    return values or (0.0,)
