"""Provenance in plain text: why each generated line has its form, from the plan's step data.

Every backend writes the same sentences above its statements (``dJ/dW3 = dZ3 A2^T [step 3]:
the only arrangement that is (1, 2)``); only the code inside a sentence, an activation's
derivative as the code computes it, is the backend's own, through the ``code`` callable it
passes in. Expressions are printed by :class:`TextPrinter` in code names: ``dZ2 A1^T``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import HadamardPower, HadamardProduct, MatAdd, MatMul, OneMatrix, Transpose
from sympy.printing.str import StrPrinter

from symbackprop.core.algebra import lifts_derivative
from symbackprop.core.textprint import decimal_product
from symbackprop.errors import InternalError
from symbackprop.formula.ast import indicator_text
from symbackprop.formula.decimals import decimal_text
from symbackprop.records import scalars
from symbackprop.records.nodes import Elementwise, T
from symbackprop.records.scalars import indicator_sum, piece_list

if TYPE_CHECKING:
    from symbackprop.lowering.plan import BackwardStatement, Dims, LoweringPlan, Provenance

#: a backend's printer for a scalar record formula with its symbols (z, a) renamed to arrays
CodePrinter = Callable[[sp.Expr, Mapping[sp.Symbol, str]], str]


class TextPrinter(StrPrinter):  # type: ignore[misc]  # SymPy ships no type information
    """Matrix expressions as the derivation writes them, in code names: ``W3^T dZ3``,
    ``dZ3 A2^T``, ``dZ3 1_m``, ``W1 X + b1 1_m^T``."""

    def _print_Transpose(self, expr: Transpose) -> str:
        arg = expr.arg
        if isinstance(arg, OneMatrix):
            return self._print(OneMatrix(arg.shape[1], arg.shape[0]))  # type: ignore[no-any-return]
        return f"{self._factor(arg)}^T"

    def _print_Rational(self, expr: sp.Rational) -> str:
        # 851/500 as the user wrote it, 1.702 (formula.decimals), as the derivation prints it
        return decimal_text(expr) or str(super()._print_Rational(expr))

    def _print_OneMatrix(self, expr: OneMatrix) -> str:
        rows, cols = expr.shape
        if cols == 1:
            return f"1_{rows}"
        if rows == 1:
            return f"1_{cols}^T"
        return f"1_{rows} 1_{cols}^T"

    def _factor(self, expr: Any) -> str:
        text = self._print(expr)
        # a function whose body is a sum prints as the sum: dh3 ⊙ (1 - h3^2), not dh3 ⊙ 1 - ...
        compound = isinstance(expr, (MatMul, MatAdd, HadamardProduct)) or (
            isinstance(expr, Elementwise) and _prints_as_sum(expr)
        )
        return f"({text})" if compound else text  # type: ignore[no-any-return]

    def _print_MatMul(self, expr: MatMul) -> str:
        coeff, matrices = expr.as_coeff_matrices()
        parts = [self._factor(m) for m in matrices]
        if coeff == -1:
            return "-" + " ".join(parts)
        if coeff != 1:  # a number as it is (2 W), a fraction or symbol in brackets ((1/m) X)
            number = _bare(coeff)
            parts.insert(0, self._print(coeff) if number else f"({self._print(coeff)})")
        return " ".join(parts)

    def _print_MatAdd(self, expr: MatAdd) -> str:
        # t - Y, not (-1) Y + t: the terms with a negative number in front are subtracted
        added = [t for t in expr.args if _negated(t) is None]
        taken = [_negated(t) for t in expr.args if _negated(t) is not None]
        out = " + ".join(self._print(term) for term in added)
        for term in taken:
            text = self._factor(term) if isinstance(term, MatAdd) else self._print(term)
            out = f"{out} - {text}" if out else f"-{self._factor(term)}"
        return out

    def _print_HadamardProduct(self, expr: HadamardProduct) -> str:
        return " ⊙ ".join(self._factor(arg) for arg in expr.args)

    def _print_Mul(self, expr: sp.Mul) -> str:
        # a function's body applied to a matrix (its variable T): factors that each read the
        # matrix multiply entry by entry, (1 - sigmoid(Z1)) ⊙ sigmoid(Z1), and a number
        # stands beside them, 2 W2; SymPy's * read as code in a comment (lecturer46 #2)
        coeff, rest = expr.as_coeff_Mul()
        factors = sp.Mul.make_args(rest)
        divides = any(isinstance(f, sp.Pow) and f.exp.is_negative for f in factors)
        if divides or not all(f.has(T) for f in factors):
            decimal = decimal_product(self, expr)  # 0.1/m as written, not 1/(10*m)
            return decimal if decimal is not None else super()._print_Mul(expr)  # type: ignore[no-any-return]
        return self._entrywise(coeff, factors, bracketed=len(factors) > 1)

    def _entrywise(self, coeff: Any, factors: tuple[Any, ...], bracketed: bool = False) -> str:
        """``coeff`` times ``factors`` multiplied entry by entry (``2 W2``, ``(1 - A1) ⊙ A1``);
        ``bracketed``: the product in brackets after a number."""
        shown = " ⊙ ".join(
            f"({self._print(f)})" if isinstance(f, sp.Add) else self._print(f) for f in factors
        )
        if bracketed and coeff != 1:
            shown = f"({shown})"
        if coeff == 1:
            return shown
        if coeff == -1:
            return f"-{shown}"
        number = self._print(coeff)
        return f"{number if _bare(coeff) else f'({number})'} {shown}"

    def _print_HadamardPower(self, expr: HadamardPower) -> str:
        # the formula language's element-wise power: p^-1, (1 - p)^2, never SymPy's name
        base = self._factor(expr.base)
        if isinstance(expr.base, Transpose):
            base = f"({base})"
        exp = expr.exp
        return f"{base}^{self._print(exp) if exp.is_Integer else f'({self._print(exp)})'}"

    # the formula language's spellings, not SymPy's: det(A), inv(A)^T, tanh(h)^2
    def _print_Determinant(self, expr: Any) -> str:
        return f"det({self._print(expr.arg)})"

    def _print_Inverse(self, expr: Any) -> str:
        arg = expr.arg
        if isinstance(arg, Transpose):
            return f"inv({self._print(arg.arg)})^T"
        return f"inv({self._print(arg)})"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        """``(1{t1 > 0} + (1/100) 1{t1 <= 0})``: indicator notation, as the derivation's."""
        show = self._print
        sums = indicator_sum(expr, show, indicator_text, lambda v, i: f"({v}) {i}")
        return "(" + (sums if sums is not None else piece_list(expr, show)) + ")"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        return super()._print_Pow(expr, rational).replace("**", "^")  # type: ignore[no-any-return]


