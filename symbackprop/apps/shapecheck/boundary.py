"""A note on an indicator that counts its boundary (``1{z1 >= 0}``) in a network with a kink.

The comparison's points never lie on a kink (they are drawn at random, or placed either side
of it), so a formula with ``1{z1 >= 0}`` for relu'(z1) equals the gradient at every point
compared, and it is right wherever relu has a derivative. At z1 = 0 it takes 1 where the
derivation takes relu'(0) = 0 (as PyTorch and JAX do): both are subgradients there, yet a
reader should know the two differ on that boundary, and why the check did not say so.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from symbackprop.core.graph import Kind
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.formula import ast
from symbackprop.records import scalars
from symbackprop.records.activations import Activation


def kinked_activations(derivation: Any) -> dict[str, Activation]:
    """The activations the derivation applies that have a kink at 0 (relu, leaky_relu):
    written piece by piece, with their derivative at 0 fixed by the record."""
    if isinstance(derivation, ModelDerivation):
        found = [
            node.record.activation
            for node in derivation.graph.nodes.values()
            if node.kind is Kind.FUNCTION and getattr(node.record, "activation", None) is not None
        ]
    else:
        found = list(derivation.graph.activations)
    return {
        record.name: record
        for record in found
        if isinstance(record.formula, sp.Piecewise) and record.derivative_in_a is not None
    }


def boundary_note(derivation: Any, tree: ast.Node) -> str | None:
    """The note for the first indicator of ``tree`` that compares a value with 0 and counts
    the boundary (``>=``, ``<=``), where the derivation has a kinked activation; else None."""
    kinked = kinked_activations(derivation)
    if not kinked:
        return None
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Indicator) and node.cmp in (">=", "<=")):
            continue
        sides = [side for side in (node.left, node.right) if not _zero(side)]
        if len(sides) != 1:
            continue
        side = ast.to_text(sides[0])
        names = sorted(kinked)
        if len(names) == 1:
            (name,) = names
            where = f"its kink, where {name} has no derivative ({_kink_text(name, kinked[name])})"
        else:
            each = "; ".join(f"{n}: {_kink_text(n, kinked[n])}" for n in names)
            where = f"a kink, where it has no derivative ({each})"
        return (
            f"{ast.to_text(node)} is 1 where {side} = 0, which no compared point reaches: if "
            f"{side} feeds {' or '.join(names)}, that is {where}"
        )
    return None


def _kink_text(name: str, record: Activation) -> str:
    """``any value in [0, 1] is a subgradient; the derivation takes relu'(0) = 0, ...``."""
    assert isinstance(record.formula, sp.Piecewise)  # kinked_activations keeps only these
    slopes = sorted({sp.diff(piece, scalars.z) for piece, _ in record.formula.args})
    at_zero = record.derivative_in_a.xreplace({scalars.a: 0})  # type: ignore[union-attr]
    text = (
        f"any value in [{sp.sstr(slopes[0])}, {sp.sstr(slopes[-1])}] is a subgradient there; "
        f"the derivation takes {name}'(0) = {sp.sstr(at_zero)}"
    )
    return text + (", as PyTorch and JAX do" if record.kink_as_frameworks else "")


def _zero(node: ast.Node) -> bool:
    return isinstance(node, ast.Num) and node.value == 0
