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
    missing: list[tuple[int, str]] = []
    for index, dim in enumerate(derivation.graph.dims):
        if dim in derivation.sizes:
            out[dim] = int(derivation.sizes[dim])
        elif given.get(dim.name) is None:
            missing.append((index, dim.name))
        else:
            out[dim] = checked_size(dim.name, given[dim.name])
    if missing:  # every one at once (names are distinct: Network.parse refuses one twice)
        said = [f"{name!r} (layer {index})" for index, name in missing]
        subject = (
            f"width {said[0]}"
            if len(said) == 1
            else "widths " + ", ".join(said[:-1]) + f" and {said[-1]}"
        )
        raise SizeMissing(subject, missing[0][1], more=tuple(name for _i, name in missing[1:]))
    return out
