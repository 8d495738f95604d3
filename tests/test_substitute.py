"""core.substitute gives SymPy's own xreplace and node count, on every example model."""

from __future__ import annotations

from pathlib import Path

import pytest
from sympy import preorder_traversal

import symbackprop as sb
from symbackprop.core.model_derivation import internal_definitions
from symbackprop.core.substitute import at_most_nodes, substituted

MODELS = sorted((Path(__file__).parent.parent / "examples" / "models").glob("*.model"))


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_substituted_is_xreplace_and_counts_agree(path: Path) -> None:
    d = sb.derive(path)
    full = {step.delta: step.expr for step in d.steps if step.delta is not None}
    full.update(internal_definitions(d.graph))
    for step in d.steps:
        assert substituted(step.expr, full) == step.expr.xreplace(full)
        size = sum(1 for _ in preorder_traversal(step.expr))
        assert at_most_nodes(step.expr, size) and not at_most_nodes(step.expr, size - 1)
