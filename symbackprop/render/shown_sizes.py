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
from symbackprop.spec import Network, checked_size, width_size_problem


def _dimensions(derivation: object) -> tuple[str, ...] | None:
    """The names a derivation's ``sizes=`` may give: a network's named widths and, in batch
    form, m; a model's dimensions; None where the derivation says neither."""
    network = getattr(derivation, "network", None)
    if isinstance(network, Network):
        batch = getattr(derivation, "batch", True)
        return (*network.named_widths, *(("m",) if batch else ()))
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
            raise SpecError(f"sizes: {_not_a_dimension(name, derivation, known)}")
    return out


def _not_a_dimension(name: str, derivation: object, known: tuple[str, ...]) -> str:
    """Why ``name`` takes no size in ``derivation``: a network's m in the single-example form,
    a width that is a number (``n0`` of 4-3-1: it was told "no dimension 'n0'", which it has:
    hostile36a #5), or no such name; then what takes one (``known``)."""
    network = getattr(derivation, "network", None)
    if isinstance(network, Network):
        if name == "m":
            return "m is the batch size, and this derivation is of a single example"
        batch = " (and m, the batch size)" if "m" in known else ""
        return f"{width_size_problem(network, name)}{batch}"
    takes = f"the sizes it takes: {', '.join(known)}" if known else "every size is a number"
    return f"no dimension {name!r} here; {takes}"
