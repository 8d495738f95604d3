"""Verdicts of the formula checker and gradcheck that session 43's testers found wrong or
missing (hostile43b, hostile43c)."""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


@pytest.mark.parametrize(
    ("source", "wrt", "formula", "batch"),
    [
        ("4-3-2-1", "W3", "(A3 * sum(X) / m) A2^T", True),
        (MODELS / "logistic_l2.model", "w", "X (p * sum(Y) / m - Y)^T / m + lam w", None),
    ],
)
def test_a_matrix_times_a_sum_over_a_bare_m_gets_a_verdict(
    source: object, wrt: str, formula: str, batch: bool | None
) -> None:
    """hostile43c #5: a bare m at its size was a Python int with no .replace: an internal
    error (exit 3) in place of "not the gradient"."""
    net = sb.Model.from_file(source) if isinstance(source, Path) else source
    kwargs = {} if batch is None else {"batch": batch}
    report = sb.check_formula(net, wrt, formula, **kwargs)
    assert report.exit_code == 1 and report.equal is False
