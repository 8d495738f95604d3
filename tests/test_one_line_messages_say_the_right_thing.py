"""hostile12 #13: one-line messages that said the wrong thing (exit 2 each)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from symbackprop.cli.main import main


def _error(*args: str) -> str:
    """The one line a refused command writes to stderr (exit 2, no traceback)."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    return result.stderr


@pytest.mark.parametrize("function", ["inv", "tr", "det", "logdet", "norm1", "norm2"])
def test_a_model_function_in_a_network_formula_is_called_a_function_of_model_files(
    function: str,
) -> None:
    # it was "unknown name 'inv'; this network has W1, W2, ...": inv is no name
    line = _error("shapecheck", "4-3-2-1", "--wrt", "W2", f"delta2 a1^T + 0 {function}(W2) W2")
    assert f"formula: '{function}' is a function of model files only; a network's " in line
    assert "formulas call abs, cos, exp, log, rowsum, sin, sqrt, sum and the activations" in line
    assert "unknown name" not in line


def test_lambda_with_l2_0_says_l2_0_is_no_weight_decay() -> None:
    # it said "exists only ... with L2 weight decay (--l2, ...)" to a user who gave --l2
    line = _error("shapecheck", "4-3-2-1", "--wrt", "W2", "--l2", "0", "delta2 a1^T + lambda W2")
    assert "l2 = 0 (the default, or --l2 0) means no weight decay, so there is no lambda" in line


def test_an_exponent_in_m_is_refused_as_no_number_not_as_too_large(tmp_path: Path) -> None:
    # it was "exponent 1/m: expected a number of at most 1000 in magnitude"
    path = tmp_path / "power.model"
    path.write_text(
        "A : n x n\nX : 1 x m\nY : 1 x m\nsizes: n = 3\nU = X\n"
        "J = mse(U, Y) + sum(A ^ 2) ^ (1/m)\ndata: X, Y\n",
        encoding="utf-8",
    )
    line = _error("derive", str(path))
    assert line.endswith(
        "line 6: exponent 1 / m: an exponent must be a number (or a named constant), "
        "not a function of m\n"
    )
    assert "magnitude" not in line
