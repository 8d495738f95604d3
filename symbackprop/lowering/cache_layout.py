"""The forward cache, read off the derivation: what backward (and the cost) needs, nothing more.

The lecture's cache is "whatever the backward pass reads". Here that is computed, not
assumed: every matrix symbol that appears in a delta or gradient expression of the batch
derivation is read by ``backward`` (``X`` and ``A[l-1]`` for dJ/dW[l], ``A[l]`` for sigmoid'
and tanh', ``Z[l]`` for relu' and softplus'), and the cost reads ``Z[L]`` when it is computed
from the logits (sigmoid + BCE, softmax + cross-entropy) and ``A[L]`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp

from symbackprop.lowering.inputs import batch_derivation, resolve_sizes

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation


@dataclass(frozen=True)
class CacheEntry:
    """One cached array: ``name`` (``"A1"``), concrete ``shape`` with ``"m"`` for the batch,
    ``bytes_per_example`` (rows times the dtype's item size) and who reads it."""

    name: str
    shape: tuple[int, str]
    bytes_per_example: int
    read_by: str


def cost_from_logits(derivation: Derivation) -> bool:
    """True when the cost is computed from Z[L] (stable log-sigmoid / log-sum-exp)."""
    graph = derivation.graph
    return graph.loss.logits_with == graph.activation(graph.depth).name


def _matrix_names(expr: Any) -> set[str]:
    return {sym.name for sym in expr.atoms(sp.MatrixSymbol)}


def backward_reads(derivation: Derivation) -> set[str]:
    """Forward values (X, Z[l], A[l]) that the delta and gradient expressions read."""
    graph = derivation.graph
    forward_names = (
        {graph.x.name}
        | {graph.z(layer).name for layer in range(1, graph.depth + 1)}
        | {graph.a(layer).name for layer in range(1, graph.depth + 1)}
    )
    used: set[str] = set()
    for expr in [*derivation.deltas.values(), *derivation.gradients.values()]:
        used |= _matrix_names(expr) & forward_names
    return used


def cost_reads(derivation: Derivation) -> set[str]:
    """Forward values the cost reads: Z[L] for a logits-based cost, else A[L]."""
    graph = derivation.graph
    depth = graph.depth
    return {graph.z(depth).name if cost_from_logits(derivation) else graph.a(depth).name}


def cached_names(derivation: Derivation) -> list[str]:
    """The cache keys in forward order: X, then Z1/A1, Z2/A2, ... where read."""
    graph = derivation.graph
    needed = backward_reads(derivation) | cost_reads(derivation)
    order = [graph.x.name]
    for layer in range(1, graph.depth + 1):
        order += [graph.z(layer).name, graph.a(layer).name]
    return [name for name in order if name in needed]


def cache_plan(
    derivation: Derivation,
    sizes: dict[str, int] | None = None,
    *,
    itemsize: int = 8,
) -> list[CacheEntry]:
    """The arrays ``forward`` caches, with shapes and bytes per example.

    ``sizes`` gives named widths (``{"n": 4}``); ``itemsize`` is 8 for float64, 4 for float32.
    Raises :class:`~symbackprop.errors.SpecError` when a named width has no value.
    """
    derivation = batch_derivation(derivation)
    widths = resolve_sizes(derivation, sizes)
    graph = derivation.graph
    back, cost = backward_reads(derivation), cost_reads(derivation)
    entries = []
    for name in cached_names(derivation):
        rows = widths[graph.symbols[name].shape[0]]
        readers = [who for who, reads in (("backward", back), ("cost", cost)) if name in reads]
        entries.append(CacheEntry(name, (rows, "m"), rows * itemsize, " and ".join(readers)))
    return entries
