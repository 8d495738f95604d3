"""Renderers: one derivation, many printers (terminal text, LaTeX, Markdown, JSON).

Each printer dispatches on node and step type, the way SymPy's printers do, and prints what
the derivation holds; none recomputes mathematics. Importing this package also gives
:class:`~symbackprop.derivation.Derivation` its Jupyter representation (``_repr_markdown_``).
"""

from __future__ import annotations

from symbackprop.derivation import Derivation
from symbackprop.render.jsondoc import to_data, to_json
from symbackprop.render.latex import to_latex
from symbackprop.render.markdown import to_markdown
from symbackprop.render.text import to_text

__all__ = ["to_data", "to_json", "to_latex", "to_markdown", "to_text"]


def _repr_markdown_(self: Derivation) -> str:
    """Jupyter shows a derivation as Markdown with rendered math."""
    return to_markdown(self)


Derivation._repr_markdown_ = _repr_markdown_  # type: ignore[attr-defined]
