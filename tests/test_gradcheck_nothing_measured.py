"""Hostile round 15, finding 4: a row none of whose steps could be taken measured nothing, and
was counted as a failure. A batch column whose relu layer is dead (a zero-padded example, or
every unit of a narrow layer negative) gives the next pre-activation z = b exactly, and the
biases start at 0: every step of b crosses relu's kink, "0 of 2 checked", and ``check`` said
"check failed" (exit 1) for a right gradient on most seeds (``3-2:relu-2:relu-1 --batch --size
m=6``: 7 of 8). Now such a row is *not resolved* (neither a pass nor a failure), and ``check``
draws the biases off the kink and says so.
"""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb
from tests.test_cli import run


def _padded_batch() -> tuple[sb.Network, dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """4-5:relu-3:relu-1 at init (biases 0) with its last example zero-padded: z1 = b1 = 0 in
    that column, so every step of b1 crosses the kink."""
    module = sb.compile("4-5:relu-3:relu-1")
    params = module.init_params(seed=0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 6))
    X[:, -1] = 0.0
    Y = (rng.uniform(size=(1, 6)) > 0.5).astype(float)
    return module, params, X, Y


def test_a_row_whose_every_step_crossed_a_kink_is_not_resolved_not_failed() -> None:
    module, params, X, Y = _padded_batch()
    result = sb.gradcheck(module, params, X, Y)
    rows = {row.parameter: row for row in result.rows}
    assert (rows["b1"].checked, rows["b1"].skipped, rows["b1"].total) == (0, 5, 5)
    assert rows["b1"].unresolved and not rows["b1"].ok
    assert rows["b1"].cause == "every step crossed a kink"
    assert not result.ok and not result.failed
    assert result.verdict == "not resolved"
    assert "b1" in result.unresolved
    assert rows["W2"].ok and rows["W2"].cause == ""


def test_a_wrong_gradient_still_fails_beside_a_row_that_measured_nothing() -> None:
    module, params, X, Y = _padded_batch()
    right = module.loss_and_grads

    def loss_and_grads(p, *data, **kw):  # type: ignore[no-untyped-def]
        cost, grads = right(p, *data, **kw)
        return cost, {**grads, "W2": 1.01 * grads["W2"]}  # 1% off

    module.loss_and_grads = loss_and_grads
    try:
        result = sb.gradcheck(module, params, X, Y)
    finally:
        module.loss_and_grads = right
    rows = {row.parameter: row for row in result.rows}
    assert rows["b1"].unresolved
    assert not rows["W2"].ok and not rows["W2"].unresolved
    assert result.failed and result.verdict == "FAILED"


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_check_draws_the_biases_off_the_kink_and_says_so() -> None:
    # seed 0: a column of the first layer dead at init (z2 = b2 = 0), "check failed" before
    result = run("check", "3-2:relu-2:relu-1", "--batch", "--size", "m=6", "--seed", "0")
    text = " ".join(result.stdout.split())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "note: b1, b2, b3 drawn at random, not at 0: at 0 the point sat on a kink" in text
    assert "skipped" not in text and "all checks passed" in text
