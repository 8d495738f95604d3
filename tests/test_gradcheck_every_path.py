"""gradcheck compares every way a module gives its gradients (hostile37b #5, #6).

The finite differences check ``loss_and_grads`` without a workspace. A module whose
``backward`` alone was wrong, whose torch ``BackpropCost`` dropped ``grad_output`` (so that
``(0.5 * net(X, Y)).backward()`` gave twice the gradient), whose JAX ``custom_vjp`` dropped
its cotangent, whose workspace path went wrong at its third call or at another m, or whose
float32 arithmetic alone was wrong, passed. Each broken copy of a generated module here is
made from the module's own text by one replacement, and fails, naming the path.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from tests.framework_support import import_framework

NET = "4-4-4-1"


def _broken(tmp_path: Path, backend: str, old: str, new: str) -> Any:
    source = sb.codegen(NET, backend=backend)
    assert source.count(old) == 1, old
    path = tmp_path / f"broken_{backend}_{abs(hash(new))}.py"
    path.write_text(source.replace(old, new))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _data(m: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((4, m)), (rng.random((1, m)) > 0.5) * 1.0


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_a_right_module_passes_every_path(backend: str) -> None:
    if backend != "numpy":
        import_framework(backend)
    module = sb.compile(NET, backend=backend)
    result = sb.gradcheck(module, module.init_params(seed=0), *_data())
    assert result.ok and not result.workspace_differs, result


NUMPY_BUGS = {
    "from forward then backward": (
        "    return _backward(params, cache, Y, m, work)\n",
        "    grads = _backward(params, cache, Y, m, work)\n"
        "    grads['W1'] = -grads['W1']\n    return grads\n",
    ),
    "with a workspace dict (a call at another m)": (  # its third call with a workspace
        "    dW1 = dZ1.dot(X.T, out.dW1)  # (4, 4)\n",
        "    dW1 = dZ1.dot(X.T, out.dW1)  # (4, 4)\n"
        "    if work is not None:\n        work['calls'] = work.get('calls', 0) + 1\n"
        "        if work['calls'] > 2:\n            dW1 = -dW1\n",
    ),
}


@pytest.mark.parametrize("path", list(NUMPY_BUGS))
def test_a_numpy_module_wrong_on_one_path_fails_naming_it(tmp_path: Path, path: str) -> None:
    module = _broken(tmp_path, "numpy", *NUMPY_BUGS[path])
    X, Y = _data()
    result = sb.gradcheck(module, module.init_params(seed=0), X, Y)
    assert all(row.ok for row in result.rows)  # loss_and_grads itself is right
    assert not result.ok and result.workspace_differs.startswith(path + ", dJ/dW1 differs")


def test_a_bug_only_in_float32_is_told_in_a_note(tmp_path: Path) -> None:
    """hostile37b #6, review37 #2: a sign wrong in float32 alone differs from float64 by 2; a
    right module's float32 rounding where the gradient cancels (a saturated output) differs by
    0.8, so neither fails: the note gives the difference and what it may mean."""
    module = _broken(
        tmp_path,
        "numpy",
        "    dW1 = dZ1.dot(X.T, out.dW1)  # (4, 4)\n",
        "    dW1 = dZ1.dot(X.T, out.dW1)  # (4, 4)\n"
        "    if X.dtype != np.float64:\n        dW1 = -dW1\n",
    )
    X, Y = _data()
    params = module.init_params(seed=0, dtype=np.float32)
    result = sb.gradcheck(module, params, X.astype(np.float32), Y.astype(np.float32))
    (note,) = result.notes
    assert "its gradients in float32 differ from float64 by up to 2.0e+00 (dJ/dW1;" in note
    assert "a bug in that dtype alone (a sign, a scale) shows so" in note
    right = sb.compile(NET)
    passed = sb.gradcheck(right, params, X.astype(np.float32), Y.astype(np.float32))
    assert passed.ok and "a bug in that dtype" not in passed.notes[0], passed


def test_a_saturated_float32_network_is_not_failed() -> None:
    """review37 #2: 4-3-2-1 with W3 = 30 in float32 failed gradcheck (a 0.83 difference from
    float64, all rounding) though every finite-difference row passed."""
    module = sb.compile("4-3-2-1")
    params = {k: v.astype(np.float32) for k, v in module.init_params(seed=0).items()}
    params["W3"][:] = 30.0
    X = np.random.default_rng(1).standard_normal((4, 6)).astype(np.float32)
    a3 = module.forward({k: v.astype(np.float64) for k, v in params.items()}, X.astype(float))[0]
    Y = (a3 > 0.5).astype(np.float32)
    assert sb.gradcheck(module, params, X, Y).ok


def test_a_hand_written_module_with_its_own_backward_is_not_asked() -> None:
    """review37 #6: a module object whose backward takes (cache, Y) failed with TypeError."""
    right = sb.compile(NET)

    class Hand:
        @staticmethod
        def loss_and_grads(params: Any, X: Any, Y: Any) -> Any:
            return right.loss_and_grads(params, X, Y)

        @staticmethod
        def forward(params: Any, X: Any) -> Any:
            return right.forward(params, X)

        @staticmethod
        def backward(cache: Any, Y: Any) -> Any:
            raise AssertionError("not the generated contract: not called")

    assert sb.gradcheck(Hand(), right.init_params(seed=0), *_data()).ok


