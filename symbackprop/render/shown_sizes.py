"""The ``sizes=`` a printer takes: the concrete sizes it shows beside the symbolic shapes.

``sb.to_text(d, sizes={"n": 4})`` prints ``x  n x 1  (4 x 1)``. A size is what code generation
takes (:func:`~symbackprop.spec.checked_size`): -3 printed ``(-3 x 1)``,
NaN made ``to_json`` write invalid JSON, and a string failed inside a comparison (hostile33c
#2, #6).
"""

from __future__ import annotations

from collections.abc import Mapping

from symbackprop.errors import SpecError
from symbackprop.spec import checked_size


def shown_sizes(sizes: object) -> dict[str, int]:
    """``sizes`` (None, or a mapping of dimension names to ints) as a dict; a ``SpecError``
    naming the entry at fault otherwise."""
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
    return out
