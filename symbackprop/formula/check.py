"""Check a gradient formula written by hand: shapes, equality with the true gradient, repair.

``check_formula(network, "W2", "(a3 - y) W3^T a2(1 - a2) a1^T")`` parses the formula with the
whitelisting parser, types every sub-expression over the network's generic dimensions (the
shape trace), stops at the first operation whose shapes break, compares a well-shaped formula
with the derived gradient at random rational points (exactly; numerically in 30 digits when the
formula uses exp or log), and proposes the arrangement of the student's own factors that shape
analysis admits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import HadamardProduct, MatMul

from symbackprop.errors import FormulaError, SpecError
from symbackprop.formula import ast
from symbackprop.formula.parser import parse
from symbackprop.formula.printer import to_formula
from symbackprop.formula.repair import MAX_FACTORS, arrangements
from symbackprop.formula.typing_ import FormulaShapeError, Typer

if TYPE_CHECKING:
    from symbackprop.derivation import Derivation
    from symbackprop.spec import Network

Shape = tuple[Any, Any]
_PRODUCTS = ("@", "*", "⊙", "juxt")
_TRIALS = 3


@dataclass(frozen=True)
class TraceRow:
    """One sub-expression of the formula with its shape (generic and concrete)."""

    text: str
    shape: str
    concrete: str
    start: int
    end: int


@dataclass(frozen=True)
class Counterexample:
    """An entry where the formula and the true gradient differ, at a random point."""

    parameter: str
    row: int
    col: int
    yours: Any
    truth: Any
    sizes: dict[str, int]
    exact: bool

    def __str__(self) -> str:
        how = "exactly, at random rational inputs" if self.exact else "numerically"
        return (
            f"entry [{self.row}, {self.col}] of dJ/d{self.parameter}: your formula gives "
            f"{_short(self.yours)}, the gradient is {_short(self.truth)} ({how}, "
            f"sizes {self.sizes})"
        )


def _short(value: Any) -> str:
    """An exact rational as is when short, else 12 significant digits."""
    if isinstance(value, sp.Rational) and max(abs(value.p), value.q).bit_length() > 100:
        return f"{sp.N(value, 12)} (approximately)"
    return str(value)


@dataclass(frozen=True)
class Repair:
    """The arrangement of the formula's own factors that shape analysis admits."""

    formula: str
    expr: Any
    equal: bool

    def __str__(self) -> str:
        verdict = "equals the gradient" if self.equal else "fits, but is not the gradient"
        return f"{self.formula}   ({verdict})"


@dataclass
class FormulaReport:
    """The verdict of :func:`check_formula`.

    ``ok`` is True only when the formula parses, its shapes fit and it equals the gradient.
    ``error`` is a parse error (a :class:`~symbackprop.errors.FormulaError`) or a shape error
    (:class:`~symbackprop.formula.typing_.FormulaShapeError`), each with a position.
    """

    wrt: str
    formula: str
    target: str
    target_concrete: str
    error: FormulaError | None = None
    trace: list[TraceRow] = field(default_factory=list)
    equal: bool | None = None
    method: str | None = None
    counterexample: Counterexample | None = None
    repair: Repair | None = None
    notes: list[str] = field(default_factory=list)
    expression: Any = None
    gradient: Any = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.equal is True

    @property
    def exit_code(self) -> int:
        """0 right, 1 wrong (shape mismatches included), 2 cannot be parsed or over limits."""
        if self.ok:
            return 0
        if self.error is not None and not isinstance(self.error, FormulaShapeError):
            return 2
        return 1


