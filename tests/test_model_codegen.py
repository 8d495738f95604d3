"""Code generation for models (issue 11, item 5): the module contract, numbers, errors, goldens.

Every model of ``examples/models`` and of ``tests/test_model_derive.py`` generates, compiles
and passes the finite-difference gradient check; its ``loss_and_grads`` agrees with the
SymPy-only evaluation of the derived gradients; every dense network, through
``Network.equations`` and back, generates code with the network's own numbers.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symbackprop as sb
from symbackprop.errors import SpecError
from symbackprop.model import Model
from symbackprop.records.losses import LOSSES

sys.path.insert(0, str(Path(__file__).parent))
from test_model_derive import DEFINE, MODELS, _draw, _Evaluator  # noqa: E402

ROOT = Path(__file__).parents[1]
EXAMPLES = sorted((ROOT / "examples" / "models").glob("*.model"))
GOLDEN = Path(__file__).parent / "golden" / "models"
#: the models whose module is pinned byte for byte
GOLDEN_MODELS = ("residual_mlp", "batch_norm", "rnn_3")


def _model(key: str) -> tuple[Model, dict[str, int]]:
    text, sizes = MODELS[key]
    return Model.parse(text, define=DEFINE), sizes


def _widths(sizes: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in sizes.items() if k != "m"}


def _arrays(model: Model, module: Any, key: str, seed: int = 1, m: int = 3) -> dict[str, Any]:
    """Random parameters and valid data for ``module`` (``key`` picks the targets' kinds)."""
    return _draw(model, _dims(model, module, m), key, seed)


def _dims(model: Model, module: Any, m: int) -> dict[Any, int]:
    """Dimension symbol -> value, read back from the module's shapes."""
    out: dict[Any, int] = {}
    shapes = {**module.SHAPES, **module.module.DATA_SHAPES}
    for name, (rows, cols) in shapes.items():
        for symbolic, value in zip(model.shapes[name], (rows, cols), strict=True):
            if hasattr(symbolic, "name"):
                out[symbolic] = m if value == "m" else int(value)
    return out


def _split(model: Model, values: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    return {k: values[k] for k in model.parameters}, [values[k] for k in model.data]


# -- every model generates, compiles and passes the gradient check ---------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_example_models_compile_and_pass_gradcheck(path: Path) -> None:
    model = Model.from_file(path)
    module = sb.compile(model)
    assert tuple(module.SHAPES) == model.parameters
    assert model.data == module.DATA
    values = _arrays(model, module, path.stem)
    params, data = _split(model, values)
    check = sb.gradcheck(module, params, *data)
    assert check.ok, str(check)


#: the models of test_model_derive that examples/models does not hold run by default
ONLY_HERE = {"kitchen_sink", "edge_cases", "logdet"}


@pytest.mark.parametrize(
    "key",
    [k if k in ONLY_HERE else pytest.param(k, marks=pytest.mark.slow) for k in sorted(MODELS)],
)
def test_models_compile_and_pass_gradcheck(key: str) -> None:
    model, sizes = _model(key)
    module = sb.compile(model, sizes=_widths(sizes))
    values = _arrays(model, module, key, m=sizes.get("m", 3))
    params, data = _split(model, values)
    check = sb.gradcheck(module, params, *data)
    assert check.ok, str(check)


#: SymPy's evaluation is slow: these run by default, the others in the slow suite
AGREE_FAST = {"kitchen_sink", "quadratic", "logdet_inv", "norm1", "trace", "logistic_sum"}


@pytest.mark.parametrize(
    "key",
    [k if k in AGREE_FAST else pytest.param(k, marks=pytest.mark.slow) for k in sorted(MODELS)],
)
def test_loss_and_grads_agree_with_the_sympy_evaluation(key: str) -> None:
    """The generated numbers are the derivation's: its compact gradients evaluated by SymPy."""
    model, sizes = _model(key)
    derivation = sb.derive(model)
    module = sb.compile(derivation, sizes=_widths(sizes))
    ev = _Evaluator(derivation, sizes)
    values = _draw(model, ev.sizes, key, seed=4)
    params, data = _split(model, values)
    cost, grads = module.loss_and_grads(params, *data)
    assert cost == pytest.approx(ev.cost(values), rel=1e-12, abs=1e-12)
    expected = ev.compact_gradients(values)
    for name in model.parameters:
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-10, atol=1e-12)


# -- the module's text -----------------------------------------------------------------------


@pytest.mark.parametrize("key", GOLDEN_MODELS)
def test_golden_model_modules(key: str) -> None:
    """Three models' modules are pinned byte for byte (regenerate: SYMBACKPROP_REGEN_GOLDEN=1)."""
    text = sb.codegen(Model.from_file(ROOT / "examples" / "models" / f"{key}.model"))
    path = GOLDEN / f"{key}.module.py"
    if os.environ.get("SYMBACKPROP_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{path.name} changed"


@pytest.mark.slow
def test_generated_model_modules_pass_ruff(tmp_path: Path) -> None:
    for key in sorted(MODELS):
        model, sizes = _model(key)
        (tmp_path / f"{key}.py").write_text(sb.codegen(model, sizes=_widths(sizes)))
    config = ROOT / "pyproject.toml"
    for args in (("check",), ("format", "--check")):
        run = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--config", str(config), str(tmp_path)],
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout + run.stderr


#: hostile14 #1: 32-character names pushed two NumPy `out=_buffer(...)` lines to 128 columns
LONG_NAMES = """\
X : {n} x m
Y : 1 x m
{a} : h x {n}
sizes: {n} = 3, h = 2
{b} = tanh({a} X + {d})
J = mse(w^T ({b} ⊙ {b}) + c, Y)
""".format(n="n_" + "q" * 30, a="a" * 32, b="b" * 32, d="d" * 32)


def test_long_names_keep_every_backend_within_99_columns_and_ruff_format(tmp_path: Path) -> None:
    model = Model.parse(LONG_NAMES)
    _every_backend_fits_and_is_formatted(model, tmp_path)
    module = sb.compile(model)  # the wrapped calls still compute the gradient
    values = _arrays(model, module, "long")
    params, data = _split(model, values)
    check = sb.gradcheck(module, params, *data)
    assert check.ok, str(check)


def test_the_same_model_gives_the_same_bytes() -> None:
    text = MODELS["kitchen_sink"][0]
    first = sb.codegen(Model.parse(text), sizes={"n": 2})
    assert first == sb.codegen(Model.parse(text), sizes={"n": 2})
    assert all(len(row) <= 99 for row in first.splitlines())


def test_the_module_reads_the_cache_and_names_the_model_lines() -> None:
    text = sb.codegen(Model.from_file(ROOT / "examples" / "models" / "rnn_3.model"))
    assert "# h2 = tanh(W h1 + U X2 + b)" in text
    assert "np.tanh" not in text.split("def backward")[1]  # tanh' from the cached h: 1 - h^2
    assert "h3**2" in text
    assert "[step " in text


def test_cache_plan_lists_what_backward_reads() -> None:
    model = Model.from_file(ROOT / "examples" / "models" / "residual_mlp.model")
    plan = {entry.name: entry for entry in sb.cache_plan(model)}
    # relu' reads 1{a1 > 0} (the record's derivative_in_a): z1 is not cached
    assert {"X", "a1", "h"} <= set(plan) and "z1" not in plan
    assert plan["a1"].shape == (3, "m")
    assert plan["a1"].bytes_per_example == 3 * 8


def test_parameters_only_added_start_at_zero_and_init_is_seeded() -> None:
    module = sb.compile(Model.from_file(ROOT / "examples" / "models" / "two_heads.model"))
    params = module.init_params(seed=5)
    assert set(module.module.ADDED) == {"b1", "c", "d"}
    assert not params["b1"].any() and params["W1"].any()
    again = module.init_params(seed=5, dtype=np.float32)
    assert again["W1"].dtype == np.float32
    np.testing.assert_allclose(again["W1"], params["W1"], rtol=1e-6)
    with pytest.raises(ValueError, match="square"):
        module.init_params(scheme="scaled-identity:1.5")


def test_names_that_are_not_free_in_the_module_are_renamed() -> None:
    text = """
    np     : 3 x m
    params : 1 x m
    work   : 2 x 3
    dwork  = work np
    cache  = relu(dwork)
    J      = mse(input^T cache, params)
    data: np, params
    """
    model = Model.parse(text)
    module = sb.compile(model)
    assert module.DATA == ("np", "params")
    assert tuple(module.SHAPES) == ("work", "input")
    rng = np.random.default_rng(0)
    values = {"work": rng.standard_normal((2, 3)), "input": rng.standard_normal((2, 1))}
    data = (rng.standard_normal((3, 4)), rng.standard_normal((1, 4)))
    assert sb.gradcheck(module, values, *data).ok


@pytest.mark.parametrize("key", ["rnn_3", "batch_norm", "kitchen_sink"])
def test_in_place_work_never_touches_the_inputs(key: str) -> None:
    """With and without a workspace: the same numbers, parameters and data left unchanged."""
    model, sizes = _model(key)
    module = sb.compile(model, sizes=_widths(sizes))
    values = _arrays(model, module, key, m=5)
    params, data = _split(model, values)
    before = {k: v.copy() for k, v in values.items()}
    cost, grads = module.loss_and_grads(params, *data)
    work: dict[str, Any] = {}
    for _ in range(2):
        again, grads_work = module.loss_and_grads(params, *data, work=work)
        assert again == cost
        for name in grads:
            np.testing.assert_array_equal(grads_work[name], grads[name])
    assert work  # the large arrays went into the workspace
    for name, value in before.items():
        np.testing.assert_array_equal(values[name], value)


#: 1 x 1 values the hostile tester found: a 1 x 1 parameter added to or multiplying the cost,
#: products of two scalar functions (the adjoint of one is the other, a 1 x 1 value)
ONE_BY_ONE = {
    "added_c": "x : n x 1\nW : n x n\nsizes: n = 2\nJ = sum(tanh(W x)) + c\ndata: x",
    "tr_times_c": "A : n x n\nc : 1 x 1\nsizes: n = 2\nJ = tr(A) c",
    "tr_tr": "A : n x n\nsizes: n = 2\nJ = tr(A) tr(A)",
    "det_det": "A : n x n\nsizes: n = 2\nJ = det(A) det(A)",
    "sum_tr": "A : n x n\nsizes: n = 2\nJ = sum(A) tr(A)",
    "mse_mse": "A : n x n\nB : n x n\nsizes: n = 2\nJ = mse(A, B) mse(A, B)\ndata: B",
}


@pytest.mark.parametrize("key", sorted(ONE_BY_ONE))
def test_one_by_one_values_give_arrays_of_the_parameters_shape_and_dtype(key: str) -> None:
    module = sb.compile(Model.parse(ONE_BY_ONE[key]))
    rng = np.random.default_rng(2)
    params = module.init_params(seed=3)
    data = [rng.standard_normal((2, 2 if name == "B" else 1)) for name in module.DATA]
    assert sb.gradcheck(module, params, *data).ok
    for dtype in (np.float64, np.float32):
        typed = {k: v.astype(dtype) for k, v in params.items()}
        _, grads = module.loss_and_grads(typed, *(d.astype(dtype) for d in data))
        for name, grad in grads.items():
            assert isinstance(grad, np.ndarray), name
            assert (grad.shape, grad.dtype) == (typed[name].shape, dtype), name


def test_comments_print_expressions_in_the_formula_language() -> None:
    """det(A), inv(A)^T, tanh(t)^2 and 1{t > 0}: never SymPy's Determinant, **, Piecewise."""
    det = sb.codegen(Model.parse(ONE_BY_ONE["det_det"]))
    rnn = sb.codegen(Model.from_file(ROOT / "examples" / "models" / "rnn_3.model"))
    leaky = sb.codegen(Model.parse("A : n x n\nsizes: n = 2\nJ = sum(leaky_relu(A))"))
    comments = [
        row.strip() for text in (det, rnn, leaky) for row in text.splitlines() if "# dJ/d" in row
    ]
    assert any("det(A)" in row and "inv(A)^T" in row for row in comments)
    assert any("tanh(t8)^2" in row for row in comments)
    assert any("(1{A > 0} + (0.01) 1{A <= 0})" in row for row in comments)
    for word in ("Determinant", "**", "Piecewise"):
        assert not any(word in row for row in comments), word


# -- inputs are validated with one-line errors -----------------------------------------------


@functools.cache
def _residual_module() -> Any:
    return sb.compile(Model.from_file(ROOT / "examples" / "models" / "residual_mlp.model"))


def _residual() -> tuple[Any, dict[str, Any], np.ndarray, np.ndarray]:
    module = _residual_module()
    params = module.init_params()
    return module, params, np.zeros((4, 5)), np.zeros((1, 5))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p, X, Y: (p, np.zeros((3, 5)), Y), r"X has shape \(3, 5\), expected \(4, m\)"),
        (lambda p, X, Y: (p, X, np.zeros((1, 4))), "Y has m = 4 but X has m = 5"),
        (lambda p, X, Y: (p, np.zeros(4), Y), "X must be a 2-D array"),
        (lambda p, X, Y: ({**p, "W2": np.zeros((3, 4))}, X, Y), r"W2 has shape \(3, 4\)"),
        (lambda p, X, Y: ({k: v for k, v in p.items() if k != "c"}, X, Y), "params has no 'c'"),
        (lambda p, X, Y: ([1, 2], X, Y), "params must be a dict"),
        (lambda p, X, Y: (p, np.zeros((4, 0)), np.zeros((1, 0))), "m must be at least 1"),
    ],
)
def test_bad_inputs_give_clear_errors(change: Any, message: str) -> None:
    module, params, X, Y = _residual()
    with pytest.raises(ValueError, match=message) as info:
        module.loss_and_grads(*change(params, X, Y))
    assert "\n" not in str(info.value)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix's own
