"""Renderers: one derivation, many printers (terminal text, LaTeX, Markdown, JSON).

Each printer dispatches on node and step type, the way SymPy's printers do, and prints what
the derivation holds; none recomputes mathematics. A
:class:`~symbackprop.core.derivation.Derivation` shows itself in Jupyter through the Markdown one.
"""

from __future__ import annotations

from symbackprop.render.jsondoc import to_data, to_json
from symbackprop.render.latex import to_latex
from symbackprop.render.markdown import to_markdown
from symbackprop.render.text import to_text

__all__ = ["to_data", "to_json", "to_latex", "to_markdown", "to_text"]
