"""Code generation: the lowering plan of a derivation, written by the chosen backend's emitter.

:func:`codegen` builds the backend-neutral plan (:mod:`symbackprop.lowering.plan`; for a model
:mod:`symbackprop.lowering.model_plan`) and hands it to one emitter per backend: NumPy
(:mod:`symbackprop.lowering.numpy`), PyTorch (:mod:`symbackprop.lowering.torch`) and JAX
(:mod:`symbackprop.lowering.jax`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from symbackprop.core.model_derivation import ModelDerivation, derive_model
from symbackprop.errors import SpecError
from symbackprop.lowering import names
from symbackprop.lowering.jax import emitter as jax_emitter
from symbackprop.lowering.jax import model_emitter as jax_model_emitter
from symbackprop.lowering.long_lines import shorter_lines
from symbackprop.lowering.model_plan import ModelPlan, build_model_plan
from symbackprop.lowering.numpy import emitter as numpy_emitter
from symbackprop.lowering.numpy import model_emitter
from symbackprop.lowering.plan import CacheEntry, LoweringPlan, build_plan
from symbackprop.lowering.plan import cache_plan as network_cache_plan
from symbackprop.lowering.torch import emitter as torch_emitter
from symbackprop.lowering.torch import model_emitter as torch_model_emitter
from symbackprop.model import Model

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation
    from symbackprop.spec import Network

__all__ = ["BACKENDS", "CacheEntry", "cache_plan", "check_backend", "codegen"]

#: backend name -> the emitter that writes its module from a plan
EMITTERS: dict[str, Callable[[LoweringPlan], str]] = {
    "numpy": numpy_emitter.emit,
    "torch": torch_emitter.emit,
    "jax": jax_emitter.emit,
}
#: backend name -> the emitter that writes a model's module from its plan
MODEL_EMITTERS: dict[str, Callable[[ModelPlan], str]] = {
    "numpy": model_emitter.emit_model,
    "torch": torch_model_emitter.emit_model,
    "jax": jax_model_emitter.emit_model,
}
#: every backend DESIGN.md names, in the order error messages list them
BACKENDS = ("numpy", "torch", "jax")


def check_backend(backend: str) -> None:
    """Refuse a backend with no emitter (:class:`~symbackprop.errors.SpecError`)."""
    if backend not in EMITTERS:
        accepted = ", ".join(repr(name) for name in BACKENDS)
        raise SpecError(f"backend {backend!r} is not available: accepted {accepted}")


def model_derivation(source: Derivation | Network | Model) -> ModelDerivation | None:
    """The derivation of a model (or a model's derivation as it is); ``None`` otherwise."""
    if isinstance(source, Model):
        return derive_model(source)
    return source if isinstance(source, ModelDerivation) else None


def codegen(
    source: Derivation | Network | Model,
    *,
    sizes: Mapping[str, int] | None = None,
    backend: str = "numpy",
) -> str:
    """The gradient module for ``source`` (a Network, a Model or a Derivation), as source text.

    Always the batch form (a single-example derivation is re-derived over a batch). Named widths
    need ``sizes``, e.g. ``codegen(net, sizes={"n": 4})``; a missing one raises
    :class:`~symbackprop.errors.SpecError`, as does a ``backend`` with no emitter (accepted:
    ``"numpy"``, ``"torch"``, ``"jax"``). The same input gives byte-identical text.
    """
    check_backend(backend)
    derivation = model_derivation(source)
    if derivation is not None:
        return shorter_lines(MODEL_EMITTERS[backend](build_model_plan(derivation, sizes)))
    assert not isinstance(source, Model)
    return shorter_lines(EMITTERS[backend](build_plan(source, sizes)))


def cache_plan(
    source: Derivation | Network | Model,
    sizes: Mapping[str, int] | None = None,
    *,
    itemsize: int = 8,
) -> list[CacheEntry]:
    """What ``forward`` caches for ``source`` (see :func:`symbackprop.lowering.plan.cache_plan`);
    for a model, every value backward reads, with its shape (``"m"`` for the batch)."""
    derivation = model_derivation(source)
    if derivation is None:
        assert not isinstance(source, Model)
        return network_cache_plan(source, sizes, itemsize=itemsize)
    plan = build_model_plan(derivation, sizes)
    out = []
    for name in plan.cache:
        rows, cols = plan.shapes[name]
        # bytes per example: the entries of one column (or row) along m; all of a fixed value
        along = [int(d) for d in (rows, cols) if d != names.BATCH]
        per_example = along[0] * (along[1] if len(along) == 2 else 1) * itemsize
        out.append(CacheEntry(name, (rows, cols), per_example, "backward"))  # type: ignore[arg-type]
    return out