def test_a_numpy_matrix_is_refused_not_multiplied() -> None:
    """hostile14 #4: a np.matrix passed the entry check (it is a 2-D ndarray) and its `*`, a
    matrix product, made J = tr(A ⊙ B) come out as tr(A B): a wrong cost and gradients."""
    model = Model.parse("A : n x n\nB : n x n\nJ = tr(A ⊙ B)\ndata:")
    module = sb.compile(model, sizes={"n": 2})
    params = module.init_params(seed=1)
    cost, _ = module.loss_and_grads(params)
    assert cost == pytest.approx(float(np.trace(params["A"] * params["B"])))
    for name in ("A", "B"):
        with pytest.raises(ValueError, match=f"{name} is a numpy.matrix") as info:
            module.loss_and_grads({**params, name: np.matrix(params[name])})
        assert "\n" not in str(info.value) and f"np.asarray({name})" in str(info.value)


def test_a_missing_size_is_a_spec_error_naming_it() -> None:
    model = Model.parse("x : n x 1\nA : n x n\nJ = 0.5 x^T A x\ndata:")
    with pytest.raises(SpecError, match="dimension 'n' has no value"):
        sb.codegen(model)
    with pytest.raises(SpecError, match="positive int"):
        sb.compile(model, sizes={"n": 0})
    assert "def forward(params, *, work=None)" in sb.codegen(model, sizes={"n": 2})


