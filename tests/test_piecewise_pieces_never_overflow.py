"""A custom activation's untaken piece never overflows into the cost (hostile39b #1).

ELU written with indicators, ``z 1{z > 0} + (exp(z) - 1) 1{z <= 0}``, was printed as each
piece times its 0/1 mask: at z = 12 in float16 (89 in float32, 710 in float64) exp(z) is inf,
inf * 0 is NaN, and the cost and every gradient were NaN in all three backends, while
``symbackprop check`` passed. The generated code now folds the pieces into one ``where`` and
evaluates e^z only where its piece is taken.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from framework_support import import_framework

import symbackprop as sb

ELU = "z*1{z>0} + (exp(z)-1)*1{z<=0}"
#: a pre-activation past each dtype's overflow of exp, and the cost z^2 / 2 there
CASES = [(np.float16, 12.0), (np.float32, 89.0), (np.float64, 710.0), (np.float64, -50.0)]


def _network() -> sb.Network:
    return sb.Network.parse("1-1:elu", loss="mse", define={"elu": ELU})


def _expected(z: float) -> tuple[float, float]:
    """The cost (a - 0)^2 / 2 and dJ/db1 at one example with W1 = 1, b1 = 0, x = z."""
    a = z if z > 0 else np.expm1(z)
    slope = 1.0 if z > 0 else np.exp(z)
    return a * a / 2, a * slope


@pytest.mark.parametrize(("dtype", "z"), CASES)
def test_numpy_cost_and_gradient_are_finite_past_exps_overflow(dtype: type, z: float) -> None:
    module = sb.compile(_network())
    params = {"W1": np.ones((1, 1), dtype), "b1": np.zeros((1, 1), dtype)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning either
        cost, grads = module.loss_and_grads(
            params, np.full((1, 1), z, dtype), np.zeros((1, 1), dtype)
        )
    J, db = _expected(z)
    assert np.isfinite(cost) and cost == pytest.approx(J, rel=1e-2)
    assert float(grads["b1"][0, 0]) == pytest.approx(db, rel=1e-2, abs=1e-30)


@pytest.mark.parametrize("backend", ["torch", "jax"])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_framework_costs_are_finite_past_exps_overflow(backend: str) -> None:
    framework = import_framework("jax.numpy" if backend == "jax" else backend)
    module = sb.compile(_network(), backend=backend)
    for dtype, z in CASES[:2]:
        arrays = {
            "W1": np.ones((1, 1), dtype),
            "b1": np.zeros((1, 1), dtype),
            "X": np.full((1, 1), z, dtype),
            "Y": np.zeros((1, 1), dtype),
        }
        if backend == "torch":
            tensors = {k: framework.tensor(v) for k, v in arrays.items()}
        else:
            tensors = {k: framework.asarray(v) for k, v in arrays.items()}
        params = {"W1": tensors["W1"], "b1": tensors["b1"]}
        cost, grads = module.loss_and_grads(params, tensors["X"], tensors["Y"])
        assert float(cost) == pytest.approx(_expected(z)[0], rel=1e-2)
        assert float(grads["b1"].reshape(-1)[0]) == pytest.approx(z, rel=1e-2)


def test_the_code_selects_pieces_and_the_derivation_prints_them_as_written() -> None:
    """The folding is the generated code's (one where, no piece times its 0/1 mask): the
    derivation shows the user's form."""
    code = sb.codegen(_network())
    assert "A1 = np.where(Z1 > 0, Z1, np.exp(np.where(Z1 <= 0, Z1, -1.0)) - 1.0)" in code
    assert "* np.where(" not in code
    text = sb.to_text(sb.derive(_network()))
    assert "elu(z) = z*1{z>0} + (exp(z)-1)*1{z<=0}" in text, text


def test_many_indicator_pieces_stay_as_written_and_compile() -> None:
    """review39 #1: folding every form with a Piecewise made a sum of 8 indicator terms 2^8
    nested where calls (a SyntaxError at compile); only a few pieces, where one needs its
    guard, are folded."""
    steps = " + ".join(f"1{{z>{k}}}*(z-{k})" for k in range(8))
    module = sb.compile(sb.Network.parse("2-3:st-1:sigmoid", define={"st": steps}))
    assert max(len(line) for line in module.source.splitlines()) <= 99
    params = module.init_params(seed=0)
    rng = np.random.default_rng(0)
    X, Y = 4 * rng.standard_normal((2, 5)), (rng.random((1, 5)) < 0.5).astype(float)
    assert sb.gradcheck(module, params, X, Y).ok
