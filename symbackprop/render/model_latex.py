"""LaTeX and Markdown of a model's derivation: a standalone document, an ``align`` snippet,
and the Markdown page (GitHub and Jupyter render its math).

The document (``article`` with ``amsmath``, nothing exotic) has the model's equations as
written, the shape table (each inferred shape with the equation that forced it), every step
with its shape argument as underbraces, the rejected arrangements and the reason typeset in
math, the adjoints kept under a symbol, and the gradients, compact and (where short) expanded.
Names: :mod:`symbackprop.render.model_names`. The same model gives the same bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sympy import OneMatrix, Transpose

from symbackprop._version import __version__
from symbackprop.core.segments import (
    Grad,
    Prime,
    Segment,
    Text,
    notation,
    plain,
)
from symbackprop.core.steps import Rule
from symbackprop.render.drawing import drawing, to_tikz, too_large_to_draw
from symbackprop.render.formula_latex import formula_latex, formula_lines
from symbackprop.render.latexprint import (
    BREAKS_CLOSE,
    BREAKS_OPEN,
    align_rows,
    break_lines,
    display_width,
    finish,
    finish_inline,
    visual_width,
)
from symbackprop.render.model_names import MARKS_NOTE, first_marked, name_latex, prime
from symbackprop.render.model_view import ModelView, untransposed
from symbackprop.render.names import concrete, counted_steps, escape_latex, size_text
from symbackprop.render.prose import (
    also_fitting,
    candidate_rows,
    display_block,
    factor_latex,
    latex_inline,
    markdown_display,
    markdown_inline,
    segment_math,
)
from symbackprop.render.shown_sizes import shown_sizes

if TYPE_CHECKING:
    from symbackprop.core.candidates import Candidate, Operand
    from symbackprop.core.derivation import Step
    from symbackprop.core.model_derivation import ModelDerivation

#: estimated width (see latexprint.visual_width) of one display line in the document
LINE_WIDTH = 60
#: the same for the ``align`` snippet, left side included: a plain article's 345 pt line (about
#: 5.5 pt a unit), as the notes it is pasted into may have
SNIPPET_WIDTH = 62
#: a snippet's left side wider than this gets a row of its own (display_width units)
SNIPPET_LONG_LHS = 16
#: ``\fitmath{share}{math}``: display math as it is, or scaled down to ``share`` of the line
#: where it is wider (:meth:`ModelLatex.fit`)
FIT_MATH = (
    r"\newcommand{\fitmath}[2]{\sbox0{$\displaystyle #2$}\ifdim\wd0>#1\linewidth"
    r"\resizebox{#1\linewidth}{!}{\usebox0}\else\usebox0\fi}"
)
#: the widest equation (visual_width units) the Shapes table repeats in its "from" column,
#: two lines of its half-page column; a longer one is named by its line
SHAPE_FROM_WIDTH = 70
#: the ``\quad`` before a continuation line and the ``=``, in the same units
_INDENT = 4
#: the same for the document's text line (A4, 2.2 cm margins: 483 pt), which a left side and
#: its right side's widest line share in an ``align`` (about 5.5 pt a unit)
TEXT_WIDTH = 88


class ModelLatex:
    """The LaTeX pieces for one :class:`ModelView`."""

    def __init__(self, view: ModelView) -> None:
        self.view = view
        self.d = view.d
        self.model = view.model
        self.names = view.names
        self.printer = view.latex_printer
        self.naming = self.printer.naming
        #: whether the lines are for the document, whose preamble defines ``\fitmath``
        self.fitting = False

    # -- small pieces ------------------------------------------------------------------------
    def math(self, expr: Any, *, inline: bool = False) -> str:
        return (finish_inline if inline else finish)(self.printer.doprint(expr))

    def whole(self, expr: Any) -> str:
        """``expr`` as a whole side of an equation: a lone internal value without brackets."""
        return finish(self.printer.whole(expr))

    def lines(self, expr: Any, width: float = LINE_WIDTH) -> list[str]:
        """A whole side of an equation, broken into display lines."""
        return break_lines(self.printer.whole(expr), width)

    def segments(self, segments: tuple[Segment, ...], own: Any = None) -> tuple[Segment, ...]:
        return self.names.segments(segments, own)

    def prose(
        self, segments: tuple[Segment, ...], *, markdown: bool = False, own: Any = None
    ) -> str:
        """A reason or a note: words escaped, the mathematics typeset, no closing full stop."""
        shown = self.segments(segments, own)
        inline = markdown_inline if markdown else latex_inline
        text = inline(shown, self.printer)
        return text.removesuffix(".") if plain(shown).endswith(".") else text

    def grad(self, name: str) -> str:
        return self.names.grad_latex(name)

    def target(self, step: Step) -> str:
        if step.rule == Rule.ASSUMPTION:  # 1_n^T Y: the ones of the target's n rows
            target = self.d.symbols[step.uses[0]]
            ones = self.printer._ones_factor(OneMatrix(1, target.shape[0]))
            return f"{ones} {self.names.value_latex(step.uses[0])}"
        return self.grad(str(step.wrt.name))

    def inline_target(self, step: Step) -> str:
        if step.wrt is None:
            return self.target(step)
        return segment_math(Grad(step.wrt), self.printer)

    def equation(self, index: int) -> str:
        eq = self.model.equations[index]
        return f"{name_latex(eq.name)} &= {formula_latex(eq.expr, name_latex)}"

    def shape(self, shape: tuple[Any, Any], *, sizes: bool = True) -> str:
        out = self.naming.shape(shape)
        known = concrete(shape, self.view.sizes) if sizes else None
        if known and (str(shape[0]), str(shape[1])) != (str(known[0]), str(known[1])):
            out += rf"\ ({known[0]} \times {known[1]})"
        return out

    def operand(self, operand: Operand, *, inline: bool = False) -> str:
        expr = operand.expr
        if isinstance(expr, OneMatrix):
            return self.printer._ones_factor(expr)
        if isinstance(expr, Transpose) and isinstance(expr.arg, OneMatrix):
            return self.printer._ones_factor(OneMatrix(expr.arg.shape[1], expr.arg.shape[0]))
        upstream = self.names.adjoint_exprs.get(untransposed(operand))
        if upstream is not None:
            inner = self.grad(str(upstream.name))
        elif isinstance(operand.show, Prime):
            inner = segment_math(prime(operand.show), self.printer)
        elif isinstance(operand.show, Grad):
            inner = self.grad(str(operand.show.symbol.name))
        else:
            return self.math(expr, inline=inline)
        return rf"\bigl({inner}\bigr)^{{\top}}" if operand.transposed else inner

    def candidate(self, cand: Candidate) -> str:
        """An arrangement inside a sentence: TeX may break the line between its factors."""
        op = r" \odot " if cand.op == "⊙" else r" \, \allowbreak "
        # an adjoint is printed as one symbol (dJ/dp), whatever its expression: not grouped
        # (review38 #3)
        left, right = (
            factor_latex(
                self.operand(operand, inline=True),
                operand,
                self.names.adjoint_exprs.get(untransposed(operand)) is None,
            )
            for operand in (cand.left, cand.right)
        )
        return left + op + right

    def underbraced(self, cand: Candidate) -> str:
        return " ".join(self.underbraced_lines(cand, width=float("inf")))

    def underbraced_lines(self, cand: Candidate, width: float = LINE_WIDTH) -> list[str]:
        """The arrangement with each factor's shape under it: one line, or a line per factor
        where the two are wider than ``width`` (the operator ends the first)."""
        parts = []
        for operand in (cand.left, cand.right):
            tex = self.operand(operand)
            parts.append(rf"\underbrace{{{tex}}}_{{{self.naming.shape(operand.shape)}}}")
        op = r"\odot" if cand.op == "⊙" else r"\,"
        if visual_width(parts[0] + parts[1]) <= width:
            return [f"{parts[0]} {op} {parts[1]}"]
        return [f"{parts[0]} {op}", parts[1]]

    def aligned(self, lhs: str, expr: Any, width: float = LINE_WIDTH) -> list[str]:
        return self.block([(lhs, self.lines(expr, width))])

    def block(self, sides: list[tuple[str, list[str]]]) -> list[str]:
        r"""The ``align`` rows of equations ``lhs = parts`` (a right side broken into lines):
        ``lhs &= part``, then ``&\quad part``. align sets every right side beside the widest
        left side, so a left side that would run the widest right side's line past the margin
        gets a row of its own (``&lhs``, then ``&= part``), as a long right side is broken.
        In the document, a side still wider than the line (a sum inside one pair of brackets,
        which no break reaches) is scaled to it (:meth:`fit`)."""
        widest = max((display_width(part) for _, parts in sides for part in parts), default=0)
        rows = []
        room = TEXT_WIDTH - _INDENT
        for lhs, parts in sides:
            if display_width(lhs) + widest + _INDENT <= TEXT_WIDTH:
                rows.append(f"{lhs} &= {parts[0]}")
            else:
                rows += [f"&{self.fit(lhs, TEXT_WIDTH)}", f"&= {self.fit(parts[0], room)}"]
            rows += [rf"&\quad {self.fit(part, room)}" for part in parts[1:]]
        return rows

    def fit(self, tex: str, room: float) -> str:
        r"""``tex`` (one display line) as it is where it is at most ``room`` wide (display
        width units), else, in the document, scaled down to its share of the line with
        ``\fitmath``: a model's ``mse(sigmoid(w1^T X + c1) + ... + sigmoid(w6^T X + c6), Y)``
        ran 94 pt past the page, and its steps 63 pt (hostile49b #2). The snippet and Markdown
        define no ``\fitmath``: there the line stays as it is."""
        if not self.fitting or display_width(tex) <= room:
            return tex
        return rf"\fitmath{{{min(0.95, room / TEXT_WIDTH):.2f}}}{{{tex}}}"

    # -- sections ----------------------------------------------------------------------------
    def marks_note(self) -> list[str]:
        """A blank line and the sentence on what a mark ``#2`` means (:data:`MARKS_NOTE`),
        with the first marked value in math; nothing where none is marked."""
        marked = first_marked(self.d.graph)
        if marked is None:
            return []
        before, after = MARKS_NOTE.split("{}")
        text = escape_latex(before[0].upper() + before[1:])
        return ["", text + f"${self.names.value_latex(marked)}$" + escape_latex(after) + "."]

    def figure(self) -> list[str]:
        """The computation graph in TikZ, or a sentence where the model is too large to draw."""
        too_large = too_large_to_draw(self.model)
        if too_large is not None:
            return [rf"\emph{{No figure: {escape_latex(too_large)}.}}", ""]
        return [to_tikz(drawing(self.model)).rstrip("\n")]

    def heading(self) -> str:
        params = ", ".join(f"${name_latex(p)}$" for p in self.model.parameters)
        data = ", ".join(f"${name_latex(p)}$" for p in self.model.data) or "none"
        return (
            rf"Parameters {params}; data {data}; cost ${name_latex(self.model.cost)}$ "
            rf"({self.prose(self.view.mode)})."
        )

    def equations_rows(self) -> list[str]:
        """The model's equations, a long one broken before a sign of its top-level sum."""
        rows = []
        for eq in self.model.equations:
            lhs = name_latex(eq.name)
            parts = formula_lines(eq.expr, name_latex, LINE_WIDTH - visual_width(lhs))
            # scaled only past the whole line (LINE_WIDTH is where a sum is broken)
            room = TEXT_WIDTH - visual_width(lhs) - _INDENT
            rows.append(f"{lhs} &= {self.fit(parts[0], room)}")
            rows += [rf"&\qquad {{}}{self.fit(part, room)}" for part in parts[1:]]
        return rows

    def shape_rows(self) -> list[str]:
        rows = []
        for name in self.view.table_names():
            shape = self.model.shapes[name]
            reason = self.model.shape_reasons.get(name)
            if reason is None:
                origin = "declared"
            else:
                line, text = reason
                index = next(i for i, eq in enumerate(self.model.equations) if eq.line == line)
                equation = self.equation(index).replace("&=", "=")
                # a long equation, repeated in every row it shapes, ran 287 pt past the page
                # (hostile49b #2): its line number, the equation being in the Model section
                named = name_latex(self.model.equations[index].name)
                origin = (
                    f"line {line}: ${equation}$"
                    if visual_width(equation) <= SHAPE_FROM_WIDTH
                    else f"line {line} (the equation of ${named}$ above)"
                )
            size = size_text(shape, self.view.sizes).replace(" x ", r" $\times$ ")
            rows.append(f"${name_latex(name)}$ & ${self.naming.shape(shape)}$ & {size} & {origin}")
        return rows

    def step(self, index: int, step: Step) -> list[str]:
        target = self.target(step)
        stored = (
            "; kept under its symbol" if step.delta is not None and step.wrt is not None else ""
        )
        rows = [
            rf"\paragraph{{Step {index}}} ${self.inline_target(step)}$, "
            rf"${self.shape(step.shape)}$ (rule: {escape_latex(step.rule)}{stored}).",
        ]
        chosen = step.chosen
        if chosen is not None and step.expr == chosen.expr:
            rows += [
                r"\begin{align*}",
                align_rows(self.block([(target, self.underbraced_lines(chosen))])),
                r"\end{align*}",
            ]
        else:
            rows += [r"\begin{align*}", align_rows(self.aligned(target, step.expr))]
            rows.append(r"\end{align*}")
            if chosen is not None:
                rows.append(
                    rf"Shape analysis: ${self.underbraced(chosen)}$ has shape "
                    rf"${self.naming.shape(chosen.shape or step.shape)}$."
                )
                rows.append("")
        if chosen is not None:
            rows += candidate_rows(step.candidates, self.candidate, self.prose, chosen)
        if step.algebra_segments:
            shown = self.segments(step.algebra_segments)
            rows += [
                r"Scalar algebra inside $\odot$:",
                *display_block(shown, self.printer, LINE_WIDTH),
            ]
        if step.uses:
            used = ", ".join(f"${self.names.bare_latex(n)}$" for n in step.uses)
            rows.append(rf"Reuses {used} from the forward cache.")
            rows.append("")
        rows.append(r"{\small \emph{Why:} " + self.prose(step.segments, own=step.expr) + ".}")
        return rows

    def stored_rows(self) -> list[str]:
        return self.block(
            [
                (self.names.symbol_latex(str(step.delta.name)), self.lines(step.expr))
                for step in self.view.stored
            ]
        )

    def gradient_rows(self) -> list[str]:
        gradients = self.d.gradients
        return self.block(
            [(self.grad(name), self.lines(gradients[name])) for name in self.view.parameters]
        )

    def expanded_rows(self) -> list[str]:
        expanded = self.view.expanded_gradients().items()
        return self.block([(self.grad(name), self.lines(expr)) for name, expr in expanded])

    # -- outputs -----------------------------------------------------------------------------
    def document(self, *, figure: bool = True) -> str:
        self.fitting = True
        try:
            return self._document(figure)
        finally:
            self.fitting = False

    def _document(self, figure: bool) -> str:
        title = "Backpropagation for a model in " + ", ".join(
            f"${name_latex(p)}$" for p in self.model.parameters
        )
        rows = [
            f"% generated by symbackprop {__version__}: a model (cost {self.model.cost})",
            r"\documentclass[11pt]{article}",
            r"\usepackage[a4paper,margin=2.2cm]{geometry}",
            r"\usepackage{amsmath}",
            r"\usepackage{amssymb}",
            r"\usepackage{array}",
            r"\usepackage{graphicx}",
            *([r"\usepackage{tikz}"] if figure else []),
            FIT_MATH,
            r"\allowdisplaybreaks",
            r"\setlength{\parindent}{0pt}",
            r"\setlength{\parskip}{4pt}",
            # reasons hold long inline formulas: let TeX stretch a line rather than overrun it
            r"\setlength{\emergencystretch}{6em}",
            r"\begin{document}",
            r"\begin{center}",
            r"{\Large " + title + r"}\\[2pt]",
            r"{\small derived by symbackprop " + __version__ + r"}",
            r"\end{center}",
            "",
            r"\section*{Model}",
            *(self.figure() if figure else []),
            self.heading(),
            r"\begin{align*}",
            align_rows(self.equations_rows()),
            r"\end{align*}",
        ]
        for step in self.d.steps:  # each stated assumption, its target set as mathematics
            if step.assumption is not None:
                rows.append(r"\emph{Assumption:} " + self.prose(step.segments[1:]) + ".")
        rows += self.marks_note()
        rows += [
            "",
            r"\section*{Shapes}",
            # the last column holds a whole equation: a paragraph, so a long one wraps, set
            # ragged right (justified, a wrapped equation spread its words: lecturer46 #5)
            r"\begin{tabular}{lll>{\raggedright\arraybackslash}p{0.5\textwidth}}",
            r"name & shape & size & from \\ \hline",
            " \\\\\n".join(self.shape_rows()) + r" \\",
            r"\end{tabular}",
            "",
            r"\section*{Derivation, step by step}",
        ]
        if self.view.wrt:
            rows.append(rf"Only the steps on the path from $J$ to ${name_latex(self.view.wrt)}$.")
        for step in self.view.steps:  # numbered as the derivation (and the code) number them
            rows += self.step(step.number, step)
        rows += ["", r"\section*{Adjoints and gradients}"]
        stored = self.stored_rows()
        if stored:
            rows += [
                "Each adjoint kept under a symbol is reused by the steps after it:",
                r"\begin{align*}",
                align_rows(stored),
                r"\end{align*}",
            ]
        rows += [
            "The gradients are",
            r"\begin{align*}",
            align_rows(self.gradient_rows(), "[3pt]"),
            r"\end{align*}",
        ]
        expanded = self.expanded_rows()
        if expanded:
            rows += [
                "Substituting every adjoint symbol:",
                r"\begin{align*}",
                align_rows(expanded, "[3pt]"),
                r"\end{align*}",
            ]
        if self.view.expanded_note:
            rows.append(r"\emph{Note:} " + escape_latex(self.view.expanded_note) + ".")
        rows += ["", r"\end{document}"]
        return "\n".join(rows) + "\n"

    def snippet(self) -> str:
        rows = [
            f"% symbackprop {__version__}: a model (cost {self.model.cost}; "
            f"{self.view.mode_text}); needs amsmath",
            BREAKS_OPEN,
            r"\begin{align}",
        ]
        stored = [
            (self.names.symbol_latex(str(step.delta.name)), step.expr) for step in self.view.stored
        ]
        gradients = [(self.grad(name), self.d.gradients[name]) for name in self.view.parameters]
        # align sets every right side beside the widest left side: the two share the line; a
        # left side wider than SNIPPET_LONG_LHS gets a row of its own, as the document's do
        # (two_heads' dJ/dce(softmax(V H + d), Y2) broke every right side at a third of the
        # line, inside 1{...}: hostile42b #1)
        widths = [display_width(lhs) for lhs, _ in stored + gradients]
        widest = max((w for w in widths if w <= SNIPPET_LONG_LHS), default=0.0)
        width = SNIPPET_WIDTH - widest - _INDENT

        def rows_of(lhs: str, expr: Any) -> list[str]:
            if display_width(lhs) <= SNIPPET_LONG_LHS:
                return self.aligned(lhs, expr, width)
            parts = self.lines(expr, width)
            return [f"&{lhs}", f"&= {parts[0]}"] + [rf"&\quad {part}" for part in parts[1:]]

        body = [f"{row} \\notag" for lhs, expr in stored for row in rows_of(lhs, expr)]
        expanded = self.view.expanded_gradients()
        for name, (lhs, expr) in zip(self.view.parameters, gradients, strict=True):
            rows_ = rows_of(lhs, expr)
            full = expanded.get(name)
            if full is not None:
                parts = self.lines(full, width)
                rows_ += [rf"&= {parts[0]}"] + [rf"&\quad {part}" for part in parts[1:]]
            body += [rf"{row} \notag" for row in rows_[:-1]] + [rows_[-1]]
        rows.append(align_rows(body))
        rows += [r"\end{align}", BREAKS_CLOSE]
        if self.view.expanded_note:
            rows.append(f"% note: {self.view.expanded_note}")
        return "\n".join(rows) + "\n"

    def markdown(self) -> str:
        view, model = self.view, self.model
        out = [
            "### Backpropagation for a model in "
            + ", ".join(f"${name_latex(p)}$" for p in model.parameters),
            "",
            markdown_inline(
                (
                    Text("Cost "),
                    notation(model.cost, name_latex(model.cost)),
                    Text("; "),
                    *view.mode,
                    Text("."),
                ),
                self.printer,
            ),
            "",
            "**Equations**",
            "",
            *_display(self.equations_rows()),
        ]
        for step in self.d.steps:
            if step.assumption is not None:
                said = markdown_inline(step.segments[1:], self.printer)
                out += [f"*Assumption:* {said}.", ""]
        marked = first_marked(self.d.graph)
        if marked:
            before, after = MARKS_NOTE.split("{}")
            value = f"${self.names.value_latex(marked)}$"
            words = markdown_inline((Text(before[0].upper() + before[1:]),), self.printer)
            out += [words + value + markdown_inline((Text(after + "."),), self.printer), ""]
        out += ["| name | shape | size | from |", "|---|---|---|---|"]
        for name in view.table_names():
            shape = model.shapes[name]
            reason = model.shape_reasons.get(name)
            if reason is None:
                origin = "declared"
            else:
                index = next(i for i, eq in enumerate(model.equations) if eq.line == reason[0])
                origin = f"line {reason[0]}: ${self.equation(index).replace('&=', '=')}$"
            known = concrete(shape, view.sizes)
            size = f"${known[0]} \\times {known[1]}$" if known else ""
            out.append(
                f"| ${name_latex(name)}$ | ${self.naming.shape(shape)}$ | {size} | {origin} |"
            )
        shown = counted_steps(len(view.steps), len(self.d.steps))
        out += ["", f"**Derivation** ({shown}, from the cost back)", ""]
        for step in view.steps:  # numbered as the derivation (and the code) number them
            line = f"**Step {step.number}.** ${self.target(step)} = {self.whole(step.expr)}$"
            line += f" — ${self.naming.shape(step.shape)}$, rule *{step.rule}*"
            if step.delta is not None and step.wrt is not None:
                line += ", kept under its symbol"
            out += [line, ""]  # a paragraph, then its details as a list: any number, any count
            chosen = step.chosen
            if chosen is not None:
                out.append(f"- shape analysis: ${self.underbraced(chosen)}$ fits")
                also = also_fitting(step.candidates, chosen)
                for cand in step.candidates:
                    note = self.prose(cand.notes, markdown=True)
                    if cand.equal is not None:
                        out.append(f"- = ${self.candidate(cand)}$: {note}")
                    elif cand in also:
                        out.append(f"- ✓ ${self.candidate(cand)}$: fits too")
                    elif not cand.fits:
                        out.append(f"- ✗ ${self.candidate(cand)}$: {note}")
            if step.algebra_segments:
                algebra = self.segments(step.algebra_segments)
                out += markdown_display("- scalar algebra:", algebra, self.printer)
            if step.uses:
                used = ", ".join(f"${self.names.bare_latex(n)}$" for n in step.uses)
                out.append(f"- reuses {used} from the forward cache")
            out += [f"- why: {self.prose(step.segments, markdown=True, own=step.expr)}.", ""]
        out += ["**Adjoints and gradients**", ""]
        out += _display(self.stored_rows() + self.gradient_rows())
        expanded = self.expanded_rows()
        if expanded:
            out += ["**Expanded** (every adjoint symbol substituted)", ""]
            out += _display(expanded)
        if view.expanded_note:
            out += [f"*Note:* {view.expanded_note}.", ""]
        # \allowbreak is TeX's line-break hint, which MathJax before v4 (GitHub's Markdown)
        # does not define; in-line math breaks at its signs there (lecturer43 #9)
        text = "\n".join(out).rstrip("\n") + "\n"
        return text.replace(r" \, \allowbreak ", r" \, ").replace(r"\allowbreak", "")


def _display(rows: list[str]) -> list[str]:
    return ["$$", r"\begin{aligned}", " \\\\\n".join(rows), r"\end{aligned}", "$$", ""]


def to_latex(
    d: ModelDerivation,
    *,
    standalone: bool = True,
    wrt: str | None = None,
    expanded: bool = True,
    sizes: dict[str, int] | None = None,
    figure: bool = True,
) -> str:
    """A model's derivation as a standalone LaTeX document (its computation graph drawn with
    TikZ unless ``figure=False``) or an ``align`` snippet."""
    doc = ModelLatex(ModelView(d, wrt=wrt, expanded=expanded, extra_sizes=shown_sizes(sizes, d)))
    return doc.document(figure=figure) if standalone else doc.snippet()


def to_markdown(
    d: ModelDerivation,
    *,
    wrt: str | None = None,
    expanded: bool = False,
    sizes: dict[str, int] | None = None,
) -> str:
    """A model's derivation as Markdown."""
    view = ModelView(d, wrt=wrt, expanded=expanded, extra_sizes=shown_sizes(sizes, d))
    return ModelLatex(view).markdown()
