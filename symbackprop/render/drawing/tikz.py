"""A :class:`~symbackprop.render.drawing.figure.Drawing` as a TikZ picture (the LaTeX document).

Needs only ``\\usepackage{tikz}`` (Debian ``texlive-pictures``) and amsmath; colours are
given as RGB in place (xcolor comes with TikZ), arrows are TikZ's built-in ``stealth``. The
picture is scaled to at most :data:`MAX_WIDTH_CM` wide and :data:`MAX_HEIGHT_CM` tall; label
sizes follow the scale.
"""

from __future__ import annotations

from symbackprop.render.drawing.figure import TEX_SYMBOLS, Drawing, Label, text_extent
from symbackprop.render.drawing.svg import FILL, STROKE
from symbackprop.render.mathml_tex import GREEK as GREEK_LETTERS
from symbackprop.render.names import escape_latex

#: the widest picture, in centimetres (the document's text width is about 16.6 cm)
MAX_WIDTH_CM = 15.5
#: the tallest picture, in centimetres: with the title it stays on the first page (a model's
#: graph of 14 inputs, stacked, was 20 cm tall and left page 1 blank: hostile49b #2)
MAX_HEIGHT_CM = 16.0
#: centimetres per drawing unit at most (a small network is not blown up)
MAX_SCALE = 0.03

_MATH_CHARS = {
    # every Greek letter a model name can be drawn as (layout.model_label), then the usual ones
    **{letter: f"\\{name} " for name, letter in GREEK_LETTERS.items()},
    **TEX_SYMBOLS,
    "α": r"\alpha ",
    "β": r"\beta ",
    "γ": r"\gamma ",
    "δ": r"\delta ",
    "ε": r"\epsilon ",
    "η": r"\eta ",
    "θ": r"\theta ",
    "λ": r"\lambda ",
    "μ": r"\mu ",
    "σ": r"\sigma ",
    "τ": r"\tau ",
    "φ": r"\phi ",
    "ω": r"\omega ",
}


