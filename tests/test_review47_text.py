"""Session 47's sentences: hints and notes that offered another quantity or said what was not."""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb

SIGMA = (
    "X : n x m\nY : 1 x m\nsizes: n = 4\nsigma = sigmoid(w^T X)\nJ = bce(sigma, Y)\ndata: X, Y\n"
)


@pytest.mark.parametrize(
    ("formula", "hint", "not_said"),
    [
        ("(1/m) X (sigmod(w^T X) - Y)^T", "did you mean 'sigmoid'?", "'sigma'"),
        ("delta1", "a model has no deltas", "did you mean"),
        ("da2", "names no value a2", "did you mean"),
        ("dZ2", "names no value Z2", "did you mean"),
    ],
)
def test_a_models_unknown_name_gets_the_hint_for_what_it_looks_like(
    formula: str, hint: str, not_said: str
) -> None:
    """review47 #3: the close-value hint ran first for every unknown name of a model: sigmod
    was told 'sigma', delta1 'da1' (the adjoint of another value), da2 'da1'."""
    report = sb.check_formula(sb.Model.parse(SIGMA), "w", formula)
    assert report.exit_code == 2 and report.error is not None
    error = str(report.error)
    assert hint in error and not_said not in error


def test_a_models_adjoint_in_the_other_case_is_offered() -> None:
    """review47 #7: dropout's dh was told "no adjoint of H is computed" beside a listed dH."""
    model = sb.Model.from_file(Path("examples/models/dropout.model"))
    error = str(sb.check_formula(model, "W1", "dh").error)
    assert "did you mean 'dH'?" in error and "no adjoint" not in error


@pytest.mark.parametrize("formula", ["delta2[0]", "W2[0, 1]"])
def test_an_entry_index_is_told_there_is_no_indexing(formula: str) -> None:
    """review47 #9: "use parentheses" made delta2(0), delta2 times 0, of delta2[0]."""
    error = str(sb.check_formula("4-3-2-1", "W2", formula).error)
    assert "no entry indexing" in error and "use parentheses" not in error


def test_a_plain_sum_cost_is_not_told_of_a_factor_of_m() -> None:
    """review47 #5: logistic_sum's cost has no 1/m; its gradient times m was put down to "the
    cost's factor of m", which it does not have."""
    model = sb.Model.from_file(Path("examples/models/logistic_sum.model"))
    times = sb.check_formula(model, "w", "-m X^T (y ⊙ sigmoid(-y ⊙ (X w)))")
    assert "your formula is the gradient times m: a factor m the cost does not have" in (
        times.notes
    )
    over = sb.check_formula(model, "w", "-(1/m) X^T (y ⊙ sigmoid(-y ⊙ (X w)))")
    assert any("divided by m: the cost has no mean" in note for note in over.notes)


@pytest.mark.parametrize(
    ("define", "shown"),
    [
        ("2*log(1+z^2)", "(4 W/(W^2 + 1))"),
        ("z/(1+z^2)", "-2 W^2/(W^2 + 1)^2 + 1/(W^2 + 1)"),
    ],
)
def test_a_body_quotient_of_a_sum_has_one_pair_of_brackets(define: str, shown: str) -> None:
    """review47 #6: 4 W/((W^2 + 1)) and -2 W^2/((W^2 + 1)^2), a sum bracketed twice."""
    model = sb.Model.parse("W : 2 x 3\nJ = sum(f(W))\n", define={"f": define})
    text = sb.to_text(sb.derive(model), expanded=True)
    assert shown in text and "((W^2" not in text
