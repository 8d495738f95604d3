"""Named widths as long as ``hiddenunitsfirst`` fit the picture and the page (hostile38c #11).

The drawing's W shape labels ran into each other and the last input name (x_inputfeatures)
off the picture's left edge; the LaTeX shape table ran 125pt into the margin. The columns are
now as far apart as the longest label needs, and the table is scaled down to the line where it
is wider (``\\fitwidth``). The pdflatex test (slow) compiles the document and finds no Overfull
box from the table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from latex_support import run_pdflatex

import symbackprop as sb
from symbackprop.render import to_latex
from symbackprop.render.drawing.figure import text_width
from symbackprop.render.drawing.layout import network_drawing

LONG = "inputfeatures-hiddenunitsfirst:relu-hiddenunitssecond:relu-outputclasses:softmax"


def _extent(text: object) -> tuple[float, float]:
    x, anchor, width = text.x, text.anchor, text_width(text)
    if anchor == "middle":
        return x - width / 2, x + width / 2
    return (x - width, x) if anchor == "end" else (x, x + width)


def test_no_two_labels_of_a_row_overlap_and_none_leaves_the_picture() -> None:
    for spec in (LONG, "4-3-2-1", "784-128:relu-10:softmax"):
        drawing = network_drawing(sb.Network.parse(spec, loss="ce" if "soft" in spec else "bce"))
        rows: dict[float, list[tuple[float, float]]] = {}
        for text in drawing.texts:
            low, high = _extent(text)
            assert low >= 0 and high <= drawing.width, (spec, text)
            rows.setdefault(text.y, []).append((low, high))
        for spans in rows.values():
            spans.sort()
            for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
                assert end <= start, (spec, spans)


def test_the_lecture_network_keeps_its_spacing() -> None:
    drawing = network_drawing(sb.Network.parse("4-3-2-1"))
    assert drawing.width == 2 * 60 + 3 * 130


def test_the_shape_table_is_fitted_to_the_line() -> None:
    tex = to_latex(sb.derive(sb.Network.parse(LONG, loss="ce")))
    assert r"\usepackage{graphicx}" in tex and r"\newcommand{\fitwidth}" in tex
    assert r"\fitwidth{\begin{tabular}{clllll}" in tex


@pytest.mark.slow
def test_a_long_named_network_compiles_without_a_table_in_the_margin(tmp_path: Path) -> None:
    tex = to_latex(sb.derive(sb.Network.parse(LONG, loss="ce")))
    result = run_pdflatex(tmp_path, tex)
    assert result.returncode == 0, result.stdout[-2000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    widths = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert max(widths, default=0.0) < 40, widths  # the table was 125pt; a formula line 21pt
