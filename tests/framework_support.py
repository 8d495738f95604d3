"""The one way a test imports an optional framework (torch, jax): a skip when it is missing,
or a failure when ``SYMBACKPROP_REQUIRE_<NAME>=1`` says it must be there (as .ci/run does).

A test module that names a framework at its top level holds a :class:`Deferred` instead of the
module: pytest imports every test module in every xdist worker while it collects, and importing
torch and jax there cost each worker about 6 s of CPU (3.4 s and 2.8 s) before any test ran,
also in a worker that then ran no framework test. The framework is imported when a test first
reads one of its attributes; a missing one then skips (or fails) that test.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest

#: the frameworks imported so far (a Deferred reads one on every attribute access)
_LOADED: dict[str, Any] = {}


def import_framework(name: str) -> Any:
    """The module ``name`` (``jax.numpy`` too), or a skip (a failure when
    SYMBACKPROP_REQUIRE_<TOP>=1 for its top-level package, e.g. SYMBACKPROP_REQUIRE_JAX).

    JAX is set to 64-bit floats (``jax_enable_x64``) on its first import: the tests compare
    float64 gradients at tolerances of 1e-12, and the whole process ran that way when
    tests/test_jax_backend.py set it while pytest collected.
    """
    module = _LOADED.get(name)
    if module is not None:
        return module
    top = name.split(".")[0]
    variable = f"SYMBACKPROP_REQUIRE_{top.upper()}"
    try:
        module = importlib.import_module(name)
    except ImportError:
        if os.environ.get(variable, "") not in ("", "0"):
            pytest.fail(f"{top} is missing but {variable}=1")
        pytest.skip(f"{top} is not installed (pip install -e '.[{top}]')")
    if top == "jax":
        importlib.import_module("jax").config.update("jax_enable_x64", True)
    _LOADED[name] = module
    return module


class Deferred:
    """A framework module imported by the first attribute read (in a test, not at collection).

    ``torch = Deferred("torch")`` at a test module's top level; ``torch.tensor(...)`` in a
    test imports torch then, or skips (fails under SYMBACKPROP_REQUIRE_TORCH=1) that test.
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):  # introspection (pytest reads _mock_name) imports nothing
            raise AttributeError(attribute)
        return getattr(import_framework(self._name), attribute)

    def __repr__(self) -> str:
        return f"Deferred({self._name!r})"
