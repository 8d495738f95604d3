"""A power or exponential inside an element-wise function of a matrix is printed element-wise.

In the printed notation ``A^{2}`` is the matrix square, ``A^{-1}`` the inverse and ``e^{A}`` the
matrix exponential (``inv(A)`` prints ``A^{-1}``, a model's ``A^3`` prints ``A^{\\odot 3}``), so
the derivative of ``A^3`` must read ``3 A^{\\odot 2}``, not ``3 A^{2}``; a 1 x 1 argument keeps
the plain power (the two agree there). The text form keeps ``^``: element-wise by the formula
language.
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp
from sympy import MatrixSymbol

import symbackprop as sb
from symbackprop.core.textprint import TextPrinter
from symbackprop.records.nodes import Elementwise, T
from symbackprop.render.html_parts import ModelParts
from symbackprop.render.latexprint import MathLatexPrinter, finish
from symbackprop.render.mathml import MathMLPrinter

n = sp.Symbol("n", integer=True, positive=True)
A = MatrixSymbol("A", n, n)
S = MatrixSymbol("s", 1, 1)


def _latex(expr: object) -> str:
    return finish(MathLatexPrinter().doprint(expr))


def _mathml(expr: object) -> str:
    return MathMLPrinter().mathml(expr)


def test_a_power_of_a_matrix_argument_is_elementwise_in_latex() -> None:
    assert _latex(Elementwise(sp.Lambda(T, 3 * T**2), A)) == r"3 A^{\odot 2}"
    assert _latex(Elementwise(sp.Lambda(T, -2 / T**3), A)) == r"- \frac{2}{A^{\odot 3}}"
    assert _latex(Elementwise(sp.Lambda(T, 1 - sp.tanh(T) ** 2), A)).endswith(r"^{\odot 2}")
    assert _latex(Elementwise(sp.Lambda(T, sp.exp(2 * T)), A)) == r"\exp(2 A)"
    # a root and a reciprocal are functions of A written as the equations write them
    assert _latex(Elementwise(sp.Lambda(T, 1 / (2 * sp.sqrt(T))), A)) == r"\frac{1}{2 \sqrt{A}}"
    assert _latex(Elementwise(sp.Lambda(T, 1 / T), A)) == r"\frac{1}{A}"
    # 1 x 1: the plain power, and SymPy's e^{...}
    assert _latex(Elementwise(sp.Lambda(T, 3 * T**2), S)) == r"3 s^{2}"
    assert _latex(Elementwise(sp.Lambda(T, sp.exp(T)), S)) == r"e^{s}"


def test_a_power_of_a_matrix_argument_is_elementwise_in_mathml() -> None:
    square = _mathml(Elementwise(sp.Lambda(T, 3 * T**2), A))
    assert "<mo>⊙</mo><mn>2</mn>" in square
    inverse = _mathml(Elementwise(sp.Lambda(T, T**-2), A))
    assert "<mfrac>" in inverse and "<mo>⊙</mo><mn>2</mn>" in inverse
    reciprocal = _mathml(Elementwise(sp.Lambda(T, T**-1), A))
    assert "<mfrac>" in reciprocal and "⊙" not in reciprocal  # 1/A, not 1/A^{⊙1}
    assert "ExponentialE" not in _mathml(Elementwise(sp.Lambda(T, sp.exp(T)), A))
    assert "⊙" not in _mathml(Elementwise(sp.Lambda(T, 3 * T**2), S))


def test_a_models_derivative_of_a_power_reads_elementwise() -> None:
    d = sb.derive(sb.Model.parse("A : n x n\nsizes: n = 3\nJ = sum(A^3) + sum(A^-1)\ndata:"))
    tex = sb.to_latex(d, standalone=False)
    assert r"3 A^{\odot 2}" in tex and r"\frac{1}{A^{\odot 2}}" in tex
    assert "A^{2}" not in tex
    assert "3 A^2" in sb.to_text(d)  # the formula language's ^ is element-wise already


def test_a_negative_elementwise_term_is_subtracted_in_every_printer() -> None:
    """The expanded gradient of A^3 + A^-1: 3 A^2 - 1/A^2, never 3 A^2 + -1/A^2."""
    total = sp.MatAdd(
        Elementwise(sp.Lambda(T, 3 * T**2), A), Elementwise(sp.Lambda(T, -1 / T**2), A)
    )
    assert _latex(total) == r"3 A^{\odot 2} - \frac{1}{A^{\odot 2}}"
    assert TextPrinter().doprint(total) == "3 A^2 - 1/A^2"
    assert "<mo>+</mo>" not in _mathml(total) and _mathml(total).count("<mo>−</mo>") == 1
    # a negative coefficient times a negative body is a positive term: 2 (1/A^2)
    twice = sp.MatAdd(A, -2 * Elementwise(sp.Lambda(T, -1 / T**2), A))
    assert _latex(twice) == r"A + 2 (\frac{1}{A^{\odot 2}})"


def test_a_models_expanded_gradient_subtracts_in_text_latex_markdown_mathml() -> None:
    d = sb.derive(sb.Model.parse("A : n x n\nsizes: n = 3\nJ = sum(A^3 + A^-1)\ndata:"))
    assert r"&= 3 A^{\odot 2} - \frac{1}{A^{\odot 2}}" in sb.to_latex(d, standalone=False)
    assert r"&= 3 A^{\odot 2} - \frac{1}{A^{\odot 2}}" in sb.to_markdown(d, expanded=True)
    assert "dJ/dA = 3 A^2 - 1/A^2\n" in sb.to_text(d, expanded=True)
    ((_, row),) = ModelParts(d).expanded_rows()
    assert "<mo>+</mo><mrow><mrow><mo>−" not in row and "<mo>−</mo>" in row


def test_a_scalar_power_reads_in_the_formula_language() -> None:
    x = sp.Symbol("x")
    assert TextPrinter().doprint(1 / x**2) == "1/x^2"  # ^ binds before /, as in -1/x^2
    assert TextPrinter().doprint(1 / (x + 1) ** 2) == "1/(x + 1)^2"
    assert TextPrinter().doprint(x ** sp.Rational(3, 2)) == "x^(3/2)"  # not (x^3)/2
    assert TextPrinter().doprint(x ** sp.Rational(-3, 2)) == "1/x^(3/2)"


def test_a_product_of_matrix_factors_is_elementwise_in_latex() -> None:
    """sigmoid' = a (1 - a) of a matrix reads ``A ⊙ (1 - A)``: ``A (1 - A)`` would be the
    matrix product (review24 item 3: a model step's "which the code reads from the cached h as
    h (1 - h)"); a number or a scalar symbol beside them stays a coefficient, and a 1 x 1
    argument keeps the plain product."""
    assert _latex(Elementwise(sp.Lambda(T, T * (1 - T)), A)) == r"A \odot (1 - A)"
    assert _latex(Elementwise(sp.Lambda(T, -2 * T * (1 - T)), A)) == r"-2 A \odot (1 - A)"
    assert _latex(Elementwise(sp.Lambda(T, 3 * T**2 * (1 - T)), A)) == (
        r"3 A^{\odot 2} \odot (1 - A)"
    )
    assert _latex(Elementwise(sp.Lambda(T, sp.exp(T) / ((1 + T) * (2 + T))), A)) == (
        r"\frac{\exp\left(A \right)}{(A + 1) \odot (A + 2)}"
    )
    # one factor reads the matrix: a fraction or a coefficient, as before
    assert _latex(Elementwise(sp.Lambda(T, T / (1 + T)), A)) == r"\frac{A}{A + 1}"
    assert _latex(Elementwise(sp.Lambda(T, T * (1 - T)), S)) == r"s \left(1 - s\right)"


def test_a_product_of_matrix_factors_is_elementwise_in_mathml() -> None:
    both = _mathml(Elementwise(sp.Lambda(T, T * (1 - T)), A))
    assert "<mo>⊙</mo>" in both and "\u2062" not in both
    scaled = _mathml(Elementwise(sp.Lambda(T, -2 * T * (1 - T)), A))
    assert scaled.count("<mo>⊙</mo>") == 1 and scaled.count("\u2062") == 1  # -2 · (A ⊙ ...)
    assert "⊙" not in _mathml(Elementwise(sp.Lambda(T, T * (1 - T)), S))


def test_a_sigmoid_layers_cached_derivative_reads_elementwise_everywhere() -> None:
    """The model step's sentence on a sigmoid hidden layer, in LaTeX, Markdown and the page."""
    d = sb.derive(
        sb.Model.parse(
            "X : n x m\nY : 1 x m\nW : n x n\nh = sigmoid(W X + b)\nJ = mse(w^T h, Y)\ndata: X, Y"
        )
    )
    assert r"cached $h$ as $h \odot {(1 - h)}$" in sb.to_markdown(d)
    document = sb.to_latex(d)
    assert r"cached $h$ as $h \odot {(1 - h)}$" in document
    assert r"h {(1 - h)}" not in document
    page = sb.to_html(d)
    said = page[page.index("reads from the cached") :][:600]
    assert "<mo>⊙</mo>" in said and "\u2062" not in said


def test_an_indicators_matrix_coefficient_is_elementwise() -> None:
    """``(1/(2 A)) ⊙ 1{A > 0}`` (norm2's sqrt' as the code reads it): a coefficient that reads
    the matrix multiplies the indicator entry by entry in LaTeX and MathML, as in the text; a
    number (leaky relu's 1/100) or a 1 x 1 argument stays side by side."""
    guarded = sp.Piecewise((1 / (2 * T), T > 0), (0, True))
    assert _latex(Elementwise(sp.Lambda(T, guarded), A)) == (
        r"(\frac{1}{2 A} \odot \mathbf{1}\lbrace A > 0 \rbrace)"
    )
    assert r"\odot" not in _latex(Elementwise(sp.Lambda(T, guarded), S))
    leaky = sp.Piecewise((1, T > 0), (sp.Rational(1, 100), True))
    assert r"\odot" not in _latex(Elementwise(sp.Lambda(T, leaky), A))
    assert "<mo>⊙</mo>" in _mathml(Elementwise(sp.Lambda(T, guarded), A))
    assert "⊙" not in _mathml(Elementwise(sp.Lambda(T, leaky), A))
    assert "⊙" not in _mathml(Elementwise(sp.Lambda(T, guarded), S))


def test_a_function_in_an_elementwise_body_reads_as_in_the_equations_in_mathml() -> None:
    """The page printed sigmoid' of W X + b as ``(1 - sigmoid((W X + b))) ⊙ sigmoid((W X +
    b))``: SymPy's name for the function and the value's own brackets inside the call's. It
    reads ``σ(W X + b)`` as the equations and the LaTeX write it, and tanh's square
    ``tanh(...)^{⊙2}`` without a bracket around the call."""
    d = sb.derive(
        sb.Model.parse(
            "X : n x m\nY : 1 x m\nW : n x n\nh = sigmoid(W X + b)\nJ = mse(w^T h, Y)\ndata: X, Y"
        )
    )
    page = sb.to_html(d)
    kept = page[page.index("Adjoints kept") :]
    assert "<mi>sigmoid</mi>" not in kept and "σ" in kept
    twice = '<mo stretchy="false">(</mo><mrow><mrow><mrow><mo stretchy="false">('
    assert twice not in kept
    rnn = sb.to_html(sb.derive(sb.Model.parse(Path("examples/models/rnn_3.model").read_text())))
    kept = rnn[rnn.index("Adjoints kept") :]
    assert '<msup><mrow><mrow><mi>tanh</mi><mrow><mo stretchy="false">(</mo><mi>W</mi>' in kept


def test_a_piecewise_factor_of_a_product_keeps_its_brackets() -> None:
    """review25 #1: ``z * leaky_relu(z)``'s derivative, a matrix times an indicator sum,
    printed ``A ⊙ 1{A > 0} + (1/100) 1{A <= 0}``, reading the first term alone."""
    leaky = sp.Piecewise((1, T > 0), (sp.Rational(1, 100), True))
    assert _latex(Elementwise(sp.Lambda(T, T * leaky), A)) == (
        r"A \odot (\mathbf{1}\lbrace A > 0 \rbrace + 0.01 \, "
        r"\mathbf{1}\lbrace A \leq 0 \rbrace)"
    )
    # the brackets stay (no fraction inside them since 0.01 prints as written: not stretched)
    assert '<mo>⊙</mo><mrow><mo stretchy="false">(</mo>' in _mathml(
        Elementwise(sp.Lambda(T, T * leaky), A)
    )
    step = sp.Piecewise((1, T > 0), (0, True))  # one indicator: its braces delimit it
    assert _latex(Elementwise(sp.Lambda(T, T * (1 - T) * step), A)) == (
        r"A \odot (1 - A) \odot \mathbf{1}\lbrace A > 0 \rbrace"
    )
