"""Generated model modules on odd models (hostile review of issue 14), in every backend.

A constant adjoint summed over the columns (``sum(W X + b)``: dJ/db = m 1_3) gives the right
numbers in NumPy (finite differences and the closed form), torch (its autograd) and JAX (its
autodiff, slow: JAX compiles), and ``symbackprop check`` passes on it; a model whose names are
the ones the modules use (``jax``, ``jnp``, ``np``, ``torch``) is renamed, not shadowed.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from framework_support import import_framework

import symbackprop as sb
from symbackprop.cli.main import main
from symbackprop.lowering.model_plan import MODULE_NAMES, build_model_plan
from symbackprop.model import Model

#: name -> (model, the added parameter, dJ/d(it) / m: a constant)
CONSTANT_ADJOINTS = {
    "bias_sum": ("X : 3 x m\nW : 3 x 3\nJ = sum(W X + b)\ndata: X\n", "b", 1.0),
    "plus_mu": ("X : 3 x m\nJ = sum(X + mu)\ndata: X\n", "mu", 1.0),
    "minus_mu": ("X : 3 x m\nJ = sum(X - mu)\ndata: X\n", "mu", -1.0),
    "halved": ("X : 3 x m\nJ = sum((X + mu) / 2)\ndata: X\n", "mu", 0.5),
    "rowsum": ("X : 3 x m\nW : 2 x 3\nJ = sum(rowsum(W X + b))\ndata: X\n", "b", 1.0),
    "twice": ("X : 3 x m\nW : 3 x 3\nZ = W X + b\nJ = sum(Z) + sum(Z)\ndata: X\n", "b", 2.0),
    "row": ("X : 3 x m\nw : 3 x 1\nJ = sum(w^T X + c) + sum(w ⊙ w)\ndata: X\n", "c", 1.0),
}
#: a model whose parameter, data and value names are the modules' own
SHADOWING = (
    "X : 3 x m\nY : 1 x m\njax : 3 x 3\nnp = tanh(jax X + jnp)\ntorch = sum(np)\n"
    "J = bce(sigmoid(math^T np + torch), Y)\ndata: X, Y\n"
)
#: parameters, data and values named like SymPy's or Python's constants and the modules' own
#: helpers and locals (declared, so the model means them as names: review of session 14)
CONSTANT_NAMED = (
    "X : 3 x m\nY : 1 x m\npi : 3 x 3\nI : 3 x 3\ne : 1 x 3\nE : 1 x 1\nzoo : 1 x 1\n"
    "nan = tanh(pi X + I X)\noo = sum(nan ⊙ nan) / m\nself = e nan + E\n"
    "print = sigmoid(self)\ninf = bce(print, Y) + 0.1 oo\nJ = inf + zoo ⊙ zoo\ndata: X, Y\n"
)
M = 4


def _values(module: Any, seed: int = 0) -> tuple[dict[str, np.ndarray], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    params = {k: rng.standard_normal(shape) for k, shape in module.SHAPES.items()}
    data = []
    for name in module.DATA:
        rows, cols = (M if d == "m" else d for d in module.module.DATA_SHAPES[name])
        data.append(
            rng.integers(0, 2, (rows, cols)).astype(float)
            if name == "Y"
            else rng.standard_normal((rows, cols))
        )
    return params, data


@pytest.mark.parametrize("key", sorted(CONSTANT_ADJOINTS))
def test_a_constant_adjoint_summed_over_the_columns_numpy(key: str) -> None:
    text, added, per_column = CONSTANT_ADJOINTS[key]
    module = sb.compile(Model.parse(text))
    params, data = _values(module)
    _, grads = module.loss_and_grads(params, *data)
    np.testing.assert_allclose(grads[added], np.full(params[added].shape, M * per_column))
    assert grads[added].dtype == params[added].dtype
    check = sb.gradcheck(module, params, *data)
    assert check.ok, str(check)


@pytest.mark.parametrize("key", sorted(CONSTANT_ADJOINTS))
def test_a_constant_adjoint_summed_over_the_columns_torch(key: str) -> None:
    torch = import_framework("torch")
    module = sb.compile(Model.parse(CONSTANT_ADJOINTS[key][0]), backend="torch")
    params, data = _values(module)
    tensors = [torch.tensor(d) for d in data]
    _, grads = module.loss_and_grads({k: torch.tensor(v) for k, v in params.items()}, *tensors)
    tracked = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    module.module._forward.__wrapped__(tracked, *tensors)[0].sum().backward()
    for name, value in tracked.items():
        np.testing.assert_allclose(grads[name].numpy(), value.grad.numpy(), rtol=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(CONSTANT_ADJOINTS))
def test_a_constant_adjoint_summed_over_the_columns_jax(key: str) -> None:
    jax = import_framework("jax")
    jax.config.update("jax_enable_x64", True)
    module = sb.compile(Model.parse(CONSTANT_ADJOINTS[key][0]), backend="jax")
    params, data = _values(module)

    @jax.jit
    def both(params: Any, *data: Any) -> Any:
        autodiff = jax.grad(lambda p: module.forward(p, *data)[0])(params)
        return module.loss_and_grads(params, *data)[1], autodiff

    grads, want = both(params, *data)
    for name in want:
        np.testing.assert_allclose(np.asarray(grads[name]), np.asarray(want[name]), rtol=1e-10)


def test_check_passes_on_a_constant_bias_gradient(tmp_path: Path) -> None:
    path = tmp_path / "bias.model"
    path.write_text(CONSTANT_ADJOINTS["bias_sum"][0], encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout


# -- names ------------------------------------------------------------------------------------


def _bound(tree: ast.Module) -> set[str]:
    """Every name the module binds at module level or in a function."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.alias):
            out.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
    return out


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_every_name_a_module_uses_itself_is_reserved(backend: str) -> None:
    """The names a module binds beyond the model's own (and private ones) are MODULE_NAMES
    or locals of functions that hold no model name: a new helper must be reserved."""
    derivation = sb.derive(Model.parse(SHADOWING))
    source = sb.codegen(derivation, backend=backend)
    plan = build_model_plan(derivation, None)
    own = {leaf.code for leaf in (*plan.parameters, *plan.data)}
    own |= {s.target for s in (*plan.forward, *plan.backward)}
    assert {"jax_", "jnp_", "np_", "torch_", "math_"} <= own
    helpers = {
        "layer",
        "name",
        "value",
        "values",
        "expected",
        "got",
        "known",
        "shape",
        "rows",
        "cols",
        "fixed_by",
        "want",
        "size",
        "data",
        "self",
        "ctx",
        "grad_output",
        "tensors",
        "g",
        "residuals",
        "kept",
        "scaled",
        "grad",
        "buf",
        "out",
        "latest",  # _latest_cache's
        "shared",
        "shifted",
        "sign",
        "J",
        "_",
        "Z",
        "fan_in",
        "fan_out",
        "scale",  # init_params' c of scaled-identity:c
        "wide",  # norm2's accumulating dtype (jax)
        "norm",
        "floating",  # init_params' test of its dtype
        "named",  # the dict gradients builds from its tuple (jax)
        # locals of torch's _no_grad wrapper (autograd and autocast off), no model name inside
        "function",
        "args",
        "kwargs",
        "enabled",
        # locals of torch's _misplaced and _misplaced_tensor, likewise
        "code",
        "given",
        "item",
        "key",
        "devices",
        "common",
        "with_data",
        "other",
        "tensor",
        # locals of the jax cost's custom_vjp helpers (_is_primal, _refuse_data_cotangents,
        # _scaled: the cotangent in the params' own container)
        "zero",
        "leaves",
        "tree",
        "path",
        "primal",
        "asked",
        "verb",
        # locals and method names of the torch template (Parameters, FirstOrderOnly)
        "count",
        "first",
        "grad_outputs",
        "items",
        "keys",
        "wanted",
        # locals of the torch template's _refuse_data_grads
        "needed",
        # the signature _not_a_workspace names in its message
        "call",
        "need",
        "names",
        "detached",
        "does",
        # the arguments of _wrong_cache_shape (backward's own are _shapes, _expected, _names)
        "shapes",
    }
    extra = {n for n in _bound(ast.parse(source)) if not n.startswith("_")} - own - helpers
    assert extra <= MODULE_NAMES, sorted(extra - MODULE_NAMES)
    # JAX reads a parameter as a JAX array (a NumPy one computed in NumPy: hostile45a #2)
    read = 'jax_ = _as_jax(params["jax"])' if backend == "jax" else 'jax_ = params["jax"]'
    assert read in source


