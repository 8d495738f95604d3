"""``check`` and ``sb.gradcheck`` on correct code never say "failed" because of how they drew
the point or judged the rounding noise, and still fail a slightly wrong gradient.

Hostile report 6: items 06 (a target read by two losses), 15 (a parameter only added on its
own sat on relu's kink), 16 (a large constant cost), 07 (``--indices`` without a depth limit).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import symbackprop as sb
from cli.main import main
from symbackprop.check.model_exact import ModelCheck, model_sizes
from symbackprop.core.index_check import INDICES_MAX_DEPTH
from symbackprop.model import Model

TWO_LOSSES = "X : n x m\nY : k x m\nW : k x n\nsizes: n = 3, k = 2\nP = softmax(W X)\n"
TWO_LOSSES += "Q = softmax(W X + b)\nJ = {}\ndata: X, Y\n"


def _model(text: str) -> Any:
    return sb.compile(Model.parse(text))


@pytest.mark.parametrize("cost", ["mse(P, Y) + ce(Q, Y)", "ce(Q, Y) + mse(P, Y)"])
def test_a_target_of_two_losses_is_drawn_for_the_strictest(cost: str) -> None:
    """mse first used to draw real-valued Y, which ce's A - Y (columns summing to 1) rejects."""
    model = Model.parse(TWO_LOSSES.format(cost))
    assert model.targets == {"Y": "ce"}
    d = sb.derive(model)
    assert ModelCheck(d, model_sizes(d, None), seed=0).targets == {"Y": "one-hot"}
    bce = "X : n x m\nY : 1 x m\nw : n x 1\nJ = mse(w^T X, Y) + bce(sigmoid(w^T X), Y)"
    assert Model.parse(bce).targets == {"Y": "bce"}


def test_check_passes_when_mse_reads_the_target_of_ce_first(tmp_path: Path) -> None:
    path = tmp_path / "two.model"
    path.write_text(TWO_LOSSES.format("mse(P, Y) + ce(Q, Y)"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "--no-exact"])
    assert result.exit_code == 0, result.stdout


@pytest.mark.parametrize(
    ("cost", "added"),
    [
        ("s : 1 x 1\nJ = sum(W x) + relu(2 s)", ()),  # s alone under relu: drawn, not zero
        ("s : 1 x 1\nt : 1 x 1\nJ = sum(relu(W x + b)) + relu(s + t)", ("b",)),  # 0 + 0
        ("J = sum(relu(W x + b))", ("b",)),  # a bias beside W x starts at zero
    ],
)
def test_only_parameters_added_to_another_term_start_at_zero(
    cost: str, added: tuple[str, ...]
) -> None:
    module = _model(f"x : n x 1\nW : n x n\nsizes: n = 2\n{cost}\ndata: x\n")
    assert tuple(module.ADDED) == added
    x = np.random.default_rng(1).standard_normal((2, 1))
    check = sb.gradcheck(module, module.init_params(seed=0), x)
    assert check.ok, str(check)


def test_a_large_constant_cost_does_not_fail_a_correct_gradient() -> None:
    """J = sum(tanh(W x)) + 1e5: rounding noise ~1e-5 per finite difference, gradients ~1."""
    module = _model("x : n x 1\nW : n x n\nsizes: n = 3\nJ = sum(tanh(W x)) + 100000\ndata: x")
    x = np.random.default_rng(1).standard_normal((3, 1))
    check = sb.gradcheck(module, module.init_params(seed=0), x)
    assert check.ok, str(check)


class _OffBy:
    """The module with every gradient scaled by ``1 + rel``: a slightly wrong gradient."""

    def __init__(self, module: Any, rel: float) -> None:
        self.module, self.rel = module, rel
        self.kinked, self.DATA = module.kinked, module.DATA

    def forward(self, params: dict[str, np.ndarray], *data: Any) -> Any:
        return self.module.forward(params, *data)

    def loss_and_grads(self, params: dict[str, np.ndarray], *data: Any) -> Any:
        cost, grads = self.module.loss_and_grads(params, *data)
        return cost, {k: (1 + self.rel) * g for k, g in grads.items()}


@pytest.mark.parametrize("constant", ["", " + 1"])
def test_a_gradient_off_by_1e_3_relative_fails_at_a_normal_cost(constant: str) -> None:
    module = _model(f"x : n x 1\nW : n x n\nsizes: n = 3\nJ = sum(tanh(W x)){constant}\ndata: x")
    x = np.random.default_rng(1).standard_normal((3, 1))
    params = module.init_params(seed=0)
    assert sb.gradcheck(module, params, x).ok
    check = sb.gradcheck(_OffBy(module, 1e-3), params, x)
    assert not check.ok, str(check)
    assert "relative error >" in check.rows[0].reason


@pytest.mark.parametrize("command", ["derive", pytest.param("latex", marks=pytest.mark.slow)])
def test_indices_refuses_networks_deeper_than_its_limit(command: str) -> None:
    spec = "-".join(["2"] * (INDICES_MAX_DEPTH + 2))
    result = CliRunner().invoke(main, [command, spec, "--indices"])
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert f"at most {INDICES_MAX_DEPTH}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


class _Offset:
    """J = offset + ||W X||^2 / 2 written by hand, its gradient (W X) X^T plus ``error``."""

    DATA = ("X",)

    def __init__(self, offset: float, error: float) -> None:
        self.offset, self.error = offset, error

    def loss_and_grads(self, p: dict[str, np.ndarray], X: np.ndarray) -> Any:
        WX = p["W"] @ X
        return self.offset + 0.5 * float(np.sum(WX**2)), {"W": WX @ X.T + self.error}

    def forward(self, p: dict[str, np.ndarray], X: np.ndarray) -> Any:
        return self.loss_and_grads(p, X)[0], {}


