"""The parts a step's reason is made of: text, expressions, shapes, gradients, derivatives.

A reason is data, not a sentence: ``[Math(z2), Text(" = "), Math(W2 a1, "W2 a1"), ...]``.
Each printer prints every part in its own syntax (LaTeX typesets ``Math`` with its expression
printer and a ``Shape`` as ``n_2 \\times n_1``; the terminal shows the plain text) and escapes
only the ``Text``; :func:`plain` gives the one-line plain text that ``Step.reason`` holds.
No stage parses the plain text back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sympy as sp

from symbackprop.core.textprint import text as expr_text

Shape = tuple[Any, Any]


@dataclass(frozen=True)
class Text:
    """Words, printed as they are (escaped by each printer for its format)."""

    text: str

    @property
    def plain(self) -> str:
        return self.text


@dataclass(frozen=True)
class Aside(Text):
    """Words said in passing that a printer may leave out: which part of its equation an
    internal value of a model is (a printer that shows the value by that part says it)."""


@dataclass(frozen=True)
class Math:
    """A SymPy expression (a matrix expression or a scalar) and its plain-text form.

    ``latex`` is given only where SymPy has no node for the mathematics (the weight-decay sum
    over all layers); every other printer prints ``expr`` itself.
    """

    expr: Any
    text: str
    latex: str | None = None

    @property
    def plain(self) -> str:
        return self.text


@dataclass(frozen=True)
class Rel:
    """A relation between two parts of an equality chain (``=``)."""

    rel: str = "="

    @property
    def plain(self) -> str:
        return f" {self.rel} "


@dataclass(frozen=True)
class Dim:
    """One dimension (``n2``, ``m`` or an integer)."""

    dim: Any

    @property
    def plain(self) -> str:
        return dim_text(self.dim)


@dataclass(frozen=True)
class ShapeOf:
    """A symbolic shape, ``n2 x n1`` in plain text."""

    shape: Shape

    @property
    def plain(self) -> str:
        return f"{dim_text(self.shape[0])} x {dim_text(self.shape[1])}"


@dataclass(frozen=True)
class Grad:
    """The gradient of the cost with respect to a matrix symbol: dJ/dW2."""

    symbol: Any
    #: what J is differentiated with respect to, as the model's graph shows an internal value
    #: (``(w^T h + c)``); printers print ``symbol`` with their own names
    shown: str | None = None

    @property
    def plain(self) -> str:
        return f"dJ/d{self.shown if self.shown is not None else self.symbol.name}"


@dataclass(frozen=True)
class Prime:
    """An activation's derivative: g' alone, or g'(arg) with ``arg`` a scalar or a matrix."""

    name: str
    latex: str
    arg: Any = None
    #: the argument as the model's graph shows an internal value (printers print ``arg``)
    shown: str | None = None

    @property
    def plain(self) -> str:
        if self.arg is None:
            return f"{self.name}'"
        if self.shown is not None:
            return f"{self.name}'({self.shown})"
        arg = self.arg.name if hasattr(self.arg, "name") else expr_text(self.arg)
        return f"{self.name}'({arg})"


Segment = Text | Math | Rel | Dim | ShapeOf | Grad | Prime


def dim_text(dim: Any) -> str:
    """A dimension as plain text: its name, or the integer (without building a printer, which
    ``str`` on a SymPy object does; reasons print thousands of dimensions)."""
    if isinstance(dim, sp.Symbol):
        return str(dim.name)
    if isinstance(dim, (int, sp.Integer)):
        return str(int(dim))
    return str(dim)


def math(expr: Any, text: str | None = None) -> Math:
    """``expr`` with its plain text: ``text`` when given, else its name or the one plain-text
    printer's (:mod:`symbackprop.core.textprint`, as the terminal shows it)."""
    if text is None:
        text = expr.name if isinstance(expr, (sp.MatrixSymbol, sp.Symbol)) else expr_text(expr)
    return Math(expr, text)


def notation(text: str, latex: str) -> Math:
    """Mathematics SymPy has no node for (index sums, a differential identity, ``dL/da``): its
    plain text and its LaTeX, so no printer shows the plain text inside typeset prose."""
    return Math(None, text, latex)


def words_with_m(text: str) -> tuple[Segment, ...]:
    """``text`` with each standalone letter m (the batch size: "over the m columns") a
    :class:`Math` segment, so that LaTeX sets it in italics like every other m of the page
    and the web page in MathML; the rest stays :class:`Text`."""
    parts = re.split(r"(?<![\w/])m(?![\w/])", text)
    segments: list[Segment] = []
    for index, part in enumerate(parts):
        if index:
            segments.append(notation("m", "m"))
        if part:
            segments.append(Text(part))
    return tuple(segments)


def plain(segments: Iterable[Segment]) -> str:
    """The segments as one line of plain text (``Step.reason``)."""
    return "".join(segment.plain for segment in segments)


def ends_with_stop(segments: tuple[Segment, ...]) -> bool:
    """``plain(segments).endswith(".")``, reading only the last non-empty segment."""
    for segment in reversed(segments):
        text = segment.plain
        if text:
            return text.endswith(".")
    return False


def joined(parts: Iterable[tuple[Segment, ...]], separator: str = "; ") -> tuple[Segment, ...]:
    """Several reasons as one, separated by ``separator``."""
    out: list[Segment] = []
    for index, part in enumerate(parts):
        if index:
            out.append(Text(separator))
        out.extend(part)
    return tuple(out)
