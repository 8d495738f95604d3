"""The shape checker: a student's formula, its shape trace, verdict and repair."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import strategies as st
from hypothesis_twins import twins

import symbackprop as sb
from symbackprop.apps.shapecheck.typing_ import FormulaShapeError
from symbackprop.errors import FormulaError, SpecError

LECTURE = sb.Network.parse("n-3-2-1")
BOARD = "(a3 - y) W3^T a2(1 - a2) a1^T"
REPAIRED = "((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T"


def test_lecture_factor_by_factor_formula_is_rejected_at_the_first_mismatch() -> None:
    report = sb.check_formula(LECTURE, "W2", BOARD)
    assert not report.ok and report.exit_code == 1
    assert isinstance(report.error, FormulaShapeError)
    # the juxtaposition of (a3 - y) and W3^T: n3 x 1 times n2 x n3
    assert report.error.position == BOARD.index("W3")
    assert "inner dimensions 1 and n2 differ" in report.error.message
    assert [row.text for row in report.trace][-2:] == ["W3", "W3^T"]
    assert report.trace[-1].shape == "n2 x n3" and report.trace[-1].concrete == "2 x 1"


def test_lecture_repair_is_the_board_formula_and_is_accepted() -> None:
    report = sb.check_formula(LECTURE, "W2", BOARD)
    assert report.repair is not None
    assert report.repair.formula == REPAIRED
    assert report.repair.equal
    typed_in = sb.check_formula(LECTURE, "W2", report.repair.formula)
    assert typed_in.ok and typed_in.exit_code == 0 and typed_in.method == "exact"


@pytest.mark.parametrize(
    "formula",
    [
        REPAIRED,
        "(W3.T @ (a3 - y) * a2 * (1 - a2)) @ a1.T",
        "delta2 a1^T",
        "(W3^T delta3 ⊙ sigmoid'(z2)) a1^T",
        "((W3^T (yhat - y)) * a2 * (1 - a2)) @ a1.T",
    ],
)
def test_right_formulas_in_several_notations(formula: str) -> None:
    report = sb.check_formula(LECTURE, "W2", formula)
    assert report.ok, (report.error, report.counterexample)


def test_square_layer_w_for_w_transpose_is_caught() -> None:
    net = sb.Network.parse("4-4-4-1")
    report = sb.check_formula(net, "W1", "((W2 delta2) ⊙ a1 ⊙ (1 - a1)) x^T")
    assert not report.ok
    assert isinstance(report.error, FormulaShapeError)
    assert "n1 and n2 differ" in report.error.message
    assert any("happen to fit" in note for note in report.notes)
    assert report.repair is not None and report.repair.equal
    assert report.repair.formula == "((W2^T delta2) ⊙ a1 ⊙ (1 - a1)) x^T"


def test_well_shaped_but_wrong_formula_gets_a_counterexample() -> None:
    report = sb.check_formula(LECTURE, "W2", "((W3^T (a3 - y)) ⊙ a2 ⊙ a2) a1^T")
    assert report.error is None and report.equal is False and report.exit_code == 1
    ce = report.counterexample
    assert ce is not None and ce.exact and ce.yours != ce.truth
    assert any("1 - a2" in note for note in report.notes)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_relu_indicator_and_batch_rowsum() -> None:
    net = sb.Network.parse("3-3:relu-2:relu-1:sigmoid")
    # delta = dJ/dZ already carries the 1/m of the mean, so the bias gradient is a plain sum
    assert sb.check_formula(net, "b1", "rowsum((W2^T delta2) ⊙ 1{Z1 > 0})", batch=True).ok
    twice = sb.check_formula(net, "b1", "(1/m) * rowsum((W2^T delta2) ⊙ 1{Z1 > 0})", batch=True)
    assert twice.equal is False and twice.counterexample is not None
    assert sb.check_formula(net, "W1", "((W2^T delta2) * relu'(z1)) x^T").ok


def test_formula_with_exp_is_compared_numerically() -> None:
    net = sb.Network.parse("3-2-1")
    report = sb.check_formula(net, "W1", "((W2^T delta2) ⊙ exp(-z1) ⊙ a1 ⊙ a1) x^T")
    assert report.method == "numeric" and report.ok


def test_wrong_result_shape_is_a_shape_error() -> None:
    report = sb.check_formula(LECTURE, "W2", "a1 delta2^T")
    assert isinstance(report.error, FormulaShapeError)
    assert "n1 x n2" in report.error.message
    assert report.repair is not None and report.repair.formula == "delta2 a1^T"


def test_one_by_one_matrix_is_not_a_number() -> None:
    report = sb.check_formula(LECTURE, "W3", "(a3 - y) * a2^T")
    assert isinstance(report.error, FormulaShapeError)
    assert "element-wise product needs equal shapes" in report.error.message


def test_unknown_parameter_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="W9"):
        sb.check_formula(LECTURE, "W9", "a1")


@pytest.mark.parametrize(
    "formula",
    [
        "",
        "   ",
        "(",
        "W3 ((",
        "__import__('os').system('ls')",
        "a1.__class__",
        "lambda: 0",
        "x; y",
        "a1 + ",
        "9" * 31,
        "(" * 150 + "a1" + ")" * 150,
        "a" * 2001,
        "foo @ a1",
        "a1.shape",
        "`ls`",
        "$HOME",
        "(10^30)^(10^30) * delta2 @ a1.T",
        "exp(10^30) * delta2 @ a1.T",
        "(delta2 @ a1.T)^(10^30)",
        "2^2^2^2^2^2 * delta2 a1^T",
    ],
)
def test_hostile_or_malformed_formulas_are_formula_errors(formula: str) -> None:
    report = sb.check_formula(LECTURE, "W2", formula)
    assert isinstance(report.error, FormulaError)
    assert not isinstance(report.error, FormulaShapeError)
    assert report.exit_code == 2 and report.error.message


@twins(st.text(alphabet="Wbaxyz0123T+-*/@^().' {}<>⊙ ", max_size=40), examples=60)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_random_text_never_raises_anything_but_a_report(text: str) -> None:
    report = sb.check_formula(LECTURE, "W2", text)
    assert report.exit_code in (0, 1, 2)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "symbackprop", "shapecheck", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_cli_shows_trace_and_repair_side_by_side_plain_when_piped() -> None:
    done = _cli("n-3-2-1", "--wrt", "W2", BOARD)
    assert done.returncode == 1
    assert "\x1b[" not in done.stdout  # plain when piped
    assert "shape trace" in done.stdout and "repair" in done.stdout
    line = next(ln for ln in done.stdout.splitlines() if "fits" in ln)
    assert REPAIRED in line and "W3" in line  # the trace and the repair share rows
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_the_repair_panel_shares_rows_with_the_trace_in_process() -> None:
    """The default twin of the process test above (review17 S1): the CLI's panel puts the
    repair beside the shape trace's rows, and the error is one line on stderr."""
    from click.testing import CliRunner

    from cli.main import main

    done = CliRunner().invoke(main, ["shapecheck", "n-3-2-1", "--wrt", "W2", BOARD])
    assert done.exit_code == 1
    assert "\x1b[" not in done.stdout and "shape trace" in done.stdout
    line = next(ln for ln in done.stdout.splitlines() if "fits" in ln)
    assert REPAIRED in line and "W3" in line
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


