"""Checks every equality of an index view on a small concrete instance, in exact rationals.

Each dimension gets a size of 2 or 3 and m = 2; every index expression is then written out
for every value of its free indices: sums expanded, each entry ``W2[1, 2]`` a symbol, every
``Derivative`` computed by SymPy from the forward definitions (``z_k = sum_p W_kp a_p + b_k``,
``a_k = g(z_k)``, softmax) and the cost J. J is the equation's own cost where it has one (the
loss, the L2 penalty), else a linear function of the step's output with the step's delta or
random rationals as coefficients: the chain rule is linear in the upstream gradient, so any
J checks the step. What is left (entries, the activation g and its derivative, exp) becomes
random rationals, the same on every side, and the sides must be equal numbers. The matrix form
is evaluated entry by entry the same way. Any mismatch is an :class:`InternalError`: a line
that fails is never printed.
"""

from __future__ import annotations

import itertools
import random
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import Derivative, Indexed, Sum
from sympy.core.function import AppliedUndef

from symbackprop.core.entrywise import entrywise_product
from symbackprop.core.graph import LAMBDA
from symbackprop.core.index_terms import grad
from symbackprop.core.index_terms import i as _I
from symbackprop.core.index_terms import j as _J
from symbackprop.core.indices import IndexBuilder, IndexEquation, IndexStep, MatrixForm
from symbackprop.core.steps import Rule
from symbackprop.errors import InternalError, SpecError

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation


class _Exp(sp.Function):
    """exp as an uninterpreted function whose derivative is itself: SymPy would combine
    exp(z) exp(z) into exp(2 z) on one side only, and exp of a rational is not rational."""

    def fdiff(self, argindex: int = 1) -> Any:
        return self


def _sizes(d: Derivation) -> dict[Any, sp.Integer]:
    """Sizes 3, 2, 3, ... for the layer widths and 2 for m: small, and not all equal."""
    sizes = {dim: sp.Integer(3 if index % 2 == 0 else 2) for index, dim in enumerate(d.graph.dims)}
    if isinstance(d.graph.m, sp.Symbol):
        sizes[d.graph.m] = sp.Integer(2)
    return sizes


