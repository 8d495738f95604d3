"""Shape inference for a model: every name's (rows, cols), declared or inferred.

Dimensions are SymPy symbols ``Symbol(name, integer=True, positive=True)`` (``m`` the batch
size) or positive ints, as in the network graph. An undeclared leaf starts with two unknown
dimensions; the equations, in order, unify them (union-find) with what each operation needs:

* ``A B`` / ``A @ B``: A is r x k, B is k x c, the product r x c; a 1 x 1 factor (a scalar from
  ``sum``, ``tr``, a loss, a number) multiplies like a number (:mod:`symbackprop.formula.scaling`,
  the rule gradient formulas follow too);
* ``+ -``: equal shapes, or the one broadcast: a column r x 1 with an r x m matrix; a number
  (a literal, a named constant, ``m``) with anything;
* ``* ⊙ /``: equal shapes, the one broadcast, or a 1 x 1 factor;
* ``A^T``: c x r; ``A^p``: element-wise, ``p`` a number;
* functions: see :data:`symbackprop.formula.table.MODEL_SHAPES`.

An unknown column that meets ``m`` in an element-wise operation becomes 1 for a parameter (a
parameter's shape never has ``m``: it is broadcast; DESIGN.md's "unless declared so" is not
taken, since a parameter's size is fixed while m changes) and ``m`` for data. Each
inferred shape remembers the equation that completed it (for the shape table).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import sympy

from symbackprop.errors import SpecError
from symbackprop.formula import FUNCTIONS, Binary, Call, Name, Node, Num, Transpose, Unary
from symbackprop.formula.ast import to_text
from symbackprop.formula.scaling import SCALING_OPERATORS
from symbackprop.model.statements import Dim, Equation, Statements

#: the names an undetermined shape's hint gives its free dimensions, the first ones free
_FREE_NAMES = ("n", "k", "p", "q", "r", "d")

#: a dimension while inferring: a positive int, a dimension name, or an unknown ``?leaf.0``
_Var = int | str
Shape = tuple[sympy.Expr, sympy.Expr]


def dimension(name: Dim) -> sympy.Expr:
    """``n0`` -> ``Symbol("n0", integer=True, positive=True)``; ints stay ints."""
    if isinstance(name, int):
        return sympy.Integer(name)
    return sympy.Symbol(name, integer=True, positive=True)


@dataclass
class _Value:
    """A sub-expression's shape while inferring; ``number``: a plain number (broadcasts)."""

    rows: _Var
    cols: _Var
    number: bool = False


@dataclass
class Inferred:
    """The result: every name's shape, and for an inferred one the equation that fixed it."""

    shapes: dict[str, Shape]
    reasons: dict[str, tuple[int, str]] = field(default_factory=dict)


def _unknown(var: _Var) -> bool:
    return isinstance(var, str) and var.startswith("?")