# -- numerics ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["residual_mlp", "softmax_l2", "two_heads", "logistic_l2"])
def test_losses_from_logits_stay_finite_without_warnings(key: str) -> None:
    model, sizes = _model(key)
    module = sb.compile(model, sizes=_widths(sizes))
    values = _arrays(model, module, key, m=4)
    params, data = _split(model, values)
    params = {k: v * 1e3 for k, v in params.items()}  # logits of order 1e3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost, grads = module.loss_and_grads(params, *data)
    assert np.isfinite(cost) and all(np.all(np.isfinite(g)) for g in grads.values())


def test_numpy_modules_compute_a_loss_from_the_logits_with_its_record() -> None:
    """A stable loss is one record: the NumPy model and network modules print its code."""
    model_text = sb.codegen(Model.parse("X : 2 x m\nY : 1 x m\nJ = bce(sigmoid(w^T X), Y)"))
    assert f"J = {LOSSES['bce'].logits_code['numpy'].format(z='_z', y='_y')}  # ()" in model_text
    network = sb.codegen(sb.Network.parse("3-3:softmax", loss="ce"))
    assert f"cost = {LOSSES['ce'].logits_code['numpy'].format(z='_z', y='_y')} / m" in network
    assert "def log_softmax(Z):" in network


def test_model_ce_is_exact_where_the_loss_is_tiny() -> None:
    """log_softmax takes log-sum-exp as log1p of the sum without the largest term: a confident
    right answer's tiny loss keeps its relative precision (log(1 + tiny) rounded it to 0)."""
    module = sb.compile(Model.parse("X : 3 x m\nY : 3 x m\nJ = ce(softmax(W X), Y)"))
    X = np.array([[40.0, 0.0], [0.0, 45.0], [0.0, 0.0]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    cost, _ = module.loss_and_grads({"W": np.eye(3)}, X, Y)
    # per column, -log a_k = log1p(e^-z_k + e^-z_k) for two other logits of 0
    expected = (np.log1p(2 * np.exp(-40.0)) + np.log1p(2 * np.exp(-45.0))) / 2
    assert cost == pytest.approx(expected, rel=1e-14) and cost > 0


def test_kinks_are_watched_from_the_cache() -> None:
    """norm1 at a residual of exactly 0: the steps across the kink are skipped, not passed."""
    module = sb.compile(Model.from_file(ROOT / "examples" / "models" / "norm1.model"))
    assert module.kinked == ("t2",)
    A = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    x = np.array([[0.5], [0.25]])
    y = A @ x + np.array([[0.0], [0.3], [-0.2]])  # the first residual is 0
    check = sb.gradcheck(module, {"A": A, "x": x}, y)
    assert check.ok and check.skipped > 0


# -- every dense network, through Network.equations and back ----------------------------------

NETWORKS = [
    ("3-2-1", {}),
    ("4-3:relu-3:softmax", {"loss": "ce"}),
    ("3-4:tanh-2:identity", {"loss": "mse", "l2": 0.5}),
    ("3-2:leaky_relu-2:softplus-1", {}),
    ("3-2:swish-1", {"define": {"swish": "z*sigmoid(z)"}}),
    ("2-3:sigmoid-2:sigmoid", {"loss": "mse", "l2": 0.25}),
    ("5-4:relu-4:relu-3:softmax", {"loss": "ce", "l2": 0.1}),
    ("2-2:identity-3:tanh-1", {"loss": "bce", "l2": 0.01}),
    ("3-3:softplus-2", {"output": "identity", "loss": "mse"}),
    ("4-2:tanh-2:leaky_relu-2:relu-2", {"output": "sigmoid", "l2": 1.0}),
    ("3-5:swish-4:sigmoid-3:softmax", {"loss": "ce", "define": {"swish": "z*sigmoid(z)"}}),
]
FAST_NETWORKS = {"3-2-1", "4-3:relu-3:softmax", "3-4:tanh-2:identity"}


@pytest.mark.parametrize(
    ("spec", "kw"),
    [
        pytest.param(spec, kw, marks=() if spec in FAST_NETWORKS else pytest.mark.slow)
        for spec, kw in NETWORKS
    ],
)
def test_network_equations_generate_code_with_equal_numbers(spec: str, kw: dict[str, Any]) -> None:
    _same_numbers(spec, kw)


HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "identity", "swish")


@st.composite
def _architectures(draw: Any) -> tuple[str, dict[str, Any]]:
    """A dense network: 1 to 3 layers of 1 to 4 units, any hidden activations, any loss."""
    loss = draw(st.sampled_from(["bce", "ce", "mse"]))
    hidden = draw(st.lists(st.sampled_from(HIDDEN), min_size=0, max_size=2))
    widths = [draw(st.integers(1, 4)) for _ in hidden]
    out = {"bce": "sigmoid", "ce": "softmax", "mse": draw(st.sampled_from(HIDDEN[:3]))}[loss]
    n_out = draw(st.integers(2, 4)) if loss == "ce" else draw(st.integers(1, 3))
    layers = [f"{n}:{act}" for n, act in zip(widths, hidden, strict=True)]
    spec = "-".join([str(draw(st.integers(1, 4))), *layers, f"{n_out}:{out}"])
    l2 = draw(st.sampled_from([0.0, 0.0, 0.05, 1.0]))
    return spec, {"loss": loss, "l2": l2, "define": {"swish": "z*sigmoid(z)"}}


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_architectures())
def test_random_networks_through_their_equations_give_equal_numbers(
    case: tuple[str, dict[str, Any]],
) -> None:
    _same_numbers(*case)


