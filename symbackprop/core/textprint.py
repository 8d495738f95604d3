"""Plain-text printing of matrix expressions in the lecture's notation.

``delta2 a1^T``, ``(W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)``, ``1 - a2`` (not SymPy's ``-a2 + 1``),
``delta3 1_m`` for a sum over the columns, ``1{z2 > 0}`` for relu's derivative; scalars in
the formula language's spelling (``1 - a^2``, ``1/(2*sqrt(·))``, not SymPy's ``1 - a**2`` or
``Piecewise(...)``). The one plain-text printer: the reasons the rules write (``Step.reason``)
and the terminal printers both print through it. A subclass of
SymPy's ``StrPrinter`` dispatching on ``_print_<ClassName>``, one method per node type.
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy import HadamardProduct, MatAdd, OneMatrix
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from symbackprop.core.expr_structure import (
    BODY_VARIABLE,
    division_parts,
    entrywise_product,
    is_atom,
    is_call,
    ones_kind,
    ordered_terms,
    product_factors,
    reads_as_sum,
    reads_the_matrix,
    with_coefficient,
)
from symbackprop.core.placeholder import ARGUMENT_NAME, BARE_NAME, marked
from symbackprop.core.plain_form import Transposes, plain
from symbackprop.formula.ast import indicator_text
from symbackprop.formula.decimals import decimal_text
from symbackprop.records.scalars import indicator_sum, piece_list

_ARG = BODY_VARIABLE.name


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[0-9]+\])?")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")


def power_base(text: str) -> str:
    """``text`` as the base or the exponent of ``^``: a name (``a[1]``), an unsigned number
    (``2``) or a text in one pair of brackets of its own (``(x + y)``, ``sigmoid(z)``) as it is,
    any other in brackets (``A^T``, ``W x``: ``2^(A^T)``, not ``2^A^T``)."""
    if _NAME.fullmatch(text) or _NUMBER.fullmatch(text):
        return text
    head = _NAME.match(text)
    opening = head.end() if head else 0
    if text.endswith(")") and text[opening : opening + 1] == "(":
        depth = 0
        for index, char in enumerate(text[opening:], start=opening):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0:
                return text if index == len(text) - 1 else f"({text})"
    return f"({text})"


class TextPrinter(StrPrinter):
    """Matrix expressions as one line of text, with ``⊙`` and ``^T``."""

    printmethod = "_symbackprop_text"
    #: values defined as a transpose (``s = u^T``, a model's): ``s^T`` prints as ``u``
    transposes: Transposes = ()
    #: the argument of the element-wise function whose scalar body is being printed (None
    #: outside one): parts of the body that read a matrix argument multiply with ⊙
    _body_of: Any = None

    def body_text(self, body: Any, argument: Any) -> str:
        """The scalar ``body`` of an element-wise function (its variable
        :data:`~symbackprop.core.expr_structure.BODY_VARIABLE`) applied to ``argument``:
        factors that read a matrix argument multiply entry by entry, ``(A) ⊙ 1{A > 0}``,
        ``A ⊙ (1{A > 0} + (1/100) 1{A <= 0})`` (side by side is the matrix product), at any
        depth of the body (review25 #6: ``z*leaky_relu(z)``'s derivative printed
        ``(W X) 1{(W X) > 0}``)."""
        saved, self._body_of = self._body_of, argument
        try:
            if isinstance(body, sp.Piecewise):
                return _piecewise_text(self, body)
            return self._print(body)
        finally:
            self._body_of = saved

    # -- leaves ------------------------------------------------------------------------------
    def _print_MatrixSymbol(self, expr: Any) -> str:
        return str(expr.name)

    def doprint(self, expr: Any) -> str:
        if ones_alone(expr):
            return self._ones_factor(expr)
        expr = marked(plain(expr, self.transposes))
        if isinstance(expr, sp.Piecewise):  # a whole one needs no brackets: 1{z > 0} + ...
            return _piecewise_text(self, expr, bracket=False)
        return str(super().doprint(expr))

    def _print_Symbol(self, expr: Any) -> str:
        if expr.name == ARGUMENT_NAME:
            return f"({ARGUMENT_NAME})"
        if expr.name == BARE_NAME:
            return ARGUMENT_NAME
        return "λ" if expr.name == "lambda" else str(expr.name)

    def _print_OneMatrix(self, expr: Any) -> str:
        # on its own (the 1 of 1 - a) a ones matrix is just 1; in a product see _ones_factor
        return "1"

    def _ones_factor(self, expr: Any) -> str:
        kind = ones_kind(expr)
        if kind is None:
            return f"1_({self._print(expr.shape[0])} x {self._print(expr.shape[1])})"
        return f"1_{kind[1]}" if kind[0] == "col" else f"1_{kind[1]}^T"

    # -- structure ---------------------------------------------------------------------------
    def _wrap(self, expr: Any) -> str:
        if unit(expr):
            return "1"
        text = self._print(expr)
        if is_atom(expr) or is_call(expr):
            return text
        # a text in one pair of brackets of its own (sign's (1{u > 0} - 1{u < 0})) as it is
        return text if text.startswith("(") and power_base(text) == text else f"({text})"

    def _print_Transpose(self, expr: Any) -> str:
        return f"{self._wrap(expr.arg)}^T"

    def _print_MatAdd(self, expr: Any) -> str:
        out = ""
        for i, (negative, term) in enumerate(ordered_terms(expr)):
            text = self._print(term)
            if isinstance(term, MatAdd):
                text = f"({text})"
            if i == 0:
                out = f"-{text}" if negative else text
            else:
                out += f" - {text}" if negative else f" + {text}"
        return out

    def _print_MatMul(self, expr: Any) -> str:
        if scalar_as_matrix(expr):
            return self._print(expr.as_coeff_matrices()[0])  # det(X) 1 is det(X)
        coeff, parts = product_factors(expr, self._ones_factor, self._wrap)
        body = " ".join(parts)
        return with_coefficient(coeff, body, self.coefficient)

    def coefficient(self, coeff: Any) -> str:
        """A positive scalar coefficient as it reads before a matrix, the way the formula
        language multiplies numbers: side by side (``2 W``, ``λ W``, ``(3/2) exp(1) W``,
        ``det(X) dJ/d(det(X)) inv(X)^T``), never SymPy's ``*``; a fraction (``(1/m) X``,
        ``(λ/m) W``) or a sum in brackets, as the language's ``/`` and ``+`` bind looser than
        the product that follows (``1/m X`` reads 1/(m X))."""
        number, rest = sp.sympify(coeff, strict=True).as_coeff_Mul()
        top, bottom = _fraction(rest)
        if rest.atoms(sp.Piecewise) or bottom or isinstance(rest, sp.Add):
            return f"({self._quotient(coeff)})"
        parts = [] if number == 1 else [self._number(number)]
        return " ".join(parts + [self._factor(factor) for factor in top])

    def _number(self, number: Any) -> str:
        text = self._print(number)
        plain = number.is_Integer or number.is_Float or decimal_text(number) is not None
        return text if plain else f"({text})"

    def _print_Rational(self, expr: Any) -> str:
        # 851/500 as the user wrote it, 1.702 (formula.decimals); 1/2, 1/3 as fractions
        return decimal_text(expr) or str(super()._print_Rational(expr))

    def _quotient(self, expr: Any) -> str:
        """A scalar as factors side by side over factors side by side: ``λ/(2 m)``,
        ``3 exp(1)/2`` (side by side binds tighter than ``/`` in the formula language)."""
        if expr.atoms(sp.Piecewise) or isinstance(expr, sp.Add):
            return self._print(expr)
        number, rest = expr.as_coeff_Mul()
        top, bottom = _fraction(rest)
        if decimal_text(number) is not None:
            top = [number, *top]  # 0.01/m, not 1/(100 m)
        elif number.is_Rational:
            top = [sp.Integer(number.p), *top] if number.p != 1 or not top else top
            bottom = [sp.Integer(number.q), *bottom] if number.q != 1 else bottom
        else:
            top = [number, *top]
        shown = " ".join(self._factor(factor) for factor in top) if top else "1"
        if not bottom:
            return shown
        below = " ".join(self._factor(factor) for factor in bottom)
        if len(bottom) > 1 or not _side_by_side(bottom[0]):
            below = f"({below})"
        return f"{shown}/{below}"

    def _factor(self, factor: Any) -> str:
        text = self._print(factor)
        return text if _side_by_side(factor) else f"({text})"

    def _print_HadamardProduct(self, expr: Any) -> str:
        num, den = division_parts(expr)
        top = " ⊙ ".join(self._wrap(f) for f in num) if num else "1"
        if not den:
            return top
        if len(num) > 1:
            top = f"({top})"
        bottom = " ⊙ ".join(self._wrap(f) for f in den)
        if len(den) > 1:
            bottom = f"({bottom})"
        return f"{top} / {bottom}"

    def _print_HadamardPower(self, expr: Any) -> str:
        if expr.exp.is_negative:
            return self._print(HadamardProduct(expr))  # a lone 1 / x
        return f"{power_base(self._wrap(expr.base))}^{self._print(expr.exp)}"

    # -- element-wise functions and softmax ---------------------------------------------------
    def _print_ElementwiseApplyFunction(self, expr: Any) -> str:
        arg = self._print(expr.arg)
        call = expr.call_text(arg, self._print)
        if call is not None:
            return call
        body = expr.body.xreplace({expr.variable: BODY_VARIABLE})
        if isinstance(body, sp.Piecewise):
            return self.body_text(body, expr.arg).replace(_ARG, arg)
        # the argument's text as a power's base or exponent keeps its brackets: (A^T)^(3/2),
        # (W x)^2, 2^(A^T)
        text = self.body_text(body, expr.arg).replace(_ARG + "^", power_base(arg) + "^")
        return text.replace("^" + _ARG, "^" + power_base(arg)).replace(_ARG, arg)

    def _print_Softmax(self, expr: Any) -> str:
        return f"softmax({self._print(expr.arg)})"

    def _print_LogSumExp(self, expr: Any) -> str:
        return f"log(sum(exp({self._print(expr.arg)})))"

    def _print_SoftmaxOfAll(self, expr: Any) -> str:
        arg = self._print(expr.arg)
        return f"exp({arg})/sum(exp({arg}))"

    def _print_Identity(self, expr: Any) -> str:
        return "1" if unit(expr) else f"I_{self._print(expr.shape[0])}"

    def _print_MatrixElement(self, expr: Any) -> str:
        # s[0, 0] of a 1 x 1 value: the value itself, multiplying like a number
        if tuple(expr.parent.shape) == (1, 1):
            return self._wrap(expr.parent)
        return str(super()._print_MatrixElement(expr))

    # -- scalars (a reason's derivative, its algebra, a coefficient) ---------------------------
    def _print_Mul(self, expr: Any) -> str:
        parts = entrywise_product(expr, BODY_VARIABLE, self._body_of) if self._body_of else None
        if parts is not None:
            return self._entrywise_product(*parts)
        # a product with one indicator reads as an indicator sum's term does: (v) 1{z > 0};
        # (A) ⊙ 1{A > 0} where v reads a matrix argument
        pieces = [f for f in expr.args if isinstance(f, sp.Piecewise)]
        if len(pieces) == 1:
            indicator = _piecewise_text(self, pieces[0])
            if _single_indicator(indicator):
                rest = [f for f in expr.args if f is not pieces[0]]
                value = rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
                times = " ⊙ " if reads_the_matrix(value, self._body_of) else " "
                return f"({self._print(value)}){times}{indicator}"
        coeff, rest = expr.as_coeff_Mul()
        if self._body_of is None:
            decimal = decimal_product(self, expr)
            if decimal is not None:
                return decimal
        if coeff.is_Rational and self._body_of is not None:
            # in the body of a function applied to a matrix, factors side by side, as the
            # formula language multiplies numbers: 2 W2, 1/(2 sqrt(W)); SymPy's 2*W2 read as
            # code (lecturer46 #2, review46 #6); a scalar's algebra keeps its * (a*(1 - a))
            return self._side_by_side_product(coeff, sp.Mul.make_args(rest))
        return str(super()._print_Mul(expr))

    def _side_by_side_product(self, coeff: sp.Rational, factors: tuple[Any, ...]) -> str:
        """``coeff`` times ``factors`` as the formula language writes a product of numbers:
        side by side over side by side (``(5/2) (A^T)^(3/2)``, ``-1/(2 W^(3/2))``); a power
        binds tighter than the product, a sum is bracketed."""

        def shown(f: Any) -> str:
            return f"({self._print(f)})" if f.is_Add else self._print(f)

        top = [f for f in factors if not (isinstance(f, sp.Pow) and f.exp.is_negative)]
        bottom = [sp.Pow(f.base, -f.exp) for f in factors if f not in top]
        size = abs(coeff)
        sign = "-" if coeff < 0 else ""
        if not bottom:  # a number before the factors: (5/2) (A^T)^(3/2), 3 A^2
            ahead = [] if size == 1 else [self._number(size)]
            return sign + " ".join(ahead + [shown(f) for f in top] or ["1"])
        if decimal_text(size) is not None:  # 0.01 W/(W^2 + 1)
            above, below = [self._number(size)], []
        else:
            above = [] if size.p == 1 else [str(size.p)]
            below = [] if size.q == 1 else [str(size.q)]
        above += [shown(f) for f in top]
        below += [shown(f) for f in bottom]
        under = " ".join(below)
        # one factor printed in brackets already (a sum: 4 W/(W^2 + 1)) takes no second pair
        alone = len(below) == 1 and (_side_by_side(bottom[0]) or bottom[0].is_Add)
        under = under if alone else f"({under})"
        return f"{sign}{' '.join(above) or '1'}/{under}"

    def _entrywise_product(self, scalar: Any, num: list[Any], den: list[Any]) -> str:
        """Factors of an element-wise body that each read a matrix, joined with ⊙ (over
        ``den``'s with ``/``), after the scalar coefficient: ``(1/2) A ⊙ (1 - A)``."""

        def side(factors: list[Any]) -> str:
            shown = [
                f"({self._print(f)})"
                if reads_as_sum(f) and not isinstance(f, sp.Piecewise)
                else self._print(f)  # a piecewise value prints its own brackets
                for f in factors
            ]
            text = " ⊙ ".join(shown) if shown else "1"
            return f"({text})" if len(shown) > 1 and den else text

        body = side(num)
        if den:
            body = f"{body} / {side(den)}"
        # a scalar coefficient binds tighter than ⊙ and /, and scales either side alike
        sign = "-" if scalar.could_extract_minus_sign() else ""
        size = -scalar if sign else scalar
        return f"{sign}{body}" if size == 1 else f"{sign}{self.coefficient(size)} {body}"

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        base, exp = expr.as_base_exp()
        if exp == sp.Rational(1, 2):
            return f"sqrt({self._print(base)})"
        if exp == -1:
            return f"1/{self._wrap_scalar(base)}"
        if exp.is_negative:
            # ^ binds tighter than /: 1/x^2, as -1/x^2 (SymPy's Mul) prints, not 1/(x^2)
            return f"1/{self._print_Pow(sp.Pow(base, -exp, evaluate=False))}"
        # a fraction exponent is bracketed: x^(3/2), as x^3/2 reads (x^3)/2
        shown = f"({self._print(exp)})" if exp.is_Rational and not exp.is_Integer else None
        return f"{power_base(self._wrap_scalar(base))}^{shown or self._wrap_scalar(exp)}"

    def _wrap_scalar(self, expr: Any) -> str:
        text = self._print(expr)
        atomic = (
            expr.is_Atom
            or isinstance(expr, sp.MatrixSymbol | sp.Function | sp.Determinant | sp.Trace)
            or is_atom(expr)
            or (isinstance(expr, MatrixElement) and tuple(expr.parent.shape) == (1, 1))
        )
        return text if atomic and not text.startswith("-") else f"({text})"

    def _print_Exp1(self, expr: Any) -> str:
        # the number e as the formula language writes it (which reads a bare E as a name)
        return "exp(1)"

    def _print_Abs(self, expr: Any) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_sign(self, expr: Any) -> str:
        # abs' in the formula language (which has no sign): every printed step pastes back
        # into shapecheck; 0 at 0, as sign (and as shapecheck's truth line writes it)
        # in brackets: a difference, it must not lose its sign in a product or after a minus
        # (z*(1{z > 0} - 1{z < 0}), 1 - (1{z > 0} - 1{z < 0}))
        arg = self._print(expr.args[0])
        return f"({indicator_text(f'{arg} > 0')} - {indicator_text(f'{arg} < 0')})"

    def _print_Piecewise(self, expr: Any) -> str:
        return _piecewise_text(self, expr)

    # -- what no formula writes (a message's last resort): never SymPy's class names -----------
    def _print_Determinant(self, expr: Any) -> str:
        return f"det({self._print(expr.arg)})"

    def _print_Trace(self, expr: Any) -> str:
        return f"tr({self._print(expr.arg)})"

    def _print_Inverse(self, expr: Any) -> str:
        return f"inv({self._print(expr.arg)})"

    def _print_MatrixBase(self, expr: Any) -> str:
        # an explicit matrix: a 1 x 1 one is its entry, a number; else its rows in brackets
        if tuple(expr.shape) == (1, 1):
            return str(self._print(expr[0, 0]))
        rows = ("[" + ", ".join(self._print(v) for v in row) + "]" for row in expr.tolist())
        return "[" + ", ".join(rows) + "]"

    def _print_Sum(self, expr: Any) -> str:
        # SymPy's index sum (an entry of sum(W x) at a symbolic size): its indices named
        # i, j, k, ... (SymPy's _i_1 are no names) and its ranges written out
        taken = {str(s) for s in expr.free_symbols} | {
            str(getattr(e.parent, "name", "")) for e in expr.atoms(MatrixElement)
        }
        letters = (c for c in "ijklpqrstuv" if c not in taken)
        named = {index: sp.Symbol(next(letters, f"{index}")) for index, _, _ in expr.limits}
        body = self._print(expr.function.xreplace(named))
        ranges = ", ".join(
            f"{named[index]} = {self._print(low)}..{self._print(high)}"
            for index, low, high in expr.limits
        )
        return f"(the sum over {ranges} of {body})"


def ones_alone(expr: Any) -> bool:
    """A ones matrix that is a whole expression (dJ/da of J = sum(a)): printed ``1_n``, as
    ``1`` would say a vector is the number 1 (in ``1 - a`` the 1 stays a number)."""
    return isinstance(expr, OneMatrix) and tuple(expr.shape) != (1, 1)


def _single_indicator(text: str) -> bool:
    """Whether a piecewise function's text is one indicator, ``1{z > 0}``."""
    return text.startswith("1{") and text.endswith("}") and "} " not in text


def _fraction(product: Any) -> tuple[list[Any], list[Any]]:
    """The factors of a scalar product above and below its bar (a negative power is below;
    unlike ``sp.fraction`` also for factors of unknown commutativity, ``1/det(X)``)."""
    top: list[Any] = []
    bottom: list[Any] = []
    factors = product.as_ordered_factors() if isinstance(product, sp.Mul) else [product]
    for factor in factors:
        if isinstance(factor, sp.Pow) and factor.exp.is_negative:
            bottom.append(factor.base if factor.exp == -1 else factor.base**-factor.exp)
        elif factor != 1:
            top.append(factor)
    return top, bottom


def _side_by_side(factor: Any) -> bool:
    """Whether a scalar factor prints as one unit that the formula language can put beside
    another without brackets: a name, an unsigned number, a call (``exp(1)``, ``det(X)``,
    the entry of a 1 x 1 value, which prints bracketed where it needs it) or a power of one."""
    if isinstance(factor, sp.Pow):
        exponent = factor.exp
        if exponent == sp.Rational(1, 2):
            return True  # sqrt(...)
        # a sum's power prints its base bracketed: (W^2 + 1)^2 is one unit too
        base = factor.base
        return bool(exponent.is_Integer and exponent > 0) and (_side_by_side(base) or base.is_Add)
    if isinstance(factor, (sp.sign, sp.Piecewise)):
        return False  # printed as a sum of indicators
    if factor.is_Number:
        return not factor.could_extract_minus_sign() and (
            factor.is_Integer or factor.is_Float or decimal_text(factor) is not None
        )
    return isinstance(
        factor,
        (sp.Symbol, sp.NumberSymbol, sp.Function, sp.Determinant, sp.Trace, MatrixElement),
    )


def one_by_one(expr: Any) -> bool:
    """Whether a matrix expression is 1 x 1."""
    return tuple(expr.shape) == (1, 1)


def decimal_product(printer: StrPrinter, expr: sp.Mul) -> str | None:
    """A scalar product whose number prints as a decimal, in SymPy's scalar syntax:
    ``1.702*z``, ``0.05/m``, ``-0.01*x*y`` (SymPy's own splits the number: ``851*z/500``,
    ``1/(20*m)``); None for any other product. Shared by every plain-text printer."""
    coeff, rest = expr.as_coeff_Mul()
    decimal = decimal_text(abs(coeff)) if coeff.is_Rational else None
    if decimal is None or rest == 1:
        return None
    top, bottom = sp.fraction(rest)
    mul = PRECEDENCE["Mul"]
    shown = decimal if top == 1 else f"{decimal}*{printer.parenthesize(top, mul, strict=True)}"
    if bottom != 1:
        shown += f"/{printer.parenthesize(bottom, mul)}"
    return f"-{shown}" if coeff < 0 else shown


def unit(expr: Any) -> bool:
    """The 1 x 1 identity (the seed dJ/dJ = 1): printed ``1``, with no brackets anywhere (by
    every printer: text, LaTeX, MathML, the generated code's comments)."""
    return isinstance(expr, sp.Identity) and one_by_one(expr)


def scalar_as_matrix(expr: Any) -> bool:
    """A product of a number or scalar with the 1 x 1 identity: printed as that scalar."""
    matrices = expr.as_coeff_matrices()[1]
    return len(matrices) == 1 and unit(matrices[0])


def _piecewise_text(printer: TextPrinter, body: sp.Piecewise, *, bracket: bool = True) -> str:
    """``(1{z > 0} + (1/100) 1{z <= 0})``, ``1{z > 0}``: a piecewise function in indicator
    notation, in parentheses unless it is one indicator. Inside an element-wise body applied
    to a matrix (:meth:`TextPrinter.body_text`), a coefficient that reads the argument is a
    matrix and multiplies its indicator with ⊙ (``(2*z1) ⊙ 1{z1^2 > 2}``; side by side would
    be a matrix product, review12 R7)."""

    text = indicator_sum(
        body,
        printer._print,
        indicator_text,
        lambda value, indicator: f"({value}) {indicator}",
        (lambda value: reads_the_matrix(value, printer._body_of), lambda v, i: f"({v}) ⊙ {i}"),
    )
    if text is not None and _single_indicator(text):
        return text  # one indicator, 1{z > 0}: its braces delimit it
    text = text if text is not None else piece_list(body, printer._print)
    return f"({text})" if bracket else text


_PRINTER = TextPrinter()


def text(expr: Any) -> str:
    """``expr`` as a line of text in the lecture's notation."""
    return _PRINTER.doprint(expr)


def scaled_text(coeff: Any, body: str) -> str:
    """``body`` (a matrix's text that juxtaposition may follow a factor with) times the scalar
    ``coeff``, as the printer writes a product's coefficient: ``-2 W``, ``(1/m) X``,
    ``(3/2) exp(1) dJ/dh``, ``(1 + exp(2)) dJ/dJ``."""
    return with_coefficient(sp.sympify(coeff, strict=True), body, _PRINTER.coefficient)
