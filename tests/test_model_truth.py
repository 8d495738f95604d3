"""The truth shapecheck prints for a model is in the formula language (hostile7 12d): it parses
back and check_formula of it passes, for every example model and every parameter."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.model import Model
from symbackprop.render.formula import to_formula

MODELS = sorted((Path(__file__).parent.parent / "examples" / "models").glob("*.model"))
CASES = [(path.name, p) for path in MODELS for p in Model.from_file(path).parameters]
#: a broadcast and a column sum (residual_mlp c), an identity from tr (trace C), abs' (norm1 x),
#: a ones matrix in an L2 term (softmax_l2 W), an internal adjoint (batch_norm W, dZ)
FAST = [
    ("residual_mlp.model", "c"),
    ("trace.model", "C"),
    ("norm1.model", "x"),
    ("softmax_l2.model", "W"),
]
#: spellings the formula language refuses, which the truth printed before
REFUSED = ("1_", "I_", "dJ/d", "#", "sign(")


def _pasted_back(name: str, wrt: str) -> None:
    derivation = sb.derive(Model.from_file(MODELS[0].parent / name))
    truth = sb.check_formula(derivation, wrt, "0").truth
    assert not any(bad in truth for bad in REFUSED), truth
    report = sb.check_formula(derivation, wrt, truth)
    assert report.error is None, (truth, report.error)
    assert report.ok, truth


@pytest.mark.parametrize(("name", "wrt"), FAST)
def test_a_model_truth_pastes_back(name: str, wrt: str) -> None:
    _pasted_back(name, wrt)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "wrt"), CASES)
def test_every_example_model_truth_pastes_back(name: str, wrt: str) -> None:
    _pasted_back(name, wrt)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_truth_names_a_kept_adjoint_as_the_formula_writes_it() -> None:
    derivation = sb.derive(Model.from_file(MODELS[0].parent / "batch_norm.model"))
    assert sb.check_formula(derivation, "W", "0").truth == "dZ X^T"


@pytest.mark.parametrize(
    ("name", "wrt", "expected"),
    [
        ("dot.model", "x", "y ⊙ v"),  # was (y ⊙ v)^T^T
        pytest.param(  # was A^T (1 ⊙ (...))
            "norm1.model",
            "x",
            "A^T (1{A x - y > 0} - 1{A x - y < 0})",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_a_truth_has_no_double_transpose_and_no_ones_factor(
    name: str, wrt: str, expected: str
) -> None:
    derivation = sb.derive(Model.from_file(MODELS[0].parent / name))
    assert sb.check_formula(derivation, wrt, "0").truth == expected
    assert sb.check_formula(derivation, wrt, expected).ok


N = sp.Symbol("n", integer=True, positive=True)
M = sp.Symbol("m", integer=True, positive=True)
W = sp.MatrixSymbol("w", N, 1)
S = sp.MatrixSymbol("s", 1, 1)
B = sp.MatrixSymbol("b", N, 1)


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        (sp.Transpose(sp.Transpose(W)), "w"),
        (sp.Transpose(sp.Transpose(sp.Transpose(W))), "w^T"),
        (sp.HadamardProduct(sp.OneMatrix(N, 1), W), "w"),
        (sp.HadamardProduct(sp.MatMul(sp.Rational(1, 200), sp.OneMatrix(N, 1)), W), "0.005 w"),
        (sp.HadamardProduct(sp.Identity(1), S), "s"),
        (sp.HadamardProduct(sp.OneMatrix(N, 1), W, B), "w ⊙ b"),
        (sp.HadamardProduct(sp.OneMatrix(N, 1), sp.OneMatrix(N, 1)), "1 ⊙ 1"),
        # the ones give a broadcast column its m columns: kept
        (sp.HadamardProduct(sp.OneMatrix(N, M), sp.MatMul(B, sp.OneMatrix(1, M))), "1 ⊙ b"),
    ],
)
def test_the_formula_printer_leaves_out_double_transposes_and_ones_factors(
    expr: object, text: str
) -> None:
    assert to_formula(expr) == text


@pytest.mark.parametrize("cost", ["sum(W x)^2", "relu(sum(W x))^2"])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_ones_column_in_a_product_prints_no_false_truth(cost: str, tmp_path: Path) -> None:
    # review13 R3: dJ/dW = 2 sum(W x) 1_2 x^T (2 x 3); the truth printed was (2 * sum(W x)) x^T,
    # which types to 1 x 3. The formula language has a ones matrix only in sums and rowsum().
    from click.testing import CliRunner

    from symbackprop.cli.main import main

    text = f"x : 3 x 1\nW : 2 x 3\nJ = {cost}\n"
    model = Model.parse(text)
    report = sb.check_formula(model, "W", "0")
    assert report.truth_refused is not None and "ones matrix" in report.truth_refused
    # the old truth is a shape error, not the gradient
    wrong = sb.check_formula(model, "W", "(2 * sum(W x)) x^T")
    assert wrong.exit_code == 1 and wrong.error is not None
    if cost == "sum(W x)^2":  # the ones column written through a sum: the gradient
        assert sb.check_formula(model, "W", "2 sum(W x) (0 (W x) + 1) x^T").exit_code == 0
    path = tmp_path / "m.model"
    path.write_text(text)
    result = CliRunner().invoke(main, ["shapecheck", str(path), "--wrt", "W", "0"])
    out = " ".join(result.stdout.split())
    assert result.exit_code == 1
    assert "truth not printed: the formula language has a ones matrix only in sums" in out
    assert "x^T" not in out.split("truth", 1)[1].split("╭", 1)[0]
    # the API says what the command line says: no truth (report.truth was derive's text,
    # which its docstring called the formula-language truth); derive's text stays at hand
    assert report.truth is None
    assert " ".join(report.truth_sentence.split()) in out
    assert report.truth_text is not None and "1_2" in report.truth_text
    assert "not printed" in sb.check_formula(model, "W", "0").truth_sentence


def test_a_pasteable_truth_is_the_same_in_the_api_and_on_the_command_line() -> None:
    from click.testing import CliRunner

    from symbackprop.cli.main import main

    report = sb.check_formula("4-3-2-1", "W2", "0")
    assert report.truth is not None and report.truth == report.truth_sentence
    assert sb.check_formula("4-3-2-1", "W2", report.truth).ok
    result = CliRunner().invoke(main, ["shapecheck", "4-3-2-1", "--wrt", "W2", "0"])
    assert result.exit_code == 1
    assert report.truth in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    "text",
    [
        "w : n x 1\nsizes: n = 3\nJ = sum(w)\ndata:\n",
        "w : n x 1\nc : 1 x 1\nsizes: n = 3\nJ = sum(w / c)\ndata:\n",
        "X : n x m\nY : 1 x m\nw : n x 1\nc : 1 x 1\nJ = mse(w^T X / c, Y) + sum(w / (c + 2))\n"
        "data: X, Y\n",
    ],
)
def test_a_truth_that_would_not_read_back_as_its_shape_is_not_printed(text: str) -> None:
    """hostile33 #2: dJ/dw of sum(w) is 1_n, printed as the truth ``1``; pasted back, it was
    "the formula is number, but dJ/dw must be n x 1" (``1/c`` beside a 1 x 1 c likewise, and
    ``... + 1 / (c + 2)`` in a sum). Every truth shown reads back as the gradient's shape;
    one that would not is derive's text, with the reason."""
    report = sb.check_formula(Model.parse(text), "w", "w")
    assert report.truth is None and report.truth_refused is not None
    assert "1_n" in (report.truth_text or "")
    assert "not printed" in report.truth_sentence
    # a sum beside a matrix of the ones matrix's shape reads back: printed, and it passes
    right = sb.check_formula(Model.parse("w : n x 1\nJ = sum(w ⊙ w + w)\ndata:\n"), "w", "w")
    assert right.truth == "1 + 2 w" and sb.check_formula(right_model(), "w", right.truth).ok


