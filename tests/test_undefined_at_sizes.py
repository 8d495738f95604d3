"""A formula's part undefined only at the sizes it is compared at (leftovers of round 11).

``A - A^T`` is singular at every point at an odd n, ``x^T (A - A^T) x`` is 0 at every size, and
``a1^T (a1 - a1)`` is a 1 x 1 zero: SymPy folds ``0 inv(...)`` and ``0 W2/(...)`` to 0 when the
formula is built, so these wrong formulas passed as the gradient. They are refused at their
part, exit 2, and a refusal says where a matrix is undefined (``log(A - A^T)``: its diagonal).
"""

from __future__ import annotations

import pytest
import sympy as sp
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.apps.shapecheck import at_sizes
from symbackprop.cli.main import main
from symbackprop.errors import FormulaError
from symbackprop.model import Model
from symbackprop.records.nodes import T, entrywise

QUADRATIC = "examples/models/quadratic.model"  # x : n x 1, A : n x n, n = 3, J = 0.5 x^T A x
_n, _m = sp.symbols("n m")
_A = sp.MatrixSymbol("A", _n, _n)
_x = sp.MatrixSymbol("x", _n, 1)
_X = sp.MatrixSymbol("X", _n, _m)


def _quadratic() -> Model:
    with open(QUADRATIC, encoding="utf-8") as file:
        return Model.parse(file.read())


def test_an_antisymmetric_matrix_is_singular_at_odd_sizes_only() -> None:
    skew = _A - _A.T
    assert at_sizes.singular_everywhere(at_sizes.written_out(skew, {_n: 3}))
    assert not at_sizes.singular_everywhere(at_sizes.written_out(skew, {_n: 2}))
    assert not at_sizes.singular_everywhere(at_sizes.written_out(_A + _A.T, {_n: 3}))
    # rank m < n: X X^T (3 x 3 from a 3 x 2 X) is singular at every point
    assert at_sizes.singular_everywhere(at_sizes.written_out(_X * _X.T, {_n: 3, _m: 2}))
    assert not at_sizes.singular_everywhere(at_sizes.written_out(_X * _X.T, {_n: 2, _m: 3}))


def test_a_quadratic_form_of_an_antisymmetric_matrix_is_zero() -> None:
    form = (_x.T * (_A - _A.T) * _x)[0, 0]
    assert at_sizes.zero_everywhere(at_sizes.written_out(form, {_n: 3}))
    assert not at_sizes.zero_everywhere(at_sizes.written_out((_x.T * _A * _x)[0, 0], {_n: 3}))


def test_log_of_an_antisymmetric_matrix_is_undefined_on_its_diagonal_only() -> None:
    value = entrywise(sp.Lambda(T, sp.log(T)), _A - _A.T)
    entries = at_sizes.written_out(value, {_n: 3})
    assert at_sizes.undefined_entries(entries) == [(0, 0), (1, 1), (2, 2)]
    three = sp.MatrixSymbol("A", 3, 3)
    assert entries[0, 1] == sp.log(three[0, 1] - three[1, 0])


@pytest.mark.parametrize(
    ("formula", "part"),
    [
        ("0.5 x x^T + 0 inv(A - A^T)", "inv(A - A^T)"),
        ("0.5 x x^T + 0 logdet(A - A^T) A", "logdet(A - A^T)"),
        ("0.5 x x^T + 0 A/(x^T (A - A^T) x)", "x^T (A - A^T) x"),
    ],
)
def test_a_part_undefined_at_the_models_size_is_refused(formula: str, part: str) -> None:
    done = CliRunner().invoke(main, ["shapecheck", QUADRATIC, "--wrt", "A", formula])
    assert done.exit_code == 2, done.output
    assert f"'{part}'" in done.output and "n = 3" in done.output


def test_a_one_by_one_zero_kept_as_an_entry_is_refused() -> None:
    report = sb.check_formula("4-3-2-1", "W2", "delta2 a1^T + 0 W2/(a1^T (a1 - a1))")
    assert isinstance(report.error, FormulaError) and report.exit_code == 2, report.error
    assert "'0 W2 / a1^T (a1 - a1)' is undefined" in report.error.message