def _prints_as_sum(expr: Elementwise) -> bool:
    """True when ``expr`` prints as its body and the body is a sum (``1 - tanh(t8)^2``)."""
    named = expr.activation_name, expr.derivative_name, expr.indicator
    return all(x is None for x in named) and isinstance(expr.body, sp.Add)


def _negated(term: Any) -> Any | None:
    """``-term`` when ``term`` is a product with a negative number in front, else ``None``."""
    if isinstance(term, MatMul):
        coeff, matrices = term.as_coeff_matrices()
        if coeff.is_Number and coeff < 0:
            if coeff != -1:
                return MatMul(-coeff, *matrices)
            # one factor stays itself: a ⊙ b, not a product (a ⊙ b) that a sum brackets
            return matrices[0] if len(matrices) == 1 else MatMul(*matrices)
    return None


def text(expr: Any) -> str:
    """``expr`` in plain text, in code names."""
    return TextPrinter().doprint(expr)  # type: ignore[no-any-return]


class EntrywiseText(TextPrinter):
    """A scalar record formula applied entry by entry, its symbols renamed to arrays, as the
    derivation writes it: ``A1 ⊙ (1 - A1)``, ``1 - A1^2``, ``1{A1 > 0}``, ``abs(Z1)``; not as
    code (``np.where(A1 > 0, 1.0, np.full_like(A1, 0.0))`` stood in a comment: lecturer44 #2)."""

    def _print_Mul(self, expr: sp.Mul) -> str:
        coeff, rest = expr.as_coeff_Mul()
        return self._entrywise(coeff, sp.Mul.make_args(rest))

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exponent = expr.args
        shown = (
            f"({self._print(base)})"
            if not (base.is_Symbol or base.is_Function)
            else self._print(base)
        )
        if exponent == -1:
            return f"1 / {shown}"
        power = self._print(exponent)
        return f"{shown}^{power if exponent.is_Integer and exponent > 0 else f'({power})'}"

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        shown = super()._print_Piecewise(expr)
        # one indicator needs no brackets of its own: relu'(Z1) = 1{A1 > 0}
        inner = shown[1:-1]
        return inner if inner.startswith("1{") and inner.count("1{") == 1 else shown


def entrywise_text(expr: sp.Expr, names: Mapping[sp.Symbol, str]) -> str:
    """The scalar ``expr`` applied entry by entry to the arrays ``names`` gives its symbols."""
    # each with its symbol's assumptions (z is real): a plain Symbol made SymPy ask, at every
    # level of a custom tanh(tanh(...)), whether the level below is real, which expands it
    # (11 levels: a minute of codegen; hostile46a #3)
    renamed = expr.xreplace(
        {symbol: sp.Symbol(name, **symbol.assumptions0) for symbol, name in names.items()}
    )
    return EntrywiseText().doprint(renamed)  # type: ignore[no-any-return]


