"""Kinks written without abs or an indicator are searched too (hostile38b #1, #2).

``sqrt((W2 - 20)^2)`` is abs(W2 - 20), which SymPy keeps as a square root (W2 is no known real),
and the kink search never looked at it: a formula wrong only where W2 > 20 passed. ``abs(m -
30)`` of the batch size was no condition on m: ``(abs(m - 30) + m - 30) W2`` is 0 up to m = 30
and was compared at no larger m, so a formula wrong at every m > 30 passed "exactly".
"""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb

ROOT = Path(__file__).resolve().parents[1]
TRUE_W2 = "((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T"


@pytest.mark.parametrize(
    "wrong",
    [
        f"{TRUE_W2} ⊙ (sqrt((W2 - 20)^2) + W2 - 19)",
        f"{TRUE_W2} ⊙ (((W2 - 20)^2)^0.5 + W2 - 19)",
        f"{TRUE_W2} ⊙ (sqrt((W2 - 20) ⊙ (W2 - 20)) + W2 - 19)",
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_square_root_of_a_square_is_a_kink(wrong: str) -> None:
    assert sb.check_formula("4-3-2-1", "W2", wrong).exit_code == 1


@pytest.mark.parametrize(
    "right",
    [f"{TRUE_W2} ⊙ (sqrt(W2 ⊙ W2) - abs(W2) + 1)", f"{TRUE_W2} ⊙ sqrt((W2 - 20)^4) / (W2 - 20)^2"],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_square_root_that_is_the_gradient_still_passes(right: str) -> None:
    assert sb.check_formula("4-3-2-1", "W2", right).exit_code == 0


@pytest.mark.slow  # over 1 s of the default suite (2026-12-07)
def test_abs_of_the_batch_size_is_a_switch_of_m() -> None:
    wrong = "delta2 A1^T + (abs(m - 30) + m - 30) * W2"
    report = sb.check_formula("4-3-2-1", "W2", wrong, batch=True)
    assert report.exit_code == 1 and report.counterexample is not None
    assert report.counterexample.sizes["m"] == 31


def test_a_nest_of_functions_reads_each_shape_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """hostile38b #3: sigmoid(-sigmoid(-...(W2))) 20 deep took minutes to type: SymPy's
    MatMul reads its factors' shape twice, so the nest's shape was computed 2^depth times."""
    from sympy import MatMul, MatrixSymbol

    from symbackprop.records.activations import ACTIVATIONS
    from symbackprop.records.nodes import activation_of

    calls = [0]
    shape = MatMul.shape

    def counted(self: MatMul) -> object:
        calls[0] += 1
        return shape.fget(self)  # type: ignore[attr-defined]

    monkeypatch.setattr(MatMul, "shape", property(counted))
    nest = MatrixSymbol("W", 3, 2)
    for _ in range(16):
        nest = activation_of(ACTIVATIONS["sigmoid"], -nest)
    assert nest.shape == (3, 2)
    assert calls[0] <= 2 * 16, calls[0]  # linear in the depth (2^16 before)


@pytest.mark.slow  # over 1 s of the default suite (2026-12-07)
def test_a_value_defined_never_negative_is_not_searched_below_zero() -> None:
    """hostile38b #6: batch_norm's right dJ/dgamma was "cannot decide": no point had the
    variance var = (1/m) rowsum(D ⊙ D) below -1/1000, where sqrt(var + 0.001) ends."""
    model = sb.Model.from_file(ROOT / "examples" / "models" / "batch_norm.model")
    right = "rowsum(D ⊙ dH ⊙ 1{H > 0}) / sqrt(var + 0.001)"
    assert sb.check_formula(model, "gamma", right).exit_code == 0
    assert sb.check_formula(model, "gamma", f"2 {right}").exit_code == 1
