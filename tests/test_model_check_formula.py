"""shapecheck for a model (issue 11, item 5): a hand-written gradient of any parameter of any
model, in the model's own names (its values, data, parameters, constants, m, and the adjoints
dJ/d<name> written d<name>)."""

from __future__ import annotations

import pytest
from test_model_derive import (
    DEFINE,
    LOGDET_INV,
    LOGISTIC_SUM,
    NORM2_SQUARED,
    QUADRATIC,
    RESIDUAL_MLP,
    SOFTMAX_L2,
    TRACE,
)

import symbackprop as sb
from symbackprop.apps.shapecheck.typing_ import FormulaShapeError
from symbackprop.errors import FormulaError, SpecError
from symbackprop.model import Model


def _check(text: str, wrt: str, formula: str) -> sb.FormulaReport:  # type: ignore[name-defined]
    return sb.check_formula(Model.parse(text, define=DEFINE), wrt, formula)


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize(
    ("text", "wrt", "formula"),
    [
        (QUADRATIC, "x", "0.5 (A + A^T) x"),
        # the second parameter of a model, the other transpose: the same exact comparison
        pytest.param(QUADRATIC, "A", "0.5 x x^T", marks=pytest.mark.slow),
        (NORM2_SQUARED, "x", "2 A^T (A x - y)"),
        pytest.param(NORM2_SQUARED, "A", "2 (A x - y) x^T", marks=pytest.mark.slow),
        (LOGDET_INV, "X", "-inv(X)^T"),
        pytest.param(LOGDET_INV, "X", "-inv(X^T)", marks=pytest.mark.slow),
        (TRACE, "B", "X A^T C^T X^T"),
        # the adjoint of z1, dJ/dz1, is written dz1 (rowsum(dz1) keeps an adjoint by default)
        pytest.param(RESIDUAL_MLP, "W1", "dz1 X^T", marks=pytest.mark.slow),
        (RESIDUAL_MLP, "b1", "rowsum(dz1)"),
        # an adjoint times an indicator: the written-out form below keeps the indicator
        pytest.param(RESIDUAL_MLP, "W1", "((W2^T dh) ⊙ 1{z1 > 0}) X^T", marks=pytest.mark.slow),
        # written out in the model's names: dJ/dh = w (1/m) (sigmoid(w^T h + c) - Y)
        (RESIDUAL_MLP, "W1", "((W2^T (w ((1/m) (sigmoid(w^T h + c) - Y)))) ⊙ 1{z1 > 0}) X^T"),
        # a named constant, m, and the model's one broadcast (b repeated over the m columns)
        (SOFTMAX_L2, "W", "(1/m) (softmax(W X + b) - Y) X^T + (lam / m) W"),
    ],
)
def test_correct_formulas_are_accepted(text: str, wrt: str, formula: str) -> None:
    report = _check(text, wrt, formula)
    assert report.ok, (report.error, report.counterexample, report.notes)
    assert report.method == "exact"


def test_the_same_value_written_with_other_functions_is_equal_exactly() -> None:
    # the derivation has sigmoid(u) (log(exp(u) + 1) is softplus(u)); (1 + tanh(u/2))/2 is
    # the same number, read as sigmoid(u) through exp (an identity; numeric before hostile15 #6)
    formula = "X^T (-y ⊙ ((1 + tanh(-y ⊙ (X w) / 2)) / 2))"
    report = _check(LOGISTIC_SUM, "w", formula)
    assert report.ok and report.method == "exact"
    off = _check(LOGISTIC_SUM, "w", f"({formula}) (1 + 1/10^58)")
    assert off.equal is False and off.method == "exact"
    # exp(u) / (exp(u) + 1) is read as sigmoid(u) (an identity): decided exactly
    formula = "X^T (-y ⊙ (exp(-y ⊙ (X w)) / (exp(-y ⊙ (X w)) + 1)))"
    report = _check(LOGISTIC_SUM, "w", formula)
    assert report.ok and report.method == "exact"


def test_a_wrong_transpose_is_caught_and_the_right_arrangement_suggested() -> None:
    report = _check(LOGDET_INV, "X", "-inv(X)")
    assert report.error is None and report.equal is False
    assert report.counterexample is not None and report.counterexample.exact
    assert report.repair is not None and report.repair.equal
    assert report.repair.formula == "(-inv(X))^T"
    trace = _check(TRACE, "B", "X C A X^T")
    assert trace.equal is False
    assert trace.repair is not None and trace.repair.equal
    assert trace.repair.formula == "X A^T C^T X^T"


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_shape_break_is_located_and_repaired_in_the_models_names() -> None:
    report = _check(NORM2_SQUARED, "x", "2 A (A x - y)")
    assert isinstance(report.error, FormulaShapeError) and report.exit_code == 1
    assert report.error.position == 4 and "inner dimensions n and k differ" in report.error.message
    assert report.repair is not None and report.repair.formula == "2 A^T (A x - y)"
    adjoint = _check(RESIDUAL_MLP, "W1", "X dz1")
    assert adjoint.repair is not None and adjoint.repair.formula == "dz1 X^T"


def test_sum_where_a_column_is_expected_suggests_rowsum() -> None:
    report = _check(RESIDUAL_MLP, "b1", "sum(dz1)")
    assert isinstance(report.error, FormulaShapeError)
    assert any("rowsum(dz1); that equals the gradient" in note for note in report.notes)


def test_unknown_wrt_and_names_are_clear() -> None:
    with pytest.raises(SpecError, match="no name of the model; the model.s parameters are x, A"):
        _check(QUADRATIC, "y", "x")
    report = _check(QUADRATIC, "x", "dJ/dx")
    assert isinstance(report.error, FormulaError) and "written d<name>" in report.error.message
    single = _check(QUADRATIC, "x", "m x")
    assert single.error is not None and "batch form" in single.error.message
    unknown = _check(QUADRATIC, "x", "B x")
    assert unknown.error is not None and "this model has" in unknown.error.message


def test_a_derivation_of_a_model_is_accepted_and_batch_refused() -> None:
    d = sb.derive(Model.parse(QUADRATIC))
    assert sb.check_formula(d, "A", "0.5 x x^T").ok
    with pytest.raises(SpecError, match="batch="):
        sb.check_formula(Model.parse(QUADRATIC), "A", "0.5 x x^T", batch=True)


def test_zero_is_the_zero_matrix_the_derivation_prints_for_an_unused_parameter() -> None:
    # a parameter whose gradient is 0 (J reads it times 0); "0" was a shape error. (An
    # equation J never reads, which gave one before, is refused since session 26.)
    model = sb.Model.parse(
        "X : n x m\nP : k x n\nQ : n x 1\nJ = sum(Q - X) / m + 0 * sum(P X)\ndata: X\n"
    )
    report = sb.check_formula(model, "P", "0")
    assert report.ok and report.equal is True
    assert not sb.check_formula("4-3-1", "W1", "0").ok  # a zero where the gradient is not


def test_a_formula_that_does_not_parse_is_told_before_the_truth_is_written() -> None:
    """hostile49c #5: on a triplet loss, ``W +`` was told it lacks an operand after the
    truth's text took 30 s of CPU; the formula is parsed first, and a parse error carries no
    truth."""
    model = Model.parse(
        "a : n x 1\np : n x 1\nq : n x 1\nW : k x n\nsizes: n = 3, k = 2\n"
        "J = relu(norm2(W a - W p)^2 - norm2(W a - W q)^2 + 1)\ndata: a, p, q\n"
    )
    report = sb.check_formula(model, "W", "W +")
    assert report.error is not None and "expected an operand" in str(report.error)
    assert report.truth_text is None