def _same_numbers(spec: str, kw: dict[str, Any]) -> None:
    """The network's module and its equations' module: same parameters, cost and gradients."""
    network = sb.Network.parse(spec, **kw)
    model = Model.parse(network.equations, define=kw.get("define"))
    as_network, as_model = sb.compile(network), sb.compile(model)
    assert as_model.DATA == as_network.DATA == ("X", "Y")
    for seed in range(3):
        p_net, p_model = as_network.init_params(seed=seed), as_model.init_params(seed=seed)
        assert list(p_net) == list(p_model)
        for name in p_net:
            np.testing.assert_array_equal(p_net[name], p_model[name])
        rng = np.random.default_rng(seed)
        n_in, n_out = as_network.SHAPES["W1"][1], as_network.SHAPES[f"W{network.depth}"][0]
        X = rng.standard_normal((n_in, 7))
        if network.loss == "ce":
            Y = np.zeros((n_out, 7))
            Y[rng.integers(0, n_out, size=7), np.arange(7)] = 1.0
        elif network.loss == "bce":
            Y = rng.integers(0, 2, size=(n_out, 7)).astype(float)
        else:
            Y = rng.standard_normal((n_out, 7))
        cost_net, grads_net = as_network.loss_and_grads(p_net, X, Y)
        cost_model, grads_model = as_model.loss_and_grads(p_model, X, Y)
        assert cost_model == pytest.approx(cost_net, rel=1e-12, abs=1e-12)
        for name in grads_net:
            np.testing.assert_allclose(grads_model[name], grads_net[name], rtol=1e-12, atol=1e-12)


