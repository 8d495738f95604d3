"""How a model's names are shown: the model's own names, its internal values and adjoints.

A model's graph names every operation inside an equation ``_t1``, ``_t2``, ... (see
:mod:`symbackprop.core.model_graph`). Those names are bookkeeping and are never printed:
**an internal value is shown by the part of its equation it stands for**, the formula the
student wrote (``_t5`` -> ``w^T h + c``; LaTeX ``w^{\\top} h + c``), in parentheses where
precedence needs them, and its adjoint ``dJ/d_t5`` as ``dJ/d(w^T h + c)`` (LaTeX
``\\partial J / \\partial (w^{\\top} h + c)``). The few internal values the graph makes
without a piece of source text (the ``1 / x`` of a division, ``abs`` and ``sum`` inside
``norm1``, the square and ``sum`` inside ``norm2``) are shown by the same functions written
out: ``1 / sqrt(var + 0.001)``, ``abs(A x - y)``, ``sum((A x - y)^2)``.

LaTeX names (:func:`name_latex`): letters then digits get the digits as a subscript (``W1`` ->
``W_{1}``, ``n0`` -> ``n_{0}``), Greek names are Greek letters (``gamma`` -> ``\\gamma``, ``lam``
-> ``\\lambda``) unless a function prints as that letter, any other name is a word in
``\\mathit``; distinct names always print distinctly. An adjoint symbol ``dJ/dh`` is
``\\frac{\\partial J}{\\partial h}``.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import MatrixSymbol, OneMatrix

from symbackprop.core.graph import Kind
from symbackprop.core.model_graph import bare
from symbackprop.core.plain_form import plain
from symbackprop.core.segments import Aside, Grad, Math, Prime, Rel, Segment, Text
from symbackprop.formula import Binary, Call, Transpose
from symbackprop.formula import Node as FormulaNode
from symbackprop.formula.ast import to_text
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.render.formula_latex import formula_latex
from symbackprop.render.latex_scripts import attach
from symbackprop.render.names import Naming, escape_latex

ADJOINT_PREFIX = "dJ/d"

#: the Greek letters a name spelled like one prints as: one name per letter, so that two names
#: never print alike (``epsilon`` only: ``eps`` stays a word; ``lam`` because ``lambda`` is a
#: Python keyword and cannot be a name)
GREEK = {
    "alpha": r"\alpha",
    "beta": r"\beta",
    "gamma": r"\gamma",
    "delta": r"\delta",
    "epsilon": r"\epsilon",
    "zeta": r"\zeta",
    "eta": r"\eta",
    "theta": r"\theta",
    "kappa": r"\kappa",
    "lam": r"\lambda",
    "mu": r"\mu",
    "nu": r"\nu",
    "xi": r"\xi",
    "rho": r"\rho",
    "sigma": r"\sigma",
    "tau": r"\tau",
    "phi": r"\phi",
    "chi": r"\chi",
    "psi": r"\psi",
    "omega": r"\omega",
    "Gamma": r"\Gamma",
    "Delta": r"\Delta",
    "Theta": r"\Theta",
    "Lambda": r"\Lambda",
    "Sigma": r"\Sigma",
    "Phi": r"\Phi",
    "Psi": r"\Psi",
    "Omega": r"\Omega",
}


def name_latex(name: str) -> str:
    """A model name or dimension in LaTeX, distinct for distinct names.

    Letters then digits: the digits are a subscript (``W1`` -> ``W_{1}``), a Greek letter's
    name is the letter (``gamma`` -> ``\\gamma``), unless a function prints as that letter
    (``sigma`` -> ``\\mathit{sigma}``: ``\\sigma`` is the sigmoid), one letter is itself,
    more are a word (``var`` -> ``\\mathit{var}``). Any other name (an underscore, a digit
    inside) is printed as written, ``h_1`` -> ``\\mathit{h\\_1}``: ``h_{1}`` is ``h1``'s.
    """
    parts = name_parts(name)
    if parts is None:
        return r"\mathit{" + escape_latex(name) + "}"
    base, index = parts
    letter = greek(base)
    if letter is not None:
        out = letter
    elif len(base) == 1:
        out = base
    else:
        out = r"\mathit{" + base + "}"
    return f"{out}_{{{index}}}" if index else out


def name_parts(name: str) -> tuple[str, str] | None:
    """``(letters, digits)`` of a name typeset with its digits as a subscript (``("W", "1")``,
    ``("var", "")``), or ``None`` for a name printed whole (``h_1``, ``a1b``)."""
    letters = name.rstrip("0123456789")
    if not (letters.isascii() and letters.isalpha()):
        return None
    return letters, name[len(letters) :]


def greek(base: str) -> str | None:
    """The Greek letter (LaTeX) the letters ``base`` print as, or ``None``."""
    letter = GREEK.get(base)
    return None if letter is None or letter in _function_latex() else letter


def _function_latex() -> set[str]:
    """The LaTeX the functions print as (``\\sigma``); read each time: activations can be
    registered at run time."""
    return {record.latex for record in ACTIVATIONS.values()}


#: LaTeX for the derivative's name of the functions that are no activation (``sqrt'``)
_PRIME_LATEX = {
    # bracketed: a prime on the radical's bare end read as a broken symbol (newcomer27 #10)
    "sqrt": r"(\sqrt{\,\cdot\,})",  # thin spaces: MathML draws no overbar over a bare dot
    "abs": r"(\lvert \cdot \rvert)",
    "exp": r"\exp",
    "log": r"\log",
}


def prime(segment: Prime) -> Prime:
    """A derivative named for print: ``sqrt'`` as ``(\\sqrt{\\cdot})'`` (a power's, ``(·)^-1'``, is
    named by the rule that makes it)."""
    if segment.name in _PRIME_LATEX:
        return Prime(segment.name, _PRIME_LATEX[segment.name], segment.arg)
    return segment


class ModelNames:
    """The display of every name of one model derivation (see the module docstring)."""

    def __init__(self, d: Any) -> None:
        self.graph = d.graph
        #: adjoint symbol name (``dJ/dh``) -> the value it is the adjoint of (``h``)
        self.adjoint_of = {str(sym.name): name for name, sym in d.graph.deltas.items()}
        #: prints an expression in plain text with these names (set by the text printer)
        self.text: Any = str
        #: an adjoint kept as an expression, not a symbol -> the value it is the adjoint of
        #: (a reason or a candidate shows it as dJ/dp, as the step that made it says)
        self.adjoint_exprs = {
            step.expr: step.wrt
            for step in d.steps
            if step.wrt is not None and step.delta is None and step.expr.atoms(MatrixSymbol)
        }
        #: a loss node's lifted expression -> the node (a reason shows it as the call)
        self.losses = {
            node.expr: node for node in d.graph.nodes.values() if node.kind is Kind.MODEL_LOSS
        }
        #: internal value -> the formula it stands for, and the marks ``#2`` of repeated ones
        #: (the graph's: :meth:`~symbackprop.core.model_graph.ModelGraph.value_text`)
        self.sources: dict[str, FormulaNode] = self.graph.shown_sources
        self.marks: dict[str, int] = self.graph.marks
        #: internal value shown by its source and defined as a transpose, ``s = u^T`` -> ``u``:
        #: the printers write ``s^T`` as ``u``, not ``(u^T)^T``
        self.transposes: tuple[tuple[Any, Any], ...] = tuple(
            (self.graph.symbols[name], self.graph.forward[name].arg)
            for name in self.sources
            if isinstance(self.graph.forward.get(name), sp.Transpose)
        )

    def _mark(self, name: str) -> str:
        return f"#{self.marks[name]}" if name in self.marks else ""

    def _marked_latex(self, body: str, name: str) -> str:
        """``body`` with the mark of ``name``, if any, as a subscript: ``W_{\\#2}``."""
        return attach(body, rf"_{{\#{self.marks[name]}}}") if name in self.marks else body

    # -- plain text ---------------------------------------------------------------------------
    def value_text(self, name: str) -> str:
        """A value as it reads inside an expression: ``W1``, ``w^T``, ``(w^T h + c)``."""
        return self.graph.value_text(name)  # type: ignore[no-any-return]

    def bare_text(self, name: str) -> str:
        """A value without the brackets it reads with inside an expression; a marked one keeps
        them, so that its mark reads on the whole value: ``(W x)#2``, not ``W x#2``."""
        if name in self.marks and not bare(self.sources[name]):
            return self.value_text(name)
        if name not in self.sources:
            return name
        return to_text(self.sources[name]) + self._mark(name)

    def bare_latex(self, name: str) -> str:
        if name in self.marks and not bare(self.sources[name]):
            return self.value_latex(name)
        if name in self.sources:
            return self._marked_latex(formula_latex(self.sources[name], name_latex), name)
        return name_latex(name)

    def lone(self, expr: Any) -> str | None:
        """The internal value ``expr`` shows alone, if it does (as printed, in plain form: the
        transpose of ``s = u^T`` shows ``u``), else ``None``. A whole side of an equation shows
        it without brackets: ``dJ/dx = y ⊙ v``."""
        shown = plain(expr, self.transposes)
        if isinstance(shown, MatrixSymbol) and str(shown.name) in self.sources:
            return str(shown.name)
        return None

    def target_text(self, name: str) -> str:
        """What dJ/d(...) is taken of: ``h``, ``(sigmoid(w^T h + c))``."""
        return self.graph.target_text(name)  # type: ignore[no-any-return]

    def symbol_text(self, name: str) -> str:
        """Any MatrixSymbol's name shown in text (values and adjoint symbols alike)."""
        if name in self.adjoint_of:
            return ADJOINT_PREFIX + self.target_text(self.adjoint_of[name])
        return self.value_text(name)

    # -- LaTeX --------------------------------------------------------------------------------
    def value_latex(self, name: str, *, transpose: bool = False) -> str:
        if name not in self.sources:
            out = name_latex(name)
            return attach(out, r"^{\top}") if transpose else out
        source = self.sources[name]
        body = formula_latex(source, name_latex)
        # a transposed w^T or inv(X) (a superscript already) keeps its brackets
        raised = isinstance(source, Transpose) or (
            isinstance(source, Call) and source.func == "inv"
        )
        # a division is a fraction in LaTeX, bracketed by its bar: 2 \frac{1}{A} needs no
        # brackets (a power or a transpose of it does: the printers bracket a \frac base)
        fraction = isinstance(source, Binary) and source.op == "/" and not transpose
        if not (bare(source) or fraction) or (transpose and raised):
            body = f"({body})"
        body = self._marked_latex(body, name)
        return attach(body, r"^{\top}") if transpose else body

    def target_latex(self, name: str) -> str:
        """The denominator of dJ/d(name)."""
        source = self.sources.get(name)
        if isinstance(source, Call):
            return self._marked_latex(formula_latex(source, name_latex), name)
        if isinstance(source, Binary) and source.op == "/":  # \partial (\frac{1}{A})
            return self._marked_latex(f"({formula_latex(source, name_latex)})", name)
        return self.value_latex(name)

    def grad_latex(self, name: str, *, inline: bool = False) -> str:
        if inline:
            return r"\partial J / \partial " + self.target_latex(name)
        return r"\frac{\partial J}{\partial " + self.target_latex(name) + "}"

    def symbol_latex(self, name: str, *, transpose: bool = False) -> str:
        if name in self.adjoint_of:
            frac = self.grad_latex(self.adjoint_of[name])
            return rf"\bigl({frac}\bigr)^{{\top}}" if transpose else frac
        return self.value_latex(name, transpose=transpose)

    # -- reasons ------------------------------------------------------------------------------
    def internal(self, expr: Any) -> bool:
        """Whether an expression reads an internal value or the adjoint of one."""
        return any(
            str(s.name) in self.sources or self.adjoint_of.get(str(s.name), "") in self.sources
            for s in expr.atoms(MatrixSymbol)
        )

    def segments(self, segments: tuple[Segment, ...], own: Any = None) -> tuple[Segment, ...]:
        """A reason for print: the aside that says which part of its equation an internal value
        is goes (the display says it), a derivative's name is written for print (:func:`prime`),
        and a Math that reads an internal value keeps its expression only (its plain text was
        written with the internal names), which every printer prints with these names. An
        adjoint written out (not kept under a symbol) is shown as dJ/d(value), except in the
        reason of the step that computes it (``own``, that step's expression)."""
        out: list[Segment] = []
        for segment in segments:
            if isinstance(segment, Aside):
                continue
            if isinstance(segment, Prime):
                out.append(prime(segment))
            elif (
                isinstance(segment, Math)
                and segment.expr in self.adjoint_exprs
                and segment.expr != own  # a step's own arrangement stays an arrangement
            ):
                out.append(Grad(self.adjoint_exprs[segment.expr]))
            elif isinstance(segment, Math) and segment.expr in self.losses:
                out.append(self._loss(segment.expr))
            elif isinstance(segment, Math) and self._reprint(segment):
                out.append(Math(segment.expr, self.text(segment.expr)))
            else:
                out.append(segment)
        return self._drop_restatement(tuple(out))

    def _loss(self, expr: Any) -> Math:
        """A loss node's value as its call, ``bce(sigmoid(w^T h + c), Y)``, not its lifted sum."""
        node = self.losses[expr]
        a, y = (str(arg.name) for arg in node.args)
        name = node.record.name
        text = f"{name}({self.bare_text(a)}, {self.value_text(y)})"
        latex = rf"\operatorname{{{name}}}\bigl({self.bare_latex(a)}, {self.value_latex(y)}\bigr)"
        return Math(expr, text, latex)

    def _reprint(self, segment: Math) -> bool:
        """A Math whose plain text these printers write themselves: one that reads an internal
        value, and a scalar formula (``(a - y)^2/2``, not SymPy's ``(a - y)**2/2``)."""
        if segment.latex is not None:
            return False
        if isinstance(segment.expr, OneMatrix) and tuple(segment.expr.shape) != (1, 1):
            return True  # g 1 1^T with g = 1: the ones matrix it is, 1_n
        if not getattr(segment.expr, "is_Matrix", False):
            return isinstance(segment.expr, sp.Basic) and not segment.expr.is_Atom
        return self.internal(segment.expr)

    def _drop_restatement(
        self, segments: tuple[Segment, ...], restates: Any = None
    ) -> tuple[Segment, ...]:
        """Drop each "(W2 a1) = W2 a1; ", an internal value defined as what it shows, where a
        clause of the reason opens with it: first, after the preamble's colon ("H reaches J
        along 2 paths ...: "), or after a "; " (a sum of contributions gives each its own).
        ``restates`` (a triple -> bool) decides which clause restates (:meth:`_restates`)."""
        restates = restates or self._restates
        # one pass into ``out`` (rebuilding the tuple at each drop was quadratic in the
        # clauses: a weight shared by 1,000 unrolled steps has 1,000 of them)
        rest, at = list(segments), 0
        out: list[Segment] = []
        while at < len(rest):
            before = out[-1] if out else None
            opens = before is None or (
                isinstance(before, Text) and before.plain.endswith((": ", "; "))
            )
            if len(rest) - at > 3 and opens and restates(tuple(rest[at : at + 3])):
                at += 3
                if rest[at : at + 1] == [Text(" (as ")] and rest[at + 2 : at + 3] == [Text(")")]:
                    at += 2  # the identity it is computed by stays, without its brackets
                    rest[at] = rest[at - 1]
                else:
                    while at < len(rest) and (
                        isinstance(rest[at], Aside) or rest[at] == Text("; ")
                    ):
                        at += 1
                continue  # the next clause now starts at ``at``
            out.append(rest[at])
            at += 1
        return tuple(out)

    def _restates(self, triple: tuple[Segment, ...]) -> bool:
        """Whether ``value = formula`` only restates an internal value shown by its formula:
        it prints as the value shows, or it is the graph's definition of the value in the
        value's own terms. A definition says something where it is not: a rewrite
        (``log(1 + exp(u)) = softplus(u)``), a sum or broadcast as a product with ones
        (``rowsum(D) = D 1_m``, ``(Z + b) = Z + b 1_m^T``), or a decimal as its fraction."""
        first, rel, second = triple
        if not (isinstance(first, Math) and isinstance(rel, Rel) and isinstance(second, Math)):
            return False
        name = str(getattr(first.expr, "name", ""))
        if name not in self.sources:
            return False
        defined = self.graph.forward.get(name)
        if defined is None:
            return False
        if name in self.graph.rewrites:
            # a rewrite says something (log(1 + exp(u)) = softplus(u)) unless it prints as
            # written: log(sum(exp(U))) is one node, its stable form; the identity it is
            # computed by stays after the dropped clause
            return second.plain == self.bare_text(name)
        if second.expr in self.losses:  # printed as its call everywhere: bce(p, Y)
            return second.plain == self.bare_text(name)
        if defined.atoms(OneMatrix):
            # says something where its plain text does not: LaTeX's rowsum(Z) = Z 1_m
            return False
        if second.plain == self.bare_text(name):
            return True
        return second.expr == defined and all(
            number.q == 1 for number in defined.atoms(sp.Rational)
        )

    def _same_text(self, triple: tuple[Segment, ...]) -> bool:
        """Whether ``value = formula`` prints the same text on both sides (brackets aside):
        ``(gamma ⊙ N) = gamma ⊙ N``, ``rowsum(Z) = rowsum(Z)``. LaTeX keeps such a clause,
        which it writes with the ones the broadcast or the sum is made of (``(gamma 1_m^T) ⊙ N``,
        ``Z 1_m``); plain text writes both as the value shows."""
        first, rel, second = triple
        if not (isinstance(first, Math) and isinstance(rel, Rel) and isinstance(second, Math)):
            return False
        name = str(getattr(first.expr, "name", ""))
        return name in self.sources and second.plain in (
            first.plain,
            self.bare_text(name),
            self.value_text(name),
        )

    def plain(self, segments: tuple[Segment, ...]) -> str:
        """Segments (already through :meth:`segments`) as one line of plain text, without a
        clause that the plain text makes a tautology (:meth:`_same_text`)."""
        segments = self._drop_restatement(segments, self._same_text)
        return "".join(
            ADJOINT_PREFIX + self.target_text(str(s.symbol.name))
            if isinstance(s, Grad)
            else s.plain
            for s in segments
        )


class ModelNaming(Naming):
    """The LaTeX naming the expression printers and the prose use for a model."""

    def __init__(self, names: ModelNames) -> None:
        super().__init__({})
        self.model_names = names

    def latex(self, name: str, *, transpose: bool = False) -> str:
        return self.model_names.symbol_latex(name, transpose=transpose)

    def target(self, name: str) -> str:
        return self.model_names.target_latex(name)

    def dim(self, dim: Any) -> str:
        text = str(dim)
        return text if text.isdigit() else name_latex(text)


#: what a mark ``#2`` means, with ``{}`` for the first marked value as the printer shows it
MARKS_NOTE = (
    "#k after a value marks the k-th place its formula is written in the equations ({}): "
    "the same formula, a value of its own with its own adjoint, each adding its share to the "
    "gradient"
)


def first_marked(graph: Any) -> str | None:
    """The first value the printers mark (``W^T`` written twice is two values with two
    adjoints; the second shows ``W^T#2``), to explain the mark by (:data:`MARKS_NOTE`;
    hostile reader 23: it was never explained); ``None`` where none is (a network's graph)."""
    marks = getattr(graph, "marks", None)
    return next(iter(marks)) if marks else None
