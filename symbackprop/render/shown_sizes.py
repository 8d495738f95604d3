"""The ``sizes=`` a printer takes: the concrete sizes it shows beside the symbolic shapes.

``sb.to_text(d, sizes={"n": 4})`` prints ``x  n x 1  (4 x 1)``. A size is what code generation
takes (:func:`~symbackprop.spec.checked_size`): -3 printed ``(-3 x 1)``,
NaN made ``to_json`` write invalid JSON, and a string failed inside a comparison (hostile33c
#2, #6).
"""

from __future__ import annotations

from collections.abc import Mapping

from symbackprop.errors import SpecError
from symbackprop.model import Model
from symbackprop.spec import Network, checked_size


def _dimensions(derivation: object) -> tuple[str, ...] | None:
    """The names a derivation's ``sizes=`` may give: a network's named widths and m, a model's
    dimensions; None where the derivation says neither."""
    network = getattr(derivation, "network", None)
    if isinstance(network, Network):
        return (*network.named_widths, "m")
    model = getattr(derivation, "model", None)
    if isinstance(model, Model):
        return model.dimensions
    return None


def shown_sizes(sizes: object, derivation: object = None) -> dict[str, int]:
    """``sizes`` (None, or a mapping of dimension names to ints) as a dict; a ``SpecError``
    naming the entry at fault otherwise. With ``derivation``, each name must be one of its
    dimensions: ``{"n0": 5}`` for 4-3-1 printed ``x  n0 x 1  (5 x 1)`` (hostile34b #8)."""
    if sizes is None:
        return {}
    if not isinstance(sizes, Mapping):
        raise SpecError(
            "sizes must be a mapping of dimension names to ints, e.g. {'n': 4}, "
            f"got {type(sizes).__name__}"
        )
    out: dict[str, int] = {}
    for name, value in sizes.items():
        if not isinstance(name, str):
            raise SpecError(f"sizes: a dimension name is a string, got {name!r}")
        out[name] = checked_size(name, value)
    known = _dimensions(derivation)
    for name in out:
        if known is not None and name not in known:
            shown = ", ".join(known) or "none (every size is a number)"
            raise SpecError(f"sizes: no dimension {name!r} here; the dimensions: {shown}")
    return out
