"""Naming rules shared by every renderer: symbol names, dimensions, shapes and escapes.

One place decides that ``W2`` is written ``W^{[2]}`` in LaTeX, that ``delta2`` is
``\\delta^{[2]}``, that ``n2`` is ``n_2`` and how a shape is shown with its concrete size
beside it, so the text, LaTeX, Markdown and JSON outputs cannot drift apart. Names are never
taken apart here: :class:`Naming` reads the parts the graph recorded when it made each name
(``Derivation.names``: ``"W2"`` -> base ``W``, layer 2).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from symbackprop.core import segments
from symbackprop.core.names import Name

#: LaTeX for a name's base where it is not the base itself
_BASE_LATEX = {"delta": r"\delta"}
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # in OT1 text fonts '<' and '>' print as '¡' and '¿'
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
# Unicode the engine's prose uses; pdflatex with the default encoding knows none of them.
_UNICODE_MATH = {
    "⊙": r"\odot",
    "λ": r"\lambda",
    "×": r"\times",
    "→": r"\to",
    "≤": r"\le",
    "≥": r"\ge",
    "σ": r"\sigma",
    "δ": r"\delta",
    "∂": r"\partial",
}


@functools.lru_cache(maxsize=4096)
def spec_latex(compact: str) -> str:
    """A network's compact spec for ``\\texttt``, escaped, breakable after each layer's dash:
    a deep network's spec is longer than a line (hostile33b #7: a 12-layer spec ran 513pt
    past the page's edge, in the title and the architecture line)."""
    return escape_latex(compact).replace("-", r"-\allowbreak{}")


def number_latex(text: str) -> str:
    """A number's text (``1e-07``, ``2.5e+20``, ``0.01``) as LaTeX math: scientific notation
    as ``1 \\times 10^{-7}`` (``1e-07`` typeset as "1e − 07")."""
    mantissa, mark, exponent = text.lower().partition("e")
    if not mark:
        return text
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa in ("1", "1.0") else rf"{mantissa} \times {power}"


def escape_latex(text: str) -> str:
    """Escape ``text`` for LaTeX's text mode (specials, and Unicode math as inline math).

    Memoised: a deep derivation's reasons repeat the same few phrases thousands of times.
    """
    out = []
    for ch in text:
        if ch in _LATEX_SPECIALS:
            out.append(_LATEX_SPECIALS[ch])
        elif ch in _UNICODE_MATH:
            out.append(f"${_UNICODE_MATH[ch]}$")
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")  # never emit a character pdflatex cannot typeset
    return "".join(out)


def latex_identifier(name: str) -> str:
    """A free-form identifier (a width name, a custom activation) in math mode."""
    if len(name) == 1 and name.isalpha():
        return name
    return r"\mathit{" + escape_latex(name) + "}"


class Naming:
    """LaTeX for the names of one derivation, from the parts recorded in ``names``.

    A name that is not in the table (a candidate's placeholder ``g`` or ``S``) is set as an
    identifier, whole.
    """

    def __init__(self, names: Mapping[str, Name] | None = None) -> None:
        self.names = dict(names or {})
        self._dims: dict[Any, str] = {}  # a derivation has few dimensions, printed very often

    def _base(self, name: Name) -> str:
        return _BASE_LATEX.get(name.base) or latex_identifier(name.base)

    def latex(self, name: str, *, transpose: bool = False) -> str:
        """A matrix symbol's LaTeX: ``W2`` -> ``W^{[2]}``, with ``transpose`` ``W^{[2]\\top}``."""
        parts = self.names.get(name)
        if parts is None or parts.index is None:
            base = latex_identifier(parts.base if parts else name)
            sup = ""
        else:
            base, sup = self._base(parts), f"[{parts.index}]"
        sup += r"\top" if transpose else ""
        return f"{base}^{{{sup}}}" if sup else base

    def target(self, name: str) -> str:
        """What ``\\partial J / \\partial`` is taken of: the symbol's LaTeX."""
        return self.latex(name)

    def dim(self, dim: Any) -> str:
        """A dimension in LaTeX: ``n2`` -> ``n_{2}``, ``m`` -> ``m``, a width name -> itself."""
        known = self._dims.get(dim)
        if known is None:
            known = self._dims[dim] = self._dim(dim_text(dim))
        return known

    def _dim(self, text: str) -> str:
        if text.isdigit():
            return text
        parts = self.names.get(text)
        if parts is not None and parts.index is not None:
            return f"{self._base(parts)}_{{{parts.index}}}"
        return latex_identifier(parts.base if parts else text)

    def shape(self, shape: tuple[Any, Any]) -> str:
        """``(n2, n1)`` -> ``'n_{2} \\times n_{1}'``."""
        return f"{self.dim(shape[0])} \\times {self.dim(shape[1])}"


def dim_text(dim: Any) -> str:
    """A dimension as plain text (``n2``, ``m``, ``1``)."""
    return segments.dim_text(dim)


def shape_text(shape: tuple[Any, Any]) -> str:
    """``(n2, n1)`` -> ``'n2 x n1'``."""
    return f"{dim_text(shape[0])} x {dim_text(shape[1])}"


def concrete(shape: tuple[Any, Any], sizes: dict[str, int]) -> tuple[int, int] | None:
    """The shape with every dimension replaced by its size, or ``None`` if one is unknown."""
    out = []
    for d in shape:
        text = dim_text(d)
        if text.isdigit():
            out.append(int(text))
        elif text in sizes:
            out.append(sizes[text])
        else:
            return None
    return out[0], out[1]


def size_text(shape: tuple[Any, Any], sizes: dict[str, int]) -> str:
    """``'(2 x 3)'`` when every dimension has a size, else ``''``."""
    known = concrete(shape, sizes)
    return f"({known[0]} x {known[1]})" if known else ""


def counted_steps(shown: int, total: int) -> str:
    """The count in a derivation's heading: "7 steps", or for a ``--wrt`` view "5 of 7 steps,
    numbered as in the whole derivation" (its numbers skip the others: a reader took the gaps
    for missing steps, newcomer36)."""
    if shown == total:
        return f"{total} steps"
    return f"{shown} of {total} steps, numbered as in the whole derivation"
