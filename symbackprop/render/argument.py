"""The one check every printer makes of its argument: a derivation, not a spec or a model."""

from __future__ import annotations

from typing import Any

from symbackprop.core.derivation import Derivation
from symbackprop.errors import SpecError


def require_derivation(d: Any, printer: str) -> None:
    """Raise a :class:`SpecError` naming ``printer`` unless ``d`` is a Derivation (a model's
    too): ``sb.to_latex(123)`` is one clear line, as ``sb.to_html(123)`` is, not an
    AttributeError from deep inside the printer."""
    if not isinstance(d, Derivation):
        raise SpecError(
            f"{printer} takes a derivation (sb.derive(spec_or_model)), got {type(d).__name__}"
        )
