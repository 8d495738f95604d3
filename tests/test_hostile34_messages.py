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
    assert "entry [0, 0] of your formula is 1.5" in text and "e+1000000000000000" in text


def test_a_numeric_counterexample_shows_twelve_digits_or_as_many_as_differ() -> None:
    a = sp.Float("0.1234567890123456789012345678901234567890", 100)
    b = sp.Float("0.7", 100)
    text = str(Counterexample("W1", 0, 0, a, b, {"n": 3}, False))
    assert "gives 0.123456789012, the gradient is 0.700000000000" in text
    close = sp.Float("0.1234567890123456789099", 100)
    text = str(Counterexample("W1", 0, 0, a, close, {"n": 3}, False))
    assert "gives 0.12345678901234567890123456789012346" in text, text