# -- what the module accepts (hostile-tester findings) ----------------------------------------
#: data first in a product (examples in rows): with work= its buffer took the data's dtype
_ROWS = "X : m x n\nY : m x 1\nW : n x k\nv : k x 1\nJ = mse(tanh(X W) v, Y)\ndata: X, Y\n"


def _rows_module() -> tuple[Any, dict[str, np.ndarray], np.ndarray, np.ndarray]:
    module = sb.compile(Model.parse(_ROWS), sizes={"n": 3, "k": 2})
    rng = np.random.default_rng(0)
    return module, module.init_params(seed=1), rng.standard_normal((5, 3)), np.ones((5, 1))


def test_integer_arrays_are_a_value_error_with_or_without_work() -> None:
    """Integer params ran without work= but raised NumPy's UFuncTypeError with it; integer data
    first in a product did the same. Now one ValueError naming the array, either way."""
    module, params, X, Y = _rows_module()
    as_int = {name: value.astype(np.int64) for name, value in params.items()}
    for kwargs in ({}, {"work": {}}):
        with pytest.raises(ValueError, match=r"W has dtype int64; expected float16, float32"):
            module.loss_and_grads(as_int, X, Y, **kwargs)
        with pytest.raises(ValueError, match=r"X has dtype int64; expected float16, float32"):
            module.loss_and_grads(params, X.astype(np.int64), Y, **kwargs)
    cost, grads = module.loss_and_grads(params, X, Y, work={})
    assert np.isfinite(cost) and grads["W"].dtype == np.float64


