"""The network drawn: one geometry (:mod:`.layout`), three outputs (SVG, TikZ, PNG).

:func:`drawing` picks the picture for a derivation's source: a dense network on the lecture's
board, or a model's computation graph.
"""

from __future__ import annotations

from collections.abc import Mapping

from symbackprop.model import Model
from symbackprop.render.drawing.figure import Drawing
from symbackprop.render.drawing.layout import model_drawing, network_drawing, too_large_to_draw
from symbackprop.render.drawing.png import INSTALL_HINT, MissingMatplotlib, TooManyPixels, to_png
from symbackprop.render.drawing.svg import to_svg
from symbackprop.render.drawing.tikz import to_tikz
from symbackprop.spec import Network

__all__ = [
    "INSTALL_HINT",
    "Drawing",
    "MissingMatplotlib",
    "TooManyPixels",
    "drawing",
    "to_png",
    "to_svg",
    "to_tikz",
    "too_large_to_draw",
]


def drawing(
    source: Network | Model, *, sizes: Mapping[str, int] | None = None, batch: bool = False
) -> Drawing:
    """The picture of ``source``: its network (``sizes`` names widths) or its model's graph."""
    if isinstance(source, Model):
        return model_drawing(source)
    return network_drawing(source, sizes=sizes, batch=batch)
