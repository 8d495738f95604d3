"""The formula checker against the hostile tester's session-6 findings (hostile6 01-03, 08, 09,
12, 18): no false pass from a small gradient, a size-specific identity or 0/1 targets; no false
fail for a true identity in a network; a number is a 1 x 1 value; non-real constants refused."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.cli.main import main
from symbackprop.errors import FormulaError
from symbackprop.model import Model

#: a gradient of size 1e-22: an absolute tolerance called every formula of its shape right
SMALL_COST = "x : n x 1\nW : n x n\nsizes: n = 2\nJ = 1e-22 sum(tanh(W x))\ndata: x\n"
#: J = log(det(inv(A))) at the declared n = 3; dJ/dA = -inv(A)^T
LOGDET_INV_3 = "A : n x n\nsizes: n = 3\nJ = log(det(inv(A)))\n"
S_SUM = "x : n x 1\ns : 1 x 1\nsizes: n = 3\nJ = s sum(x)\ndata: x\n"


@pytest.mark.parametrize(
    "formula",
    [
        pytest.param("0 W", marks=pytest.mark.slow),
        "1e-22 x x^T",
        "x x^T - x x^T",
        pytest.param("-1e-22 (1 - tanh(W x)^2) x^T", marks=pytest.mark.slow),
    ],
)
def test_a_small_gradient_is_not_matched_by_zero_or_a_flipped_sign(formula: str) -> None:
    report = sb.check_formula(Model.parse(SMALL_COST), "W", formula)
    assert report.equal is False and report.exit_code == 1


@pytest.mark.slow
def test_a_small_gradient_written_right_passes() -> None:
    assert sb.check_formula(Model.parse(SMALL_COST), "W", "1e-22 (1 - tanh(W x)^2) x^T").ok


@pytest.mark.slow
def test_a_tiny_l2_term_left_out_is_caught_on_the_numeric_route() -> None:
    net = sb.Network.parse("3-2-1", l2=1e-22)
    wrong = sb.check_formula(
        net, "W1", "((W2^T delta2) ⊙ (1/(1+exp(-Z1))) ⊙ (1 - A1)) X^T", batch=True
    )
    assert wrong.equal is False
    # a relative 1e-29 change is seen at 35 agreed digits
    assert not sb.check_formula("3-2-1", "W2", "delta2 (a1 ⊙ exp(1e-29 z1))^T").ok


def test_a_numeric_pass_says_how_many_digits_agree() -> None:
    # exp(z1 - 9000) is far below any working precision: equal to the digits, not proved
    report = sb.check_formula("3-2-1", "W2", "delta2 (a1 + exp(z1 - 9000))^T")
    assert report.ok and report.method == "numeric" and report.digits == 35
    exact = sb.check_formula("3-2-1", "W2", "delta2 a1^T")
    assert exact.method == "exact" and exact.digits is None


@pytest.mark.parametrize(
    ("formula", "method"),
    [
        # tanh(z/2) is folded into sigmoid (trust14), so this one is proved exactly now
        pytest.param(
            "(W2^T (a2 - y) ⊙ (1 - tanh(z1/2)^2)/4) x^T", "exact", marks=pytest.mark.slow
        ),
        ("(W2^T (a2 - y) ⊙ softplus'(z1) ⊙ (1 - softplus'(z1))) x^T", "numeric"),
    ],
)
def test_a_true_identity_in_a_network_is_accepted(formula: str, method: str) -> None:
    report = sb.check_formula("3-2-1", "W1", formula)
    assert report.ok and report.method == method and report.counterexample is None


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_an_identity_true_only_for_2x2_fails_at_the_declared_n_3() -> None:
    model = Model.parse(LOGDET_INV_3)
    report = sb.check_formula(model, "A", "-(tr(A) inv(A) A - A)^T / det(A)")
    assert report.equal is False and report.counterexample is not None
    assert report.counterexample.sizes == {"n": 3}
    assert sb.check_formula(model, "A", "-inv(A)^T").ok


def test_a_number_for_m_is_caught_at_a_second_batch_size() -> None:
    text = "X : n x m\nw : n x 1\nJ = sum(w^T X) / m\ndata: X\n"
    assert sb.check_formula(Model.parse(text), "w", "rowsum(X) / m").ok
    assert not sb.check_formula(Model.parse(text), "w", "rowsum(X) / 2").ok


def test_a_number_is_a_1x1_value_for_a_1x1_parameter() -> None:
    assert sb.check_formula(Model.parse(S_SUM), "s", "sum(x)").ok
    assert not sb.check_formula(Model.parse(S_SUM), "s", "2 sum(x)").ok


@pytest.mark.parametrize(
    ("constant", "shown"),
    [
        ("sqrt(-1)", "the imaginary number i"),
        ("sqrt(-9)", "the imaginary number 3i"),
        ("log(-1)", "the imaginary number pi i"),
        ("log(-2)", "the complex number log(2) + pi i"),
    ],
)
def test_a_constant_that_is_not_real_is_named_as_a_person_writes_it(
    constant: str, shown: str
) -> None:
    """hostile38c #13: "'sqrt(-1)' is I", SymPy's name for the imaginary unit."""
    report = sb.check_formula("3-2-1", "W2", f"delta2 x^T * {constant}")
    assert isinstance(report.error, FormulaError)
    assert f"'{constant}' is {shown}, not a real number" in report.error.message


@pytest.mark.parametrize(
    "formula",
    [
        "delta2 x^T ⊙ relu(sqrt(-1))",
        "delta2 x^T * 1{log(0) > 0}",
        "delta2 x^T * relu'(0/0)",
        "delta2 x^T * relu(log(-1))",
    ],
)
def test_a_constant_that_is_not_real_is_refused(formula: str) -> None:
    report = sb.check_formula("3-2-1", "W2", formula)
    assert isinstance(report.error, FormulaError) and report.exit_code == 2
    assert "not a real number" in report.error.message


@pytest.mark.parametrize(
    "formula", ["a2 - y^2", pytest.param("a2 - 1{y > 0.5}", marks=pytest.mark.slow)]
)
def test_bce_targets_are_soft_so_y_squared_is_not_y(formula: str) -> None:
    assert sb.check_formula("3-2-1", "b2", formula).equal is False
    assert sb.check_formula("3-2-1", "b2", "a2 - y").ok


@pytest.mark.slow
def test_bce_targets_in_a_model_are_soft() -> None:
    text = "X : n x m\nY : 1 x m\nw : n x 1\nsizes: n = 2\nJ = bce(sigmoid(w^T X), Y)\n"
    assert sb.check_formula(Model.parse(text), "w", "X (sigmoid(w^T X) - Y)^T / m").ok
    assert not sb.check_formula(Model.parse(text), "w", "X (sigmoid(w^T X) - Y^2)^T / m").ok


def test_wrt_given_twice_is_refused() -> None:
    done = CliRunner().invoke(main, ["shapecheck", "3-2-1", "--wrt", "W1", "--wrt", "W2", "a1"])
    assert done.exit_code == 2 and "--wrt given 2 times" in done.output
