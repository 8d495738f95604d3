"""A Beamer deck for a lecturer: the network, forward pass and cost, one frame per step
(the equation with its shape underbraces first, then the reason, the rejected arrangements
and the reused cache one click at a time), the delta recursion built up one delta per click,
and the gradients.

The pieces of mathematics come from :class:`~symbackprop.render.latex.LatexDocument` (the same
printer, names and shape argument as the notes); this module only arranges them in frames.
Dense networks only; the output depends only on the derivation (same spec, same bytes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from symbackprop._version import __version__
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.core.segments import Grad
from symbackprop.errors import SpecError
from symbackprop.render.latex import FIT_WIDTH, LatexDocument
from symbackprop.render.latexprint import source_lines
from symbackprop.render.names import escape_latex, spec_latex
from symbackprop.render.prose import latex_inline, segment_math
from symbackprop.render.shown_sizes import shown_sizes
from symbackprop.render.view import View

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation, Step

#: estimated width of one display line on a slide (see latexprint.visual_width)
SLIDE_WIDTH = 34
#: a step's equation over this many display rows (its underbraced arrangement and a form broken
#: over two lines) leaves no room below its reason: the rejected arrangements and the algebra go
#: on a frame of their own (the leaky ReLU step of 3-2:leaky_relu-2:softplus-1 ran 2.3 pt over;
#: the steps of two rows fit with 4 pt or more to spare)
TALL_EQUATION = 3
#: a reason longer than this many characters (plain text) leaves no room below it either: the
#: sigmoid + bce step of a batch (435, with the batch mean's 1/m said) ran 3 pt over; 350 fit
LONG_REASON = 400


class SlideDeck:
    """Builds the frames for one :class:`View`; see :func:`to_slides`."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.d = view.d
        self.doc = LatexDocument(view)

    def aligned(self, lhs: str, expr: object) -> list[str]:
        parts = self.doc.lines(expr, SLIDE_WIDTH)
        return [f"{lhs} &= {parts[0]}"] + [rf"&\quad {part}" for part in parts[1:]]

    @staticmethod
    def frame(title: str, body: list[str]) -> list[str]:
        return [r"\begin{frame}", rf"\frametitle{{{title}}}", *body, r"\end{frame}", ""]

    # -- frames ------------------------------------------------------------------------------
    def title(self) -> list[str]:
        return [r"\begin{frame}", r"\titlepage", r"\end{frame}", ""]

    def network(self) -> list[str]:
        """The layers' table, over several frames of at most :data:`NETWORK_ROWS` rows for a
        deep network (20 layers ran 115 pt below the frame)."""
        d, g, doc = self.d, self.d.graph, self.doc
        layers = [rf"$0$ & ${doc.units(0)}$ & input ${doc.name(g.x.name)}$ & \\"]
        for layer in range(1, g.depth + 1):
            layers.append(
                rf"${layer}$ & ${doc.units(layer)}$ & "
                rf"${doc.printer._act(g.activation(layer).name)}$ & "
                rf"${doc.shape(d.shapes[g.W(layer).name])}$ \\"
            )
        groups = _fitted(layers, NETWORK_ROWS, lambda row: 1)
        out: list[str] = []
        for part, group in enumerate(groups, start=1):
            body = [
                r"\begin{center}",
                r"\fitwidth{\begin{tabular}{clll}",
                r"$l$ & units & activation & $W^{[l]}$ \\ \hline",
                *group,
                r"\end{tabular}}",
                r"\end{center}",
            ]
            if part == len(groups):
                body += [
                    # what every other format says here too: the L2 weight, and what a custom
                    # activation is (lecturer45 #2, #3: a deck never said either)
                    rf"Loss: {escape_latex(g.loss.description)}; "
                    + latex_inline(self.view.mode, doc.printer)
                    + doc.l2_clause()
                    + ".",
                    *doc.definitions(),
                    r"\pause",
                    "",
                    r"Each gradient has the shape of what it differentiates: "
                    r"$\partial J / \partial W^{[l]}$ is $n_l \times n_{l-1}$.",
                ]
            out += self.frame(_titled("The network", part, len(groups)), body)
        return out

    def forward(self) -> list[str]:
        """Each layer's z and a, one layer per click; a deep network's over several frames of
        at most :data:`FORWARD_ROWS` layers (20 layers ran 189 pt below the frame)."""
        g, doc = self.d.graph, self.doc
        groups = _fitted(list(range(1, g.depth + 1)), FORWARD_ROWS, lambda layer: 1)
        out: list[str] = []
        for part, group in enumerate(groups, start=1):
            rows = []
            for number, layer in enumerate(group, start=1):
                z, a = g.z(layer), g.a(layer)
                reveal = rf"\uncover<{number}->"
                z_def, a_def = doc.math(self.d.forward[z.name]), doc.math(self.d.forward[a.name])
                rows.append(
                    rf"{reveal}{{{doc.name(z.name)}}} &{reveal}{{= {z_def}}}, & "
                    rf"{reveal}{{{doc.name(a.name)}}} &{reveal}{{= {a_def}}}"
                )
            body = [r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]
            if part == len(groups):
                body.append(doc.cache_reads() + ".")
            out += self.frame(_titled("Forward propagation", part, len(groups)), body)
        return out

    def cost(self) -> list[str]:
        cost = self.doc.cost()
        body = [row for row in cost[1:] if not row.startswith(r"\section")]
        return self.frame("The cost", body)

    def step(self, step: Step) -> list[str]:
        doc = self.doc
        target = doc.target(step)
        chosen = step.chosen
        if (
            chosen is not None
            and not step.per_column
            and (step.expr == chosen.expr or step.rule != "bilinear")
        ):
            rows = [rf"{target} &= {doc.underbraced(chosen)}"]
            if step.expr != chosen.expr:
                rows += self.aligned("", step.expr)[0:1]
                rows[-1] = "&" + rows[-1].removeprefix(" &")
                rows += self.aligned("", step.expr)[1:]
        else:
            rows = self.aligned(target, step.expr)
        if step.delta is not None:  # kept under the name the recursion uses
            rows[-1] += rf" =: {doc.name(step.delta.name)}"
        body = [r"\begin{align*}", " \\\\\n".join(rows), r"\end{align*}"]
        if chosen is not None and step.per_column:
            body.append(
                r"{\small Shape analysis of one column: "
                rf"$\displaystyle {doc.underbraced(chosen)}$ fits.}}"
            )
        elif chosen is not None and step.rule == "bilinear" and step.expr != chosen.expr:
            body.append(
                r"{\small Shape analysis: only "
                rf"$\displaystyle {doc.underbraced(chosen)}$ fits.}}"
            )
        body += [r"\pause", "", r"{\footnotesize \emph{Why:} " + doc.prose(step.segments) + ".}"]
        more: list[str] = []
        # every arrangement but the one kept: those equal to it (softmax's S g), then the rest
        # one arrangement a line, marked as the web page marks them (a paragraph of seven
        # joined by semicolons could not be read from the back of a room: lecturer43 #7)
        equal = [
            rf"\item[$=$] ${doc.candidate(c)}$: {doc.prose(c.notes)}" for c in step.equal_forms
        ]
        rejected = [
            rf"\item[$\times$] ${doc.candidate(c)}$: {doc.prose(c.notes)}"
            for c in step.candidates
            if not c.fits
        ]
        listed = len(equal) + len(rejected)
        if equal or rejected:
            # on a frame of their own (more than LISTED), in a size read from the back
            size = r"\scriptsize" if listed <= LISTED else r"\small"
            more += [
                r"\pause",
                "",
                rf"{{{size} Every other arrangement:",
                r"\begin{itemize}\setlength{\itemsep}{0pt}",
                *equal,
                *rejected,
                r"\end{itemize}}",
            ]
        if step.algebra_segments:
            more += [
                r"\pause",
                "",
                # inline, so a frame keeps its height; TeX breaks a long chain at its signs
                r"{\footnotesize Scalar algebra inside $\odot$: "
                + latex_inline(step.algebra_segments, doc.printer)
                + "}",
            ]
        if step.wrt is None:  # numbered as every other format numbers it (lecturer45 #4)
            title = f"Step {step.number}: ${target}$ (assumption)"
        else:
            grad = segment_math(Grad(step.wrt), doc.printer)
            title = f"Step {step.number}: ${grad}$ ({escape_latex(step.rule)})"
        if (
            len(rows) < TALL_EQUATION and len(step.reason) <= LONG_REASON and listed <= LISTED
        ) or not more:
            return self.frame(title, body + more)
        return self.frame(title, body) + self.frame(f"{title}, continued", more[2:])

    def recursion(self) -> list[str]:
        """The delta recursion, one delta per click, from the output layer down; a deep
        network's over several frames of at most :data:`RECURSION_LINES` lines each."""
        doc = self.doc
        deltas = [
            (
                doc.name(self.d.delta_symbols[layer].name),
                doc.lines(self.d.deltas[layer], SLIDE_WIDTH),
            )
            for layer in self.view.delta_layers
        ]
        z = "Z" if self.d.batch else "z"  # as the forward equations write it
        lead = rf"Each $\delta^{{[l]}} = \partial J / \partial {z}^{{[l]}}$ " + (
            r"before the last reuses $\delta^{[l+1]}$:"
            if len(self.d.deltas) > 1  # the network's layers, not a --wrt view's
            else "(one layer: nothing to reuse):"
        )
        groups = _fitted(deltas, RECURSION_LINES, lambda delta: len(delta[1]))
        out: list[str] = []
        for part, group in enumerate(groups, start=1):
            rows = []
            for number, (lhs, parts) in enumerate(group, start=1):
                reveal = rf"\uncover<{number}->"
                rows.append(rf"{reveal}{{{lhs}}} &{reveal}{{= {parts[0]}}}")
                rows += [rf"&{reveal}{{\quad {line}}}" for line in parts[1:]]
            body = [lead if part == 1 else "The recursion, continued:", r"\begin{align*}"]
            body += [" \\\\\n".join(rows), r"\end{align*}"]
            out += self.frame(_titled("The delta recursion", part, len(groups)), body)
        return out

    def gradients(self) -> list[str]:
        """W and b of a layer side by side, one layer per row; at most
        :data:`GRADIENT_ROWS` rows a frame (8 layers ran 18 pt below the frame: lecturer43
        #3)."""
        rows: list[str] = []
        names = self.view.parameters
        for index in range(0, len(names), 2):
            pair = [
                f"{self.doc.grad(name)} &= {self.doc.math(self.d.gradients[name])}"
                for name in names[index : index + 2]
            ]
            rows.append(" & ".join(pair))
        groups = _fitted(rows, GRADIENT_ROWS, lambda row: 1)
        out: list[str] = []
        for part, group in enumerate(groups, start=1):
            body = [r"\begin{align*}", " \\\\[4pt]\n".join(group), r"\end{align*}"]
            out += self.frame(_titled("The gradients", part, len(groups)), body)
        return out

    def deck(self) -> str:
        net = self.d.network
        rows = [
            f"% generated by symbackprop {__version__}: {net.compact} ({self.doc.loss_words()}), "
            "slides",
            r"\documentclass[11pt]{beamer}",
            r"\usepackage{amsmath}",
            r"\usepackage{bm}",
            FIT_WIDTH,
            r"\setbeamertemplate{navigation symbols}{}",
            r"\usefonttheme[onlymath]{serif}",
            r"\setbeamercovered{transparent}",
            r"\title{Backpropagation, step by step}",
            r"\subtitle{\texttt{"
            + spec_latex(net.compact)
            + "}, "
            + latex_inline(self.view.mode, self.doc.printer)
            + "}",
            r"\author{derived by symbackprop " + __version__ + "}",
            r"\date{}",
            r"\begin{document}",
            "",
        ]
        rows += self.title() + self.network() + self.forward() + self.cost()
        for step in self.view.steps:
            rows += self.step(step)
        rows += self.recursion() + self.gradients()
        rows.append(r"\end{document}")
        return "\n".join(rows) + "\n"


