"""A ce loss whose target is an expression of the data (hostile8 item 1).

softmax under ce gives a - y only where each column of y sums to 1, an assumption the loss
states for its target. A data leaf is supplied as targets (and the exact check draws it so);
``2 Y`` or ``Y / 2`` is not one (its columns sum to 2 or 1/2 where Y's sum to 1), so the
derivation keeps the column sum: a ⊙ (1 1^T y) - y. The formula checker reads its truth from
the same derivation, so it no longer accepts a - y there; no printer names the internal value
that holds ``2 Y``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.model import Model

#: an internal name of the graph (``_t3``) in a printed output
INTERNAL = re.compile(r"(?<![A-Za-z0-9])_t[0-9]")


def _model(target: str) -> Model:
    return Model.parse(
        f"W : 2 x 3\nX : 3 x m\nY : 2 x m\nJ = ce(softmax(W X), {target})\ndata: X, Y\n"
    )


@pytest.fixture(scope="module")
def twice() -> ModelDerivation:
    d = sb.derive(_model("2 Y"))
    assert isinstance(d, ModelDerivation)
    return d


def test_an_expression_target_keeps_the_column_sum(twice: ModelDerivation) -> None:
    assert twice.assumptions == []  # "each column sums to 1" is not applied to 2 Y
    assert not any(step.rule == "assumption" for step in twice.steps)
    module = sb.compile(twice)
    params = module.init_params(seed=1)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 5))
    Y = np.eye(2)[:, rng.integers(0, 2, 5)]  # one-hot: 2 Y sums to 2 in every column
    _, grads = module.loss_and_grads(params, X, Y)
    Z = params["W"] @ X
    S = np.exp(Z - Z.max(axis=0)) / np.exp(Z - Z.max(axis=0)).sum(axis=0)
    # d/dZ of -(1/m) sum(2 Y ⊙ log softmax(Z)) = (1/m) (S ⊙ (1 1^T 2 Y) - 2 Y)
    want = (S * (2 * Y).sum(axis=0) - 2 * Y) @ X.T / 5
    assert np.allclose(grads["W"], want, rtol=1e-12, atol=1e-12)
    assert not np.allclose(grads["W"], (S - 2 * Y) @ X.T / 5)


def test_no_output_names_the_internal_value_of_the_target(twice: ModelDerivation) -> None:
    outputs = {
        "text": sb.to_text(twice, expanded=True),
        "markdown": sb.to_markdown(twice, expanded=True),
        "json": sb.to_json(twice, expanded=True),
        "latex": sb.to_latex(twice),
        "snippet": sb.to_latex(twice, standalone=False),
    }
    for fmt, out in outputs.items():
        found = INTERNAL.search(out)
        assert found is None, f"{fmt}: {out[max(found.start() - 80, 0) : found.end() + 40]}"
    for step in twice.steps:
        assert not INTERNAL.search(step.target + step.reason), step.target


@pytest.mark.slow
def test_the_page_names_no_internal_value(twice: ModelDerivation) -> None:
    page = sb.to_html(twice)
    assert "(2 Y)" in page or "2 Y" in page
    assert not INTERNAL.search(page)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["2 Y", "Y / 2"])
def test_exact_check_and_formula_checker_agree(target: str) -> None:
    d = sb.derive(_model(target))
    assert sb.check_exact(d, trials=1).ok
    # the formula checker's truth is the derivation's: softmax - target is not the gradient
    wrong = sb.check_formula(d.model, "W", f"(1/m) (softmax(W X) - {target}) X^T")
    assert wrong.error is None and not wrong.ok


@pytest.mark.slow
def test_a_data_leaf_target_still_uses_the_stated_assumption() -> None:
    d = sb.derive(_model("Y"))
    assert d.assumptions and "sums to 1" in d.assumptions[0]
    assert sb.check_formula(d.model, "W", "(1/m) (softmax(W X) - Y) X^T").ok
