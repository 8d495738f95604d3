"""The JAX backend (issue 14, item 2): generated gradients against JAX's own autodiff.

With ``jax_enable_x64``, every check compares the derived gradients (``loss_and_grads``), the
same under ``jax.jit``, and ``jax.grad`` of the module's ``jax.custom_vjp`` cost, with
``jax.grad`` of the cost written here directly in JAX (networks) or of the module's forward
pass (models, whose NumPy module gives the same numbers too), at rtol 1e-10. Skipped when jax
is missing, unless SYMBACKPROP_REQUIRE_JAX=1 (as in CI).

JAX compiles every operation on first use (eager mode too), so each default check runs ONE
jitted function computing all of it; the eager runs, every example model and random
architectures are ``slow``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symbackprop as sb
from symbackprop.model import Model
from symbackprop.records.losses import LOSSES

sys.path.insert(0, str(Path(__file__).parent))
from framework_support import Deferred  # noqa: E402
from model_eval import draw  # noqa: E402
from test_model_derive import DEFINE, MODELS  # noqa: E402

#: imported by the first test that uses them, with jax_enable_x64 set (skipped without jax,
#: a failure under SYMBACKPROP_REQUIRE_JAX=1); not while pytest collects
jax = Deferred("jax")
jnp = Deferred("jax.numpy")

#: every test needs jax: skipped without it, failed under SYMBACKPROP_REQUIRE_JAX=1
pytestmark = pytest.mark.usefixtures("needs_jax")

ROOT = Path(__file__).parents[1]
EXAMPLES = sorted((ROOT / "examples" / "models").glob("*.model"))
SWISH = {"swish": "z*sigmoid(z)"}

#: every activation, written directly in JAX (the reference the derived gradients must equal)
ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "sigmoid": lambda z: jax.nn.sigmoid(z),
    "tanh": lambda z: jnp.tanh(z),
    "relu": lambda z: jnp.maximum(z, 0.0),
    "leaky_relu": lambda z: jnp.where(z > 0, z, 0.01 * z),
    "identity": lambda z: z,
    "softplus": lambda z: jnp.log1p(jnp.exp(z)),
    "softmax": lambda z: jax.nn.softmax(z, axis=0),
    "swish": lambda z: z * jax.nn.sigmoid(z),
    "mish": lambda z: z * jnp.tanh(jnp.log1p(jnp.exp(z))),
}


def reference_cost(net: sb.Network) -> Callable[..., Any]:
    """J of ``net`` written directly in JAX: the textbook formulas, no stable forms."""
    acts = [layer.activation for layer in net.layers]

    def cost(params: dict[str, Any], X: Any, Y: Any) -> Any:
        A = X
        for index, act in enumerate(acts, start=1):
            A = ACTIVATIONS[act](params[f"W{index}"] @ A + params[f"b{index}"])
        m = X.shape[1]
        if net.loss == "bce":
            total = -(Y * jnp.log(A) + (1 - Y) * jnp.log(1 - A)).sum()
        elif net.loss == "ce":
            total = -(Y * jnp.log(A)).sum()
        else:
            total = 0.5 * ((A - Y) ** 2).sum()
        decay = sum(jnp.vdot(params[f"W{i}"], params[f"W{i}"]) for i in range(1, len(acts) + 1))
        return total / m + net.l2 / (2 * m) * decay

    return cost


def network_data(module: Any, net: sb.Network, m: int, seed: int = 0) -> tuple[Any, Any, Any]:
    """Parameters (init_params, normal scheme, random biases), X and valid targets Y."""
    rng = np.random.default_rng(seed)
    params = module.init_params(seed, scheme="normal")
    params = {
        k: v + jnp.asarray(rng.standard_normal(v.shape)) if k.startswith("b") else v
        for k, v in params.items()
    }
    n0, n_out = module.SHAPES["W1"][1], module.SHAPES[f"W{module.module.DEPTH}"][0]
    X = jnp.asarray(rng.standard_normal((n0, m)))
    Y = jnp.asarray(LOSSES[net.loss].draw_targets(rng, (n_out, m)))
    return params, X, Y


def assert_close(got: dict[str, Any], want: dict[str, Any], rtol: float = 1e-10) -> None:
    assert got.keys() == want.keys()
    for name in want:
        np.testing.assert_allclose(
            np.asarray(got[name]),
            np.asarray(want[name]),
            rtol=rtol,
            atol=rtol * 1e-2,
            err_msg=name,
        )


def assert_finite(*values: Any) -> None:
    """Every array in ``values`` (arrays or dicts of them) is finite."""
    for value in values:
        for array in value.values() if isinstance(value, dict) else [value]:
            assert bool(jnp.all(jnp.isfinite(array)))


def check_network(spec: str, m: int, *, eager: bool = False, huge: bool = True, **kw: Any) -> None:
    """Derived, jitted, positional (``gradients``) and custom_vjp gradients equal jax.grad of
    the reference cost."""
    net = sb.Network.parse(spec, **kw)
    module = sb.compile(net, backend="jax")
    params, X, Y = network_data(module, net, m)
    reference = reference_cost(net)

    @jax.jit
    def everything(params: Any, X: Any, Y: Any) -> Any:
        cost, grads = module.loss_and_grads(params, X, Y)
        positional = module.gradients(tuple(params[k] for k in module.SHAPES), X, Y)
        return (cost, grads, jax.grad(module.module.cost)(params, X, Y),
                dict(zip(module.SHAPES, positional, strict=True)),
                reference(params, X, Y), jax.grad(reference)(params, X, Y))  # fmt: skip

    cost, grads, through_vjp, positional, want_cost, want = everything(params, X, Y)
    np.testing.assert_allclose(float(cost), float(want_cost), rtol=1e-10)
    assert_close(grads, want)
    assert_close(through_vjp, want)
    assert_close(positional, want)
    if huge:  # |z| of order 1e3 (same shapes: no new compile); the textbook reference may overflow
        assert_finite(*everything({k: v * 1e3 for k, v in params.items()}, X, Y)[:4])
    if eager:
        eager_cost, eager_grads = module.loss_and_grads(params, X, Y)
        np.testing.assert_allclose(float(eager_cost), float(cost), rtol=1e-12)
        assert_close(eager_grads, grads, rtol=1e-12)


# -- networks ---------------------------------------------------------------------------------

#: every activation (swish custom) and every loss, with and without l2, a batch and m = 1
NETWORKS = [
    ("5-4:relu-3:tanh-3:softmax", 4, {"loss": "ce", "l2": 0.1}),
    ("3-4:leaky_relu-3:softplus-2:identity", 1, {"loss": "mse"}),
    ("3-2:swish-2:sigmoid", 5, {"loss": "bce", "l2": 0.05, "define": SWISH}),
]


@pytest.mark.parametrize(("spec", "m", "kw"), NETWORKS, ids=[n[0] for n in NETWORKS])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_networks_equal_jax_autodiff(spec: str, m: int, kw: dict[str, Any]) -> None:
    check_network(spec, m, **kw)


def test_gradients_is_jitted_on_tuples_in_shapes_order() -> None:
    """``gradients`` called on its own (its own jit, the benchmark's call): a tuple or a list
    of arrays in SHAPES order in, a tuple out, equal to the NumPy module's gradients (no
    eager JAX: it compiles every operation); a dict or a tuple of the wrong length is a
    ValueError that says what it wants."""
    net = sb.Network.parse("3-2-1")
    module = sb.compile(net, backend="jax")
    params, X, Y = network_data(module, net, 1)
    arrays = [params[k] for k in module.SHAPES]
    got = module.gradients(tuple(arrays), X, Y)
    assert isinstance(got, tuple) and len(got) == len(module.SHAPES)
    numpy = {k: np.asarray(v) for k, v in params.items()}
    _, want = sb.compile(net).loss_and_grads(numpy, np.asarray(X), np.asarray(Y))
    assert_close(dict(zip(module.SHAPES, got, strict=True)), want)
    assert_close(dict(zip(module.SHAPES, module.gradients(arrays, X, Y), strict=True)),
                 dict(zip(module.SHAPES, got, strict=True)), rtol=0)  # fmt: skip
    with pytest.raises(ValueError, match="tuple of 4 arrays in the order of SHAPES, got dict"):
        module.gradients(params, X, Y)
    with pytest.raises(ValueError, match="got 3"):
        module.gradients(tuple(arrays[:3]), X, Y)
    with pytest.raises(ValueError, match=r"W2 has shape \(2, 1\), expected \(1, 2\)"):
        module.gradients((arrays[0], arrays[1], arrays[2].T, arrays[3]), X, Y)


#: the slow twins add a derivative too long for one line (written over several); mish' as
#: SymPy derives it holds e^z / (1 + e^z), which overflows at z ~ 1e3 (in NumPy too)
MISH = {"mish": "z*tanh(log(1+exp(z)))", **SWISH}
SLOW_NETWORKS = [*NETWORKS, ("3-4:mish-3:swish-2:identity", 3, {"loss": "mse", "define": MISH})]


@pytest.mark.slow
@pytest.mark.parametrize(("spec", "m", "kw"), SLOW_NETWORKS, ids=[n[0] for n in SLOW_NETWORKS])
def test_networks_eager_equal_jit(spec: str, m: int, kw: dict[str, Any]) -> None:
    check_network(spec, m, eager=True, huge="mish" not in spec, **kw)


HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softplus", "swish"]


@st.composite
def architectures(draw_: Any) -> tuple[str, int, dict[str, Any]]:
    depth = draw_(st.integers(1, 3))
    widths = [draw_(st.integers(1, 4)) for _ in range(depth)]
    loss = draw_(st.sampled_from(["bce", "mse", "ce"]))
    if loss == "bce":
        output = "sigmoid"
    elif loss == "ce":
        output = "softmax"
        widths[-1] = max(widths[-1], 2)
    else:
        output = draw_(st.sampled_from([*HIDDEN, "softmax"]))
        widths[-1] = max(widths[-1], 2) if output == "softmax" else widths[-1]
    acts = [draw_(st.sampled_from(HIDDEN)) for _ in widths[:-1]] + [output]
    spec = "-".join(
        [str(draw_(st.integers(1, 4)))] + [f"{w}:{a}" for w, a in zip(widths, acts, strict=True)]
    )
    l2 = draw_(st.sampled_from([0.0, 0.1]))
    m = draw_(st.sampled_from([1, 3]))
    return spec, m, {"loss": loss, "l2": l2, "define": SWISH}


@pytest.mark.slow
@settings(max_examples=20)
@given(architectures())
def test_random_networks_equal_jax_autodiff(case: tuple[str, int, dict[str, Any]]) -> None:
    spec, m, kw = case
    check_network(spec, m, **kw)


@pytest.mark.parametrize(
    ("spec", "kw"),
    [
        ("3-4:relu-1", {"loss": "bce", "l2": 0.1}),
        pytest.param("3-4:tanh-3:softmax", {"loss": "ce"}, marks=pytest.mark.slow),
    ],
)
def test_float32_gives_float32_gradients_near_float64(spec: str, kw: dict[str, Any]) -> None:
    """float32 inputs give float32 gradients near the NumPy module's float64 ones, and stay
    finite for logits of order 1e3."""
    net = sb.Network.parse(spec, **kw)
    module = sb.compile(net, backend="jax")
    params, X, Y = network_data(module, net, 3)
    want_cost, want = sb.compile(net).loss_and_grads(
        {k: np.asarray(v) for k, v in params.items()}, np.asarray(X), np.asarray(Y)
    )
    step = jax.jit(module.loss_and_grads)
    single = {k: v.astype(jnp.float32) for k, v in params.items()}
    X32, Y32 = X.astype(jnp.float32), Y.astype(jnp.float32)
    cost, grads = step(single, X32, Y32)
    assert cost.dtype == jnp.float32
    assert all(g.dtype == jnp.float32 for g in grads.values())
    np.testing.assert_allclose(float(cost), want_cost, rtol=1e-5)
    assert_close(grads, want, rtol=1e-4)
    assert_finite(*step({k: v * 1e3 for k, v in single.items()}, X32, Y32))


# -- models -----------------------------------------------------------------------------------


def model_data(
    model: Model, key: str, widths: dict[str, int] | None = None, m: int = 3
) -> tuple[Any, list[Any]]:
    """Valid random parameters and data for ``model`` as JAX arrays (model_eval.draw)."""
    given = {**model.sizes, **(widths or {})}
    sizes = {sp.Symbol(k, integer=True, positive=True): v for k, v in given.items()}
    sizes[sp.Symbol("m", integer=True, positive=True)] = m
    values = draw(model, sizes, key, seed=1)
    params = {k: jnp.asarray(values[k]) for k in model.parameters}
    return params, [jnp.asarray(values[k]) for k in model.data]


#: models whose losses are computed from their logits (bce of a sigmoid, ce of a softmax):
#: finite for logits of order 1e3 (a model that writes exp(S) itself overflows, as written)
FROM_LOGITS = ("residual_mlp", "softmax_l2", "two_heads", "logistic_l2")


def check_model(
    model: Model, key: str, widths: dict[str, int] | None = None, *, eager: bool = False
) -> None:
    """Derived, jitted, positional (``gradients``) and custom_vjp gradients equal jax.grad of
    the module's forward pass (JAX's own autodiff), and the NumPy module's numbers."""
    module = sb.compile(model, sizes=widths, backend="jax")
    params, data = model_data(model, key, widths)

    @jax.jit
    def everything(params: Any, *data: Any) -> Any:
        cost, grads = module.loss_and_grads(params, *data)
        autodiff = jax.grad(lambda p: module.forward(p, *data)[0])(params)
        positional = module.gradients(tuple(params[k] for k in module.SHAPES), *data)
        return (cost, grads, jax.grad(module.module.cost)(params, *data), autodiff,
                dict(zip(module.SHAPES, positional, strict=True)))  # fmt: skip

    cost, grads, through_vjp, want, positional = everything(params, *data)
    assert_close(grads, want)
    assert_close(through_vjp, want)
    assert_close(positional, want)
    if key in FROM_LOGITS:  # parameters of order 1e3 (same shapes: no new compile)
        assert_finite(*everything({k: v * 1e3 for k, v in params.items()}, *data)[:3])
    numpy_module = sb.compile(model, sizes=widths)
    as_numpy = {k: np.asarray(v) for k, v in params.items()}
    numpy_cost, numpy_grads = numpy_module.loss_and_grads(as_numpy, *map(np.asarray, data))
    np.testing.assert_allclose(float(cost), numpy_cost, rtol=1e-10)
    assert_close(grads, numpy_grads)
    if eager:
        eager_cost, eager_grads = module.loss_and_grads(params, *data)
        np.testing.assert_allclose(float(eager_cost), float(cost), rtol=1e-12)
        assert_close(eager_grads, grads, rtol=1e-12)


