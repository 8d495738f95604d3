"""A model with parameters W and dW (a LoRA-style update W + dW): the generated backward
named dJ/dW ``dW``, overwriting the parameter dW, and the later ``ddW = x + dW`` read the
gradient as the parameter: dJ/d(dW) came out 2x instead of x + dW, silently, in all three
backends (hostile30). A gradient's code name now avoids every model name (``dW_``)."""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb
from tests.framework_support import import_framework

COLLIDING = {
    "pair": "x : n x 1\nsizes: n = 3\nJ = sum((W + dW) ⊙ x) + 0.5 sum(dW ⊙ dW)\ndata: x\n",
    "chain": (
        "x : n x 1\nsizes: n = 3\nJ = sum((a + da + dda) ⊙ x) + sum(da ⊙ da ⊙ dda)\ndata: x\n"
    ),
    "lora": (
        "X : n x m\nW : k x n\ndW : k x n\nsizes: n = 3, k = 2\n"
        "h = tanh((W + dW) X)\nJ = (1/m) sum(h ⊙ h) + 0.5 sum(dW ⊙ dW)\ndata: X\n"
    ),
}


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
@pytest.mark.parametrize("name", sorted(COLLIDING))
def test_gradients_of_colliding_names_match_finite_differences(name: str, backend: str) -> None:
    if backend != "numpy":  # a skip without the framework, not compile's MissingFramework
        import_framework(backend)
    model = sb.Model.parse(COLLIDING[name])
    module = sb.compile(model, backend=backend)
    rng = np.random.default_rng(3)
    params = {k: rng.standard_normal(tuple(v.shape)) for k, v in module.init_params().items()}
    data = [
        rng.standard_normal(tuple(5 if s == "m" else s for s in shape))
        for shape in module.module.DATA_SHAPES.values()
    ]
    result = sb.gradcheck(module, params, *data)
    assert result.ok, str(result)


def test_the_gradient_of_w_is_named_apart_from_the_parameter_dw() -> None:
    source = sb.codegen(sb.derive(sb.Model.parse(COLLIDING["pair"])))
    assert '"W": dW_,' in source and '"dW": ddW,' in source
    assert "dW = x.copy()" not in source
