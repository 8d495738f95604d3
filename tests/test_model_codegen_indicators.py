"""Generated model modules where an indicator or a constant 1 x 1 product is a value of its own
(hostile review 6, items 13, 14 and 17), in every backend.

* relu's derivative 1{t > 0} is a number of the arrays' dtype wherever it is a value (a
  gradient, negated, under a matrix product, divided by m, multiplied in place), not a bool
  array; beside a floating-point factor of an element-wise product it stays a mask;
* identity(v^T x) gives dt3 = x^T, not ``1.0 * 1.0 @ x.T``;
* a constant that is not a real number (sqrt(-1) under relu, (-8)^(1/3)) is refused in one
  line, exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from framework_support import import_framework

import symbackprop as sb
from symbackprop.cli.main import main
from symbackprop.model import Model

SINGLE = "x : n x 1\nW : n x n\ns : 1 x 1\nsizes: n = 2\n"
#: name -> model text; each has an indicator (or a 1 x 1 constant product) as a value
MODELS = {
    "relu_wx": SINGLE + "J = sum(relu(W x)) + s\ndata: x\n",
    "relu_neg": SINGLE + "J = sum(W x) - relu(s)\ndata: x\n",
    "relu_exp": SINGLE + "J = sum(W x) + relu(exp(s))\ndata: x\n",
    "relu_s": SINGLE + "J = sum(W x) + relu(s)\ndata: x\n",
    "relu_batch": "X : 3 x m\nW : 3 x 3\nJ = sum(relu(W X)) / m\ndata: X\n",
    "relu_bias": "X : 3 x m\nW : 3 x 3\nJ = sum(relu(W X + b))\ndata: X\n",
    "identity_dot": "x : 2 x 1\nv : 2 x 1\nW : 2 x 2\nJ = sum(W x) + identity(v^T x)\ndata: x\n",
}
M = 4


def _values(module: Any, dtype: Any = np.float64) -> tuple[dict[str, Any], list[Any]]:
    """Parameters away from relu's kink (s > 0 and s < 0 both occur across the models)."""
    rng = np.random.default_rng(3)
    params = {k: rng.standard_normal(shape).astype(dtype) for k, shape in module.SHAPES.items()}
    data = [
        rng.standard_normal(tuple(M if d == "m" else d for d in module.DATA_SHAPES[name])).astype(
            dtype
        )
        for name in module.DATA
    ]
    return params, data


@pytest.mark.parametrize("key", sorted(MODELS))
def test_model_gradients_are_floats_of_the_parameters_dtype_numpy(key: str) -> None:
    module = sb.compile(Model.parse(MODELS[key]))
    for dtype in (np.float64, np.float32):
        params, data = _values(module, dtype)
        _, grads = module.loss_and_grads(params, *data)
        assert {str(g.dtype) for g in grads.values()} == {np.dtype(dtype).name}, key


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(MODELS))
def test_model_gradients_pass_the_gradient_check_numpy(key: str) -> None:
    module = sb.compile(Model.parse(MODELS[key]))
    params, data = _values(module)
    check = sb.gradcheck(module, params, *data)
    assert check.ok, str(check)


@pytest.mark.parametrize("key", sorted(MODELS))
def test_model_gradients_are_floats_of_the_parameters_dtype_torch(key: str) -> None:
    torch = import_framework("torch")
    module = sb.compile(Model.parse(MODELS[key]), backend="torch")
    params, data = _values(module)
    tensors = [torch.tensor(d) for d in data]
    _, grads = module.loss_and_grads({k: torch.tensor(v) for k, v in params.items()}, *tensors)
    tracked = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    module.module._forward.__wrapped__(tracked, *tensors)[0].sum().backward()
    for name, value in tracked.items():
        assert grads[name].dtype == torch.float64, (key, name)
        np.testing.assert_allclose(grads[name].numpy(), value.grad.numpy(), rtol=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(MODELS))
def test_model_gradients_are_floats_of_the_parameters_dtype_jax(key: str) -> None:
    jax = import_framework("jax")
    jax.config.update("jax_enable_x64", True)
    module = sb.compile(Model.parse(MODELS[key]), backend="jax")
    params, data = _values(module)
    want = jax.grad(lambda p: module.forward(p, *data)[0])(params)
    _, grads = module.loss_and_grads(params, *data)
    for name in want:
        assert str(grads[name].dtype) == "float64", (key, name)
        np.testing.assert_allclose(np.asarray(grads[name]), np.asarray(want[name]), rtol=1e-10)


@pytest.mark.parametrize(
    ("backend", "value", "negated"),
    [
        ("numpy", "(t3 > 0).astype(t3.dtype)", "-(t3 > 0).astype(t3.dtype)"),
        ("jax", "(t3 > 0).astype(t3.dtype)", "-(t3 > 0).astype(t3.dtype)"),
        (
            "torch",
            "torch.gt(t3, 0, out=torch.empty_like(t3))",
            "-torch.gt(t3, 0, out=torch.empty_like(t3))",
        ),
    ],
)
def test_an_indicator_that_is_a_value_is_written_in_the_arrays_dtype(
    backend: str, value: str, negated: str
) -> None:
    assert f"ds = {value}  # (1, 1)" in sb.codegen(Model.parse(MODELS["relu_s"]), backend=backend)
    assert f"ds = {negated}  # (1, 1)" in sb.codegen(
        Model.parse(MODELS["relu_neg"]), backend=backend
    )


def test_an_indicator_beside_a_float_factor_stays_a_mask() -> None:
    # dJ/dt = dA ⊙ 1{t > 0}, read from relu's output A: the product converts the mask; no
    # conversion of its own
    text = "X : 3 x m\nW : 3 x 3\nA = relu(W X)\nJ = sum(A ⊙ A)\ndata: X\n"
    for backend in ("numpy", "torch", "jax"):
        source = sb.codegen(Model.parse(text), backend=backend)
        assert "(A > 0)" in source or "A > 0  #" in source, backend
        assert "0).astype(" not in source and "torch.gt(" not in source, backend


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_identity_of_a_dot_product_reads_x_transposed(backend: str) -> None:
    source = sb.codegen(Model.parse(MODELS["identity_dot"]), backend=backend)
    assert "# dJ/d(v^T) = x^T [step 4, bilinear]" in source
    assert "dt3 = x.T  # (1, 2)" in source
    assert "1.0 * 1.0" not in source and "I ⊙ I" not in source


@pytest.mark.parametrize(
    "cost", ["sum(W x) + relu(sqrt(-1))", "sum(W x) + (-8)^(1/3)", "(-8)^(1/3) sum(W x)"]
)
@pytest.mark.parametrize("command", ["derive", "codegen", "check"])
def test_a_constant_that_is_not_real_is_refused_in_one_line(
    tmp_path: Path, cost: str, command: str
) -> None:
    path = tmp_path / "c.model"
    path.write_text(f"x : 2 x 1\nW : 2 x 2\nJ = {cost}\ndata: x\n", encoding="utf-8")
    result = CliRunner().invoke(main, [command, str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().count("\n") == 0
    assert "line 3: a constant here is complex" in result.stderr


@pytest.mark.parametrize("cost", ["sum(W x) + 8^(1/3)", "(-8)^2 sum(W x)", "sum(W x) - sqrt(2)"])
def test_real_constants_are_still_accepted(cost: str) -> None:
    module = sb.compile(Model.parse(f"x : 2 x 1\nW : 2 x 2\nJ = {cost}\ndata: x\n"))
    params, data = _values(module)
    assert sb.gradcheck(module, params, *data).ok
