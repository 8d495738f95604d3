"""NumPy lowering: the generated module, its cache, numerics, init schemes and formatting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.errors import SpecError

GOLDEN = Path(__file__).parent / "golden" / "net_4_3_2_1.py"

SPECS = [
    ("4-3-2-1", {}),
    ("4-3:relu-2:leaky_relu-3:softmax", {"loss": "ce"}),
    ("3-2:softplus-2:tanh-2:softmax", {"loss": "mse"}),
    ("3-2:identity-2", {"output": "identity", "loss": "mse", "l2": 0.1}),
    ("3-2:swish-2", {"output": "softplus", "loss": "mse", "define": {"swish": "z*sigmoid(z)"}}),
    ("5-4:tanh-4:tanh-1", {"l2": 0.5}),
]


def _ruff(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *map(str, args)], capture_output=True, text=True
    )


def test_golden_4_3_2_1() -> None:
    """The generated module for the lecture's network is pinned byte for byte."""
    assert sb.codegen(sb.Network.parse("4-3-2-1")) == GOLDEN.read_text()


def test_golden_passes_ruff() -> None:
    config = Path(__file__).parents[1] / "pyproject.toml"
    check = _ruff("check", "--config", config, GOLDEN)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _ruff("format", "--check", "--config", config, GOLDEN)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_generated_modules_pass_ruff(tmp_path: Path) -> None:
    config = Path(__file__).parents[1] / "pyproject.toml"
    for index, (spec, kw) in enumerate(SPECS):
        (tmp_path / f"mod_{index}.py").write_text(sb.codegen(sb.Network.parse(spec, **kw)))
    # every backend's templates, networks' and models' (ruff's SIM105 caught a try/except/pass
    # in torch's init_params only in CI, where docs/generated is checked)
    model = sb.Model.from_file(Path(__file__).parents[1] / "examples" / "models" / "rnn_3.model")
    for backend in ("torch", "jax"):
        network = sb.codegen(sb.Network.parse("4-3:relu-2:tanh-1"), backend=backend)
        (tmp_path / f"net_{backend}.py").write_text(network)
    for backend in ("numpy", "torch", "jax"):
        (tmp_path / f"model_{backend}.py").write_text(sb.codegen(model, backend=backend))
    check = _ruff("check", "--config", config, tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _ruff("format", "--check", "--config", config, tmp_path)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.parametrize(("spec", "kw"), SPECS)
def test_deterministic_and_contract(spec: str, kw: dict[str, object]) -> None:
    net = sb.Network.parse(spec, **kw)
    text = sb.codegen(net)
    assert text == sb.codegen(sb.Network.parse(spec, **kw))  # same spec, same bytes
    assert text == sb.codegen(sb.derive(net))  # single-example derivation: batch form anyway
    assert max(len(line) for line in text.splitlines()) <= 99
    imports = [line for line in text.splitlines() if line.startswith(("import", "from"))]
    assert imports == ["import numpy as np"]
    mod = sb.compile(net)
    assert mod.source == text
    for name in ("SHAPES", "L2", "init_params", "forward", "backward", "loss_and_grads"):
        assert hasattr(mod, name)
    assert float(kw.get("l2", 0.0)) == mod.L2
    params = mod.init_params(seed=3)
    assert {k: v.shape for k, v in params.items()} == mod.SHAPES
    n0, n_out = mod.SHAPES["W1"][1], mod.SHAPES[f"b{net.depth}"][0]
    X = np.random.default_rng(0).standard_normal((n0, 5))
    Y = np.eye(n_out)[:, [0, n_out - 1, 0, 0, n_out - 1]]
    AL, cache = mod.forward(params, X)
    assert AL.shape == (n_out, 5)
    grads = mod.backward(params, cache, Y)
    cost, grads2 = mod.loss_and_grads(params, X, Y)
    assert isinstance(cost, float)
    assert list(grads) == list(params)
    for key in params:
        assert grads[key].shape == params[key].shape
        np.testing.assert_allclose(grads[key], grads2[key])


def test_backward_does_not_modify_cache_or_params() -> None:
    mod = sb.compile(sb.Network.parse("4-3:tanh-2:relu-1"))
    params = mod.init_params()
    X = np.random.default_rng(0).standard_normal((4, 6))
    Y = np.ones((1, 6))
    _, cache = mod.forward(params, X)
    before = {k: v.copy() for k, v in cache.items()}
    p_before = {k: v.copy() for k, v in params.items()}
    mod.backward(params, cache, Y)
    for key in cache:
        np.testing.assert_array_equal(cache[key], before[key])
    for key in params:
        np.testing.assert_array_equal(params[key], p_before[key])


def test_cache_plan_4_3_2_1() -> None:
    """sigmoid keeps A (its derivative reads a), the logits Z3 feed the stable BCE."""
    plan = sb.cache_plan(sb.Network.parse("4-3-2-1"))
    assert [(e.name, e.shape, e.bytes_per_example) for e in plan] == [
        ("X", (4, "m"), 32),
        ("A1", (3, "m"), 24),
        ("A2", (2, "m"), 16),
        ("Z3", (1, "m"), 8),
        ("A3", (1, "m"), 8),
    ]
    assert plan[3].read_by == "cost"
    assert (
        "Z1"
        not in sb.compile(sb.Network.parse("4-3-2-1")).forward(
            sb.compile(sb.Network.parse("4-3-2-1")).init_params(), np.zeros((4, 2))
        )[1]
    )


def test_cache_plan_relu_and_mse() -> None:
    plan = sb.cache_plan(
        sb.Network.parse("4-3:relu-2:tanh-2", output="identity", loss="mse"), itemsize=4
    )
    names = [e.name for e in plan]
    # relu' reads A1 (1{A1 > 0}); tanh' reads A2; dW reads X, A1, A2; the mse cost and delta A3
    assert names == ["X", "A1", "A2", "A3"]
    assert plan[1].bytes_per_example == 12


def test_named_width_needs_sizes() -> None:
    net = sb.Network.parse("n-3-1")
    with pytest.raises(SpecError, match="'n'"):
        sb.codegen(net)
    mod = sb.compile(net, sizes={"n": 4})
    assert mod.SHAPES["W1"] == (3, 4)
    with pytest.raises(SpecError):
        sb.codegen(net, sizes={"n": 0})


def test_init_schemes_statistics() -> None:
    mod = sb.compile(sb.Network.parse("400-300-200", output="identity", loss="mse"))
    expected = {
        "xavier": (np.sqrt(1 / 400), np.sqrt(1 / 300)),
        "he": (np.sqrt(2 / 400), np.sqrt(2 / 300)),
        "glorot": (np.sqrt(2 / 700), np.sqrt(2 / 500)),
        "normal": (1.0, 1.0),
    }
    for scheme, stds in expected.items():
        params = mod.init_params(seed=1, scheme=scheme)
        for layer, std in enumerate(stds, start=1):
            W = params[f"W{layer}"]
            assert abs(W.std() / std - 1) < 0.03, (scheme, layer)
            assert abs(W.mean()) < 0.03 * std
            assert not params[f"b{layer}"].any()
    # the contract's draw: rng.standard_normal(shape) * std, in order W1, W2
    rng = np.random.default_rng(7)
    W1 = rng.standard_normal((300, 400)) * np.sqrt(1 / 400)
    np.testing.assert_array_equal(mod.init_params(seed=7)["W1"], W1)
    p32 = mod.init_params(seed=7, dtype=np.float32)
    assert all(v.dtype == np.float32 for v in p32.values())


def test_init_scaled_identity() -> None:
    mod = sb.compile(sb.Network.parse("3-3-3", output="identity", loss="mse"))
    params = mod.init_params(scheme="scaled-identity:1.5")
    np.testing.assert_array_equal(params["W1"], 1.5 * np.eye(3))
    np.testing.assert_array_equal(params["W2"], 1.5 * np.eye(3))
    with pytest.raises(ValueError, match="square"):
        sb.compile(sb.Network.parse("4-3-2-1")).init_params(scheme="scaled-identity:1.5")
    with pytest.raises(ValueError, match="unknown init scheme"):
        mod.init_params(scheme="lecun")


EXTREME = [
    ("3-4-2", {}),  # sigmoid + bce
    ("3-4:relu-3:softmax", {"loss": "ce"}),
    ("3-4:tanh-2:softmax", {"loss": "mse"}),
    ("3-4:softplus-2:tanh", {"loss": "mse"}),
    ("3-4:leaky_relu-2:sigmoid", {"loss": "mse"}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("spec", "kw"), EXTREME)
def test_extreme_preactivations_are_finite(spec: str, kw: dict[str, object], dtype: type) -> None:
    """|z| around 1e3 in every layer: finite cost and gradients, no warnings (errors here)."""
    mod = sb.compile(sb.Network.parse(spec, **kw))
    params = mod.init_params(seed=0, scheme="normal", dtype=dtype)
    for key in params:
        if key.startswith("b"):
            params[key][:] = np.where(np.arange(params[key].shape[0])[:, None] % 2, 1e3, -1e3)
    rng = np.random.default_rng(0)
    X = (rng.standard_normal((3, 4)) * 50).astype(dtype)
    n_out = params[f"b{len(params) // 2}"].shape[0]
    Y = np.eye(n_out, dtype=dtype)[:, [0, n_out - 1, 0, n_out - 1]]
    assert np.abs(params["W1"] @ X + params["b1"]).max() >= 900  # |z| ~ 1e3
    cost, grads = mod.loss_and_grads(params, X, Y)
    assert np.isfinite(cost)
    for g in grads.values():
        assert np.all(np.isfinite(g))
        assert g.dtype == dtype


def test_bce_from_logits_matches_naive_formula() -> None:
    mod = sb.compile(sb.Network.parse("3-2-2"))
    params = mod.init_params(seed=2, scheme="normal")
    X = np.random.default_rng(1).standard_normal((3, 7))
    Y = (np.random.default_rng(2).random((2, 7)) > 0.5).astype(float)
    cost, _ = mod.loss_and_grads(params, X, Y)
    A, _ = mod.forward(params, X)
    naive = -np.mean(np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A), axis=0))
    assert cost == pytest.approx(naive, rel=1e-12)


