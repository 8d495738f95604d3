"""A decimal the user wrote prints as written (hostile49b #4): GELU's ``sigmoid(1.702 z)``
gave ``(851/500) dJ/d(1.702 z)`` in the derivation, ``\\frac{851}{500}`` in LaTeX and
``851.0 / 500.0 * z`` in the generated code. The numbers stay exact (the checks compare them
as rationals); only their text is the decimal. Halves and quarters stay fractions."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.formula.decimals import decimal_text

GELU = "x : n x 1\nw : n x 1\nsizes: n = 3\nz = w^T x\nJ = z sigmoid(1.702 z) + 0.5 z\ndata: x\n"


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (sp.Rational(851, 500), "1.702"),
        (sp.Rational(-1, 100), "-0.01"),
        (sp.Rational(8943, 200000), "0.044715"),
        (sp.Rational(-3, 40), "-0.075"),
        (sp.Rational(21, 5), "4.2"),
        (sp.Rational(5, 4), None),  # quarters and halves stay fractions: x^(3/2), 5/4
        (sp.Rational(-3, 2), None),
        (sp.Rational(1, 2), None),  # the lecture's 1/2 stays a fraction
        (sp.Rational(3, 4), None),
        (sp.Rational(1, 3), None),
        (sp.Integer(3), None),
        (sp.Rational(1, 10**4), "0.0001"),
        (sp.Rational(1, 40_000_000), "2.5e-8"),  # under 1e-4: scientific, as 2.5e-8 reads
        (sp.Rational(1, 10**13), "1e-13"),
        (sp.Rational(10**13 + 1, 10**13), "1.0000000000001"),
        (sp.Rational(1, 3 * 10**20), None),
        (sp.Rational(10**18 + 1, 10**18), None),  # 19 digits: past MAX_DIGITS, a fraction
        (sp.Symbol("m"), None),
    ],
)
def test_which_numbers_print_as_decimals(number: sp.Expr, text: str | None) -> None:
    assert decimal_text(number) == text
    if text is not None:  # the decimal reads back to the same exact number
        assert sp.Rational(text) == number


@pytest.mark.slow  # 0.9 s
def test_a_model_prints_and_generates_its_decimal_as_written() -> None:
    model = sb.Model.parse(GELU)
    derivation = sb.derive(model)
    text = sb.to_text(derivation)
    assert "1.702 dJ/d(1.702 z)" in text and "851" not in text
    assert "(1/2) dJ/d(0.5 z)" in text  # a half stays a fraction
    latex = sb.to_latex(derivation)
    assert "1.702" in latex and "851" not in latex
    code = sb.codegen(model)
    assert "t2 = 1.702 * z" in code and "dz = 1.702 * dt2" in code and "851" not in code
    assert "# dJ/dz = 1.702 dt2" in code


def test_the_generated_decimal_computes_the_same_gradient() -> None:
    module = sb.compile(sb.Model.parse(GELU))
    rng = np.random.default_rng(0)
    w, x = rng.standard_normal((3, 1)), rng.standard_normal((3, 1))
    _cost, grads = module.loss_and_grads({"w": w}, x)
    z = float((w.T @ x)[0, 0])
    s = 1 / (1 + np.exp(-1.702 * z))
    closed = (s + 1.702 * z * s * (1 - s) + 0.5) * x  # d/dw of z s(1.702 z) + z/2
    np.testing.assert_allclose(grads["w"], closed, rtol=1e-13)


@pytest.mark.slow  # 0.7 s
def test_a_printed_decimal_reads_back_into_the_checker() -> None:
    """leaky relu's derivative prints 0.01, and the printed formula passes shapecheck."""
    net = sb.Network.parse("3-2:leaky_relu-1")
    text = sb.to_text(sb.derive(net))
    assert "(0.01) 1{a1 <= 0}" in text and "1/100" not in text
    report = sb.check_formula(net, "W1", "((W2^T delta2) ⊙ (1{a1 > 0} + (0.01) 1{a1 <= 0})) x^T")
    assert report.exit_code == 0 and report.equal, report.error


