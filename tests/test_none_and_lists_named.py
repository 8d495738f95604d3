"""None, a list or the wrong cache handed to a generated module gets one ValueError naming
the argument (hostile25): the NumPy and JAX network modules failed with UnboundLocalError or
a TypeError on None (their shape check took None for "not passed"), torch's named no
argument, a model's backward indexed None, and a model's check said a list "got None"."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symbackprop as sb

ROOT = Path(__file__).resolve().parents[1]
NET = sb.Network.parse("3-2-1")
MODEL = sb.Model.from_file(ROOT / "examples" / "models" / "logistic_l2.model")
NOUN = {"numpy": "an array", "jax": "an array", "torch": "a tensor"}


def _setup(spec: object, backend: str) -> tuple[Any, dict, list]:
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    module: Any = sb.compile(spec, backend=backend)
    params = sb.compile(spec).init_params(seed=0)
    if isinstance(spec, sb.Network):
        data = [np.ones((3, 4)), np.ones((1, 4))]
    else:
        shapes = module.DATA_SHAPES.values()
        data = [np.ones(tuple(4 if d == "m" else d for d in s)) for s in shapes]
    if backend == "torch":
        import torch

        params = {k: torch.from_numpy(np.asarray(v)) for k, v in params.items()}
        data = [torch.from_numpy(d) for d in data]
    if backend == "jax":  # x64 off: every array float32, as JAX makes them
        params = {k: np.asarray(v, np.float32) for k, v in params.items()}
        data = [d.astype(np.float32) for d in data]
    return module, params, data


@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
def test_none_for_a_network_input_is_named(backend: str) -> None:
    module, params, (X, Y) = _setup(NET, backend)
    noun = NOUN[backend]
    with pytest.raises(ValueError, match=rf"^X is None; expected {noun} of shape \(3, m\)$"):
        module.forward(params, None)
    with pytest.raises(ValueError, match=rf"^Y is None; expected {noun} of shape \(1, m\)$"):
        module.loss_and_grads(params, X, None)
    with pytest.raises(ValueError, match=rf"^X is None; expected {noun} of shape \(3, m\)$"):
        module.loss_and_grads(params, None, Y)
    _, cache = module.forward(params, X)
    with pytest.raises(ValueError, match=r"^cache is None; expected the cache dict that forward"):
        module.backward(params, None, Y)
    with pytest.raises(ValueError, match=rf"^Y is None; expected {noun} of shape \(1, m\)$"):
        module.backward(params, cache, None)


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
def test_none_a_list_or_the_wrong_cache_for_a_model_is_named(backend: str) -> None:
    module, params, data = _setup(MODEL, backend)
    noun = NOUN[backend]
    first = module.DATA[0]
    rows = module.DATA_SHAPES[first][0]
    with pytest.raises(
        ValueError, match=rf"^{first} must be a 2-D \w+ of shape \({rows}, m\), got None$"
    ):
        module.loss_and_grads(params, None, *data[1:])
    listed = np.asarray(data[0]).tolist()
    with pytest.raises(ValueError, match=rf"^{first} must be a 2-D \w+ of shape .*, got a list$"):
        module.loss_and_grads(params, listed, *data[1:])
    name, value = next(iter(params.items()))
    shape = tuple(value.shape)
    with pytest.raises(ValueError, match=rf"^{name} is a list, expected {noun} of shape"):
        module.loss_and_grads({**params, name: np.asarray(value).tolist()}, *data)
    with pytest.raises(ValueError, match=rf"^{name} is None, expected {noun} of shape"):
        module.loss_and_grads({**params, name: None}, *data)
    returned = module.forward(params, *data)
    with pytest.raises(ValueError, match=r"^cache must be the dict forward returned, got None$"):
        module.backward(params, None)
    with pytest.raises(ValueError, match=r"^cache must be the dict forward returned, got a tuple"):
        module.backward(params, returned)
    cache = dict(returned[1])
    cache.pop(next(iter(cache)))
    with pytest.raises(ValueError, match=r"^cache has no '\w+': pass the cache forward returned"):
        module.backward(params, cache)
    assert shape == tuple(params[name].shape)
    module.backward(params, returned[1])  # the right cache still runs


@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
@pytest.mark.parametrize("spec", [NET, MODEL], ids=["network", "model"])
def test_init_params_names_a_scheme_that_is_not_a_string(backend: str, spec: object) -> None:
    """``init_params(0, scheme=None)`` failed naming str.startswith (hostile25 #4)."""
    module, _, _ = _setup(spec, backend)
    with pytest.raises(TypeError, match=r"^init scheme must be a string, one of xavier, he"):
        module.init_params(0, scheme=None)


@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
@pytest.mark.parametrize("spec", [NET, MODEL], ids=["network", "model"])
def test_init_params_names_a_seed_numpy_refuses(backend: str, spec: object) -> None:
    """``init_params(seed=-1)`` failed in NumPy's words, naming no argument ("expected
    non-negative integer"); a Generator and None are still taken, as default_rng takes them."""
    module, _, _ = _setup(spec, backend)
    for seed in (-1, 1.5, "a"):
        with pytest.raises(ValueError, match=r"^seed must be a non-negative int or None, got "):
            module.init_params(seed=seed)
    first = module.init_params(seed=np.random.default_rng(3))
    again = module.init_params(seed=3)
    assert all(np.array_equal(np.asarray(first[k]), np.asarray(again[k])) for k in first)
    module.init_params(seed=None)


@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
def test_a_network_cache_edited_by_hand_is_named(backend: str) -> None:
    """backward checked only that the cache had its names (hostile25 #2): an A1 of another
    shape failed inside a product, a list for A2 ran, and float32 weights beside a float64
    cache gave float64 gradients. Each is a ValueError naming the entry or the weight."""
    module, params, (X, Y) = _setup(NET, backend)
    _, cache = module.forward(params, X)
    wrong = np.ones((7, 4), np.asarray(X).dtype)
    if backend == "torch":
        import torch

        wrong = torch.from_numpy(wrong)
    with pytest.raises(ValueError, match=r"^cache\['A1'\] has shape \(7, 4\), expected \(2, 4\)"):
        module.backward(params, {**cache, "A1": wrong}, Y)
    listed = np.asarray(cache["A2"]).tolist()
    with pytest.raises(ValueError, match=r"^cache\['A2'\] has shape a list, not a"):
        module.backward(params, {**cache, "A2": listed}, Y)
    if backend != "jax":  # JAX's float32 weights beside float64 are its own message
        halved = {
            k: v.float() if backend == "torch" else v.astype(np.float32) for k, v in params.items()
        }
        with pytest.raises(ValueError, match=r"^W\d has dtype (torch\.)?float32 but X has"):
            module.backward(halved, cache, Y)
    module.backward(params, cache, Y)  # forward's own cache still runs


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix's own
def test_a_numpy_cache_entry_of_another_array_kind_is_named() -> None:
    """review25 #4: an np.matrix or a masked array for A1 in a network's cache passed the
    NumPy module's type check (X, Y and the weights only): the masked one ran with its mask
    ignored, the matrix one gave gradients of another class. Each is named now."""
    module, params, (X, Y) = _setup(NET, "numpy")
    _, cache = module.forward(params, X)
    with pytest.raises(ValueError, match=r"^cache\['A1'\] is a numpy.matrix, whose \*"):
        module.backward(params, {**cache, "A1": np.matrix(cache["A1"])}, Y)
    with pytest.raises(ValueError, match=r"^cache\['A2'\] is a masked array, whose mask"):
        module.backward(params, {**cache, "A2": np.ma.masked_array(cache["A2"])}, Y)


@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_cache_that_is_not_a_dict_is_named(backend: str) -> None:
    """review25 #4/#5: the (output, cache) pair or a number as a network's cache failed with
    NumPy's "truth value ... is ambiguous" or "int is not iterable"; a model's cache without
    its m raised KeyError 'm'."""
    module, params, (X, Y) = _setup(NET, backend)
    returned = module.forward(params, X)
    with pytest.raises(ValueError, match=r"^cache must be the dict forward returned, got a tuple"):
        module.backward(params, returned, Y)
    with pytest.raises(ValueError, match=r"^cache must be the dict forward returned, got a int"):
        module.backward(params, 3, Y)
    model, params, data = _setup(MODEL, backend)
    _, cache = model.forward(params, *data)
    without = {k: v for k, v in cache.items() if k != "m"}
    with pytest.raises(ValueError, match=r"^cache has no 'm': pass the cache forward returned"):
        model.backward(params, without)


@pytest.mark.parametrize("value", [None, b"net.toml", 3])
@pytest.mark.parametrize("loader", [sb.Network.from_file, sb.Model.from_file])
def test_a_file_loader_names_its_path_argument(loader: Any, value: object) -> None:
    """hostile38c #9: pathlib's "expected str, bytes or os.PathLike object, not NoneType"."""
    with pytest.raises(sb.SpecError, match=r"^path must be a str or os.PathLike file path, got "):
        loader(value)


@pytest.mark.parametrize("spec", [NET, MODEL])
def test_a_wrt_that_is_no_string_is_told_so(spec: object) -> None:
    """hostile38c #10: ``wrt=3`` said "'3' is not a parameter"."""
    d = sb.derive(spec)
    for printer in (sb.to_text, sb.to_latex, sb.to_markdown):
        with pytest.raises(sb.SpecError, match=r"wrt must be a string \(a parameter's name\)"):
            printer(d, wrt=3)
