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

from symbackprop.core.candidates import Candidate, Operand
from symbackprop.core.segments import Dim, Grad, Math, Prime, Rel, Segment, ShapeOf, Text
from symbackprop.render.latexprint import (
    BREAK,
    MathLatexPrinter,
    break_lines,
    finish,
    finish_inline,
    visual_width,
    widest_fraction,
)
from symbackprop.render.names import escape_latex

_MD_SPECIALS = re.compile(r"([\\`*_\[\]<>|#$])")


def segment_math(segment: Segment, printer: MathLatexPrinter, *, inline: bool = False) -> str:
    """The LaTeX math (no ``$``) of one segment that is not words; ``inline``: in a sentence,
    with parentheses TeX may break a line inside (:func:`~.latexprint.finish_inline`)."""
    naming = printer.naming
    if isinstance(segment, Math):
        if segment.latex is not None:
            return segment.latex
        return (finish_inline if inline else finish)(printer.doprint(segment.expr))
    if isinstance(segment, Dim):
        return naming.dim(segment.dim)
    if isinstance(segment, ShapeOf):
        return naming.shape(segment.shape)
    if isinstance(segment, Grad):
        return r"\partial J / \partial " + naming.target(str(segment.symbol.name))
    if isinstance(segment, Prime):
        if segment.arg is None:
            return segment.latex + "'"
        return segment.latex + "'(" + printer.argument(segment.arg) + ")"
    if isinstance(segment, Rel):
        return segment.rel
    raise TypeError(f"not a math segment: {segment!r}")


#: the width a displayed formula of a reason is broken at (the document's display lines')
DISPLAY_WIDTH = 60
#: an inline formula with a numerator or denominator wider than this (in
#: :func:`~.latexprint.visual_width`'s characters) is set as a display: TeX breaks no line
#: inside a fraction, and a custom activation's derivative ran past the page's edge in a
#: reason (hostile51b #9); a formula that is only long breaks at its signs inline
INLINE_FRACTION_WIDTH = 30


def _inline(
    segments: Iterable[Segment],
    printer: MathLatexPrinter,
    words: Callable[[str], str],
    *,
    displays: bool = False,
) -> str:
    """Words through ``words``; each run of mathematics (``x = y``) as one inline formula, or
    (``displays``) as a display where a fraction in it is too wide for a line of text."""
    out: list[str] = []
    run: list[Segment] = []
    for segment in [*segments, Text("")]:
        if isinstance(segment, Text):
            if run:
                math = " ".join(segment_math(part, printer, inline=True) for part in run)
                if displays and widest_fraction(math) > INLINE_FRACTION_WIDTH:
                    # its own display, broken at its signs where wider than a line
                    out.append("\n".join(display_block(run, printer, DISPLAY_WIDTH)) + "\n")
                else:
                    out.append("$" + math + "$")
                run = []
            out.append(words(segment.text))
        else:
            run.append(segment)
    return "".join(out)


def latex_inline(segments: Iterable[Segment], printer: MathLatexPrinter) -> str:
    """Segments as LaTeX text with inline math (a reason, a candidate's note); a formula with
    a fraction too wide for a line is displayed."""
    return _inline(segments, printer, escape_latex, displays=True)


def markdown_inline(segments: Iterable[Segment], printer: MathLatexPrinter) -> str:
    """Segments as Markdown with ``$...$`` math (GitHub and Jupyter render it)."""
    return _inline(segments, printer, _markdown_words)


@functools.lru_cache(maxsize=4096)
def _markdown_words(text: str) -> str:
    """Words escaped for Markdown (memoised: reasons repeat the same phrases)."""
    return _MD_SPECIALS.sub(r"\\\1", text)


def display_lines(
    segments: Iterable[Segment], printer: MathLatexPrinter, width: float
) -> list[str]:
    """An algebra chain as display lines at most about ``width`` wide (see
    :func:`~.latexprint.visual_width`): one line when it fits; else each side of each ``=``
    starts a line (``&= ...``) and a side too wide for one breaks at its top-level signs
    (``&\\qquad {}+ ...``). The rows are for ``align*`` (or ``aligned``); a single row
    never is (it has no ``&``), whatever its width."""
    sides: list[list[str]] = [["", ""]]  # [relation before the side, the side]
    for segment in segments:
        if isinstance(segment, Rel):
            sides.append([segment.rel, ""])
        elif isinstance(segment, Text):
            sides[-1][1] += r"\text{" + escape_latex(segment.text) + "}"
        elif isinstance(segment, Math) and segment.latex is None:
            sides[-1][1] += printer.doprint(segment.expr)  # with its break markers
        else:
            sides[-1][1] += segment_math(segment, printer)
    whole = "".join(f"{BREAK} {rel} {side}" if rel else side for rel, side in sides)
    if visual_width(whole) <= width:
        return [finish(whole)]
    rows: list[str] = []
    for rel, side in sides:
        for number, line in enumerate(break_lines(side, width)):
            rows.append(
                (f"&{rel} " if rel else "& ") + line if number == 0 else r"&\qquad {}" + line
            )
    if len(rows) == 1:  # one side with no sign to break at: one line, too wide, with no `&`
        return [finish(whole)]
    return rows