def show_dims(shape: Dims) -> str:
    """``(3, "m")`` -> ``"(3, m)"``."""
    return f"({shape[0]}, {shape[1]})"


class Explainer:
    """The sentences that say where each backward statement of ``plan`` comes from.

    One method per rule kind (``_loss``, ``_elementwise``, ...), dispatched on the step's rule
    the way SymPy's printers dispatch on a node's class; a new rule kind adds its sentence here.
    ``code`` prints a record's scalar formula in the backend's syntax.
    """

    def __init__(self, plan: LoweringPlan, code: CodePrinter) -> None:
        self.plan = plan
        self.code = code
        self.parameters = {p.name for p in plan.parameters}
        self.deltas = {s.target for s in plan.backward if s.gradient_of is None}
        self.cached = {value.name for value in plan.cache}
        self.sentences: dict[str, Callable[[Provenance], str]] = {
            "loss": self._loss,
            "assumption": self._assumption,
            "elementwise": self._elementwise,
            "softmax": self._softmax,
            "bilinear": self._bilinear,
            "bias": self._bias,
        }

    def statement(self, statement: BackwardStatement) -> list[str]:
        """The paragraphs above ``statement``: one per step it is read off, in step order."""
        out = []
        for provenance in statement.provenance:
            explain = self.sentences.get(provenance.rule)
            if explain is None:
                raise InternalError(f"no provenance sentence for the rule {provenance.rule!r}")
            out.append(explain(provenance))
            if provenance.algebra:
                out.append("scalar algebra inside ⊙: " + provenance.algebra)
        return out

    @staticmethod
    def _tag(provenance: Provenance) -> str:
        return f"[step {provenance.step}]"

    def _loss(self, p: Provenance) -> str:
        a = p.wrt.name
        return (
            f"dJ/d{a} {self._tag(p)}: J averages the {self.plan.cost.loss.name} loss over the m "
            f"columns, so dJ/d{a} = (1/m) dL/da"
        )

    def _assumption(self, p: Provenance) -> str:
        return f"assumption {self._tag(p)}: {p.assumption}"

    def _bilinear(self, p: Provenance) -> str:
        what = f"dJ/d{p.wrt.name} = {text(p.chosen)} {self._tag(p)}: the only arrangement that is "
        # the argument is over generic dimensions: at these sizes a square factor may fit
        # either way round (n1 = n2 = 4), so the concrete shape alone would claim too much
        what += (
            f"{p.generic} at every size, {show_dims(p.shape)} here"
            if p.generic
            else show_dims(p.shape)
        )
        if p.wrt.name in self.parameters:
            if self.plan.cost.l2:
                what += f"; weight decay adds (L2 / m) {p.wrt.name}"
            return what
        reused = sorted(p.reads() & self.deltas)
        return what + "".join(f"; {name} is reused" for name in reused)

    def _bias(self, p: Provenance) -> str:
        b = p.wrt.name
        return f"dJ/d{b} = {text(p.chosen)} {self._tag(p)}: {b} is broadcast over the m columns"

    def _softmax(self, p: Provenance) -> str:
        tag = self._tag(p)
        return f"dJ/d{p.wrt.name} {tag}: softmax's Jacobian-vector product a ⊙ (g - 1 (a^T g))"

    def _elementwise(self, p: Provenance) -> str:
        layer = self.plan.forward[p.layer - 1]
        act = layer.activation
        z, a = layer.linear.target, layer.output.target
        tag = self._tag(p)
        if act.is_identity:
            return f"dJ/d{z} = dJ/d{a} {tag}: {act.name}' = 1, the gradient passes through"
        # the derivative as the code computes it (np.where(A1 > 0, 1.0, 0.01)): written out in
        # the cached values where the derivation lifts it, else the record's g'(z)
        formula = act.cached_derivative if lifts_derivative(act) else act.derivative
        shown = entrywise_text(formula, {scalars.z: z, scalars.a: a})
        # what it reads: the step's own record of it, the same that put it in the cache
        read = [name for name in p.uses if name in (z, a)]
        source = f"from the cached {' and '.join(read)}" if read else "a constant: reads no array"
        if read and not set(read) <= self.cached:  # the plan found dJ/dA exactly zero
            source = f"not computed: dJ/d{a} is exactly zero, and so is dJ/d{z}"
        if formula == 0:
            source += f"; dJ/d{z} is exactly zero, and so is what only it feeds: written as zeros"
        return f"dJ/d{z} = dJ/d{a} ⊙ {act.name}'({z}) {tag}: {act.name}'({z}) = {shown}, {source}"


def _bare(coeff: Any) -> bool:
    """Whether a coefficient stands before its factors without brackets: a positive integer
    or decimal (2 W, 1.702 dt2), not a fraction or a symbol ((1/m) X)."""
    return bool(coeff.is_Integer or decimal_text(coeff) is not None) and bool(coeff > 0)
