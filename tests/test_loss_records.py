"""Each loss record's stable from-the-logits code equals its formula, and stays finite."""

from __future__ import annotations

import re

import numpy as np
import pytest

from symbackprop.records.losses import LOSSES


def log_softmax(Z: np.ndarray) -> np.ndarray:
    shifted = Z - Z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def numpy_cost(name: str, Z: np.ndarray, Y: np.ndarray) -> float:
    code = LOSSES[name].logits_code["numpy"].format(z="Z", y="Y")
    # the record's own code, evaluated on fixed arrays (our text, never user text)
    return float(eval(code, {"np": np, "log_softmax": log_softmax, "Z": Z, "Y": Y}))  # noqa: S307


@pytest.mark.parametrize("name", [n for n, loss in LOSSES.items() if loss.logits_with])
def test_logits_code_equals_the_formula(name: str) -> None:
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((3, 5))
    Y = LOSSES[name].draw_targets(rng, (3, 5))
    if name == "bce":
        A = 1 / (1 + np.exp(-Z))
        expected = -(Y * np.log(A) + (1 - Y) * np.log(1 - A)).sum()
    else:
        A = np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True)
        expected = -(Y * np.log(A)).sum()
    assert numpy_cost(name, Z, Y) == pytest.approx(expected, rel=1e-12)
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow is fine
        assert np.isfinite(numpy_cost(name, 1e3 * np.sign(Z), Y))


def test_every_logits_loss_has_code_for_every_backend() -> None:
    for loss in LOSSES.values():
        if loss.logits_with:
            assert set(loss.logits_code) == {"numpy", "torch", "jax"}


def test_a_loss_names_every_module_function_its_code_calls() -> None:
    """review38 #9: whether a module defines ``log_softmax`` was read from the code's text in
    four emitters; the record's ``helpers`` says it, and must match what each backend's code
    calls (a helper named and not called, or called and not named, fails here)."""
    known = {"log_softmax", "logsumexp", "softmax", "sigmoid", "softmax_of_all"}
    for loss in LOSSES.values():
        for backend, code in loss.logits_code.items():
            # a bare call (log_softmax(Z)), not a framework's (torch.log_softmax) nor a
            # longer name's tail (softmax in log_softmax)
            called = {name for name in known if re.search(rf"(?<![\w.]){name}\(", code)}
            assert called == set(loss.helpers), (loss.name, backend)