#: the default suite's models: an RNN, and ce of a softmax from its logits
FAST_MODELS = ("rnn_3", "softmax_l2")


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("name", FAST_MODELS)
def test_example_models_equal_jax_autodiff(name: str) -> None:
    check_model(Model.from_file(ROOT / "examples" / "models" / f"{name}.model"), name)


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_model_equals_jax_autodiff(path: Path) -> None:
    check_model(Model.from_file(path), path.stem, eager=True)


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(MODELS))
def test_every_test_model_equals_jax_autodiff(key: str) -> None:
    text, sizes = MODELS[key]
    widths = {k: v for k, v in sizes.items() if k != "m"}
    check_model(Model.parse(text, define=DEFINE), key, widths)


# -- the module contract ----------------------------------------------------------------------


def test_init_params_draws_what_the_numpy_module_draws() -> None:
    for source in ("4-3-2-1", Model.from_file(ROOT / "examples" / "models" / "rnn_3.model")):
        numpy_params = sb.compile(source).init_params(7, scheme="he")
        jax_params = sb.compile(source, backend="jax").init_params(7, scheme="he")
        assert jax_params.keys() == numpy_params.keys()
        for name, value in numpy_params.items():
            assert isinstance(jax_params[name], jax.Array)
            np.testing.assert_array_equal(np.asarray(jax_params[name]), value)


