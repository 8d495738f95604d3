"""A model formula wrong only where some data has a negative entry says so (hostile35c #1).

Inverted dropout's ``H = relu(W1 X + b1) ⊙ M / 0.8`` with a mask M of 0s and 1s: the lecture's
``1{H > 0}`` for relu'(W1 X + b1) is right for every mask >= 0, since where M is 0 the product
is 0 either way. The model does not say M is never negative, so the verdict stays "not the
gradient" (a counterexample with a negative entry of M), and a note names M as the data whose
sign the formula needs; no such note for a formula that is wrong at every sign.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb

ROOT = Path(__file__).resolve().parents[1]
OUTER = "(5/4) (1/m) (w (sigmoid(w^T H + c) - Y))"


@pytest.fixture(scope="module")
def dropout() -> sb.Model:
    return sb.Model.from_file(ROOT / "examples" / "models" / "dropout.model")


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_a_formula_right_for_a_nonnegative_mask_is_wrong_with_a_note_naming_the_mask(
    dropout: sb.Model,
) -> None:
    report = sb.check_formula(dropout, "W1", f"({OUTER} ⊙ M ⊙ 1{{H > 0}}) X^T")
    assert report.error is None and report.equal is False and report.counterexample is not None
    (note,) = [note for note in report.notes if "never negative" in note]
    assert "every entry of M >= 0" in note and "X" not in note.split("dropout")[0]
    assert "the model does not say so" in note


def test_the_right_formula_has_no_such_note(dropout: sb.Model) -> None:
    report = sb.check_formula(dropout, "W1", f"({OUTER} ⊙ M ⊙ 1{{W1 X + b1 > 0}}) X^T")
    assert report.equal and not any("never negative" in note for note in report.notes)


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize(
    "formula",
    [
        f"({OUTER} ⊙ 1{{H > 0}}) X^T",  # the mask's factor dropped: wrong for every mask
        f"(2 {OUTER} ⊙ M ⊙ 1{{H > 0}}) X^T",  # twice the gradient where M >= 0
    ],
)
def test_a_formula_wrong_at_every_sign_has_no_such_note(dropout: sb.Model, formula: str) -> None:
    report = sb.check_formula(dropout, "W1", formula)
    assert report.equal is False
    assert not any("never negative" in note for note in report.notes), report.notes


@pytest.mark.parametrize("formula", ["x ⊙ y ⊙ 1{y < 1000}", "x ⊙ y ⊙ 1{y > 0.001}"])
def test_a_threshold_far_from_1_gets_no_sign_note(formula: str) -> None:
    """review37 #4: wrong for y > 1000 or 0 < y < 0.001 too, and noted as right for y >= 0:
    non-negative data are drawn at three scales now, and a difference a kink's search found
    is no sign's alone."""
    report = sb.check_formula(ROOT / "examples" / "models" / "dot.model", "v", formula)
    assert report.equal is False
    assert not any("never negative" in note for note in report.notes), report.notes


@pytest.mark.slow  # 4-10 s: the dropout model
def test_a_formula_wrong_where_the_mask_has_zeros_gets_no_sign_note(dropout: sb.Model) -> None:
    """hostile37c #4: right only for M > 0 (it counts M's zeros), and noted as right where M is
    never negative, "a dropout mask of 0s and 1s, say": non-negative draws have zeros now."""
    right = f"({OUTER} ⊙ M ⊙ 1{{W1 X + b1 > 0}}) X^T"
    report = sb.check_formula(dropout, "W1", f"{right} + sum(1{{M <= 0}}) W1")
    assert report.equal is False
    assert not any("never negative" in note for note in report.notes), report.notes


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_small_masked_model_gets_the_note_in_the_default_suite() -> None:
    """The note's positive case at n = 2 (about 2 s; the dropout model's takes 17 s and runs
    in the slow suite): ``1{H > 0}`` for relu'(W x) where H = relu(W x) ⊙ M."""
    model = sb.Model.parse(
        "x : n x 1\nM : n x 1\nW : n x n\nsizes: n = 2\nH = relu(W x) ⊙ M\nJ = sum(H)\n"
        "data: x, M\n"
    )
    report = sb.check_formula(model, "W", "(M ⊙ 1{H > 0}) x^T")
    assert report.exit_code == 1 and report.counterexample is not None
    (note,) = [note for note in report.notes if "never negative" in note]
    assert "every entry of M >= 0" in note and "x" not in note.split("M >= 0")[0]
    assert sb.check_formula(model, "W", "(M ⊙ 1{W x > 0}) x^T").exit_code == 0
