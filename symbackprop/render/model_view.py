"""What a renderer shows of a model's derivation: the steps for ``wrt``, sizes, expanded forms.

Selection only, like :mod:`symbackprop.render.view` for a network: it filters and looks up
what the :class:`~symbackprop.core.model_derivation.ModelDerivation` holds and never computes
a derivative. ``wrt`` keeps the steps on the path from J to that parameter: every step whose
value depends on it (the seed included) and the parameter's own step. The expanded gradient
(``ModelDerivation.expanded``) is shown when it differs from the compact one and its text
stays under :data:`EXPANDED_MAX_CHARS` characters; else a note says why it is left out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sympy import MatrixSymbol, OneMatrix, Transpose, preorder_traversal

from symbackprop.core.plain_form import plain
from symbackprop.core.segments import Grad, Prime, Segment, words_with_m
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.render.mode import ModeText
from symbackprop.render.model_names import ADJOINT_PREFIX, ModelNames, prime
from symbackprop.render.model_print import ModelLatexPrinter, ModelTextPrinter

if TYPE_CHECKING:
    from symbackprop.core.candidates import Candidate, Operand
    from symbackprop.core.derivation import Step
    from symbackprop.core.model_derivation import ModelDerivation
    from symbackprop.model import Model

#: an expanded gradient longer than this (as text) is not printed; the compact one is
EXPANDED_MAX_CHARS = 400
#: an expanded gradient nested deeper than this many levels is not printed either: the
#: printers recurse once a level, and a plain stack of 80 layers exhausted Python's stack in
#: the text printer's measure of it (exit 3: hostile35a #3); the examples' shown forms nest 15
EXPANDED_MAX_DEPTH = 60


@dataclass
class ModelView(ModeText):
    """A model's derivation prepared for printing (see the module docstring)."""

    d: ModelDerivation
    wrt: str | None = None
    expanded: bool = False
    extra_sizes: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        model = self.model
        model.check_wrt(self.wrt)
        self.names = ModelNames(self.d)
        self.text_printer = ModelTextPrinter(self.names)
        self.names.text = self.text
        latex = {name: rec.latex for name, rec in ACTIVATIONS.items()}
        self.latex_printer = ModelLatexPrinter(self.names, latex)
        # an RNN's expanded gradients are long; each is printed once, however often asked
        self._texts: dict[Any, str] = {}
        self._too_long: dict[str, bool] = {}

    @property
    def model(self) -> Model:
        assert self.d.model is not None
        return self.d.model

    # -- what to show ------------------------------------------------------------------------
    @functools.cached_property
    def _depends(self) -> dict[str, set[str]]:
        """Value name -> the leaves it depends on (through the graph's nodes)."""
        out: dict[str, set[str]] = {}
        for name, node in self.d.graph.nodes.items():
            leaves: set[str] = set()
            for arg in node.args:
                arg_name = str(arg.name)
                leaves |= out.get(arg_name, {arg_name})
            out[name] = leaves
        return out

    @functools.cached_property
    def steps(self) -> list[Step]:
        """Every step, or for ``wrt`` those on the path from J to that parameter."""
        if self.wrt is None:
            return list(self.d.steps)
        out = []
        for step in self.d.steps:
            if step.wrt is None:  # an assumption the loss states
                out.append(step)
                continue
            name = str(step.wrt.name)
            if name == self.wrt or self.wrt in self._depends.get(name, set()):
                out.append(step)
        return out

    @property
    def parameters(self) -> list[str]:
        return [self.wrt] if self.wrt else list(self.model.parameters)

    @property
    def stored(self) -> list[Step]:
        """The shown steps whose result is kept under an adjoint symbol, in step order."""
        return [step for step in self.steps if step.delta is not None]

    def expanded_gradients(self) -> dict[str, Any]:
        """Parameter -> its expanded gradient, for those shown (see the module docstring)."""
        if not self.expanded:
            return {}
        out = {}
        for name in self.parameters:
            full = self.d.expanded[name]
            if not self.too_long(name) and self.whole(full) != self.whole(self.d.gradients[name]):
                out[name] = full
        return out

    def too_long(self, name: str) -> bool:
        if name not in self._too_long:
            full = self.d.expanded[name]
            self._too_long[name] = (
                _more_symbols_than(full, EXPANDED_MAX_CHARS)  # each prints at least a letter
                or any(str(s.name).startswith(ADJOINT_PREFIX) for s in full.atoms(MatrixSymbol))
                or _deeper_than(full, EXPANDED_MAX_DEPTH)  # a few hundred nodes at most here
                or len(self.text(full)) > EXPANDED_MAX_CHARS
            )
        return self._too_long[name]

    @property
    def expanded_note(self) -> str | None:
        if not self.expanded:
            return None
        long = [name for name in self.parameters if self.too_long(name)]
        if not long:
            return None
        return (
            f"the expanded forms of {', '.join(long)} are not printed (longer than "
            f"{EXPANDED_MAX_CHARS} characters, nested more than {EXPANDED_MAX_DEPTH} levels "
            "deep, or still reading an adjoint kept under a symbol); "
            "substitute the adjoints above"
        )

    # -- names, sizes, printing ----------------------------------------------------------------
    @functools.cached_property
    def sizes(self) -> dict[str, int]:
        return {**self.model.sizes, **self.extra_sizes}

    @functools.cached_property
    def mode(self) -> tuple[Segment, ...]:
        """ "batch of m examples (columns)" (or rows), or "single example", with m as
        mathematics: every printer prints these segments."""
        if not self.d.batch:
            return words_with_m("single example")
        # where the data hold the examples: their columns (X : n x m) or their rows (m x n)
        m = self.d.graph.m
        shapes = [self.d.graph.symbols[name].shape for name in self.model.data]
        where = {"columns" if s[1] == m else "rows" for s in shapes if m in tuple(s)}
        text = f"batch of m examples ({where.pop()})" if len(where) == 1 else "batch of m examples"
        return words_with_m(text)

    def text(self, expr: Any) -> str:
        if expr not in self._texts:
            self._texts[expr] = self.text_printer.doprint(expr)
        return self._texts[expr]

    def whole(self, expr: Any) -> str:
        """``expr`` as a whole side of an equation: a lone internal value without brackets."""
        return self.text(expr) if self.names.lone(expr) is None else self.text_printer.whole(expr)

    def operand_text(self, operand: Operand) -> str:
        """One factor of a candidate in plain text, from its data (never its label)."""
        expr, printer = operand.expr, self.text_printer
        if isinstance(expr, OneMatrix):
            return printer._ones_factor(expr)
        if isinstance(expr, Transpose) and isinstance(expr.arg, OneMatrix):
            return printer._ones_factor(OneMatrix(expr.arg.shape[1], expr.arg.shape[0]))
        tail = "^T" if operand.transposed else ""
        upstream = self.names.adjoint_exprs.get(untransposed(operand))
        if upstream is not None:
            return ADJOINT_PREFIX + self.names.target_text(str(upstream.name)) + tail
        if isinstance(operand.show, Prime):
            shown = prime(operand.show)
            return f"{shown.name}'({printer._arg(shown.arg)}){tail}"
        if isinstance(operand.show, Grad):
            return ADJOINT_PREFIX + self.names.target_text(str(operand.show.symbol.name)) + tail
        return printer._wrap(plain(expr, printer.transposes))  # (w^T)^T is w, as in LaTeX

    def candidate_text(self, cand: Candidate) -> str:
        op = " ⊙ " if cand.op == "⊙" else " "
        return self.operand_text(cand.left) + op + self.operand_text(cand.right)

    def prose(self, segments: tuple[Segment, ...], own: Any = None) -> str:
        """Segments (a reason, a note, an algebra chain) as plain text with these names."""
        return self.names.plain(self.names.segments(segments, own))

    def target(self, step: Step) -> str:
        """What a step computes, in plain text: ``dJ/dW1``, ``dJ/d(w^T h + c)``, ``1^T Y``."""
        if step.wrt is None:
            return step.target
        return ADJOINT_PREFIX + self.names.target_text(str(step.wrt.name))

    def reason(self, step: Step) -> str:
        return self.prose(step.segments, step.expr)

    def shape_origin(self, name: str) -> str:
        """Why a name has its shape: declared, or the equation that forced it."""
        reason = self.model.shape_reasons.get(name)
        if reason is None:
            return "declared"
        line, equation = reason
        return f"inferred from line {line}: {' '.join(equation.split())}"

    def table_names(self) -> list[str]:
        """Parameters, data, then the equations' names in order."""
        eqs = [eq.name for eq in self.model.equations]
        return [*self.model.parameters, *self.model.data, *eqs]


def untransposed(operand: Operand) -> Any:
    """The operand's expression before the transpose a candidate may apply to it."""
    if operand.transposed and isinstance(operand.expr, Transpose):
        return operand.expr.arg
    return operand.expr


def _more_symbols_than(expr: Any, limit: int) -> bool:
    """Whether ``expr`` names matrix symbols more than ``limit`` times (stops counting there):
    its text is then longer than ``limit`` without printing it (an unrolled RNN's expanded
    gradient names thousands)."""
    count = 0
    for node in preorder_traversal(expr):
        if isinstance(node, MatrixSymbol):
            count += 1
            if count > limit:
                return True
    return False


def _deeper_than(expr: Any, limit: int) -> bool:
    """Whether ``expr``'s tree nests more than ``limit`` levels (counted without recursion,
    which is what a deep one would exhaust)."""
    stack = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((arg, depth + 1) for arg in node.args)
    return False