def check_formula(
    network: Network | Derivation, wrt: str, formula: str, *, batch: bool = False
) -> FormulaReport:
    """Check ``formula`` as dJ/d``wrt`` for ``network``; see :class:`FormulaReport`.

    ``wrt`` is a parameter name such as ``"W2"`` or ``"b1"``. The formula may use the network's
    names (``W1, b1, z1, a1, x, y, yhat, delta2`` for a single example; ``Z1, A1, X, Y, m`` with
    ``batch=True``). Shapes are generic: W2 is n2 x n1 even when both widths are 4.
    """
    from symbackprop.derivation import Derivation, derive

    derivation = network if isinstance(network, Derivation) else derive(network, batch=batch)
    if wrt not in derivation.gradients:
        known = ", ".join(derivation.gradients)
        raise SpecError(f"--wrt {wrt!r}: not a parameter of this network; expected one of {known}")
    target = tuple(derivation.symbols[wrt].shape)
    sizes = derivation.sizes
    generic = Typer(_names(derivation), _activations(derivation), sizes, formula, True)
    report = FormulaReport(
        wrt=wrt,
        formula=formula,
        target=generic.show(target),
        target_concrete=_concrete(generic, target),
        gradient=derivation.expanded[wrt],
    )
    try:
        # the network's own activations (a custom swish) may appear as swish(...) or swish'(...)
        tree = parse(formula, functions=[act.name for act in derivation.graph.activations])
    except FormulaError as exc:
        report.error = exc
        return report
    try:
        typed = generic.type(tree)
    except FormulaShapeError as exc:
        report.error = exc
        _square_note(report, derivation, tree, formula, target)
    except FormulaError as exc:
        report.error = exc
        return report
    else:
        if typed.shape is None or typed.shape != target:
            shown = generic.show(typed.shape)
            report.error = FormulaShapeError(
                f"the formula is {shown}, but dJ/d{wrt} must be {report.target} like {wrt}",
                formula,
                0,
            )
        else:
            report.expression = typed.expr
            _verdict(report, derivation, typed.expr)
    report.trace = [
        TraceRow(text, generic.show(shape), _concrete(generic, shape), start, end)
        for text, shape, start, end in generic.trace
    ]
    if not report.ok:
        _repair(report, derivation, tree, formula, target)
    return report


def _names(derivation: Derivation) -> dict[str, Any]:
    names: dict[str, Any] = dict(derivation.symbols)
    g = derivation.graph
    output = g.a(g.depth)
    if g.batch:
        names.update({"Yhat": output, "yhat": output, "A0": g.x, "m": g.m})
    else:
        names.update({"yhat": output, "a0": g.x})
    return names


def _activations(derivation: Derivation) -> dict[str, Any]:
    return {act.name: act for act in derivation.graph.activations}


def _concrete(typer: Typer, shape: Shape | None) -> str:
    if shape is None:
        return "number"
    return " x ".join(str(sp.sympify(d, strict=True).xreplace(typer.sizes)) for d in shape)


def _square_note(
    report: FormulaReport, derivation: Derivation, tree: ast.Node, formula: str, target: Shape
) -> None:
    """Say so when the shapes fit only because two widths happen to be equal here."""
    concrete = Typer(
        _names(derivation), _activations(derivation), derivation.sizes, formula, False
    )
    try:
        typed = concrete.type(tree)
    except FormulaError:
        return
    if typed.shape is not None and concrete.same_shape(typed.shape, target):
        equal_dims = sorted(
            {str(d) for d in derivation.graph.dims if d in derivation.sizes},
        )
        widths = ", ".join(
            f"{d} = {derivation.sizes[sp.Symbol(d, integer=True, positive=True)]}"
            for d in equal_dims
        )
        report.notes.append(
            "with this network's widths the shapes happen to fit, because layers share a "
            f"width ({widths}); for other widths they do not, so the formula is wrong in "
            "general (typically a W where W^T belongs)"
        )


def _verdict(report: FormulaReport, derivation: Derivation, expr: Any) -> None:
    """Compare at random points: exactly in rationals, else numerically in 30 digits."""
    from symbackprop.exact import NotRationalError, RealTable, Table

    for table_class, method in ((Table, "exact"), (RealTable, "numeric")):
        try:
            counter = _compare(derivation, expr, report.wrt, table_class)
        except NotRationalError:
            continue
        report.method = method
        report.equal = counter is None
        report.counterexample = counter
        if counter is not None:
            _factor_notes(report, derivation, expr)
        return
    report.notes.append("the formula could not be evaluated at any point")


