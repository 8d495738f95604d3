"""Hostile round 11, finding 8: a JAX module told an integer X to be converted with
``X.astype(jnp.float64)``, which JAX without x64 (its default) cannot give: it warns and gives
float32. The advice now names JAX's default float, the dtype the module runs in there."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import numpy as np, jax, jax.numpy as jnp
import symbackprop as sb
assert not jax.config.jax_enable_x64
whole, ints = jnp.asarray(np.zeros((1, 3))), jnp.asarray(np.ones((2, 3), dtype=np.int32))
floats, int_y = jnp.asarray(np.ones((2, 3))), jnp.asarray(np.zeros((1, 3), dtype=np.int32))
model = sb.compile(sb.Model.parse("x : 2 x m\\ny : 1 x m\\nJ = mse(w^T x + c, y)"), backend="jax")
net = sb.compile("2-1", backend="jax")
for module, X, Y in ((model, ints, whole), (model, floats, int_y), (net, ints, whole)):
    params = {k: jnp.asarray(v) for k, v in module.init_params().items()}
    try:
        module.loss_and_grads(params, X, Y)
    except ValueError as exc:
        print(exc)
"""


@pytest.mark.slow
def test_a_jax_module_advises_its_default_float_for_integer_data() -> None:
    pytest.importorskip("jax")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 3, done.stdout
    assert all("float32) converts it" in line for line in lines), done.stdout
    assert not any("float64" in line for line in lines), done.stdout
