"""A model's expression in the formula language, in the names a formula may use.

What ``shapecheck`` shows as the truth must parse back (and be equal): the model's own names,
``d<name>`` for the adjoint kept under ``dJ/d<name>`` (:mod:`symbackprop.apps.shapecheck.model`
reads it so), and nothing internal. So an internal value ``_tN`` is replaced by its definition
in the model's names, the adjoint of an internal value (``dJ/d(W^T)#2``, which no formula can
name) by the expression it stands for, and the result is printed by the one formula printer,
:func:`symbackprop.render.formula.to_formula`.
"""

from __future__ import annotations

from typing import Any

from sympy import MatrixSymbol

from symbackprop.core.model_derivation import internal_definitions
from symbackprop.core.rules.model_base import unit_entries
from symbackprop.core.substitute import substituted, substituted_within
from symbackprop.render.formula import to_formula


def model_formula(d: Any, expr: Any) -> str:
    """``expr``, an expression of the model derivation ``d``, in the formula language.

    Raises ``ValueError`` where the language has no form for a node.
    """
    graph = d.graph
    # the names a formula reads as something else (the typer's: values, constants, m)
    taken = set(graph.symbols) | {eq.name for eq in d.model.equations} | {"m"}
    written: dict[Any, Any] = {}  # adjoint symbol -> what the formula writes for it
    for name, symbol in graph.deltas.items():
        alias = f"d{name}"
        if not name.startswith("_") and alias not in taken and name in d.adjoints:
            written[symbol] = MatrixSymbol(alias, *symbol.shape)
    full: dict[Any, Any] = {}
    for step in d.steps:  # in step order: a step reads only the adjoints before it
        if step.delta is not None and step.delta not in written:
            full[step.delta] = _bounded(step.expr, full)
    out = _bounded(expr, full)
    out = _bounded(out, internal_definitions(graph))
    return to_formula(unit_entries(substituted(out, written)))


def _bounded(expr: Any, rule: dict[Any, Any]) -> Any:
    """``expr`` with ``rule`` substituted; ``ValueError`` where SymPy could not size the
    result in reasonable time (:func:`~symbackprop.core.substitute.substituted_within`)."""
    written = substituted_within(expr, rule)
    if written is None:
        raise ValueError("written out in the model's names it is too large to print")
    return written
