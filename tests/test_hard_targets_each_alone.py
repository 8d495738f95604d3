"""Each target of a model with two heads is compared hard alone too, the other soft.

A formula wrong only where Y1 is a hard label and Y2 is soft passed: the hard targets were
compared all at once, where ``Y2 ⊙ (1 - Y2)`` is 0 (hostile48a #2).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb

RIGHT = "((1/m) (softmax(V H + d) - Y2)) H^T"


@pytest.mark.slow  # a model's crossing search: over 1 s of the default suite's time
def test_a_formula_wrong_at_one_hard_target_beside_a_soft_one_fails() -> None:
    model = sb.Model.from_file(Path("examples/models/two_heads.model"))
    formula = f"{RIGHT} + ((Y2 ⊙ (1 - Y2)) ⊙ (d 1{{Y1 <= 0}})) H^T"
    report = sb.check_formula(model, "V", formula)
    assert report.exit_code == 1 and report.equal is False
    assert any("every entry of Y1 is 0 or 1" in note for note in report.notes), report.notes


@pytest.mark.slow
def test_the_right_formula_still_passes() -> None:
    model = sb.Model.from_file(Path("examples/models/two_heads.model"))
    report = sb.check_formula(model, "V", RIGHT)
    assert report.exit_code == 0 and report.equal