class _Inference:
    def __init__(self, statements: Statements, leaves: dict[str, int], data: set[str]) -> None:
        self.statements = statements
        self.parent: dict[str, _Var] = {}
        self.values: dict[str, _Value] = {}
        self.data = data
        self.leaf_lines = leaves
        self.equation: Equation | None = None
        self.index = 0
        #: unknown dimension -> index of the equation that linked it to another dimension
        self.bound_at: dict[str, int] = {}
        for name in leaves:
            declared = statements.declarations.get(name)
            if declared is not None:
                self.values[name] = _Value(declared.rows, declared.cols)
            else:
                self.values[name] = _Value(f"?{name}.0", f"?{name}.1")

    # -- union-find ----------------------------------------------------------------------------

    def find(self, var: _Var) -> _Var:
        while _unknown(var) and var in self.parent:
            var = self.parent[var]  # type: ignore[index]
        return var

    def show(self, var: _Var) -> str:
        found = self.find(var)
        return "?" if _unknown(found) else str(found)

    def shape_text(self, value: _Value) -> str:
        return f"{self.show(value.rows)} x {self.show(value.cols)}"

    def declaration_hint(self, name: str, leaf: _Value) -> str:
        """``'p : n x k' (k is free: any size)`` for an undetermined ``n x ?``: the dimensions
        the model fixed by their names, a free one by a new name no name of the model has
        (``n``, ``k``, ... in turn; one name where rows and columns must agree, ``tr(A)``:
        ``'A : n x n'``), so that the hint reads as a shape, not as a 1 x 1 scalar."""
        taken = self.names()
        spare = itertools.chain(_FREE_NAMES, (f"n{i}" for i in itertools.count()))
        fresh = (c for c in spare if c not in taken)  # the model's names are finitely many
        chosen: dict[_Var, str] = {}
        shown = []
        for dim in (self.find(leaf.rows), self.find(leaf.cols)):
            if _unknown(dim) and dim not in chosen:
                chosen[dim] = next(fresh)
            shown.append(chosen[dim] if _unknown(dim) else self.show(dim))
        free = list(chosen.values())
        said = " and ".join(free) + (
            " is free: any size" if len(free) == 1 else " are free: any sizes"
        )
        return f"'{name} : {shown[0]} x {shown[1]}' ({said})"

    def unknown_side_hint(self, cost: _Value) -> str:
        """For a cost of one unknown side (``J = w^T x``: ? x 1), the leaf that side belongs to
        and the declaration that makes the cost 1 x 1 (``'w : n x 1'``): the side is not taken
        as 1 unasked, since ``J = W x`` more likely lacks a sum than means a row W
        (hostile41a #4: the message read as if the model were wrong, not under-declared)."""
        sides = (self.find(cost.rows), self.find(cost.cols))
        known = [v for v in sides if not _unknown(v)]
        if known != [1]:  # ? x m stays ? x m whatever the leaf: no declaration makes it 1 x 1
            return ""
        side = next(v for v in sides if _unknown(v))
        leaf = next(
            (
                name
                for name, value in self.values.items()
                if name in self.leaf_lines
                and side in (self.find(value.rows), self.find(value.cols))
            ),
            None,
        )
        if leaf is None:
            return ""
        value = self.values[leaf]
        rows, cols = (
            "1" if self.find(v) == side else self.show(v) for v in (value.rows, value.cols)
        )
        if "?" in (rows, cols):
            return ""
        return (
            f"; declare '{leaf} : {rows} x {cols}' if the cost is meant to be a number as "
            f"written, or sum it (sum(...))"
        )

    def names(self) -> set[str]:
        """Every name the model uses: values, dimensions, the batch size ``m``."""
        st = self.statements
        dims = {str(d) for decl in st.declarations.values() for d in (decl.rows, decl.cols)}
        values = {*self.values, *st.declarations, *(eq.name for eq in st.equations)}
        return {"m", *dims, *st.sizes, *values}

    def fail(self, message: str) -> SpecError:
        assert self.equation is not None
        eq = self.equation
        return SpecError(f"line {eq.line}: {message} (in '{_cut(eq.text)}')")

    def unify(self, a: _Var, b: _Var) -> bool:
        a, b = self.find(a), self.find(b)
        if a == b:
            return True
        if _unknown(a):
            self.parent[a], self.bound_at[a] = b, self.index  # type: ignore[index]
            return True
        if _unknown(b):
            self.parent[b], self.bound_at[b] = a, self.index  # type: ignore[index]
            return True
        return False

    def resolved_at(self, var: _Var) -> int:
        """The index of the equation that made ``var`` known: the last link of its chain."""
        last = -1
        while _unknown(var) and var in self.parent:
            last = max(last, self.bound_at[var])  # type: ignore[index]
            var = self.parent[var]  # type: ignore[index]
        return last

    def owner_is_parameter(self, var: _Var) -> bool:
        """Whether an unknown dimension belongs to a parameter (not a data leaf)."""
        return isinstance(var, str) and var[1:].rsplit(".", 1)[0] not in self.data

    # -- operations ----------------------------------------------------------------------------

    def mismatch(self, what: str, left: _Value, right: _Value, need: str) -> SpecError:
        return self.fail(
            f"{what} needs {need}; left is {self.shape_text(left)}, "
            f"right is {self.shape_text(right)}"
        )

    def undetermined(self, leaves: list[str]) -> None:
        """Refuse the first of ``leaves`` (undeclared names) whose shape is still unknown."""
        for name in leaves:
            leaf = self.values[name]
            if _unknown(self.find(leaf.rows)) or _unknown(self.find(leaf.cols)):
                line = self.leaf_lines[name]
                equations = self.statements.equations
                self.equation = next(e for e in equations if e.line == line)
                hint = self.declaration_hint(name, leaf)
                if name not in self.data and "m" in (self.find(leaf.rows), self.find(leaf.cols)):
                    # a parameter's shape has m only where it is declared so
                    raise self.fail(
                        f"the shape of '{name}' is undetermined ({self.shape_text(leaf)}), and "
                        "a parameter's shape has m only when declared so: declare it, e.g. "
                        f"{hint} (under 'data:' too if it is data), or write the equation so "
                        "that it has a fixed size"
                    )
                raise self.fail(
                    f"the shape of '{name}' is undetermined ({self.shape_text(leaf)}); "
                    f"declare it, e.g. {hint}"
                )

    def is_scalar(self, value: _Value) -> bool:
        return self.find(value.rows) == 1 and self.find(value.cols) == 1

    def scaled(self, op: str, left: _Value, right: _Value) -> _Value | None:
        """A 1 x 1 value times (or over) a matrix, as a number (:mod:`symbackprop.formula.
        scaling`); None where the rule does not apply."""
        if op not in SCALING_OPERATORS or left.number or right.number:
            return None
        if self.is_scalar(left):
            return _Value(right.rows, right.cols)
        if self.is_scalar(right):
            return _Value(left.rows, left.cols)
        return None

    def product(self, op: str, left: _Value, right: _Value) -> _Value:
        if left.number:
            return _Value(right.rows, right.cols, right.number)
        if right.number:
            return _Value(left.rows, left.cols)
        if not self.unify(left.cols, right.rows):
            what = "the matrix product" if op == "juxt" else "'@'"
            raise self.mismatch(what, left, right, "left columns = right rows")
        return _Value(left.rows, right.cols)

    def columns(self, a: _Var, b: _Var) -> _Var | None:
        """The columns of an element-wise result, or None when they do not fit."""
        fa, fb = self.find(a), self.find(b)
        if fa == fb:
            return fa
        for one, other in ((fa, fb), (fb, fa)):
            if one == 1 and other == "m":
                return other
            if _unknown(one) and other == "m":
                self.unify(one, 1 if self.owner_is_parameter(one) else "m")
                return other
        return fb if self.unify(fa, fb) else None

    def elementwise(self, op: str, left: _Value, right: _Value) -> _Value:
        if left.number:
            return _Value(right.rows, right.cols, right.number)
        if right.number:
            return _Value(left.rows, left.cols)
        need = "equal shapes (or a column r x 1 with an r x m matrix)"
        if not self.unify(left.rows, right.rows):
            raise self.product_meant(op, left, right, need)
        cols = self.columns(left.cols, right.cols)
        if cols is None:
            raise self.product_meant(op, left, right, need)
        return _Value(left.rows, cols)

    def product_meant(self, op: str, left: _Value, right: _Value, need: str) -> SpecError:
        """The mismatch of an element-wise ``op``, saying how to write the matrix product where
        the shapes chain (newcomer46 #9: ``W1 * X`` with W1 n1 x n0 and X n0 x m was told only
        that '*' needs equal shapes)."""
        if op in ("*", "⊙") and self.find(left.cols) == self.find(right.rows):
            return self.fail(
                f"'{op}' needs {need}; left is {self.shape_text(left)}, right is "
                f"{self.shape_text(right)}: '{op}' multiplies entry by entry; for the matrix "
                "product write the two side by side (W X) or with '@'"
            )
        return self.mismatch(f"'{op}'", left, right, need)

    def call(self, node: Call, args: list[_Value]) -> _Value:
        entry = FUNCTIONS.get(node.func, models=True)
        kind = entry.model_shape if entry is not None else "same"
        (first, *rest) = args
        if kind == "same":
            return _Value(first.rows, first.cols, first.number)
        if kind == "scalar":
            return _Value(1, 1)
        if kind == "rowsum":
            return _Value(first.rows, 1)
        if kind in ("square", "square_scalar"):
            if not self.unify(first.rows, first.cols):
                raise self.fail(
                    f"'{node.func}' needs a square matrix; its argument is "
                    f"{self.shape_text(first)}"
                )
            return _Value(first.rows, first.cols) if kind == "square" else _Value(1, 1)
        second = rest[0]
        if not (self.unify(first.rows, second.rows) and self.unify(first.cols, second.cols)):
            raise self.mismatch(f"'{node.func}'", first, second, "two arguments of one shape")
        return _Value(1, 1)

    def value(self, node: Node) -> _Value:
        """The shape of ``node`` (post-order without recursion limits: the parser bounds it)."""
        if isinstance(node, Num):
            return _Value(1, 1, number=True)
        if isinstance(node, Name):
            if node.id == "m":
                return _Value(1, 1, number=True)
            return self.values[node.id]
        if isinstance(node, Unary):
            return self.value(node.operand)
        if isinstance(node, Transpose):
            inner = self.value(node.operand)
            return _Value(inner.cols, inner.rows, inner.number)
        if isinstance(node, Call):
            return self.call(node, [self.value(arg) for arg in node.args])
        assert isinstance(node, Binary)
        left, right = self.value(node.left), self.value(node.right)
        if node.op == "^":
            if not right.number:
                raise self.fail(
                    f"'^' needs a number exponent (element-wise power); "
                    f"'{_cut(to_text(node.right), 30)}' is {self.shape_text(right)}"
                )
            return _Value(left.rows, left.cols, left.number)
        scaled = self.scaled(node.op, left, right)
        if scaled is not None:
            return scaled
        if node.op in ("juxt", "@"):
            return self.product(node.op, left, right)
        return self.elementwise(node.op, left, right)

    # -- the model -----------------------------------------------------------------------------

    def run(self) -> Inferred:
        equations = self.statements.equations
        declarations = self.statements.declarations
        for self.index, eq in enumerate(equations):
            self.equation = eq
            result = self.value(eq.expr)
            declared = declarations.get(eq.name)
            if declared is not None:
                target = _Value(declared.rows, declared.cols)
                if not (
                    self.unify(result.rows, target.rows) and self.unify(result.cols, target.cols)
                ):
                    raise self.fail(
                        f"'{eq.name}' is declared {self.shape_text(target)} but its equation "
                        f"gives {self.shape_text(result)}"
                    )
                result = target
            self.values[eq.name] = result
        self.equation = equations[-1]
        cost = self.values[equations[-1].name]
        inferred = [name for name in self.leaf_lines if name not in declarations]
        if _unknown(self.find(cost.rows)) and _unknown(self.find(cost.cols)):
            # the cost is a leaf's shape alone (q in J = q sum(X), a scalar factor): the cost
            # being 1 x 1 decides it, as J = q + sum(X) decides q by the sum. A cost of one
            # unknown side (J = W x, ? x 1) stays an error: its leaf is a matrix, not a number
            self.unify(cost.rows, 1)
            self.unify(cost.cols, 1)
        if not self.is_scalar(cost):
            raise self.fail(
                f"the cost '{equations[-1].name}' (the last equation) must be 1 x 1, "
                f"found {self.shape_text(cost)}{self.unknown_side_hint(cost)}"
            )
        self.undetermined(inferred)
        reasons = {eq.name: (eq.line, eq.text) for eq in equations if eq.name not in declarations}
        for name in inferred:
            leaf = self.values[name]
            eq = equations[max(self.resolved_at(leaf.rows), self.resolved_at(leaf.cols))]
            reasons[name] = (eq.line, eq.text)
            if name not in self.data and "m" in (self.find(leaf.rows), self.find(leaf.cols)):
                self.equation = eq
                shape = self.shape_text(leaf)
                raise self.fail(
                    f"parameter '{name}' would be {shape}, but a parameter's shape has m only "
                    f"when declared so: declare '{name} : {shape}' for one per example, list "
                    f"'{name}' under 'data:' if it is data, or write the equation so that it "
                    f"has a fixed size (a 1 x 1 '{name}' scales)"
                )
        shapes = {
            name: (dimension(self.find(v.rows)), dimension(self.find(v.cols)))  # type: ignore[arg-type]
            for name, v in self.values.items()
        }
        return Inferred(shapes, reasons)


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def infer(statements: Statements, leaves: dict[str, int], data: set[str]) -> Inferred:
    """Shapes of every leaf (name -> line of first use) and every defined name."""
    return _Inference(statements, leaves, data).run()
