"""The checks every printer makes of its arguments: a derivation, not a spec or a model, and
flags that are True or False."""

from __future__ import annotations

from typing import Any

from symbackprop.core.derivation import Derivation
from symbackprop.errors import SpecError


def require_derivation(d: Any, printer: str, **flags: object) -> None:
    """Raise a :class:`SpecError` naming ``printer`` unless ``d`` is a Derivation (a model's
    too): ``sb.to_latex(123)`` is one clear line, as ``sb.to_html(123)`` is, not an
    AttributeError from deep inside the printer. Each of ``flags`` (``expanded=...``) must be
    a bool: ``standalone="no"`` was true, and printed the standalone document (hostile36a #2).
    """
    if not isinstance(d, Derivation):
        raise SpecError(
            f"{printer} takes a derivation (sb.derive(spec_or_model)), got {type(d).__name__}"
        )
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise SpecError(f"{printer}: {name} must be True or False, got {value!r}")
