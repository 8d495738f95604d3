"""Session 46's sentences: what a printed derivation or message said that was not true."""

from __future__ import annotations

from pathlib import Path

from sympy import MatMul, Transpose

import symbackprop as sb

ROOT = Path(__file__).parents[1]
RESIDUAL = str(ROOT / "examples" / "models" / "residual_block.model")


def test_a_sum_of_paths_shows_the_arrangement_it_keeps() -> None:
    """hostile46c #2: residual's dJ/da1 = W2^T dJ/d(W2 a1) + dJ/dh was shown in Markdown,
    LaTeX and HTML with "shape analysis: W2 dJ/d(W2 a1) fits" (the first arrangement that fit
    of a square W2, not the one kept) and W2^T as "fits too"."""
    d = sb.derive(RESIDUAL)
    step = next(s for s in d.steps if s.target == "dJ/da1")
    assert step.chosen is not None
    assert isinstance(step.chosen.expr, MatMul)
    assert isinstance(step.chosen.expr.args[0], Transpose)  # W2^T, not W2
    markdown = sb.to_markdown(d)
    kept = r"- shape analysis: $\underbrace{W_{2}^{\top}}_{n_{1} \times n_{1}}"
    assert kept in markdown
    assert r"- ✓ $W_{2} \, \frac{\partial J}{\partial (W_{2} \, a_{1})}$: fits too" in markdown
    html = sb.to_html(d)
    assert "Shape analysis: of the arrangements that fit, the one kept is" in html


def test_the_check_summary_says_what_nothing_verified_of_finite_differences() -> None:
    """hostile46c #5: with --no-exact, "exact check skipped for every parameter but W1, ...,
    which nothing verified" read as though the exact check ran for W1; the clause is said of
    finite differences, the exact check's skip after it."""
    from click.testing import CliRunner

    from symbackprop.cli.main import main

    args = ["check", "3-4:hs-1", "--define", "hs=relu(z-100)", "--no-exact"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert (
        "finite differences passed for every parameter but W1, b1, W2, which nothing "
        "verified; exact check skipped" in said
    )


def test_no_rowsum_hint_toward_a_formula_found_not_to_be_the_gradient() -> None:
    """hostile46c #4: of J = sum(W x)^2, "2 sum(W x) x^T" (a ones vector missing, the sum
    right) was told to "write rowsum(...): 2 rowsum(W x) x^T", which the checker itself finds
    not the gradient. Where the rewrite is the gradient, the hint stays."""
    model = sb.Model.parse("x : n x 1\nW : 2 x n\nsizes: n = 3\nJ = sum(W x)^2\n")
    report = sb.check_formula(model, "W", "2 sum(W x) x^T")
    assert report.exit_code == 1
    assert not any("rowsum" in note for note in report.notes), report.notes
    kept = sb.check_formula("4-3-2-1", "b2", "sum(delta2)", batch=True)
    assert any("write rowsum(...): rowsum(delta2); that equals" in n for n in kept.notes)