def test_wrong_shapes_are_refused_with_the_numpy_modules_messages() -> None:
    module = sb.compile("4-3-2-1", backend="jax")
    params = module.init_params(0)
    with pytest.raises(ValueError, match=r"X has shape \(3, 2\), expected \(4, m\)"):
        module.loss_and_grads(params, jnp.zeros((3, 2)), jnp.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"Y has shape \(2, 2\), expected \(1, 2\)"):
        jax.jit(module.loss_and_grads)(params, jnp.zeros((4, 2)), jnp.zeros((2, 2)))


LOGDET = "A : n x n\nsizes: n = 3\nJ = logdet(A)\ndata:"


def test_the_jax_module_docstring_states_logdet_gives_nan_not_an_error() -> None:
    """NumPy and torch raise where a determinant under logdet is <= 0; under jit no value can
    raise, so the JAX module's docstring says J is NaN there (only where a logdet is taken)."""
    assert "J is NaN where a determinant under logdet is <= 0" in sb.codegen(
        Model.parse(LOGDET), backend="jax"
    )
    assert "logdet" not in sb.codegen("4-3-2-1", backend="jax")


@pytest.mark.slow
def test_logdet_of_a_negative_determinant_is_a_nan_cost_in_jax() -> None:
    """What the docstring states: J NaN, the gradient inv(A)^T (that of log|det A|) finite."""
    module = sb.compile(Model.parse(LOGDET), backend="jax")
    A = jnp.diag(jnp.array([1.0, 2.0, -4.0]))
    cost, grads = jax.jit(module.loss_and_grads)({"A": A})
    assert np.isnan(float(cost))
    np.testing.assert_allclose(np.asarray(grads["A"]), np.diag([1.0, 0.5, -0.25]))


