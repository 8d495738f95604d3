"""LaTeX output: a standalone document for lecture notes, or an ``align`` snippet.

The document (``article`` with ``amsmath``, ``bm`` and ``geometry``, nothing exotic) has the
architecture and its shape table, forward propagation, the cost, every derivation step with
its shape reasoning shown as underbraces, the delta recursion, the final gradients (compact,
and expanded with line breaks) and the gradient-descent update. The output depends only on
the derivation: the same spec gives the same bytes (no dates, no dictionaries in hash order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sympy import OneMatrix, Transpose

from symbackprop._version import __version__
from symbackprop.core.collector import without_cyclic_gc
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.core.segments import Grad, Prime, Segment, ends_with_stop
from symbackprop.core.steps import Rule
from symbackprop.errors import SpecError
from symbackprop.render import model_latex
from symbackprop.render.argument import require_derivation
from symbackprop.render.drawing import drawing, to_tikz
from symbackprop.render.indices import index_latex_section
from symbackprop.render.latexprint import (
    BREAKS_CLOSE,
    BREAKS_OPEN,
    MathLatexPrinter,
    align_rows,
    break_lines,
    finish,
    source_lines,
)
from symbackprop.render.names import Naming, concrete, escape_latex, number_latex, spec_latex
from symbackprop.render.prose import (
    also_fitting,
    candidate_rows,
    display_block,
    factor_latex,
    latex_inline,
    segment_math,
)
from symbackprop.render.shown_sizes import shown_sizes
from symbackprop.render.view import View

if TYPE_CHECKING:
    from symbackprop.core.candidates import Candidate, Operand
    from symbackprop.core.derivation import Derivation, Step

#: estimated width (see latexprint.visual_width) of one display line in the document
LINE_WIDTH = 60
#: the same for the snippet, pasted into a page of the default article's 345 pt (the
#: document's is 470 pt at 11 pt): the lecture's expanded dJ/dW1 was 13 pt too wide there at
#: 60, and 4-5-5-5-5-1's deeper \Biggl( delimiters (which the estimate does not count) 11.5 pt
#: at 44; at 41 neither is, nor 8-8-8-8-8-8-8-1 or 3-...-3-1 (pdflatex, tests/test_latex_layout)
SNIPPET_LINE_WIDTH = 41


#: ``\fitwidth{box}``: the box as it is, or scaled down to the line where it is wider (a shape
#: table of long width names ran 125pt into the margin: hostile38c #11)
FIT_WIDTH = (
    r"\newcommand{\fitwidth}[1]{\sbox0{#1}\ifdim\wd0>\linewidth"
    r"\resizebox{\linewidth}{!}{\usebox0}\else\usebox0\fi}"
)


class LatexDocument:
    """Builds the LaTeX for one :class:`View`; see :func:`to_latex`."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.d = view.d
        self.naming = Naming(self.d.names)
        self.printer = MathLatexPrinter(view.activation_latex, self.naming)

    # -- small pieces ------------------------------------------------------------------------
    def math(self, expr: Any) -> str:
        return finish(self.printer.doprint(expr))

    def lines(self, expr: Any, width: float = LINE_WIDTH) -> list[str]:
        return break_lines(self.printer.doprint(expr), width)

    def prose(self, segments: tuple[Segment, ...]) -> str:
        """A reason or a note: words escaped, the mathematics typeset, ending in a full stop."""
        text = latex_inline(segments, self.printer)
        return text.removesuffix(".") if ends_with_stop(segments) else text

    def name(self, name: str, *, transpose: bool = False) -> str:
        return self.naming.latex(name, transpose=transpose)

    def grad(self, name: str) -> str:
        """dJ/d(name) as a displayed fraction."""
        return r"\frac{\partial J}{\partial " + self.name(name) + "}"

    def target(self, step: Step) -> str:
        """What a step computes, in display form: the gradient, or the assumption 1^T y."""
        if step.rule == Rule.ASSUMPTION:  # 1_n^T y: the ones of the target's n rows
            target = self.d.symbols[step.uses[0]]
            ones = self.printer._ones_factor(OneMatrix(1, target.shape[0]))
            return f"{ones} {self.name(step.uses[0])}"
        return self.grad(step.wrt.name)

    def operand(self, operand: Operand) -> str:
        """One factor of a candidate: its display form where it has one, else its expression."""
        expr = operand.expr
        if isinstance(expr, OneMatrix):  # the ones vector of a batch sum: 1_m^T, as elsewhere
            return self.printer._ones_factor(expr)
        if isinstance(expr, Transpose) and isinstance(expr.arg, OneMatrix):
            return self.printer._ones_factor(OneMatrix(expr.arg.shape[1], expr.arg.shape[0]))
        if isinstance(operand.show, Grad):
            inner = self.grad(operand.show.symbol.name)
        elif isinstance(operand.show, Prime):
            inner = segment_math(operand.show, self.printer)
        else:
            return self.math(expr)
        return rf"\bigl({inner}\bigr)^{{\top}}" if operand.transposed else inner

    def shape(self, shape: tuple[Any, Any], *, sizes: bool = True) -> str:
        out = self.naming.shape(shape)
        known = concrete(shape, self.view.sizes) if sizes else None
        if known and (str(shape[0]), str(shape[1])) != (str(known[0]), str(known[1])):
            out += rf"\ ({known[0]} \times {known[1]})"
        return out

    def units(self, layer: int) -> str:
        dim = self.d.graph.dims[layer]
        size = self.view.sizes.get(str(dim))
        return self.naming.dim(dim) + (f" = {size}" if size is not None else "")

    def aligned(self, lhs: str, expr: Any, *, numbered: bool = False) -> list[str]:
        """``lhs &= ...`` rows of an align environment, a long right side broken over lines."""
        parts = self.lines(expr)
        tail = "" if numbered else r" \notag"
        rows = [f"{lhs} &= {parts[0]}"]
        rows += [rf"&\quad {part}{tail}" for part in parts[1:]]
        return rows

    def l2_clause(self) -> str:
        """``, L2 weight decay $\\lambda = 0.1$`` for a network with weight decay, else ""."""
        net = self.d.network
        return rf", L2 weight decay $\lambda = {number_latex(net.l2_text)}$" if net.l2 else ""

    def loss_words(self) -> str:
        """The loss and the L2 weight in plain words, for a generated file's first comment."""
        net = self.d.network
        # the L2 weight too: its lambda is in the formulas below (lecturer44, lecturer45 #3)
        return f"loss {net.loss}" + (f", L2 weight decay lambda = {net.l2_text}" if net.l2 else "")

    # -- sections ----------------------------------------------------------------------------
    def figure(self) -> list[str]:
        """The network drawn (TikZ), as on the lecture's board."""
        picture = drawing(self.d.network, sizes=self.view.sizes, batch=self.d.batch)
        return [to_tikz(picture).rstrip("\n")]

    def architecture(self, *, figure: bool = True) -> list[str]:
        d, g, net = self.d, self.d.graph, self.d.network
        rows = [
            r"\section*{Architecture}",
            *(self.figure() if figure else []),
            rf"Network \texttt{{{spec_latex(net.compact)}}}, loss \texttt{{{net.loss}}} "
            rf"({escape_latex(g.loss.description)}), {self.prose(self.view.mode)}"
            + self.l2_clause()
            + ".",
            "",
            r"\begin{center}",
            r"\fitwidth{\begin{tabular}{clllll}",
            r"$l$ & units & activation & $W^{[l]}$ & $b^{[l]}$ & "
            + rf"${d.names[g.z(1).name].base}^{{[l]}}$, ${d.names[g.a(1).name].base}^{{[l]}}$"
            + r" \\ \hline",
            rf"$0$ & ${self.units(0)}$ & input "
            rf"${self.name(g.x.name)}$ & & & ${self.shape(d.shapes[g.x.name])}$ \\",
        ]
        for layer in range(1, g.depth + 1):
            act = g.activation(layer)
            rows.append(
                rf"${layer}$ & ${self.units(layer)}$ & "
                rf"${self.printer._act(act.name)}$ & "
                rf"${self.shape(d.shapes[g.W(layer).name])}$ & "
                rf"${self.shape(d.shapes[g.b(layer).name])}$ & "
                rf"${self.shape(d.shapes[g.z(layer).name])}$ \\"
            )
            if layer % 30 == 0 and layer < g.depth:  # keep each table on a page
                rows += [
                    r"\end{tabular}}",
                    r"\end{center}",
                    r"\begin{center}",
                    r"\fitwidth{\begin{tabular}{clllll}",
                ]
        rows += [
            r"\end{tabular}}",
            r"\end{center}",
            rf"The target ${self.name(g.y.name)}$ is ${self.shape(d.shapes[g.y.name])}$; "
            r"each gradient has the shape of what it differentiates.",
        ]
        return rows

    def forward(self) -> list[str]:
        g = self.d.graph
        rows = [r"\section*{Forward propagation}", r"\begin{align*}"]
        body = []
        for layer in range(1, g.depth + 1):
            z, a = g.z(layer), g.a(layer)
            body.append(
                f"{self.name(z.name)} &= {self.math(self.d.forward[z.name])}, &"
                f"{self.name(a.name)} &= {self.math(self.d.forward[a.name])}"
            )
        rows.append(align_rows(body))
        rows += [r"\end{align*}", *self.definitions(), self.cache_reads() + "."]
        return rows

    def definitions(self) -> list[str]:
        """The sentence defining each custom activation the equations call, as it was
        defined, or none."""
        defined = [
            rf"\texttt{{{escape_latex(f'{name}(z) = {formula}')}}}"
            for name, formula in self.view.definitions
        ]
        if not defined:
            return []
        noun = "activation" if len(defined) == 1 else "activations"
        return [f"Custom {noun}: " + ", ".join(defined) + ".", ""]

    def cache_reads(self) -> str:
        """The sentence naming what the backward pass reads from the forward cache, in the
        order the steps first read it (sigmoid and tanh read a[l] alone, relu z[l] too:
        "each z[l] and a[l]" was false for them, hostile reader 23)."""
        # the steps shown: with --wrt W2 the backward pass to W2 reads no x (lecturer44)
        shown = self.view.steps
        read = dict.fromkeys(name for step in shown for name in step.cached)
        names = [f"${self.name(name)}$" for name in read]
        listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)
        targets = dict.fromkeys(name for step in shown for name in step.targets_read)
        given = ", and the target " + ", ".join(f"${self.name(n)}$" for n in targets)
        return (
            f"The backward pass reads {listed} from the forward cache"
            if names
            else ("The backward pass reads nothing from the forward cache")
        ) + (given if targets else "")

    def cost_equations(self) -> list[tuple[str, str]]:
        """The loss and the cost as ``(lhs, rhs)`` LaTeX pairs (the document's Cost section,
        and the web page's): L(yhat, y) = the loss's formula, J = L or its mean over the
        batch, with the L2 penalty where there is one."""
        d, g, net = self.d, self.d.graph, self.d.network
        yhat, y = self.name(g.a(g.depth).name), self.name(g.y.name)
        # "{y}" first: the replacement for "{yhat}" contains "{y}" itself
        loss = g.loss.latex.replace("{y}", "y").replace("{yhat}", r"\hat{y}")
        # in batch form a^[L] is no value of the derivation (A^[L] is): L's y-hat is its
        # argument, and the next row says Y-hat = A^[L] (lecturer44; "y-hat a column of
        # Y-hat" ran a slide's line 23 pt wide)
        where = "" if d.batch else rf", \qquad \hat{{y}} = a^{{[{g.depth}]}}"
        rows = [(r"\mathcal{L}(\hat{y}, y)", f"{loss}{where}")]
        if d.batch:
            cost = r"\frac{1}{m} \sum_{i=1}^{m} \mathcal{L}\bigl(\hat{y}^{(i)}, y^{(i)}\bigr)"
            if net.l2:
                cost += r" + \frac{\lambda}{2m} \sum_{l} \lVert W^{[l]} \rVert_F^2"
            cost += rf", \qquad \hat{{Y}} = {yhat}"
        else:
            cost = rf"\mathcal{{L}}({yhat}, {y})"
            if net.l2:
                cost += r" + \frac{\lambda}{2} \sum_{l} \lVert W^{[l]} \rVert_F^2"
        return [*rows, ("J", cost)]

    def cost(self) -> list[str]:
        rows = [r"\section*{Cost}", r"\begin{align*}"]
        equations = self.cost_equations()
        rows += [
            # \\*: the definition of the loss and J = ... on one page (J stood alone at the
            # top of the next: lecturer43 #4)
            f"{lhs} &= {rhs}" + (r" \\*" if index < len(equations) - 1 else "")
            for index, (lhs, rhs) in enumerate(equations)
        ]
        rows.append(r"\end{align*}")
        for step in self.d.steps:  # each stated assumption, its target set as mathematics
            if step.assumption is not None:
                rows.append(r"\emph{Assumption:} " + self.prose(step.segments[1:]) + ".")
        return rows

    def candidate(self, cand: Candidate) -> str:
        left, right = self.factor(cand.left, cand), self.factor(cand.right, cand)
        op = r" \odot " if cand.op == "⊙" else r" \, "
        return left + op + right

    def factor(self, operand: Operand, cand: Candidate) -> str:
        """``operand`` as a factor of ``cand`` (grouped where it is a product or a sum)."""
        return factor_latex(self.operand(operand), operand)

    def underbraced(self, cand: Candidate) -> str:
        parts = []
        for operand in (cand.left, cand.right):
            tex = self.operand(operand)
            parts.append(rf"\underbrace{{{tex}}}_{{{self.naming.shape(operand.shape)}}}")
        op = r" \odot " if cand.op == "⊙" else r" \, "
        return parts[0] + op + parts[1]

    def step(self, index: int, step: Step) -> list[str]:
        target = self.target(step)
        inline = target if step.wrt is None else segment_math(Grad(step.wrt), self.printer)
        rows = [
            rf"\paragraph{{Step {index}}} ${inline}$, "
            rf"${self.shape(step.shape)}$ (rule: {escape_latex(step.rule)}"
            + (rf"; stored as ${self.name(step.delta.name)}$" if step.delta is not None else "")
            + ").",
        ]
        chosen = step.chosen
        if (
            chosen is not None
            and not step.per_column
            and (step.expr == chosen.expr or step.rule != "bilinear")
        ):
            # the shape argument in the equation itself: target = underbraced operands (= result)
            lhs = rf"{target} &= {self.underbraced(chosen)}"
            # the result too where the operands read otherwise: tanh'(z1) under its brace,
            # 1 - a1^2 as the derivation reads it from the cache (sigmoid's a ⊙ (1 - a) had its
            # line, tanh's and softplus's none: lecturer46 #3)
            same = step.expr == chosen.expr and _unsized(self.candidate(chosen)) == _unsized(
                self.math(step.expr)
            )
            parts = [] if same else self.lines(step.expr)
            body = [lhs] + ([rf"&= {parts[0]}"] if parts else [])
            body += [rf"&\quad {part}" for part in parts[1:]]
            rows += [r"\begin{align*}", align_rows(body), r"\end{align*}"]
        else:
            rows += [
                r"\begin{align*}",
                align_rows(self.aligned(target, step.expr)),
                r"\end{align*}",
            ]
            if chosen is not None:
                shape = rf"${self.naming.shape(chosen.shape or step.shape)}$"
                lead = "Shape analysis" + (" of one column" if step.per_column else "")
                rows.append(
                    rf"{lead}: $\displaystyle {self.underbraced(chosen)}$ fits, and so does "
                    rf"its equal form below (both {shape})."
                    if step.equal_forms
                    else rf"{lead}: $\displaystyle {self.underbraced(chosen)}$ fits {shape}, "
                    "and so does another below."
                    if also_fitting(step.candidates, chosen)
                    else rf"{lead}: the only arrangement of shape {shape} is "
                    rf"$\displaystyle {self.underbraced(chosen)}$."
                )
                rows.append("")
        if chosen is not None:
            rows += candidate_rows(step.candidates, self.candidate, self.prose, chosen)
        if step.algebra_segments:
            rows += [
                r"Scalar algebra inside $\odot$:",
                *display_block(step.algebra_segments, self.printer, LINE_WIDTH),
            ]
        if step.cached or step.targets_read:
            read = (
                [
                    f"reuses {', '.join(f'${self.name(n)}$' for n in step.cached)} from the "
                    "forward cache"
                ]
                if step.cached
                else []
            )
            if step.targets_read:
                read.append(
                    f"reads the target {', '.join(f'${self.name(n)}$' for n in step.targets_read)}"
                )
            text = "; ".join(read)
            rows.append(text[0].upper() + text[1:] + ".")
            rows.append("")
        rows.append(r"{\small \emph{Why:} " + self.prose(step.segments) + ".}")
        return rows

    def derivation(self) -> list[str]:
        rows = [r"\section*{Derivation, step by step}"]
        note = self.view.generic_note(self.naming.dim, lambda tex: f"${tex}$")
        if note:
            rows += [r"\emph{Note:} " + note + ".", ""]
        if self.view.wrt:
            rows.append(
                rf"Only the steps on the path from the loss to ${self.name(self.view.wrt)}$."
            )
        for step in self.view.steps:  # numbered as the derivation (and the code) number them
            rows += self.step(step.number, step)
        return rows

    def delta_rows(self, *, numbered: bool = False) -> list[str]:
        """The delta recursion as align rows."""
        d = self.d
        rows: list[str] = []
        for layer in self.view.delta_layers:
            rows += self.aligned(
                self.name(d.delta_symbols[layer].name), d.deltas[layer], numbered=numbered
            )
        return rows

    def gradient_rows(self, *, numbered: bool = False) -> list[str]:
        d = self.d
        rows: list[str] = []
        for name in self.view.parameters:
            rows += self.aligned(self.grad(name), d.gradients[name], numbered=numbered)
        return rows

    def expanded_rows(self, *, numbered: bool = False) -> list[str]:
        rows: list[str] = []
        for name, expr in self.view.expanded_gradients().items():
            rows += self.aligned(self.grad(name), expr, numbered=numbered)
        return rows

    def results(self) -> list[str]:
        z = "Z" if self.d.batch else "z"  # as the forward equations write it
        rows = [
            r"\section*{Delta recursion and gradients}",
            rf"With $\delta^{{[l]}} = \partial J / \partial {z}^{{[l]}}$, "
            + (
                r"each $\delta^{[l]}$ before the last reuses $\delta^{[l+1]}$:"
                if len(self.d.deltas) > 1  # the network's layers, not a --wrt view's
                else "one layer (nothing to reuse):"
            ),
            r"\begin{align*}",
            # a short recursion stays on one page (\\* forbids a break there: newcomer28 saw
            # delta3 end page 4 and delta2, delta1 open page 5); a deep one may break
            (" \\\\*\n" if len(self.view.delta_layers) <= 6 else " \\\\\n").join(
                self.delta_rows()
            ),
            r"\end{align*}",
            "and the gradients are",
            r"\begin{align*}",
            align_rows(self.gradient_rows(), "[3pt]"),
            r"\end{align*}",
        ]
        if self.view.expanded_note:
            rows.append(r"\emph{Note:} " + escape_latex(self.view.expanded_note) + ".")
        elif self.view.show_expanded:
            rows += [
                r"Substituting every $\delta^{[l]}$:",
                r"\begin{align*}",
                align_rows(self.expanded_rows(), "[3pt]"),
                r"\end{align*}",
            ]
        return rows

    def update(self) -> list[str]:
        if self.view.wrt:
            # a --wrt document derives one gradient: its step is the one it can state
            # (lecturer43: "for l = 1, 2, 3" named gradients the page never derived)
            name = self.name(self.view.wrt)
            return [
                r"\section*{Gradient descent}",
                rf"With learning rate $\alpha$, the step for ${name}$:",
                r"\begin{align*}",
                rf"{name} &:= {name} - \alpha \, {self.grad(self.view.wrt)}",
                r"\end{align*}",
            ]
        depth = self.d.depth
        layers = ", ".join(map(str, range(1, depth + 1))) if depth <= 3 else rf"1, \dots, {depth}"
        return [
            r"\section*{Gradient descent}",
            rf"With learning rate $\alpha$, for $l = {layers}$:",
            r"\begin{align*}",
            r"W^{[l]} &:= W^{[l]} - \alpha \, \frac{\partial J}{\partial W^{[l]}}, &"
            r"b^{[l]} &:= b^{[l]} - \alpha \, \frac{\partial J}{\partial b^{[l]}}",
            r"\end{align*}",
        ]

    # -- the two outputs ---------------------------------------------------------------------
    def document(self, *, figure: bool = True) -> str:
        net = self.d.network
        rows = [
            f"% generated by symbackprop {__version__}: {net.compact} ({self.loss_words()})",
            r"\documentclass[11pt]{article}",
            r"\usepackage[a4paper,margin=2.2cm]{geometry}",
            r"\usepackage{amsmath}",
            r"\usepackage{bm}",
            r"\usepackage{graphicx}",
            *([r"\usepackage{tikz}"] if figure else []),
            FIT_WIDTH,
            r"\allowdisplaybreaks",
            r"\setlength{\parindent}{0pt}",
            r"\setlength{\parskip}{4pt}",
            # a deep network's spec is one long word per layer: room to break a line between
            # them rather than run into the margin
            r"\setlength{\emergencystretch}{3em}",
            r"\begin{document}",
            r"\begin{center}",
            r"{\Large Backpropagation for \texttt{" + spec_latex(net.compact) + r"}}\\[2pt]",
            r"{\small derived by symbackprop " + __version__ + r"}",
            r"\end{center}",
            "",
        ]
        for section in (
            self.architecture(figure=figure),
            self.forward(),
            self.cost(),
            self.derivation(),
            self.results(),
            self.update(),
        ):
            rows += section
            rows.append("")
        rows.append(r"\end{document}")
        return "\n".join(rows) + "\n"

    def snippet(self) -> str:
        net = self.d.network
        rows = [
            f"% symbackprop {__version__}: {net.compact} ({self.loss_words()}; "
            f"{self.view.mode_text}); needs amsmath",
            BREAKS_OPEN,
            r"\begin{align}",
        ]
        body = self.delta_rows(numbered=True)
        expanded = self.view.expanded_gradients()
        for name in self.view.parameters:
            # each gradient once: compact, then (when it differs) = its expanded form
            rows_ = self.aligned(self.grad(name), self.d.gradients[name])
            full = expanded.get(name)
            if full is not None and self.math(full) != self.math(self.d.gradients[name]):
                parts = self.lines(full, SNIPPET_LINE_WIDTH)
                rows_ += [rf"&= {parts[0]}"] + [rf"&\quad {part}" for part in parts[1:]]
            # one equation number per gradient, on its last row
            rows_ = [row.removesuffix(r" \notag") for row in rows_]
            body += [rf"{row} \notag" for row in rows_[:-1]] + [rows_[-1]]
        rows.append(align_rows(body))
        rows += [r"\end{align}", BREAKS_CLOSE]
        if self.view.expanded_note:
            rows.append(f"% note: {self.view.expanded_note}")
        return "\n".join(rows) + "\n"