def right_model() -> sb.Model:
    return Model.parse("w : n x 1\nJ = sum(w ⊙ w + w)\ndata:\n")


@pytest.mark.parametrize(
    ("name", "wrt", "expected"),
    [
        # newcomer36 #6: ((1/2) (x^T A^T))^T + (((1/2) x^T) A)^T
        ("quadratic.model", "x", "(1/2) A x + (1/2) A^T x"),
        ("quadratic.model", "A", "(1/2) x x^T"),
        # MatrixCalculus.org's answer; was (A^T ((C^T X^T) B^T))^T + ((A X^T) B)^T C^T
        ("trace.model", "X", "B X C A + B^T X A^T C^T"),
        ("logistic_l2.model", "w", "(1/m) X (p - Y)^T + 0.01 w"),
    ],
)
def test_a_truth_moves_each_transpose_of_a_product_onto_its_factors(
    name: str, wrt: str, expected: str
) -> None:
    derivation = sb.derive(Model.from_file(MODELS[0].parent / name))
    truth = sb.check_formula(derivation, wrt, "0").truth
    assert truth == expected
    assert sb.check_formula(derivation, wrt, truth).ok


@pytest.mark.parametrize("cost", ["sum(A^T X)", "sum(X A^T)", "sum(X^T A^T X)"])
def test_a_transposed_ones_matrix_is_no_truth(cost: str) -> None:
    """review37 #1: moving transposes inward made (1 x^T)^T into x 1^T, and 1^T printed as
    the number 1: a truth of the right shape that was not the gradient (X (1^T))."""
    model = Model.parse(f"A : n x n\nX : n x n\nsizes: n = 3\nJ = {cost}\ndata: X\n")
    report = sb.check_formula(model, "A", "0")
    assert report.truth is None
    assert (
        report.truth_refused == "the formula language has a ones matrix only in sums and rowsum()"
    )