def display_block(
    segments: Iterable[Segment], printer: MathLatexPrinter, width: float
) -> list[str]:
    """An algebra chain as a LaTeX display: ``\\[ ... \\]`` on one line, or ``align*`` rows;
    a chain too long for one line that has words in it (``s = 1 by the stated assumption, so
    ...``) is a sentence, set as text (a line break at one of its ``=`` would misread it)."""
    segments = tuple(segments)
    rows = display_lines(segments, printer, width)
    if len(rows) == 1:
        return [rf"\[ {rows[0]} \]"]
    if any(isinstance(segment, Text) for segment in segments):
        return [latex_inline(segments, printer), ""]
    return [r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]


#: estimated width of a Markdown page's display line (as the LaTeX document's)
MARKDOWN_WIDTH = 60


def markdown_display(
    label: str, segments: Iterable[Segment], printer: MathLatexPrinter
) -> list[str]:
    """A list item ``label`` with an algebra chain: inline math when it fits on one line, else
    a display block (``aligned``) indented under the item."""
    segments = tuple(segments)
    rows = display_lines(segments, printer, MARKDOWN_WIDTH)
    if len(rows) == 1:
        return [f"{label} ${rows[0]}$"]
    if any(isinstance(segment, Text) for segment in segments):
        return [f"{label} {markdown_inline(segments, printer)}"]
    indent = " " * (len(label) - len(label.lstrip()) + 2)
    body = [r"\begin{aligned}", *(row + r" \\" for row in rows[:-1]), rows[-1], r"\end{aligned}"]
    return [label, "", *(indent + line for line in ["$$", *body, "$$"]), ""]


def factor_latex(tex: str, operand: Operand, group: bool = True) -> str:
    """``tex`` (an operand's LaTeX) as a factor of a candidate: in parentheses where the
    operand is a product or a sum written out
    (:attr:`~symbackprop.core.candidates.Operand.compound`) and ``group`` (not an adjoint
    printed as one symbol), in a matrix product and an element-wise one alike: the text's
    ``(W3^T delta3) ⊙ sigmoid'(z2)`` was ``W^[3]T δ^[3] ⊙ σ'(z^[2])`` on the web page, which a
    reader may take for W^[3]T (δ^[3] ⊙ σ'(z^[2])) (lecturer44 #6)."""
    return rf"\left({tex}\right)" if group and operand.compound else tex


def also_fitting(candidates: Iterable[Candidate], chosen: Candidate | None) -> list[Candidate]:
    """The arrangements other than ``chosen`` that fit the shape and are no equal form of it."""
    return [c for c in candidates if c.fits and c.equal is None and c is not chosen]


def candidate_rows(
    candidates: Iterable[Candidate],
    candidate: Callable[[Candidate], str],
    prose: Callable[[tuple[Segment, ...]], str],
    chosen: Candidate | None = None,
) -> list[str]:
    """The LaTeX paragraphs under a step's chosen form, network's and model's alike: each
    other arrangement equal to it ("Equal form: ..., why"), each other one that fits the shape
    too ("Fits too: ...": a model's 1 x 1 value and its transpose, which the step's reason
    calls both arrangements; lecturer45 #1: the document hid the second), then those whose
    shapes do not fit ("Rejected: ..."), each with its notes; ``candidate`` prints an
    arrangement's math and ``prose`` its notes."""
    shown = list(candidates)
    rows: list[str] = []
    for cand in shown:
        if cand.equal is not None:
            rows += [rf"{{\small Equal form: ${candidate(cand)}$, " + prose(cand.notes) + ".}", ""]
    also = also_fitting(shown, chosen)
    if also:
        listed = ", ".join(f"${candidate(cand)}$" for cand in also)
        rows += [r"{\small Fits too: " + listed + ".}", ""]
    rejected = [cand for cand in shown if not cand.fits]
    if rejected:
        items = [f"${candidate(cand)}$ {prose(cand.notes)}" for cand in rejected]
        rows += [r"{\small Rejected: " + "; ".join(items) + ".}", ""]
    return rows