@without_cyclic_gc
def to_latex(
    d: Derivation,
    *,
    standalone: bool = True,
    wrt: str | None = None,
    expanded: bool = True,
    sizes: dict[str, int] | None = None,
    figure: bool = True,
    indices: bool = False,
) -> str:
    """The derivation as a standalone LaTeX document, or (``standalone=False``) an ``align``
    snippet with the delta recursion and the gradients to paste into existing notes.

    ``figure``: the document draws the network (or a model's graph) with TikZ (Debian
    ``texlive-pictures``); ``figure=False`` leaves it out for a bare ``texlive-latex-base``.
    ``indices=True`` adds the index view (each step entry by entry, then in matrix form;
    dense networks only) as the document's last section, or after the snippet.
    """
    require_derivation(
        d, "to_latex", standalone=standalone, expanded=expanded, figure=figure, indices=indices
    )
    if isinstance(d, ModelDerivation):
        if indices:
            raise SpecError("the index view (indices) is for dense networks, not models")
        return source_lines(
            model_latex.to_latex(
                d, standalone=standalone, wrt=wrt, expanded=expanded, sizes=sizes, figure=figure
            )
        )
    view = View(d, wrt=wrt, expanded=expanded, extra_sizes=shown_sizes(sizes, d))
    doc = LatexDocument(view)
    out = doc.document(figure=figure) if standalone else doc.snippet()
    out = with_index_view(out, d, wrt=wrt, standalone=standalone) if indices else out
    return source_lines(out)


def with_index_view(tex: str, d: Derivation, *, wrt: str | None, standalone: bool) -> str:
    """``tex`` with the index view added: before ``\\end{document}``, or after a snippet."""
    section = "\n".join(index_latex_section(d, wrt=wrt)) + "\n"
    if not standalone:  # the index view runs over pages: its displays break, in the snippet's
        # group that allows it (hostile35b #3)
        body, closed, note = tex.rpartition(BREAKS_CLOSE + "\n")
        return body + "\n" + section + closed + note
    end = "\\end{document}\n"
    return tex.removesuffix(end) + section + "\n" + end


def _unsized(tex: str) -> str:
    """``tex`` with its brackets' sizes left out: ``\\left(`` and ``\\bigl(`` are ``(``."""
    for size in (r"\left", r"\right", r"\bigl", r"\bigr", r"\Bigl", r"\Bigr"):
        tex = tex.replace(size, "")
    return tex