def test_model_names_equal_to_the_modules_own_are_renamed_numpy_and_torch() -> None:
    model = Model.parse(SHADOWING)
    reference = sb.compile(model)
    params, data = _values(reference, seed=2)
    cost, grads = reference.loss_and_grads(params, *data)
    check = sb.gradcheck(reference, params, *data)
    assert check.ok, str(check)
    torch = import_framework("torch")
    module = sb.compile(model, backend="torch")
    got_cost, got = module.loss_and_grads(
        {k: torch.tensor(v) for k, v in params.items()}, *(torch.tensor(d) for d in data)
    )
    assert got_cost == pytest.approx(cost, rel=1e-12)
    for name in grads:
        np.testing.assert_allclose(got[name].numpy(), grads[name], rtol=1e-10)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_names_that_read_as_constants_are_plain_names_once_declared(backend: str) -> None:
    """pi, I, e, E, nan, oo, inf, zoo, self and print as parameters and values: the module runs
    and its gradient is the finite differences' (NumPy) and NumPy's (torch)."""
    model = Model.parse(CONSTANT_NAMED)
    assert model.parameters == ("pi", "I", "e", "E", "zoo")
    reference = sb.compile(model)
    params, data = _values(reference, seed=3)
    cost, grads = reference.loss_and_grads(params, *data)
    if backend == "numpy":
        check = sb.gradcheck(reference, params, *data)
        assert check.ok, str(check)
        return
    torch = import_framework("torch")
    module = sb.compile(model, backend="torch")
    got_cost, got = module.loss_and_grads(
        {k: torch.tensor(v) for k, v in params.items()}, *(torch.tensor(d) for d in data)
    )
    assert got_cost == pytest.approx(cost, rel=1e-12)
    for name in grads:
        np.testing.assert_allclose(got[name].numpy(), grads[name], rtol=1e-10)


