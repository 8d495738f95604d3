"""Session 46's sentences: what a printed derivation or message said that was not true."""

from __future__ import annotations

from pathlib import Path

import pytest
from latex_support import run_pdflatex
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


def test_a_rowsum_hint_says_when_the_rewrite_is_not_the_gradient_either() -> None:
    """hostile46c #4: of J = sum(W x)^2, "2 sum(W x) x^T" (a ones vector missing, the sum
    right) was told to "write rowsum(...): 2 rowsum(W x) x^T", which the checker itself finds
    not the gradient, and the note did not say so. Where the rewrite is the gradient, it says
    that."""
    model = sb.Model.parse("x : n x 1\nW : 2 x n\nsizes: n = 3\nJ = sum(W x)^2\n")
    report = sb.check_formula(model, "W", "2 sum(W x) x^T")
    assert report.exit_code == 1
    (note,) = [n for n in report.notes if "rowsum" in n]
    assert note.endswith(
        "2 rowsum(W x) x^T, which has that shape but is not the gradient either"
    ), note
    kept = sb.check_formula("4-3-2-1", "b2", "sum(delta2)", batch=True)
    assert any("write rowsum(...): rowsum(delta2); that equals" in n for n in kept.notes)


def test_a_number_times_a_matrix_reads_side_by_side_in_a_model() -> None:
    """lecturer46 #2: a network's L2 written as its equations derived "dJ/d(W1^2) ⊙ (2*W1)"
    and the module's comment "(1/(20*m)) 2*W1", code's * in mathematics; the comment of the
    sigmoid step read "(1 - sigmoid(Z1))*sigmoid(Z1)", a matrix product to a reader. The
    module computes W1 / (10 m), the number folded into the coefficient."""
    model = sb.Model.parse(sb.Network.parse("4-3-1", l2=0.1).equations)
    d = sb.derive(model)
    text = sb.to_text(d, expanded=True)
    assert "dJ/d(W1^2) ⊙ (2 W1)" in text and "2*W1" not in text
    source = sb.codegen(d)
    assert "# dJ/dW1 = dZ1 X^T + (0.1/m) W1 [step 18, bilinear]" in source  # 0.1 as written
    assert "dW1 = dZ1 @ X.T + W1 / (10.0 * m)" in source
    assert "# dJ/dZ1 = dA1 ⊙ (1 - sigmoid(Z1)) ⊙ sigmoid(Z1) [step 15" in source


@pytest.mark.slow
def test_a_long_network_snippet_breaks_across_pages_in_plain_notes(tmp_path: Path) -> None:
    """lecturer46 #1: a network's snippet said "needs amsmath" and, pasted into notes with
    amsmath alone, a 7-layer derivation ran 1,295 pt below the page (equations 15-20 lost).
    The snippet allows its own display breaks, in a group: no overfull page, and the notes'
    own text after it is still set."""
    d = sb.derive(sb.Network.parse("6-5-5-4-4-3-3-1", hidden="relu", l2=0.1), batch=True)
    snippet = sb.to_latex(d, standalone=False)
    assert snippet.splitlines()[1] == r"\begingroup\allowdisplaybreaks"
    (tmp_path / "s.tex").write_text(snippet, encoding="utf-8")
    notes = (
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
        "Before.\n\\input{s.tex}\nAfter the snippet.\n\\end{document}\n"
    )
    result = run_pdflatex(tmp_path, notes, "notes")
    assert result.returncode == 0, result.stdout[-2000:]
    log = (tmp_path / "notes.log").read_text(errors="replace")
    assert "Overfull \\vbox" not in log
    assert "notes.pdf (3 pages" in log or "notes.pdf (4 pages" in log


def test_hints_a_newcomer_needed() -> None:
    """newcomer46 #3, #5-#7, #9, #10: each message says what to write instead."""
    import types

    import numpy as np

    def error_of(spec: object, wrt: str, formula: str, batch: bool = False) -> str:
        kwargs = {"batch": True} if batch else {}
        report = sb.check_formula(spec, wrt, formula, **kwargs)  # type: ignore[arg-type]
        assert report.exit_code == 2 and isinstance(report.error, sb.FormulaError)
        return str(report.error)

    assert "delta3 for delta[3], a2 for a[2]" in error_of("4-3-2-1", "W3", "delta[3] a[2]^T")
    for formula in ("sum(delta2, axis=1)", "sum(delta2, 1)"):
        assert "NumPy's sums are rowsum(M)" in error_of("4-3-2-1", "b2", formula, batch=True)
    model = sb.Model.parse(
        "X : n0 x m\nY : 1 x m\nW1 : n1 x n0\nsizes: n0 = 2, n1 = 3\n"
        "H = tanh(W1 X + b1)\nJ = mse(v^T H, Y)\ndata: X, Y\n"
    )
    said = error_of(model, "W1", "dZ1 X^T")
    assert "this model names no value Z1: give it a line of its own" in said
    assert "did you mean 'dW1'" not in said
    said = error_of(model, "W1", "delta1 X^T")
    assert "a model has no deltas" in said and "'det'" not in said
    with pytest.raises(sb.SpecError, match=r"list it on the model's data line \(data: Xt, Yt\)"):
        sb.Model.parse("Xt : n x m\nYt : 1 x m\nsizes: n = 3\nJ = mse(w^T Xt, Yt)\n")
    star = "X : n0 x m\nY : 1 x m\nW1 : n1 x n0\nsizes: n0 = 2, n1 = 3\nJ = mse(v^T (W1 * X), Y)\n"
    with pytest.raises(sb.SpecError, match="for the matrix product write the two side by side"):
        sb.Model.parse(star + "data: X, Y\n")
    hand = types.SimpleNamespace(
        SHAPES={"W": (2, 2)}, DATA=("X",), loss_and_grads=lambda p, X: (0.0, {"W": p["W"]})
    )
    with pytest.raises(ValueError, match="this one has no forward"):
        sb.gradcheck(hand, {"W": np.eye(2)}, np.eye(2))  # type: ignore[arg-type]


