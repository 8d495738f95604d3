"""A :class:`~symbackprop.render.drawing.figure.Drawing` as a PNG, through matplotlib.

matplotlib is the optional ``plot`` extra: it is imported inside :func:`to_png` (the one
function-local import the layers allow) and :class:`MissingMatplotlib` says how to install it.
Labels are matplotlib mathtext (``$W^{[2]}$``), so no LaTeX installation is needed.
"""

from __future__ import annotations

import io

from symbackprop.errors import SymbackpropError
from symbackprop.render.drawing.figure import TEX_SYMBOLS, Drawing, Label
from symbackprop.render.drawing.svg import FILL, STROKE

INSTALL_HINT = "pip install 'symbackprop[plot]'"
#: pixels per drawing unit in the PNG
DPI = 150

_MATH_CHARS = TEX_SYMBOLS


#: the most pixels a PNG is rasterised at: 40 megapixels, about 160 MB of RGBA while
#: matplotlib draws it (a model of 75 skip connections made 354 megapixels, 2 GB and 70 s;
#: hostile44a #1). SVG and TikZ scale, and draw any drawing the layout takes.
MAX_PIXELS = 40_000_000


class MissingMatplotlib(SymbackpropError):
    """matplotlib is not installed."""


class TooManyPixels(SymbackpropError):
    """The drawing is too large to rasterise as a PNG (:data:`MAX_PIXELS`)."""


def pixels(drawing: Drawing) -> tuple[int, int]:
    """The PNG's width and height in pixels (drawing units at :data:`DPI`)."""
    legend_h = 30.0 if drawing.legend else 0.0
    scale = DPI / 72
    return round(drawing.width * scale), round((drawing.height + legend_h) * scale)


def refuse_too_large(drawing: Drawing) -> None:
    """A :class:`TooManyPixels` naming the size when the PNG would exceed MAX_PIXELS."""
    width, height = pixels(drawing)
    if width * height > MAX_PIXELS:
        raise TooManyPixels(
            f"the PNG would be {width:,} x {height:,} pixels ({width * height / 1e6:.0f} "
            f"megapixels), past the {MAX_PIXELS // 1_000_000} megapixels a PNG is drawn at: "
            "write SVG (-o FILE.svg) or TikZ (--format tikz), which scale to any size"
        )


def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in "_$%#&{}^\\" else ch for ch in text)


def _math(text: str) -> str:
    if len(text) > 1 and text.isascii() and text[0].isalpha():
        return r"\mathit{" + _escape(text) + "}"
    return "".join(r"\ " if ch == " " else _MATH_CHARS.get(ch, _escape(ch)) for ch in text)


def label_mathtext(label: Label) -> str:
    """A label as matplotlib mathtext."""
    out = []
    for run in label:
        if run.role == "word":
            out.append(r"\mathrm{" + _escape(run.text).replace(" ", r"\ ") + "}")
        elif run.role in ("sup", "sub"):
            out.append(("^" if run.role == "sup" else "_") + "{" + _math(run.text) + "}")
        else:
            out.append("{" + _math(run.text) + "}")
    return "$" + "".join(out) + "$"


def to_png(drawing: Drawing) -> bytes:
    """The picture as PNG bytes (matplotlib's Agg backend; no display needed); a
    :class:`TooManyPixels` past :data:`MAX_PIXELS`, before anything is drawn."""
    refuse_too_large(drawing)
    try:
        from symbackprop.render.matplotlib_agg import agg_matplotlib

        agg_matplotlib()
        from matplotlib.figure import Figure
        from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
    except ImportError:  # the optional extra is missing
        raise MissingMatplotlib(
            f"drawing a PNG needs matplotlib, which is not installed: {INSTALL_HINT}"
        ) from None
    legend_h = 30.0 if drawing.legend else 0.0
    w, h = drawing.width, drawing.height + legend_h
    fig = Figure(figsize=(w / 72, h / 72), dpi=DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.set_axis_off()
    for line in drawing.lines:
        colour = STROKE[line.style]
        if line.style == "edge":
            ax.plot([line.x1, line.x2], [line.y1, line.y2], color=colour, lw=0.6, zorder=1)
            continue
        dashes = "--" if line.style == "adjoint" else "-"
        points = line.points()
        if len(points) > 2:  # routed around boxes: the path up to its last segment
            xs, ys = zip(*points[:-1], strict=True)
            ax.plot(xs, ys, color=colour, lw=1.0, linestyle=dashes, zorder=2)
        ax.add_patch(
            FancyArrowPatch(
                points[-2],
                points[-1],
                arrowstyle="-|>",
                mutation_scale=9,
                color=colour,
                lw=1.0,
                linestyle=dashes,
                shrinkA=0,
                shrinkB=0,
                zorder=2,
            )
        )
    for c in drawing.circles:
        ax.add_patch(
            Circle((c.x, c.y), c.r, facecolor=FILL[c.style], edgecolor="#333333", zorder=3)
        )
    for dots in drawing.dots:
        for x, y in dots.points():
            ax.add_patch(Circle((x, y), 2, color="#333333", zorder=3))
    for b in drawing.boxes:
        ax.add_patch(
            FancyBboxPatch(
                (b.x - b.w / 2, b.y - b.h / 2),
                b.w,
                b.h,
                boxstyle="round,pad=0,rounding_size=6",
                facecolor=FILL[b.style],
                edgecolor="#333333",
                lw=2.0 if b.style == "cost" else 1.0,
                zorder=3,
            )
        )
        ax.text(b.x, b.y, label_mathtext(b.label), ha="center", va="center", size=11, zorder=4)
    for t in drawing.texts:
        ha = {"middle": "center", "start": "left", "end": "right"}[t.anchor]
        ax.text(t.x, t.y, label_mathtext(t.label), ha=ha, va="baseline", size=t.size * 0.8)
    x, y = 24.0, drawing.height + 8
    for style, label in drawing.legend:
        if style in STROKE:
            ax.add_patch(
                FancyArrowPatch(
                    (x, y + 8),
                    (x + 26, y + 8),
                    arrowstyle="-|>",
                    mutation_scale=9,
                    color=STROKE[style],
                    linestyle="--" if style == "adjoint" else "-",
                )
            )
        else:
            ax.add_patch(Rectangle((x, y), 26, 16, facecolor=FILL[style], edgecolor="#333333"))
        ax.text(x + 32, y + 13, label_mathtext(label), ha="left", va="baseline", size=9.6)
        x += 44 + 7 * sum(len(run.text) for run in label)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
