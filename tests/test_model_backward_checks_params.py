"""A model module's backward checks its params as forward does (hostile34b #3).

backward read its parameters unchecked: a ``gamma`` of shape (4, 5) in batch_norm broadcast
into a (4, 5) "gradient" of a (4, 1) parameter, silently; ``params=None`` was Python's
TypeError, and a list in the cache an AttributeError. Now each is one line naming the part at
fault, in every backend (the network module's backward checked its params already).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.model import Model
from tests.framework_support import import_framework

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"
BACKENDS = ["numpy", "torch", "jax"]


def _convert(backend: str) -> Any:
    if backend == "torch":
        return import_framework("torch").as_tensor
    if backend == "jax":  # float64: import_framework sets jax_enable_x64
        return import_framework("jax").numpy.asarray
    return np.asarray


def _batch_norm(backend: str) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """The module, its parameters, and the cache of one forward on 6 examples."""
    convert = _convert(backend)
    model = Model.from_file(MODELS / "batch_norm.model")
    module = sb.compile(model, backend=backend)
    params = module.init_params(seed=0)
    rng = np.random.default_rng(0)
    X, Y = convert(rng.standard_normal((3, 6))), convert(rng.standard_normal((1, 6)))
    return module, params, module.forward(params, X, Y)[1]


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_parameter_of_another_shape_is_refused_not_broadcast(backend: str) -> None:
    module, params, cache = _batch_norm(backend)
    wide = dict(params, gamma=params["gamma"] * _convert(backend)(np.ones((4, 5))))
    with pytest.raises(ValueError, match=r"^gamma has shape \(4, 5\), expected \(4, 1\)$"):
        module.backward(wide, cache)
    # the right params still give forward's gradients
    grads = module.backward(params, cache)
    assert {k: tuple(v.shape) for k, v in grads.items()} == module.SHAPES


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("backend", BACKENDS)
def test_params_that_are_not_a_dict_or_miss_one_are_refused(backend: str) -> None:
    module, params, cache = _batch_norm(backend)
    with pytest.raises(ValueError, match=r"^params must be a dict of \w+s, got a NoneType$"):
        module.backward(None, cache)
    missing = {k: v for k, v in params.items() if k != "v"}
    with pytest.raises(ValueError, match=r"^params has no 'v': expected an? \w+ of shape"):
        module.backward(missing, cache)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_parameter_of_another_dtype_than_the_cache_is_refused(backend: str) -> None:
    module, params, cache = _batch_norm(backend)
    gamma = params["gamma"]
    single = dict(params, gamma=gamma.astype(np.float32) if backend == "numpy" else gamma.float())
    with pytest.raises(ValueError, match=r"^gamma has dtype \S*float32 but cache\['X'\] has"):
        module.backward(single, cache)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_cached_value_that_is_no_array_is_named(backend: str) -> None:
    module, params, cache = _batch_norm(backend)
    listed = dict(cache, D=np.asarray(cache["D"]).tolist())
    with pytest.raises(ValueError, match=r"^cache\['D'\] is a list, expected an array of shape"):
        module.backward(params, listed)


def test_a_cache_edited_into_the_other_byte_order_is_told_the_conversion() -> None:
    """review35 #6: backward took the reference dtype from the cache unchecked, and a
    big-endian ``cache['X']`` was advised ``np.>f8``."""
    module, params, cache = _batch_norm("numpy")
    swapped = dict(cache, X=cache["X"].astype(">f8"))
    with pytest.raises(ValueError, match=r"^cache\['X'\] has dtype >f8, whose byte order is not"):
        module.backward(params, swapped)
    wrong = dict(cache, X=cache["X"].astype(np.int64))
    with pytest.raises(ValueError, match=r"^cache\['X'\] has dtype int64; expected float16"):
        module.backward(params, wrong)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_loss_and_grads_checks_params_once(backend: str, monkeypatch: Any) -> None:
    """review35 #7: loss_and_grads checked the parameters in forward and again in backward
    (about 5% of a small model's gradient); backward alone still checks them."""
    module, params, cache = _batch_norm(backend)
    namespace = module.loss_and_grads.__globals__
    checked = namespace["_check_params"]
    calls: list[str] = []

    def counted(*args: Any) -> Any:
        calls.append("checked")
        return checked(*args)

    monkeypatch.setitem(namespace, "_check_params", counted)
    X, Y = cache["X"], cache["Y"]
    cost, grads = module.loss_and_grads(params, X, Y)
    assert calls == ["checked"]
    alone = module.backward(params, module.forward(params, X, Y)[1])
    assert calls == ["checked"] * 3
    for name, value in grads.items():
        assert np.array_equal(np.asarray(value), np.asarray(alone[name]))