@pytest.mark.slow
def test_names_that_read_as_constants_are_plain_names_once_declared_jax() -> None:
    jax = import_framework("jax")
    jax.config.update("jax_enable_x64", True)
    model = Model.parse(CONSTANT_NAMED)
    reference = sb.compile(model)
    params, data = _values(reference, seed=3)
    cost, grads = reference.loss_and_grads(params, *data)
    got_cost, got = jax.jit(sb.compile(model, backend="jax").loss_and_grads)(params, *data)
    assert float(got_cost) == pytest.approx(cost, rel=1e-12)
    for name in grads:
        np.testing.assert_allclose(np.asarray(got[name]), grads[name], rtol=1e-10)


@pytest.mark.slow
def test_model_names_equal_to_the_modules_own_are_renamed_jax() -> None:
    jax = import_framework("jax")
    jax.config.update("jax_enable_x64", True)
    model = Model.parse(SHADOWING)
    reference = sb.compile(model)
    params, data = _values(reference, seed=2)
    cost, grads = reference.loss_and_grads(params, *data)
    module = sb.compile(model, backend="jax")
    got_cost, got = jax.jit(module.loss_and_grads)(params, *data)
    assert float(got_cost) == pytest.approx(cost, rel=1e-12)
    for name in grads:
        np.testing.assert_allclose(np.asarray(got[name]), grads[name], rtol=1e-10)


