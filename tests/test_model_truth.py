"""The truth shapecheck prints for a model is in the formula language (hostile7 12d): it parses
back and check_formula of it passes, for every example model and every parameter."""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.model import Model

MODELS = sorted((Path(__file__).parent.parent / "examples" / "models").glob("*.model"))
CASES = [(path.name, p) for path in MODELS for p in Model.from_file(path).parameters]
#: a broadcast and a column sum (residual_mlp c), an identity from tr (trace C), abs' (norm1 x),
#: a ones matrix in an L2 term (softmax_l2 W), an internal adjoint (batch_norm W, dZ)
FAST = [
    ("residual_mlp.model", "c"),
    ("trace.model", "C"),
    ("norm1.model", "x"),
    ("softmax_l2.model", "W"),
]
#: spellings the formula language refuses, which the truth printed before
REFUSED = ("1_", "I_", "dJ/d", "#", "sign(")


def _pasted_back(name: str, wrt: str) -> None:
    derivation = sb.derive(Model.from_file(MODELS[0].parent / name))
    truth = sb.check_formula(derivation, wrt, "0").truth
    assert not any(bad in truth for bad in REFUSED), truth
    report = sb.check_formula(derivation, wrt, truth)
    assert report.error is None, (truth, report.error)
    assert report.ok, truth


@pytest.mark.parametrize(("name", "wrt"), FAST)
def test_a_model_truth_pastes_back(name: str, wrt: str) -> None:
    _pasted_back(name, wrt)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "wrt"), CASES)
def test_every_example_model_truth_pastes_back(name: str, wrt: str) -> None:
    _pasted_back(name, wrt)


def test_a_truth_names_a_kept_adjoint_as_the_formula_writes_it() -> None:
    derivation = sb.derive(Model.from_file(MODELS[0].parent / "batch_norm.model"))
    assert sb.check_formula(derivation, "W", "0").truth == "dZ X^T"