def test_mixed_dtypes_are_a_value_error_with_or_without_work() -> None:
    """float32 params with float64 data gave gradients of two dtypes with work= (a workspace
    array took a parameter's dtype) and, in some models, without (a zero gradient took it).
    Now one ValueError naming the array, as in the torch module; one dtype runs in it."""
    module, params, X, Y = _rows_module()
    p32 = {name: value.astype(np.float32) for name, value in params.items()}
    for kwargs in ({}, {"work": {}}):
        with pytest.raises(ValueError, match=r"W has dtype float32 but X has float64: every"):
            module.loss_and_grads(p32, X, Y, **kwargs)
    cost, grads = module.loss_and_grads(p32, X.astype(np.float32), Y.astype(np.float32), work={})
    assert np.isfinite(cost) and {g.dtype for g in grads.values()} == {np.dtype(np.float32)}


def test_nan_data_propagates_without_warnings_and_work_is_keyword_only() -> None:
    """The module checks shapes and dtypes, not values (as NumPy, PyTorch and JAX do): a NaN
    in the data gives a NaN cost and gradients, silently. A third data argument was taken as
    work= (an AttributeError inside); work is keyword-only, as *data in DESIGN.md makes it."""
    module, params, X, Y = _rows_module()
    X[0, 0] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cost, grads = module.loss_and_grads(params, X, Y)
    assert np.isnan(cost) and np.isnan(grads["W"]).any()
    with pytest.raises(TypeError, match="positional argument"):
        module.loss_and_grads(params, X, Y, {})
    with pytest.raises(TypeError, match="positional argument"):
        module.forward(params, X, Y, {})


