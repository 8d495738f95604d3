"""A :class:`~symbackprop.render.drawing.figure.Drawing` as inline SVG (for the web page).

Self-contained: presentation attributes only, the generic ``serif`` font, arrow heads as
markers defined inside the picture; no script, no external reference.
"""

from __future__ import annotations

from html import escape

from symbackprop.render.drawing.figure import Drawing, Label

FILL = {
    "neuron": "#ffffff",
    "input": "#e3ecfa",
    "output": "#fbe3e0",
    "data": "#e4e4e4",
    "parameter": "#fff0c2",
    "value": "#ffffff",
    "cost": "#ffffff",
}
STROKE = {"edge": "#9a9a9a", "forward": "#222222", "adjoint": "#c0392b"}


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _runs(label: Label, size: float) -> str:
    """tspans: letters of math runs italic, scripts smaller and shifted (undone after)."""
    out = []
    shift = 0.0
    for run in label:
        dy = {"sup": -0.38 * size, "sub": 0.3 * size}.get(run.role, 0.0)
        attrs = [f'dy="{_num(dy - shift)}"'] if dy != shift else []
        shift = dy
        if run.role in ("sup", "sub"):
            attrs.append(f'font-size="{_num(size * 0.72)}"')
        if run.role != "word" and run.text.isalpha():  # a name: italic, as in the formulas
            attrs.append('font-style="italic"')
        out.append(
            f"<tspan {' '.join(attrs)}>{escape(run.text)}</tspan>".replace("<tspan >", "<tspan>")
        )
    return "".join(out)


def _text(x: float, y: float, label: Label, anchor: str, size: float) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" '
        f'font-size="{_num(size)}">{_runs(label, size)}</text>'
    )


def to_svg(drawing: Drawing) -> str:
    """The picture as one ``<svg>`` element that scales to the width of its container."""
    legend_h = 30.0 if drawing.legend else 0.0
    w, h = drawing.width, drawing.height + legend_h
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="figure" '
        f'viewBox="0 0 {_num(w)} {_num(h)}" width="{_num(w)}" height="{_num(h)}" '
        f'role="img" aria-label="{escape(drawing.title)}" '
        'font-family="serif">',
        f"<title>{escape(drawing.title)}</title>",
        "<defs>",
    ]
    for style, colour in STROKE.items():
        out.append(
            f'<marker id="sb-arrow-{style}" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    for line in drawing.lines:
        attrs = f'stroke="{STROKE[line.style]}"'
        if line.style == "edge":
            attrs += ' stroke-width="0.8"'
        else:
            attrs += f' stroke-width="1.3" marker-end="url(#sb-arrow-{line.style})"'
        if line.style == "adjoint":
            attrs += ' stroke-dasharray="5 3"'
        if line.via:  # routed around the boxes between its ends
            points = " ".join(f"{_num(x)},{_num(y)}" for x, y in line.points())
            out.append(f'<polyline points="{points}" fill="none" {attrs}/>')
            continue
        out.append(
            f'<line x1="{_num(line.x1)}" y1="{_num(line.y1)}" x2="{_num(line.x2)}" '
            f'y2="{_num(line.y2)}" {attrs}/>'
        )
    for c in drawing.circles:
        out.append(
            f'<circle cx="{_num(c.x)}" cy="{_num(c.y)}" r="{_num(c.r)}" fill="{FILL[c.style]}" '
            'stroke="#333333" stroke-width="1.2"/>'
        )
    for dots in drawing.dots:
        for x, y in dots.points():
            out.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="2" fill="#333333"/>')
    for b in drawing.boxes:
        width = "2.6" if b.style == "cost" else "1.2"
        out.append(
            f'<rect x="{_num(b.x - b.w / 2)}" y="{_num(b.y - b.h / 2)}" width="{_num(b.w)}" '
            f'height="{_num(b.h)}" rx="6" fill="{FILL[b.style]}" stroke="#333333" '
            f'stroke-width="{width}"/>'
        )
        out.append(_text(b.x, b.y + 5, b.label, "middle", 14))
    for t in drawing.texts:
        out.append(_text(t.x, t.y, t.label, t.anchor, t.size))
    out += _legend(drawing, drawing.height + 8)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend(drawing: Drawing, y: float) -> list[str]:
    out = []
    x = 24.0
    for style, label in drawing.legend:
        if style in STROKE:
            dash = ' stroke-dasharray="5 3"' if style == "adjoint" else ""
            out.append(
                f'<line x1="{_num(x)}" y1="{_num(y + 8)}" x2="{_num(x + 26)}" y2="{_num(y + 8)}" '
                f'stroke="{STROKE[style]}" stroke-width="1.3"{dash} '
                f'marker-end="url(#sb-arrow-{style})"/>'
            )
        else:
            out.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="26" height="16" rx="4" '
                f'fill="{FILL[style]}" stroke="#333333"/>'
            )
        out.append(_text(x + 32, y + 13, label, "start", 12))
        x += 44 + 7 * sum(len(run.text) for run in label)
    return out
