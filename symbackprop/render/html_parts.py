"""What the web page needs to know of a network's or a model's derivation, in one interface.

The page (:mod:`.html`) is the same for both; :class:`NetworkParts` and :class:`ModelParts`
answer its questions (the title, the shape table, the forward equations, how a step's target,
a candidate's factors and a reason are shown, the recursion and the gradients) from the
view and the LaTeX pieces the other printers use, so every name is the one the PDF shows.
Mathematics leaves here as MathML (children of a ``<math>``); words as escaped HTML.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from symbackprop.core.segments import (
    Dim,
    Grad,
    Math,
    Prime,
    Rel,
    Segment,
    ShapeOf,
    Text,
)
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.render.formula_latex import formula_latex
from symbackprop.render.latex import LatexDocument
from symbackprop.render.mathml import MathMLPrinter, math, paren
from symbackprop.render.mathml_model import ModelMathMLPrinter
from symbackprop.render.mathml_tex import el, mo, mrow, tex_to_mathml
from symbackprop.render.model_latex import ModelLatex
from symbackprop.render.model_names import name_latex
from symbackprop.render.model_view import ModelView
from symbackprop.render.names import concrete, number_latex
from symbackprop.render.prose import factor_latex
from symbackprop.render.shown_sizes import shown_sizes
from symbackprop.render.view import View

if TYPE_CHECKING:
    from symbackprop.core.candidates import Candidate, Operand
    from symbackprop.core.derivation import Step
    from symbackprop.core.model_derivation import ModelDerivation


class Parts:
    """The common half: prose, shapes, candidates (see the module docstring)."""

    d: Any
    view: Any
    doc: Any
    model: Any
    printer: MathMLPrinter
    sizes: dict[str, int]

    # -- what each kind of derivation answers ---------------------------------------------------
    @property
    def title(self) -> str:
        raise NotImplementedError

    @property
    def heading(self) -> str:
        raise NotImplementedError

    @property
    def steps(self) -> list[Step]:
        raise NotImplementedError

    def intro(self) -> str:
        raise NotImplementedError

    def shape_columns(self) -> list[str]:
        raise NotImplementedError

    def shape_rows(self) -> list[list[str]]:
        raise NotImplementedError

    def forward_rows(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def forward_title(self) -> str:
        return "Forward propagation" if self.model is None else "The model's equations"

    def recursion_title(self) -> str:
        raise NotImplementedError

    def recursion_rows(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def gradient_rows(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def expanded_rows(self) -> list[tuple[str, str]]:
        raise NotImplementedError

    def stored(self, step: Step) -> str:
        raise NotImplementedError

    def uses(self, step: Step) -> list[str]:
        raise NotImplementedError

    def targets_read(self, step: Step) -> list[str]:
        """The data a step reads that backward is given, not from the cache (y)."""
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------------

    def mathml(self, expr: Any) -> str:
        return self.printer.mathml(expr)

    def whole(self, expr: Any) -> str:
        """``expr`` as a whole side of an equation."""
        return self.mathml(expr)

    def tex(self, tex: str) -> str:
        return tex_to_mathml(tex)

    def shape(self, shape: tuple[Any, Any], *, sizes: bool = True) -> str:
        out = self.tex(self.doc.naming.shape(shape))
        known = concrete(shape, self.sizes) if sizes else None
        if known and (str(shape[0]), str(shape[1])) != (str(known[0]), str(known[1])):
            out += mrow(
                el("mspace", width="0.4em"), paren(self.tex(rf"{known[0]} \times {known[1]}"))
            )
        return out

    def size(self, shape: tuple[Any, Any]) -> str:
        """The concrete size of a shape, when every dimension has one (else empty)."""
        known = concrete(shape, self.sizes)
        return math(self.tex(rf"{known[0]} \times {known[1]}")) if known else ""

    def segments(self, segments: tuple[Segment, ...], own: Any = None) -> tuple[Segment, ...]:
        return segments

    def segment(self, segment: Segment) -> str:
        """One segment that is not words, as MathML."""
        naming = self.doc.naming
        if isinstance(segment, Math):
            return self.tex(segment.latex) if segment.latex else self.mathml(segment.expr)
        if isinstance(segment, Dim):
            return self.tex(naming.dim(segment.dim))
        if isinstance(segment, ShapeOf):
            return self.tex(naming.shape(segment.shape))
        if isinstance(segment, Grad):
            return self.tex(r"\partial J / \partial " + naming.target(str(segment.symbol.name)))
        if isinstance(segment, Prime):
            name = el("msup", mrow(self.tex(segment.latex)), mo("′"))
            if segment.arg is None:
                return name
            return mrow(name, paren(self.arg(segment.arg)))
        if isinstance(segment, Rel):
            return mo(segment.rel)
        raise TypeError(f"not a math segment: {segment!r}")

    def arg(self, expr: Any) -> str:
        return self.mathml(expr)

    def prose(self, segments: tuple[Segment, ...], own: Any = None) -> str:
        """Words as HTML, each run of mathematics as one inline ``<math>``."""
        out: list[str] = []
        run: list[str] = []
        for segment in [*self.segments(segments, own), Text("")]:
            if isinstance(segment, Text):
                if run:
                    out.append(math(mrow(*run)))
                    run = []
                out.append(escape(segment.text))
            else:
                run.append(self.segment(segment))
        return "".join(out)

    def display(self, segments: tuple[Segment, ...]) -> str:
        """Segments as one line of display math (an algebra chain), words as ``<mtext>``."""
        out = []
        for segment in self.segments(segments):
            if isinstance(segment, Text):
                out.append(el("mtext", escape(segment.text).replace(" ", "\u00a0")))
            else:
                out.append(self.segment(segment))
        return mrow(*out)

    def operand(self, operand: Operand) -> str:
        return self.tex(self.doc.operand(operand))

    def candidate(self, cand: Candidate) -> str:
        op = mo("⊙") if cand.op == "⊙" else mo("\u2062")
        left, right = (
            self.tex(factor_latex(self.doc.operand(operand), operand))
            for operand in (cand.left, cand.right)
        )
        return mrow(left, op, right)

    def underbraced(self, cand: Candidate) -> str:
        """The chosen arrangement with each factor's shape written under a brace."""
        parts = []
        for operand in (cand.left, cand.right):
            brace = mo("⏟", stretchy="true")  # stretches to the factor's width
            braced = el("munder", mrow(self.operand(operand)), brace)
            shape = mrow(self.tex(self.doc.naming.shape(operand.shape)))
            parts.append(el("munder", braced, shape))
        # room between the factors, so that the shapes under them do not run together
        op = mo("⊙") if cand.op == "⊙" else el("mspace", width="0.6em")
        return mrow(parts[0], op, parts[1])

    def target(self, step: Step) -> str:
        return self.tex(self.doc.target(step))

    def inline_target(self, step: Step) -> str:
        """The target in running text: ∂J/∂W^{[2]} on one line."""
        if step.wrt is None:
            return self.target(step)
        return self.segment(Grad(step.wrt))