def test_grad_of_cost_gives_zeros_for_keys_that_are_no_parameters() -> None:
    """A learning rate (or an optimizer's state) kept in the params dict: jax.grad(cost) gives
    it zeros, as jax.grad gives any input a function does not read, and the parameters their
    derived gradients; for a network's and a model's custom_vjp."""
    net = sb.compile("2-1:sigmoid", backend="jax")
    model = sb.compile(Model.parse("x : 2 x m\ny : 1 x m\nJ = mse(w^T x + c, y)"), backend="jax")
    X, Y = jnp.asarray([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]]), jnp.asarray([[1.0, 0.0, 1.0]])

    @jax.jit
    def both(net_params: Any, model_params: Any) -> Any:
        return [
            (module.loss_and_grads(params, X, Y)[1], jax.grad(module.module.cost)(params, X, Y))
            for module, params in ((net, net_params), (model, model_params))
        ]

    extra = {"lr": jnp.asarray(0.1), "state": {"step": jnp.ones((2, 2))}}
    for (grads, through_vjp), module in zip(
        both({**net.init_params(1), **extra}, {**model.init_params(1), **extra}),
        (net, model),
        strict=True,
    ):
        assert grads.keys() == module.SHAPES.keys()
        assert_close({k: through_vjp[k] for k in grads}, grads)
        assert float(through_vjp["lr"]) == 0.0
        np.testing.assert_array_equal(np.asarray(through_vjp["state"]["step"]), np.zeros((2, 2)))


