"""Print matrix expressions back in the formula language, so a repair can be typed back in.

``((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T``: juxtaposition for matrix products, ``⊙`` for
element-wise ones, ``^T`` for transposes, ``1`` for a ones matrix. The output parses with
:func:`symbackprop.formula.parse` to an equal expression.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import (
    HadamardPower,
    HadamardProduct,
    MatAdd,
    MatMul,
    MatrixSymbol,
    OneMatrix,
    Transpose,
)

from symbackprop.nodes import Act, ActPrime, Apply

# binding strength: a lower number needs parentheses inside a higher one
_SUM, _PRODUCT, _ATOM = 1, 2, 3


def to_formula(expr: Any) -> str:
    """``expr`` in the formula language (see the module docstring)."""
    return _print(expr)[0]


def _wrap(expr: Any, level: int) -> str:
    text, own = _print(expr)
    return f"({text})" if own < level else text


def _scalar(value: Any) -> str:
    text = str(value)
    return f"({text})" if any(c in text for c in "+-/* ") else text


def _print(expr: Any) -> tuple[str, int]:  # noqa: C901 - one dispatch over node kinds
    if isinstance(expr, MatrixSymbol):
        return expr.name, _ATOM
    if isinstance(expr, OneMatrix):
        return "1", _ATOM
    if isinstance(expr, Transpose):
        return f"{_wrap(expr.arg, _ATOM)}^T", _ATOM
    if isinstance(expr, Act):
        return f"{expr.name}({_print(expr.arg)[0]})", _ATOM
    if isinstance(expr, ActPrime):
        return f"{expr.name}'({_print(expr.arg)[0]})", _ATOM
    if isinstance(expr, Apply):
        indicator = expr.indicator
        arg = _print(expr.arg)[0]
        if indicator is not None:
            return f"1{{{arg} {indicator[0]} {indicator[1]}}}", _ATOM
        t = expr.fn.variables[0]
        body = expr.fn.expr
        if isinstance(body, sp.Function) and body.args == (t,):
            return f"{body.func.__name__}({arg})", _ATOM
        return str(body).replace(str(t), f"({arg})"), _PRODUCT
    if isinstance(expr, HadamardPower):
        return f"{_wrap(expr.base, _ATOM)}^{_scalar(expr.exp)}", _ATOM
    if isinstance(expr, HadamardProduct):
        return " ⊙ ".join(_wrap(arg, _ATOM) for arg in expr.args), _PRODUCT
    if isinstance(expr, MatMul):
        return _matmul(expr)
    if isinstance(expr, MatAdd):
        return _matadd(expr)
    return _scalar(expr), _ATOM


def _matmul(expr: MatMul) -> tuple[str, int]:
    coeff, matrices = expr.as_coeff_matrices()
    if coeff != 1 and len(matrices) == 1 and isinstance(matrices[0], OneMatrix):
        return _scalar(coeff), _ATOM
    parts = []
    for index, matrix in enumerate(matrices):
        if isinstance(matrix, OneMatrix) and index == len(matrices) - 1 and matrix.shape[1] == 1:
            # X 1_m: the sum over columns
            rest = MatMul(*matrices[:index]) if index > 1 else matrices[0]
            parts = [f"sum({_print(rest)[0]})"]
            break
        parts.append(_wrap(matrix, _ATOM))
    text = " ".join(parts)
    if coeff == -1:
        return f"-{text}" if len(parts) == 1 else f"-({text})", _PRODUCT
    if coeff != 1:
        return f"{_scalar(coeff)} {text}", _PRODUCT
    return text, _PRODUCT


def _matadd(expr: MatAdd) -> tuple[str, int]:
    def order(term: Any) -> int:
        if isinstance(term, OneMatrix) or (
            isinstance(term, MatMul)
            and any(isinstance(a, OneMatrix) for a in term.args)
            and len(term.args) == 2
        ):
            return 0
        return 2 if _negative(term) else 1

    out = ""
    for index, term in enumerate(sorted(expr.args, key=order)):
        if _negative(term):
            text = _wrap(-term, _PRODUCT)
            out += f"-{text}" if index == 0 else f" - {text}"
        else:
            text = _wrap(term, _SUM + 1) if index else _print(term)[0]
            out += text if index == 0 else f" + {text}"
    return out, _SUM


def _negative(term: Any) -> bool:
    return isinstance(term, MatMul) and bool(
        term.as_coeff_matrices()[0].could_extract_minus_sign()
    )
