"""Issue 9, formula items: no hang (3.1, 3.2), true notes (5.2), printed repairs that parse back
(5.3), lambda and m (5.4), and the precedence of matrix products (5.5)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_twins import twins

import symbackprop as sb
from symbackprop.apps.shapecheck import check as check_module
from symbackprop.apps.shapecheck.check import BOUND_TEXT
from symbackprop.apps.shapecheck.repair import any_grouping
from symbackprop.apps.shapecheck.typing_ import FormulaShapeError
from symbackprop.errors import FormulaError
from symbackprop.formula import parse
from symbackprop.formula.ast import structure, to_text
from symbackprop.render.formula import to_formula

SQUARE = sb.Network.parse("4-4-4-1")
LECTURE = sb.Network.parse("4-3-2-1")
ISSUE_3_1 = "((W2 @ ((W3.T @ (a3 - y)) * a2 * (1 - a2))) * a1 * (1 - a1)) @ x.T"
RIGHT_W1 = "((W2^T ((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2))) ⊙ a1 ⊙ (1 - a1)) x^T"


def _same(first: object, second: object) -> bool:
    """Equal expressions, up to the order SymPy gives the operands of ⊙ when it canonicalises."""
    return first == second or first.doit() == second.doit()  # type: ignore[attr-defined]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "symbackprop", "shapecheck", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=60,  # a hang detector, not a speed assertion
    )


# -- 3.1: the repair search is structural and budgeted --------------------------------------


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_3_1_square_lecture_formula_is_repaired() -> None:
    report = sb.check_formula(SQUARE, "W1", ISSUE_3_1)
    assert isinstance(report.error, FormulaShapeError)
    assert report.repair is not None and report.repair.equal
    assert report.repair.formula == RIGHT_W1
    assert sb.check_formula(SQUARE, "W1", report.repair.formula).ok


@pytest.mark.parametrize(
    ("spec", "wrt", "formula"),
    [
        ("3-3-3-3", "W1", "((W2 @ ((W3 @ (a3 - y)) * a2 * (1 - a2))) * a1 * (1 - a1)) @ x.T"),
        ("3-3-3-3", "W1", "x ((W2^T ((W3^T (a3 - y)) * a2 * (1 - a2))) * a1 * (1 - a1))^T"),
        ("4-4-4-1", "W1", "(W2 (W3 (a3 - y) ⊙ a2 ⊙ (1 - a2)) ⊙ a1 ⊙ (1 - a1)) x"),
        ("3-3-3-3", "W2", "(a3 - y) W3^T a2(1 - a2) a1^T"),
    ],
)
def test_3_1_written_out_formulas_on_square_networks_find_the_repair(
    spec: str, wrt: str, formula: str
) -> None:
    report = sb.check_formula(sb.Network.parse(spec), wrt, formula)
    assert not report.ok
    assert report.repair is not None and report.repair.equal, report.notes
    assert sb.check_formula(sb.Network.parse(spec), wrt, report.repair.formula).ok


def test_3_1_budget_stops_the_search_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    shapes = [("n1", 1), ("n1", "n0"), (1, "n1"), ("n1", 1), ("n1", 1)]
    search = any_grouping(shapes, ("n1", "n0"), budget=10)
    assert search.stopped and search.built == 10
    monkeypatch.setattr(check_module, "REPAIR_BUDGET", 10)
    report = sb.check_formula(SQUARE, "W1", "(a3 - y) W3 a2 (1 - a2) W2 a1 (1 - a1) x^T")
    assert any("search stopped after 10 arrangements" in note for note in report.notes)


@pytest.mark.slow
def test_3_1_cli_finishes() -> None:
    done = _cli("4-4-4-1", "--wrt", "W1", "--", ISSUE_3_1)
    assert (
        done.returncode == 1
        and RIGHT_W1 in done.stdout.replace("\n", " ")
        or ("equals the gradient" in done.stdout)
    )
    assert "Traceback" not in done.stderr


# -- 3.2: explosive formulas are bounded by construction -------------------------------------


def test_3_2_exp_tower_is_refused_with_a_reason() -> None:
    report = sb.check_formula(LECTURE, "W3", "exp(exp(exp(exp(exp(exp(a3)))))) a2^T")
    assert report.exit_code == 2 and isinstance(report.error, FormulaError)
    assert BOUND_TEXT in report.error.message and "exp" in report.error.message


def test_3_2_powers_of_powers_are_refused() -> None:
    report = sb.check_formula(LECTURE, "W3", "((a3^999)^999)^999 a2^T")
    assert report.exit_code == 2 and report.error is not None
    assert "degree" in report.error.message


@pytest.mark.parametrize(
    "formula",
    [
        "exp(exp(exp(a3))) a2^T",
        "sin(exp(exp(exp(a3)))) a2^T",
        "sigmoid(exp(exp(exp(z3)))) a2^T",
        "log(exp(exp(exp(a3)))) a2^T",
        "(1 + a3)^999 a2^T",
        "((1 + a3)^999 ⊙ (1 + a3)^999 ⊙ (1 + a3)^999) a2^T",
        "(a3^100)^100 a2^T",
        "999999999999999999999999999999 (a3 - y) a2^T",
        "log(a3 - a3) a2^T",
        "(a3 - y) / (a3 - a3) a2^T",
        "sqrt(-a3) a2^T",
        "(a3 ⊙ a3 ⊙ a3 ⊙ a3 ⊙ a3 ⊙ a3 ⊙ a3 ⊙ a3 ⊙ a3 ⊙ a3) a2^T",
    ],
)
def test_3_2_small_explosive_formulas_end_with_a_verdict(formula: str) -> None:
    report = sb.check_formula(LECTURE, "W3", formula)
    assert report.exit_code in (1, 2)


@pytest.mark.slow
def test_3_2_cli_exp_tower_exits_2() -> None:
    done = _cli("4-3-2-1", "--wrt", "W3", "exp(exp(exp(exp(exp(exp(a3)))))) a2^T")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


# -- 5.2: every note is true -----------------------------------------------------------------


def test_5_2_width_one_note_names_the_width_not_shared_widths() -> None:
    report = sb.check_formula(LECTURE, "W3", "(a3 - y)^T a2^T")
    note = next(n for n in report.notes if "happen to fit" in n)
    assert "n3 = 1" in note and "share" not in note and "n1 = 3" not in note


def test_5_2_square_note_names_the_equal_widths() -> None:
    report = sb.check_formula(SQUARE, "W1", ISSUE_3_1)
    note = next(n for n in report.notes if "happen to fit" in n)
    assert "n1 = n2 = 4" in note and "n0" not in note


def test_5_2_batch_delta_with_extra_one_over_m_is_a_factor_1_over_m() -> None:
    report = sb.check_formula(LECTURE, "W3", "(1/m) delta3 A2^T", batch=True)
    assert report.equal is False
    assert not any("delta3, which" in n for n in report.notes)
    assert any("times 1/m" in n and "already includes the 1/m" in n for n in report.notes)


def test_5_2_factor_with_its_own_problem_is_quoted_whole() -> None:
    formula = "(A3 - Y W3^T) A2 ⊙ (1 - A2) A1^T"
    report = sb.check_formula(LECTURE, "W2", formula, batch=True)
    note = next(n for n in report.notes if n.startswith("no repair"))
    quoted = note.split("'")[1]
    assert quoted.count("(") == quoted.count(")")
    assert quoted == to_text(parse("A3 - Y W3^T"))


# -- 5.3: printed repairs parse back ---------------------------------------------------------


def test_5_3_coefficients_and_powers_print_in_the_formula_language() -> None:
    batch = sb.check_formula(LECTURE, "W3", "(1/m) (1/m) delta3 A2^T", batch=True)
    text = to_formula(batch.expression)
    assert "**" not in text
    again = sb.check_formula(LECTURE, "W3", text, batch=True)
    assert _same(again.expression, batch.expression)
    single = sb.check_formula(LECTURE, "W2", "((W3^T delta3) / (1 + exp(-z2))^2) a1^T")
    text = to_formula(single.expression)
    assert "^2^" not in text
    assert _same(sb.check_formula(LECTURE, "W2", text).expression, single.expression)


# formulas for dJ/dW2 of 4-3-2-1: a column (n2 x 1) built from the network's columns, times a1^T
_COLUMNS = st.sampled_from(["a2", "z2", "delta2", "W3^T delta3", "b2", "(1 - a2)"])


def _column(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from([" ⊙ ", " * ", " + ", " - ", " / "]), children).map(
            lambda t: f"({t[0]}{t[1]}{t[2]})"
        ),
        st.tuples(st.sampled_from(["exp", "sigmoid", "tanh", "sigmoid'", "abs"]), children).map(
            lambda t: f"{t[0]}({t[1]})"
        ),
        st.tuples(children, st.sampled_from(["2", "3", "-1", "(1/2)", "-2"])).map(
            lambda t: f"({t[0]})^{t[1]}"
        ),
        st.tuples(st.sampled_from(["2", "0.5", "(1/3)", "-1"]), children).map(
            lambda t: f"{t[0]} {t[1]}" if not t[0].startswith("-") else f"({t[0]}) {t[1]}"
        ),
        children.map(lambda c: f"1{{{c} > 0}}"),
        children.map(lambda c: f"-{c}"),
    )


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.recursive(_COLUMNS, _column, max_leaves=5))
def test_5_3_printed_expressions_parse_back_equal(column: str) -> None:
    formula = f"({column}) a1^T"
    report = sb.check_formula(LECTURE, "W2", formula)
    if report.expression is None:
        return  # over a limit (or an exp tower): nothing typed to print
    text = to_formula(report.expression)
    again = sb.check_formula(LECTURE, "W2", text)
    assert again.error is None or again.exit_code != 2, (text, again.error)
    assert _same(again.expression, report.expression), text


@twins(
    st.lists(
        st.sampled_from(
            ["a", "W3", "z2", "(", ")", " + ", " - ", " * ", " ⊙ ", " / ", " @ ", " ", "^T"]
            + ["^2", "exp(", "sigmoid'(", "2", "0.5", "-", "λ", "1{z > 0}"]
        ),
        max_size=25,
    ),
    examples=200,
)
def test_5_3_ast_printer_round_trip(parts: list[str]) -> None:
    try:
        tree = parse("".join(parts))
    except FormulaError:
        return
    for reading in (False, True):
        assert structure(parse(to_text(tree, reading=reading))) == structure(tree)


@pytest.mark.parametrize(
    ("spec", "wrt", "formula", "batch"),
    [
        ("n-3-2-1", "W2", "(a3 - y) W3^T a2(1 - a2) a1^T", False),
        ("4-4-4-1", "W1", ISSUE_3_1, False),
        ("4-3-2-1", "W3", "a2^T (a3 - y)", False),
        ("4-3-2-1", "W2", "(A3 - Y) W3^T A2(1 - A2) A1^T (1/m)", True),
        ("4-3-2-1", "W2", "A2 ⊙ (1 - A2) ⊙ W3 delta3 A1^T", True),
        ("4-3:relu-2:tanh-1", "W1", "W2 delta2 ⊙ 1{z1 > 0} x^T", False),
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_5_3_every_printed_repair_parses_back_and_is_accepted(
    spec: str, wrt: str, formula: str, batch: bool
) -> None:
    net = sb.Network.parse(spec)
    report = sb.check_formula(net, wrt, formula, batch=batch)
    assert report.repair is not None
    again = sb.check_formula(net, wrt, report.repair.formula, batch=batch)
    assert _same(again.expression, report.repair.expr)
    assert again.ok == report.repair.equal


@pytest.mark.slow
def test_5_3_truth_prints_and_parses_back() -> None:
    specs = ("4-3-2-1", "4-3:relu-2:tanh-3:softmax", "4-3:leaky_relu-2:softplus-1:identity")
    for spec in specs:
        for batch in (False, True):
            loss = "ce" if "softmax" in spec else "mse" if "identity" in spec else "bce"
            net = sb.Network.parse(spec, loss=loss, l2=0.1)
            derivation = sb.derive(net, batch=batch)
            for wrt, gradient in derivation.expanded.items():
                assert sb.check_formula(derivation, wrt, to_formula(gradient)).ok


# -- 5.4: lambda and m -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "batch"),
    [
        ("delta3 a2^T + (λ) W3", False),  # as `derive --l2` prints it
        ("delta3 a2^T + lambda W3", False),
        ("delta3 A2^T + (λ/m) W3", True),
        ("delta3 A2^T + (lambda/m) W3", True),
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_5_4_lambda_as_the_derivation_prints_it(formula: str, batch: bool) -> None:
    net = sb.Network.parse("4-3-2-1", l2=0.1)
    assert sb.check_formula(net, "W3", formula, batch=batch).ok


@pytest.mark.slow
def test_5_4_derivation_prints_lambda_as_accepted() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "symbackprop", "derive", "4-3-2-1", "--l2", "0.1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "λ W3" in done.stdout and "(λ) W3" not in done.stdout


def test_5_4_m_and_lambda_where_they_do_not_exist() -> None:
    single = sb.check_formula(LECTURE, "W3", "(1/m) delta3 a2^T")
    assert single.exit_code == 2 and single.error is not None
    assert "--batch" in single.error.message
    no_l2 = sb.check_formula(LECTURE, "W3", "delta3 a2^T + lambda W3")
    assert no_l2.exit_code == 2 and no_l2.error is not None
    assert "--l2" in no_l2.error.message


# -- 5.5: the matrix product binds tighter than ⊙ * / ------------------------------------------


def test_5_5_product_first_as_students_read() -> None:
    assert structure(parse("sigmoid'(z2) ⊙ W3^T delta3")) == structure(
        parse("sigmoid'(z2) ⊙ (W3^T delta3)")
    )
    report = sb.check_formula(LECTURE, "W2", "(sigmoid'(z2) ⊙ W3^T delta3) a1^T")
    assert report.ok
    assert report.reading == "(sigmoid'(z2) ⊙ (W3^T delta3)) a1^T"
    assert any(row.text == "sigmoid'(z2) ⊙ (W3^T delta3)" for row in report.trace)


def test_5_5_no_reading_when_brackets_say_it() -> None:
    report = sb.check_formula(LECTURE, "W2", "(sigmoid'(z2) ⊙ (W3^T delta3)) a1^T")
    assert report.ok and report.reading is None


def test_5_5_division_by_a_product() -> None:
    # a / b c is a / (b c): shown, and the trace says so
    report = sb.check_formula(
        sb.Network.parse("4-3-2-1", l2=0.1), "W3", "delta3 A2^T + λ/m W3", batch=True
    )
    assert report.reading == "delta3 A2^T + lambda / (m W3)"
    assert not report.ok


@pytest.mark.slow
def test_5_5_cli_shows_the_reading() -> None:
    done = _cli("4-3-2-1", "--wrt", "W2", "(sigmoid'(z2) ⊙ W3^T delta3) a1^T")
    assert done.returncode == 0
    assert "read as (sigmoid'(z2) ⊙ (W3^T delta3)) a1^T" in done.stdout