# -- the benchmark plug-in --------------------------------------------------------------------


@pytest.mark.slow
def test_the_benchmark_engine_gives_the_numpy_modules_gradients() -> None:
    """benchmarks/engines/sb_jax.py on a grad_bench-like workload: grad and grad.prepare."""
    path = ROOT / "benchmarks" / "engines" / "sb_jax.py"
    loader = importlib.util.spec_from_file_location("sb_jax_engine", path)
    assert loader is not None and loader.loader is not None
    engine = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(engine)
    spec = SimpleNamespace(sizes=(5, 4, 3), hidden="relu", output="softmax_ce", m=6)
    grad = engine.make_grad(spec)
    numpy_module = sb.compile(engine.network(spec))
    params = numpy_module.init_params(3)
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 6))
    Y = np.eye(3)[:, rng.integers(0, 3, size=6)]
    want = numpy_module.loss_and_grads(params, X, Y)[1]
    Ws, bs = [params["W1"], params["W2"]], [params["b1"], params["b2"]]
    step, to_numpy, sync = grad.prepare(Ws, bs, X, Y)
    out = step()
    sync(out)
    for dWs, dbs in (to_numpy(out), grad(Ws, bs, X, Y)):
        got = {"W1": dWs[0], "W2": dWs[1], "b1": dbs[0], "b2": dbs[1]}
        assert_close(got, want)
    assert engine.make_grad(SimpleNamespace(sizes=(2, 1), hidden="relu", output="hinge")) is None


