"""sb.gradcheck at a large cost (review16 G1), on a row whose every step crosses a kink
(hostile16 #1) and with soft targets rounded in float32 (hostile16 #2)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.check.finite_diff import FLOOR_MAX, noise_floor


class _Affine:
    """J = big + sum(W x), so dJ/dW = x^T (1 x 3); the module returns ``factor`` x^T."""

    DATA = ("X",)

    def __init__(self, factor: float, big: float) -> None:
        self.factor, self.big = factor, big

    def forward(self, params: dict[str, Any], X: np.ndarray, work: Any = None) -> Any:
        return self.big + float((params["W"] @ X).sum()), {}

    def loss_and_grads(self, params: dict[str, Any], X: np.ndarray, work: Any = None) -> Any:
        J, _ = self.forward(params, X)
        return J, {"W": self.factor * X.sum(axis=1, keepdims=True).T}


X3 = np.array([[0.1], [0.05], [0.03]])
W3 = {"W": np.array([[0.1, -0.2, 0.3]])}


@pytest.mark.parametrize("factor", [0.2, 0.5])
def test_a_floor_above_its_cap_buys_no_pass(factor: float) -> None:
    # J = 1e8: the noise floor (0.089) is above FLOOR_MAX and just under the largest entry
    # (0.1); a gradient 5x or 2x too small is off by less than the floor, as a right one is
    assert FLOOR_MAX < noise_floor(1e8, 1e-6) < 0.1
    result = sb.gradcheck(_Affine(factor, 1e8), W3, X3)
    assert not result.ok and not result.failed and result.verdict == "not resolved"
    assert result.rows[0].cause == "the cost is too large"
    assert "within the noise floor 8.9e-02" in result.rows[0].reason


def test_at_a_moderate_cost_the_same_errors_fail_and_the_right_gradient_passes() -> None:
    assert sb.gradcheck(_Affine(1.0, 1e5), W3, X3).ok
    for factor in (0.2, 0.5, 0.999):
        assert sb.gradcheck(_Affine(factor, 1e5), W3, X3).failed
    assert sb.gradcheck(_Affine(0.0, 1e8), W3, X3).failed  # off by more than the floor


def test_a_row_on_a_kink_says_how_to_measure_it() -> None:
    module = sb.compile(sb.Network.parse("4-5:relu-3:relu-1"))
    params = module.init_params(seed=0)  # biases 0: a zero column puts z1 on relu's kink
    X = np.random.default_rng(0).standard_normal((4, 6))
    X[:, 2] = 0.0
    Y = (np.random.default_rng(1).random((1, 6)) > 0.5).astype(float)
    result = sb.gradcheck(module, params, X, Y)
    rows = {row.parameter: row for row in result.rows}
    assert rows["b1"].unresolved and rows["b1"].cause == "every step crossed a kink"
    assert "check at another point (biases drawn off 0" in rows["b1"].reason
    params["b1"] = params["b1"] + 1e-3  # off the kink: b1's row is measured, and passes
    assert sb.gradcheck(module, params, X, Y).ok


def _teacher(m: int) -> np.ndarray:
    """A softmax computed in float32: its column sums are 1 only to float32's rounding."""
    logits = np.random.default_rng(0).standard_normal((3, m)).astype(np.float32)
    return np.exp(logits) / np.exp(logits).sum(axis=0, keepdims=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_soft_targets_are_checked_at_their_sums(dtype: type) -> None:
    module = sb.compile(sb.Network.parse("4-5:relu-3:softmax", loss="ce"))
    X = np.random.default_rng(2).standard_normal((4, 16)).astype(dtype)
    Y = _teacher(16).astype(dtype)
    off = np.abs(Y.sum(axis=0, dtype=np.float64) - 1.0).max()
    assert 1.5e-8 < off < 1e-6  # off by more than float64's sqrt(eps), as the module accepts
    params = module.init_params(seed=0, dtype=dtype)
    module.loss_and_grads(params, X, Y)  # the module accepts it
    result = sb.gradcheck(module, params, X, Y)
    assert result.ok, str(result)
    assert "divides them by their sums" in result.notes[0]
    # float32 arrays are converted, and the check says so (hostile36d #5)
    converted = [note for note in result.notes if note.startswith("checked in float64")]
    assert len(result.notes) == 1 + len(converted) and len(converted) == (dtype == np.float32)
    assert "note: " in str(result)
    # a column off by 1e-2 is refused, by the checker as by the module
    Y[:, 3] *= 0.99
    with pytest.raises(ValueError, match=r"column 3 of Y sums to 0\.9[89]"):
        sb.gradcheck(module, params, X, Y)


def test_exact_targets_get_no_note() -> None:
    module = sb.compile(sb.Network.parse("4-5:relu-3:softmax", loss="ce"))
    X = np.random.default_rng(2).standard_normal((4, 8))
    Y = np.eye(3)[:, np.random.default_rng(3).integers(0, 3, 8)]
    result = sb.gradcheck(module, module.init_params(seed=0), X, Y)
    assert result.ok and result.notes == ()
