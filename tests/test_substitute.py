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


def test_a_chain_of_numbers_times_a_matrix_is_one_product() -> None:
    """hostile27 #3: h_(i+1) = h_i / 2, 28 lines: latex, html and --expanded ran for minutes
    (SymPy's MatMul.shape asks c M's one matrix twice, at every level of c (c (c M)))."""
    lines = ["x : n x 1", "W : n x n", "sizes: n = 3", "h0 = W x"]
    lines += [f"h{i + 1} = h{i} / 2" for i in range(40)] + ["J = sum(h40)"]
    derivation = sb.derive(sb.Model.parse("\n".join(lines) + "\n"))
    assert "(1/1099511627776) 1_n x^T" in sb.to_text(derivation, expanded=True)
    assert "1099511627776" in sb.to_latex(derivation)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_an_expansion_sympy_could_not_size_is_not_built() -> None:
    """hostile27 #3: h_(i+1) = exp(h_i) / 10, 28 lines: each (1/10) exp(...) asks its one
    matrix for its shape twice, 2^28 look-ups to build the written-out adjoints; latex, html,
    --expanded and the formula check's truth line hung. They keep the adjoint symbols now."""
    lines = ["x : n x 1", "W : n x n", "sizes: n = 3", "h0 = W x"]
    lines += [f"h{i + 1} = exp(h{i}) / 10" for i in range(28)] + ["J = sum(h28)"]
    model = sb.Model.parse("\n".join(lines) + "\n")
    derivation = sb.derive(model)
    assert "dJ/dW = dJ/dh0 x^T" in sb.to_text(derivation, expanded=True)
    assert sb.to_latex(derivation) and sb.to_html(derivation)
    report = sb.check_formula(model, "W", "dh0 x^T")
    assert report.ok and report.truth_text == "dh0 x^T"


def test_shape_work_counts_the_one_matrix_of_a_product_twice() -> None:
    from sympy import MatMul, MatrixSymbol, Rational

    from symbackprop.core.substitute import shape_work

    m, n = MatrixSymbol("M", 3, 1), MatrixSymbol("N", 3, 1)
    # c M: the product, c, and M (a node of 3 arguments: 4) asked twice; the rule puts c M
    # where N stood, itself asked twice
    assert shape_work(MatMul(Rational(1, 2), m), {}) == 1 + 1 + 2 * 4
    assert shape_work(MatMul(2, n), {n: MatMul(Rational(1, 2), m)}) == 1 + 1 + 2 * 10
