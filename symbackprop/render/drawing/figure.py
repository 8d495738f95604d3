"""The shapes of a picture, positioned once (:mod:`.layout`); SVG, TikZ and PNG only draw them.

A :class:`Drawing` is a list of shapes in one coordinate system (units of about a point, y
growing downwards as on a page): circles and boxes (neurons, a model's values), lines and
arrows (connections, forward and adjoint edges), vertical ellipses and labels. A label is a
few :class:`Run` parts (base, superscript, subscript, words), so each backend typesets
``W^{[2]}`` in its own syntax (an SVG ``tspan``, TikZ math, matplotlib mathtext) and nothing
parses a string back.

The pictures themselves are laid out in :mod:`symbackprop.render.drawing.layout`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["", "sup", "sub", "word"]


#: the symbols of the pictures' labels as TeX math (the PNG's mathtext and the TikZ picture)
TEX_SYMBOLS = {
    "×": r"\times ",
    "ŷ": r"\hat{y}",
    "Ŷ": r"\hat{Y}",
    "∂": r"\partial ",
    "·": r"\cdot ",
}


@dataclass(frozen=True)
class Run:
    """One part of a label: math (italic letters, upright digits) in ``role`` position
    ("" on the line, "sup", "sub"), or ``"word"``: upright text."""

    text: str
    role: Role = ""


Label = tuple[Run, ...]


def name_label(base: str, layer: int | None = None, *, index: str = "") -> Label:
    """``W`` with layer 2 -> W^{[2]}; ``x`` with index "1" -> x_1."""
    runs = [Run(base)]
    if layer is not None:
        runs.append(Run(f"[{layer}]", "sup"))
    if index:
        runs.append(Run(index, "sub"))
    return tuple(runs)


def words(text: str) -> Label:
    return (Run(text, "word"),)


def plain_text(label: Label) -> str:
    """The label as plain text (an SVG ``<title>``, a test)."""
    out = []
    for run in label:
        out.append({"sup": "^", "sub": "_"}.get(run.role, "") + run.text)
    return "".join(out)


Style = Literal["neuron", "input", "output", "data", "parameter", "value", "cost"]
LineStyle = Literal["edge", "forward", "adjoint"]
Anchor = Literal["middle", "start", "end"]


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    style: Style = "neuron"


@dataclass(frozen=True)
class Box:
    """A rounded box centred at (x, y), ``w`` by ``h``, holding ``label``."""

    x: float
    y: float
    w: float
    h: float
    label: Label
    style: Style = "value"


@dataclass(frozen=True)
class Line:
    """From (x1, y1) to (x2, y2), through the points ``via`` (none: a straight line); an
    arrow head at the end for ``forward`` and ``adjoint``."""

    x1: float
    y1: float
    x2: float
    y2: float
    style: LineStyle = "edge"
    via: tuple[tuple[float, float], ...] = ()

    def points(self) -> list[tuple[float, float]]:
        """Every point the line passes, from its start to its end."""
        return [(self.x1, self.y1), *self.via, (self.x2, self.y2)]


@dataclass(frozen=True)
class Dots:
    """An ellipsis of three dots centred at (x, y): vertical, or horizontal."""

    x: float
    y: float
    horizontal: bool = False

    def points(self) -> list[tuple[float, float]]:
        offsets = (-8.0, 0.0, 8.0)
        if self.horizontal:
            return [(self.x + d, self.y) for d in offsets]
        return [(self.x, self.y + d) for d in offsets]


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    label: Label
    anchor: Anchor = "middle"
    size: float = 12.0


#: the text size :func:`label_width` measures at (8 units a character: 0.6 em)
LABEL_SIZE = 40 / 3


def label_width(label: Label) -> float:
    """A generous estimate of a label's width in drawing units at :data:`LABEL_SIZE`."""
    return sum(len(r.text) * (5.5 if r.role in ("sup", "sub") else 8.0) for r in label)


def text_width(text: Text) -> float:
    """A generous estimate of a text's width at its size: :func:`label_width`'s, scaled from
    :data:`LABEL_SIZE` (wider than DejaVu's italics, which the labels use)."""
    return label_width(text.label) * text.size / LABEL_SIZE


def text_extent(text: Text, growth: float = 1.0) -> tuple[float, float, float, float]:
    """The box (left, top, right, bottom) a text covers when drawn ``growth`` times its size
    about its anchor: a generous width, an ascent of 0.8 and a descent of 0.25 of its size,
    more with a superscript (0.95: TeX raises ``W^{[12]}`` above its cap height) or a subscript
    (0.4): the TikZ labels ``W^{[l]}, b^{[l]}`` and ``W^{[l]}: n_l x n_(l-1)`` of a deep
    network were grown into each other (hostile49b #1)."""
    width, size = text_width(text) * growth, text.size * growth
    left = {"middle": text.x - width / 2, "start": text.x, "end": text.x - width}[text.anchor]
    roles = {run.role for run in text.label}
    ascent = 0.95 if "sup" in roles else 0.8
    descent = 0.4 if "sub" in roles else 0.25
    return left, text.y - ascent * size, left + width, text.y + descent * size


@dataclass
class Drawing:
    """Every shape of one picture and its extent (``width`` by ``height``, origin top left)."""

    width: float
    height: float
    title: str
    circles: list[Circle] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    dots: list[Dots] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    #: the legend's entries: (line or box style, what it means) shown under a model's graph
    legend: list[tuple[LineStyle | Style, Label]] = field(default_factory=list)
