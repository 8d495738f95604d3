"""Hostile round 11, findings 2 and 3: a formula undefined in every entry (log of a zero matrix,
a matrix divided by 0) passed shapecheck as the gradient, because SymPy folds ``0 * log(0)`` to
0 before any value is compared, and ``W2/0 - W2/0`` crashed SymPy's MatAdd (exit 3). Such a
formula is refused at its undefined part, like the constants ``log(0)`` and ``1/0`` already are.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.cli.main import main
from symbackprop.errors import FormulaError
from symbackprop.model import Model

SUM_OF_INFINITIES = "delta2 a1^T + W2/0 - W2/0"  # exit 3 before: a NaN in MatAdd
QUADRATIC = "x : n x 1\nA : n x n\nb : n x 1\nJ = x^T A x + b^T x\nsizes: n = 3\ndata:\n"


@pytest.mark.parametrize(
    ("formula", "part"),
    [
        ("delta2 a1^T + 0 log(W2 - W2)", "log(W2 - W2)"),
        ("delta2 a1^T + (W2 - W2) ⊙ log(W2 - W2)", "log(W2 - W2)"),
        ("delta2 a1^T + 0 ⊙ (W2/0)", "W2 / 0"),
        ("delta2 a1^T + W2/0 - W2/0", "W2 / 0"),
        ("delta2 a1^T - W2/0 + W2/0", "W2 / 0"),
        ("delta2 a1^T + 0 ⊙ (W2/(W2 - W2))", "W2 / (W2 - W2)"),
        ("delta2 a1^T + (W2 - W2)/0", "(W2 - W2) / 0"),  # 0/0; SymPy folds it to 0
        ("delta2 a1^T + 0 W2/0", "0 W2 / 0"),
        ("delta2 a1^T + 0 (W2 - W2)^(-1)", "(W2 - W2)^-1"),
        ("delta2 a1^T + 0 log(W2 ⊙ (W2 - W2))", "log(W2 ⊙ (W2 - W2))"),
        ("delta2 a1^T + 0 sqrt(W2 - W2 - 1)", "sqrt(W2 - W2 - 1)"),
    ],
)
def test_a_matrix_undefined_in_every_entry_is_refused_at_its_part(formula: str, part: str) -> None:
    report = sb.check_formula("4-3-2-1", "W2", formula)
    assert isinstance(report.error, FormulaError) and report.exit_code == 2, report.error
    assert f"'{part}'" in report.error.message
    assert "not a real number" in report.error.message


@pytest.mark.parametrize(
    "formula",
    [
        "(A + A^T) x + b + 0 log(x - x)",
        "(A + A^T) x + b + 0 ⊙ (x/0)",
        "(A + A^T) x + b + x/0 - x/0",
    ],
)
def test_a_models_undefined_matrix_is_refused(formula: str) -> None:
    report = sb.check_formula(Model.parse(QUADRATIC), "x", formula)
    assert isinstance(report.error, FormulaError) and report.exit_code == 2, report.error


@pytest.mark.parametrize(
    ("formula", "part"),
    [
        ("x x^T + 0 inv(A - A)", "inv(A - A)"),
        ("x x^T + 0 logdet(A - A) A", "logdet(A - A)"),
        ("x x^T + 0 A / det(A - A)", "0 A / det(A - A)"),
    ],
)
def test_a_models_singular_matrix_function_is_refused(formula: str, part: str) -> None:
    report = sb.check_formula(Model.parse(QUADRATIC), "A", formula)
    assert isinstance(report.error, FormulaError) and report.exit_code == 2, report.error
    assert f"'{part}'" in report.error.message


@pytest.mark.parametrize(
    "formula",
    [
        "delta2 a1^T + 0 log(W2 ⊙ W2 + 1)",  # defined: log(w^2 + 1) is real everywhere
        pytest.param("delta2 a1^T + (W2 - W2) ⊙ W2", marks=pytest.mark.slow),
        pytest.param("delta2 a1^T + 0 sigmoid(W2 - W2)", marks=pytest.mark.slow),
    ],
)
def test_a_defined_matrix_times_zero_still_equals(formula: str) -> None:
    assert sb.check_formula("4-3-2-1", "W2", formula).ok


def test_the_command_refuses_w2_over_0_minus_itself_in_one_line() -> None:
    done = CliRunner().invoke(main, ["shapecheck", "4-3-2-1", "--wrt", "W2", SUM_OF_INFINITIES])
    assert done.exit_code == 2, done.output
    assert "'W2 / 0' is undefined in every entry" in done.output


def _process(formula: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "symbackprop", "shapecheck", "4-3-2-1", "--wrt", "W2", formula],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("formula", "part"),
    [(SUM_OF_INFINITIES, "W2 / 0"), ("delta2 a1^T + 0 log(W2 - W2)", "log(W2 - W2)")],
)
def test_the_cli_process_refuses_in_one_line(formula: str, part: str) -> None:
    done = _process(formula)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"'{part}'" in lines[0] and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("formula", "right"),
    [
        ("2 (A + A^T) x + b + 0 log(x - x + 1)", False),  # log(1) = 0: defined, and wrong
        ("(A + A^T) x + b + sigmoid'(x - x) ⊙ x - 0.25 x", True),  # sigmoid'(0) = 1/4
        ("(A + A^T) x + b + sigmoid'(x - x) ⊙ x - 0.5 x", False),
        ("(A + A^T) x + b + tanh'(x - x) ⊙ x - x", True),  # tanh'(0) = 1
    ],
)
def test_a_function_of_a_constant_matrix_that_is_real_is_compared(
    formula: str, right: bool
) -> None:
    """Review of round 11: the every-entry rule refused sigmoid'(A - A), which SymPy cannot
    show real (a derivative's function at 0), as 'not a real number'; only an entry SymPy
    shows undefined or not real is refused, the rest is compared."""
    report = sb.check_formula(Model.parse(QUADRATIC), "x", formula)
    assert report.error is None or report.exit_code == 1, report.error
    assert report.exit_code == (0 if right else 1)


@pytest.mark.parametrize(
    "formula",
    [
        "2 (A + A^T) x + b + 0 inv(A - A + 1) x",  # the ones matrix: singular from n = 2 on
        "2 (A + A^T) x + b + 0 logdet(A - A + 1) x",
        "2 (A + A^T) x + b + 0 log(tr(A - A)) x",  # tr(0) = 0, log(0): never evaluated before
    ],
)
def test_inv_det_logdet_tr_of_a_constant_matrix_is_refused(formula: str) -> None:
    """Review of round 11, F2/F3: SymPy leaves Determinant(1) and Trace(0) unevaluated, so
    0 inv(A - A + 1) folded to 0 and a wrong formula passed as the gradient."""
    report = sb.check_formula(Model.parse(QUADRATIC), "x", formula)
    assert isinstance(report.error, FormulaError) and report.exit_code == 2, report.error
    assert "is a constant matrix" in report.error.message


@pytest.mark.parametrize("divisor", ["(a3 - a3)", "a3", "(W3 - W3)"])
def test_a_quotient_of_two_shapes_is_a_shape_error_not_a_crash(divisor: str) -> None:
    """``W2 / (a3 - a3)`` divided a 2 x 3 matrix by a 1 x 1 one entry by entry at the compared
    sizes, before the shapes were compared: an IndexError, exit 3 (review28b #8). The shapes
    are compared first: a shape error, exit 1."""
    report = sb.check_formula("4-3-2-1", "W2", f"W2 / {divisor}")
    assert report.exit_code == 1 and not report.ok
    assert "element-wise division needs equal shapes" in str(report.error)
    done = CliRunner().invoke(main, ["shapecheck", "4-3-2-1", "--wrt", "W2", f"W2 / {divisor}"])
    assert done.exit_code == 1, done.output