@pytest.mark.parametrize(
    "formula",
    [
        "0.5 x x^T + 0 det(A - A^T) A",  # det is 0 there: a value, defined
        pytest.param("0.5 x x^T + 0 inv(A + A^T)", marks=pytest.mark.slow),  # invertible
        pytest.param("0.5 x x^T + 0 A/(x^T A x)", marks=pytest.mark.slow),
    ],
)
def test_a_part_defined_at_the_models_size_is_compared(formula: str) -> None:
    report = sb.check_formula(_quadratic(), "A", formula)
    assert report.error is None and report.exit_code == 0, report.error


def test_the_refusal_says_where_a_matrix_is_undefined() -> None:
    report = sb.check_formula(_quadratic(), "A", "0.5 x x^T + 0 log(A - A^T)")
    assert isinstance(report.error, FormulaError) and report.exit_code == 2
    assert "'log(A - A^T)' is undefined on its diagonal" in report.error.message
    assert "every entry" not in report.error.message


@pytest.mark.parametrize(
    ("formula", "part"),
    [
        ("0.5 x x^T + 0 log(softmax(A) - softmax(A)^T)", "log(softmax(A) - softmax(A)^T)"),
        pytest.param(
            "0.5 x x^T + 0 A/(softmax(A) - softmax(A)^T)",
            "0 A / (softmax(A) - softmax(A)^T)",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_a_softmax_minus_its_transpose_is_judged_at_the_compared_sizes(
    formula: str, part: str
) -> None:
    """softmax's generic entry holds a column sum with its own dummy index, so SymPy cannot
    cancel S[0, 0] - S^T[0, 0]; at n = 3 the diagonal is 0 and log(0), x/0 are undefined."""
    report = sb.check_formula(_quadratic(), "A", formula)
    assert isinstance(report.error, FormulaError) and report.exit_code == 2, report.error
    assert f"'{part}' is undefined on its diagonal" in report.error.message


@pytest.mark.slow
def test_a_softmax_plus_its_transpose_is_compared() -> None:
    report = sb.check_formula(_quadratic(), "A", "0.5 x x^T + 0 A/(softmax(A) + softmax(A)^T)")
    assert report.error is None and report.exit_code == 0, report.error


LOGDET_INV = "examples/models/logdet_inv.model"  # X : n x n, n = 3, J = log(det(inv(X)))


@pytest.mark.parametrize(
    ("spec", "wrt", "formula", "part", "why"),
    [
        (LOGDET_INV, "X", "-inv(X)^T + 0/(det(X) - det(X^T))", "0 / (det(X) - det(X^T))", "0"),
        (LOGDET_INV, "X", "-inv(X)^T + 0 * log(det(X) - det(X^T))", "log(", "a log of 0"),
        (LOGDET_INV, "X", "-inv(X)^T + 0 sqrt(tr(X) - tr(X^T) - 1)", "sqrt(", "no real number"),
        (LOGDET_INV, "X", "-inv(X)^T + 0 (tr(X) - tr(X^T))^(-1)", "(tr(X)", "a division by 0"),
        # refused by the sampled check or written out, whichever runs first: both say so
        ("4-3-2-1", "W2", "delta2 a1^T + log(sum(a1) - sum(a1^T)) * 0", "log(", "real"),
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_number_zero_only_once_written_out_is_refused_before_0_folds_it(
    spec: str, wrt: str, formula: str, part: str, why: str
) -> None:
    """det(X) - det(X^T), tr(X) - tr(X^T) and sum(a1) - sum(a1^T) are 0 at every point, which
    their symbolic forms do not show: 0 times their log, their inverse or a root of a negative
    number folded to 0 and these formulas, undefined everywhere, passed as the gradient
    (hostile29). Each is refused at its part, exit 2, saying why."""
    report = sb.check_formula(spec, wrt, formula)
    assert isinstance(report.error, FormulaError) and report.exit_code == 2, report
    message = report.error.message
    assert f"'{part}" in message and why in message, message


#: logdet_inv without its sizes: compared at n = 2, then 3 and 4
LOGDET_INV_ANY_N = "X : n x n\nJ = log(det(inv(X)))\ndata:"


@pytest.mark.parametrize(
    ("formula", "part", "where"),
    [
        # det(X - X^T) is 0 at odd n only: defined at the first sizes compared (n = 2)
        ("-inv(X)^T + 0 * log(det(X - X^T))", "log(det(X - X^T))", "n = 3"),
        ("-inv(X)^T + 0 * (det(X - X^T))^(-1)", "det(X - X^T)^-1", "n = 3"),
    ],
)
def test_a_number_undefined_only_at_a_later_size_is_refused(
    formula: str, part: str, where: str
) -> None:
    """Only the first compared sizes were judged, and det(X - X^T) was not written out as its
    polynomial (doit() left it as it stands): 0 times its log passed at n = 2, 3 and 4."""
    report = sb.check_formula(Model.parse(LOGDET_INV_ANY_N), "X", formula)
    assert isinstance(report.error, FormulaError) and report.exit_code == 2, report
    message = report.error.message
    assert f"'{part}" in message and f"undefined at {where}" in message, message


def test_a_nearly_vanishing_number_is_still_compared() -> None:
    """log(det(X) - det(X^T) + 1) is log(1) = 0: defined, so 0 times it is compared (and is
    the gradient)."""
    report = sb.check_formula(LOGDET_INV, "X", "-inv(X)^T + 0 log(det(X) - det(X^T) + 1)")
    assert report.ok and report.exit_code == 0, report


def test_an_undefined_counterexample_is_said_in_words_not_zoo() -> None:
    """SymPy's ``zoo`` (1/0) was printed as "your formula gives zoo"."""
    from symbackprop.apps.shapecheck.check import Counterexample

    text = str(Counterexample("X", 0, 1, sp.zoo, sp.Rational(1, 2), {"n": 3}, exact=True))
    assert "your formula is undefined there, the gradient is 1/2" in text
    assert "zoo" not in text


def test_a_formula_over_a_model_with_no_value_anywhere_is_undecided_not_wrong() -> None:
    """hostile31 F4: every formula was "not the gradient", exit 1, saying "your formula gives
    cannot be evaluated (...), the gradient is None": the model has no value at any point
    drawn (tr(w) - tr(w^T) is 0), so no gradient to compare with."""
    model = Model.parse("w : 2 x 2\nJ = sum(w) + 0 * log(tr(w) - tr(w^T))\ndata:")
    report = sb.check_formula(model, "w", "w")
    assert report.exit_code == 2 and report.equal is None, report
    assert isinstance(report.error, FormulaError)
    message = report.error.message
    assert (
        "the model or its derivative has no value at any of the 60 points drawn (log of 0)"
        in message
    )
    assert "None" not in message and report.counterexample is None


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_product_through_a_narrower_dimension_is_singular_from_its_shapes() -> None:
    """hostile31 F7: inv(A^T A) with A 4 x 5 (the third setting) was written out and its 5 x 5
    determinant expanded: a minute. Its rank is at most 4, read from the shapes."""
    r, c = sp.symbols("r c")
    A = sp.MatrixSymbol("A", r, c)
    assert at_sizes.rank_deficient(A.T * A, {r: 4, c: 5})
    assert not at_sizes.rank_deficient(A.T * A, {r: 5, c: 4})
    assert not at_sizes.rank_deficient(A.T * A + sp.Identity(c), {r: 4, c: 5})
    model = Model.parse("A : r x c\nw : c x 1\nb : r x 1\nJ = 0.5 norm2(A w - b)^2\ndata: A, b")
    report = sb.check_formula(model, "w", "A^T A (w - inv(A^T A) A^T b)")
    assert report.exit_code == 2 and "'inv(A^T A)' is undefined at" in report.error.message


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("formula", ["dW1", "2 dW1 - dW1", "dz1 X^T + 0 dW1"])
def test_a_model_formula_may_not_write_the_gradient_it_is_checked_as(formula: str) -> None:
    """hostile32 #6: dW1 and 2 dW1 - dW1 "equal dJ/dW1 exactly": true, and circular."""
    report = sb.check_formula("examples/models/residual_mlp.model", "W1", formula)
    assert report.exit_code == 2 and isinstance(report.error, FormulaError), report
    assert "'dW1' is dJ/dW1, the gradient this formula is checked as" in report.error.message
    assert sb.check_formula("examples/models/residual_mlp.model", "W1", "dz1 X^T").ok