@pytest.mark.slow
def test_cli_exit_codes() -> None:
    assert _cli("n-3-2-1", "--wrt", "W2", REPAIRED).returncode == 0
    assert _cli("4-4-4-1", "--wrt", "W1", "((W2 delta2) * a1 * (1 - a1)) @ x.T").returncode == 1
    for bad in ["W3 ((", "a" * 2001, "1" * 31, "(" * 101 + "a1" + ")" * 101]:
        done = _cli("n-3-2-1", "--wrt", "W2", bad)
        assert done.returncode == 2, bad[:20]
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert _cli("n-3-2-1", "--wrt", "W9", "a1").returncode == 2


def test_custom_activation_derivative_by_name() -> None:
    net = sb.Network.parse("3-2:swish-1:sigmoid", define={"swish": "z*sigmoid(z)"})
    assert sb.check_formula(net, "W1", "((W2^T delta2) * swish'(z1)) x^T").ok
    wrong = sb.check_formula(net, "W1", "((W2^T delta2) * sigmoid'(z1)) x^T")
    assert wrong.equal is False and wrong.counterexample is not None


def test_sum_adds_all_entries_and_rowsum_sums_each_row() -> None:
    net = sb.Network.parse("3-2-1")
    # sum(...) is a number: it scales like one; rowsum(...) is a column
    report = sb.check_formula(net, "b2", "rowsum(delta2)", batch=True)
    assert report.ok
    trace = {row.text: row.shape for row in report.trace}
    assert trace["rowsum(delta2)"] == "n2 x 1"
    scaled = sb.check_formula(
        net, "W1", "(W2^T delta2 ⊙ a1 ⊙ (1 - a1)) x^T + sum(delta1 - delta1) W1"
    )
    assert scaled.ok
    assert {row.text: row.shape for row in scaled.trace}["sum(delta1 - delta1)"] == "number"


