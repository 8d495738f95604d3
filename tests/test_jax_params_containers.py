"""``jax.grad(module.cost)`` takes params in an OrderedDict too (hostile34b #6).

The custom_vjp's backward returned the params' cotangent as a plain dict; JAX compares its
pytree with the params' and refused an OrderedDict ("Custom VJP bwd rule must produce an
output with the same container (pytree) structure"). The cotangent now comes in the params'
own container and key order, with None (JAX's zero) for a key that is no parameter.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.model import Model
from tests.framework_support import import_framework

MODEL = Path(__file__).resolve().parents[1] / "examples" / "models" / "batch_norm.model"


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("kind", ["network", pytest.param("model", marks=pytest.mark.slow)])
def test_jax_grad_of_cost_keeps_an_ordered_dict_of_params(kind: str) -> None:
    jax = import_framework("jax")
    target: Any = "4-3-2-1" if kind == "network" else Model.from_file(MODEL)
    module = sb.compile(target, backend="jax")
    params = module.init_params(seed=0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4 if kind == "network" else 3, 5))
    Y = (rng.random((1, 5)) > 0.5) * 1.0
    want = module.loss_and_grads(params, X, Y)[1]
    # reversed insertion order, and a key that is no parameter
    ordered = OrderedDict([("lr", 0.1), *reversed(list(params.items()))])
    got = jax.grad(module.cost)(ordered, X, Y)
    assert type(got) is OrderedDict and list(got) == list(ordered)
    assert float(got["lr"]) == 0.0
    for name in params:
        np.testing.assert_allclose(np.asarray(got[name]), np.asarray(want[name]), rtol=1e-12)
