"""What every lowering starts from: the batch derivation and the concrete widths.

One place turns a Network or a derivation of either form into the batch derivation the
generated module follows, and the spec's widths plus the caller's ``sizes`` into integers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from symbackprop.core.derivation import Derivation, derive
from symbackprop.errors import SizeMissing
from symbackprop.spec import Network, checked_size


def batch_derivation(source: Derivation | Network) -> Derivation:
    """The batch derivation for ``source`` (a Network, or a derivation of either form)."""
    if isinstance(source, Derivation):
        return source if source.batch else derive(source.network, batch=True)
    return derive(source, batch=True)


def resolve_sizes(derivation: Derivation, sizes: Mapping[str, int] | None) -> dict[Any, int]:
    """Dimension symbol -> int for every width; named widths come from ``sizes``."""
    given = dict(sizes or {})
    out: dict[Any, int] = {}
    for index, dim in enumerate(derivation.graph.dims):
        if dim in derivation.sizes:
            out[dim] = int(derivation.sizes[dim])
            continue
        value = given.get(dim.name)
        if value is None:
            raise SizeMissing(f"width {dim.name!r} (layer {index})", dim.name)
        out[dim] = checked_size(dim.name, value)
    return out