@pytest.mark.parametrize("dtype_name", ["bfloat16", "float16"])
def test_torch_half_precision_tensors_are_checked(dtype_name: str) -> None:
    """review37 #7: torch bfloat16 tensors raised TypeError (NumPy has no bfloat16)."""
    torch = import_framework("torch")
    dtype = getattr(torch, dtype_name)
    module = sb.compile(NET, backend="torch")
    X, Y = (torch.as_tensor(a).to(dtype) for a in _data())
    result = sb.gradcheck(module, module.init_params(seed=0, dtype=dtype), X, Y)
    assert result.ok, result
    assert f"the torch.{dtype_name} arrays given were converted" in result.notes[0]


def test_a_torch_cost_that_drops_grad_output_fails(tmp_path: Path) -> None:
    torch = import_framework("torch")
    module = _broken(
        tmp_path,
        "torch",
        "grads = tuple(grad_output * grads[name] for name in SHAPES)",
        "grads = tuple(grads[name] for name in SHAPES)",
    )
    X, Y = (torch.as_tensor(a) for a in _data())
    result = sb.gradcheck(module, module.init_params(seed=0, dtype=torch.float64), X, Y)
    assert not result.ok
    assert result.workspace_differs.startswith("through torch's autograd, (2.5 * cost(...))")


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_a_jax_cost_that_drops_its_cotangent_fails(tmp_path: Path) -> None:
    import_framework("jax")
    module = _broken(
        tmp_path,
        "jax",
        "None if zero or name not in grads else g * grads[name]",
        "None if zero or name not in grads else grads[name]",
    )
    result = sb.gradcheck(module, module.init_params(seed=0), *_data())
    assert not result.ok
    assert result.workspace_differs.startswith("through jax.grad of 2.5 * cost, dJ/d")


#: a smooth model whose cached W2^T holds exact zeros at a scaled-identity init (hostile38a #3)
SMOOTH = (
    "X : n x m\nY : n x m\nW1 : n x n\nW2 : n x n\nsizes: n = 3\nH = tanh(W1 X + b)\n"
    "J = mse(W2^T H, Y)\ndata: X, Y\n"
)