def test_sum_where_a_column_is_expected_gets_a_note_suggesting_rowsum() -> None:
    net = sb.Network.parse("3-2-1")
    report = sb.check_formula(net, "b1", "(1/m) sum(delta1)", batch=True)
    assert isinstance(report.error, FormulaShapeError) and report.exit_code == 1
    (note,) = [n for n in report.notes if "rowsum" in n]
    assert "adds all the entries" in note and "(1 / m) rowsum(delta1)" in note
    assert "equals the gradient" not in note  # the 1/m is one too many in batch form
    right = sb.check_formula(net, "b1", "sum(delta1)", batch=True)
    assert any(n.endswith("rowsum(delta1); that equals the gradient") for n in right.notes)


def test_the_truth_and_repairs_write_a_column_sum_as_rowsum() -> None:
    net = sb.Network.parse("3-2-1")
    report = sb.check_formula(net, "b2", "delta2", batch=True)
    assert report.truth.startswith("rowsum(") and "sum(" not in report.truth.replace("rowsum(", "")


def test_a_note_and_a_counterexample_print_a_sum_in_the_formula_language() -> None:
    """hostile15 5d: the note printed SymPy's index sum, ``sigmoid(Sum(W1[_i_1, _i_2], (_i_1,
    0, n1 - 1), (_i_2, 0, n0 - 1)) + 100)``, and the counterexample
    ``-4131*sigmoid(1421/15)/80000``; the note's factor now reads (and parses) as typed. The
    tables' difference is confirmed with the true functions, and the counterexample gives their
    values: a number, with the sigmoid of a constant evaluated (both agree to 12 digits, so it
    shows 35)."""
    net = sb.Network.parse("3-2-1")
    report = sb.check_formula(net, "W2", "delta2 a1^T ⊙ sigmoid(sum(W1 ⊙ W1) + 1)")
    assert report.exit_code == 1
    (note,) = [n for n in report.notes if "the gradient times" in n]
    assert note.endswith("the gradient times sigmoid(sum(W1^2) + 1)")
    yours = str(report.counterexample).split("your formula gives ")[1].split(", the gradient")[0]
    assert "sigmoid" not in yours and "Sum(" not in yours
    assert "numerically" in str(report.counterexample) and not report.counterexample.exact
    assert float(yours) != 0


def test_a_factor_of_the_sizes_that_is_1_only_where_compared_is_refused() -> None:
    """hostile25: ``((m-2)(m-3)(m-4) + 1) delta2 A1^T`` equals the gradient at m = 2, 3, 4,
    the sizes the check compared, and passed; at m = 5 it is 7 times the gradient. The
    coefficients are now compared as expressions of the sizes. (m = 7 and m = 1 are compared
    too now, the mirrored setting and every size at 1, so its factor is 0 there as well.)"""
    net = sb.Network.parse("4-3-2-1")
    formula = "((m-1)*(m-2)*(m-3)*(m-4)*(m-7)+1) * (delta2 A1^T)"
    wrong = sb.check_formula(net, "W2", formula, batch=True)
    assert wrong.exit_code == 1
    assert any("which is 1 at the sizes compared but not at every size" in n for n in wrong.notes)
    for right in ("delta2 A1^T", "(m/m) * (delta2 A1^T)", "(A1 delta2^T)^T"):
        assert sb.check_formula(net, "W2", right, batch=True).exit_code == 0, right


def test_a_formula_that_leaves_the_weight_decay_out_is_wrong_at_any_l2() -> None:
    """hostile40b #8: at --l2 1, λ was the number 1 and ``delta2 a1^T + W2`` passed; λ is
    drawn at random as the inputs are, and the note says the formula lacks it."""
    network = sb.Network.parse("4-3-2-1", l2=1.0)
    report = sb.check_formula(network, "W2", "delta2 a1^T + W2")
    assert report.exit_code == 1 and report.equal is False
    assert any("weight decay λ, your formula does not" in note for note in report.notes)
    assert sb.check_formula(network, "W2", "delta2 a1^T + lambda W2").ok
    batch = sb.check_formula(network, "W2", "delta2 A1^T + (λ/m) W2", batch=True)
    assert batch.ok, batch