@pytest.mark.parametrize(("spec", "kw"), SPECS)
def test_workspace_reuses_arrays_and_changes_no_result(spec: str, kw: dict[str, object]) -> None:
    """A workspace dict gives the same numbers, and the same arrays on the next call."""
    net = sb.Network.parse(spec, **kw)
    mod = sb.compile(net)
    params = mod.init_params(seed=5)
    n0, n_out = mod.SHAPES["W1"][1], mod.SHAPES[f"b{net.depth}"][0]
    rng = np.random.default_rng(7)
    X = rng.standard_normal((n0, 6))
    Y = np.eye(n_out)[:, rng.integers(0, n_out, 6)]
    cost, grads = mod.loss_and_grads(params, X, Y)
    work: dict[str, np.ndarray] = {}
    cost_w, grads_w = mod.loss_and_grads(params, X, Y, work)
    assert cost_w == cost
    for key in grads:
        np.testing.assert_array_equal(grads_w[key], grads[key])
    _, again = mod.loss_and_grads(params, X, Y, work)
    assert again["W1"] is grads_w["W1"]  # written into the same buffer
    _, fresh = mod.loss_and_grads(params, X, Y)
    assert fresh["W1"] is not grads["W1"]  # without a workspace every call is new


def test_workspace_keeps_the_last_m_and_products_read_attributes() -> None:
    """Products name their arrays as attributes (``out.Z1``, no ``out.get`` per product); a
    workspace keeps the arrays of the last m only (forward's and backward's), and each m gives
    the numbers of a call without one."""
    mod = sb.compile(sb.Network.parse("3-2:sigmoid-1:sigmoid", loss="bce"))
    assert "out.get(" not in mod.source and "W1.dot(X, out.Z1)" in mod.source
    params = mod.init_params(seed=1)
    work: dict[object, object] = {}
    for m in (4, 2, 1, 4):
        X = np.linspace(-2.0, 2.0, 3 * m).reshape(3, m)
        Y = (np.arange(m) % 2).reshape(1, m).astype(float)
        cost_w, grads_w = mod.loss_and_grads(params, X, Y, work)
        cost, grads = mod.loss_and_grads(params, X, Y)
        # forward's arrays, backward's, and forward's latest cache (backward checks it)
        assert cost_w == cost and len(work) == 3
        for key in grads:
            np.testing.assert_array_equal(grads_w[key], grads[key])


