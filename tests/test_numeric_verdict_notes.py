"""A numeric "equal" always says what it could not see (hostile22 F4).

``(1 - softplus(-100)) dJ/dW2`` is off by 3.7e-44 relative: the exact comparison cannot hold
log(1 + exp(-100)) as a rational, so only the true functions compare it, to 35 digits, and
the verdict "to 35 digits ... (numeric check; not proved exactly)" came with no note saying
that a difference below 1e-35 is not seen (the README promises one).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb

ROOT = Path(__file__).resolve().parents[1]
TRUE_W2 = "((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T"


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("factor", ["(1 - softplus(-100))", "(1 + log(sigmoid(100)))"])
def test_a_constant_only_the_true_functions_evaluate_gets_its_note(factor: str) -> None:
    report = sb.check_formula("4-3-2-1", "W2", f"{factor} {TRUE_W2}")
    assert report.method == "numeric" and report.equal, report
    assert any("below 1e-35 would not be seen" in note for note in report.notes), report.notes


def test_an_exact_verdict_has_no_such_note() -> None:
    report = sb.check_formula("4-3-2-1", "W2", f"(1 + log(2) - log(2)) {TRUE_W2}")
    assert report.method == "exact" and report.ok and not report.notes


def test_a_models_numeric_equal_gets_the_note_too() -> None:
    """review22: the model path had no such note."""
    model = sb.Model.from_file(ROOT / "examples" / "models" / "logistic_sum.model")
    right = "X^T (sigmoid(-y ⊙ (X w)) ⊙ (-y))"
    report = sb.check_formula(model, "w", f"(1 - softplus(-100)) {right}")
    assert report.method == "numeric" and report.equal, report
    assert any("below 1e-35 would not be seen" in note for note in report.notes), report.notes
    assert not sb.check_formula(model, "w", right).notes


def test_a_models_undecided_exact_difference_is_told_as_undecided() -> None:
    """hostile36d #6: the note of a numeric "equal" after an exact difference claimed the
    formula "writes a value with other functions", also where the formula did not (a term
    1e-40 of the gradient's size dropped): it says the tables do not decide, names the
    relations a table forgets as one reason, and the digits the true functions saw."""
    model = sb.Model.from_file(ROOT / "examples" / "models" / "logistic_sum.model")
    rewritten = "X^T ((1 - sigmoid(y ⊙ (X w))) ⊙ (-y))"  # 1 - sigmoid(u) = sigmoid(-u)
    report = sb.check_formula(model, "w", rewritten)
    assert report.method == "numeric" and report.equal, report
    (note,) = report.notes
    assert "differs, and does not decide here" in note
    assert "a formula that writes a value with other functions" in note
    assert "below 1e-35 would not be seen" in note
    assert "the formula writes a value" not in note  # no claim about this formula
