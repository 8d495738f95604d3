"""The arrays a generated module computes with, for :func:`symbackprop.gradcheck`.

The finite-difference check works on float64 NumPy arrays (it perturbs them in place); a
torch or JAX module takes and returns its own framework's arrays. :func:`module_arrays` gives
the conversions both ways and the context to call the module in, from the framework the
module imported (a generated module imports exactly one: ``torch``, ``jax``, else NumPy), so
a module loaded from a file is recognised as well as one from :func:`symbackprop.compile`.

A JAX module computes in float32 unless JAX's 64-bit mode is on (its default is off), and
central differences in float32 cannot resolve a gradient (a right one "fails" with relative
errors near 1): the check runs the module inside ``jax.enable_x64(True)``, which changes
nothing outside the call.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ModuleArrays:
    """How to hand float64 NumPy arrays to a module and read its results back.

    ``framework`` is ``"numpy"``, ``"torch"`` or ``"jax"``; ``to_module(a)`` takes an (n, k)
    float64 array to the framework's array (torch: shares memory, so an in-place perturbation
    is seen); ``to_numpy(x)`` takes any array the module returns to a float64 NumPy array;
    ``calling()`` is the context every call of the module runs in; ``undefined`` the
    exceptions by which the module says its cost is undefined at a point (a singular matrix).
    """

    framework: str
    to_module: Callable[[np.ndarray], Any]
    to_numpy: Callable[[Any], np.ndarray]
    calling: Callable[[], contextlib.AbstractContextManager[Any]]
    undefined: tuple[type[BaseException], ...]

    def params(self, params: Mapping[str, np.ndarray]) -> dict[str, Any]:
        """``params`` as the module's arrays (each (rows, cols) as in ``SHAPES``)."""
        return {name: self.to_module(value) for name, value in params.items()}


def _imported(module: Any, name: str) -> types.ModuleType | None:
    found = getattr(module, name, None)
    return found if isinstance(found, types.ModuleType) else None


def _numpy_of(value: Any) -> np.ndarray:
    """A float64 NumPy copy of a framework array (a torch tensor is detached and moved to
    the CPU first: NumPy cannot read a GPU tensor, and then made float64 in torch: NumPy has
    no bfloat16 or float8, and reading one raised TypeError, review37 #7)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().double()
    return np.asarray(value, dtype=np.float64)


def module_arrays(module: Any) -> ModuleArrays:
    """The conversions for ``module`` (a GradientModule or a generated module loaded from a
    file); NumPy for any other object with ``loss_and_grads``."""
    linalg = (np.linalg.LinAlgError,)
    torch = _imported(module, "torch")
    if torch is not None:
        errors = getattr(getattr(torch, "linalg", None), "LinAlgError", None)
        return ModuleArrays(
            "torch",
            torch.from_numpy,
            _numpy_of,
            contextlib.nullcontext,
            linalg + ((errors,) if isinstance(errors, type) else ()),
        )
    jax = _imported(module, "jax")
    jnp = _imported(module, "jnp")
    if jax is not None and jnp is not None:
        return ModuleArrays("jax", jnp.asarray, _numpy_of, lambda: jax.enable_x64(True), linalg)
    return ModuleArrays("numpy", lambda a: a, _numpy_of, contextlib.nullcontext, linalg)