class _Counted(np.ndarray):
    """An array that counts the NumPy calls made on it (ufuncs, operators, np.dot, ...)."""

    calls = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):  # type: ignore[no-untyped-def]
        _Counted.calls += 1
        plain = [x.view(np.ndarray) if isinstance(x, _Counted) else x for x in inputs]
        outs = kwargs.get("out")
        if outs is not None:
            kwargs["out"] = tuple(o.view(np.ndarray) if o is not None else o for o in outs)
        result = getattr(ufunc, method)(*plain, **kwargs)
        if outs is not None and outs[0] is not None:
            return outs[0]
        return result.view(_Counted) if isinstance(result, np.ndarray) else result

    def __array_function__(self, func, types, args, kwargs):  # type: ignore[no-untyped-def]
        _Counted.calls += 1
        return super().__array_function__(func, types, args, kwargs)

    def dot(self, other, out=None):  # type: ignore[no-untyped-def, override]
        """``A.dot(B, out)``, the generated code's products: one call each."""
        _Counted.calls += 1
        plain = other.view(np.ndarray) if isinstance(other, _Counted) else other
        return self.view(np.ndarray).dot(plain, out).view(_Counted)


def test_few_numpy_calls_per_gradient_and_no_workspace_call_without_one() -> None:
    """The lecture's 3-2-1 gradient (forward and backward) costs no more NumPy calls than the
    tuned hand-written loop (22: 7 products, 2 bias sums, 4 per sigmoid layer, 1/m and 3 for
    sigmoid'; 19 with one example: no 1/m, copies for db), and nothing of the workspace runs
    without one."""
    mod = sb.compile(sb.Network.parse("3-2:sigmoid-1:sigmoid", loss="bce"))
    params = {k: v.view(_Counted) for k, v in mod.init_params(seed=1).items()}
    X, Y = np.ones((3, 4)).view(_Counted), np.zeros((1, 4)).view(_Counted)

    def refuse(*args: object) -> None:
        raise AssertionError("_workspace called without a workspace")

    mod.module._workspace = refuse
    _Counted.calls = 0
    _, cache = mod.forward(params, X)
    mod.backward(params, cache, Y)
    assert _Counted.calls == 22
    X1, Y1 = X[:, :1], Y[:, :1]  # one example: db is a copy of dZ (no product), no 1/m
    _Counted.calls = 0
    _, cache = mod.forward(params, X1)
    mod.backward(params, cache, Y1)
    assert _Counted.calls == 19


