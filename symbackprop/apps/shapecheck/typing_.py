"""Shape typing of a parsed formula: SymPy expressions with generic and concrete shapes.

Every node of the formula's syntax tree becomes a :class:`Typed` value: a number (``shape`` is
``None``; numbers broadcast) or a matrix with its symbolic shape over the network's generic
dimensions (n0, n1, ... all distinct) and, where the spec gives widths, its concrete shape.
Matrices never broadcast, except that a 1 x 1 value times (or over) a matrix multiplies like a
number, as in the model language (:mod:`symbackprop.formula.scaling`). The first operation
whose shapes do not fit raises :class:`FormulaShapeError` with the position of its operator.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy import (
    Determinant,
    HadamardPower,
    HadamardProduct,
    Inverse,
    MatMul,
    MatPow,
    MatrixSymbol,
    OneMatrix,
    Trace,
    Transpose,
)
from sympy.matrices.exceptions import NonInvertibleMatrixError, ShapeError
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.apps.shapecheck import at_sizes
from symbackprop.apps.shapecheck.sampled import nowhere_real, zero_by_identity
from symbackprop.apps.shapecheck.sums import entry_sums
from symbackprop.apps.shapecheck.written_sizes import degree
from symbackprop.core.graph import LAMBDA
from symbackprop.core.no_value import defined_nowhere, has_no_value
from symbackprop.errors import FormulaError, did_you_mean
from symbackprop.formula import ast
from symbackprop.formula.decimals import decimal_text, number_phrase
from symbackprop.formula.scalar import argument_problem, number_problem, power_problem
from symbackprop.formula.scaling import SCALING_OPERATORS
from symbackprop.formula.table import FUNCTIONS
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.records.nodes import Elementwise, T, activation_of, derivative_of, entrywise
from symbackprop.records.scalars import z as _Z

Shape = tuple[Any, Any]

_COMPARE = {
    ">": sp.StrictGreaterThan,
    ">=": sp.GreaterThan,
    "<": sp.StrictLessThan,
    "<=": sp.LessThan,
}
#: the comparison read from the other side: ``0 < z`` is ``z > 0``
_MIRROR = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


#: functions of a whole matrix: ``sum`` (all entries) and ``rowsum`` (each row over the
#: columns) in every formula, the others in a model's (the parser knows them there only)
MATRIX_FUNCTIONS = frozenset({"sum", "rowsum", "tr", "det", "logdet", "inv", "norm1", "norm2"})

#: the highest polynomial degree a formula may reach: (a1^1000)^1000 would make every exact
#: value a rational of millions of digits, so it is refused before anything is evaluated
MAX_DEGREE = 10_000
#: the highest degree of a power of the sizes (m, a named width) a formula may write: the
#: sign of a coefficient of degree 900 took SymPy over a minute to find
MAX_SIZE_DEGREE = 64


class FormulaShapeError(FormulaError):
    """The formula parses but its shapes do not fit (``kind`` is ``"shape"``)."""

    kind = "shape"


@dataclass(frozen=True)
class Typed:
    """A typed sub-expression: SymPy value, generic shape (None for a number), source span."""

    expr: Any
    shape: Shape | None
    start: int
    end: int

    @property
    def is_matrix(self) -> bool:
        return self.shape is not None


@dataclass
class Typer:
    """Types formulas against one network's names.

    ``names`` maps each name the formula may use to its MatrixSymbol (or a scalar Symbol such
    as ``m``); ``activations`` the network's activation records, by name; ``sizes`` the
    concrete value of each dimension symbol, where known.
    """

    names: dict[str, Any]
    activations: dict[str, Any]
    sizes: dict[sp.Symbol, int]
    text: str = ""
    generic: bool = True
    trace: list[tuple[str, Shape | None, int, int]] = field(default_factory=list)
    #: names this network lacks but a reader may expect, with the reason (m, lambda)
    absent: dict[str, str] = field(default_factory=dict)
    #: what the names belong to, for messages: "network" or "model"
    owner: str = "network"
    #: the parameters, whose gradients (dW3) a formula is written for, not from
    gradients: frozenset[str] = frozenset()
    #: m for a model in batch form: a column then repeats over the m columns in + - ⊙ /
    columns: Any = None
    #: pairs of generic dimensions that only the concrete sizes made equal (n1 = n2, n3 = 1)
    coincidences: list[tuple[Any, Any]] = field(default_factory=list)
    #: the size settings the formula is compared at (the first one first): a part undefined
    #: at one of them is refused there (:mod:`.at_sizes`); none given, generic sizes only
    compared: list[dict[sp.Symbol, int]] = field(default_factory=list)
    #: polynomial degree of each typed node, by id (bounded by MAX_DEGREE)
    _degrees: dict[int, int] = field(default_factory=dict)
    _last_exponent: Any = 1

    def show(self, shape: Shape | None) -> str:
        """``(n2, n1)`` -> ``'n2 x n1'`` (generic) or ``'2 x 3'`` (concrete sizes)."""
        if shape is None:
            return "number"
        if self.generic:
            return f"{shape[0]} x {shape[1]}"
        return f"{self.concrete(shape[0])} x {self.concrete(shape[1])}"

    def concrete(self, dim: Any) -> Any:
        return sp.sympify(dim, strict=True).xreplace(self.sizes) if not self.generic else dim

    def same(self, first: Any, second: Any) -> bool:
        if self.generic:
            return bool(first == second)
        equal = bool(self.concrete(first) == self.concrete(second))
        known = (first, second) in self.coincidences or (second, first) in self.coincidences
        if equal and first != second and not known:
            self.coincidences.append((first, second))
        return equal

    def same_shape(self, first: Shape, second: Shape) -> bool:
        return self.same(first[0], second[0]) and self.same(first[1], second[1])

    # -- the walk ---------------------------------------------------------------------------
    def type(self, node: ast.Node) -> Typed:
        """Type ``node`` and its children; record a trace row per sub-expression."""
        result = self._type(node)
        coefficient = result.expr
        if isinstance(coefficient, MatMul):
            coefficient = coefficient.as_coeff_matrices()[0]
        problem = (
            number_problem(coefficient)
            if result.shape is None or coefficient is not result.expr
            else None
        )
        if problem is None and result.shape is None:
            problem = _not_real(ast.to_text(node), result.expr)
        elif problem is None and _partial(node):
            # checked here, before SymPy folds 0 * log(0) to 0 or meets a NaN in a sum
            problem = self._undefined(
                ast.to_text(node),
                result,
                _entry(result.expr),
                lambda sizes: at_sizes.written_out(result.expr, sizes),
            )
        if problem is None and _partial(node):
            # log(-exp(W2)): no SymPy-visible constant, real at no value (hostile12 #5); a
            # number too, sqrt(-1 - sum(x)^2), before SymPy folds 0 * it away (hostile22)
            problem = nowhere_real(ast.to_text(node), _entry(result.expr))
        if problem is None and _partial(node):
            # log(sigmoid(W2) + sigmoid(-W2) - 1): 0 by an identity of its functions
            problem = zero_by_identity(ast.to_text(node), _entry(result.expr))
        if problem is None and _partial(node) and result.shape is None:
            problem = self._undefined_number(node, result.expr)
        if problem:
            raise FormulaError(problem, self.text, node.pos)
        self._degree(node)
        # the sub-expression printed from the tree (whole, balanced), with precedence's brackets
        self.trace.append((ast.to_text(node, reading=True), result.shape, node.start, node.end))
        return result

    def _degree(self, node: ast.Node) -> None:
        """Bound the polynomial degree: powers of powers make exact values astronomically long."""
        parts = [self._degrees.get(id(child), 1) for child in ast.children(node)]
        if isinstance(node, ast.Num):
            degree = 0
        elif isinstance(node, ast.Name):
            degree = 1
        elif isinstance(node, ast.Binary) and node.op in ("+", "-"):
            degree = max(parts)
        elif isinstance(node, ast.Binary) and node.op == "^":
            exponent = sp.sympify(self._last_exponent, strict=True)
            # a non-rational exponent is at most 1000 in size (power_problem): count it as 1000
            size = abs(exponent.p) if exponent.is_Rational else 1000
            degree = parts[0] * max(1, size)
        elif isinstance(node, ast.Binary):
            degree = parts[0] + parts[1]
        elif isinstance(node, ast.Indicator):
            degree = 0
        else:
            degree = max([1, *parts])
        if degree > MAX_DEGREE:
            raise FormulaError(
                f"this formula's degree is over {MAX_DEGREE:,} (powers of powers, such as "
                "(a1^1000)^1000): its exact values would be too long to compute",
                self.text,
                node.pos,
            )
        self._degrees[id(node)] = degree

    def _fail(self, message: str, node: ast.Node) -> FormulaShapeError:
        return FormulaShapeError(message, self.text, node.pos)

    def _type(self, node: ast.Node) -> Typed:  # noqa: C901 - one dispatch over node kinds
        if isinstance(node, ast.Num):
            return Typed(
                sp.Rational(node.value.numerator, node.value.denominator),
                None,
                node.start,
                node.end,
            )
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Unary):
            inner = self.type(node.operand)
            value = -inner.expr if node.op == "-" else inner.expr
            return Typed(value, inner.shape, node.start, node.end)
        if isinstance(node, ast.Transpose):
            inner = self.type(node.operand)
            if inner.shape is None:
                return inner
            return Typed(inner.expr.T, (inner.shape[1], inner.shape[0]), node.start, node.end)
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Deriv):
            return self._deriv(node)
        if isinstance(node, ast.Indicator):
            return self._indicator(node)
        raise self._fail(f"unsupported expression {type(node).__name__}", node)

    def _name(self, node: ast.Name) -> Typed:
        if node.id not in self.names and node.id in self.absent:
            raise FormulaError(self.absent[node.id], self.text, node.pos)
        if node.id not in self.names:
            known = ", ".join(sorted(self.names))
            # a misspelt function too: 'sigmod(z3)' reads as a name times (z3) (hostile35c)
            spelled = [*self.names, *FUNCTIONS.names(), *MATRIX_FUNCTIONS]
            hint = did_you_mean(node.id, spelled)
            base = node.id.removesuffix("_prime").removesuffix("prime")
            if base != node.id and base in FUNCTIONS.names():  # sigmoid_prime(z2)
                hint = f" (write {base}'(...) for its derivative)"
            elif node.id.startswith("d") and node.id[1:] in self.gradients:  # dW3
                hint = f" ({node.id} is the gradient itself: write it from the values here)"
            elif node.id.startswith("d") and node.id[1:] in self.names:
                hint = _adjoint_hint(node.id[1:], self.names)
            elif node.id.startswith("d") and f"d{node.id[1:].swapcase()}" in self.names:
                # a model's dh for its dH, listed (review47 #7: "no adjoint of H is computed")
                hint = f" (did you mean 'd{node.id[1:].swapcase()}'?)"
            elif node.id.startswith("d") and node.id[1:].swapcase() in self.names:
                # dZ2 (the code's name) in the single-example form, dz2 in the batch form:
                # "did you mean 'z2'?" swapped a gradient for a value (hostile45b #5)
                hint = _adjoint_hint(node.id[1:].swapcase(), self.names)
            elif self.owner == "model" and (near := self._near_value(node.id)) is not None:
                hint = near
            elif node.id == "I" or node.id.startswith("I_"):
                hint = (
                    f" ('{node.id}' is how derive prints an identity matrix; a formula writes "
                    "none: write what it multiplies)"
                )
            elif node.id == "t":  # a1^t
                hint = " (a transpose is ^T or .T, with a capital T)"
            raise FormulaError(
                f"unknown name '{node.id}'{hint}; this {self.owner} has {known}",
                self.text,
                node.pos,
            )
        value = self.names[node.id]
        shape = tuple(value.shape) if getattr(value, "is_Matrix", False) else None
        return Typed(value, shape, node.start, node.end)

    def _near_value(self, name: str) -> str | None:
        """A model's hint for an unknown ``name`` that looks like an adjoint, where no model
        value is close to it (newcomer46 #6): ``delta1`` was told "did you mean 'det'?", and
        ``dZ1`` of a model that names no Z1 "did you mean 'dW1'?", the gradient of a
        parameter, refused when it is the one checked. A close value's name (``dif`` for
        ``diff``, ``delta_ou`` for ``delta_out``) is said instead; None: no such hint."""
        if not name.startswith("d"):
            return None  # no adjoint by its look: the general hint (sigmod: 'sigmoid')
        # a close name that is itself an adjoint or a value (da1 for da2, W1 for dW1x) would
        # offer another quantity for the one meant (review47 #3)
        # nor a one-letter d, a parameter d: dZ reads as the adjoint of a Z, never as d
        # misspelt (review47b: "did you mean 'd'?" on two_heads)
        values = [
            n
            for n in self.names
            if n.startswith("d")
            and len(n) > 1
            and not (n[1:] in self.gradients or n[1:] in self.names)
        ]
        near = did_you_mean(name, values)
        if near:
            return near
        if name.startswith("delta"):
            return " (a model has no deltas: the adjoint dJ/dh of a value h is written dh)"
        value = name[1:]
        if not (value[:1].isupper() or value[-1:].isdigit()) or not value.isidentifier():
            return None  # no value's name by its look (data, dropout): the general hint
        return (
            f" (dJ/d{value} is written {name}, but this model names no value {value}: give "
            f"it a line of its own, {value} = ..., to write its adjoint)"
        )

    def _size_degree(self, base: Any, exponent: Any, node: ast.Binary) -> None:
        """Refuse ``base^exponent`` of a degree over :data:`MAX_SIZE_DEGREE` in the sizes:
        SymPy's assumptions find the sign of a coefficient by the real roots of its expanded
        polynomial, which for ``((m - 2)(m - 3))^450`` ran for minutes (hostile39a #9)."""
        if not (exponent.is_Integer and base.free_symbols):
            return
        # the dimensions only: λ is a number a formula may raise to any power (review40 #3)
        sizes = [s for s in base.free_symbols if isinstance(s, sp.Symbol) and s != LAMBDA]
        bound = degree(base, sizes) if sizes else None
        if bound and bound * abs(int(exponent)) > MAX_SIZE_DEGREE:
            raise FormulaError(
                f"this power is of degree {bound * abs(int(exponent))} in the sizes; the "
                f"checker takes degrees up to {MAX_SIZE_DEGREE}",
                self.text,
                node.pos,
            )

    def _binary(self, node: ast.Binary) -> Typed:
        left, right = self.type(node.left), self.type(node.right)
        op = node.op
        span = (node.start, node.end)
        if self.columns is not None and op in ("+", "-", "*", "⊙", "/"):
            left, right = self._repeat(left, right), self._repeat(right, left)
        entry = False  # a 1 x 1 value that multiplies a matrix like a number (formula.scaling)
        if op in SCALING_OPERATORS and left.is_matrix and right.is_matrix:
            left, right = _as_number(left, right), _as_number(right, left)
            entry = not (left.is_matrix and right.is_matrix)
        if op in ("+", "-"):
            if left.is_matrix and right.is_matrix:
                assert left.shape is not None and right.shape is not None
                if not self.same_shape(left.shape, right.shape):
                    raise self._fail(
                        f"({self.show(left.shape)}) {op} ({self.show(right.shape)}): "
                        "a sum needs equal shapes",
                        node,
                    )
            shape = left.shape if left.is_matrix else right.shape
            lhs, rhs = self._broadcast(left, shape), self._broadcast(right, shape)
            return Typed(lhs + rhs if op == "+" else lhs - rhs, shape, *span)
        if op == "^":
            if right.is_matrix:
                raise self._fail("an exponent must be a number", node)
            self._last_exponent = right.expr
            problem = power_problem(left.expr if not left.is_matrix else sp.Integer(2), right.expr)
            if problem:
                raise FormulaError(problem, self.text, node.pos)
            if not left.is_matrix:
                self._size_degree(left.expr, right.expr, node)
            if left.is_matrix and right.expr == 0:
                # every entry to the power 0 is 1 (0^0 too, as in NumPy): the ones matrix, so
                # that a size written through it (tr(A^0), (x^0)^T x^0) reads as the size, as
                # sum(x^0) does (hostile32b #3)
                return Typed(OneMatrix(*left.expr.shape), left.shape, *span)
            # (u^2)^(1/2) is abs(u): a kink the search must see
            absolute = real_power(left.expr, right.expr, matrix=left.is_matrix)
            if absolute is not None:
                return Typed(absolute, left.shape, *span)
            if left.is_matrix:
                return Typed(HadamardPower(left.expr, right.expr), left.shape, *span)
            return Typed(left.expr**right.expr, None, *span)
        if op == "/" and left.is_matrix and right.is_matrix:
            assert left.shape is not None and right.shape is not None
            if not self.same_shape(left.shape, right.shape):  # before the entries are divided
                raise self._fail(
                    f"({self.show(left.shape)}) / ({self.show(right.shape)}): element-"
                    "wise division needs equal shapes",
                    node,
                )
        if op == "/" and (left.is_matrix or right.is_matrix):
            # from the operands' entries: SymPy folds (W2 - W2)/0 to the zero matrix when built
            quotient = _entry(left.expr) / _entry(right.expr)
            problem = self._undefined(
                ast.to_text(node),
                left if left.is_matrix else right,
                quotient,
                lambda sizes: _quotient(left.expr, right.expr, sizes),
                divisor=_entry(right.expr),
            )
            if problem:
                raise FormulaError(problem, self.text, node.pos)
        if op == "/" and not right.is_matrix:
            self._nonzero_divisor(node, right)
        if op == "/":
            if right.is_matrix:
                assert right.shape is not None
                if left.is_matrix:  # of one shape: checked above
                    return Typed(
                        HadamardProduct(left.expr, HadamardPower(right.expr, -1)),
                        left.shape,
                        *span,
                    )
                return Typed(left.expr * HadamardPower(right.expr, -1), right.shape, *span)
            return Typed(left.expr / right.expr, left.shape, *span)
        # products: a number scales; between matrices the operator decides
        if not left.is_matrix or not right.is_matrix:
            if op == "@" and not entry:
                raise self._fail("'@' is a matrix product; a number scales with '*'", node)
            shape = left.shape if left.is_matrix else right.shape
            return Typed(left.expr * right.expr, shape, *span)
        assert left.shape is not None and right.shape is not None
        if op in ("@", "juxt"):
            if not self.same(left.shape[1], right.shape[0]):
                hint = ""
                if op == "juxt" and self.same_shape(left.shape, right.shape):
                    hint = "; writing factors side by side is a matrix product, use ⊙ (or *)"
                    hint += " for the element-wise one"
                raise self._fail(
                    f"({self.show(left.shape)}) @ ({self.show(right.shape)}): inner dimensions "
                    f"{self.concrete(left.shape[1])} and {self.concrete(right.shape[0])} differ"
                    + hint,
                    node,
                )
            return Typed(left.expr * right.expr, (left.shape[0], right.shape[1]), *span)
        if not self.same_shape(left.shape, right.shape):
            raise self._fail(
                f"({self.show(left.shape)}) ⊙ ({self.show(right.shape)}): an element-wise "
                "product needs equal shapes",
                node,
            )
        return Typed(_hadamard(left.expr, right.expr), left.shape, *span)

    def _repeat(self, value: Typed, other: Typed) -> Typed:
        """``value``, a column (r x 1), as the r x m matrix ``value 1_m^T`` when ``other`` is
        r x m: a model's one broadcast (:attr:`columns` is then m)."""
        if value.shape is None or other.shape is None:
            return value
        rows, cols = value.shape
        if cols == 1 and other.shape[1] == self.columns and self.same(rows, other.shape[0]):
            repeated = value.expr * OneMatrix(1, self.columns)
            return Typed(repeated, (rows, self.columns), value.start, value.end)
        return value

    def _broadcast(self, value: Typed, shape: Shape | None) -> Any:
        if value.is_matrix or shape is None:
            return value.expr
        if value.expr == 1:
            return OneMatrix(*shape)
        return value.expr * OneMatrix(*shape)

    def _call(self, node: ast.Call) -> Typed:
        if len(node.args) != 1:
            # a model's loss of two arguments parses (its equations take it) but no gradient
            # formula is written with one: "shape error: bce takes one argument" contradicted
            # the parser's "takes exactly 2 arguments" (hostile41d #5)
            raise FormulaError(
                f"{node.func}(...) is a loss, the cost a model's equations write: a gradient "
                "formula is written from the values and adjoints, not with a loss",
                self.text,
                node.pos,
            )
        arg = self.type(node.args[0])
        span = (node.start, node.end)
        name = node.func
        problem = argument_problem(name, arg.expr) if not arg.is_matrix else None
        if problem:
            raise FormulaError(problem, self.text, node.pos)
        if name in MATRIX_FUNCTIONS:
            if not arg.is_matrix:
                if name in ("sum", "rowsum", "tr", "det", "inv"):
                    return Typed(1 / arg.expr if name == "inv" else arg.expr, None, *span)
                raise self._fail(f"{name} needs a matrix", node)
            return self._matrix_function(name, arg, node)
        activation = self.activations.get(name) or ACTIVATIONS.get(name)
        if activation is not None:
            if arg.is_matrix:
                return Typed(activation_of(activation, arg.expr), arg.shape, *span)
            if not activation.elementwise:
                raise self._fail(f"{name} needs a matrix (it works per column)", node)
            record = self._record(name, node)
            return Typed(record.formula.subs(_Z, arg.expr), None, *span)
        entry = FUNCTIONS.get(name)
        fn = entry.scalar if entry is not None else None
        if fn is None:
            raise self._fail(f"unknown function '{name}'", node)
        half = sp.S.Half
        absolute = real_power(arg.expr, half, matrix=arg.is_matrix) if name == "sqrt" else None
        if absolute is not None:  # sqrt(u^2) is abs(u): a kink the search must see
            return Typed(absolute, arg.shape, *span)
        if arg.is_matrix:
            return Typed(entrywise(sp.Lambda(T, fn(T)), arg.expr), arg.shape, *span)
        return Typed(fn(arg.expr), None, *span)

    def _matrix_function(self, name: str, arg: Typed, node: ast.Call) -> Typed:
        """sum (all entries) and the model language's matrix functions (DESIGN.md, "Models");
        the ones that give a 1 x 1 value give a number, which multiplies like one."""
        assert arg.shape is not None
        rows, cols = arg.shape
        span = (node.start, node.end)
        if name == "rowsum":  # each row over the columns: r x 1
            return Typed(arg.expr * OneMatrix(cols, 1), (rows, 1), *span)
        if name in ("sum", "norm1", "norm2"):
            inner = arg.expr
            if name == "norm1":
                inner = entrywise(sp.Lambda(T, sp.Abs(T)), inner)
            elif name == "norm2":
                inner = HadamardPower(inner, 2)
            # an EntrySum: a product it is a factor of searches no closed form for it
            total = entry_sums((OneMatrix(1, rows) * inner * OneMatrix(cols, 1))[0, 0])
            return Typed(sp.sqrt(total) if name == "norm2" else total, None, *span)
        if not self.same(rows, cols):
            raise self._fail(
                f"{name} needs a square matrix; its argument is {self.show(arg.shape)}", node
            )
        constant = not arg.expr.has(MatrixSymbol)
        if constant and (name == "tr" or not isinstance(arg.expr, sp.ZeroMatrix)):
            # A - A + 1 folded to the ones matrix, singular from n = 2 on, which SymPy's
            # Determinant(1) does not say, and 0 inv(...) would then fold to 0: refused, as a
            # constant a reader writes by its value (the zero matrix's inv, det and logdet are
            # refused as undefined or taken as 0 below)
            problem = (
                f"the argument of '{ast.to_text(node)}' is a constant matrix (it depends on no "
                f"parameter or data): write the value of its {name} instead"
            )
            raise FormulaError(problem, self.text, node.pos)
        if name in ("inv", "logdet"):
            self._invertible(node, arg)
        if name == "inv":
            return Typed(Inverse(arg.expr), arg.shape, *span)
        if name == "tr":
            return Typed(Trace(arg.expr), None, *span)
        det = Determinant(arg.expr)
        if constant:  # det(A - A) is 0, so logdet(A - A) is log(0)
            det = det.doit()
        if name == "det":
            return Typed(det, None, *span)
        return Typed(sp.log(det), None, *span)  # logdet

    def _invertible(self, node: ast.Call, arg: Typed) -> None:
        """Refuse inv/logdet of a matrix singular at every point at a compared size setting
        (A - A^T at an odd n): 0 inv(A - A^T) would fold to 0 and pass."""
        for sizes in self.compared:
            if at_sizes.invertible_at_a_point(arg.expr, sizes):
                continue  # decided in numbers, nothing written out
            singular = at_sizes.rank_deficient(arg.expr, sizes)  # from the shapes: exact
            with self._evaluated(node):
                singular = singular or at_sizes.singular_everywhere(
                    at_sizes.written_out(arg.expr, sizes)
                )
            if singular:
                shown = at_sizes.show_sizes(_dims(arg.expr, sizes))
                problem = (
                    f"'{ast.to_text(node)}' is undefined at {shown}: its argument is singular "
                    "there at every point (its determinant is 0), so the formula is not a real "
                    "number"
                )
                raise FormulaError(problem, self.text, node.pos)

    @contextlib.contextmanager
    def _evaluated(self, node: ast.Node) -> Iterator[None]:
        """A value of ``node`` evaluated at a point: one too deep for that is refused."""
        try:
            yield
        except at_sizes.TooDeep as exc:
            problem = f"cannot check '{ast.to_text(node)}': {exc}"
            raise FormulaError(problem, self.text, node.pos) from None

    def _nonzero_divisor(self, node: ast.Binary, right: Typed) -> None:
        """Refuse a division by a number that is 0 at every point at a compared size setting
        (x^T (A - A^T) x): 0 W2/(...) would fold to 0 and pass. Only a value with a matrix
        entry in it can be 0 at one size and not another; a constant 0 SymPy folds itself."""
        if not isinstance(right.expr, sp.Basic) or not _hides_zero(right.expr):
            return
        for sizes in self.compared:
            try:
                at_point = at_sizes.number_at_a_point(right.expr, sizes)
            except ShapeError:
                # a divisor that exists only where two widths are equal (x^T a1 of 4-4-4-1,
                # typed at the network's own widths): not at these sizes (review46 #4: exit 3)
                continue
            if at_sizes.finite_real(at_point) and at_point != 0:
                continue  # not 0 at a point: decided in numbers, nothing written out
            with self._evaluated(node):
                zero = at_sizes.zero_everywhere(at_sizes.written_out(right.expr, sizes))
            if zero:
                shown = at_sizes.show_sizes(_dims(right.expr, sizes))
                problem = (
                    f"'{ast.to_text(node)}' is undefined at {shown}: it divides by "
                    f"'{ast.to_text(node.right)}', which is 0 there at every point, so the "
                    "formula is not a real number"
                )
                raise FormulaError(problem, self.text, node.pos)

    def _undefined_number(self, node: ast.Node, value: Any) -> str | None:
        """Why the number ``value`` of ``node`` is undefined at every point at a compared size
        setting, or None: log(det(X) - det(X^T)) is log(0) once written out, which its symbolic
        form does not show, and 0 * it would fold to 0 and pass. Every setting is judged, as
        for a divisor: log(det(A - A^T)) is log(0) at odd sizes only."""
        if not (isinstance(value, sp.Basic) and _hides_zero(value)):
            return None
        for sizes in self.compared:
            if at_sizes.finite_real(at_sizes.number_at_a_point(value, sizes)):
                continue  # defined at a point: not undefined everywhere, nothing written out
            try:
                with self._evaluated(node):
                    written = at_sizes.written_out(value, sizes)
            except IndexError:
                # an entry past a matrix's end: the shapes fit only where widths coincide
                # (sum(W1^T x) on 4-4-4-1), which the comparison says; nothing decided here
                continue
            expanded = sp.expand(written)
            if at_sizes.undefined_entries(sp.Matrix([[expanded]])) or _never_real(expanded):
                shown = at_sizes.show_sizes(_dims(value, sizes))
                return (
                    f"'{ast.to_text(node)}' is undefined at {shown}: written out, it is "
                    f"{_undefined_form(value, sizes)}, so the formula is not a real number"
                )
        return None

    def _undefined(
        self, text: str, value: Typed, entry: Any, entries: Any, divisor: Any = None
    ) -> str | None:
        """Why the matrix ``value`` (``entry``: its generic entry; ``entries(sizes)``: it written
        out at sizes; ``divisor``: a quotient's divisor entry) is undefined, or None. A generic
        entry with a column sum (softmax's) cannot show a cancellation, each sum having its own
        dummy index (softmax(A) - softmax(A)^T is 0 on its diagonal): it is also judged at the
        first compared sizes."""
        problem = _not_real(text, entry, every_entry=True)
        if not value.is_matrix:
            return problem
        summed = any(isinstance(e, sp.Basic) and e.has(sp.Sum) for e in (entry, divisor))
        summed = summed and bool(self.compared)
        if problem is None and summed and at_sizes.undefined_entries(entries(self.compared[0])):
            entry = sp.zoo
        elif problem is None:
            return None
        return _not_real(text, entry, every_entry=self._where(value.expr, entries))

    def _where(self, expr: Any, entries: Any) -> str:
        """Where a matrix whose generic entry is undefined is undefined, judged on every entry
        at the first compared sizes (``entries(sizes)`` writes it out there): ``log(A - A^T)``
        only on its diagonal."""
        if not self.compared:
            return "in every entry"
        sizes = self.compared[0]
        matrix = entries(sizes)
        bad = at_sizes.undefined_entries(matrix)
        total = matrix.rows * matrix.cols
        if not bad or len(bad) == total:
            return "in every entry"
        if matrix.rows == matrix.cols and bad == [(i, i) for i in range(matrix.rows)]:
            return "on its diagonal"
        shown = at_sizes.show_sizes(_dims(expr, sizes))
        return f"in {len(bad)} of its {total} entries at {shown}"

    def _record(self, name: str, node: ast.Node) -> Any:
        record = self.activations.get(name) or ACTIVATIONS.get(name)
        if record is None or record.formula is None:
            raise self._fail(f"'{name}' has no element-wise derivative", node)
        return record

    def _deriv(self, node: ast.Deriv) -> Typed:
        arg = self.type(node.arg)
        record = self._record(node.func, node)
        span = (node.start, node.end)
        if arg.is_matrix:
            if record.name not in self.activations:
                self.activations[record.name] = record
            return Typed(derivative_of(record, arg.expr), arg.shape, *span)
        return Typed(record.derivative.subs(_Z, arg.expr), None, *span)

    def _indicator(self, node: ast.Indicator) -> Typed:
        """``1{left cmp right}`` entry by entry; a number on the left is read as the mirror
        (``1{0 < z1}`` is ``1{z1 > 0}``) and two matrices of one shape compare entry by entry
        as ``1{left - right cmp 0}``."""
        left, right = self.type(node.left), self.type(node.right)
        cmp = node.cmp
        if right.is_matrix and not left.is_matrix:
            left, right, cmp = right, left, _MIRROR[cmp]
        elif right.is_matrix:
            if self.columns is not None:
                left, right = self._repeat(left, right), self._repeat(right, left)
            assert left.shape is not None and right.shape is not None
            if not self.same_shape(left.shape, right.shape):
                raise self._fail(
                    f"({self.show(left.shape)}) {cmp} ({self.show(right.shape)}): an element-"
                    "wise comparison needs equal shapes",
                    node,
                )
            left = Typed(left.expr - right.expr, left.shape, left.start, right.end)
            right = Typed(sp.Integer(0), None, right.start, right.end)
        if left.is_matrix and right.expr.has(MatrixSymbol):
            # a threshold of the point (0.001 sum(W1)) moves to the argument's side: kept in
            # the indicator's body it was written out there, and SymPy's comparison of a
            # number with that unevaluated sum recursed for minutes (review16 M1); a size
            # (1/m) stays, a number once the sizes are set
            shifted = left.expr - self._broadcast(right, left.shape)
            span = (min(left.start, right.start), max(left.end, right.end))
            left = Typed(shifted, left.shape, *span)
            right = Typed(sp.Integer(0), None, right.start, right.end)
        body = sp.Piecewise((1, _COMPARE[cmp](T, right.expr)), (0, True))
        if left.is_matrix:
            return Typed(
                entrywise(sp.Lambda(T, body), left.expr), left.shape, node.start, node.end
            )
        return Typed(body.subs(T, left.expr), None, node.start, node.end)


def real_power(base: Any, exponent: Any, *, matrix: bool) -> Any | None:
    """``base`` to the number ``exponent`` (entry by entry for a ``matrix``) where it is a power
    of abs(u), else None: an even power of u to a power that leaves no even integer
    (``sqrt((W2 - 20)^2)`` is abs(W2 - 20), ``(u ⊙ u)^(3/2)`` is abs(u)^3). SymPy keeps
    sqrt(u^2) as it is, u being no known real, and the kink at u = 0 went unseen: a formula
    wrong only where W2 > 20 passed (hostile38b #1)."""
    inner, even = _even_power(base, matrix=matrix)
    power = even * exponent if inner is not None else None
    if power is None or not power.is_Rational or (power.is_Integer and int(power) % 2 == 0):
        return None  # no abs: the caller's own power
    if matrix:
        size = entrywise(sp.Lambda(T, sp.Abs(T)), inner)
        return size if power == 1 else HadamardPower(size, power)
    return sp.Abs(inner) ** power


def _even_power(base: Any, *, matrix: bool) -> tuple[Any, int]:
    """``(u, n)`` where ``base`` is u to an even integer power n (u ⊙ u is u^2), else
    ``(None, 0)``."""
    if matrix:
        if isinstance(base, HadamardPower) and base.exp.is_Integer and int(base.exp) % 2 == 0:
            return base.base, int(base.exp)
        square = isinstance(base, HadamardProduct) and len(base.args) == 2
        if square and base.args[0] == base.args[1]:
            return base.args[0], 2
        return None, 0
    if isinstance(base, sp.Pow) and base.exp.is_Integer and int(base.exp) % 2 == 0:
        return base.base, int(base.exp)
    return None, 0


def _number_text(value: Any) -> str:
    """A number as a person writes it: ``i`` and ``2 + 3i``, not SymPy's ``I`` and
    ``2 + 3*I`` (``'sqrt(-1)' is I``: hostile38c #13); an infinity as "infinite"."""
    if value.is_infinite:
        return "infinite"
    real, imaginary = value.as_real_imag()
    if imaginary == 0 or not imaginary.is_number:
        return number_phrase(value)
    size = abs(imaginary)
    # 0.1i, (1/3)i: a fraction before i in brackets, as "1/3 i" reads 1/(3 i) (hostile51b #8)
    decimal = decimal_text(size)
    if decimal is not None:
        unit = f"{decimal}i"
    elif size.is_Rational and not size.is_Integer:
        unit = f"({size})i"
    else:
        unit = "i" if size == 1 else f"{size}i" if size.is_Integer else f"{size} i"  # pi i
    unit = f"-{unit}" if imaginary.is_negative else unit
    if real == 0:
        return f"the imaginary number {unit}"
    sign, unit = ("-", unit[1:]) if unit.startswith("-") else ("+", unit)
    return f"the complex number {number_phrase(real)} {sign} {unit}"


def _not_real(text: str, value: Any, *, every_entry: bool | str = False) -> str | None:
    """Why a constant is no real number (sqrt(-1), log(0), 0/0, log(-1)), or ``None``.

    Such a constant cannot be compared (relu, an indicator) nor be part of a real gradient.
    With ``every_entry``, ``value`` is a matrix's generic entry (:func:`_entry`): one that holds
    an infinity (``zoo*W2[0, 0]``, from ``W2/0``) is undefined at every point; a string there
    says where the matrix is (``"on its diagonal"``), else it is "in every entry".
    """
    undefined = isinstance(value, sp.Basic) and defined_nowhere(value)
    if not undefined and not getattr(value, "is_number", False):
        return None
    if not undefined and value.is_extended_real is True and value.is_finite is True:
        return None
    if every_entry and not undefined and value.is_extended_real is not False:
        # an entry SymPy cannot place (sigmoid'(0), a derivative's function at a number) is
        # left to the numeric check: refused only when SymPy shows it is not real
        return None
    shown = "undefined" if undefined else _number_text(value)
    if every_entry:
        where = every_entry if isinstance(every_entry, str) else "in every entry"
        return f"'{text}' is {shown} {where}, not a real number: a formula must be real"
    return f"'{text}' is {shown}, not a real number: a formula's constants must be real"


def _hides_zero(value: Any) -> bool:
    """Whether the number or entry ``value`` can be 0 at every point without SymPy showing
    it in its symbolic form: it holds a matrix's entry (x^T (A - A^T) x), a column sum (each
    with its own dummy index), a determinant or a trace (det(X) - det(X^T))."""
    return bool(value.has(MatrixElement, sp.Sum, Determinant, Trace))


def _undefined_form(value: Any, sizes: dict[sp.Symbol, int]) -> str:
    """Why the number ``value`` is undefined everywhere at ``sizes``, after ``it is``: a log
    of 0 (log(det(X) - det(X^T))), a division by 0, or else no real number."""

    def zero(part: Any) -> bool:
        return bool(sp.expand(at_sizes.written_out(part, sizes)) == 0)

    if any(zero(f.args[0]) for f in value.atoms(sp.log)):
        return "a log of 0 there at every point"
    if any(zero(p.base) for p in value.atoms(sp.Pow) if p.exp.is_negative):
        return "a division by 0 there at every point"
    return "no real number there at any point"


def _never_real(number: Any) -> bool:
    """Whether ``number`` (written out) is a constant SymPy shows is not real (sqrt(-1))."""
    return bool(getattr(number, "is_number", False) and number.is_extended_real is False)


def _dims(expr: Any, sizes: dict[sp.Symbol, int]) -> dict[sp.Symbol, int]:
    """The settings of the dimensions ``expr`` has (n, not the model's other sizes)."""
    return {dim: size for dim, size in sizes.items() if expr.has(dim)} or sizes


def _quotient(left: Any, right: Any, sizes: dict[sp.Symbol, int]) -> sp.Matrix:
    """``left / right`` entry by entry at ``sizes`` (a number divides or is divided by every
    entry), written out without building SymPy's quotient (W2/0 - W2/0 is a NaN in MatAdd)."""
    top, bottom = at_sizes.written_out(left, sizes), at_sizes.written_out(right, sizes)
    shape = top.shape if isinstance(top, sp.Matrix) else bottom.shape
    return sp.Matrix(
        *shape,
        lambda i, j: (
            (top[i, j] if isinstance(top, sp.Matrix) else top)
            / (bottom[i, j] if isinstance(bottom, sp.Matrix) else bottom)
        ),
    )


def _partial(node: ast.Node) -> bool:
    """Whether ``node`` is an operation defined only somewhere (a function, ``^``; a division
    is checked from its operands' entries, before SymPy builds it)."""
    return isinstance(node, (ast.Call, ast.Deriv)) or (
        isinstance(node, ast.Binary) and node.op == "^"
    )


def _entry(matrix: Any) -> Any:
    """Entry [0, 0] of a matrix expression over generic sizes (a number is its own entry), the
    same in form as every other entry: ``log(0)`` for ``log(W2 - W2)``, ``zoo*W2[0, 0]`` for
    ``W2/0``; ``zoo`` where the matrix is not invertible (``inv(A - A)``).

    A matrix product of the formula's names stands for itself (an opaque n x k symbol): its
    entry would be a sum that SymPy tries to evaluate for a second per product, and its own
    partial parts were checked when they were typed.
    """
    if not getattr(matrix, "is_Matrix", False):  # a number is its own entry
        return matrix
    if has_no_value(matrix):
        return sp.zoo
    products = [
        part
        for part in matrix.atoms(MatMul)
        if len(part.as_coeff_matrices()[1]) > 1 and part.has(MatrixSymbol)
    ]
    # a power is a product too (A A A is A^3): written out, inv(A A A) of a 3 x 3 A took a
    # minute of SymPy's simplification (hostile tester 23)
    products += [part for part in matrix.atoms(MatPow) if part.has(MatrixSymbol)]
    # so does a function applied inside six others, its own entry checked when it was typed:
    # written out, tanh nested 10 deep asked SymPy whether each level is real, which expands
    # the level below twice (24 s; 15 deep ran for minutes: hostile46a #1, #2); the six
    # nearest stay written, which a value nowhere real reads (log(-exp(a3)), log(sqrt(exp(W))
    # - exp(W / 2)): review46 #1)
    products += _nested_functions(matrix, _WRITTEN_LEVELS)
    opaque = {part: MatrixSymbol(f"_product{k}", *part.shape) for k, part in enumerate(products)}
    try:
        return matrix.xreplace(opaque)[0, 0]
    except NonInvertibleMatrixError:
        return sp.zoo


#: the levels of functions applied inside one another that an entry writes out
_WRITTEN_LEVELS = 6


def _nested_functions(matrix: Any, levels: int) -> list[Any]:
    """The element-wise functions of ``matrix`` applied inside ``levels`` others (each once,
    the outermost such), that read a matrix symbol."""
    found: dict[Any, None] = {}
    seen: set[tuple[int, int]] = set()
    stack = [(matrix, 0)]
    while stack:
        node, depth = stack.pop()
        if (id(node), depth) in seen:
            continue
        seen.add((id(node), depth))
        if isinstance(node, Elementwise):
            if depth >= levels and node.has(MatrixSymbol):
                found[node] = None
                continue
            depth += 1
        stack.extend((arg, depth) for arg in getattr(node, "args", ()))
    return list(found)


class OneEntry(MatrixElement):  # type: ignore[misc]  # SymPy is untyped
    """The one entry of a 1 x 1 matrix expression (``a1^T a1``), multiplying like a number.

    SymPy's ``doit`` would write it as a symbolic sum over the generic size n1 and then try to
    evaluate that sum (gosper) at every later ``doit`` of the formula: minutes for a formula
    with 60 such factors. It stays an entry until its matrix is explicit (the comparison's
    concrete values), then it is that matrix's entry.
    """

    def doit(self, **hints: Any) -> Any:
        parent = self.parent.doit(**hints) if hints.get("deep", True) else self.parent
        if parent.has(MatrixSymbol):
            return type(self)(parent, self.i, self.j)
        return parent[self.i, self.j]


def _as_number(value: Typed, other: Typed) -> Typed:
    """``value``'s one entry as a number where it is 1 x 1 and ``other`` is not (the model
    language's rule, :mod:`symbackprop.formula.scaling`); else ``value``."""
    if value.shape != (1, 1) or other.shape == (1, 1):
        return value
    expr = value.expr
    while isinstance(expr, Transpose):  # the one entry of s^T is s[0, 0]
        expr = expr.arg
    if isinstance(expr, MatrixSymbol):
        number = expr[0, 0]
    elif not expr.has(MatrixSymbol):  # a 1 x 1 constant (a1^T (a1 - a1) is 0): its value
        number = expr.as_explicit()[0, 0]
    else:
        number = OneEntry(expr, 0, 0)
    return Typed(number, None, value.start, value.end)


def _hadamard(first: Any, second: Any) -> Any:
    """An element-wise product, flattened so that a ⊙ b ⊙ c prints as one chain."""
    args: list[Any] = []
    for value in (first, second):
        args.extend(value.args if isinstance(value, HadamardProduct) else [value])
    return HadamardProduct(*args)


def _adjoint_hint(value: str, names: Mapping[str, Any]) -> str:
    """What ``d<value>`` (an adjoint the formula language has no name for) should be written
    as: a network's dJ/dz2 is delta2, its dJ/da2 W3^T delta3 (dz2 was told "no parameter
    reaches the cost through it": newcomer44 #3); else the data's: no adjoint is computed
    (hostile41d #6)."""
    if value in ("yhat", "Yhat"):  # the output's other name (review47b: "no adjoint")
        deltas = [int(n[5:]) for n in names if n.startswith("delta") and n[5:].isdigit()]
        if deltas:
            value = f"{'A' if value == 'Yhat' else 'a'}{max(deltas)}"
    layer = value[1:]
    if value[:1] in "zZ" and layer.isdigit() and f"delta{layer}" in names:
        return f" (dJ/d{value} is delta{layer} here)"
    above = str(int(layer) + 1) if layer.isdigit() else ""
    if value[:1] in "aA" and layer != "0" and above and f"delta{above}" in names:
        return f" (dJ/d{value} has no name here: write it as W{above}^T delta{above})"
    if value[:1] in "aA" and layer.isdigit() and layer != "0" and f"delta{layer}" in names:
        # the output: every parameter reaches the cost through it (review44b #6)
        z = "Z" if value[0] == "A" else "z"
        loss = f"write it from the loss; dJ/d{z}{layer} = delta{layer}"
        return f" (dJ/d{value} has no name here: {loss})"
    return f" (no adjoint of {value} is computed: no parameter reaches the cost through it)"
