"""Hostile round 11, finding 5: with an exp hidden activation the natural right answer
(``exp(z1)`` for the derivative of exp) got no verdict: the sample's z1 is about 20, so the
output sigmoid's argument W2 exp(z1) is ~1e9, past the numeric check's bound on a function's
argument (10,000, meant for towers of exp). One exp now passes; a tower still stops."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from symbackprop.cli.main import main


def _shapecheck(hidden: str, wrt: str, formula: str) -> int:
    done = CliRunner().invoke(
        main, ["shapecheck", "3-2-1", "--hidden", hidden, "--wrt", wrt, formula]
    )
    return done.exit_code


@pytest.mark.parametrize(
    ("hidden", "wrt", "formula", "code"),
    [
        ("ex2=exp(2*z)", "W1", "((W2^T delta2) ⊙ 2 exp(z1)^2) x^T", 0),
        ("ex2=exp(2*z)", "W1", "((W2^T delta2) ⊙ 2 exp(z1)) x^T", 1),  # exp(z1) short of exp(2 z1)
        pytest.param(
            "ex=exp(z)", "W1", "((W2^T delta2) ⊙ exp(z1)) x^T", 0, marks=pytest.mark.slow
        ),
        pytest.param("ex=exp(z)", "W2", "delta2 exp(z1)^T", 0, marks=pytest.mark.slow),
    ],
)
def test_an_exp_activations_derivative_written_as_exp_is_decided(
    hidden: str, wrt: str, formula: str, code: int
) -> None:
    assert _shapecheck(hidden, wrt, formula) == code