class _Instance:
    """One concrete instance: sizes, entry symbols, definitions, the cost and the values."""

    def __init__(self, d: Derivation, view: IndexStep, cost: Any, onehot: str | None) -> None:
        self.sizes = _sizes(d)
        self.rng = random.Random(1000 + view.step.number)
        self.symbols: dict[tuple[str, tuple[int, ...]], sp.Symbol] = {}
        self.base_of: dict[sp.Symbol, str] = {}
        self.values: dict[Any, sp.Rational] = {LAMBDA: self.draw()}
        self.defs: dict[sp.Symbol, Any] = {}
        for definition in view.definitions:
            lhs, rhs = definition.sides[0], definition.sides[-1]
            for binding in self.bindings(definition.ranges):
                self.defs[self.scalar(lhs, binding)] = self.scalar(rhs, binding)
        self.J = sp.Symbol("J")
        self.defs[self.J] = self.scalar(cost, {}) if cost is not None else self.linear_cost(view)
        if onehot is not None:
            self.draw_onehot(onehot, d)

    def size(self, dim: Any) -> int:
        """A dimension (a symbol or a number) at this instance's sizes."""
        return int(dim.xreplace(self.sizes)) if isinstance(dim, sp.Basic) else int(dim)

    def draw(self) -> sp.Rational:
        """A rational strictly between 0 and 1 (inside every loss's domain)."""
        q = self.rng.randint(3, 11)
        return sp.Rational(self.rng.randint(1, q - 1), q)

    def draw_onehot(self, name: str, d: Derivation) -> None:
        rows, cols = (self.size(n) for n in d.shapes[name])
        for col in range(1, cols + 1):
            hot = self.rng.randint(1, rows)
            for row in range(1, rows + 1):
                index = (row,) if cols == 1 and d.shapes[name][1] == 1 else (row, col)
                self.values[self.symbol(name, index)] = sp.Integer(int(row == hot))

    def bindings(self, ranges: tuple[tuple[Any, Any], ...]) -> list[dict[Any, sp.Integer]]:
        tops = [self.size(top) for _, top in ranges]
        return [
            {index: sp.Integer(value) for (index, _), value in zip(ranges, values, strict=True)}
            for values in itertools.product(*(range(1, top + 1) for top in tops))
        ]

    def symbol(self, base: str, index: tuple[int, ...]) -> sp.Symbol:
        key = (base, index)
        if key not in self.symbols:
            sym = sp.Symbol(f"_{base}_" + "_".join(map(str, index)))
            self.symbols[key] = sym
            self.base_of[sym] = base
        return self.symbols[key]

    def linear_cost(self, view: IndexStep) -> Any:
        """J = sum_e c_e u_e over the entries of the step's output u, c_e the delta's entry
        (so that dJ/du = delta) or a fresh random coefficient."""
        u = view.upstream
        if u is None:
            raise InternalError(f"index view of step {view.step.number}: no cost to check with")
        rows, cols = (self.size(n) for n in u.shape)
        total = sp.Integer(0)
        for row, col in itertools.product(range(1, rows + 1), range(1, cols + 1)):
            index = (row,) if u.shape[1] == 1 else (row, col)
            coef = self.symbol(view.delta.name if view.delta is not None else "_G", index)
            total += coef * self.symbol(u.name, index)
        return total

    # -- evaluation --------------------------------------------------------------------------
    def scalar(self, expr: Any, binding: dict[Any, Any]) -> Any:
        """``expr`` with sizes and indices substituted, sums expanded, entries as symbols."""
        out = sp.sympify(expr, strict=True).xreplace(self.sizes).xreplace(binding)
        out = out.replace(lambda e: isinstance(e, Sum), _expand_sum)
        out = out.replace(
            lambda e: isinstance(e, Indexed),
            lambda e: self.symbol(str(e.base.label), tuple(int(x) for x in e.indices)),
        )
        return out.replace(sp.exp, _Exp)

    def substitute(self, expr: Any, keep: str | None = None) -> Any:
        """Replace defined symbols by their definitions (not those of base ``keep``)."""
        defs = {k: v for k, v in self.defs.items() if self.base_of.get(k) != keep}
        for _ in range(8):
            new = expr.xreplace(defs)
            if new == expr:
                return new
            expr = new
        raise InternalError("index check: definitions do not terminate")

    def differentiate(self, expr: Any) -> Any:
        def compute(e: Any) -> Any:
            target = e.expr
            for variable, count in e.variable_count:
                target = sp.diff(
                    self.substitute(target, self.base_of.get(variable)), (variable, count)
                )
            return target

        return expr.replace(lambda e: isinstance(e, Derivative), compute)

    def value(self, expr: Any, binding: dict[Any, Any]) -> sp.Rational:
        """The number ``expr`` stands for at ``binding``."""
        out = self.substitute(self.differentiate(self.scalar(expr, binding)))
        # what SymPy cannot evaluate exactly becomes a random rational, outermost first
        for kind in (Derivative, AppliedUndef, _Exp):
            for atom in sorted(out.atoms(kind), key=sp.default_sort_key):
                if atom not in self.values:
                    self.values[atom] = self.draw()
            out = out.xreplace({a: self.values[a] for a in out.atoms(kind)})
        for sym in sorted(out.free_symbols, key=sp.default_sort_key):
            if sym not in self.values:
                self.values[sym] = self.draw()
        number = out.xreplace(self.values)
        number = sp.simplify(number) if not number.is_Rational else number
        if not number.is_Rational:
            raise InternalError(f"index check: {expr} is not a rational at {binding}: {number}")
        return number


def _expand_sum(expr: Sum) -> Any:
    body = expr.function
    for index, low, high in reversed(expr.limits):
        body = sp.Add(
            *(body.xreplace({index: sp.Integer(v)}) for v in range(int(low), int(high) + 1))
        )
    return body