# -- the text: ruff-clean, plain ------------------------------------------------------------

#: models whose modules once broke ruff or printed SymPy's internals (hostile review)
ODD = {
    "long_sum": "X : 3 x m\nJ = (1/m) sum((X - mu) ⊙ (X - mu)) + (1/m) sum(mu ⊙ X ⊙ X)\ndata: X\n",
    "bce_l2": "x : 3 x 1\ny : 1 x 1\nJ = bce(sigmoid(w^T x + c), y) + sum(w ⊙ w)\ndata: x, y\n",
    "bce_single": "x : 3 x 1\ny : 1 x 1\nJ = bce(sigmoid(w^T x + c), y)\ndata: x, y\n",
    "two_losses": "X : 1 x m\nY : 1 x m\nw : 1 x 1\np = sigmoid(w X)\n"
    "J = bce(p, Y) + mse(p, Y)\ndata: X, Y\n",
    "inverses": "A : n x n\nB : n x n\nsizes: n = 3\n"
    "J = logdet(A^T A) + tr(inv(B) A) + det(A B) + sum(inv(A) ⊙ inv(A))\ndata:\n",
    "functions": "X : n x m\nW : k x n\nsizes: n = 3, k = 4\nZ = W X\n"
    "J = norm2(Z) + norm1(W) + sum(log(Z ⊙ Z + 1)) + sum(rowsum(abs(Z))) + tr(W^T W)\n"
    "data: X\n",
    **{key: text for key, (text, _, _) in CONSTANT_ADJOINTS.items()},
    "shadowing": SHADOWING,
}


@pytest.mark.slow  # ruff over a dozen modules: seconds
def test_odd_models_give_ruff_clean_plain_modules(tmp_path: Path) -> None:
    for key, text in ODD.items():
        derivation = sb.derive(Model.parse(text))
        for backend in ("numpy", "torch", "jax"):
            source = sb.codegen(derivation, backend=backend)
            for internal in ("HadamardPower", "1.0 * ", "(J).reshape", "= (t4 - y)"):
                assert internal not in source, (key, backend, internal)
            (tmp_path / f"{key}_{backend}.py").write_text(source, encoding="utf-8")
    config = Path(__file__).parents[1] / "pyproject.toml"
    for args in (("check",), ("format", "--check")):
        run = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--config", str(config), str(tmp_path)],
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
def test_a_square_data_array_of_two_sizes_is_told_it_must_be_square(backend: str) -> None:
    """hostile37a #4: "X has m = 5 but X has m = 4" named one array twice."""
    convert: Any = np.asarray
    if backend != "numpy":
        framework = import_framework(backend)
        convert = framework.as_tensor if backend == "torch" else framework.numpy.asarray
    module = sb.compile(
        sb.Model.parse("X : m x m\nJ = c sum(X) + c tr(X)\ndata: X\n"), backend=backend
    )
    with pytest.raises(ValueError, match=r"^X has shape \(4, 5\), expected \(m, m\): a square "):
        module.loss_and_grads(module.init_params(), convert(np.ones((4, 5))))


@pytest.mark.parametrize(
    ("cost", "said"),
    [
        ("J = sum(tanh(W X) ⊙ Y)", "Examples are along m.\n"),
        ("J = mse(W X, Y)", "Examples are along m; mse is the mean over them.\n"),
        ("J = mse(W X, Y) + bce(sigmoid(W X), Y)", "bce and mse are each the mean over them."),
    ],
)
def test_the_header_says_what_the_cost_averages(cost: str, said: str) -> None:
    """hostile38a #6: "J is the mean over them" was said of J = sum(tanh(W X)), a sum."""
    text = f"X : n x m\nY : 2 x m\nW : 2 x n\nsizes: n = 3\n{cost}\ndata: X, Y\n"
    assert said in sb.codegen(sb.Model.parse(text))