def _colour(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"{{rgb,255:red,{r};green,{g};blue,{b}}}"


def _math(text: str) -> str:
    if len(text) > 1 and text.replace("_", "").isalnum() and text.isascii() and text[0].isalpha():
        return r"\mathit{" + escape_latex(text) + "}"  # a multi-letter name, one word
    return "".join(r"\ " if ch == " " else _MATH_CHARS.get(ch, escape_latex(ch)) for ch in text)


def label_latex(label: Label) -> str:
    """A label as LaTeX: math in ``$...$``, words in ``\\mbox{}``."""
    out = []
    for run in label:
        if run.role == "word":
            out.append(r"\mbox{" + escape_latex(run.text) + "}")
        elif run.role == "sup":
            out.append("^{" + _math(run.text) + "}")
        elif run.role == "sub":
            out.append("_{" + _math(run.text) + "}")
        else:
            out.append("{" + _math(run.text) + "}")
    return "$" + "".join(out) + "$"


#: the document's smallest font, ``\tiny``, in points (an 11pt article)
_TINY_PT = 6.0
#: centimetres in a TeX point
_PT_CM = 0.0353


def _size(size: float, scale: float) -> str:
    """The font command nearest a label's size in points (``size`` drawing units at
    ``scale`` cm a unit), from the normal size down to ``\\tiny``."""
    points = size * scale / _PT_CM
    for limit, command in ((10.5, ""), (9.0, r"\small"), (7.5, r"\footnotesize")):
        if points >= limit:
            return command
    return r"\scriptsize" if points >= _TINY_PT else r"\tiny"


def _shrink(size: float, scale: float) -> str:
    """The node options that shrink a label below ``\\tiny`` to its size in points: a deep
    network's picture is scaled down to the page, and labels held at ``\\tiny`` while the
    gaps between columns shrank ran into each other from 9 layers on (hostile33b #7)."""
    points = size * scale / _PT_CM
    if points >= _TINY_PT:
        return ""
    return f", scale={points / _TINY_PT:.2f}, transform shape"


Extent = tuple[float, float, float, float]


def _overlap(a: Extent, b: Extent) -> bool:
    return a[0] < b[2] + 1 and b[0] < a[2] + 1 and a[1] < b[3] and b[1] < a[3]


def _growths(drawing: Drawing, s: float) -> list[float]:
    """How many times its layout size each text is set: a text the picture's scale puts
    below ``\\tiny`` is raised toward ``\\tiny`` as far as it then overlaps (by generous
    estimate) no other text, neuron, box or the picture's edge it was clear of (lecturer44: a
    6-layer network's labels came out at 5 pt; hostile33b #7: a 9-layer network's labels held
    at ``\\tiny`` ran into each other)."""
    texts = drawing.texts
    wanted = [max(1.0, _TINY_PT / (t.size * s / _PT_CM)) for t in texts]
    if max(wanted, default=1.0) == 1.0:
        return [1.0] * len(texts)
    obstacles: list[Extent] = [
        (c.x - c.r, c.y - c.r, c.x + c.r, c.y + c.r) for c in drawing.circles
    ]
    obstacles += [
        (b.x - b.w / 2, b.y - b.h / 2, b.x + b.w / 2, b.y + b.h / 2) for b in drawing.boxes
    ]
    at_one = [text_extent(t) for t in texts]

    def inside(e: Extent) -> bool:
        return e[0] >= 0.0 and e[2] <= drawing.width

    clear = [
        (i, j)
        for i in range(len(texts))
        for j in range(i + 1, len(texts))
        if not _overlap(at_one[i], at_one[j])
    ]
    free = [
        (i, [o for o in obstacles if not _overlap(at_one[i], o)], inside(at_one[i]))
        for i in range(len(texts))
    ]
    k = max(wanted)
    while k > 1.0:
        growth = [min(k, w) for w in wanted]
        grown = [text_extent(t, g) for t, g in zip(texts, growth, strict=True)]
        if not any(_overlap(grown[i], grown[j]) for i, j in clear) and not any(
            (was_inside and not inside(grown[i])) or any(_overlap(grown[i], o) for o in others)
            for i, others, was_inside in free
        ):
            return growth
        k -= 0.05
    return [1.0] * len(texts)


def picture_scale(drawing: Drawing) -> float:
    """Centimetres per drawing unit: :data:`MAX_SCALE` where the picture fits, else as much
    as keeps it within :data:`MAX_WIDTH_CM` by :data:`MAX_HEIGHT_CM`."""
    return min(MAX_SCALE, MAX_WIDTH_CM / drawing.width, MAX_HEIGHT_CM / drawing.height)


def to_tikz(drawing: Drawing) -> str:
    """The picture as a centred ``tikzpicture`` (coordinates in cm, y up)."""
    s = picture_scale(drawing)

    def p(x: float, y: float) -> str:
        return f"({x * s:.2f},{-y * s:.2f})"

    styles = [
        f"sbedge/.style={{draw={_colour(STROKE['edge'])}, line width=0.3pt}}",
        f"sbforward/.style={{draw={_colour(STROKE['forward'])}, ->, >=stealth, line width=0.5pt}}",
        f"sbadjoint/.style={{draw={_colour(STROKE['adjoint'])}, ->, >=stealth, "
        "line width=0.5pt, dashed}",
    ]
    out = [r"\begin{center}", r"\begin{tikzpicture}[" + ",\n  ".join(styles) + "]"]
    for line in drawing.lines:
        path = " -- ".join(p(x, y) for x, y in line.points())
        out.append(rf"\draw[sb{line.style}] {path};")
    for c in drawing.circles:
        out.append(rf"\draw[fill={_colour(FILL[c.style])}] {p(c.x, c.y)} circle ({c.r * s:.2f});")
    for dots in drawing.dots:
        for x, y in dots.points():
            out.append(rf"\fill {p(x, y)} circle ({2 * s:.2f});")
    for b in drawing.boxes:
        width = "line width=1.1pt" if b.style == "cost" else "line width=0.5pt"
        out.append(
            rf"\draw[fill={_colour(FILL[b.style])}, rounded corners=2pt, {width}] "
            rf"{p(b.x - b.w / 2, b.y - b.h / 2)} rectangle {p(b.x + b.w / 2, b.y + b.h / 2)};"
        )
        shrink = _shrink(14, s).removeprefix(", ")
        options = f"[{shrink}]" if shrink else ""
        out.append(rf"\node{options} at {p(b.x, b.y)} {{{_size(14, s)} {label_latex(b.label)}}};")
    anchors = {"middle": "base", "start": "base west", "end": "base east"}
    for t, growth in zip(drawing.texts, _growths(drawing, s), strict=True):
        size = t.size * growth
        # a label raised toward \tiny is set in it: _size rounds 6 pt up to \scriptsize
        # (8 pt), and the grown labels ran into each other (review45 #2)
        font = r"\tiny" if growth > 1.0 else _size(size, s)
        out.append(
            rf"\node[anchor={anchors[t.anchor]}, inner sep=0pt{_shrink(size, s)}] "
            rf"at {p(t.x, t.y)} "
            rf"{{{font} {label_latex(t.label)}}};"
        )
    x, y = 24.0, drawing.height + 8
    for style, label in drawing.legend:
        if style in STROKE:
            out.append(rf"\draw[sb{style}] {p(x, y + 8)} -- {p(x + 26, y + 8)};")
        else:
            out.append(
                rf"\draw[fill={_colour(FILL[style])}, rounded corners=1pt] "
                rf"{p(x, y)} rectangle {p(x + 26, y + 16)};"
            )
        out.append(
            rf"\node[anchor=base west, inner sep=0pt] at {p(x + 32, y + 13)} "
            rf"{{{_size(12, s)} {label_latex(label)}}};"
        )
        x += 44 + 7 * sum(len(run.text) for run in label)
    out += [r"\end{tikzpicture}", r"\end{center}"]
    return "\n".join(out) + "\n"