class NetworkParts(Parts):
    """A dense network's derivation."""

    def __init__(self, d: Any, *, sizes: dict[str, int] | None = None) -> None:
        self.d = d
        self.view = View(d, expanded=True, extra_sizes=shown_sizes(sizes, d))
        self.doc = LatexDocument(self.view)
        self.printer = MathMLPrinter(self.view.activation_latex, self.doc.naming)
        self.sizes = self.view.sizes
        self.model = None

    @property
    def title(self) -> str:
        return f"Backpropagation for {self.d.network.compact}"

    @property
    def heading(self) -> str:
        return "Backpropagation for <code>" + escape(self.d.network.compact) + "</code>"

    def intro(self) -> str:
        net, g = self.d.network, self.d.graph
        text = f"Loss {escape(net.loss)} ({escape(g.loss.description)}), "
        text += self.prose(self.view.mode)  # m in MathML, as everywhere else
        if net.l2:
            weight = number_latex(net.l2_text)
            text += ", L2 weight decay " + math(self.tex(rf"\lambda = {weight}"))
        text += "."
        for name, formula in self.view.definitions:
            text += f" Custom activation: <code>{escape(f'{name}(z) = {formula}')}</code>."
        return text

    def shape_columns(self) -> list[str]:
        return ["name", "shape", "size"]

    def shape_rows(self) -> list[list[str]]:
        rows = []
        for name in self.view.table_names():
            shape = self.d.shapes[name]
            rows.append(
                [
                    math(self.tex(self.doc.name(name))),
                    math(self.shape(shape, sizes=False)),
                    self.size(shape),
                ]
            )
        return rows

    def forward_rows(self) -> list[tuple[str, str]]:
        """The forward equations, then the loss and the cost (as the document's Cost)."""
        forward = [
            (self.tex(self.doc.name(name)), self.mathml(expr))
            for name, expr in self.d.forward.items()
        ]
        cost = [(self.tex(lhs), self.tex(rhs)) for lhs, rhs in self.doc.cost_equations()]
        return forward + cost

    def recursion_title(self) -> str:
        return "Delta recursion"

    def recursion_rows(self) -> list[tuple[str, str]]:
        d = self.d
        return [
            (self.tex(self.doc.name(d.delta_symbols[layer].name)), self.mathml(d.deltas[layer]))
            for layer in self.view.delta_layers
        ]

    def gradient_rows(self) -> list[tuple[str, str]]:
        return [
            (self.tex(self.doc.grad(name)), self.mathml(self.d.gradients[name]))
            for name in self.view.parameters
        ]

    def expanded_rows(self) -> list[tuple[str, str]]:
        return [
            (self.tex(self.doc.grad(name)), self.mathml(expr))
            for name, expr in self.view.expanded_gradients().items()
        ]

    def stored(self, step: Step) -> str:
        if step.delta is None:
            return ""
        return "stored as " + math(self.tex(self.doc.name(step.delta.name)))

    def uses(self, step: Step) -> list[str]:
        return [self.tex(self.doc.name(name)) for name in step.cached]

    def targets_read(self, step: Step) -> list[str]:
        return [self.tex(self.doc.name(name)) for name in step.targets_read]

    @property
    def steps(self) -> list[Step]:
        return self.view.steps


