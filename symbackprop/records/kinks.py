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
    # an activation's own points (g = relu(z - exp(-3)): exp(-3)), kept as they are, irrational
    # ones too: read as edges, a number without the variable was dropped (review14 R1)
    points: set[Any] = set()
    for edge in _edges(body, variable):
        for root in sp.solve(edge, variable):
            if root.is_Rational or (root.is_number and root.is_real):
                points.add(root)
    return frozenset(points)


#: the functions whose zeros come in periodic families (solveset gives them as image sets)
_PERIODIC = (sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc)


@functools.lru_cache(maxsize=512)
def kink_periods(formula: Any) -> tuple[tuple[float, float], ...]:
    """The periodic families of kinks of the activation ``formula`` g(z), each as (offset,
    period): abs(sin(z)) kinks at 2 n pi and 2 n pi + pi, ``((0, 2 pi), (pi, 2 pi))``. SymPy's
    solve (:func:`breakpoints`) gives one period's roots only (0 and pi), so a finite step
    across the kink at -pi or 2 pi was measured as a secant and failed a right gradient
    (hostile42d #3); ``()`` where no kink is periodic or ``formula`` is None."""
    if formula is None:
        return ()
    variable = scalars.z
    found: set[tuple[float, float]] = set()
    for edge in _edges(formula, variable):
        if not edge.has(*_PERIODIC):
            continue
        try:
            roots = sp.solveset(edge, variable, domain=sp.S.Reals)
        except (NotImplementedError, ValueError, TypeError):
            continue
        for part in roots.args if isinstance(roots, sp.Union) else (roots,):
            if not isinstance(part, sp.ImageSet) or len(part.lamda.variables) != 1:
                continue
            (n,) = part.lamda.variables
            line = part.lamda.expr
            step, start = line.coeff(n), line.subs(n, 0)
            if (line - step * n - start).simplify() != 0 or not (
                step.is_number and start.is_number
            ):
                continue
            if step.is_real and start.is_real and step != 0:
                found.add((float(start), abs(float(step))))
    return tuple(sorted(found))


def _edges(body: sp.Expr, variable: sp.Symbol) -> list[sp.Expr]:
    """The expressions in ``variable`` whose zeros are ``body``'s kinks or jumps (the argument
    of abs, sign and Heaviside, the difference of max's or min's two arguments, of a
    comparison's two sides), inside activations too."""
    edges: list[sp.Expr] = []
    for node in sp.preorder_traversal(body):
        if isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
            edges.append(node.args[0])
        elif isinstance(node, (sp.Max, sp.Min)) and len(node.args) == 2:
            edges.append(node.args[0] - node.args[1])
        elif isinstance(node, sp.core.relational.Relational):
            edges.append(node.lhs - node.rhs)
        elif isinstance(node, ActivationFunction) and node.args:
            edges += _edges(node.written_out(), variable)
    return [edge for edge in edges if variable in edge.free_symbols]


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
