"""A GradientModule pickles as its source and loads again (hostile41c #7): it goes to
multiprocessing workers and joblib as any value does, and the copy computes the same gradients."""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.model import Model
from tests.framework_support import import_framework

MODELS = Path(__file__).resolve().parent.parent / "examples" / "models"


def _inputs(module: Any, seed: int = 0) -> tuple[dict[str, np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    params = {name: rng.normal(size=shape) for name, shape in module.SHAPES.items()}
    m = 5
    data = []
    for name in module.DATA:
        rows = {"X": 4, "Y": 1}.get(name, 3)
        data.append(
            (rng.random((rows, m)) > 0.5).astype(float)
            if name == "Y"
            else rng.normal(size=(rows, m))
        )
    return params, data


def test_a_network_module_pickles_and_computes_the_same() -> None:
    module = sb.compile("4-3:relu-2:tanh-1", sizes=None)
    copy = pickle.loads(pickle.dumps(module))
    assert repr(copy) == repr(module)
    assert copy.kinked == module.kinked and copy.kink_formulas == module.kink_formulas
    assert copy.source == module.source and copy.network == module.network
    params, data = _inputs(module)
    cost, grads = module.loss_and_grads(params, *data)
    cost2, grads2 = copy.loss_and_grads(params, *data)
    assert cost2 == cost
    assert grads2.keys() == grads.keys()
    for name in grads:
        np.testing.assert_array_equal(grads2[name], grads[name])


def test_a_model_module_pickles() -> None:
    model = Model.from_file(MODELS / "logistic_l2.model")
    module = sb.compile(model)
    copy = pickle.loads(pickle.dumps(module))
    assert copy.SHAPES == module.SHAPES and copy.DATA == module.DATA
    assert copy.network == module.network
    rng = np.random.default_rng(1)
    params = {name: rng.normal(size=shape) for name, shape in module.SHAPES.items()}
    assert module.DATA
    # the batch size m is free: the data shapes name it
    shapes = [
        tuple(5 if d == "m" else d for d in module.DATA_SHAPES[name]) for name in module.DATA
    ]
    data = [rng.normal(size=shape) for shape in shapes]
    cost, grads = module.loss_and_grads(params, *data)
    cost2, grads2 = copy.loss_and_grads(params, *data)
    assert cost2 == cost
    for name in grads:
        np.testing.assert_array_equal(grads2[name], grads[name])


def _cost_in_a_worker(module: Any) -> float:
    params, data = _inputs(module)
    return float(module.loss_and_grads(params, *data)[0])


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_module_goes_to_a_spawned_worker() -> None:
    module = sb.compile("4-3:relu-1")
    expected = _cost_in_a_worker(module)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        (found,) = pool.map(_cost_in_a_worker, [module])
    assert found == expected


def test_a_torch_module_pickles() -> None:
    torch = import_framework("torch")
    module = sb.compile("4-3:relu-1", backend="torch")
    copy = pickle.loads(pickle.dumps(module))
    params, data = _inputs(module)
    tparams = {k: torch.tensor(v) for k, v in params.items()}
    tdata = [torch.tensor(v) for v in data]
    cost, grads = module.loss_and_grads(tparams, *tdata)
    cost2, grads2 = copy.loss_and_grads(tparams, *tdata)
    assert float(cost2) == float(cost)
    for name in grads:
        assert torch.equal(grads2[name], grads[name])


def test_the_constants_the_code_reads_cannot_be_set_on_the_wrapper() -> None:
    """hostile41c #9: ``mod.L2 = 0`` was taken and changed nothing the functions compute."""
    module = sb.compile(sb.Network.parse("4-3-1", l2=0.1))
    params, data = _inputs(module)
    before = module.loss_and_grads(params, *data)[0]
    for name, value in (("L2", 0.0), ("SHAPES", {}), ("DATA", ())):
        with pytest.raises(AttributeError, match=f"{name} is fixed when the module is generated"):
            setattr(module, name, value)
    assert module.L2 == 0.1 and module.loss_and_grads(params, *data)[0] == before
    model = sb.compile(Model.from_file(MODELS / "logistic_l2.model"))
    with pytest.raises(AttributeError, match="a model writes its penalty in its equations"):
        model.L2 = 1.0
    module.note = "kept"  # anything else is an attribute as usual
    assert module.note == "kept"
