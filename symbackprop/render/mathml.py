"""MathML printing of matrix expressions in CS229 notation (the web page's mathematics).

A subclass of SymPy's ``MathMLPresentationPrinter`` with one ``_print_<ClassName>`` per node
type, as :class:`~symbackprop.render.latexprint.MathLatexPrinter` subclasses ``LatexPrinter``:
``W^{[2]}`` and ``a^{[1]⊤}`` (names from the derivation's naming, read through
:mod:`.mathml_tex`), ``⊙`` for the Hadamard product, ``(...)^⊤``, the ones vector ``𝟏_m^⊤`` of
a batch sum, ``g'(z)`` and ``1{z > 0}``. Scalars (numbers, fractions, ``log``) are SymPy's own.

SymPy's printer builds ``xml.dom.minidom`` nodes whose text is written unescaped; the methods
here build their MathML as escaped strings (:func:`~.mathml_tex.el`) and hand them back
wrapped in one node (:meth:`MathMLPrinter._node`).
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from sympy import HadamardProduct, MatAdd, OneMatrix
from sympy.printing.mathml import MathMLPresentationPrinter

from symbackprop.core.expr_structure import (
    BODY_VARIABLE,
    division_parts,
    entrywise_power,
    entrywise_product,
    is_atom,
    is_call,
    of_a_matrix,
    ones_kind,
    ordered_terms,
    product_factors,
    reads_as_sum,
    reads_the_matrix,
    split_coeff,
)
from symbackprop.core.placeholder import ARGUMENT_NAME, BARE_NAME, marked
from symbackprop.core.plain_form import Transposes, plain
from symbackprop.core.textprint import ones_alone
from symbackprop.formula.decimals import decimal_text
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.records.scalars import indicator_sum
from symbackprop.render.mathml_tex import el, mo, mrow, tex_to_mathml
from symbackprop.render.names import Naming

_ARG_SYMBOL = BODY_VARIABLE
_ARG = BODY_VARIABLE.name
#: the transpose sign: a letter-like superscript, without an operator's space around it
TOP = el("mi", "⊤")
_RELATIONS = {">": ">", "<": "<", ">=": "≥", "<=": "≤", "==": "=", "!=": "≠"}


def paren(inner: str) -> str:
    """``(inner)``: brackets that grow around a fraction, else text-sized and tight."""
    if "<mfrac" in inner:
        return mrow(mo("(", stretchy="true"), inner, mo(")", stretchy="true"))
    return mrow(mo("(", stretchy="false"), inner, mo(")", stretchy="false"))


def math(inner: str, *, block: bool = False) -> str:
    """A ``<math>`` element around ``inner``."""
    if block:
        return el("math", inner, display="block")
    # one row: the page lays inline math out as a scrolling flex box (html.STYLE), whose
    # items would lose the operator spacing a row gives them
    return el("math", el("mrow", inner))


class MathMLPrinter(MathMLPresentationPrinter):
    """Matrix expressions as presentation MathML; ``act_latex`` maps an activation to its
    LaTeX name and ``naming`` writes the derivation's names (the LaTeX printer's own)."""

    printmethod = "_symbackprop_mathml"
    #: values defined as a transpose (``s = u^T``, a model's): ``s^T`` prints as ``u``
    transposes: Transposes = ()

    def __init__(self, act_latex: dict[str, str] | None = None, naming: Naming | None = None):
        super().__init__({"mul_symbol": None})
        self.act_latex = dict(act_latex or {})
        self.naming = naming or Naming()
        self._arg: str | None = None
        #: the same argument without brackets of its own, inside a function's brackets
        self._bare_arg: str | None = None
        #: the argument of the element-wise function whose scalar body is being printed
        self._body_of: Any = None

    # -- plumbing ------------------------------------------------------------------------------
    def _node(self, xml: str) -> Any:
        node = self.dom.createElement("mrow")
        node.appendChild(self.dom.createTextNode(xml))  # SymPy's text nodes are written raw
        return node

    def mathml(self, expr: Any) -> str:
        """``expr`` as MathML (the children of a ``<math>``), in plain form; a ones matrix that
        is the whole expression with its size (𝟏_m^⊤: alone, 1 would say it is the number)."""
        if ones_alone(expr):
            return self.ones_factor(expr)
        return self._s(plain(expr, self.transposes))

    def _s(self, expr: Any) -> str:
        """A part of an expression already in plain form, as MathML."""
        return _tidy(str(self._print(marked(expr)).toxml()))

    def _wrap(self, expr: Any) -> str:
        text = self._s(expr)
        return text if is_atom(expr) or is_call(expr) else paren(text)

    def tex(self, tex: str) -> str:
        return tex_to_mathml(tex)

    # -- leaves ----------------------------------------------------------------------------------
    def _print_MatrixSymbol(self, expr: Any) -> Any:
        return self._node(self.tex(self.naming.latex(str(expr.name))))

    def _print_Symbol(self, expr: Any, style: str = "plain") -> Any:
        name = str(expr.name)
        if name == _ARG and self._arg is not None:
            return self._node(self._arg)
        if name == "lambda":
            return self._node(el("mi", "λ"))
        if name in (ARGUMENT_NAME, BARE_NAME):
            return self._node(self.tex(r"(\cdot)" if name == ARGUMENT_NAME else r"\cdot"))
        return self._node(self.tex(self.naming.dim(name)))

    def _print_OneMatrix(self, expr: Any) -> Any:
        return self._node(el("mn", "1"))

    def ones_factor(self, expr: Any) -> str:
        """The ones vector of a batch sum: 𝟏_m (a column) or 𝟏_m^⊤ (a row)."""
        one = el("mn", "1", style="font-weight: bold")
        kind = ones_kind(expr)
        if kind is None:
            rows, cols = (self._s(d) for d in expr.shape)
            return el("msub", one, mrow(rows, mo("×"), cols))
        sub = self._s(kind[1])
        if kind[0] == "row":
            return el("msubsup", one, sub, TOP)
        return el("msub", one, sub)

    # -- structure -----------------------------------------------------------------------------
    def _print_Transpose(self, expr: Any) -> Any:
        if isinstance(expr.arg, sp.MatrixSymbol):
            return self._node(self.tex(self.naming.latex(str(expr.arg.name), transpose=True)))
        if isinstance(expr.arg, OneMatrix):
            return self._node(self.ones_factor(sp.OneMatrix(*reversed(expr.arg.shape))))
        return self._node(el("msup", self._wrap(expr.arg), TOP))

    def _print_MatAdd(self, expr: Any) -> Any:
        out: list[str] = []
        for i, (negative, term) in enumerate(ordered_terms(expr)):
            text = self._s(term)
            if isinstance(term, MatAdd):
                text = paren(text)
            if i == 0:
                out += [mo("−"), text] if negative else [text]
            else:
                out += [mo("−" if negative else "+"), text]
        return self._node(mrow(*out))

    def _print_Rational(self, expr: Any) -> Any:
        # 851/500 as the user wrote it, 1.702 (formula.decimals); 1/2 stays a fraction
        shown = decimal_text(expr)
        if shown is None:
            return super()._print_Rational(expr)
        sign = [mo("−")] if shown.startswith("-") else []
        mantissa, marker, exponent = shown.removeprefix("-").partition("e")
        number = el("mn", mantissa)
        if marker:  # 2.5 × 10^-8: "2.5e-8" in MathML reads as a product with e
            power = el("msup", el("mn", "10"), mrow(mo("−"), el("mn", exponent[1:])))
            number = mrow(number, mo("×"), power)
        return self._node(mrow(*sign, number) if sign else number)

    def _coefficient(self, coeff: sp.Expr, body: str) -> str:
        if coeff == 1:
            return body
        if coeff == -1:
            return mrow(mo("−"), body)
        sign: list[str] = []
        if coeff.could_extract_minus_sign():
            sign, coeff = [mo("−")], -coeff
        shown = self._s(coeff)
        if isinstance(coeff, sp.Add):
            shown = paren(shown)
        return mrow(*sign, shown, mo("\u2062"), body)

    def _print_MatMul(self, expr: Any) -> Any:
        coeff, parts = product_factors(expr, self.ones_factor, self._wrap)
        body = mrow(*_joined(parts, mo("\u2062")))
        matrices = split_coeff(expr)[1]
        if coeff not in (1, -1) and matrices and isinstance(matrices[0], sp.OneMatrix):
            # 2 𝟏_2 read as 21_2 with the numbers side by side: a thin space between
            body = mrow(el("mspace", width="0.17em"), body)
        return self._node(self._coefficient(coeff, body))

    def _print_HadamardProduct(self, expr: Any) -> Any:
        num, den = division_parts(expr)
        if not den:
            return self._node(mrow(*_joined([self._wrap(f) for f in num], mo("⊙"))))

        def side(factors: list[Any]) -> str:
            if not factors:
                return el("mn", "1")
            if len(factors) == 1:
                return self._s(factors[0])
            return mrow(*_joined([self._wrap(f) for f in factors], mo("⊙")))

        return self._node(el("mfrac", side(num), side(den)))

    def _print_HadamardPower(self, expr: Any) -> Any:
        if expr.exp.is_negative:
            return self._print(HadamardProduct(expr))
        base = self._s(expr.base)
        # a symbol with a superscript of its own (a^[5]) is bracketed too, as LaTeX writes
        # (a^{[5]})^{⊙2}: a superscript on a superscript read a^[5]^⊙2 (lecturer44 #5)
        if not isinstance(expr.base, sp.MatrixSymbol) or _superscripted(base):
            base = paren(base)
        return self._node(el("msup", base, mrow(mo("⊙"), self._s(expr.exp))))

    def _print_Pow(self, expr: Any) -> Any:
        if self._body_of is None or not entrywise_power(expr, _ARG_SYMBOL, self._body_of):
            return super()._print_Pow(expr)
        if expr.exp.is_negative:  # entry by entry: 1 over the element-wise power
            positive = self._s(sp.Pow(expr.base, -expr.exp))  # 1/A for A^-1, not 1/A^{⊙1}
            return self._node(el("mfrac", el("mn", "1"), positive))
        base = self._s(expr.base)
        call = isinstance(expr.base, sp.Function) and self._bare_arg is not None
        if not call and (
            expr.base != _ARG_SYMBOL or not isinstance(self._body_of, sp.MatrixSymbol)
        ):
            base = paren(base)  # (A^T)^{⊙2}, not A^{T ⊙2}; tanh(A)^{⊙2} as it is
        elif not call and _superscripted(base):
            base = paren(base)  # (a^[2])^{⊙2}, as LaTeX writes it (lecturer44 #5)
        return self._node(el("msup", base, mrow(mo("⊙"), self._s(expr.exp))))

    def _print_Mul(self, expr: Any) -> Any:
        # factors of an element-wise body that each read a matrix multiply entry by entry:
        # h ⊙ (1 − h), not h (1 − h), which is the matrix product
        parts = None
        if self._body_of is not None:
            parts = entrywise_product(expr, _ARG_SYMBOL, self._body_of)
        if parts is None:
            return super()._print_Mul(expr)
        scalar, num, den = parts

        def side(factors: list[Any]) -> str:
            if not factors:
                return el("mn", "1")
            if len(factors) == 1:
                return self._s(factors[0])
            shown = [paren(self._s(f)) if reads_as_sum(f) else self._s(f) for f in factors]
            return mrow(*_joined(shown, mo("⊙")))

        body = el("mfrac", side(num), side(den)) if den else side(num)
        if not den and len(num) == 1 and reads_as_sum(num[0]):
            body = paren(body)
        return self._node(self._coefficient(scalar, body))

    def _print_Function(self, expr: Any) -> Any:
        # a scalar function of the argument in an element-wise body: the activation's own
        # symbol (σ, as the LaTeX and the equations write it) and the argument in the call's
        # brackets only: σ(W X + b), not sigmoid((W X + b))
        if self._bare_arg is None or expr.args != (_ARG_SYMBOL,):
            return super()._print_Function(expr)
        record = ACTIVATIONS.get(type(expr).__name__)
        head = self.tex(record.latex) if record is not None else el("mi", self.mathml_tag(expr))
        return self._node(mrow(head, paren(self._bare_arg)))

    def arg(self, expr: Any) -> str:
        """An argument inside a function's own brackets."""
        return self._s(expr)

    def _print_exp(self, expr: Any) -> Any:
        if self._body_of is None or not of_a_matrix(expr, _ARG_SYMBOL, self._body_of):
            return super()._print_exp(expr)
        return self._node(mrow(el("mi", "exp"), paren(self._s(expr.args[0]))))  # not e^{A}

    def _print_DiagMatrix(self, expr: Any) -> Any:
        return self._node(mrow(el("mi", "diag"), paren(self._s(expr.args[0]))))

    def _indicator(self, condition: str) -> str:
        one = el("mn", "1", style="font-weight: bold")
        return mrow(one, mo("{", stretchy="false"), condition, mo("}", stretchy="false"))

    def _indicator_sum(self, expr: Any) -> str | None:
        # a value that reads a matrix argument multiplies its indicator entry by entry (⊙)
        return indicator_sum(
            expr,
            self._s,
            lambda c: self._indicator(c),
            lambda v, i: mrow(v, mo("\u2062"), i),
            (self._of_the_matrix, lambda v, i: mrow(v, mo("⊙"), i)),
        )

    def _of_the_matrix(self, part: Any) -> bool:
        """Whether ``part`` of an element-wise body is a matrix (:func:`reads_the_matrix`)."""
        return reads_the_matrix(part, self._body_of)

    def _print_Piecewise(self, expr: Any) -> Any:
        text = self._indicator_sum(expr)
        return self._node(text) if text is not None else self._node(self._cases(expr))

    def _cases(self, expr: Any) -> str:
        rows = []
        for piece in expr.args:
            cond = (
                el("mtext", "otherwise")
                if piece.cond is sp.true
                else mrow(el("mtext", "if\u00a0"), self._s(piece.cond))
            )
            rows.append(el("mtr", el("mtd", self._s(piece.expr)), el("mtd", cond)))
        return mrow(mo("{"), el("mtable", *rows, columnalign="left"))

    def _print_Relational(self, expr: Any) -> Any:
        rel = _RELATIONS.get(expr.rel_op, expr.rel_op)
        return self._node(mrow(self._s(expr.lhs), mo(rel), self._s(expr.rhs)))

    # -- symbackprop's own nodes ---------------------------------------------------------------
    def act(self, name: str) -> str:
        latex = self.act_latex.get(name)
        if latex:
            return self.tex(latex)
        return el("mi", name)

    def _print_Softmax(self, expr: Any) -> Any:
        return self._node(mrow(self.act("softmax"), paren(self._s(expr.arg))))

    def _print_LogSumExp(self, expr: Any) -> Any:
        return self._node(log_sum_exp(self._s(expr.arg)))

    def _print_SoftmaxOfAll(self, expr: Any) -> Any:
        return self._node(softmax_of_all(self._s(expr.arg)))

    def _print_ElementwiseApplyFunction(self, expr: Any) -> Any:
        arg = self._s(expr.arg)
        if expr.activation_name is not None:
            return self._node(mrow(self.act(expr.activation_name), paren(arg)))
        if expr.derivative_name is not None:
            prime = el("msup", self.act(expr.derivative_name), mo("′"))
            return self._node(mrow(prime, paren(arg)))
        indicator = expr.indicator
        if indicator is not None:
            rel = _RELATIONS.get(indicator[0], indicator[0])
            return self._node(self._indicator(mrow(arg, mo(rel), self._s(indicator[1]))))
        body = expr.body.xreplace({expr.variable: _ARG_SYMBOL})
        saved, self._arg = self._arg, arg
        saved_of, self._body_of = self._body_of, expr.arg
        saved_bare, self._bare_arg = self._bare_arg, self.arg(expr.arg)
        try:
            if isinstance(body, sp.Piecewise):
                text = self._indicator_sum(body)
                return self._node(paren(text) if text is not None else self._cases(body))
            return self._node(self._s(body))
        finally:
            self._arg, self._body_of, self._bare_arg = saved, saved_of, saved_bare


