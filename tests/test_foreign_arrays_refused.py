"""An array of another library or a masked array gets one ValueError naming it (hostile tester
23): a torch tensor handed to the NumPy module was told "has dtype torch.float64; expected a
floating-point array" and to the JAX module a TypeError naming no array; a masked array ran
with its mask ignored (the gradients of the unmasked data)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import symbackprop as sb

ROOT = Path(__file__).resolve().parents[1]
NET = sb.Network.parse("3-2-1")
MODEL = sb.Model.from_file(ROOT / "examples" / "models" / "logistic_l2.model")
NOUN = {"numpy": "a NumPy array", "jax": "a NumPy or JAX array"}


def _data(module: object, spec: object) -> list[np.ndarray]:
    if isinstance(spec, sb.Network):
        return [np.ones((3, 4)), np.ones((1, 4))]
    shapes = module.DATA_SHAPES.values()  # type: ignore[attr-defined]
    return [np.ones(tuple(4 if d == "m" else d for d in s)) for s in shapes]


def _module(spec: object, backend: str) -> object:
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    return sb.compile(spec, backend=backend)  # JAX with x64 off: float64 runs in float32


@pytest.mark.parametrize("backend", ["numpy", "jax"])
@pytest.mark.parametrize("spec", [NET, MODEL], ids=["network", "model"])
def test_a_torch_tensor_is_named(backend: str, spec: object) -> None:
    torch = pytest.importorskip("torch")
    module = _module(spec, backend)
    params = sb.compile(spec).init_params(seed=0)
    X, *rest = _data(module, spec)
    with pytest.raises(ValueError, match=rf"^X is a torch\.Tensor, not {NOUN[backend]}: "):
        module.loss_and_grads(params, torch.from_numpy(X), *rest)  # type: ignore[attr-defined]
    name = next(iter(params))
    weights = {**params, name: torch.from_numpy(np.asarray(params[name]))}
    with pytest.raises(ValueError, match=rf"^{name} is a torch\.Tensor"):
        module.loss_and_grads(weights, X, *rest)  # type: ignore[attr-defined]


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", ["numpy", "jax"])
@pytest.mark.parametrize("spec", [NET, MODEL], ids=["network", "model"])
def test_a_masked_array_is_refused_not_its_mask_ignored(backend: str, spec: object) -> None:
    module = _module(spec, backend)
    params = sb.compile(spec).init_params(seed=0)
    X, *rest = _data(module, spec)
    masked = np.ma.masked_array(X, mask=np.zeros_like(X, dtype=bool))
    masked.mask[0, 0] = True
    with pytest.raises(ValueError, match=r"^X is a masked array, whose mask the gradients"):
        module.loss_and_grads(params, masked, *rest)  # type: ignore[attr-defined]
    # the advice is followed: a plain array runs
    cost, _ = module.loss_and_grads(params, masked.filled(0), *rest)  # type: ignore[attr-defined]
    assert np.isfinite(float(cost))


def test_a_jax_array_in_the_numpy_module_is_named() -> None:
    """It ran, and gave gradients of two types (a JAX array beside NumPy ones)."""
    jnp = pytest.importorskip("jax.numpy")
    module = sb.compile(MODEL)
    params = sb.compile(MODEL).init_params(seed=0)
    name = next(iter(params))
    mixed = {**params, name: jnp.asarray(params[name])}
    with pytest.raises(ValueError, match=rf"^{name} is a jaxlib\.\w+, not a NumPy array"):
        module.loss_and_grads(mixed, *_data(module, MODEL))


@pytest.mark.parametrize("backend", ["numpy", "torch", "jax"])
@pytest.mark.parametrize("spec", [NET, MODEL], ids=["network", "model"])
def test_backward_says_its_params_must_be_forwards(backend: str, spec: object) -> None:
    """An update of the parameters between forward and backward gave gradients at neither
    point (the cache is of the old values, params of the new): the docstring says when to
    update them."""
    text = sb.codegen(spec, backend=backend)
    doc = " ".join(text.split("def backward(")[1].split('"""')[1].split())
    assert "``params`` must hold what forward was given" in doc
    assert "update the parameters after backward" in doc or backend == "jax"


@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_a_masked_target_or_parameter_is_refused_in_backward_too(backend: str) -> None:
    """review23: the JAX network module checked X alone on entry; a masked Y went through
    backward (its column sums skip the masked entries, its cost does not: gradients of
    neither), and a masked W1 met an unrelated broadcasting error."""
    net = sb.Network.parse("4-3:relu-3:softmax", loss="ce")
    module = _module(net, backend)
    params = sb.compile(net).init_params(seed=0)
    X = np.random.default_rng(0).standard_normal((4, 5))
    Y = np.eye(3)[:, [0, 1, 2, 0, 1]]
    masked = np.ma.masked_array(Y, mask=np.zeros_like(Y, dtype=bool))
    masked.mask[:, 0] = True
    with pytest.raises(ValueError, match=r"^Y is a masked array"):
        module.loss_and_grads(params, X, masked)  # type: ignore[attr-defined]
    weights = {**params, "W1": np.ma.masked_array(np.asarray(params["W1"]))}
    with pytest.raises(ValueError, match=r"^W1 is a masked array"):
        module.forward(weights, X)  # type: ignore[attr-defined]