def _loaded(tmp_path: Path, source: str, name: str) -> Any:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_module_loaded_from_its_file_skips_no_step_of_a_smooth_model(tmp_path: Path) -> None:
    """Every cached array was watched for a sign change in a module loaded from its file: the
    zeros of the cached W2^T made six of W2's nine entries 'skipped', among them the one a
    broken module got wrong, and gradcheck passed it. The module's KINKS now say it has none."""
    source = sb.codegen(sb.Model.parse(SMOOTH))
    assert "KINKS: dict[str, tuple[float, ...]] = {}" in source
    old = "    dW2 = dt3.T  # (3, 3)\n"
    assert source.count(old) == 1
    broken = old.replace("dt3.T", "dt3.T.copy()") + "    dW2[0, 1] = -3.0 * dW2[0, 1] + 1.0\n"
    module = _loaded(tmp_path, source.replace(old, broken), "smooth_broken")
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 8)), rng.standard_normal((3, 8))
    params = module.init_params(scheme="scaled-identity:1.5")
    result = sb.gradcheck(module, params, X, Y)
    assert not result.ok
    (row,) = [row for row in result.rows if row.parameter == "W2"]
    assert row.skipped == 0 and not row.ok


def test_a_relu_model_loaded_from_its_file_watches_its_kinks(tmp_path: Path) -> None:
    text = "X : n x m\nW : n x n\nsizes: n = 3\nJ = sum(relu(W X)) / m\ndata: X\n"
    source = sb.codegen(sb.Model.parse(text))
    assert 'KINKS: dict[str, tuple[float, ...]] = {\n    "t2": (0.0,),\n}' in source
    module = _loaded(tmp_path, source, "relu_model")
    X = np.random.default_rng(1).standard_normal((3, 5))
    assert sb.gradcheck(module, module.init_params(seed=0), X).ok


def test_a_network_module_names_its_kinks_unless_a_custom_activation_kinks(
    tmp_path: Path,
) -> None:
    """review38 #10: a relu network's module names A1 at its kink 0, and gradcheck of it loaded
    from its file catches a wrong entry; a custom kinked activation's kinks are not solved at
    code generation (review38 #1), so that module names none (a custom smooth one: none to
    name, the constant is there)."""
    source = sb.codegen(sb.Network.parse("3-4:relu-1:sigmoid"))
    assert 'KINKS: dict[str, tuple[float, ...]] = {\n    "A1": (0.0,),\n}' in source
    custom = sb.Network.parse("3-4:kink-1:sigmoid", define={"kink": "abs(z - 1)"})
    assert "KINKS" not in sb.codegen(custom)
    smooth = sb.Network.parse("3-4:sw-1:sigmoid", define={"sw": "z*sigmoid(z)"})
    assert "KINKS: dict[str, tuple[float, ...]] = {}" in sb.codegen(smooth)
    old = "    dW2 = dZ2.dot(A1.T, out.dW2)  # (1, 4)"
    assert source.count(old) == 1, source
    broken = source.replace(old, old + "\n    dW2[0, 1] += 0.25")
    module = _loaded(tmp_path, broken, "relu_net_broken")
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 6)), (rng.random((1, 6)) < 0.5).astype(float)
    result = sb.gradcheck(module, module.init_params(seed=0), X, Y)
    (row,) = [row for row in result.rows if row.parameter == "W2"]
    assert not result.ok and not row.ok


def test_a_registered_activations_kink_is_named_where_it_lies() -> None:
    """review39 #5: an activation registered in Python with its kink at 1 got a module whose
    KINKS said 0, where gradcheck would have watched the wrong value."""
    import sympy as sp

    from symbackprop.records.activations import Activation, register, unregister
    from symbackprop.records.scalars import z

    register(
        Activation("above_one", r"\operatorname{a}", sp.Piecewise((z, z > 1), (0, True)), None)
    )
    try:
        source = sb.codegen(sb.Network.parse("3-4:above_one-1"))
    finally:
        unregister("above_one")
    assert 'KINKS: dict[str, tuple[float, ...]] = {\n    "Z1": (1.0,),\n}' in source
