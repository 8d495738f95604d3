"""Print matrix expressions back in the formula language, so a repair can be typed back in.

``((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T``: juxtaposition for matrix products, ``⊙`` for
element-wise ones, ``^T`` for transposes, ``1`` for a ones matrix in a sum, ``sum(X)`` for a
sum over the columns. Parentheses follow the parser's precedence (tightest first: ``^T``,
``^``, matrix product, ``⊙``/``*``/``/``, ``+``/``-``), plus one for readability: a matrix
product inside an element-wise one is always bracketed. The output parses with
:func:`symbackprop.formula.parse` (and types) to an equal expression; a node the language cannot
write (``pi``, an imaginary unit, an unknown function) raises ``ValueError`` instead of being
printed in some other syntax.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import (
    Determinant,
    HadamardPower,
    HadamardProduct,
    Identity,
    Inverse,
    MatAdd,
    MatMul,
    MatrixSymbol,
    OneMatrix,
    Trace,
    Transpose,
)
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.core.plain_form import broadcast_column, plain
from symbackprop.core.textprint import unit
from symbackprop.formula.ast import (
    ATOM,
    ELEMENTWISE,
    MATPROD,
    POSTFIX,
    POWER,
    SUM,
    UNARY,
    indicator_text,
)
from symbackprop.formula.decimals import decimal_text
from symbackprop.formula.functions import sigmoid
from symbackprop.records.nodes import Elementwise, LogSumExp, Softmax, SoftmaxOfAll

#: SymPy scalar functions and their names in the formula language
_FUNCTION_NAMES: dict[Any, str] = {
    sp.exp: "exp",
    sp.log: "log",
    sp.Abs: "abs",
    sp.sin: "sin",
    sp.cos: "cos",
    sp.tanh: "tanh",
    sigmoid: "sigmoid",
}
_COMPARISONS = {
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: ">=",
    sp.StrictLessThan: "<",
    sp.LessThan: "<=",
}

Printed = tuple[str, int]


def to_formula(expr: Any) -> str:
    """``expr`` in the formula language (see the module docstring), in plain form
    (:func:`~symbackprop.core.plain_form.plain`: no ``(w^T)^T``, no ``1 ⊙ M``)."""
    return _print(plain(expr))[0]


def _wrap(printed: Printed, needed: bool) -> str:
    return f"({printed[0]})" if needed else printed[0]


def _print(expr: Any) -> Printed:  # noqa: C901 - one dispatch over node kinds
    if isinstance(expr, MatrixSymbol):
        return expr.name, ATOM
    if isinstance(expr, OneMatrix):
        return "1", ATOM
    if unit(expr):
        return "1", ATOM  # a model's seed dJ/dJ, a 1 x 1 identity
    if isinstance(expr, Inverse):
        return f"inv({_print(expr.arg)[0]})", ATOM
    if isinstance(expr, Transpose):
        inner = _print(expr.arg)
        return f"{_wrap(inner, inner[1] < POSTFIX)}^T", POSTFIX
    if isinstance(expr, Softmax):
        return f"softmax({_print(expr.arg)[0]})", ATOM
    if isinstance(expr, LogSumExp):
        return f"log(sum(exp({_print(expr.arg)[0]})))", ATOM
    if isinstance(expr, SoftmaxOfAll):
        arg = _print(expr.arg)[0]
        return f"exp({arg}) / sum(exp({arg}))", ELEMENTWISE
    if isinstance(expr, Elementwise):
        if expr.activation_name is not None:
            return f"{expr.activation_name}({_print(expr.arg)[0]})", ATOM
        if expr.derivative_name is not None:
            return f"{expr.derivative_name}'({_print(expr.arg)[0]})", ATOM
        return _scalar(expr.body, {expr.function.variables[0]: _print(expr.arg)})
    if isinstance(expr, HadamardPower):
        base = _print(expr.base)
        exponent = _scalar(expr.exp)
        # (A^T)^2, not A^T^2: the parser reads both alike, a reader may not
        return f"{_wrap(base, base[1] <= POSTFIX)}^{_wrap(exponent, exponent[1] < UNARY)}", POWER
    if isinstance(expr, HadamardProduct):
        return _hadamard(expr)
    if isinstance(expr, MatMul):
        return _matmul(expr)
    if isinstance(expr, MatAdd):
        return _matadd(expr)
    if getattr(expr, "is_Matrix", False):
        raise ValueError(f"the formula language has no form for {type(expr).__name__}")
    return _scalar(expr)


def _unbroadcast(term: Any, siblings: tuple[Any, ...]) -> Any:
    """``b`` for ``b 1_m^T`` beside a sibling of full width in ``+ - ⊙``: the language repeats
    a column over the m columns there (the only broadcast)."""
    column = broadcast_column(term)
    if column is None:
        return term
    if any(broadcast_column(other) is None for other in siblings if other is not term):
        return column
    return term


def _hadamard(expr: HadamardProduct) -> Printed:
    """``A ⊙ B`` (an all-ones factor is already left out by the plain form)."""
    parts = []
    for arg in expr.args:
        printed = _print(_unbroadcast(arg, expr.args))
        # a matrix product inside ⊙ binds tighter anyway; the brackets are for the reader
        parts.append(_wrap(printed, printed[1] <= MATPROD))
    return " ⊙ ".join(parts), ELEMENTWISE


def _matmul(expr: MatMul) -> Printed:
    coeff, matrices = expr.as_coeff_matrices()
    if coeff != 1 and len(matrices) == 1 and isinstance(matrices[0], OneMatrix):
        return _scalar(coeff)  # a number broadcast in a sum
    # an identity factor changes nothing (a model's ``tr`` gives one: A^T I_p)
    kept = [matrix for matrix in matrices if not isinstance(matrix, Identity)]
    if not kept and matrices:
        if tuple(expr.shape) != (1, 1):
            raise ValueError("the formula language has no identity matrix")
        return _scalar(coeff)
    matrices = kept
    if len(matrices) > 1 and isinstance(matrices[0], OneMatrix) and matrices[0].shape[0] == 1:
        # 1_k^T M: the sum of each column of M (a model's sum over the rows)
        rest = matrices[1:]
        if isinstance(rest[-1], OneMatrix) and rest[-1].shape[1] == 1 and len(rest) > 1:
            inner, whole = MatMul(*rest[:-1]) if len(rest) > 2 else rest[0], True
        else:
            inner, whole = MatMul(*rest) if len(rest) > 1 else rest[0], False
        if whole or inner.shape[1] == 1:
            sums: Printed = (f"sum({_print(inner)[0]})", ATOM)
        else:
            sums = (f"rowsum({_wrap(_print(inner), _print(inner)[1] < POSTFIX)}^T)^T", POSTFIX)
        if coeff == 1:
            return sums
        return _matmul_text(coeff, sums[0], sums[1])
    parts: list[str] = []
    own = MATPROD
    for index, matrix in enumerate(matrices):
        if isinstance(matrix, OneMatrix) and index == len(matrices) - 1 and matrix.shape[1] == 1:
            # X 1_m: each row summed over the columns (``sum`` adds every entry)
            rest = MatMul(*matrices[:index]) if index > 1 else matrices[0]
            parts = [f"rowsum({_print(rest)[0]})"]
            break
        ones = isinstance(matrix, OneMatrix) or (
            isinstance(matrix, Transpose) and isinstance(matrix.arg, OneMatrix)
        )  # 1^T prints as the number 1, too (review37 #1)
        if ones or _broadcast_number(matrix):
            # c 1_k as a factor of a product (2 sum(W x) 1_2 x^T) is no number there: printed
            # as c it would type to another shape (review13 R3)
            raise ValueError("the formula language has a ones matrix only in sums and rowsum()")
        inner = _print(matrix)
        # a factor of a juxtaposition is a power (or tighter) that starts with a name or '('
        needed = inner[1] < POWER or (bool(parts) and not _starts_with_name(inner[0]))
        parts.append(_wrap(inner, needed))
        own = inner[1] if len(matrices) == 1 and not needed else MATPROD
    return _matmul_text(coeff, " ".join(parts), own)


def _broadcast_number(matrix: Any) -> bool:
    """Whether ``matrix`` is a number times a ones matrix of more than one entry (what
    :func:`_matmul` prints as the number, for the sum it is broadcast in)."""
    if not isinstance(matrix, MatMul) or tuple(matrix.shape) == (1, 1):
        return False
    _coeff, factors = matrix.as_coeff_matrices()
    return len(factors) == 1 and isinstance(factors[0], OneMatrix)


def _matmul_text(coeff: Any, text: str, own: int) -> Printed:
    """``text`` (of precedence ``own``) times the number ``coeff``."""
    if coeff == 1:
        return text, own
    if coeff == -1:
        return f"-{_wrap((text, own), own < POWER)}", UNARY
    number = _scalar(coeff)
    negative = number[0].startswith("-")
    if negative:
        number = _scalar(-coeff)
    # 2 w and 0.5 (W x) read as written, -0.3 x too; 1/2 w would read as 1/(2 w), so (1/2) w
    plain_number = number[0][:1].isdigit() or _starts_with_name(number[0])
    scaled = f"{_wrap(number, number[1] < MATPROD or not plain_number)} {text}"
    return (f"-{scaled}", UNARY) if negative else (scaled, MATPROD)


def _starts_with_name(text: str) -> bool:
    """Whether juxtaposition may put ``text`` after a factor: a name, '(' or an indicator."""
    return bool(text) and (text[0].isalpha() or text[0] == "(" or text.startswith("1{"))


def _matadd(expr: MatAdd) -> Printed:
    def order(term: Any) -> int:
        if isinstance(term, OneMatrix) or (
            isinstance(term, MatMul)
            and any(isinstance(a, OneMatrix) for a in term.args)
            and len(term.args) == 2
        ):
            return 0
        return 2 if _negative(term) else 1

    out = ""
    terms = [_unbroadcast(term, expr.args) for term in expr.args]
    for index, term in enumerate(sorted(terms, key=order)):
        if _negative(term):
            inner = _print(-term)
            if index == 0:
                out += f"-{_wrap(inner, inner[1] < POWER)}"
            else:
                out += f" - {_wrap(inner, inner[1] <= SUM)}"
        else:
            inner = _print(term)
            out += inner[0] if index == 0 else f" + {_wrap(inner, inner[1] <= SUM)}"
    return out, SUM


def _product(factors: list[Any], variables: dict[Any, Printed]) -> Printed:
    """Scalar ``factors`` joined with ``*``; one factor as it prints alone."""
    parts = [_scalar(arg, variables) for arg in factors]
    if len(parts) == 1:
        return parts[0]
    text = " * ".join(
        _wrap(part, part[1] < ELEMENTWISE if i == 0 else part[1] <= ELEMENTWISE)
        for i, part in enumerate(parts)
    )
    return text, ELEMENTWISE


def _negative(term: Any) -> bool:
    return isinstance(term, MatMul) and bool(
        term.as_coeff_matrices()[0].could_extract_minus_sign()
    )


# -- scalars: coefficients, exponents, and the body of an element-wise function ----------------


def _scalar(expr: Any, variables: dict[Any, Printed] | None = None) -> Printed:  # noqa: C901
    """A scalar SymPy expression in the formula language; ``variables`` maps a dummy to text."""
    variables = variables or {}
    expr = sp.sympify(expr, strict=True)
    if expr in variables:
        return variables[expr]
    if expr.is_Integer:
        value = int(expr)
        return (str(value), ATOM) if value >= 0 else (f"-{-value}", UNARY)
    if expr.is_Rational:
        decimal = decimal_text(abs(expr))  # 1.702 as written, not 851/500
        if decimal is not None:
            return (decimal, ATOM) if expr.p > 0 else (f"-{decimal}", UNARY)
        text = f"{abs(expr.p)}/{expr.q}"
        return (text, ELEMENTWISE) if expr.p > 0 else (f"-{text}", UNARY)
    if expr.is_Float:
        raise ValueError("the formula language keeps numbers exact; no floating point")
    if expr is sp.E:
        return "exp(1)", ATOM
    if isinstance(expr, MatrixElement) and tuple(expr.parent.shape) == (1, 1):
        return _print(expr.parent)  # the entry of a 1 x 1 value, multiplying like a number
    if isinstance(expr, (Determinant, Trace)):
        call = "det" if isinstance(expr, Determinant) else "tr"
        return f"{call}({_print(expr.arg)[0]})", ATOM
    if isinstance(expr, sp.sign):
        sign = _scalar(expr.args[0], variables)[0]  # abs' (0 at 0, as sign)
        return f"{indicator_text(f'{sign} > 0')} - {indicator_text(f'{sign} < 0')}", SUM
    if isinstance(expr, sp.Symbol):
        if not expr.name.isidentifier():
            raise ValueError(f"the symbol {expr.name!r} is not a name of the formula language")
        return expr.name, ATOM
    if isinstance(expr, sp.Add):
        out = ""
        for index, term in enumerate(expr.as_ordered_terms()):
            if term.could_extract_minus_sign():
                inner = _scalar(-term, variables)
                sign = "-" if index == 0 else " - "
                out += sign + _wrap(inner, inner[1] <= (UNARY if index == 0 else SUM))
            else:
                inner = _scalar(term, variables)
                out += inner[0] if index == 0 else " + " + _wrap(inner, inner[1] <= SUM)
        return out, SUM
    if isinstance(expr, sp.Mul):
        if expr.could_extract_minus_sign():
            inner = _scalar(-expr, variables)
            if inner[1] > SUM:
                # a sign distributes over a product or quotient: -4131 * sigmoid(1) / 8 is
                # read (-4131) * sigmoid(1) / 8, the same number, at the product's precedence
                return f"-{inner[0]}", min(inner[1], UNARY)
            return f"-({inner[0]})", UNARY
        coeff, rest = expr.as_coeff_Mul()
        if decimal_text(coeff) is not None and rest != 1:
            # 0.05/m as written: SymPy's fraction would split the number, 1 / (20 * m)
            numerator, denominator = sp.fraction(rest)
            factors = [coeff, *(numerator.as_ordered_factors() if numerator != 1 else ())]
        else:
            numerator, denominator = sp.fraction(expr)
            factors = list(numerator.as_ordered_factors())
        if denominator != 1:
            top = _product(factors, variables) if factors != [1] else ("1", ATOM)
            bottom = _scalar(denominator, variables)
            slash = "/" if top[1] == bottom[1] == ATOM else " / "  # 1/m, lambda/m
            return (
                f"{_wrap(top, top[1] < ELEMENTWISE)}{slash}"
                f"{_wrap(bottom, bottom[1] <= ELEMENTWISE)}",
                ELEMENTWISE,
            )
        return _product(factors, variables)
    if isinstance(expr, sp.Pow):
        base, exponent = expr.as_base_exp()
        if exponent == sp.Rational(1, 2):
            return f"sqrt({_scalar(base, variables)[0]})", ATOM
        if exponent.is_negative:
            bottom = _scalar(base**-exponent, variables)
            slash = "/" if bottom[1] == ATOM else " / "
            return f"1{slash}{_wrap(bottom, bottom[1] <= ELEMENTWISE)}", ELEMENTWISE
        top = _scalar(base, variables)
        power = _scalar(exponent, variables)
        return f"{_wrap(top, top[1] < POSTFIX)}^{_wrap(power, power[1] < UNARY)}", POWER
    if isinstance(expr, sp.Piecewise) and len(expr.args) == 2:
        (value, condition), (otherwise, rest) = expr.args
        cmp = _COMPARISONS.get(type(condition))
        if rest == sp.true and cmp is not None:
            # value where the condition holds, else otherwise: otherwise + (value - otherwise) 1{.}
            left = _scalar(condition.lhs, variables)[0]
            right = _scalar(condition.rhs, variables)[0]
            indicator = indicator_text(f"{left} {cmp} {right}")
            step = sp.expand(value - otherwise)
            level = ATOM if step == 1 else MATPROD
            if step != 1:
                factor = _scalar(step, variables)
                if step.has(*variables):
                    # a matrix factor (2 z1 of (2 z) 1{z^2 > 2} applied to z1): side by side
                    # would be a matrix product, so the element-wise one is written (review12 R7)
                    wrapped = _wrap(factor, factor[1] <= ELEMENTWISE)
                    indicator, level = f"{wrapped} ⊙ {indicator}", ELEMENTWISE
                else:
                    indicator = f"{_wrap(factor, factor[1] < MATPROD)} {indicator}"
            if otherwise == 0:
                return indicator, level
            base = _scalar(otherwise, variables)
            return f"{_wrap(base, base[1] <= SUM)} + {indicator}", SUM
    if isinstance(expr, sp.Function):
        name = _FUNCTION_NAMES.get(expr.func)
        if name is not None and len(expr.args) == 1:
            return f"{name}({_scalar(expr.args[0], variables)[0]})", ATOM
    if isinstance(expr, sp.Sum):
        return _index_sum(expr, variables)
    raise ValueError(f"the formula language has no form for {expr}")


def _index_sum(expr: sp.Sum, variables: dict[Any, Printed]) -> Printed:
    """``sum(...)`` for SymPy's index sum over every entry of a matrix: ``sum(W ⊙ W)``, typed
    as a number, is the entry (1^T (W ⊙ W) 1)[0, 0], which SymPy writes
    ``Sum(W[_i_1, _i_2]**2, (_i_1, 0, n - 1), (_i_2, 0, k - 1))``. Printed as the sum of an
    element-wise formula when every entry in the summand is ``A[i, j]`` at the sum's own
    indices (or 0 along a side of width 1), all of one shape, the whole range of each index;
    else (an entry of a matrix product, ``W[i, k] x[k, 0]``) ``ValueError``."""
    ranges = {}
    for index, low, high in expr.limits:
        if low != 0:
            raise ValueError(f"the formula language has no form for {expr}")
        ranges[index] = high + 1
    pattern: set[tuple[Any, Any]] = set()
    dummies: dict[Any, Any] = {}
    inner = dict(variables)
    for entry in expr.function.atoms(MatrixElement):
        for at, size in zip((entry.i, entry.j), entry.parent.shape, strict=True):
            if not (ranges.get(at) == size or (at == 0 and size == 1)):
                raise ValueError(f"the formula language has no form for {expr}")
        pattern.add((entry.i, entry.j))
        dummies[entry] = sp.Dummy(str(entry.parent))
        inner[dummies[entry]] = _print(entry.parent)
    summand = expr.function.xreplace(dummies)
    if len(pattern) != 1 or set(ranges) - set(*pattern) or summand.has(*ranges):
        raise ValueError(f"the formula language has no form for {expr}")
    return f"sum({_scalar(summand, inner)[0]})", ATOM
