"""Turn a parsed formula into a scalar SymPy expression (custom activations such as swish).

SymPy objects are built only from constructors (``sympy.exp(x)``, ``sympy.Rational(p, q)``,
``+``/``*`` on SymPy objects); no string ever reaches SymPy, so nothing the user writes can run.
Matrix-only constructs (``@``, transposes, derivatives, ``sum``) are refused with the position
of the offending operator.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import sympy

from symbackprop.errors import FormulaError, did_you_mean
from symbackprop.formula.ast import (
    Binary,
    Call,
    Deriv,
    Indicator,
    Name,
    Node,
    Num,
    Transpose,
    Unary,
    children,
    to_text,
    walk,
)
from symbackprop.formula.parser import parse
from symbackprop.formula.table import FUNCTIONS

# SymPy computes constant powers exactly and evaluates constant exponentials numerically
# (mpmath), both eagerly, e.g. when it asks whether a sum is positive. Bound their size so that
# ``((2^100)^100)^100`` or ``exp(999999999999)`` is refused instead of exhausting memory.
_MAX_EXPONENT = 1000  # |e| in x^e for a constant e
_MAX_LOG_MAGNITUDE = 10_000  # |ln|value|| of a constant power or exponential (e^10000 is fine)
# SymPy folds nested Piecewise expressions eagerly (piecewise_fold, simplify_logic), at a cost
# that doubles with each nesting: relu(relu(z - 1{z>0}) - 1{z>0}) nested 10 deep took 26 s.
# Ten pieces cover every activation people write (hard-tanh, clipped ReLU, ...) in under 3 s.
# Which functions count as pieces (relu, leaky_relu, abs) and which must not see a huge constant
# argument (exp, sigmoid, tanh, ...) is said by the function table (formula.table).
MAX_PIECEWISE = 10  # piecewise functions and 1{...} in one activation formula
#: abs inside abs (abs(abs(z - 1) - 1): 2): the kinks of 5 took SymPy's solve 74 s, and of 6
#: over 4 minutes, in the finite-difference check (hostile41c #1); of 4, 0.4 s. relu and 1{...}
#: nest freely (five relus with an indicator each: 0.1 s), their edges being no abs
MAX_NESTED_ABS = 4


_COMPARE: dict[str, Callable[[sympy.Expr, sympy.Expr], sympy.Basic]] = {
    ">": sympy.Gt,
    ">=": sympy.Ge,
    "<": sympy.Lt,
    "<=": sympy.Le,
}


#: a part of a formula as written that has a domain (a function, a division, a root), with its
#: text in the formula language: SymPy may fold it away (``0 * sqrt(-1 - z^2)`` is 0)
WrittenPart = tuple[sympy.Expr, str]


class _Converter:
    def __init__(self, text: str, variable: str) -> None:
        self.text = text
        self.variable = variable
        self.symbol = sympy.Symbol(variable, real=True)
        self.parts: list[WrittenPart] = []

    def fail(self, message: str, pos: int | None) -> FormulaError:
        return FormulaError(message, self.text, pos)

    def convert(self, node: Node) -> sympy.Expr:
        if isinstance(node, Num):
            return sympy.Rational(node.value.numerator, node.value.denominator)
        if isinstance(node, Name):
            if node.id != self.variable:
                # a misspelt function reads as a name (sigmod(z) is sigmod times z), and
                # "may use only z" was false of the functions it may call (hostile48c #5)
                hint = did_you_mean(node.id, FUNCTIONS.names())
                raise self.fail(
                    f"unknown name '{node.id}'{hint}; an activation formula's one variable is "
                    f"{self.variable}, with numbers and functions such as exp, log, sigmoid",
                    node.pos,
                )
            return self.symbol
        if isinstance(node, Unary):
            operand = self.convert(node.operand)
            return -operand if node.op == "-" else operand
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Transpose):
            raise self.fail("a transpose has no meaning in an element-wise formula", node.pos)
        if isinstance(node, Call):
            entry = FUNCTIONS.get(node.func)
            func = entry.scalar if entry is not None else None
            if func is None:
                known = ", ".join(sorted(FUNCTIONS.scalars()))
                raise self.fail(
                    f"'{node.func}' is not an element-wise function; use one of: {known}",
                    node.pos,
                )
            arg = self.convert(node.args[0])
            if _bounded(node.func) and _magnitude(arg) > _MAX_LOG_MAGNITUDE:
                raise self.fail(
                    f"the argument of {node.func} is too large (at most {_MAX_LOG_MAGNITUDE})",
                    node.pos,
                )
            result = func(arg)
            self.parts.append((result, to_text(node)))
            return result
        if isinstance(node, Deriv):
            raise self.fail(
                f"derivatives such as {node.func}'(...) are not allowed in an activation "
                "formula; symbackprop derives them itself",
                node.pos,
            )
        if isinstance(node, Indicator):
            cond = _COMPARE[node.cmp](self.convert(node.left), self.convert(node.right))
            return sympy.Piecewise((1, cond), (0, True))
        raise TypeError(f"not a formula node: {node!r}")  # a programming error, not user input

    def binary(self, node: Binary) -> sympy.Expr:
        if node.op == "@":
            raise self.fail(
                "matrix product '@' is not element-wise; use '*' in an activation formula",
                node.pos,
            )
        left = self.convert(node.left)
        right = self.convert(node.right)
        if node.op == "^":
            self.check_power(left, right, node.pos)
            result = sympy.Pow(left, right)
            if not (right.is_Integer and right >= 0):  # a root or a reciprocal has a domain
                self.parts.append((result, to_text(node)))
        elif node.op == "+":
            result = left + right
        elif node.op == "-":
            result = left - right
        elif node.op in ("*", "⊙", "juxt"):
            result = left * right
        else:
            assert node.op == "/"
            result = left / right
            self.parts.append((sympy.Pow(right, -1), to_text(node)))
        problem = number_problem(result)
        if problem:
            raise self.fail(problem, node.pos)
        return result

    def check_power(self, base: sympy.Expr, exponent: sympy.Expr, pos: int) -> None:
        """Refuse powers whose value would be enormous (SymPy computes them eagerly)."""
        problem = power_problem(base, exponent)
        if problem:
            raise self.fail(problem, pos)


def power_problem(base: sympy.Expr, exponent: Any) -> str | None:
    """Why ``base ** exponent`` is too large to build safely, or ``None`` when it is fine.

    Shared with the gradient-formula checker: SymPy evaluates constant powers eagerly, so
    ``(10^30)^(10^30)`` must be refused before it is built.
    """
    exponent = sympy.sympify(exponent, strict=True)  # a SymPy object or int, never text
    if not exponent.is_number:
        return None
    size = _magnitude(exponent)
    if size > _MAX_EXPONENT:
        return f"the exponent is too large (at most {_MAX_EXPONENT})"
    if exponent.is_Rational and exponent.q > _MAX_EXPONENT:
        return f"the exponent's denominator is over {_MAX_EXPONENT}"
    if getattr(base, "is_number", False) and not base.is_zero:
        log_base = _magnitude(sympy.log(sympy.Abs(base)))
        if size * log_base > _MAX_LOG_MAGNITUDE:
            return "this power of a number is too large to compute"
    return None


#: the most bits in the numerator or denominator of a constant (about 4,200 decimal digits,
#: under the 4,300 digits Python will convert to text)
_MAX_NUMBER_BITS = 14_000


def number_problem(value: Any) -> str | None:
    """Why a constant in ``value`` is too large to carry around, or ``None``.

    Looks at the rational coefficient (``999^999 * z``) and the constant term; products of
    allowed powers could otherwise grow past what Python will even print.
    """
    if not isinstance(value, sympy.Basic):
        return None
    parts = [value]
    if isinstance(value, sympy.Expr):
        parts = [value.as_coeff_Mul()[0], value.as_coeff_Add()[0]]
    for part in parts:
        if (
            isinstance(part, sympy.Rational)
            and max(abs(part.p).bit_length(), part.q.bit_length()) > _MAX_NUMBER_BITS
        ):
            return "a number in this formula is too large (more than 4,200 digits)"
    return None


def argument_problem(func: str, arg: Any) -> str | None:
    """Why ``func(arg)`` for a constant ``arg`` is unsafe to evaluate, or ``None``."""
    bounded = _bounded(func) and getattr(arg, "is_number", False)
    if bounded and _magnitude(arg) > _MAX_LOG_MAGNITUDE:
        return f"the argument of {func} is too large (at most {_MAX_LOG_MAGNITUDE})"
    return None


def _bounded(func: str) -> bool:
    entry = FUNCTIONS.get(func)
    return entry is not None and entry.bounded


def _abs_depth(node: Node) -> int:
    """How many ``abs`` lie inside one another at most in ``node``: 2 for
    ``abs(abs(z - 1) - 1)``, 1 for ``abs(z) + abs(z - 1)``."""
    deepest = 0
    stack: list[tuple[Node, int]] = [(node, 0)]
    while stack:  # iteratively: the parser bounds the depth, no recursion limit to meet
        current, depth = stack.pop()
        depth += isinstance(current, Call) and current.func == "abs"
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children(current))
    return deepest


def _piecewise(func: str) -> bool:
    entry = FUNCTIONS.get(func)
    return entry is not None and entry.piecewise


def _magnitude(value: sympy.Expr) -> float:
    """``|value|`` as a float for a constant (inf when not finite), 0.0 when it depends on z.

    The constant's own parts have already passed these bounds, so evaluating it is cheap.
    """
    if not value.is_number:
        return 0.0
    approx = sympy.Abs(value).evalf(15)
    if not approx.is_Number or approx.is_finite is not True:
        return math.inf
    return float(approx)


def to_scalar(node: Node | str, *, variable: str = "z") -> sympy.Expr:
    """The SymPy scalar expression of an activation formula in ``Symbol(variable, real=True)``.

    ``node`` is a parsed formula, or a string that is parsed first. Raises
    :class:`~symbackprop.errors.FormulaError` for names other than ``variable``, matrix-only
    constructs, derivatives, expressions that do not depend on the variable, and ones that are
    undefined everywhere (``z/0``).
    """
    return scalar_parts(node, variable=variable)[0]


def scalar_parts(
    node: Node | str, *, variable: str = "z"
) -> tuple[sympy.Expr, tuple[WrittenPart, ...]]:
    """:func:`to_scalar`'s expression, and every function, division and root as written
    (``sqrt(-1 - z^2)``, ``1/(1 + z)``, each a SymPy scalar with its text), in the order
    built: SymPy folds ``0 * sqrt(-1 - z^2)`` to 0, so a part with no value anywhere is seen
    only among these."""
    if not variable.isidentifier():
        raise ValueError(f"variable must be an identifier, got {variable!r}")
    text = ""
    if isinstance(node, str):
        text = node
        node = parse(node)
    pieces = sum(
        1
        for part in walk(node)
        if isinstance(part, Indicator) or (isinstance(part, Call) and _piecewise(part.func))
    )
    if pieces > MAX_PIECEWISE:
        raise FormulaError(
            f"the activation has {pieces} piecewise parts (relu, leaky_relu, abs, 1{{...}}); "
            f"at most {MAX_PIECEWISE} are allowed, because SymPy's cost doubles with each",
            text,
            None,
        )
    nested = _abs_depth(node)
    if nested > MAX_NESTED_ABS:
        raise FormulaError(
            f"the activation nests {nested} abs inside one another; at most {MAX_NESTED_ABS}, "
            "because finding its kinks takes SymPy's solver twice as long with each (5: over "
            "a minute)",
            text,
            None,
        )
    converter = _Converter(text, variable)
    try:
        expr = converter.convert(node)
    except FormulaError:
        raise
    except Exception as exc:  # noqa: BLE001 - SymPy's failures are not part of its API
        # SymPy refuses e.g. comparisons of non-real constants (1{sqrt(-1) > 0}) with a
        # TypeError, and some degenerate products (0^(1/1000) in a denominator) trip internal
        # assertions; either way the formula is at fault, and the caller expects FormulaError.
        detail = str(exc) or type(exc).__name__
        if "non-real" in detail or "zoo" in detail or "nan" in detail:
            # SymPy's "Invalid comparison of non-real zoo" said in the user's terms
            # (1{log(1{z > 0}) > 0}: log(0) compared; hostile47b #7)
            detail = (
                "a comparison in it reads a value that is not a real number "
                "(a log of 0, a division by 0 or a root of a negative number)"
            )
        raise FormulaError(f"cannot build the activation: {detail}", text, None) from None
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise FormulaError("the activation is undefined (division by zero or log(0))", text)
    if not expr.has(converter.symbol):
        raise FormulaError(f"an activation must depend on {variable}; this one is constant", text)
    return expr, tuple(converter.parts)
