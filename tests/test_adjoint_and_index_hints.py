"""Hints for a name or a bracket the formula language does not have: each says what was meant.

review47b left three: ``dZ`` on a model with a parameter ``d`` was told "did you mean 'd'?" (a
parameter for an adjoint), ``(a2 - y)[0]`` "use parentheses" (an entry is no grouping), and
``dyhat`` "no adjoint of yhat is computed" (yhat is the output, which every parameter reaches
the cost through).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb


def test_an_adjoint_of_no_value_is_not_offered_a_one_letter_parameter() -> None:
    model = sb.Model.from_file(Path("examples/models/two_heads.model"))
    error = str(sb.check_formula(model, "V", "dZ H^T").error)
    assert "did you mean 'd'?" not in error
    assert "this model names no value Z" in error


@pytest.mark.parametrize("formula", ["(a2 - y)[0]", "sigmoid(z3)[0] a2^T"])
def test_an_index_after_a_bracket_is_told_there_is_no_indexing(formula: str) -> None:
    error = str(sb.check_formula("4-3-2-1", "W3", formula).error)
    assert "no entry indexing" in error and "use parentheses" not in error


@pytest.mark.parametrize("formula", ["[a3 - y] a2^T", "(a3 - y) [a2^T]"])
def test_square_brackets_for_grouping_are_told_to_be_parentheses(formula: str) -> None:
    """After a space, '[' groups (review48 #7), right after ')' it indexes."""
    error = str(sb.check_formula("4-3-2-1", "W3", formula).error)
    assert "use parentheses" in error


@pytest.mark.parametrize(
    ("batch", "formula", "hint"),
    [
        (False, "dyhat a2^T", "dJ/da3 has no name here: write it from the loss; dJ/dz3 = delta3"),
        (True, "dYhat A2^T", "dJ/dA3 has no name here: write it from the loss; dJ/dZ3 = delta3"),
    ],
)
def test_the_adjoint_of_the_output_is_told_how_to_write_it(
    batch: bool, formula: str, hint: str
) -> None:
    error = str(sb.check_formula("4-3-2-1", "W3", formula, batch=batch).error)
    assert hint in error and "no adjoint" not in error
