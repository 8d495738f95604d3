"""Reasons, notes and algebra chains in LaTeX and Markdown, from their segments.

A step's reason is a sequence of segments (:mod:`symbackprop.core.segments`): words, SymPy
expressions, dimensions, shapes, gradients and derivatives. Here each is printed in LaTeX: the
words escaped, everything else as math through the one LaTeX printer, with the derivation's
names. Markdown uses the same math and escapes the words for Markdown instead.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable

from symbackprop.core.segments import Dim, Grad, Math, Prime, Rel, Segment, ShapeOf, Text
from symbackprop.render.latexprint import MathLatexPrinter, finish
from symbackprop.render.names import escape_latex

_MD_SPECIALS = re.compile(r"([\\`*_\[\]<>|#$])")


def segment_math(segment: Segment, printer: MathLatexPrinter) -> str:
    """The LaTeX math (no ``$``) of one segment that is not words."""
    naming = printer.naming
    if isinstance(segment, Math):
        return segment.latex or finish(printer.doprint(segment.expr))
    if isinstance(segment, Dim):
        return naming.dim(segment.dim)
    if isinstance(segment, ShapeOf):
        return naming.shape(segment.shape)
    if isinstance(segment, Grad):
        return r"\partial J / \partial " + naming.latex(str(segment.symbol.name))
    if isinstance(segment, Prime):
        if segment.arg is None:
            return segment.latex + "'"
        return segment.latex + "'(" + printer.argument(segment.arg) + ")"
    if isinstance(segment, Rel):
        return segment.rel
    raise TypeError(f"not a math segment: {segment!r}")


def _inline(
    segments: Iterable[Segment], printer: MathLatexPrinter, words: Callable[[str], str]
) -> str:
    """Words through ``words``; each run of mathematics (``x = y``) as one inline formula."""
    out: list[str] = []
    run: list[str] = []
    for segment in [*segments, Text("")]:
        if isinstance(segment, Text):
            if run:
                out.append("$" + " ".join(run) + "$")
                run = []
            out.append(words(segment.text))
        else:
            run.append(segment_math(segment, printer))
    return "".join(out)


def latex_inline(segments: Iterable[Segment], printer: MathLatexPrinter) -> str:
    """Segments as LaTeX text with inline math (a reason, a candidate's note)."""
    return _inline(segments, printer, escape_latex)


def markdown_inline(segments: Iterable[Segment], printer: MathLatexPrinter) -> str:
    """Segments as Markdown with ``$...$`` math (GitHub and Jupyter render it)."""
    return _inline(segments, printer, _markdown_words)


@functools.lru_cache(maxsize=4096)
def _markdown_words(text: str) -> str:
    """Words escaped for Markdown (memoised: reasons repeat the same phrases)."""
    return _MD_SPECIALS.sub(r"\\\1", text)


def latex_display(segments: Iterable[Segment], printer: MathLatexPrinter) -> str:
    """Segments as the body of display math (an algebra chain): words in ``\\text{}``."""
    out = []
    for segment in segments:
        if isinstance(segment, Text):
            out.append(r"\text{" + escape_latex(segment.text) + "}")
        elif isinstance(segment, Rel):
            out.append(f" {segment.rel} ")
        else:
            out.append(segment_math(segment, printer))
    return "".join(out)