def to_slides(
    d: Derivation, *, wrt: str | None = None, sizes: dict[str, int] | None = None
) -> str:
    """The derivation as a Beamer deck (``\\documentclass{beamer}``; Debian
    ``texlive-latex-recommended``): one frame per step, the delta recursion built up."""
    if isinstance(d, ModelDerivation):
        raise SpecError("slides are for dense networks, not models")
    view = View(d, wrt=wrt, extra_sizes=shown_sizes(sizes, d))
    return source_lines(SlideDeck(view).deck())


#: the most other arrangements listed below a step's reason on its own frame; more go to a
#: frame of their own
LISTED = 3

#: the most rows of gradients on one frame (one layer's W and b a row), and the most lines of
#: the delta recursion: 8 of each ran below the frame (lecturer43 #3)
GRADIENT_ROWS = 6
RECURSION_LINES = 8
#: the most layers in the network's table on one frame, and in the forward pass
NETWORK_ROWS = 10
FORWARD_ROWS = 8

_T = TypeVar("_T")


def _fitted(items: list[_T], most: int, lines: Callable[[_T], int]) -> list[list[_T]]:
    """``items`` in order, in as few groups of at most ``most`` lines as hold them (an item
    longer than that alone in its group), the lines shared as evenly as that count allows
    (8 layers: 4 and 4 rows, not 6 and 2)."""

    def groups(capacity: int) -> list[list[_T]]:
        out: list[list[_T]] = [[]]
        used = 0
        for item in items:
            size = lines(item)
            if out[-1] and used + size > capacity:
                out.append([])
                used = 0
            out[-1].append(item)
            used += size
        return out

    fewest = len(groups(most))  # filling each in order is the fewest in order
    total = sum(lines(item) for item in items)
    for capacity in range(-(-total // fewest), most + 1):
        if len(groups(capacity)) <= fewest:
            return groups(capacity)
    return groups(most)


def _titled(title: str, part: int, parts: int) -> str:
    """``The gradients``, or ``The gradients (2 of 3)`` where the frames are several."""
    return title if parts == 1 else f"{title} ({part} of {parts})"