#: SymPy's scalar printing, made like ours: a minus sign, no entity names, and brackets as
#: :func:`paren` sizes them (:func:`_sized_brackets`)
_TIDY = {
    "<mo>-</mo>": "<mo>−</mo>",
    "&InvisibleTimes;": "\u2062",
}
_BRACKET = re.compile(r"(<mo>\(</mo>|<mo>\)</mo>)")


def _tidy(xml: str) -> str:
    for old, new in _TIDY.items():
        xml = xml.replace(old, new)
    return _sized_brackets(xml)


def _sized_brackets(xml: str) -> str:
    """SymPy's brackets as :func:`paren` makes ours: grown around a fraction, else text-sized
    (every pair was text-sized: ``((1 - y)/(1 - a) - y/a)`` stayed small around its fractions:
    hostile35b #5). Pairs are matched in order; an unmatched one stays text-sized."""
    parts = _BRACKET.split(xml)
    opened: list[int] = []
    stretchy = {index: "false" for index, part in enumerate(parts) if _BRACKET.fullmatch(part)}
    for index, part in enumerate(parts):
        if part == "<mo>(</mo>":
            opened.append(index)
        elif part == "<mo>)</mo>" and opened:
            start = opened.pop()
            if any("<mfrac" in inner for inner in parts[start + 1 : index]):
                stretchy[start] = stretchy[index] = "true"
    for index, value in stretchy.items():
        parts[index] = parts[index].replace("<mo>", f'<mo stretchy="{value}">')
    return "".join(parts)


def _joined(parts: list[str], separator: str) -> list[str]:
    out: list[str] = []
    for index, part in enumerate(parts):
        if index:
            out.append(separator)
        out.append(part)
    return out


def _named(name: str, arg: str) -> str:
    return mrow(el("mi", name), paren(arg))


def log_sum_exp(arg: str) -> str:
    """log(sum(exp(arg))) over every entry, ``arg`` printed."""
    return _named("log", _named("sum", _named("exp", arg)))


def softmax_of_all(arg: str) -> str:
    """exp(arg) / sum(exp(arg)) over every entry, ``arg`` printed."""
    return el("mfrac", _named("exp", arg), _named("sum", _named("exp", arg)))


def _superscripted(mathml: str) -> bool:
    """Whether printed MathML is a symbol with a superscript of its own (``a^[2]``, in an
    ``mrow`` or not): a power of it is bracketed, a superscript on a superscript misreads."""
    while mathml.startswith("<mrow>") and mathml.endswith("</mrow>"):
        mathml = mathml[len("<mrow>") : -len("</mrow>")]
    return mathml.startswith(("<msup>", "<msubsup>")) and mathml.endswith(
        ("</msup>", "</msubsup>")
    )