def _explicit(expr: Any, inst: _Instance, form: MatrixForm) -> sp.Matrix:
    """A matrix expression as an explicit matrix of scalar entries (placeholders by their
    index templates)."""
    rows, cols = (inst.size(n) for n in expr.shape)
    if isinstance(expr, sp.MatrixSymbol):
        template = form.entries.get(expr.name)

        def at(r: int, c: int) -> Any:
            if template is not None:
                return inst.scalar(template, {_I: sp.Integer(r + 1), _J: sp.Integer(c + 1)})
            index = (r + 1,) if expr.shape[1] == 1 else (r + 1, c + 1)
            return inst.symbol(expr.name, index)

        return sp.Matrix(rows, cols, at)
    if isinstance(expr, sp.OneMatrix):
        return sp.ones(rows, cols)
    if isinstance(expr, sp.ZeroMatrix):
        return sp.zeros(rows, cols)
    if isinstance(expr, sp.Identity):
        return sp.eye(rows)
    if isinstance(expr, sp.Transpose):
        return _explicit(expr.arg, inst, form).T
    if isinstance(expr, sp.MatAdd):
        total = sp.zeros(rows, cols)
        for arg in expr.args:
            total += _explicit(arg, inst, form)
        return total
    if isinstance(expr, sp.MatMul):
        scalar = sp.Mul(*(a for a in expr.args if not getattr(a, "is_Matrix", False)))
        product: Any = None
        for arg in expr.args:
            if getattr(arg, "is_Matrix", False):
                part = _explicit(arg, inst, form)
                product = part if product is None else product * part
        return product * scalar.xreplace(inst.sizes)
    if isinstance(expr, sp.HadamardProduct):
        return entrywise_product(*(_explicit(arg, inst, form) for arg in expr.args))
    if isinstance(expr, sp.HadamardPower):
        return _explicit(expr.base, inst, form).applyfunc(lambda e: e**expr.exp)
    raise InternalError(f"index check: cannot evaluate {type(expr).__name__} entry by entry")


def _check_equation(d: Derivation, view: IndexStep, eq: IndexEquation) -> None:
    inst = _Instance(d, view, eq.cost, eq.onehot)
    for binding in inst.bindings(eq.ranges):
        values = [inst.value(side, binding) for side in eq.sides]
        for left, right in itertools.pairwise(range(len(values))):
            if values[left] != values[right]:
                raise InternalError(
                    f"index view of step {view.step.number}: {eq.sides[left]} = "
                    f"{eq.sides[right]} fails at {binding} ({values[left]} != {values[right]})"
                )


def _check_matrix(d: Derivation, view: IndexStep, form: MatrixForm) -> None:
    inst = _Instance(d, view, form.cost, form.onehot)
    matrix = _explicit(form.expr, inst, form)
    wrt = form.wrt
    for r, c in itertools.product(range(matrix.rows), range(matrix.cols)):
        lhs = grad(wrt, r + 1, c + 1)
        left = inst.value(lhs, {})
        right = inst.value(matrix[r, c], {})
        if left != right:
            raise InternalError(
                f"index view of step {view.step.number}: the matrix form {form.expr} fails "
                f"at entry ({r + 1}, {c + 1}) ({left} != {right})"
            )


def verify(d: Derivation, view: IndexStep) -> None:
    """Check every equality of ``view`` (definitions are taken as given); raise
    :class:`InternalError` at the first that fails."""
    for eq in view.equations:
        _check_equation(d, view, eq)
    if view.matrix is not None:
        _check_matrix(d, view, view.matrix)


#: the deepest network whose index view is built: every step is written entry by entry and
#: checked in exact arithmetic, about 0.1 s of CPU per layer (100 layers: about 11 s)
INDICES_MAX_DEPTH = 100


def check_index_depth(depth: int) -> None:
    """Refuse the index view of a network deeper than :data:`INDICES_MAX_DEPTH` (one line,
    exit 2); the command line asks before deriving."""
    if depth > INDICES_MAX_DEPTH:
        raise SpecError(
            f"index view: {depth:,} layers; at most {INDICES_MAX_DEPTH} (every step is "
            "written entry by entry and checked in exact arithmetic, about 0.1 s of CPU per "
            "layer); without it (no --indices, or indices=False) deeper networks are taken"
        )


def index_view(d: Derivation) -> list[IndexStep]:
    """The index view of every step of a network's derivation, each equality checked on a
    concrete instance first (:func:`verify`).

    Refused (:class:`SpecError`) above :data:`INDICES_MAX_DEPTH` layers.
    """
    check_index_depth(d.depth)
    builder = IndexBuilder(d)
    out = []
    for step in d.steps:
        if step.rule == Rule.ASSUMPTION:
            continue
        if step.rule == Rule.LOSS:
            view = builder.loss(step)
        elif step.rule == Rule.ELEMENTWISE:
            view = builder.elementwise(step)
        elif step.rule == Rule.SOFTMAX:
            view = builder.softmax(step)
        elif step.rule == Rule.BIAS:
            view = builder.bias(step)
        elif step.rule == Rule.BILINEAR and step.wrt == builder.g.W(step.layer):
            view = builder.weight(step)
        elif step.rule == Rule.BILINEAR:
            view = builder.backward(step)
        else:  # pragma: no cover - a network has no other rule kinds
            continue
        verify(d, view)
        out.append(view)
    return out
