"""The factor notes of a wrong formula compare values, not spellings (hostile reader 22).

``((W3^T a3) ⊙ sigmoid'(z2)) a1^T`` lacks only the ``- y``; the notes said the derivation had
'1 - a2' and 'a2' as factors the formula did not (sigmoid'(z2) is a2 ⊙ (1 - a2)), sending a
student after factors that were right. ``sigmoid(z1)^T`` for ``a1^T`` likewise hid the note
"your formula is the gradient times 2".
"""

from __future__ import annotations

import symbackprop as sb


def test_a_derivative_by_name_counts_as_the_derivations_factors() -> None:
    report = sb.check_formula("4-3-2-1", "W2", "((W3^T a3) ⊙ sigmoid'(z2)) a1^T")
    assert report.exit_code == 1
    assert report.notes == [
        "the derivation has 'a3 - y' as a factor, which your formula does not",
        "your formula has 'a3', which the derivation does not",
    ]


def test_an_activation_by_name_counts_as_its_value() -> None:
    formula = "((W3^T (a3 - y)) ⊙ sigmoid'(z2)) sigmoid(z1)^T ⊙ 2"
    report = sb.check_formula("4-3-2-1", "W2", formula)
    assert report.exit_code == 1
    assert report.notes == ["the factors match, but your formula is the gradient times 2"]


def test_other_activations_too() -> None:
    formula = "((W3^T (a3 - y)) ⊙ tanh'(z2)) relu(z1)^T * 3"
    report = sb.check_formula("5-4:relu-3:tanh-1", "W2", formula)
    assert report.notes == ["the factors match, but your formula is the gradient times 3"]


def test_a_ratio_over_the_entries_of_a_written_out_sum_gets_no_note() -> None:
    """hostile32b #9: the ratio of ``1{sum(1{x ⊙ x > -1}) > 4.5} delta2 a1^T`` to the gradient
    came out of SymPy over the entries of the sum it wrote out, and the note printed its
    dummy index: 'times 1 where (n > 9/2) & ((x[_i_1, 0])^2 > -1); 0 otherwise'."""
    report = sb.check_formula("n-2-1", "W2", "1{sum(1{x ⊙ x > -1}) > 4.5} delta2 a1^T")
    assert report.exit_code == 1  # right only at n >= 5: not the gradient
    assert not any("_i" in note or "x[" in note for note in report.notes), report.notes
    # a ratio with words keeps its note
    report = sb.check_formula("n-2-1", "W2", "3 delta2 a1^T")
    assert report.notes == ["the factors match, but your formula is the gradient times 3"]
