"""A model name the generated code must rename never takes another model name's place.

``np`` is reserved in a NumPy module, so it was renamed ``np_``; a model that also has an
``np_`` then had that one renamed ``np__``, and the backward read ``np__`` (the other
parameter) where it meant ``np`` (hostile48b #1: a wrong gradient on every backend, for every
reserved name: cache, params, work, float, min, torch, SHAPES, ...). Checked against central
finite differences of the module's own cost.
"""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb


def _model(name: str, twin_is_data: bool) -> str:
    twin = f"{name}_"
    decls = f"X : k x m\n{name} : k x 1\n{twin} : k x 1\nsizes: k = 2\n"
    cost = f"J = sum(({name} ⊙ {name})^T X) + sum(tanh({twin} ⊙ X))\n"
    data = f"data: X, {twin}\n" if twin_is_data else "data: X\n"
    return decls + cost + data


@pytest.mark.parametrize("name", ["np", "cache", "params", "float", "SHAPES", "forward"])
@pytest.mark.parametrize("twin_is_data", [False, True])
def test_a_renamed_parameter_beside_its_underscored_twin_gets_its_own_gradient(
    name: str, twin_is_data: bool
) -> None:
    model = sb.Model.parse(_model(name, twin_is_data))
    mod = sb.compile(model)
    rng = np.random.default_rng(0)
    params = {p: rng.standard_normal((2, 1)) for p in model.parameters}
    data = [rng.standard_normal((2, 3))]
    if twin_is_data:
        data.append(rng.standard_normal((2, 1)))
    _, grads = mod.loss_and_grads(params, *data)
    assert set(grads) == set(model.parameters)
    for p, value in params.items():
        for i in range(value.shape[0]):
            step = np.zeros_like(value)
            step[i, 0] = 1e-6
            up, _ = mod.loss_and_grads({**params, p: value + step}, *data)
            down, _ = mod.loss_and_grads({**params, p: value - step}, *data)
            assert grads[p][i, 0] == pytest.approx((up - down) / 2e-6, rel=1e-6, abs=1e-8)