LINEAR_ALGEBRA = """
A : n x n
B : n x n
x : n x 1
sizes: n = 3
J = logdet(A) + sum(inv(B) x) + det(A)
data:
"""


def _arrays(backend: str, values: dict, name: str) -> dict:
    """``values`` (NumPy arrays) as ``backend``'s arrays of the dtype called ``name``."""
    if backend == "torch":
        import torch

        return {k: torch.tensor(v).to(getattr(torch, name)) for k, v in values.items()}
    if backend == "jax":
        import jax.numpy as jnp

        return {k: jnp.asarray(v, dtype=getattr(jnp, name)) for k, v in values.items()}
    return {k: v.astype(name) for k, v in values.items()}


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize(
    ("backend", "dtype"),
    [("numpy", "float16"), ("torch", "float16"), ("torch", "bfloat16")]
    + [("jax", "float16"), ("jax", "bfloat16")],
)
def test_16_bit_arrays_are_refused_where_the_model_has_linear_algebra(
    backend: str, dtype: str
) -> None:
    """hostile23: float16 into a model with det/inv/logdet failed inside the linear-algebra
    library (NumPy "array type float16 is unsupported in linalg", torch "Low precision dtypes
    not supported", JAX a NotImplementedError of a KeyError), naming no value. Now one
    ValueError on entry naming the dtype and the operations; float32 still runs."""
    if backend != "numpy" and importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    module = sb.compile(sb.Model.parse(LINEAR_ALGEBRA), backend=backend)
    eye = 2.0 * np.eye(3)  # A and B invertible, det(A) > 0
    values = {"A": eye, "B": eye, "x": np.ones((3, 1))}
    params = _arrays(backend, values, dtype)
    with pytest.raises(ValueError, match=rf"{dtype} .*det/inv/logdet run in the linear-algebra"):
        module.loss_and_grads(params)
    if backend == "jax":
        import jax

        with pytest.raises(ValueError, match="float32 and float64 only"):
            jax.jit(module.loss_and_grads)(params)
    cost, _ = module.loss_and_grads(_arrays(backend, values, "float32"))
    assert abs(float(cost) - (np.log(8.0) + 1.5 + 8.0)) < 1e-4  # log 8 + 3 / 2 + 8


def test_longdouble_arrays_are_refused_where_the_model_has_linear_algebra() -> None:
    """hostile38a #5: NumPy's longdouble failed inside slogdet ("array type float128 is
    unsupported in linalg"), naming no value; now the ValueError on entry, telling float64."""
    if np.dtype(np.longdouble).itemsize <= 8:
        pytest.skip("longdouble is float64 on this platform")
    module = sb.compile(sb.Model.parse(LINEAR_ALGEBRA))
    eye = 2.0 * np.eye(3)
    params = {"A": eye, "B": eye, "x": np.ones((3, 1))}
    wide = {name: value.astype(np.longdouble) for name, value in params.items()}
    with pytest.raises(ValueError, match=r"float32 and float64 only; convert them to float64$"):
        module.loss_and_grads(wide)


@pytest.mark.parametrize("spec", [NET, "model"])
def test_jax_names_its_dtypes_where_a_float128_is_refused(spec: object) -> None:
    """hostile23: NumPy's float128 into the JAX network module failed inside jax.nn.sigmoid
    ("Error interpreting argument ... as an abstract array"); the model module refused it with
    "expected a floating-point array", which a float128 is. Both now refuse it on entry
    saying JAX computes in at most 64 bits."""
    if importlib.util.find_spec("jax") is None or not hasattr(np, "float128"):
        pytest.skip("jax is not installed, or this NumPy has no float128")
    source = sb.Model.parse(Path("examples/models/two_heads.model").read_text())
    compiled = sb.compile(source if spec == "model" else spec)
    module = sb.compile(source if spec == "model" else spec, backend="jax")
    params = {k: v.astype(np.float128) for k, v in compiled.init_params(seed=0).items()}
    shapes = getattr(compiled.module, "DATA_SHAPES", None) or {"X": (3, "m"), "Y": (1, "m")}
    data = [np.ones(tuple(4 if d == "m" else d for d in s), np.float128) for s in shapes.values()]
    with pytest.raises(
        ValueError, match=r"has dtype float128; expected a floating-point array of at most 64 bits"
    ):
        module.loss_and_grads(params, *data)
