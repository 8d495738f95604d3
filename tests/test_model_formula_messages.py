"""hostile41d: sentences of the formula checker on models that were false or contradictory.

``dX`` of data was "the gradient itself"; ``bce(a, y)`` in a formula was "shape error: bce takes
one argument" although the parser takes exactly two; a model's square note spoke of "this
network's widths"; a pole the checker could not map was said to "switch".
"""

from __future__ import annotations

from pathlib import Path

import symbackprop as sb

ROOT = Path(__file__).resolve().parents[1]


def _model(name: str) -> sb.Model:
    return sb.Model.from_file(ROOT / "examples" / "models" / f"{name}.model")


def _error(source: object, wrt: str, formula: str) -> str:
    """The formula error of a report (exit 2), as the CLI prints it."""
    report = sb.check_formula(source, wrt, formula)
    assert report.exit_code == 2 and report.error, (report.exit_code, report.error)
    return str(report.error)


def test_the_adjoint_of_data_is_not_called_the_gradient() -> None:
    message = _error(_model("residual_mlp"), "W1", "dX")
    assert "gradient itself" not in message and "no adjoint of X is computed" in message
    assert "dW1 is the gradient itself" in _error(sb.Network.parse("4-3-1"), "W1", "dW1")


def test_a_loss_in_a_formula_is_a_formula_error_not_a_shape_error() -> None:
    message = _error(_model("quadratic"), "x", "x + 0 bce(sigmoid(x), sigmoid(x))")
    assert "is a loss" in message and "one argument" not in message


def test_a_models_square_note_speaks_of_its_sizes() -> None:
    model = sb.Model.parse("W : k x n\nsizes: k = 3, n = 3\nJ = logdet(W^T W)\ndata:\n")
    report = sb.check_formula(model, "W", "2 W inv(W W^T)")
    (note,) = [note for note in report.notes if "happen to fit" in note]
    assert "this model's sizes" in note and "network" not in note and "widths" not in note
