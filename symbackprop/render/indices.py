"""The index view printed: terminal text, a LaTeX section (or snippet) and Markdown.

The data and its checks are :mod:`symbackprop.core.indices`; every equality reaching these
printers has been verified on a concrete instance. Entries print as ``W2[i,j]`` in text and
``W^{[2]}_{ij}`` in LaTeX, ``Derivative(J, x)`` as dJ/dx, ``KroneckerDelta(k, i)`` as the
indicator [k = i] (LaTeX: ``\\mathbf{1}_{k=i}``, so it is never mistaken for a delta).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.core.function import AppliedUndef

from symbackprop.core.index_check import index_view
from symbackprop.core.index_terms import J
from symbackprop.core.indices import IndexEquation, IndexStep, MatrixForm
from symbackprop.core.segments import Grad, Math, Prime, Segment, Text
from symbackprop.core.steps import Rule
from symbackprop.core.textprint import TextPrinter
from symbackprop.render.latexprint import MathLatexPrinter, finish
from symbackprop.render.names import Naming
from symbackprop.render.prose import latex_inline, markdown_inline, segment_math
from symbackprop.render.view import View

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation


def _indices(indices: tuple[Any, ...], printer: Any) -> str:
    parts = [printer._print(index) for index in indices]
    return "".join(parts) if all(len(part) == 1 for part in parts) else ",".join(parts)


class IndexLatexPrinter(MathLatexPrinter):
    """LaTeX of index expressions; ``shows`` maps a placeholder matrix to what it stands for."""

    def __init__(self, view: View, shows: dict[str, Segment] | None = None) -> None:
        super().__init__(view.activation_latex, Naming(view.d.names))
        self._settings["order"] = "none"  # products and sums in the order the view wrote them
        self.shows = dict(shows or {})

    def _print_MatrixSymbol(self, expr: Any) -> str:
        shown = self.shows.get(str(expr.name))
        if isinstance(shown, Grad):
            return r"\frac{\partial J}{\partial " + self.naming.latex(shown.symbol.name) + "}"
        if shown is not None:
            return segment_math(shown, self)
        return super()._print_MatrixSymbol(expr)

    def _print_Indexed(self, expr: Any) -> str:
        base = self.naming.latex(str(expr.base.label))
        return f"{base}_{{{_indices(expr.indices, self)}}}"

    def _print_Sum(self, expr: Any) -> str:
        # one sigma per index, outermost first (SymPy merges nested sums into one)
        head = " ".join(
            rf"\sum_{{{self._print(var)}={self._print(low)}}}^{{{self._print(high)}}}"
            for var, low, high in reversed(expr.limits)
        )
        body = self._print(expr.function)
        if isinstance(expr.function, sp.Add):
            body = rf"\left({body}\right)"
        return f"{head} {body}"

    def _print_KroneckerDelta(self, expr: Any, exp: Any = None) -> str:
        return rf"\mathbf{{1}}_{{{self._print(expr.args[0])}={self._print(expr.args[1])}}}"

    def _print_Derivative(self, expr: Any) -> str:
        (variable,) = expr.variables
        inner = expr.expr
        if isinstance(inner, AppliedUndef) and inner.args == (variable,):
            return (
                self._act(type(inner).__name__)
                + "'"
                + r"\left("
                + self._print(variable)
                + r"\right)"
            )
        if inner == J or isinstance(inner, sp.Indexed):
            return rf"\frac{{\partial {self._print(inner)}}}{{\partial {self._print(variable)}}}"
        head = rf"\frac{{\partial}}{{\partial {self._print(variable)}}}"
        return rf"{head} \left[{self._print(inner)}\right]"

    def _print_Function(self, expr: Any, exp: Any = None) -> str:
        if isinstance(expr, AppliedUndef):
            return (
                self._act(type(expr).__name__) + r"\left(" + self._print(expr.args[0]) + r"\right)"
            )
        return super()._print_Function(expr, exp)


class IndexTextPrinter(TextPrinter):
    """Index expressions as one line of terminal text (``Σ_k``, ``∂J/∂W2[i,j]``)."""

    def __init__(self, shows: dict[str, Segment] | None = None) -> None:
        super().__init__({"order": "none"})
        self.shows = dict(shows or {})

    def doprint(self, expr: Any) -> str:
        # products by juxtaposition, as in the rest of the terminal output
        return str(super().doprint(expr)).replace("*", " ")

    def _print_Equality(self, expr: Any) -> str:
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _print_Unequality(self, expr: Any) -> str:
        return f"{self._print(expr.lhs)} ≠ {self._print(expr.rhs)}"

    def _print_MatrixSymbol(self, expr: Any) -> str:
        shown = self.shows.get(str(expr.name))
        if shown is not None:
            return _segment_text(shown, self)
        return str(expr.name)

    def _print_Indexed(self, expr: Any) -> str:
        return f"{expr.base.label}[{','.join(self._print(x) for x in expr.indices)}]"

    def _print_KroneckerDelta(self, expr: Any) -> str:
        return f"[{self._print(expr.args[0])}={self._print(expr.args[1])}]"

    def _print_Sum(self, expr: Any) -> str:
        head = " ".join(f"Σ_{self._print(var)}" for var, _, _ in reversed(expr.limits))
        body = self._print(expr.function)
        if isinstance(expr.function, sp.Add):
            body = f"({body})"
        return f"{head} {body}"

    def _print_Derivative(self, expr: Any) -> str:
        (variable,) = expr.variables
        inner = expr.expr
        if isinstance(inner, AppliedUndef) and inner.args == (variable,):
            return f"{type(inner).__name__}'({self._print(variable)})"
        if inner == J or isinstance(inner, sp.Indexed):
            return f"∂{self._print(inner)}/∂{self._print(variable)}"
        return f"∂/∂{self._print(variable)} [{self._print(inner)}]"

    def _print_Tuple(self, expr: Any) -> str:
        return "(" + ", ".join(self._print(x) for x in expr) + ")"


def _segment_text(segment: Segment, printer: IndexTextPrinter) -> str:
    if isinstance(segment, Math):
        return printer.doprint(segment.expr)
    if isinstance(segment, Prime) and segment.arg is not None:
        return f"{segment.name}'({printer.doprint(segment.arg)})"
    return segment.plain


def _notes_text(segments: tuple[Segment, ...], printer: IndexTextPrinter) -> str:
    return "".join(s.text if isinstance(s, Text) else _segment_text(s, printer) for s in segments)


def _left_out(view: View) -> str:
    """What the numbering skips, said (`` Step 2 ...``), or "": the loss's stated assumption
    (softmax with cross-entropy) is a statement, not a derivative, so it has no index form."""
    stated = [s for s in view.steps if s.rule == Rule.ASSUMPTION]
    return "".join(
        f" Step {s.number}, the assumption that {s.assumption or 'the loss states'}, is a "
        "statement, not a derivative: it is not repeated here."
        for s in stated
    )


def _steps(d: Derivation, wrt: str | None) -> tuple[View, list[IndexStep]]:
    view = View(d, wrt=wrt)
    numbers = {step.number for step in view.steps}
    return view, [v for v in index_view(d) if v.step.number in numbers]


# -- text ----------------------------------------------------------------------------------------
def _equation_text(eq: IndexEquation, printer: IndexTextPrinter) -> list[str]:
    lhs = printer.doprint(eq.sides[0])
    rows = [f"  {lhs} = {printer.doprint(eq.sides[1])}"]
    rows += [f"  {' ' * len(lhs)} = {printer.doprint(side)}" for side in eq.sides[2:]]
    if eq.notes:
        rows.append(f"    because {_notes_text(eq.notes, printer)}")
    return rows


def _matrix_text(form: MatrixForm) -> list[str]:
    printer = IndexTextPrinter(form.shows)
    return [
        f"  hence dJ/d{form.wrt.name} = {printer.doprint(form.expr)}",
        f"    because {_notes_text(form.notes, printer)}",
    ]


def to_index_text(d: Derivation, *, wrt: str | None = None) -> str:
    """Every step entry by entry, then in matrix form, as plain text."""
    view, steps = _steps(d, wrt)
    printer = IndexTextPrinter()
    rows = [
        f"Index view of {d.network.compact} ({view.mode_text}); indices from 1, [k=i] is 1 when "
        "k = i and 0 otherwise. Every equality below was checked by SymPy on a concrete "
        "instance (sizes 2 and 3, exact rationals) before it was printed." + _left_out(view),
    ]
    for item in steps:
        step = item.step
        rows += ["", f"{step.number:>2}. {step.target}   (rule: {step.rule})"]
        for definition in item.definitions:
            rows.append(
                f"  forward: {printer.doprint(definition.sides[0])} = "
                f"{printer.doprint(definition.sides[1])}"
            )
        for eq in item.equations:
            rows += _equation_text(eq, printer)
        if item.matrix is not None:
            rows += _matrix_text(item.matrix)
    return "\n".join(rows) + "\n"


# -- LaTeX ---------------------------------------------------------------------------------------
def _math(printer: IndexLatexPrinter, expr: Any) -> str:
    return finish(printer.doprint(expr))


def _equation_latex(eq: IndexEquation, printer: IndexLatexPrinter, markdown: bool) -> list[str]:
    body = [f"{_math(printer, eq.sides[0])} &= {_math(printer, eq.sides[1])}"]
    body += [f"&= {_math(printer, side)}" for side in eq.sides[2:]]
    rows = [r"\begin{aligned}" if markdown else r"\begin{align*}"]
    rows += [" \\\\\n".join(body), r"\end{aligned}" if markdown else r"\end{align*}"]
    if markdown:
        rows = ["$$", *rows, "$$", ""]
    if eq.notes:
        words = markdown_inline if markdown else latex_inline
        lead = "*Because* " if markdown else r"{\small \emph{Because} "
        rows.append(lead + words(eq.notes, printer) + ("." if markdown else ".}"))
        rows.append("")
    return rows


def _step_latex(view: View, item: IndexStep, markdown: bool) -> list[str]:
    printer = IndexLatexPrinter(view)
    step = item.step
    wrt = printer.naming.latex(step.wrt.name)
    head = rf"\frac{{\partial J}}{{\partial {wrt}}}"
    rows = (
        [f"### Step {step.number}: ${head}$ ({step.rule})", ""]
        if markdown
        else [rf"\subsection*{{Step {step.number}: $\displaystyle {head}$ ({step.rule})}}"]
    )
    for definition in item.definitions:
        forward = f"{_math(printer, definition.sides[0])} = {_math(printer, definition.sides[1])}"
        words = markdown_inline if markdown else latex_inline
        notes = "" if not definition.notes else "(" + words(definition.notes, printer) + ")."
        if markdown:  # display math on lines of its own: GitHub renders $$ only there
            rows += ["Forward, entry by entry:", "", "$$", forward, "$$", ""]
            rows += [notes, ""] if notes else []
        else:
            rows += [
                rf"Forward, entry by entry \[ {forward} \]" + (" " + notes if notes else ""),
                "",
            ]
    for eq in item.equations:
        rows += _equation_latex(eq, printer, markdown)
    if item.matrix is not None:
        form = item.matrix
        mp = IndexLatexPrinter(view, form.shows)
        result = f"{head} = {_math(mp, form.expr)}"
        words = markdown_inline if markdown else latex_inline
        if markdown:
            rows += [
                "*Hence*",
                "",
                "$$",
                result,
                "$$",
                "",
                f"because {words(form.notes, mp)}.",
                "",
            ]
        else:
            rows += [
                rf"\emph{{Hence}} \[ {result} \]",
                r"{\small because " + words(form.notes, mp) + ".}",
                "",
            ]
    return rows


INTRO = (
    r"Each step written entry by entry and then collected into matrix form. Indices count "
    r"from 1; $\mathbf{1}_{k=i}$ is 1 when $k = i$ and 0 otherwise. Every equality here was "
    r"checked by SymPy on a concrete instance (sizes 2 and 3, exact rationals) before it "
    r"was printed."
)


def index_latex_section(d: Derivation, *, wrt: str | None = None) -> list[str]:
    """The index view as a section of the LaTeX document (rows of LaTeX)."""
    view, steps = _steps(d, wrt)
    rows = [r"\section*{The index view: from entries to matrices}", INTRO + _left_out(view), ""]
    for item in steps:
        rows += _step_latex(view, item, markdown=False)
    return rows


def to_index_latex(d: Derivation, *, wrt: str | None = None) -> str:
    """The index view as LaTeX to paste into notes (amsmath)."""
    return "\n".join(index_latex_section(d, wrt=wrt)) + "\n"


def to_index_markdown(d: Derivation, *, wrt: str | None = None) -> str:
    """The index view as Markdown with ``$$...$$`` math."""
    view, steps = _steps(d, wrt)
    intro = INTRO.replace(r"$\mathbf{1}_{k=i}$", r"$\mathbf{1}_{k=i}$")
    rows = ["## The index view: from entries to matrices", "", intro + _left_out(view), ""]
    for item in steps:
        rows += _step_latex(view, item, markdown=True)
    return "\n".join(rows).rstrip("\n") + "\n"