# -- hostile8 item 8f: no silent zero for a data cotangent the derivation does not have --------


@pytest.mark.slow
def test_grad_of_cost_for_data_raises_rather_than_give_zeros() -> None:
    """jax.grad(cost, argnums=1) gave zeros for dJ/dX: a wrong number, not a missing one. The
    custom_vjp (symbolic_zeros) sees which inputs are differentiated and refuses the data,
    eager and under jit, for a network's and a model's cost; params still get their gradients."""
    net = sb.compile("2-1:sigmoid", backend="jax")
    model = sb.compile(ROOT / "examples" / "models" / "rnn_3.model", backend="jax")
    X, Y = jnp.asarray([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]]), jnp.asarray([[1.0, 0.0, 1.0]])
    xs = [jnp.full((3, 2), 0.5), jnp.full((3, 2), -1.0), jnp.ones((3, 2)), jnp.zeros((1, 2))]
    for module, data, first in ((net, (X, Y), "X"), (model, xs, "X1")):
        params = module.init_params(1)
        with pytest.raises(ValueError, match=f"dJ/d{first} is not derived"):
            jax.grad(module.module.cost, argnums=1)(params, *data)
        with pytest.raises(ValueError, match=f"dJ/d{first}, .* are not derived"):
            jax.jit(jax.grad(module.module.cost, argnums=(0, 1, 2)))(params, *data)
        # data computed from what is differentiated is a data cotangent too
        with pytest.raises(ValueError, match=f"dJ/d{first} is not derived"):
            jax.grad(lambda s, f=module.module.cost, p=params, d=data: f(p, s * d[0], *d[1:]))(1.0)
        assert_close(
            jax.grad(module.module.cost)(params, *data), module.loss_and_grads(params, *data)[1]
        )


# -- hostile9: functions of m; bfloat16 --------------------------------------------------------


@pytest.mark.slow
def test_functions_of_m_equal_jax_autodiff_and_the_numpy_module() -> None:
    """sqrt(m), log(m) exp(-m), sigmoid(1 - m): m is a Python int in the module, so these
    are Python floats (jax.nn.sigmoid(m) refused an int; the torch module's torch.sqrt(m) was
    a TypeError); the torch module's numbers are checked in test_torch_backend."""
    text = "X : 3 x m\nW : 2 x 3\nJ = sqrt(m) sum(tanh(W X)) + log(m) exp(-m) sum(W X)"
    check_model(Model.parse(text + " + sigmoid(1 - m) sum(W * W)\ndata: X\n"), "of_m")