def test_products_are_methods_and_constants_are_made_once() -> None:
    """The cheapest spelling of each call on small arrays (instructions per call, callgrind,
    NumPy 2.4): ``A.dot(B, out)`` skips np.dot's __array_function__ dispatch (1.5K fewer), the
    sigmoid's 80 and 1 and backward's 1/m and 1 (of 1 - A) are 0-d arrays of the arrays' dtype
    (1.5K fewer per call than a Python float), fetched once per function, and 1_m of db is made
    once per m and dtype, not per call."""
    mod = sb.compile(sb.Network.parse("3-2:sigmoid-1:sigmoid", loss="bce"))
    source = mod.source
    body = source.split("\ndef forward(")[1]  # forward, backward, loss_and_grads
    assert "np.dot(" not in source and "W2.T.dot(dZ2, " in body
    assert "np.empty((m, 1)" not in body and "1.0 / m" not in body and "80.0" not in body
    assert body.count("np.minimum(") == 2 and "dZ2 *= inv_m" in body
    assert "*= 1.0 - A1" not in body and "dZ1 *= one - A1" in body
    assert body.count("_TYPED.get(") == 1 and body.count("_BATCH.get(") == 1
    params = mod.init_params(seed=1)
    module = mod.module
    module._BATCH.clear()
    for m in range(1, 12):  # a run of batch sizes: the cache stays small
        X, Y = np.ones((3, m)), np.zeros((1, m))
        mod.loss_and_grads(params, X, Y)
        assert len(module._BATCH) <= 8
    ones_m, inv_m, one = module._BATCH[11, np.dtype(np.float64)]
    assert ones_m.shape == (11, 1) and inv_m.shape == () and inv_m == 1.0 / 11
    assert one.shape == () and one == 1.0