def test_a_large_cost_does_not_pass_an_error_the_rounding_cannot_explain() -> None:
    """hostile8 #4: at J = 1e5 the central difference's rounding is ~4e-6; a floor of 1e-3
    passed a gradient 2.2% wrong (error 5e-4). The floor is a few ulps of |J| over eps."""
    rng = np.random.default_rng(0)
    W, X = rng.standard_normal((2, 3)) * 0.01, rng.standard_normal((3, 4))
    assert sb.gradcheck(_Offset(1e5, 0.0), {"W": W}, X).ok
    wrong = sb.gradcheck(_Offset(1e5, 5e-4), {"W": W}, X)
    assert not wrong.ok, str(wrong)
    assert "above the noise floor" in wrong.rows[0].reason


def test_a_row_below_the_noise_floor_is_not_resolved_not_failed() -> None:
    """hostile13 #6: q(z) = z e^700 makes the cost 3.6e303; b2's gradient (~0.3) is under the
    noise floor (~3e294), so finite differences cannot resolve it: the row is "not resolved"
    (neither ok nor FAIL), and with the exact check passed the verdict is exit 0; without the
    exact check nothing decides b2: exit 2, never the false "check failed" (exit 1)."""
    args = ["check", "4-3:q-1", "--define", "q=z*exp(700)"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout and "check failed" not in result.stdout
    assert "not resolved" in result.stdout
    text = " ".join(result.stdout.split())  # rich wraps long lines
    assert "could not resolve b2" in text and "the exact check passed" in text
    undecided = CliRunner().invoke(main, [*args, "--no-exact"])
    assert undecided.exit_code == 2, undecided.stdout + undecided.stderr
    assert "cannot decide" in undecided.stderr and "b2" in undecided.stderr


def test_an_unresolved_row_is_no_failure_in_the_api() -> None:
    """hostile13 #6 in the API: a GradCheck whose only non-ok row is unresolved is not ok (not
    everything passed) but not failed, and says so in its text."""
    from symbackprop.check.finite_diff import GradCheck, GradCheckRow

    rows = [
        GradCheckRow("W1", 1e-12, 1e-12, True, 3, 0, 3, "relative error <= 1.0e-06"),
        GradCheckRow("b2", 0.3, 1.0, False, 1, 0, 1, "not resolvable: the cost", True),
    ]
    check = GradCheck(rows=rows)
    assert not check.ok and not check.failed and check.unresolved == ["b2"]
    assert "not resolved" in str(check) and "FAIL" not in str(check)
    wrong = GradCheck(rows=[*rows, GradCheckRow("W2", 0.5, 0.25, False, 3, 0, 3, "relative")])
    assert wrong.failed and "FAILED" in str(wrong)


class _Tiny:
    """J = 1 + 1e-13 sum(W ⊙ W ⊙ W): dJ/dW = 3e-13 W ⊙ W, far under the noise floor of a cost
    near 1; the module returns ``sign`` times it."""

    DATA = ()

    def __init__(self, sign: float, scale: float = 1e-13) -> None:
        self.sign, self.scale = sign, scale

    def forward(self, params: dict[str, Any], work: Any = None) -> Any:
        return 1.0 + self.scale * float((params["W"] ** 3).sum()), {}

    def loss_and_grads(self, params: dict[str, Any], work: Any = None) -> Any:
        J, _ = self.forward(params)
        return J, {"W": self.sign * 3 * self.scale * params["W"] ** 2}


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_gradients_both_under_the_noise_floor_are_not_resolved_not_ok(sign: float) -> None:
    """hostile29: a right gradient and its negative (relative error 1) were both "ok" ("both
    gradients under the noise floor"), and `check` said "all checks passed". Finite
    differences cannot tell them apart: the row is not resolved, whichever sign."""
    W = {"W": np.random.default_rng(0).standard_normal((3, 3))}
    result = sb.gradcheck(_Tiny(sign), W)
    assert not result.ok and not result.failed, str(result)
    assert result.unresolved == ["W"] and result.verdict == "not resolved"
    assert "under the noise floor" in result.rows[0].reason


def test_check_of_a_model_with_a_tiny_gradient_says_what_decided(tmp_path: Path) -> None:
    """With the exact check passed the verdict is exit 0, saying finite differences could not
    resolve W; without it nothing decides: exit 2, "cannot decide"."""
    model = tmp_path / "tiny.model"
    model.write_text("W : n x n\nsizes: n = 3\nJ = 1 + 1e-13 * sum(W ⊙ W ⊙ W)\ndata:\n")
    result = CliRunner().invoke(main, ["check", str(model)])
    assert result.exit_code == 0, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    assert "all checks passed" not in text and "not resolved" in text
    assert "could not resolve W (the gradient is under the noise floor)" in text
    assert "the exact check passed" in text
    undecided = CliRunner().invoke(main, ["check", str(model), "--no-exact"])
    assert undecided.exit_code == 2 and "cannot decide" in undecided.stderr


def test_a_zero_gradient_under_the_noise_floor_is_confirmed() -> None:
    """A gradient of exactly 0 beside a numeric one in the noise passes: finite differences
    find no slope above the floor, which is all a 0 claims (here it stands for 3e-10 W ⊙ W,
    whose differences are a few ulps of J: 0 is right to within the noise); a nonzero one
    there is not resolved (above)."""
    W = {"W": 0.5 * np.random.default_rng(0).standard_normal((3, 3))}
    result = sb.gradcheck(_Tiny(0.0, scale=1e-10), W)
    assert result.rows[0].max_abs_error > 0  # the numeric gradient is noise, not 0
    assert result.ok, str(result)
    assert "the gradient is 0" in result.rows[0].reason