def test_the_model_check_takes_bfloat16_as_floating_point() -> None:
    """_floating tested dtype.kind == "f", and bfloat16's kind is "V": the model module
    refused the bfloat16 parameters its own init_params makes. (Numbers: the slow test.)"""
    module = sb.compile(
        Model.parse("X : 2 x m\nW : 1 x 2\nJ = sum(W X)\ndata: X\n"), backend="jax"
    )
    params = module.init_params(dtype=jnp.bfloat16)
    # data as NumPy arrays of the same dtypes: _check reads shapes and dtypes only (no compile)
    assert module.module._check(params, (np.ones((2, 3), jnp.bfloat16),)) == 3
    with pytest.raises(ValueError, match=r"X has dtype int32; .*\(X\.astype\(jnp\.float64\)"):
        module.module._check(params, (np.ones((2, 3), np.int32),))
    with pytest.raises(ValueError, match=r"W has dtype bfloat16 but X has float32: .*jnp\.fl"):
        module.module._check(params, (np.ones((2, 3), np.float32),))


@pytest.mark.slow
def test_a_model_computes_in_bfloat16_near_float64() -> None:
    path = ROOT / "examples" / "models" / "residual_mlp.model"
    module = sb.compile(path, backend="jax")
    params, data = model_data(Model.from_file(path), "residual_mlp")
    step = jax.jit(module.loss_and_grads)  # one compile per dtype, not one per operation
    _, want = step(params, *data)
    half = {k: v.astype(jnp.bfloat16) for k, v in params.items()}
    cost, grads = step(half, *(d.astype(jnp.bfloat16) for d in data))
    assert cost.dtype == jnp.bfloat16 and {g.dtype for g in grads.values()} == {cost.dtype}
    for name, value in want.items():
        scale = float(jnp.abs(value).max()) + 1e-3
        assert float(jnp.abs(grads[name].astype(jnp.float64) - value).max()) < 0.1 * scale


# -- integer data: the advice names the float JAX runs in (hostile round 11, finding 8) --------
#: a JAX module told an integer X to be converted with X.astype(jnp.float64), which JAX without
#: x64 (its default) cannot give: it warns and gives float32
INTEGER_DATA_SCRIPT = """
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
        [sys.executable, "-c", INTEGER_DATA_SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 3, done.stdout
    assert all("float32) converts it" in line for line in lines), done.stdout
    assert not any("float64" in line for line in lines), done.stdout


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_float64_data_beside_32_bit_parameters_runs_in_float32_as_under_jit() -> None:
    """With x64 off (JAX's default) init_params gives float32 and NumPy data is float64. The
    call was refused with advice (hostile14 #6, review17 S1) while jax.jit and jax.grad of the
    same call ran it, in float32, as JAX runs any float64 input (hostile34b #12). The call now
    runs too, and gives what the float32 data give, with and without jit."""
    network = sb.compile(sb.Network.parse("3-2-1"), backend="jax")
    model = sb.compile(
        Model.from_file(ROOT / "examples" / "models" / "logistic_l2.model"), backend="jax"
    )
    rng = np.random.default_rng(0)
    with jax.enable_x64(False):
        for module, X, Y in (
            (network, rng.standard_normal((3, 4)), np.ones((1, 4))),
            (model, rng.standard_normal((4, 5)), np.ones((1, 5))),
        ):
            params = module.init_params()
            assert all(v.dtype == jnp.float32 for v in params.values())
            cost, grads = module.loss_and_grads(params, X, Y)
            X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
            want_cost, want = module.loss_and_grads(params, X32, Y32)
            jitted_cost, jitted = jax.jit(module.loss_and_grads)(params, X, Y)
            assert float(cost) == float(want_cost) == pytest.approx(float(jitted_cost), 1e-6)
            for name in params:
                assert grads[name].dtype == jnp.float32
                np.testing.assert_array_equal(np.asarray(grads[name]), np.asarray(want[name]))
                np.testing.assert_allclose(grads[name], jitted[name], rtol=1e-5, atol=1e-7)
            # every array float64 (NumPy's default) runs, in float32, as before (review14 R9)
            as64 = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
            assert np.isfinite(float(module.loss_and_grads(as64, X, Y)[0]))
        # float16 beside float32 is two dtypes to JAX too: still refused
        params = network.init_params()
        with pytest.raises(ValueError, match="X has float16: every array must have one"):
            network.loss_and_grads(params, np.ones((3, 4), np.float16), np.ones((1, 4)))