@pytest.mark.slow  # 1-2 s
def test_every_printer_writes_the_decimal_of_a_scalar_product() -> None:
    """hostile51b #4, #5: SymPy's own printer split the number (``851*z/500`` in a custom
    activation's derivative, ``1/(20*m)`` beside ``(0.05/m)``), a power named by its exponent
    read ``(·)^(3/10)``, and a coefficient times the seed read ``0.3 1`` (like 0.31)."""
    net = sb.Network.parse("3-4:gelu-1", define={"gelu": "z*sigmoid(1.702*z)"})
    text = sb.to_text(sb.derive(net))
    assert "gelu'(z) = 1.702*z*(1 - sigmoid(1.702*z))*sigmoid(1.702*z)" in " ".join(text.split())
    assert "851" not in text
    power = sb.Model.parse(
        "x : n x 1\nw : n x 1\nsizes: n = 3\nz = w^T x\nJ = sigmoid(z)^0.3\ndata: x\n"
    )
    shown = " ".join(sb.to_text(sb.derive(power)).split())
    assert "(·)^0.3'" in shown and "3/10" not in shown
    scaled = sb.Model.parse("x : n x 1\nw : n x 1\nsizes: n = 3\nz = w^T x\nJ = 0.3 z\ndata: x\n")
    reason = " ".join(sb.to_text(sb.derive(scaled)).split())
    assert "so dJ/dz = 0.3, of the shape of z" in reason


@pytest.mark.slow  # 1-2 s
def test_the_truth_line_and_messages_write_decimals_as_written() -> None:
    """hostile51b #7, #8, #10: the truth line wrote 0.1/m as (1 / (10 * m)) and -0.3 x as
    -(0.3) x; a message said 'log of -1/10' of a written -0.1, and '1/10 i', which reads
    1/(10 i)."""
    model = sb.Model.parse(
        "x : n x 1\nw : n x 1\nsizes: n = 3\nz = w^T x\nJ = -0.3 z + exp(-0.1 z)\ndata: x\n"
    )
    report = sb.check_formula(model, "w", "x")
    assert report.truth is not None and "-0.3 - 0.1 exp(-0.1 z)" in report.truth
    assert sb.check_formula(model, "w", report.truth).exit_code == 0  # it reads back
    with open("examples/models/softmax_l2.model", encoding="utf-8") as handle:
        l2 = sb.Model.parse(handle.read())
    truth = sb.check_formula(l2, "W", "X").truth
    assert truth is not None and "(0.1/m) W" in truth
    assert "(0.1/m) W" in sb.codegen(l2)  # the comment of its step
    with pytest.raises(sb.SpecError, match=r"log of -0\.1 at every point"):
        sb.derive(
            sb.Model.parse(
                "x : n x 1\nw : n x 1\nsizes: n = 3\nJ = sum(log(0.3 w - 0.3 w - 0.1)) + w^T x"
                "\ndata: x\n"
            )
        )
    imaginary = sb.check_formula(sb.Network.parse("3-4-1"), "W2", "(-0.01)^0.5 (a2 - y) a1^T")
    assert imaginary.error is not None and "the imaginary number 0.1i" in str(imaginary.error)


def test_a_scientific_decimal_is_a_power_of_ten_in_latex_and_mathml() -> None:
    """review51 #3: 2.5e-8 in LaTeX typeset as 2.5e - 8, a subtraction."""
    model = sb.Model.parse(
        "x : n x 1\nw : n x 1\nsizes: n = 3\nz = w^T x\nJ = z + 2.5e-8 w^T w\ndata: x\n"
    )
    derivation = sb.derive(model)
    latex = sb.to_latex(derivation)
    assert r"2.5 \cdot 10^{-8}" in latex and "2.5e-8" not in latex
    html = sb.to_html(derivation)
    assert "<mn>2.5e-8</mn>" not in html and "<mn>10</mn>" in html
    assert "2.5e-8" in sb.to_text(derivation)  # the formula language's own spelling
