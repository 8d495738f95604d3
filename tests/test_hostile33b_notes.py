"""Repairs, notes and messages of shapecheck that said false things (hostile33b, 2026-12-05).

Each verdict was right; the sentences around it were not: a repair printed "equals the
gradient" did not parse, a right use of ``sum`` was told to write ``rowsum``, a division by a
sigmoid was told where it is 0, a formula without constants was told it had one, and ``dJ``
typed alone was told about a ``/`` it did not have.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.model import Model

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


def _model(name: str) -> Model:
    return Model.from_file(MODELS / name)


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_a_repair_with_several_numbers_pastes_back_and_passes() -> None:
    """#1: '5 (1 / 4) 1 (1 / m) ((w ...' was refused as 'missing operator before number'."""
    model = _model("dropout.model")
    formula = "(((5/4) (w ((1/m) (sigmoid(w^T H + c) - Y)))) ⊙ M^T ⊙ 1{W1 X + b1 > 0}) X^T"
    report = sb.check_formula(model, "W1", formula)
    assert report.exit_code == 1 and report.repair is not None
    assert report.repair.equal, report.repair
    pasted = sb.check_formula(model, "W1", report.repair.formula)
    assert pasted.ok, (report.repair.formula, pasted.error)


@pytest.mark.slow  # 7 s: a model's exact comparison of two formulas
def test_a_right_sum_of_a_formula_of_the_right_shape_gets_no_rowsum_note() -> None:
    """#2: the negated truth of norm2_squared's dJ/dx (a sign error) was told to write
    rowsum for the sum inside its norm."""
    model = _model("norm2_squared.model")
    inner = "(2 * sqrt(sum((A x - y)^2))) ⊙ (1 / (2 * sqrt(sum((A x - y)^2))))"
    report = sb.check_formula(model, "x", f"-(A^T (({inner}) ⊙ (2 * (A x - y))))")
    assert report.exit_code == 1
    assert not any("rowsum" in note for note in report.notes), report.notes
    # where the shapes break and rowsum is what was meant, the note stays (batch b1)
    wrong = sb.check_formula("3-2-1", "b1", "sum(delta1)", batch=True)
    assert any("rowsum(delta1); that equals the gradient" in note for note in wrong.notes)


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_a_division_by_a_value_that_is_never_0_gets_no_note() -> None:
    """#4: '(a3 - y) / a3 * a3' was told 'where an entry of a3 is 0 the formula has no
    value'; a3 = sigmoid(z3) never is, nor 1 + exp(-z3). A division by z3 keeps its note."""
    for never in ("a3", "(1 + exp(-z3))", "exp(z3)"):
        report = sb.check_formula("4-3-2-1", "W3", f"((a3 - y) / {never} * {never}) a2^T")
        assert report.ok, (never, report.error)
        assert not any("divides by" in note for note in report.notes), (never, report.notes)
    report = sb.check_formula("4-3-2-1", "W3", "((a3 - y) / z3 * z3) a2^T")
    assert report.ok and any("divides by z3" in note for note in report.notes)
    # a model's softplus value too: never 0
    model = Model.parse("w : n x 1\nx : n x 1\ns = softplus(w)\nJ = sum(s ⊙ x)\ndata: x\n")
    report = sb.check_formula(model, "w", "(s ⊙ x ⊙ sigmoid(w)) / s")
    assert report.ok and not any("divides by" in note for note in report.notes), report.notes


def test_the_points_sentence_says_what_the_placed_values_are_beside() -> None:
    """#4: a sigmoid network's 1/a3 gave '(either side of the kinks at 0)': it has no kink."""
    report = sb.check_formula("4-3-2-1", "W3", "((a3 - y) / a3 * a3) a2^T")
    assert report.points is not None and "kink" not in report.points
    assert (
        "beside 0, where an argument of a piecewise expression of the formula or the derivation "
        "changes its piece" in report.points
    )


