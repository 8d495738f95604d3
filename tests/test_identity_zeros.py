"""A log, root or division of a value that is 0 by an identity of functions (hostile31 F8, F9).

``J = sum(w) + 0 * sum(log(sigmoid(w) + sigmoid(-w) - 1))`` has no value anywhere, yet
``check`` said "all checks passed": the exact check reads each function as a table of random
rationals (sigmoid(w) and sigmoid(-w) independent), and the generated code folds ``0 * ...``
away. The true functions at 30 and 60 digits show the argument is rounding noise around 0.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.cli.main import main

IDENTITIES = [
    ("w : 2 x 2", "sum(w) + 0 * sum(log(sigmoid(w) + sigmoid(-w) - 1))"),
    ("w : 2 x 2", "sum(w) + 0 * sum(log(exp(w) ⊙ exp(-w) - 1))"),
    ("w : 2 x 1", "sum(w) + 0 * log(sum(w ⊙ w) - norm2(w)^2)"),
    ("w : 2 x 2", "sum(w) + 0 * sum(sqrt(tanh(w) + tanh(-w)))"),
]


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize(("shape", "cost"), IDENTITIES)
def test_a_zero_by_an_identity_of_functions_is_no_value(
    shape: str, cost: str, tmp_path: Path
) -> None:
    model = sb.Model.parse(f"{shape}\nJ = {cost}\ndata:\n")
    result = sb.check_exact(model)
    assert not result.ok and result.cost_undefined, result
    assert "its argument is 0 to 60 digits (an identity of its functions)" in result.undecided
    spec = tmp_path / "identity.model"
    spec.write_text(f"{shape}\nJ = {cost}\ndata:\n")
    done = CliRunner().invoke(main, ["check", str(spec)])
    assert done.exit_code == 2 and "cannot decide" in done.output, done.output


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize(
    "cost",
    [
        "sum(log(exp(-50 (w ⊙ w))))",  # tiny, but the same at 30 and 60 digits: a value
        "sum(log(relu(w) + 1))",
        "sum(w) + 0 * sum(log(relu(w)))",  # 0 where w < 0 only: the exact check redraws
        "sum(log(sigmoid(w) + sigmoid(-w)))",  # 1, not 0
    ],
)
def test_a_value_that_is_not_zero_everywhere_is_checked_as_before(cost: str) -> None:
    model = sb.Model.parse(f"w : 2 x 2\nJ = {cost}\ndata:\n")
    result = sb.check_exact(model)
    assert result.ok and not result.cost_undefined, result


@pytest.mark.parametrize(
    "part",
    [
        "log(sigmoid(W2) + sigmoid(-W2) - 1)",
        "log(tanh(W2) + tanh(-W2))",
        "(sigmoid(W2) + sigmoid(-W2) - 1)^(-1)",
    ],
)
def test_shapecheck_refuses_a_formula_part_zero_by_an_identity(part: str) -> None:
    """hostile31 F9: ``delta2 a1^T + 0 * sum(log(sigmoid(W2) + sigmoid(-W2) - 1))`` passed:
    15-digit floats rounded the argument to a tiny positive number (the same with
    ``1 - sigmoid(W2) - sigmoid(-W2)`` rounding negative was refused: the sign decided)."""
    report = sb.check_formula("3-2-1", "W2", f"delta2 a1^T + 0 * sum({part})")
    assert report.exit_code == 2 and report.error is not None, report
    assert "undefined at every point" in report.error.message or "not a real" in (
        report.error.message
    )


@pytest.mark.parametrize(
    "part",
    [
        "log(relu(W2))",  # 0 where W2 < 0 only: a domain, not an identity
        "log(sigmoid(W2))",
        "sqrt(exp(W2) ⊙ exp(-W2) - 1)",  # sqrt(0) = 0 is a value
        "log(exp(-50 (W2 ⊙ W2)))",  # tiny, the same at 30 and 60 digits
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_shapecheck_keeps_a_part_with_a_value(part: str) -> None:
    report = sb.check_formula("3-2-1", "W2", f"delta2 a1^T + 0 * sum({part})")
    assert report.ok, report


def test_a_width_written_as_a_product_of_ones_is_no_internal_error() -> None:
    """hostile32b #1: ``(x^0)^T x^0`` in a coefficient made SymPy's simplify raise
    "noncommutative scalars in MatMul" out of the factor notes: exit 3."""
    formula = "(1 + ((x^0)^T x^0 - 2)((x^0)^T x^0 - 3)) * ((a1 - y) x^T)"
    report = sb.check_formula("2-1", "W1", formula)
    assert report.exit_code == 1 and report.equal is False, report


def test_a_determinant_of_an_elementwise_power_is_decided_at_a_point() -> None:
    """hostile32b #2: det(A ⊙ A^0) was no number at a point (SymPy's doit leaves A^0 of an
    explicit matrix as it is), so its 7 x 7 determinant was expanded symbolically: 44 s
    (the suite's per-test timeout guards the time; decided at a point, it takes one)."""
    from symbackprop.apps.shapecheck import at_sizes

    n = sp.Symbol("n", integer=True, positive=True)
    A = sp.MatrixSymbol("A", n, n)
    det = sp.Determinant(sp.HadamardProduct(A, sp.HadamardPower(A, 0)))
    assert at_sizes.finite_real(at_sizes.number_at_a_point(det, {n: 7}))
    report = sb.check_formula("examples/models/quadratic.model", "A", "det(A ⊙ A^0) x x^T")
    assert report.exit_code == 1, report
