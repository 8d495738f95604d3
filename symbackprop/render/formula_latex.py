"""A formula tree (a model's equation, or part of one) in LaTeX.

The model's equations are printed as the student wrote them, in math notation:
``z1 = W1 X + b1`` is ``z_{1} = W_{1} X + b_{1}``, ``bce(sigmoid(w^T h + c), Y)`` is
``\\operatorname{bce}\\bigl(\\sigma(w^{\\top} h + c), Y\\bigr)``, ``D / sqrt(var + 0.001)`` is a
fraction (entry by entry, as the language defines ``/``), ``A ⊙ B`` is ``A \\odot B``, an
element-wise power ``x^2`` is ``x^{\\odot 2}`` (a plain power of a function that gives a
scalar: ``\\lVert r \\rVert_2^{2}``). Parentheses follow the parser's precedence
(:func:`symbackprop.formula.ast.level`), so the LaTeX groups exactly as the tree does.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from symbackprop.formula import Binary, Call, Deriv, Indicator, Name, Num, Transpose, Unary
from symbackprop.formula import Node as FormulaNode
from symbackprop.formula.ast import POSTFIX, POWER, UNARY, level, number_text
from symbackprop.formula.decimals import latex_decimal
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.render.latex_scripts import attach
from symbackprop.render.latexprint import visual_width

Names = Callable[[str], str]

#: functions whose value is 1 x 1 (a power of one is an ordinary power)
SCALAR_VALUED = frozenset({"sum", "tr", "det", "logdet", "norm1", "norm2", "bce", "ce", "mse"})
_OPERATORS = {
    "exp": r"\exp",
    "log": r"\log",
    "det": r"\det",
    "tr": r"\operatorname{tr}",
    "logdet": r"\log\det",
    "sum": r"\operatorname{sum}",
    "rowsum": r"\operatorname{rowsum}",
    "softmax": r"\operatorname{softmax}",
}


def formula_latex(node: FormulaNode, names: Names) -> str:
    """``node`` in LaTeX (see the module docstring); ``names`` writes a name in LaTeX."""
    return _latex(node, names)


def formula_lines(node: FormulaNode, names: Names, width: float) -> list[str]:
    """``node`` in LaTeX as lines at most about ``width`` wide (see
    :func:`~.latexprint.visual_width`), broken before the signs of its top-level sum
    (``bce(p, Y) + mse(p, Y) + ...``); one line when it fits or is no sum."""
    terms: list[str] = []
    while isinstance(node, Binary) and node.op in ("+", "-"):
        right = _wrap(node.right, level(node.right) <= level(node), names)
        terms.append(f"{node.op} {right}")
        node = node.left
    terms.append(_latex(node, names))
    lines = [""]
    for term in reversed(terms):
        if lines[-1] and visual_width(f"{lines[-1]} {term}") > width:
            lines.append(term)
        else:
            lines[-1] = f"{lines[-1]} {term}" if lines[-1] else term
    return lines


def _wrap(node: FormulaNode, needed: bool, names: Names) -> str:
    body = _latex(node, names)
    return rf"\left({body}\right)" if needed else body


def _fraction(node: FormulaNode) -> bool:
    """A division, typeset as a fraction: its bar groups it without brackets."""
    return isinstance(node, Binary) and node.op == "/"


def _number(value: Fraction) -> str:
    return latex_decimal(number_text(value))  # 2.5e-7: 2.5 \cdot 10^{-7}


def _function(name: str) -> str:
    if name in _OPERATORS:
        return _OPERATORS[name]
    record = ACTIVATIONS.get(name)
    if record is not None and record.latex:
        return record.latex
    return r"\operatorname{" + name.replace("_", r"\_") + "}"


def _latex(node: FormulaNode, names: Names) -> str:  # noqa: C901
    if isinstance(node, Num):
        return _number(node.value)
    if isinstance(node, Name):
        return str(names(node.id))
    if isinstance(node, Unary):
        return node.op + _wrap(node.operand, level(node.operand) < UNARY, names)
    if isinstance(node, Transpose):
        inner = _wrap(node.operand, level(node.operand) < POSTFIX, names)
        return attach(inner, r"^{\top}")  # (W^T)^T, inv(A)^T: braced, not a double superscript
    if isinstance(node, Call):
        args = [_latex(arg, names) for arg in node.args]
        if node.func == "sqrt":
            return r"\sqrt{" + args[0] + "}"
        if node.func == "abs":
            return r"\left\lvert " + args[0] + r" \right\rvert"
        if node.func in ("norm1", "norm2"):
            return r"\left\lVert " + args[0] + r" \right\rVert_{" + node.func[-1] + "}"
        if node.func == "inv":
            if isinstance(node.args[0], Name):
                return attach(args[0], "^{-1}")
            return r"\left(" + args[0] + r"\right)^{-1}"
        return _function(node.func) + r"\left(" + ", ".join(args) + r"\right)"
    if isinstance(node, Deriv):
        return _function(node.func) + r"'\left(" + _latex(node.arg, names) + r"\right)"
    if isinstance(node, Indicator):
        left, right = _latex(node.left, names), _latex(node.right, names)
        return rf"\mathbf{{1}}\lbrace {left} {node.cmp} {right} \rbrace"
    assert isinstance(node, Binary)
    op = node.op
    if op == "/":
        return r"\frac{" + _latex(node.left, names) + "}{" + _latex(node.right, names) + "}"
    if op == "^":
        base = _wrap(node.left, level(node.left) < POSTFIX, names)
        exponent = _latex(node.right, names)
        scalar = isinstance(node.left, Call) and node.left.func in SCALAR_VALUED
        return attach(base, "^{" + exponent + "}" if scalar else r"^{\odot " + exponent + "}")
    own = level(node)
    left = _wrap(node.left, level(node.left) < own and not _fraction(node.left), names)
    if op in ("juxt", "@"):
        right = _wrap(node.right, level(node.right) < POWER and not _fraction(node.right), names)
        return f"{left} \\, {right}"
    right = _wrap(node.right, level(node.right) <= own, names)
    symbol = {"*": r"\odot", "⊙": r"\odot"}.get(op, op)
    if symbol == r"\odot" and _number_like(node.left) and _number_like(node.right):
        symbol = r"\cdot"  # 2 * 3, sum(W) * exp(2): a product of numbers, no Hadamard one
    return f"{left} {symbol} {right}"


def _number_like(node: FormulaNode) -> bool:
    """Whether ``node`` is a number whatever the names' shapes: a literal, a function that
    gives a scalar (``sum``, ``det``, a loss), or an element-wise function, sign, power or
    arithmetic of such numbers (``exp(2)``, ``-3/4``)."""
    if isinstance(node, Num):
        return True
    if isinstance(node, Unary):
        return _number_like(node.operand)
    if isinstance(node, Call):
        return node.func in SCALAR_VALUED or all(_number_like(arg) for arg in node.args)
    if isinstance(node, Binary):
        if node.op == "^":
            return _number_like(node.left)
        return _number_like(node.left) and _number_like(node.right)
    return False