def _compare(
    derivation: Derivation, expr: Any, wrt: str, table_class: type
) -> Counterexample | None:
    from symbackprop.exact import concrete_sizes, forward_point
    from symbackprop.ops.activations import ACTIVATIONS

    g = derivation.graph
    sizes = concrete_sizes(derivation, None)
    rng = random.Random(12345)
    exact = table_class.__name__ == "Table"
    for _ in range(_TRIALS):
        # every built-in record, so that tanh'(z2) can be evaluated in a sigmoid network
        env, evaluate, _table = forward_point(derivation, sizes, rng, table_class, ACTIVATIONS)
        for layer in range(g.depth, 0, -1):
            env[derivation.delta_symbols[layer].name] = evaluate(derivation.deltas[layer])
        truth = evaluate(derivation.gradients[wrt])
        yours = evaluate(expr)
        for i in range(truth.shape[0]):
            for j in range(truth.shape[1]):
                same = (
                    yours[i, j] == truth[i, j]
                    if exact
                    else abs(yours[i, j] - truth[i, j])
                    <= sp.Float("1e-20") * (1 + abs(truth[i, j]))
                )
                if not same:
                    return Counterexample(
                        wrt,
                        i,
                        j,
                        yours[i, j],
                        truth[i, j],
                        {str(k): v for k, v in sizes.items()},
                        exact,
                    )
    return None


def _factor_notes(report: FormulaReport, derivation: Derivation, expr: Any) -> None:
    """Name the factors of the derivation that the formula lacks (and the other way round)."""
    if not isinstance(report.gradient, (MatMul, HadamardProduct)):
        return  # a sum (with L2, say) has terms, not factors, to compare
    theirs = _flat_factors(report.gradient)
    yours = _flat_factors(expr)
    missing = [f for f in theirs if f not in yours and f.T not in yours]
    extra = [f for f in yours if f not in theirs and f.T not in theirs]
    if missing:
        report.notes.append(
            "the derivation has "
            + ", ".join(to_formula(f) for f in missing)
            + " as a factor, which your formula does not"
        )
    if extra:
        report.notes.append(
            "your formula has "
            + ", ".join(to_formula(f) for f in extra)
            + ", which the derivation does not"
        )


def _flat_factors(expr: Any) -> list[Any]:
    out: list[Any] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, (MatMul, HadamardProduct)):
            stack.extend(a for a in node.args if getattr(a, "is_Matrix", False))
        else:
            out.append(node)
    return out


def _product_factors(tree: ast.Node) -> list[ast.Node]:
    """The operands of the formula's top-level chain of products, left to right."""
    out: list[ast.Node] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Binary) and node.op in _PRODUCTS:
            stack.extend([node.right, node.left])
        else:
            out.append(node)
    return out


def _repair(
    report: FormulaReport, derivation: Derivation, tree: ast.Node, formula: str, target: Shape
) -> None:
    factors: list[tuple[Any, Shape]] = []
    coefficient: Any = sp.Integer(1)
    for node in _product_factors(tree):
        typer = Typer(_names(derivation), _activations(derivation), derivation.sizes, formula)
        try:
            typed = typer.type(node)
        except FormulaError:
            report.notes.append(
                f"no repair: the factor '{formula[node.start : node.end]}' has a shape problem "
                "of its own"
            )
            return
        if typed.shape is None:
            coefficient *= typed.expr
        else:
            factors.append((typed.expr, typed.shape))
    if len(factors) > MAX_FACTORS:
        report.notes.append(f"no repair: more than {MAX_FACTORS} factors")
        return
    candidates = arrangements(factors, target)
    if not candidates:
        report.notes.append("no arrangement of these factors has the shape " + report.target)
        return
    best: Repair | None = None
    for candidate in candidates:
        expr = candidate if coefficient == 1 else coefficient * candidate
        probe = FormulaReport(
            report.wrt, "", report.target, report.target_concrete, gradient=report.gradient
        )
        _verdict(probe, derivation, expr)
        repair = Repair(to_formula(expr), expr, bool(probe.equal))
        if repair.equal:
            best = repair
            break
        best = best or repair
    report.repair = best