@pytest.mark.parametrize("m", [7, 1])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_typed_constants_give_the_values_of_python_floats(dtype: Any, m: int) -> None:
    """0-d constants of the arrays' dtype compute exactly what the Python floats 80.0, 1.0 and
    1.0 / m compute (NumPy casts a Python float to the array's dtype): bit for bit. With one
    example the module skips the 1/m (times 1.0): the same bits."""
    mod = sb.compile(sb.Network.parse("3-4:sigmoid-2:sigmoid", loss="bce"))
    rng = np.random.default_rng(3)
    params = {k: (v * 30).astype(dtype) for k, v in mod.init_params(seed=2).items()}
    X = rng.standard_normal((3, m)).astype(dtype)
    Y = (rng.random((2, m)) < 0.5).astype(dtype)
    A2, cache = mod.forward(params, X)
    grads = mod.backward(params, cache, Y)

    def sigmoid(Z: np.ndarray) -> np.ndarray:
        e = np.exp(np.minimum(Z, 80.0))
        return e / (e + 1.0)

    A1 = sigmoid(params["W1"].dot(X) + params["b1"])
    np.testing.assert_array_equal(cache["A1"], A1)
    np.testing.assert_array_equal(A2, sigmoid(params["W2"].dot(A1) + params["b2"]))
    dZ2 = (A2 - Y) * (1.0 / m)
    np.testing.assert_array_equal(grads["W2"], dZ2.dot(A1.T))
    dZ1 = params["W2"].T.dot(dZ2) * A1 * (1.0 - A1)
    np.testing.assert_array_equal(grads["W1"], dZ1.dot(X.T))
    assert A2.dtype == grads["W1"].dtype == grads["b1"].dtype == dtype


@pytest.mark.parametrize("workspace", [False, True])
@pytest.mark.parametrize(
    "spec", ["3-3:tanh-3:sigmoid-3:relu-3:sigmoid", "3-3:tanh-3:tanh-3:tanh-3"]
)
def test_one_example_gradients_equal_a_batch_holding_it_twice(spec: str, workspace: bool) -> None:
    """m = 1 takes db = a copy of dZ instead of dZ 1_m; the gradients equal those of the batch
    that holds the example twice (the mean loss is the same). Equal widths let a workspace
    reuse a dead delta's (or tanh slope's) array for a later one: the copy keeps db from being
    overwritten, and no array is written while it is still read."""
    mod = sb.compile(sb.Network.parse(spec, loss="bce"))
    params = mod.init_params(seed=3)
    rng = np.random.default_rng(4)
    X, Y = rng.standard_normal((3, 1)), (rng.random((3, 1)) < 0.5).astype(float)
    work = {} if workspace else None  # a workspace of this module's own
    cost, grads = mod.loss_and_grads(params, X, Y, work)
    grads = {key: value.copy() for key, value in grads.items()}
    cost2, grads2 = mod.loss_and_grads(params, np.hstack([X, X]), np.hstack([Y, Y]))
    assert cost == pytest.approx(cost2, rel=1e-12)
    for key, value in grads.items():
        np.testing.assert_allclose(value, grads2[key], rtol=1e-12, atol=1e-15)


def test_the_module_docstring_names_a_penalty_only_where_there_is_one() -> None:
    """newcomer27 #8: 'plus (L2 / 2m) sum_l ||W_l||_F^2' on a network without L2."""
    assert "L2 / 2m" not in sb.codegen(sb.Network.parse("4-3-2-1")).split('"""')[1]
    assert "L2 / 2m" in sb.codegen(sb.Network.parse("4-3-2-1", l2=0.1)).split('"""')[1]
