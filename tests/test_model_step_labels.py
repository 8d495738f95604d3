"""What a model's step says about itself (newcomer27 #2, #3).

* "reuses from the forward cache: w^T" beside ``dJ/dh = w dJ/d(w^T h)``, a formula that reads
  the parameter w (newcomer27, newcomer28): an internal w^T is not listed, a named one is;
* batch_norm's dJ/dgamma (gamma ⊙ N, a scale) was labelled "rule: bias".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import symbackprop as sb

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


def _derive(name: str) -> Any:
    return sb.derive(sb.Model.parse((MODELS / f"{name}.model").read_text()))


def test_every_value_called_cached_is_in_the_modules_cache() -> None:
    """Every value a step says it reuses from the forward cache is in the module's cache."""
    for name in ("residual_mlp", "tied_autoencoder"):
        derivation = _derive(name)
        module = sb.codegen(sb.Model.parse((MODELS / f"{name}.model").read_text()))
        for step in derivation.steps:
            for used in step.uses:
                # an internal value _t6 is t6 in the module
                assert f'cache["{used.lstrip("_")}"]' in module, (name, used)


def test_a_broadcast_scale_is_no_bias() -> None:
    steps = {step.target: step for step in _derive("batch_norm").steps}
    assert steps["dJ/dgamma"].rule == "broadcast"
    assert steps["dJ/dbeta"].rule == "bias"


def test_a_loss_without_the_examples_is_refused_in_batch_form() -> None:
    """hostile27 #4: bce(sigmoid(x), y) with x n x 1 beside X : n x m was divided by m and
    called "the mean over the m columns"."""
    import pytest

    from symbackprop.errors import SpecError

    text = (
        "x : n x 1\ny : n x 1\nX : n x m\nW : n x n\nsizes: n = 3\n"
        "J = mse(W X, X) + bce(sigmoid(x), y)\ndata: X, y\n"
    )
    with pytest.raises(SpecError, match=r"line 6: 'bce' in batch form .* n x 1, with no m"):
        sb.derive(sb.Model.parse(text))


def test_examples_in_rows_are_called_rows() -> None:
    text = "X : m x n\nY : m x 1\nW : n x k\nv : k x 1\nsizes: n = 3, k = 2\n"
    derivation = sb.derive(sb.Model.parse(text + "J = mse(tanh(X W) v, Y)\ndata: X, Y\n"))
    printed = sb.to_text(derivation)
    assert "batch of m examples (rows)" in printed and "the mean over the m rows of" in printed
    assert "columns" not in printed.split("Derivation")[0]


def test_a_parameters_own_transpose_is_no_cached_value_but_a_named_one_is() -> None:
    """``dJ/dh = w dJ/d(w^T h)`` reads the parameter w: "reuses from the forward cache: w^T"
    beside it was read as false twice (newcomer27 #2, newcomer28 #4). A value the model names
    ``v = w^T`` is a forward value of its own, and its reads are listed."""
    steps = {step.target: step for step in _derive("residual_mlp").steps}
    assert steps["dJ/dh"].uses == ()
    assert "reuses from the forward cache: w^T" not in sb.to_text(_derive("residual_mlp"))
    named = sb.Model.parse(
        "X : n x m\nY : 1 x m\nW : n x n\nw : n x 1\nsizes: n = 3\nv = w^T\n"
        "H = tanh(W X)\nJ = mse(v H, Y)\ndata: X, Y\n"
    )
    steps = {step.target: step for step in sb.derive(named).steps}
    assert steps["dJ/dH"].uses == ("v",)  # dJ/dH = (1/m) v^T ((v H) - Y)


def test_a_parameters_transpose_read_as_it_is_stays_listed() -> None:
    """``J = sum(v^T ⊙ w^T ⊙ w^T)``: dJ/d(v^T) = dJ/d(v^T ⊙ w^T) ⊙ w^T reads w^T itself, a
    value of the forward pass; the filter above dropped it (review28b #3). A read is listed
    unless the formula reads the value transposed back, which prints as the parameter."""
    model = sb.Model.parse("v : n x 1\nw : n x 1\nsizes: n = 3\nJ = sum(v^T ⊙ w^T ⊙ w^T)\ndata:\n")
    derivation = sb.derive(model)
    steps = {step.target: step for step in derivation.steps}
    assert len(steps["dJ/d(v^T)"].uses) == 1  # w^T
    assert len(steps["dJ/d(w^T)"].uses) == 1  # v^T
    assert len(steps["dJ/d(v^T ⊙ w^T)"].uses) == 1  # w^T#2
    text = sb.to_text(derivation)
    assert "reuses from the forward cache: w^T\n" in text
    assert "reuses from the forward cache: v^T\n" in text