def test_a_transpose_read_transposed_back_is_read_as_its_argument() -> None:
    """lecturer45 #5: the residual block's module wrote ``dJ/dh = t3^T dt5`` (t3 = w.T cached
    in forward, turned back in backward) where the derivation writes ``w dJ/d(w^T h)``; dot's
    step 2 said it reused ``(y ⊙ v)^T`` while it reads y ⊙ v. Both read the argument now."""
    from symbackprop.lowering.model_plan import build_model_plan

    d = sb.derive(str(ROOT / "examples" / "models" / "residual_block.model"))
    source = sb.codegen(d)
    assert "# dJ/dh = w dt5 [step 8, bilinear]" in source
    assert "np.matmul(w, dt5" in source and " t3.T" not in source and "(t3.T" not in source
    assert "t3" not in build_model_plan(d, None).cache
    dot = sb.derive(str(ROOT / "examples" / "models" / "dot.model"))
    assert dot.steps[1].uses == ("_t1",)  # y ⊙ v, the value (y ⊙ v)^T transposes
    assert "reuses from the forward cache: y ⊙ v\n" in sb.to_text(dot)
    # a transpose read as it is stays: dJ/d(y ⊙ v) reads no transpose, dJ/dx reads t1 itself
    mod = sb.compile(dot)
    rng = np.random.default_rng(0)
    params = {"x": rng.standard_normal((3, 1)), "v": rng.standard_normal((3, 1))}
    y = rng.standard_normal((3, 1))
    _, grads = mod.loss_and_grads(params, y)
    np.testing.assert_allclose(grads["x"], y * params["v"], rtol=1e-14)
    np.testing.assert_allclose(grads["v"], y * params["x"], rtol=1e-14)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_what_a_step_reuses_from_the_cache_is_what_the_module_caches() -> None:
    """hostile7 #12: derive said relu' "reuses from the forward cache: z1" while the module
    caches only a1 and reads 1{a1 > 0}. Every forward value a step names as reused is in the
    generated module's cache (code names: _t5 is t5), for every example model."""
    from symbackprop.lowering.model_plan import build_model_plan

    for path in sorted((Path(__file__).parent.parent / "examples" / "models").glob("*.model")):
        d = sb.derive(str(path))
        plan = build_model_plan(d, None)
        assert d.model is not None
        leaves = {*d.model.parameters, *d.model.data}
        for step in d.steps:
            read = [name for name in step.uses if name not in leaves]
            missing = [name for name in read if name.lstrip("_") not in plan.cache]
            assert not missing, (path.name, step.number, missing, plan.cache)


def test_a_softmax_target_of_a_long_name_keeps_every_backend_within_99_columns() -> None:
    """review50 #4: JAX's column sums of a long target under a long softmax,
    ``Y_sums = (Y + 0 * S).sum(axis=0, keepdims=True)``, were 122 columns: broken at the first
    bracket pair, where the last one's head alone was too long."""
    long = "q" * 31
    text = f"X : 3 x m\nY{long} : 2 x m\nS{long} = softmax(W X)\nJ = ce(S{long}, Y{long})\n"
    model = Model.parse(text + f"data: X, Y{long}\n")
    for backend in ("numpy", "torch", "jax"):
        source = sb.codegen(model, backend=backend)
        assert max(len(row) for row in source.splitlines()) <= 99, backend


def _unrolled_rnn(steps: int) -> str:
    """A model with one cached value a step: h0 = tanh(W X), h_i = tanh(W h_(i-1) + X)."""
    lines = ["X : n x m", "Y : 1 x m", "W : n x n", "sizes: n = 2", "h0 = tanh(W X)"]
    lines += [f"h{i} = tanh(W h{i - 1} + X)" for i in range(1, steps)]
    lines.append(f"J = mse(v^T h{steps - 1}, Y)")
    return "\n".join(lines) + "\n"