def test_a_value_with_no_rational_is_not_blamed_on_a_constant_alone() -> None:
    """#4: exp(z3) exp(-z3) has no constant; the note said 'a function of a constant'."""
    report = sb.check_formula("4-3-2-1", "W3", "((a3 - y) * exp(z3) * exp(-z3)) a2^T")
    assert report.ok and report.method == "numeric"
    (note,) = [n for n in report.notes if "no rational" in n]
    assert "exp(z3)" in note and "a function of a constant" not in note


def test_dj_alone_in_a_model_formula_is_told_that_j_is_the_cost() -> None:
    """#6: 'dJ (A x + A^T x)/2' was told "'/' divides in a formula"."""
    report = sb.check_formula(_model("quadratic.model"), "x", "dJ (A x + A^T x)/2")
    assert report.exit_code == 2
    assert "J is the cost (dJ/dJ = 1), so 'dJ' names nothing" in str(report.error)


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_a_formula_that_fits_is_offered_no_other_wrong_arrangement() -> None:
    """#8: an extra 1/m in the student's right grouping was offered '(1 / m^2) W3^T (A3 - Y)
    A2^T (1 - A2) A1^T', which fits and is not the gradient either (its element-wise
    products made matrix products)."""
    from click.testing import CliRunner

    from symbackprop.cli.main import main

    formula = "(1/m)(1/m)((W3^T (A3-Y)) * A2 * (1 - A2)) A1^T"
    report = sb.check_formula("4-3-2-1", "W2", formula, batch=True)
    assert report.exit_code == 1 and report.error is None
    assert report.repair is None
    assert any("times 1/m" in note for note in report.notes), report.notes
    args = ["shapecheck", "4-3-2-1", "--batch", "--wrt", "W2", formula]
    out = " ".join(CliRunner().invoke(main, args).output.split())
    # (the repair column wraps its words between the trace's rows)
    assert "yours; no arrangement of its" in out and "fits, but not the gradient" not in out
    # a formula whose shapes break still gets the arrangement that fits
    broken = sb.check_formula("n-3-2-1", "W2", "(a3 - y) W3^T a2(1 - a2) a1^T")
    assert broken.repair is not None and broken.repair.equal


def test_a_formula_without_a_value_at_the_point_is_not_said_to_give_0() -> None:
    """#3: ``relu(z3) / relu(z3)`` has no value where z3 <= 0; SymPy's multiply_elementwise
    read ``0 ⊙ zoo`` as 0, and the counterexample said "your formula gives 0" there."""
    report = sb.check_formula("4-3:relu-2:relu-1", "W3", "((a3 - y) * (relu(z3) / relu(z3))) a2^T")
    assert report.exit_code == 1 and report.counterexample is not None
    assert report.counterexample.yours != 0
    assert "undefined there" in str(report.counterexample), str(report.counterexample)


def test_entrywise_product_keeps_an_entry_without_a_value() -> None:
    """0 ⊙ zoo is nan (SymPy's own product), in every explicit evaluation."""
    import sympy as sp

    from symbackprop.core.entrywise import entrywise_product

    out = entrywise_product(sp.Matrix([[0, 2]]), sp.Matrix([[sp.zoo, 3]]), sp.Matrix([[1, 1]]))
    assert out[0, 0] is sp.nan and out[0, 1] == 6


@pytest.mark.slow  # 3 s: its comparison places points on both sides of the kink
def test_a_quotient_with_a_value_somewhere_is_not_refused_as_undefined() -> None:
    """#3: ``relu(sum(W3) + 100) / relu(sum(W3) + 100)`` is 1 wherever sum(W3) > -100; it was
    refused (exit 2) as "undefined, not a real number", its Piecewise having a zoo piece."""
    formula = "((a3 - y) * (relu(sum(W3) + 100) / relu(sum(W3) + 100))) a2^T"
    report = sb.check_formula("4-3:relu-2:relu-1", "W3", formula)
    assert report.error is None or "undefined" not in report.error, report.error
    assert report.exit_code in (0, 1)
    # one with no value anywhere is still refused
    nowhere = sb.check_formula("4-3:relu-2:relu-1", "W3", "(a3 - y) a2^T + 0 ⊙ (W3/0)")
    assert nowhere.exit_code == 2
