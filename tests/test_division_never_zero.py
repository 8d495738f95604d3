"""A division by a part whose entries are never 0 gets no note of where they are 0
(hostile41d #2): ``1 + w ⊙ w`` is at least 1, ``sum(exp(w))`` a sum of positive entries.
A division by a part that can be 0 (``w ⊙ w``, ``1 - w ⊙ w``, ``sum(w)``) keeps its note."""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.apps.shapecheck.boundary import division_note
from symbackprop.formula.parser import parse

VALUES = {"w", "W", "X", "y"}


@pytest.mark.parametrize(
    "divisor",
    [
        "(1 + w ⊙ w)",
        "(w ⊙ w + 1)",
        "(w^2 + 1/2)",
        "(abs(w) + exp(w))",
        "sum(exp(w))",
        "(sum(w ⊙ w) + 1)",
        "(1 + (W X) ⊙ (W X))",
        "(relu(w) + sqrt(w ⊙ w) + 2)",
    ],
)
def test_never_zero_divisors_get_no_note(divisor: str) -> None:
    assert division_note(parse(f"w / {divisor}"), VALUES) is None


@pytest.mark.parametrize(
    "divisor",
    [
        "(w ⊙ w)",
        "(1 - w ⊙ w)",
        "sum(w)",
        "(w + 1)",
        "(w^3 + 1)",
        "(w ⊙ y + 1)",
        "(1 + w^T X)",
        "(norm2(w) + abs(w))",
    ],
)
def test_divisors_that_can_be_zero_keep_the_note(divisor: str) -> None:
    note = division_note(parse(f"w / {divisor}"), VALUES)
    assert note is not None and "has no value" in note


def test_a_right_model_formula_dividing_by_one_plus_a_square_passes_without_a_note(
    tmp_path: Path,
) -> None:
    path = tmp_path / "e.model"
    path.write_text(
        "W : k x n\nX : n x m\nsizes: k = 2, n = 3\ndata: X\nJ = sum(log(W X ⊙ W X + 1))\n"
    )
    report = sb.check_formula(sb.Model.from_file(path), "W", "((2 W X) / (W X ⊙ W X + 1)) X^T")
    assert report.ok, report.error
    assert not any("divides by" in note for note in report.notes), report.notes


def test_a_sum_of_exponentials_of_products_has_no_pole_to_find(tmp_path: Path) -> None:
    """The pole search read one entry of exp(W X) + exp(W X + b 1^T) and gave up at the sum
    over n inside W X ("could not be found ... the check cannot decide"): a sum of reals is
    real, so the entry is a sum of two exponentials, never 0."""
    path = tmp_path / "h.model"
    path.write_text(
        "W : k x n\nb : k x 1\nX : n x m\nsizes: k = 2, n = 3\ndata: X\n"
        "J = sum(log(exp(W X + b) + exp(W X)))\n"
    )
    model = sb.Model.from_file(path)
    right = "rowsum(exp(W X + b) / (exp(W X + b) + exp(W X)))"
    report = sb.check_formula(model, "b", right)
    assert report.ok, report.error
    wrong = sb.check_formula(model, "b", "rowsum(exp(W X) / (exp(W X + b) + exp(W X)))")
    assert wrong.exit_code == 1, wrong.error
