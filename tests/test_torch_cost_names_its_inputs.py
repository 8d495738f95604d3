"""A torch module's ``cost`` (and its nn.Module) names a missing parameter, a list of them and
a wrong number of data tensors in one line (hostile42a #2: a bare KeyError 'V', TypeError
'list indices must be integers', ValueError 'zip() argument 2 is shorter than argument 1')."""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.model import Model
from tests.framework_support import import_framework

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


def test_a_model_cost_names_what_does_not_fit() -> None:
    torch = import_framework("torch")
    module = sb.compile(Model.from_file(MODELS / "logistic_l2.model"), backend="torch")
    params = module.init_params()
    X = torch.randn(4, 5, dtype=torch.float64)
    Y = torch.ones(1, 5, dtype=torch.float64)
    with pytest.raises(
        ValueError, match=r"expected the data tensors \('X', 'Y'\) after params, got 1"
    ):
        module.cost(params, X)
    with pytest.raises(ValueError, match="expected the data tensors .* got 3"):
        module.Model()(X, Y, X)
    with pytest.raises(ValueError, match="params has no 'c': expected a tensor of shape"):
        module.cost({"w": params["w"]}, X, Y)
    with pytest.raises(ValueError, match="params must be a dict of tensors, got a list"):
        module.cost(list(params.values()), X, Y)
    with pytest.raises(ValueError, match="Y has shape"):
        module.cost(params, X, torch.ones(2, 5, dtype=torch.float64))
    assert torch.isfinite(module.cost(params, X, Y))


def test_a_network_cost_names_what_does_not_fit() -> None:
    torch = import_framework("torch")
    module = sb.compile("4-3-1", backend="torch")
    params = module.init_params()
    X = torch.randn(4, 5, dtype=torch.float64)
    Y = torch.ones(1, 5, dtype=torch.float64)
    with pytest.raises(ValueError, match="params has no 'b2': expected a tensor of shape"):
        module.cost({k: v for k, v in params.items() if k != "b2"}, X, Y)
    with pytest.raises(ValueError, match="params must be a dict of tensors, got a list"):
        module.cost(list(params.values()), X, Y)
    assert torch.isfinite(module.cost(params, X, Y))
