"""Code generation: the lowering plan of a derivation, written by the chosen backend's emitter.

:func:`codegen` builds the backend-neutral plan (:mod:`symbackprop.lowering.plan`) and hands
it to one emitter per backend; NumPy (:mod:`symbackprop.lowering.numpy`) is the first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from symbackprop.errors import SpecError
from symbackprop.lowering.numpy import emitter as numpy_emitter
from symbackprop.lowering.plan import CacheEntry, LoweringPlan, build_plan, cache_plan

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation
    from symbackprop.spec import Network

__all__ = ["BACKENDS", "CacheEntry", "cache_plan", "check_backend", "codegen"]

#: backend name -> the emitter that writes its module from a plan
EMITTERS: dict[str, Callable[[LoweringPlan], str]] = {"numpy": numpy_emitter.emit}
#: every backend DESIGN.md names, in the order error messages list them
BACKENDS = ("numpy", "torch", "jax")


def check_backend(backend: str) -> None:
    """Refuse a backend with no emitter (:class:`~symbackprop.errors.SpecError`)."""
    if backend in EMITTERS:
        return
    accepted = ", ".join(repr(name) for name in EMITTERS)
    later = [name for name in BACKENDS if name not in EMITTERS]
    raise SpecError(
        f"backend {backend!r} is not available: accepted {accepted}"
        + (f" ({' and '.join(later)} are not available yet)" if later else "")
    )


def codegen(
    source: Derivation | Network,
    *,
    sizes: Mapping[str, int] | None = None,
    backend: str = "numpy",
) -> str:
    """The gradient module for ``source`` (a Network or a Derivation), as source text.

    Always the batch form (a single-example derivation is re-derived over a batch). Named widths
    need ``sizes``, e.g. ``codegen(net, sizes={"n": 4})``; a missing one raises
    :class:`~symbackprop.errors.SpecError`, as does a ``backend`` with no emitter (accepted:
    ``"numpy"``). The same input gives byte-identical text.
    """
    check_backend(backend)
    return EMITTERS[backend](build_plan(source, sizes))