def test_numpy_code_pasted_is_told_how_numpy_reads_it() -> None:
    """newcomer46 #4: ``W2.T @ delta2 * a1 * (1 - a1) @ x.T`` is right NumPy (@ and * at one
    level, left to right) and a shape error here, where @ is the matrix product and binds
    tighter; the verdict named no reason. A note gives NumPy's reading and its verdict."""
    right = sb.check_formula("4-4-4-1", "W1", "W2.T @ delta2 * a1 * (1 - a1) @ x.T")
    assert right.exit_code == 1
    (note,) = [n for n in right.notes if "NumPy reads" in n]
    assert "((W2^T @ delta2) * a1 * (1 - a1)) @ x^T; that is the gradient" in note
    wrong = sb.check_formula("4-4-4-1", "W1", "W2.T @ delta2 * a1 @ x.T")
    (note,) = [n for n in wrong.notes if "NumPy reads" in n]
    assert "that has the shape but is not the gradient either" in note
    # the language's own reading is NumPy's too: no note
    same = sb.check_formula("4-4-4-1", "W1", "(W2.T @ delta2 * a1) @ x.T")
    assert not any("NumPy reads" in n for n in same.notes)


def test_a_tanh_step_shows_its_cached_form_in_latex() -> None:
    """lecturer46 #3: LaTeX's tanh step stopped at tanh'(z1) under its brace, while text and
    Markdown read 1 - a1^2 from the cache and the sigmoid step had its a ⊙ (1 - a) line; a
    softplus step, whose derivative reads nothing cached, stays one line."""
    tex = sb.to_latex(sb.derive("4-3:tanh-1"))
    assert (
        r"\odot \underbrace{\tanh'(z^{[1]})}_{n_{1} \times 1} \\*"
        + "\n"
        + (r"&= (W^{[2]\top} \, \delta^{[2]}) \odot \bigl(1 - (a^{[1]})^{\odot 2}\bigr)")
        in tex
    )
    softplus = sb.to_latex(sb.derive("4-3:softplus-1"))
    assert (
        r"\underbrace{\operatorname{softplus}'(z^{[1]})}_{n_{1} \times 1}"
        + "\n"
        + (r"\end{align*}")
        in softplus
    )


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_models_formula_missing_its_1_over_m_is_told_so() -> None:
    """newcomer46 #1: (A3 - Y) A2^T for dW3 was told "the gradient times m" on the network and
    nothing on the same network written as its equations."""
    model = sb.Model.parse(sb.Network.parse("4-3-2-1").equations)
    report = sb.check_formula(model, "W3", "(A3 - Y) A2^T")
    assert report.exit_code == 1
    assert any(
        n.startswith("your formula is the gradient times m: the model's bce averages")
        for n in report.notes
    ), report.notes
    twice = sb.check_formula(model, "W3", "(1/m)(1/m)(A3 - Y) A2^T")
    assert any(n.startswith("your formula is the gradient divided by m") for n in twice.notes)
    other = sb.check_formula(model, "W3", "(A3 - Y) A1^T W2^T")
    assert not any("times m" in n or "divided by m" in n for n in other.notes)


def test_review46_regressions_and_hints() -> None:
    """review46 #1: reading a function nested in another as opaque hid log(sqrt(exp(W2)) -
    exp(W2/2)), undefined everywhere, and a formula with 0 ⊙ it passed; #2: the model hints
    for d-names replaced a close value's name (dif for diff); #4: a divisor that exists only
    where two widths are equal was exit 3; #5: an entry index delta2[0] was told about layer
    indices; #6: a quotient in a body read 1/(2*sqrt(W)); #7: the data hint dropped the data
    listed already."""
    undefined = sb.check_formula(
        "4-3-2-1", "W2", "delta2 a1^T + 0 ⊙ log(sqrt(exp(W2)) - exp(W2/2))"
    )
    assert undefined.exit_code == 2 and "undefined at every point" in str(undefined.error)
    model = sb.Model.parse(
        "X : n x m\nY : 1 x m\nW : k x n\nsizes: n = 3, k = 2\nZ = W X\ndiff = Z - 1\n"
        "J = mse(v^T diff, Y)\ndata: X, Y\n"
    )
    said = str(sb.check_formula(model, "W", "dif").error)
    assert "did you mean 'diff'?" in said and "names no value" not in said
    assert sb.check_formula("4-4-4-1", "W1", "a1 / (x^T a1)").exit_code == 1
    entry = str(sb.check_formula("4-3-2-1", "W3", "delta2[0] a1^T").error)
    assert "layer's index" not in entry and "square brackets" in entry
    roots = sb.Model.parse("W : 2 x 3\nJ = sum(sqrt(W)) + sum(W^(-1/2))\n")
    assert "dJ/dW = 1/(2 sqrt(W)) - 1/(2 W^(3/2))" in sb.to_text(sb.derive(roots), expanded=True)
    # without a data line the hint names the data line to write (test_hints_a_newcomer_needed);
    # with one that leaves Xtr out, Xtr is a parameter with a column per example, as DESIGN.md
    # allows a parameter declared with m (session 50)
    text = "Xtr : n x m\nY : 1 x m\nsizes: n = 3\nJ = mse(w^T Xtr, Y)\n"
    with pytest.raises(sb.SpecError, match=r"\(data: Y, Xtr\)"):
        sb.Model.parse(text)
    assert sb.Model.parse(text + "data: Y\n").parameters == ("w", "Xtr")  # order of first use
