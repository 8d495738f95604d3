"""Messages of hostile round 34 that crashed or said too much.

``exp(exp(exp(W1)))`` in shapecheck ended in exit 3: the sentence about lost digits formatted
a value with an exponent of 10^15 digits through ``decimal`` (SymPy's ``Float.__format__``),
which raised. Every such number is printed with ``str`` now, and a counterexample's numeric
values show 12 significant digits (they carried 100, a line of them) unless 12 show them equal.
"""

from __future__ import annotations

import pytest
import sympy as sp
from click.testing import CliRunner

from symbackprop.apps.shapecheck import numeric
from symbackprop.apps.shapecheck.check import Counterexample
from symbackprop.cli.main import main


@pytest.mark.parametrize(
    ("spec", "wrt", "formula"),
    [
        ("4-3-2-1", "W1", "exp(exp(exp(W1)))"),
        ("3-3-1", "W1", "exp(exp(exp(W1)))"),
        ("4-3-2-1", "W1", "exp(exp(exp(W1))) + delta1 x^T"),
        ("4-3-2-1", "W1", "2 exp(exp(W1 ⊙ W1 ⊙ W1))"),
        ("4-3-2-1", "W1", "tanh(exp(exp(exp(W1))))"),
    ],
)
def test_nested_exponentials_get_a_verdict_or_a_refusal(spec: str, wrt: str, formula: str) -> None:
    result = CliRunner().invoke(main, ["shapecheck", spec, "--wrt", wrt, formula])
    assert result.exit_code in (1, 2), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output


def test_lost_digits_of_a_huge_value_are_said_not_raised() -> None:
    huge = sp.Float("1.5e+1000000000000000", 40)
    low, high = sp.Matrix([[huge]]), sp.Matrix([[huge * 2]])
    text = numeric._lost(low, high, "your formula", 30, 60)
    assert "entry [0, 0] (row 1, column 1) of your formula is 1.5" in text
    assert "e+1000000000000000" in text


def test_a_numeric_counterexample_shows_twelve_digits_or_as_many_as_differ() -> None:
    a = sp.Float("0.1234567890123456789012345678901234567890", 100)
    b = sp.Float("0.7", 100)
    text = str(Counterexample("W1", 0, 0, a, b, {"n": 3}, False))
    assert "gives 0.123456789012, the gradient is 0.700000000000" in text
    close = sp.Float("0.1234567890123456789099", 100)
    text = str(Counterexample("W1", 0, 0, a, close, {"n": 3}, False))
    assert "gives 0.12345678901234567890123456789012346" in text, text


def test_sizes_of_no_dimension_are_refused_by_codegen_and_the_printers() -> None:
    """hostile34b #8: ``sb.codegen("4-3-1", sizes={"n0": 5})`` gave W1 of shape (3, 4) and said
    nothing, and ``sb.to_text`` printed ``x  n0 x 1  (5 x 1)`` for the 4-input network; the
    command line refuses both. A NumPy integer is a size like any int."""
    import numpy as np

    import symbackprop as sb
    from symbackprop.errors import SpecError

    for call in (
        lambda: sb.codegen("4-3-1", sizes={"n0": 5}),
        lambda: sb.codegen("n-3-1", sizes={"n": 4, "k": 3}),
        lambda: sb.codegen("n-3-1", sizes={"n": 4, "m": 7}),
        lambda: sb.to_text(sb.derive("4-3-1"), sizes={"n0": 5}),
        lambda: sb.to_markdown(sb.derive("n-3-1"), sizes={"k": 5}),
    ):
        with pytest.raises(SpecError, match=r"^sizes"):
            call()
    assert "W1 = np.empty" not in sb.codegen("n-3-1", sizes={"n": np.int64(4)})
    assert "(4 x 1)" in sb.to_text(sb.derive("n-3-1"), sizes={"n": np.int64(4)})
    assert "(4 x 2)" in sb.to_text(sb.derive("n-3-1", batch=True), sizes={"n": 4, "m": 2})


def test_sizes_that_name_a_number_or_m_of_a_single_example_say_so() -> None:
    """hostile36a #5: ``sizes={"m": 5}`` beside a single-example derivation was taken and
    ignored, and ``sizes={"n0": 7}`` for 4-3-2-1 said "no dimension 'n0' here; the
    dimensions: m", false twice (n0 is 4; a single example has no m)."""
    import symbackprop as sb
    from symbackprop.errors import SpecError

    d = sb.derive("4-3-2-1")
    with pytest.raises(SpecError, match=r"^sizes: m is the batch size, and this derivation is"):
        sb.to_text(d, sizes={"m": 5})
    fixed = r"^sizes: n0 is 4 in this network; its named widths: none \(every width is a number"
    with pytest.raises(SpecError, match=fixed):
        sb.to_latex(d, sizes={"n0": 7})
    with pytest.raises(SpecError, match=fixed):  # the same words in codegen (review36 #6)
        sb.codegen("4-3-2-1", sizes={"n0": 7})
    named = sb.derive("n-h-1")
    with pytest.raises(
        SpecError, match=r"^sizes: n2 is 1 in this network; its named widths: n, h$"
    ):
        sb.to_markdown(named, sizes={"n2": 3})


@pytest.mark.parametrize("literal", ["0x10", "0X1F", "0b101", "0o7"])
def test_a_python_integer_literal_is_refused_not_read_as_zero_times_a_name(literal: str) -> None:
    """hostile34b #9: ``J = 0x10 bce(...)`` read as 0 times a new parameter x10: a cost
    identically 0, which codegen wrote and check passed."""
    from symbackprop.errors import SymbackpropError
    from symbackprop.model import Model

    text = f"w : n x 1\nx : n x 1\nJ = {literal} sum(w ⊙ x)\nsizes: n = 3\ndata: x\n"
    with pytest.raises(SymbackpropError, match=rf"'{literal}' is a Python integer literal"):
        Model.parse(text)
    # 0 times a name written apart, and a name x alone after 0, still read as products
    Model.parse("w : n x 1\nx : n x 1\nJ = sum(w ⊙ x) + 0 sum(w)\nsizes: n = 3\ndata: x\n")


@pytest.mark.parametrize("keyword", ["data", "sizes"])
def test_a_declaration_named_like_a_statement_says_so(keyword: str) -> None:
    """hostile34b #10: ``data : n0 x m`` said "data name 'n0 x m': expected an ASCII
    identifier", read as the data: line."""
    from symbackprop.errors import SymbackpropError
    from symbackprop.model import Model

    with pytest.raises(SymbackpropError, match=rf"'{keyword}' is reserved for the '{keyword}:'"):
        Model.parse(f"{keyword} : n x 1\nw : n x 1\nJ = sum(w)\n")