def test_many_cached_values_keep_every_backend_within_99_columns(tmp_path: Path) -> None:
    """The backward's check of the cache names every cached value: at 25 of them its loop was
    one line of 204 columns (hostile48b #4), now one name a line as ruff format writes it."""
    _every_backend_fits_and_is_formatted(Model.parse(_unrolled_rnn(25)), tmp_path)


def _every_backend_fits_and_is_formatted(model: Model, folder: Path) -> None:
    """The model's module on every backend: no line over 99 columns, and ruff format leaves
    each as it is."""
    for backend in ("numpy", "torch", "jax"):
        text = sb.codegen(model, backend=backend)
        assert max(len(row) for row in text.splitlines()) <= 99, backend
        (folder / f"module_{backend}.py").write_text(text, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--config", ROOT / "pyproject.toml"]
        + [folder],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


#: data and parameter names of 32 characters (the parser's longest) and eight data arrays
LONGEST_NAMES = {
    "longest": (
        "".join(
            f"{name} : {shape}\n"
            for name, shape in [
                ("X" + "q" * 31, "n0 x m"),
                ("Y" + "q" * 31, "1 x m"),
                ("W" + "q" * 31, "n1 x n0"),
                ("V" + "q" * 31, "n1 x n1"),
            ]
        )
        + "sizes: n0 = 3, n1 = 2\n"
        + f"a{'q' * 31} = tanh(V{'q' * 31} W{'q' * 31} X{'q' * 31} + b{'q' * 31})"
        + f" ⊙ softplus(W{'q' * 31} X{'q' * 31})\n"
        + f"J = mse(v{'q' * 31}^T a{'q' * 31} + c{'q' * 31}, Y{'q' * 31})\n"
        + f"data: X{'q' * 31}, Y{'q' * 31}\n"
    ),
    # hostile50a #3: a product of two such names, no bracket to break at (110 columns), and a
    # conditional expression (float16's cast back) broken inside its call, not as ruff does
    "product": "X : 3 x m\nY : 1 x m\n"
    + f"a{'q' * 31} : 3 x 3\nb{'q' * 31} : 1 x 3\n"
    + f"h{'q' * 31} = tanh(a{'q' * 31} X)\ng{'q' * 31} = b{'q' * 31} h{'q' * 31}\n"
    + f"J = mse(g{'q' * 31}, Y)\ndata: X, Y\n",
    # review50 #4: a loss's float16 casts (_a, _y = A.astype(...), B.astype(...): a tuple
    # assigned, 110 columns) of a long value and long data
    "loss": "X : 3 x m\n"
    + f"Y{'q' * 31} : 1 x m\nZ{'q' * 31} = w X\nJ = mse(Z{'q' * 31}, Y{'q' * 31})\n"
    + f"data: X, Y{'q' * 31}\n",
    "eight_steps": "X1 : 3 x m\nY : 1 x m\nW : 3 x 3\nh1 = tanh(U X1 + b)\n"
    + "".join(f"X{k} : 3 x m\nh{k} = tanh(W h{k - 1} + U X{k} + b)\n" for k in range(2, 9))
    + "J = mse(v^T h8 + c, Y)\ndata: "
    + ", ".join(f"X{k}" for k in range(1, 9))
    + ", Y\n",
}


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-07)
@pytest.mark.parametrize("key", sorted(LONGEST_NAMES))
def test_long_names_keep_every_backend_within_99_columns(key: str, tmp_path: Path) -> None:
    """hostile49a #1: eight data names made ``DATA = (...)`` 107 columns and the cache check
    114; names of 32 characters pushed the signatures, the workspace message and the cache
    reads past 99. Every line over 99 is broken as ruff format breaks it, and the module still
    computes the gradient."""
    model = Model.parse(LONGEST_NAMES[key])
    _every_backend_fits_and_is_formatted(model, tmp_path)
    module = sb.compile(model)
    values = _arrays(model, module, key)
    params, data = _split(model, values)
    check = sb.gradcheck(module, params, *data)
    assert check.ok, str(check)