class ModelParts(Parts):
    """A model's derivation."""

    def __init__(self, d: ModelDerivation, *, sizes: dict[str, int] | None = None) -> None:
        self.d = d
        self.view = ModelView(d, expanded=True, extra_sizes=shown_sizes(sizes, d))
        self.doc = ModelLatex(self.view)
        self.model = self.view.model
        acts = {name: rec.latex for name, rec in ACTIVATIONS.items()}
        self.printer = ModelMathMLPrinter(self.view.names, acts)
        self.sizes = self.view.sizes

    @property
    def title(self) -> str:
        return "Backpropagation for a model in " + ", ".join(self.model.parameters)

    @property
    def heading(self) -> str:
        names = ", ".join(math(self.tex(name_latex(p))) for p in self.model.parameters)
        return "Backpropagation for a model in " + names

    def intro(self) -> str:
        model = self.model
        params = ", ".join(math(self.tex(name_latex(p))) for p in model.parameters)
        data = ", ".join(math(self.tex(name_latex(p))) for p in model.data) or "none"
        cost = math(self.tex(name_latex(model.cost)))
        mode = self.prose(self.view.mode)  # m in MathML, as everywhere else
        return f"Parameters {params}; data {data}; cost {cost} ({mode})."

    def segments(self, segments: tuple[Segment, ...], own: Any = None) -> tuple[Segment, ...]:
        return self.doc.segments(segments, own)

    def arg(self, expr: Any) -> str:
        return self.printer.arg(expr)

    def whole(self, expr: Any) -> str:
        """``expr`` as a whole side of an equation: a lone internal value without brackets."""
        return self.printer.whole(expr)

    def shape_columns(self) -> list[str]:
        return ["name", "kind", "shape", "size", "shape from"]

    def shape_rows(self) -> list[list[str]]:
        model, rows = self.model, []
        for name in self.view.table_names():
            shape = model.shapes[name]
            kind = (
                "data"
                if name in model.data
                else "parameter"
                if name in model.parameters
                else "value"
            )
            reason = model.shape_reasons.get(name)
            if reason is None:
                origin = "declared"
            else:
                index = next(i for i, eq in enumerate(model.equations) if eq.line == reason[0])
                origin = f"line {reason[0]}: " + math(mrow(*self.equation(index)))
            rows.append(
                [
                    math(self.tex(name_latex(name))),
                    kind,
                    math(self.shape(shape, sizes=False)),
                    self.size(shape),
                    origin,
                ]
            )
        return rows

    def equation(self, index: int) -> tuple[str, str, str]:
        eq = self.model.equations[index]
        return self.tex(name_latex(eq.name)), mo("="), self.tex(formula_latex(eq.expr, name_latex))

    def forward_rows(self) -> list[tuple[str, str]]:
        rows = []
        for index in range(len(self.model.equations)):
            lhs, _, rhs = self.equation(index)
            rows.append((lhs, rhs))
        return rows

    def recursion_title(self) -> str:
        return "Adjoints kept under a symbol"

    def recursion_rows(self) -> list[tuple[str, str]]:
        names = self.view.names
        return [
            (self.tex(names.symbol_latex(str(step.delta.name))), self.whole(step.expr))
            for step in self.view.stored
        ]

    def gradient_rows(self) -> list[tuple[str, str]]:
        return [
            (self.tex(self.doc.grad(name)), self.whole(self.d.gradients[name]))
            for name in self.view.parameters
        ]

    def expanded_rows(self) -> list[tuple[str, str]]:
        return [
            (self.tex(self.doc.grad(name)), self.whole(expr))
            for name, expr in self.view.expanded_gradients().items()
        ]

    def stored(self, step: Step) -> str:
        if step.delta is None or step.wrt is None:
            return ""
        return "kept under its symbol"

    def uses(self, step: Step) -> list[str]:
        return [self.tex(self.view.names.bare_latex(name)) for name in step.uses]

    def targets_read(self, step: Step) -> list[str]:
        return []  # a model's data are forward's inputs, in its cache

    @property
    def steps(self) -> list[Step]:
        return self.view.steps
