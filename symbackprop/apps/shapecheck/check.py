"""Check a gradient formula written by hand: shapes, equality with the true gradient, repair.

``check_formula(network, "W2", "(a3 - y) W3^T a2(1 - a2) a1^T")`` parses the formula with the
whitelisting parser, types every sub-expression over the network's generic dimensions (the
shape trace), stops at the first operation whose shapes break, compares a well-shaped formula
with the derived gradient at random rational points (exactly, each function a table of random
rationals; a difference there, or a formula with exp or log, is decided with the true functions
in :mod:`symbackprop.apps.shapecheck.numeric`), and proposes the arrangement of the student's
own factors that shape analysis admits. A number is a 1 x 1 value where the gradient is 1 x 1.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple

import sympy as sp
from sympy import HadamardProduct, MatMul

from symbackprop.apps.shapecheck import crossings, numeric, redraw, spellings, written_sizes
from symbackprop.apps.shapecheck import model as model_formula
from symbackprop.apps.shapecheck.boundary import (
    boundary_note,
    division_note,
    domain_note,
    nowhere_defined,
    own_domain_names,
    positive_values,
    zero_times,
)
from symbackprop.apps.shapecheck.decided import (
    applications,
    entries_differ,
    exact_decides,
    not_rational_note,
    numeric_only_note,
    written_out,
)
from symbackprop.apps.shapecheck.repair import (
    BUDGET,
    MAX_FACTORS,
    Search,
    any_grouping,
    as_written,
    build,
    key_text,
)
from symbackprop.apps.shapecheck.typing_ import FormulaShapeError, Typer
from symbackprop.check.accuracy import LostDigits
from symbackprop.check.exact import (
    Evaluator,
    NotRationalError,
    RealTable,
    Table,
    concrete_sizes,
    exact_degree_refusal,
    forward_point,
)
from symbackprop.check.interpret import NotExact, OutsideDomain, activation_records
from symbackprop.check.kinks import (
    PIECES,
    UNEVALUATED,
    Sides,
    Smooth,
    kinks,
    read_by_pieces,
    straddling,
)
from symbackprop.check.live import HOLE, smooth_forms
from symbackprop.check.model_exact import AdjointsUndefined, CostUndefined, oracle_work
from symbackprop.check.size_settings import other_sizes_text, size_settings, with_own_sizes
from symbackprop.check.switches import shown_number, tame
from symbackprop.core.derivation import LAMBDA, Derivation, derive
from symbackprop.core.graph import Kind
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.core.no_value import has_no_value, not_real
from symbackprop.core.textprint import text as plain_text
from symbackprop.errors import FormulaError, SpecError, did_you_mean, quote_user_text
from symbackprop.formula import ast
from symbackprop.formula.decimals import number_phrase
from symbackprop.formula.parser import parse
from symbackprop.formula.table import FUNCTIONS, Entry
from symbackprop.records import scalars
from symbackprop.records.activations import ACTIVATIONS, is_builtin
from symbackprop.records.kinks import breakpoints
from symbackprop.records.nodes import Elementwise, Softmax
from symbackprop.render.formula import to_formula
from symbackprop.render.model_formula import model_formula as model_truth_text
from symbackprop.render.model_view import ModelView

if TYPE_CHECKING:
    from symbackprop.spec import Network

Shape = tuple[Any, Any]
_PRODUCTS = ("@", "*", "⊙", "juxt")
#: random points compared per size setting
_TRIALS = 3
#: the seed of the compared points (the same points at every run)
_SEED = 12345
#: the seeds of the base points :func:`_live_base` tries for the line search (a point where
#: no entry of the gradient is 0): draws of their own, apart from the compared points'
_BASE_SEEDS = range(31, 31 + 8)
#: arrangements verified (each an exact or numeric comparison) per search
_VERIFY = 8
#: arrangements each repair search may build (see symbackprop.apps.shapecheck.repair)
REPAIR_BUDGET = BUDGET
#: the largest |argument| a transcendental function is evaluated at in the numeric check:
#: exp(1e100) costs mpmath 100 more digits of ln 2 (a millisecond), but exp of that would need
#: 4e99 digits. One exp of a sample's z1 ~ 20 to 30 (a wide layer) feeds sigmoid ~1e9 to 1e22
#: (an exp activation) and must pass; a tower exp(exp(exp(a3))) stops at its next level. (Was
#: 10,000, hostile11 finding 5; 10^20 until the mirrored size setting put n0 = 7 under exp(2 z).)
_BOUND_EXPONENT = 100
MAX_ARGUMENT = 10**_BOUND_EXPONENT


BOUND_TEXT = f"10^{_BOUND_EXPONENT}"  # the message says the bound the check applies


#: the largest degree in a parameter a model's values may have for a formula to be compared
#: at its points (degree 9e4 takes seconds; 10^6, minutes)
MAX_COMPARED_DEGREE = 100_000


class _TooLarge(Exception):
    """A value in the numeric comparison grew past :data:`MAX_ARGUMENT`."""


class _NoValue(Exception):
    """The formula has no real value at any point (:func:`nowhere_defined`)."""


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
    #: whether the formula or the derivation applies a function (whose values the exact
    #: comparison draws at random): "random rational function values" was said of a model
    #: that has none (hostile38c #13)
    functions: bool = True

    def __str__(self) -> str:
        values = " and random rational function values" if self.functions else ""
        how = (
            f"exactly, at random rational inputs{values}"
            if self.exact
            else f"numerically, to {numeric.AGREED_DIGITS} digits"
        )
        at = ", ".join(f"{name}={size}" for name, size in self.sizes.items())
        undefined = isinstance(self.yours, sp.Basic) and has_no_value(self.yours)
        # zoo is SymPy's word for 1/0: said as what it means for the formula
        shown = (
            (self.yours, self.truth) if self.exact else (_valued(self.yours), _valued(self.truth))
        )
        mine, truth = _short(shown[0]), _short(shown[1])
        if mine == truth:  # equal in 12 digits: as many as were compared
            mine, truth = _short(shown[0], AGREED), _short(shown[1], AGREED)
        yours = "is undefined there" if undefined else f"gives {mine}"
        if not undefined and not_real(self.yours):
            # exp(log(w)) at w < 0 "gives -2.33 - 2.4e-51*I, the gradient is -2.33": equal to
            # 50 digits in complex numbers, and no real value (hostile40b #6)
            complex_value = sp.N(self.yours, 6)
            yours = (
                "has no real value there: it takes a log or a fractional power of a negative "
                f"number (complex arithmetic gives {complex_value})"
            )
        return (
            f"entry {numeric.entry_name(self.row, self.col)} of dJ/d{self.parameter}: your "
            f"formula {yours}, the gradient is {truth}{self._apart()} "
            f"({how}{', at sizes ' + at if at else ''})"
        )

    def _apart(self) -> str:
        """The difference, where 12 digits of each value would not show it."""
        if not (isinstance(self.yours, sp.Rational) and isinstance(self.truth, sp.Rational)):
            return ""
        gap = abs(self.yours - self.truth)
        if gap == 0 or gap > abs(self.truth) * sp.Rational(1, 10**10):
            return ""
        return f", which differ by {sp.N(gap, 3)!s}"


#: the significant digits a counterexample's value shows, and where 12 show two values equal,
#: as many as the numeric comparison agreed on
SHOWN, AGREED = 12, numeric.AGREED_DIGITS


def _valued(value: Any) -> Any:
    """A numeric comparison's value as a number: a function of a constant the formula writes
    (``sigmoid(8923/300)``) evaluated, as the comparison did, not left beside its digits."""
    if isinstance(value, sp.Basic) and not value.is_Integer and value.is_number:
        number = sp.N(value, AGREED)
        if number.is_Number:
            return number  # a fraction too: both values in one notation (hostile39a #11)
    return value


def _short(value: Any, digits: int = SHOWN) -> str:
    """An exact rational as is when short, else ``digits`` significant digits, as a number of
    the numeric check is (it carries 100: a line of them said nothing more); a value with a
    function left in it (the formula's own ``sigmoid(1421/15)``) in the formula language."""
    if isinstance(value, sp.Rational) and max(abs(value.p), value.q).bit_length() > 100:
        # not "(approximately)": the comparison beside it is exact (hostile48c #6)
        return f"{sp.N(value, digits)!s} (to {digits} digits of its exact fraction)"
    if isinstance(value, sp.Float):
        return str(sp.N(value, digits))
    if isinstance(value, sp.Basic) and not value.is_Number:
        return _text(value)
    return str(value)


#: how an equality the true functions alone found is said (a repair's, the rowsum note's)
NUMERIC_EQUAL = f"to {numeric.AGREED_DIGITS} digits (not proved exactly)"


@dataclass(frozen=True)
class Repair:
    """The arrangement of the formula's own factors that shape analysis admits."""

    formula: str
    expr: Any
    equal: bool
    #: whether it was found equal with the true functions only (to their digits), not exactly:
    #: a repair 1e-130 off was said to equal the gradient, flat (review45b #4)
    numeric: bool = False

    @property
    def verdict(self) -> str:
        """What the repair is, in words."""
        if not self.equal:
            return "fits, but is not the gradient"
        if self.numeric:
            return f"equals the gradient {NUMERIC_EQUAL}"
        return "equals the gradient"

    def __str__(self) -> str:
        return f"{self.formula}   ({self.verdict})"


@dataclass
class FormulaReport:
    """The verdict of :func:`check_formula`.

    ``ok`` is True only when the formula parses, its shapes fit and it equals the gradient.
    ``error`` is a parse error (a :class:`~symbackprop.errors.FormulaError`) or a shape error
    (:class:`~symbackprop.apps.shapecheck.typing_.FormulaShapeError`), each with a position.
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
    #: the formula with brackets where precedence decided its meaning (else None):
    #: ``sigmoid'(z2) ⊙ W3^T delta3`` is read as ``sigmoid'(z2) ⊙ (W3^T delta3)``
    reading: str | None = None
    #: where ``method`` is "numeric": the significant digits both sides agree to (equal to
    #: that many digits at random points, not proved; :mod:`.numeric`)
    digits: int | None = None
    #: the gradient in the formula language (``dZ X^T``, with a model's kept adjoints); where
    #: the language has no form for it (``truth_refused``), as ``symbackprop derive`` prints it
    #: (``2 sum(W x) 1_2 x^T``), which does not paste back
    truth_text: str | None = None
    #: why the formula language cannot write the gradient (a ones column in a product, an
    #: identity matrix); None where it can
    truth_refused: str | None = None
    #: the points the formula was compared at (for the verdict's sentence): "3 random points,
    #: 3 at other sizes, 2 with the pre-activations at -1/2, 1/2 (either side of the kinks at 0)"
    points: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.equal is True

    @property
    def truth(self) -> str | None:
        """The derived gradient in the formula language, a formula ``check_formula`` reads
        back; ``None`` where the language has no form for it, as the command line's "truth
        not printed: ..." says: ``truth_refused`` gives the reason and ``truth_text`` derive's
        text of the gradient."""
        return None if self.truth_refused is not None else self.truth_text

    @property
    def truth_sentence(self) -> str:
        """The truth as the command line and the notebook show it: the formula, or why it is
        not printed (the same words in both)."""
        if self.truth_refused is None and self.truth_text is not None:
            return self.truth_text
        why = self.truth_refused or "the derivation has no gradient here"
        return f"not printed: {why}; `symbackprop derive` shows it"

    def __str__(self) -> str:
        """The verdict as ``print(report)`` shows it: the facts the notebook's table shows, one
        per line, then the shape trace and the notes (it printed the dataclass's fields)."""
        verdict = "not the gradient"
        if self.ok and self.method == "numeric":  # the command line's words (review36 #7)
            verdict = f"equals the gradient to {self.digits} digits at random points (not proved)"
        elif self.ok:
            verdict = f"equals the gradient exactly at every point compared ({self.points})"
        elif self.error is not None and self.exit_code == 1:
            verdict = "shapes do not fit"
        elif self.error is not None:  # unreadable, over a limit, or undefined: the error says
            verdict = "refused, not checked"
        lines = [f"dJ/d{self.wrt} = {self.formula}: {verdict}"]
        facts = [("target shape", f"{self.target} ({self.target_concrete})")]
        if self.error is not None:
            facts.append(("error", str(self.error)))
        if self.reading is not None:
            facts.append(("read as", self.reading))
        if self.equal is not None:
            facts.append(("the gradient", self.truth_sentence))
        if self.counterexample is not None:
            facts.append(("counterexample", str(self.counterexample)))
        if self.repair is not None:
            facts.append(("repair", str(self.repair)))
        lines += [f"  {name}: {value}" for name, value in facts]
        if self.trace:
            lines.append("  shapes:")
            lines += [f"    {row.text}  {row.shape}  ({row.concrete})" for row in self.trace]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    @property
    def exit_code(self) -> int:
        """0 right, 1 wrong (shape mismatches included), 2 cannot be parsed or over limits."""
        if self.ok:
            return 0
        if self.error is not None and not isinstance(self.error, FormulaShapeError):
            return 2
        return 1


#: the deepest network the formula checker takes: it compares with the fully expanded gradient
#: and writes that gradient in the formula language, both nesting a few levels per layer (98
#: layers passed Python's recursion limit in that text, a RecursionError: hostile41c #2)
FORMULA_MAX_DEPTH = 90


#: the most inv, det and logdet calls one formula may make: each is evaluated exactly, in
#: rationals whose digits grow with every inverse taken of an inverse (hostile42c #2: 49
#: nested inv(X + ...) took 106 s, 99 nested inv 46 s; 16 take 2-4.5 s)
FORMULA_MAX_MATRIX_CALLS = 16
_MATRIX_CALLS = frozenset({"inv", "det", "logdet"})


def _too_many_matrix_calls(tree: ast.Node, formula: str) -> FormulaError | None:
    """The refusal of a formula with more than :data:`FORMULA_MAX_MATRIX_CALLS` of
    inv, det and logdet, at the first call past the limit; else None."""
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.func in _MATRIX_CALLS]
    if len(calls) <= FORMULA_MAX_MATRIX_CALLS:
        return None
    past = sorted(calls, key=lambda n: n.pos)[FORMULA_MAX_MATRIX_CALLS]
    return FormulaError(
        f"the formula calls inv, det and logdet {len(calls)} times; at most "
        f"{FORMULA_MAX_MATRIX_CALLS} (each is computed exactly, in rationals that grow with "
        "every inverse of an inverse)",
        formula,
        past.pos,
    )


#: the deepest nest of softmax (and log_softmax) calls a formula may write: each entry of a
#: softmax reads its argument's entries twice (the exp on top, the sum below), so the typed
#: entry doubles with each level (hostile43a #2: 6 levels took 16 s, 8 passed 2 minutes)
FORMULA_MAX_SOFTMAX_NEST = 4
_SOFTMAX_CALLS = frozenset({"softmax", "log_softmax"})


def _softmax_nested_too_deep(tree: ast.Node, formula: str) -> FormulaError | None:
    """The refusal of a formula nesting softmax more than :data:`FORMULA_MAX_SOFTMAX_NEST`
    deep, at the first call past the limit; else None."""
    stack: list[tuple[ast.Node, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.Call) and node.func in _SOFTMAX_CALLS:
            depth += 1
            if depth > FORMULA_MAX_SOFTMAX_NEST:
                return FormulaError(
                    f"the formula nests softmax {depth} deep here; at most "
                    f"{FORMULA_MAX_SOFTMAX_NEST} (each level doubles the entry the check "
                    "compares)",
                    formula,
                    node.pos,
                )
        stack += [(child, depth) for child in ast.children(node)]
    return None


def check_formula(
    network: Network | Derivation,
    wrt: str,
    formula: str,
    *,
    batch: bool = False,
    sizes: Mapping[str, int] | None = None,
) -> FormulaReport:
    """Check ``formula`` as dJ/d``wrt`` for ``network``; see :class:`FormulaReport`.

    ``wrt`` is a parameter name such as ``"W2"`` or ``"b1"``. The formula may use the network's
    names (``W1, b1, z1, a1, x, y, yhat, delta2`` for a single example; ``Z1, A1, X, Y, m`` with
    ``batch=True``). Shapes are generic: W2 is n2 x n1 even when both widths are 4.
    """
    for name, value in (("wrt", wrt), ("formula", formula)):
        if not isinstance(value, str):
            # None or 3 came back as a wrong formula (ok False) whose display then failed
            # (hostile33c #5)
            raise SpecError(f"{name} must be a string, got {type(value).__name__}")
    derivation = network if isinstance(network, Derivation) else derive(network, batch=batch)
    if isinstance(derivation, ModelDerivation) and derivation.model is not None:
        derivation.model.check_wrt(wrt)
    if wrt not in derivation.gradients:
        known = ", ".join(derivation.gradients)
        what = "model" if isinstance(derivation, ModelDerivation) else "network"
        hint = did_you_mean(wrt, derivation.gradients)
        raise SpecError(
            f"{quote_user_text(wrt)} is not a parameter of this {what}{hint}; its parameters "
            f"are {known}"
        )
    if not isinstance(derivation, ModelDerivation) and derivation.depth > FORMULA_MAX_DEPTH:
        # the refusal of .expanded told a formula written with deltas to use the deltas
        # (hostile36a #4): the formula is compared with the expanded gradient, whatever it reads
        raise SpecError(
            f"the formula checker: {derivation.depth} layers; at most {FORMULA_MAX_DEPTH} (it "
            "compares a formula with the fully expanded gradient, which nests a few levels per "
            "layer)"
        )
    target = tuple(derivation.symbols[wrt].shape)
    generic = _typer(derivation, formula)
    generic.sizes.update(_shown_sizes(derivation, sizes))
    report = FormulaReport(
        wrt=wrt,
        formula=formula,
        target=generic.show(target),
        target_concrete=_concrete(generic, target),
        gradient=derivation.expanded[wrt],
    )

    def reads_back(text: str) -> str | None:  # typed by a typer of its own (one keeps a trace)
        return _reads_back(derivation, _typer(derivation, text), text, target)

    try:
        # the network's own activations (a custom swish) may appear as swish(...) or swish'(...)
        tree = parse(
            formula,
            functions=_activations(derivation),
            models=isinstance(derivation, ModelDerivation),
        )
    except FormulaError as exc:
        report.error = exc
        return report
    answer = _own_adjoint(derivation, wrt, tree, formula) or _too_many_matrix_calls(tree, formula)
    answer = answer or _softmax_nested_too_deep(tree, formula)
    if answer is not None:
        report.error = answer
        return report
    # the truth's text after the formula parses: a model's took 30 s of a triplet loss before
    # "W +" was told it lacks an operand (hostile49c #5)
    if isinstance(derivation, ModelDerivation):
        report.truth_text, report.truth_refused = _model_truth(derivation, wrt, reads_back)
    else:
        report.truth_text, report.truth_refused = _network_truth(report.gradient, reads_back)
    if ast.precedence_decided(tree):
        report.reading = ast.to_text(tree, reading=True)
    try:
        typed = generic.type(tree)
    except FormulaShapeError as exc:
        report.error = exc
        _square_note(report, derivation, tree, formula, target)
    except FormulaError as exc:
        report.error = exc
        return report
    else:
        if typed.shape is None and (typed.expr == 0 or all(d == 1 for d in target)):
            # a number c is the matrix c 1 1^T of dJ/dwrt's shape where that reads as c alone:
            # a 1 x 1 value (as in the model language: J = sum(...) is 1 x 1; SymPy writes c I)
            # and 0, the zero matrix of any shape (what derive prints for an unused parameter)
            constant = typed.expr * sp.OneMatrix(*target)
            typed = dataclasses.replace(typed, expr=constant, shape=target)
        if typed.shape is None or typed.shape != target:
            # a shape reads "is 1 x m", a number "is a number" (hostile42b #5)
            shown = "a number" if typed.shape is None else generic.show(typed.shape)
            report.error = FormulaShapeError(
                f"the formula is {shown}, but dJ/d{wrt} must be {report.target} like {wrt}",
                formula,
                0,
            )
        else:
            report.expression = typed.expr
            try:
                _verdict(report, derivation, typed.expr)
                found = report.counterexample
                if found is not None and not _applies_functions(derivation, typed.expr):
                    report.counterexample = dataclasses.replace(found, functions=False)
                _numeric_digits(report)
                _generic_widths_note(report, derivation)
                if report.equal:
                    values = {str(name) for name in derivation.symbols}
                    # and the names positive by SymPy's assumptions: a size (m), a positive
                    # constant (sum(Y - Y + 1) m was told where it is 0: hostile43c #6)
                    positive = positive_values(derivation) | {
                        name
                        for name, value in generic.names.items()
                        if getattr(value, "is_positive", None) is True
                    }
                    folded = zero_times(tree, values, positive)
                    if folded is not None:
                        raise _TooLarge(folded)
                    divides = division_note(tree, values, positive)
                    # not over what the model takes a log or root of itself (batch_norm's
                    # sqrt(var + 0.001)): its gradient has no value there either
                    own = own_domain_names(derivation, values, positive)
                    nowhere = nowhere_defined(tree, values, positive, own)
                    if nowhere is not None:
                        raise _NoValue(nowhere)
                    domain = domain_note(tree, values, positive, own)
                    for note in (boundary_note(derivation, tree), divides, domain):
                        if note is not None:
                            report.notes.append(note)
            except _TooLarge as exc:
                report.error = FormulaError(f"cannot check this formula: {exc}", formula, None)
                report.equal = None
            except _NoValue as exc:
                report.error = FormulaError(str(exc), formula, None)
                report.equal = None
    report.trace = [
        TraceRow(text, generic.show(shape), _concrete(generic, shape), start, end)
        for text, shape, start, end in generic.trace
    ]
    if not report.ok:
        _rowsum_note(report, derivation, tree, formula, target)
        _numpy_reading_note(report, derivation, tree, formula, target)
    if not report.ok and report.exit_code != 2:
        _repair(report, derivation, tree, formula, target)
    return report


def _applies_functions(derivation: Derivation, expr: Any) -> bool:
    """Whether ``expr`` (a formula) or a model's derivation applies an element-wise function,
    a softmax or a scalar function (a network always does: its activations)."""
    if not isinstance(derivation, ModelDerivation):
        return True
    kinds = (Elementwise, Softmax, sp.Function)
    return any(value.atoms(*kinds) for value in (expr, *model_formula.own_values(derivation)))


def _shown_sizes(derivation: Derivation, sizes: Mapping[str, int] | None) -> dict[sp.Symbol, int]:
    """The dimension symbols ``sizes`` names, with their sizes, for the trace's concrete
    shapes (``SpecError`` for a name that sizes nothing here, a network's width that is a
    number already, m in single-example form, or a size that is not a positive integer)."""
    if not sizes:
        return {}
    dims = {
        d.name: d
        for symbol in derivation.symbols.values()
        for d in getattr(symbol, "shape", ())
        if isinstance(d, sp.Symbol)
    }
    fixed: dict[Any, int] = {}
    if not isinstance(derivation, ModelDerivation):
        fixed = {d: size for d, size in derivation.graph.sizes.items() if size}
    settable = sorted(name for name, d in dims.items() if d not in fixed)
    out = {}
    for name, size in sizes.items():
        if name == "m" and name not in dims:
            raise SpecError("sizes: m is the batch size, and this is the single-example form")
        if name not in dims:
            known = ", ".join(settable) or "none (every shape is numeric)"
            raise SpecError(
                f"sizes: {quote_user_text(name)} sizes nothing here; its sizes: {known}"
            )
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise SpecError(f"sizes: {name} = {size!r}; expected a positive integer")
        own = fixed.get(dims[name])
        if own is not None and own != size:
            raise SpecError(f"sizes: {name} = {size}, but {name} is {own} in this network")
        out[dims[name]] = size
    return out


def _generic_widths_note(report: FormulaReport, derivation: Derivation) -> None:
    """Say so where a network's counterexample is at widths that are not the network's own
    and the formula agrees at the first widths compared (4-3-2-1's n3 = 1, compared at
    n3 = 3): the shapes are generic, so the formula is judged at every width, as the
    derivation's gradient holds at every width (hostile25 #4). The formula is compared again
    at the first widths with the counterexample's m, so that a difference that m makes
    (``(lambda/2) W1`` for ``(lambda/m) W1``) gets no sentence about widths."""
    found = report.counterexample
    if found is None or isinstance(derivation, ModelDerivation):
        return
    first = _settings(derivation)[0][0]
    m = derivation.graph.m if derivation.graph.batch else None  # single example: m is 1
    widths = {str(k): v for k, v in first.items() if k != m}
    if {k: v for k, v in found.sizes.items() if k != str(m)} == widths:
        return  # the widths compared first: the difference is not the widths'
    own = {symbol.name: size for symbol, size in derivation.graph.sizes.items() if size}
    other = [name for name, size in found.sizes.items() if name in own and own[name] != size]
    if not other or report.expression is None:
        return
    at = dict(first)
    if m is not None and str(m) in found.sizes:
        at[m] = found.sizes[str(m)]
    expr = spellings.fold(report.expression, None)
    gradient = derivation.gradients[report.wrt]
    read = adjoints_read(derivation, expr, gradient)
    sides = Sides(expr, gradient, *read, definitions=_defs(derivation))
    rng = random.Random(_SEED)
    try:
        agrees = _compare_at(derivation, expr, report.wrt, True, at, _TRIALS, rng, sides) is None
    except (NotRationalError, NotExact, OutsideDomain):
        # no exact value there (sin at a rational point): the note is only an aside, and the
        # verdict above stands; it raised out of the check (an internal error)
        return
    if agrees and _agrees_across_kinks(report, derivation, expr, sides):
        shown = ", ".join(f"{name} = {own[name]}" for name in other)
        report.notes.append(
            f"the formula agrees at the sizes compared first; the counterexample is at other "
            f"widths than this network's ({shown}): the shapes are generic, so a formula is "
            "compared at several widths, as the derivation holds at every width"
        )


def _agrees_across_kinks(
    report: FormulaReport, derivation: Derivation, expr: Any, sides: Sides
) -> bool:
    """Whether the formula also agrees where the random points reach only one side of a kink,
    at the network's own widths (:func:`_across`): ``1{z1 > 0.3}`` for relu'(z1) is wrong at
    every width for 0 < z1 < 0.3, which three random points seldom reach, and the note blamed
    the widths for it (hostile44b #1)."""
    trial = FormulaReport(
        wrt=report.wrt,
        formula=report.formula,
        target=report.target,
        target_concrete=report.target_concrete,
        gradient=report.gradient,
    )
    try:
        _across(trial, derivation, expr, sides)
    except (_TooLarge, NotRationalError, NotExact, OutsideDomain, LostDigits, ValueError):
        return False  # a side not reached, or no value there: nothing to say of the widths
    return trial.counterexample is None


def _names(derivation: Derivation) -> dict[str, Any]:
    names: dict[str, Any] = dict(derivation.symbols)
    g = derivation.graph
    output = g.a(g.depth)
    if g.batch:
        names.update({"Yhat": output, "yhat": output, "A0": g.x, "m": g.m})
    else:
        names.update({"yhat": output, "a0": g.x})
    if derivation.network.l2:
        names["lambda"] = LAMBDA  # as the derivation prints it: delta3 a2^T + (λ) W3
    return names


def _absent(derivation: Derivation) -> dict[str, str]:
    """Names a reader may expect that this form of the network does not have, and why."""
    out: dict[str, str] = {}
    if not derivation.graph.batch:
        out["m"] = (
            "'m' (the number of examples) exists only in batch form (--batch, or batch=True); "
            "a single-example formula has no m"
        )
    if not derivation.network.l2:
        # the user may have written --l2 0, which the spec keeps as the default l2 = 0
        out["lambda"] = (
            "'lambda' (the L2 coefficient) exists only for a network with L2 weight decay "
            "(--l2 > 0, or l2= in the spec); l2 = 0 (the default, or --l2 0) means no weight "
            "decay, so there is no lambda"
        )
    # inv(W) in a network's formula parses as a name times a bracket: say what inv is
    network = sorted(n for n in FUNCTIONS.names() if not _entry(n).activation)
    for name in FUNCTIONS.names(models=True) - FUNCTIONS.names():
        out[name] = (
            f"'{name}' is a function of model files only; a network's formulas call "
            f"{', '.join(network)} and the activations"
        )
    return out


def _entry(name: str) -> Entry:
    found = FUNCTIONS.get(name)
    assert found is not None  # a name FUNCTIONS.names() gave
    return found


def _own_adjoint(
    derivation: Derivation, wrt: str, tree: ast.Node, formula: str
) -> FormulaError | None:
    """A model's formula that writes ``d<wrt>``, the gradient it is checked as (``dW1`` or
    ``2 dW1 - dW1`` passed as equal to dJ/dW1: true, and circular; hostile32), unless the
    model has a value of that name."""
    if not isinstance(derivation, ModelDerivation):
        return None  # a network's names have no adjoint of a parameter (dW2 is unknown)
    alias = f"d{wrt}"
    written = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    if alias in derivation.graph.named or "dJ" in written:
        return None  # dJ/dW1 written out: the typer says how an adjoint is written
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == alias:
            return FormulaError(
                f"'{alias}' is dJ/d{wrt}, the gradient this formula is checked as: write it "
                "in the model's other names (its values, data and the adjoints of its values)",
                formula,
                node.pos,
            )
    return None


def _typer(derivation: Derivation, formula: str, generic: bool = True) -> Typer:
    if isinstance(derivation, ModelDerivation):
        typer = Typer(
            {},
            _activations(derivation),
            model_formula.sizes(derivation),
            formula,
            generic,
            owner="model",
            gradients=frozenset(derivation.gradients),
            columns=derivation.graph.m if derivation.batch else None,
            compared=[chosen for chosen, _ in model_formula.size_settings(derivation)],
        )
        model_formula.names(derivation, typer)
        return typer
    return Typer(
        _names(derivation),
        _activations(derivation),
        derivation.sizes,
        formula,
        generic,
        absent=_absent(derivation),
        gradients=frozenset(derivation.gradients),
        compared=[chosen for chosen, _ in _settings(derivation)],
    )


def _activations(derivation: Derivation) -> dict[str, Any]:
    if isinstance(derivation, ModelDerivation):
        return dict(model_formula.activations(derivation))
    return {act.name: act for act in derivation.graph.activations}


def _concrete(typer: Typer, shape: Shape | None) -> str:
    if shape is None:
        return "number"
    return " x ".join(str(sp.sympify(d, strict=True).xreplace(typer.sizes)) for d in shape)


def _square_note(
    report: FormulaReport, derivation: Derivation, tree: ast.Node, formula: str, target: Shape
) -> None:
    """Say so when the shapes fit only because of this network's widths, and which ones."""
    concrete = _typer(derivation, formula, generic=False)
    try:
        typed = concrete.type(tree)
    except FormulaError:
        return
    if typed.shape is None or not concrete.same_shape(typed.shape, target):
        return
    reasons = []
    for first, second in concrete.coincidences:
        value = concrete.concrete(first)
        symbols = [d for d in (first, second) if not getattr(d, "is_Number", False)]
        if len(symbols) == 2:
            reasons.append(f"{first} = {second} = {value}")
        elif symbols:
            reasons.append(f"{symbols[0]} = {value}")
    # a model's sizes are its dimensions', not widths (hostile41d #7)
    sizes = (
        "this model's sizes"
        if isinstance(derivation, ModelDerivation)
        else "this network's widths"
    )
    shown = "; ".join(dict.fromkeys(reasons)) or sizes
    width_one = any(concrete.concrete(d) == 1 for pair in concrete.coincidences for d in pair)
    if width_one:
        why = (
            "a width of 1 makes 1 x 1 factors and vectors of length 1, which fit where they do "
            "not in general"
        )
        typical = (
            "typically a 1 x 1 factor moved as if it were a number, or a vector transposed "
            "the wrong way"
        )
    else:
        why = "a square factor fits either way round"
        typical = "typically a W where W^T belongs"
    here = (
        f", though at {sizes} it equals the gradient (compared exactly at {_TRIALS} random points)"
        if _equal_at_own_widths(derivation, typed.expr, report.wrt)
        else ""
    )
    report.notes.append(
        f"with {sizes} the shapes happen to fit, because {shown} here ({why}); "
        f"for other {sizes.split()[-1]} they do not, so the formula is wrong in general "
        f"({typical}){here}"
    )


#: the most weight entries a network may have for :func:`_equal_at_own_widths` to evaluate it
#: in exact rationals at its own widths (784-wide layers would take minutes)
_OWN_WIDTHS_ENTRIES = 200


def _equal_at_own_widths(derivation: Derivation, expr: Any, wrt: str) -> bool:
    """Whether ``expr``, a formula that types only at the network's own widths, equals the
    gradient of ``wrt`` there: exactly, at :data:`_TRIALS` random points. False for a model,
    the batch form (its m is no width of the network), a network too wide to evaluate
    quickly, or a point where either side has no value (no claim is made then, either way)."""
    if isinstance(derivation, ModelDerivation) or derivation.batch:  # no m is a width
        return False
    sizes = dict(derivation.sizes)
    by_name = {str(dim): value for dim, value in sizes.items()}
    names = [f"n{layer}" for layer in range(derivation.graph.depth + 1)]
    if any(name not in by_name for name in names):  # a named width without a value
        return False
    widths = [int(by_name[name]) for name in names]
    entries = sum(a * b for a, b in zip(widths, widths[1:], strict=False))
    if entries > _OWN_WIDTHS_ENTRIES:
        return False
    rng = random.Random(_SEED)
    try:
        for _ in range(_TRIALS):
            evaluate = _point(derivation, sizes, rng, EXACT, None)
            if _exact_difference(evaluate(expr), evaluate(derivation.gradients[wrt])):
                return False
    except (ArithmeticError, ValueError, TypeError, KeyError, sp.ShapeError, NotExact):
        return False
    return True


def _rowsum_note(
    report: FormulaReport, derivation: Derivation, tree: ast.Node, formula: str, target: Shape
) -> None:
    """``sum`` adds all the entries; where a column is expected, ``rowsum`` was likely meant.

    The note is given when the formula with every ``sum`` read as ``rowsum`` has the shape of
    the gradient, and says whether it then equals the gradient; for a formula of that shape
    already, only when it then does.
    """
    if not any(isinstance(n, ast.Call) and n.func == "sum" for n in ast.walk(tree)):
        return
    rewritten = _sum_as_rowsum(tree)
    try:
        typed = _typer(derivation, formula).type(rewritten)
    except FormulaError:
        return
    if typed.shape != target or _sums_rows_only(derivation, formula, tree):
        return
    text = ast.to_text(rewritten, reading=True)
    probe = _probed(report, derivation, typed.expr, text)
    if report.error is None and probe.equal is not True:
        # the formula has the gradient's shape already: its sum may well be the number it
        # means (a norm, a scale), and a rowsum that is not the gradient either helps no one
        # (hostile33b #2: the sign error of a norm's gradient was told to write rowsum)
        return
    # where the rewrite is not the gradient either, the note says so: 2 sum(W x) x^T of
    # J = sum(W x)^2 (a ones vector missing, the sum right) was told to write 2 rowsum(W x)
    # x^T, which this check finds wrong (hostile46c #4)
    verdict = {
        True: "; that equals the gradient",
        False: ", which has that shape but is not the gradient either",
    }.get(probe.equal, "; whether that equals the gradient could not be decided")  # type: ignore[arg-type]
    if probe.equal and probe.method == "numeric":  # as the formula's own verdict says it
        verdict += f" {NUMERIC_EQUAL}"
    report.notes.append(
        f"sum(...) adds all the entries (a number); to sum each row over the columns, as the "
        f"{report.target} dJ/d{report.wrt} needs, write rowsum(...): {text}{verdict}"
    )


def _probed(
    report: FormulaReport, derivation: Derivation, expr: Any, text: str, confirm: bool = True
) -> FormulaReport:
    """The verdict on ``expr`` (``text``), a rewrite of ``report``'s formula a note proposes:
    ``equal`` None where it could not be decided."""
    probe = FormulaReport(
        report.wrt, text, report.target, report.target_concrete, gradient=report.gradient
    )
    try:
        _verdict(probe, derivation, expr, confirm=confirm)
    except _TooLarge:
        probe.equal = None
    return probe


def _numpy_reading_note(
    report: FormulaReport, derivation: Derivation, tree: ast.Node, formula: str, target: Shape
) -> None:
    """A formula that mixes ``@`` with ``*`` or ``/`` reads another way in NumPy, where ``@``
    is at their level, left to right: ``W2.T @ delta2 * a1 * (1 - a1) @ x.T`` is right code
    and a shape error here, where ``@`` is the matrix product, tighter (newcomer46 #4). Where
    NumPy's reading has the gradient's shape, the note gives it and says whether it is the
    gradient."""
    if "@" not in formula or not ("*" in formula or "/" in formula):
        return
    try:
        numpy_tree = parse(
            formula,
            functions=_activations(derivation),
            models=isinstance(derivation, ModelDerivation),
            numpy=True,
        )
        typed = _typer(derivation, formula).type(numpy_tree)
    except FormulaError:
        return
    if numpy_tree == tree or typed.shape != target:
        return
    text = ast.to_text(numpy_tree, reading=True)
    probe = _probed(report, derivation, typed.expr, text)
    verdict = {
        True: "that is the gradient",
        False: "that has the shape but is not the gradient either",
    }.get(probe.equal, "whether that is the gradient could not be decided")  # type: ignore[arg-type]
    report.notes.append(
        "here @ is the matrix product and binds tighter than * and / (as the lecture writes "
        "W^T delta ⊙ g'(z)); NumPy reads @, * and / at one level, left to right: "
        f"{text}; {verdict}; write its brackets to mean it"
    )


def _sums_rows_only(derivation: Derivation, formula: str, tree: ast.Node) -> bool:
    """Whether every ``sum`` of ``tree`` adds a row (1 x m): its rowsum is the same number,
    so reading it as rowsum offers nothing."""
    typer = _typer(derivation, formula)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.func == "sum":
            try:
                shape = typer.type(node.args[0]).shape
            except FormulaError:
                return False
            if shape is None or shape[0] != 1:
                return False
    return True


def _sum_as_rowsum(node: ast.Node) -> ast.Node:
    """``node`` with every call of ``sum`` made a call of ``rowsum`` (positions kept)."""
    if isinstance(node, ast.Call):
        args = tuple(_sum_as_rowsum(arg) for arg in node.args)
        func = "rowsum" if node.func == "sum" else node.func
        return dataclasses.replace(node, func=func, args=args)
    if isinstance(node, (ast.Unary, ast.Transpose)):
        return dataclasses.replace(node, operand=_sum_as_rowsum(node.operand))
    if isinstance(node, (ast.Binary, ast.Indicator)):
        left, right = _sum_as_rowsum(node.left), _sum_as_rowsum(node.right)
        return dataclasses.replace(node, left=left, right=right)
    if isinstance(node, ast.Deriv):
        return dataclasses.replace(node, arg=_sum_as_rowsum(node.arg))
    return node


def _verdict(
    report: FormulaReport, derivation: Derivation, expr: Any, *, confirm: bool = True
) -> None:
    """Compare at random points: exactly in rationals, else numerically (:mod:`.numeric`).

    Raises :class:`_TooLarge` when a numeric value outgrows what can be evaluated safely.
    ``confirm=False`` (a network's repair candidates, built from the formula's own factors):
    an exact difference is not confirmed with the true functions, and no line searches the
    wedge of a value shifted by a further term (:mod:`~symbackprop.check.wedges`): the
    candidate cannot be decided then.
    """
    # 1/(1 + exp(-z1)) read as sigmoid(z1), so that both sides read one table (hostile12 #14);
    # a model's formula only into an activation its derivation applies (a model written in
    # exps stays in exps, one table on both sides); a network's derivation writes no exps
    applied = _applied(derivation) if isinstance(derivation, ModelDerivation) else None
    expr = spellings.fold(expr, applied)
    if isinstance(derivation, ModelDerivation):
        report.points = model_formula.points(derivation, expr, report.wrt)
        gradient = derivation.gradients[report.wrt]
        defs = _defs(derivation)
        read = adjoints_read(derivation, expr, gradient)
        sides = Sides(expr, gradient, *read, definitions=defs)
        sides.search_wedges = confirm
        sides.smooth = model_formula.smooth(derivation, expr, report.wrt, defs)
        try:
            degree = oracle_work(derivation).degree
            if degree > MAX_COMPARED_DEGREE:
                # rationals of millions of digits at every point: minutes (hostile tester 23)
                raise _TooLarge(
                    f"the model's values are polynomials of degree up to {degree:,} in a "
                    f"parameter, over the {MAX_COMPARED_DEGREE:,} its points can be compared at"
                )
            report.method, found, why = model_formula.compare(derivation, expr, report.wrt, sides)
            if sides.placed_outside or sides.ones_skipped:
                # the points placed where the model had no value, or every size 1: none
                left_out = frozenset(sides.placed_outside)
                report.points = model_formula.points(
                    derivation, expr, report.wrt, left_out, ones_skipped=sides.ones_skipped
                )
            # a difference at the random points (not one a kink's search found past them):
            # only such a one may be the data's sign alone (review37 #4)
            at_random_points = found is not None
            if why == "differed":
                report.notes.append(numeric_only_note(numeric.AGREED_DIGITS))
            elif why == "not rational" and confirm:
                report.notes.append(not_rational_note(numeric.AGREED_DIGITS))
            assert derivation.model is not None
            # the sizes first: a switch of m is no kink a point can cross; a repair
            # candidate too (hostile45c #3: the formula regrouped, refuted at n = 8 by this
            # check, was offered as its repair "equals the gradient")
            if found is None and _written_sizes_refused(report, derivation, expr, sides):
                return
            if found is None:
                # before "cannot decide" on a region no point reached: a verdict
                zero = model_formula.at_zero_parameters(derivation, expr, report.wrt)
                if zero is not None:
                    (*row, sizes), name = zero
                    report.method, found = "numeric", (*row, sizes)
                    report.notes.append(
                        f"it differs where {name} is 0 in every entry, where training may "
                        "start it, which the random points never draw"
                    )
            leaves = [*derivation.model.parameters, *derivation.model.data]
            kinked = crossings.kinked_leaves(sides, leaves)
            if found is None and (sides.missing() or sides.unmapped or kinked):
                crossed = model_formula.across(derivation, expr, report.wrt, sides)
                if crossed.difference is not None:
                    chosen = model_formula.size_settings(derivation)[0][0]
                    sizes = {str(k): v for k, v in chosen.items()}
                    report.method, found = "numeric", (*crossed.difference, sizes)
                    if crossed.hard:
                        report.notes.append(crossings.hard_note(crossed.hard))
                elif crossed.missing or crossed.unmapped is not None:
                    raise _TooLarge(crossings.undecided(crossed, model_formula.show(derivation)))
                else:
                    report.points += crossings.points_text(
                        crossed.reached,
                        crossed.mixed,
                        crossed.together,
                        crossed.outside,
                        crossed.invalid,
                        crossed.hard,
                    )
        except LostDigits as exc:  # never a verdict from digits lost in rounding
            raise _TooLarge(str(exc)) from None
        except AdjointsUndefined as exc:
            # det(W W^T) with W 3 x 2: its gradient is 0, but the derivation's det(A) inv(A)^T
            # has no value at a singular A, and every formula was "not the gradient ... the
            # gradient is None" (hostile49c #3)
            raise _TooLarge(
                f"{exc}, so the gradient cannot be computed there to compare with (check and "
                "the generated code compute it another way)"
            ) from None
        except CostUndefined as exc:  # no gradient there: no formula equals or differs from it
            raise _TooLarge(f"{exc}, so it has no gradient there to compare with") from None
        report.equal = found is None
        positive = model_formula.drawn_positive(derivation)
        if positive:  # what the points were: a formula is compared where the model has a value
            report.notes.append(
                f"the random points compared have {', '.join(positive)} drawn positive: at "
                "signed draws the model has no value (a log, sqrt or fractional power of them)"
            )
        if found is not None:
            row, col, yours, truth, sizes = found
            exact = report.method == "exact"
            report.counterexample = Counterexample(
                report.wrt, row, col, yours, truth, sizes, exact
            )
            if confirm and truth is not None and at_random_points:
                _data_sign_note(report, derivation, expr, defs)
            if confirm:
                _batch_mean_note(report, derivation, expr)
        return
    # exactly first (each function a table of random rationals); a difference there may be one
    # value written with other functions (softplus'(z) for sigmoid(z)), so it is confirmed
    # with the true functions before it is reported, as for a model
    refused = exact_degree_refusal(derivation)
    if refused is not None:  # eight layers of a custom z^3 took 56 s (hostile43a #3)
        raise _TooLarge(f"the network: {refused}")
    report.points = _points(derivation, expr, report.wrt)
    gradient = derivation.gradients[report.wrt]
    read = adjoints_read(derivation, expr, gradient)
    sides = Sides(expr, gradient, *read, definitions=_defs(derivation))
    # a repair candidate built from a formula with a wedge of a shifted value (1{z1 + 0.001
    # sum(W1) > 0}) has the same wedge: not searched again for each candidate, it stays
    # missing, and the candidate is no repair (it cannot be decided)
    sides.search_wedges = confirm
    sides.smooth = _smooth(derivation, expr, report.wrt)
    differ: Counterexample | None = None
    rational = True
    try:
        differ = _compare(derivation, expr, report.wrt, exact=True, sides=sides)
    except NotRationalError:
        rational = False
    else:
        # the true functions see 35 digits; where the tables forget no relation of theirs,
        # the exact difference is the verdict (a formula off by 1e-40 is not the gradient);
        # a repair candidate's too: 1 - tanh(z1)^2 for tanh'(z1) differs in the tables, and
        # the right repair of a missing ^T was "fits, but not the gradient" (hostile45b #2)
        decides = differ is not None and _exact_decides(derivation, expr, report.wrt)
        if differ is None or decides:
            report.method, report.equal, report.counterexample = "exact", differ is None, differ
            # the sizes first (a factor of them, then one written as a number): a switch of m
            # is no kink a point can cross
            if report.equal:
                _sizes_factor(report, derivation, expr)
            # a repair candidate too (hostile46b #1: (1/(m + relu(m - 8.5))) regrouped was
            # offered as the repair that "equals the gradient"; it differs at m = 9)
            if report.equal:
                _written_sizes_refused(report, derivation, expr, sides)
            if report.equal:
                _across(report, derivation, expr, sides)
            if report.equal:
                _at_other_lambdas(report, derivation, expr)
            if report.equal:
                _at_zero_biases(report, derivation, expr)
            elif decides and report.counterexample is differ:
                _factor_notes(report, derivation, expr)
            return
    if differ is not None:
        sides.forget()  # the tables' points: only the true functions' count now
    try:
        # a repair candidate with no exact value is not worth the higher precisions: where
        # 100 digits do not hold, it is skipped (_TooLarge), as before numeric.LADDER; one whose
        # exact difference does not decide is (a gradient entry of 1e-34 of the right repair
        # loses digits at 50: hostile45b #2)
        ladder = numeric.LADDER if confirm or differ is not None else numeric.LADDER[:2]
        confirmed = _compare(derivation, expr, report.wrt, exact=False, sides=sides, ladder=ladder)
    except LostDigits as exc:  # never a verdict from digits lost in rounding
        raise _TooLarge(str(exc)) from None
    except _TooLarge:
        if differ is None:
            raise
        confirmed = differ  # the exact difference stands
    # a difference the true functions confirm is shown with their values: the tables' (the
    # gradient "is -590/111" where sqrt((w - 20)^2) drew a random value) are no gradient's
    report.method = "exact" if confirmed is not None and confirmed is differ else "numeric"
    report.equal = confirmed is None
    if differ is not None and confirmed is None:
        report.notes.append(numeric_only_note(numeric.AGREED_DIGITS))
    elif not rational and confirmed is None and confirm:
        report.notes.append(not_rational_note(numeric.AGREED_DIGITS))
    report.counterexample = confirmed
    if report.equal:
        _sizes_factor(report, derivation, expr)
    if report.equal:  # a repair candidate's too, as above
        _written_sizes_refused(report, derivation, expr, sides)
    if report.equal:
        _across(report, derivation, expr, sides)
    if report.equal:
        _at_other_lambdas(report, derivation, expr)
    if report.equal:
        _at_zero_biases(report, derivation, expr)
    if report.counterexample is not None:
        _factor_notes(report, derivation, expr)


#: the values of λ a formula that reads λ is compared at besides the drawn ones (1/13 to 97):
#: a switch of λ (relu(0.001 - λ), 1{λ > 1000}) outside them was never crossed; no round
#: numbers, which are the thresholds people write (a hole or a tie at λ = 1000 exactly failed
#: a formula right everywhere else: review48 #3)
OTHER_LAMBDAS = (
    sp.Rational(1, 999_983),
    sp.Rational(1, 997),
    sp.Integer(997),
    sp.Integer(999_983),
)


def lambda_sides(expr: Any) -> list[Any]:
    """A λ inside each interval between the switches of the pieces of ``expr`` that read λ
    alone (``relu(1e-5 - λ)``, ``1{λ > 5e-8}``), and beyond the last: each side of every such
    switch, where the fixed values of :data:`OTHER_LAMBDAS` straddle only those outside
    1/999983..999983 (review48 #4: a switch at 1e-7 or 1e5 lay between two of them, and a
    formula wrong on its far side passed). λ is positive: switches at or below 0 cut
    nothing."""
    found: set[Any] = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, PIECES) and node.free_symbols == {LAMBDA}:
            found |= breakpoints(node, LAMBDA)
    edges = sorted((v for v in found if bool(v > 0)), key=lambda v: sp.N(v, 30))
    if not edges:
        return []
    rational = [sp.Rational(str(sp.N(v, 30))) for v in edges]
    lows = [sp.Integer(0), *rational]
    middles = [(a + b) / 2 for a, b in zip(lows, rational, strict=False)]
    return [*middles, 2 * rational[-1]]


def _at_other_lambdas(report: FormulaReport, derivation: Derivation, expr: Any) -> None:
    """Compare a formula that reads λ at the network's own λ (its ``--l2``) and at
    :data:`OTHER_LAMBDAS`, with the true functions: the verdict is of a formula right for every
    λ, and the random λ of the points compared lie between 1/13 and 97, so ``W2 relu(0.001 -
    λ)`` added to the gradient passed at ``--l2 0.0001``, where it is 11 times the decay term
    (hostile48a #1). A difference sets the counterexample, with a note naming the λ; a λ at
    which the gradient loses its digits compares nothing."""
    own = derivation.network.l2
    if not own or not expr.has(LAMBDA):
        return
    sizes = concrete_sizes(derivation, None)
    own_value = sp.Rational(str(own))
    for value in dict.fromkeys((own_value, *lambda_sides(expr), *OTHER_LAMBDAS)):

        def at(digits: int, value: Any = value) -> numeric.Evaluate:
            return _point(derivation, sizes, random.Random(0), digits, None, lambda_value=value)

        whose = " (the network's own --l2)" if value == own_value else ""
        note = (
            f"the formula differs from the gradient at λ = {float(value):g}{whose}; the "
            "points compared first drew λ between 1/13 and 97, where the two agree: a "
            "formula of the gradient is right at every λ"
        )
        if _refuted_at(report, derivation, expr, at, note):
            return


def _refuted_at(
    report: FormulaReport,
    derivation: Derivation,
    expr: Any,
    at: Callable[[int], numeric.Evaluate],
    note: str,
) -> bool:
    """Whether ``expr`` differs from the gradient at the one point ``at`` draws (with the true
    functions, at the precisions asked); if so the report carries the difference and ``note``.
    A point where the gradient has no value or loses its digits compares nothing."""
    try:
        found = numeric.difference(at, derivation.gradients[report.wrt], expr)
    except (numeric.NoGradientValue, _TooLarge, *UNEVALUATED):
        return False
    if found is None:
        return False
    i, j, mine, theirs = found
    shown = {str(k): v for k, v in concrete_sizes(derivation, None).items()}
    report.equal = False
    report.counterexample = Counterexample(report.wrt, i, j, mine, theirs, shown, False)
    report.notes.append(note)
    return True


def _at_zero_biases(report: FormulaReport, derivation: Derivation, expr: Any) -> None:
    """Compare a formula with a piece in a bias (``1{b1 > 0}``) at every bias 0, where
    training starts them: the random points never draw a bias of exactly 0, so
    ``delta1 ⊙ (1{b1 > 0} + 1{b1 < 0})``, the gradient everywhere but there and 0 there (the
    biases would never move), passed (hostile48a #6). The pre-activations are W x there, not
    0, so the gradient has its value. A difference sets the counterexample, with a note."""
    g = derivation.graph
    biases = [g.b(layer).name for layer in range(1, g.depth + 1)]
    if not read_by_pieces(expr) & set(biases):
        return
    sizes = concrete_sizes(derivation, None)
    drawn = _point(derivation, sizes, random.Random(_SEED), EXACT, None)
    env = getattr(drawn, "env", {})
    leaves = {name: env[name] for name in (g.x.name, g.y.name) if name in env}
    for layer in range(1, g.depth + 1):
        leaves[g.W(layer).name] = env[g.W(layer).name]
        leaves[g.b(layer).name] = sp.zeros(*env[g.b(layer).name].shape)

    def at(digits: int) -> numeric.Evaluate:
        return _point(derivation, sizes, random.Random(0), digits, None, leaves)

    _refuted_at(
        report,
        derivation,
        expr,
        at,
        "it differs where every bias is 0, where training starts them, which the random "
        "points never draw",
    )


def adjoints_read(derivation: Derivation | ModelDerivation, *exprs: Any) -> list[Any]:
    """The expressions of the adjoints (delta2, a model's dJ/d_t1) that ``exprs`` (the
    gradient and the formula) read, directly or through another adjoint: the kinks whose sides
    the check must reach. Every adjoint's were taken, so a relu that reaches W's gradient alone
    made the formula for v "cannot decide" ("no point had W x below 0": the points had, but
    nothing compared there changes dJ/dv; hostile37c #3)."""
    if isinstance(derivation, ModelDerivation):
        named = {str(s.delta.name): s.expr for s in derivation.steps if s.delta is not None}
    else:
        graph = derivation.graph
        named = {
            str(symbol.name): derivation.deltas[graph.layers[z]]
            for z, symbol in graph.deltas.items()
        }
    out: list[Any] = []
    todo = list(exprs)
    while todo:
        for symbol in sorted(todo.pop().atoms(sp.MatrixSymbol), key=str):
            step = named.pop(str(symbol.name), None)
            if step is not None:
                out.append(step)
                todo.append(step)
    return out


def _defs(derivation: Derivation) -> dict[str, Any]:
    """Name -> the expression it stands for (a1 -> relu(z1)), for the switches' bases."""
    try:
        return dict(derivation.forward)
    except (AttributeError, TypeError):
        return {}


def _applied(derivation: ModelDerivation) -> frozenset[str]:
    """The names of the activations a model's derivation applies (its forward values, its
    steps, its gradients)."""
    records = activation_records()
    keys: set[Any] = set()
    for value in model_formula.own_values(derivation):
        keys |= applications(value, records)
    return frozenset(key[1] for key, _inner, _at in keys if key[0] in ("g", "g'"))


def _smooth(derivation: Derivation, expr: Any, wrt: str) -> Smooth:
    """At a point's evaluator, for a region's bases: the gradient and the formula with every
    piecewise atom of those bases taken as ``mask`` (of the region's generic ``shape``; 1
    where an atom has another shape), in the forward values and the deltas too (a1 =
    relu(z1), relu'(z2) in delta2), every other atom as it is there; and whether some atom
    took the mask (:class:`~symbackprop.check.kinks.Sides` compares ones with ones holed at
    the region's entries: where nothing changes, the point compares nothing there: x_j = 0
    beside 1{abs(x) > 0.001}, review14 R5; relu'(z1) = 0 beside 1{W1 < 20})."""
    values = list(derivation.forward.items()) + [
        (derivation.delta_symbols[layer].name, derivation.deltas[layer])
        for layer in range(derivation.graph.depth, 0, -1)
    ]
    smoothed = smooth_forms(values, [derivation.gradients[wrt], expr], _defs(derivation))

    def at(evaluate: Any, bases: frozenset[Any], shape: Any, mask: Any) -> tuple[list[Any], bool]:
        if not isinstance(evaluate, Evaluator):
            raise ValueError("no point's leaves to evaluate at")
        values, sides, used = smoothed(bases, shape)
        env = {**evaluate.env, HOLE: mask}
        again = Evaluator(env, evaluate.scalars, evaluate.table)
        for name, value in values:
            env[name] = again(value)  # in order: z1, a1, z2, ...; then the top delta down
        return [again(side) for side in sides], used

    return at


def _data_sign_note(
    report: FormulaReport, derivation: ModelDerivation, expr: Any, defs: Any
) -> None:
    """A note on a model formula that is wrong only where some data has a negative entry
    (hostile35c #1: dropout's ``1{H > 0}``, right for a mask >= 0): the verdict stands, since
    the model does not say the data is never negative, and the note says for which data the
    formula holds."""
    gradient = derivation.gradients[report.wrt]
    fresh = Sides(expr, gradient, *adjoints_read(derivation, expr, gradient), definitions=defs)
    signed = model_formula.right_for_nonnegative(derivation, expr, report.wrt, fresh)
    if signed:
        names = " and ".join(signed)
        each = "each of " if len(signed) > 1 else ""
        report.notes.append(
            f"drawn with every entry of {each}{names} >= 0, the formula equals the gradient at "
            "the random points compared: it may hold where "
            f"{names} {'are' if len(signed) > 1 else 'is'} never negative (some entries "
            "drawn 0), not for all data, and the model does not say so"
        )


def _exact_decides(derivation: Derivation, expr: Any, wrt: str) -> bool:
    """The shared rule (:func:`.decided.exact_decides`), with the network's names (z1, a1,
    delta1) written out for its second test."""
    own = (
        *derivation.forward.values(),
        *derivation.deltas.values(),
        *derivation.gradients.values(),
    )
    custom = [act for act in derivation.graph.activations if not is_builtin(act.name)]
    return exact_decides(expr, own, custom, _network_written(derivation, expr, wrt))


def _network_written(derivation: Derivation, expr: Any, wrt: str) -> tuple[Any, Any]:
    """The formula and dJ/d``wrt`` written out in the leaves (z1, a1, delta1 replaced by their
    definitions); None for one whose names do not resolve."""
    named = {
        **derivation.forward,
        **{f"delta{layer}": value for layer, value in derivation.deltas.items()},
    }
    own = (*named.values(), *derivation.gradients.values())
    symbols = {
        s.name: s
        for e in (*own, expr)
        for s in e.free_symbols
        if isinstance(s, sp.MatrixSymbol) and s.name in named
    }
    definitions = {symbols[name]: value for name, value in named.items() if name in symbols}
    gradient = derivation.gradients[wrt]
    return written_out(expr, definitions), written_out(gradient, definitions)


def _across(report: FormulaReport, derivation: Derivation, expr: Any, sides: Sides) -> None:
    """Compare where the points reached only one side of a kink (:mod:`.crossings`): a
    difference there is the counterexample; a side no point reaches means no verdict."""
    g = derivation.graph
    movable = [g.x.name] + [f"{k}{layer}" for layer in range(1, g.depth + 1) for k in "Wb"]
    if not sides.missing() and not sides.unmapped and not crossings.kinked_leaves(sides, movable):
        return
    sizes = concrete_sizes(derivation, None)

    def point_at(leaves: dict[str, sp.Matrix], digits: int) -> numeric.Evaluate:
        try:
            return _point(derivation, sizes, random.Random(0), digits, None, leaves)
        except _TooLarge as exc:  # beyond what the numeric check evaluates: no point here
            raise ValueError(str(exc)) from None

    gradient = derivation.gradients[report.wrt]
    base = _live_base(derivation, sizes, movable, gradient, point_at)
    found = crossings.across(sides, gradient, expr, base, movable, point_at, _text)
    loss = derivation.network.loss_record
    if found.difference is None and loss.soft_targets in ("probability", "distribution"):
        # bce's and ce's targets lie in [0, 1]: no point outside, and the labels 0 and 1
        why = f"the targets of {loss.name} lie between 0 and 1"
        target = derivation.graph.y.name
        crossings.drop_invalid_targets(found, {target: why}, _text)
        kinds = {target: loss.soft_targets}
        crossings.at_hard_targets(found, kinds, base, gradient, expr, point_at)
    if found.difference is not None:
        i, j, mine, theirs = found.difference
        shown = {str(k): v for k, v in sizes.items()}
        report.equal = False
        report.counterexample = Counterexample(report.wrt, i, j, mine, theirs, shown, False)
        if found.hard:
            report.notes.append(crossings.hard_note(found.hard))
        return
    if found.missing or found.unmapped is not None:
        raise _TooLarge(crossings.undecided(found, _text))
    report.points = (report.points or "") + crossings.points_text(
        found.reached, found.mixed, found.together, invalid=found.invalid, hard=found.hard
    )


def _live_base(
    derivation: Derivation,
    sizes: dict[sp.Symbol, int],
    movable: list[str],
    gradient: Any,
    point_at: crossings.PointAt,
) -> dict[str, sp.Matrix]:
    """The leaves the lines of :func:`crossings.across` start from: the first drawn point
    where no entry of the gradient is 0, else the one with the fewest zeros. A line from a
    point where relu layers are dead reaches 1{W1 < 20}'s other side with every delta 0
    there, and a formula dropping that side agrees with the gradient (0 = 0)."""
    g = derivation.graph
    best: tuple[int, dict[str, sp.Matrix]] | None = None
    for seed in _BASE_SEEDS:
        env, _evaluate, _table = forward_point(
            derivation, sizes, random.Random(seed), Table, ACTIVATIONS, soft_targets=True
        )
        base = {name: env[name] for name in (*movable, g.y.name)}
        try:
            zeros = sum(1 for v in point_at(base, crossings.SCAN_DIGITS)(gradient) if v == 0)
        except UNEVALUATED:
            zeros = sp.oo
        if best is None or zeros < best[0]:
            best = (zeros, base)
        if zeros == 0:
            break
    assert best is not None
    return best[1]


def _numeric_digits(report: FormulaReport) -> None:
    if report.method == "numeric" and report.equal:
        report.digits = numeric.AGREED_DIGITS


def _bounded(what: str, q: Any, limit: float = MAX_ARGUMENT) -> Any:
    """``q``, once it is known to be a finite number within ``limit``."""
    try:
        size = abs(complex(q))
    except (TypeError, ValueError, OverflowError):  # zoo, nan, or beyond a float
        size = float("inf") if getattr(q, "is_finite", None) is not True else 0.0
    if size != size:  # nan
        raise _TooLarge(f"{what} is evaluated at an undefined value ({q})")
    if size > limit:
        shown = f"{sp.N(q, 3)!s}" if getattr(q, "is_finite", False) else str(q)
        raise _TooLarge(
            f"{what} would be evaluated at about {shown}; the numeric check evaluates "
            f"functions only at arguments up to {BOUND_TEXT} in size (nested exponentials "
            "overflow)"
        )
    return q


def _numeric_table(digits: int) -> type[Table]:
    """RealTable to ``digits`` digits, every function argument bounded first (see
    :data:`MAX_ARGUMENT`)."""

    class BoundedRealTable(RealTable):
        DIGITS = digits

        def value(self, name: str, q: Any) -> Any:
            return super().value(name, _bounded(name, q))

        def derivative(self, name: str, q: Any) -> Any:
            return super().derivative(name, _bounded(f"{name}'", q))

        def apply(self, fn: sp.Lambda, q: Any) -> Any:
            name = getattr(getattr(fn.expr, "func", None), "__name__", "a function")
            if isinstance(fn.expr, sp.Piecewise):
                name = "a piecewise function (an indicator 1{...} or an activation's pieces)"
            # an indicator of exp(91) is 1: pieces of rational functions grow no further
            limit = float("inf") if tame(fn.expr) else MAX_ARGUMENT
            return super().apply(fn, _bounded(name.lower(), q, limit))

        def exp(self, q: Any) -> Any:
            return super().exp(_bounded("exp", q))

    return BoundedRealTable


#: ``_point(..., EXACT)``: exact rationals, every function a table of random rationals
EXACT = 0
#: digits -> the functions' table: exact, or the true functions to that many digits
_TABLES: dict[int, type[Table]] = {
    EXACT: Table,
    crossings.SCAN_DIGITS: _numeric_table(crossings.SCAN_DIGITS),
    **{digits: _numeric_table(digits) for digits in numeric.LADDER},
}


def _compare(
    derivation: Derivation,
    expr: Any,
    wrt: str,
    *,
    exact: bool,
    sides: Sides,
    ladder: tuple[int, ...] = numeric.LADDER,
) -> Counterexample | None:
    """The first difference at the random points and the placed pre-activations; ``sides``
    records the sides of every kink those points reached; ``ladder``: the precisions a
    numeric point may climb (:func:`numeric.difference`)."""
    rng = random.Random(_SEED)
    first = concrete_sizes(derivation, None)
    for sizes, trials in _settings(derivation):
        # every size 1 (hostile48d #1) draws from a generator of its own: the points of the
        # settings and placements after it are those they were before it was compared
        drawing = random.Random(_SEED + 1) if set(sizes.values()) == {1} else rng
        found = _compare_at(derivation, expr, wrt, exact, sizes, trials, drawing, sides, ladder)
        if found is not None:
            return found
    # then the pre-activations on either side of every kink of both sides (1{z1 > 1/10} for
    # relu' differs only for 0 < z1 < 1/10, where random points seldom land)
    for placed in _placements(derivation, expr, wrt):
        # two draws where one layer alone is placed: the table's values are drawn from few
        # rationals, and a3 may equal y (a zero delta) at one of them
        trials = 2 if isinstance(placed, tuple) else 1
        found = _compare_at(
            derivation, expr, wrt, exact, first, trials, rng, sides, ladder, placed=placed
        )
        if found is not None:
            return found
    return None


def _placements(derivation: Derivation, expr: Any, wrt: str) -> list[Any]:
    """Every layer's pre-activations at each value of :func:`straddling`; then, with more than
    one layer, each layer alone at each value, the other hidden layers above every kink (the
    output layer drawn): with every layer at
    -2/3, relu(z1 + 1) - relu(z1) = 1/3 against 1{z1 > 0} = 0 is multiplied by delta of a dead
    second layer, 0, and the two agree."""
    values = straddling(_kinks(derivation, expr, wrt))
    depth = derivation.graph.depth
    out: list[Any] = list(values)
    if depth > 1 and values:
        top = values[-1]
        for value in values[:-1]:
            for layer in range(depth):
                # the output layer, unless placed, is drawn: yhat at a placed value may
                # equal its target, and a zero delta hides every difference
                others = [top] * (depth - 1) + [None]
                out.append(tuple(value if i == layer else others[i] for i in range(depth)))
    return out


def _settings(derivation: Derivation) -> list[tuple[dict[sp.Symbol, int], int]]:
    """The sizes a network's formula is compared at, each with its number of points: every
    dimension changes in the second setting ((1/2) for 1/m at m = 2 is wrong at m = 3), and
    takes its own size in the third (n0 = n1 = 3 in 4-3-2-1's first setting); and the
    network's own widths, where small, are compared at too."""
    first = concrete_sizes(derivation, None)
    graph = derivation.graph
    own = {dim: graph.sizes[dim] for dim in graph.dims if graph.sizes.get(dim)}
    # every own width where the network is small enough at them (10-2-1's n0 = 10 was left
    # at the small sizes, where a factor (n0 - 2)(n0 - 3)...(n0 - 7) written through
    # sum(1{exp(x) > 0}) is 0, and a formula 20161 times the gradient passed: hostile42d #1)
    mine = {dim: own.get(dim, size) for dim, size in first.items()}
    widths = [mine[dim] for dim in graph.dims]
    work = sum(a * b for a, b in zip(widths, widths[1:], strict=False))
    work *= mine[graph.m] if graph.batch else 1
    limit = max(own.values(), default=0) if work <= OWN_WORK else None
    return with_own_sizes(size_settings(first, (), _TRIALS), first, own, limit)


#: the most multiply-adds of one forward pass at a network's own widths for them all to be
#: compared at (:func:`_settings`): 256-128-1 (32,768) takes the formula check 1.6 s more,
#: 64-64-64-64-1 0.6 s; a wider network's widths are compared at up to OWN_LIMIT each
OWN_WORK = 40_000


def _kinks(derivation: Derivation, expr: Any, wrt: str) -> frozenset[Any]:
    """The kinks of the formula and of the gradient (its deltas included)."""
    return kinks(expr, derivation.gradients[wrt], *derivation.deltas.values())


def _points(derivation: Derivation, expr: Any, wrt: str) -> str:
    """The points a network's formula was compared at, for the verdict's sentence."""
    settings = _settings(derivation)
    text = f"{_TRIALS} random points"
    text += other_sizes_text(settings)
    found = _kinks(derivation, expr, wrt)
    text += crossings.placed_text("the pre-activations", straddling(found), found)
    alone = len(_placements(derivation, expr, wrt)) - len(straddling(found))
    if alone:
        # as _placements puts them: each layer in turn at each value but the last, every
        # hidden layer not placed at the last (hostile43b #6, review43 #5)
        *below, top = straddling(found)
        values = ", ".join(number_phrase(v) for v in below)
        text += (
            f", {2 * alone} with one layer at a time at {values}, the hidden layers not placed "
            f"at {number_phrase(top)} and the output layer, where not placed, drawn"
        )
    return text


def _compare_at(
    derivation: Derivation,
    expr: Any,
    wrt: str,
    exact: bool,
    sizes: dict[sp.Symbol, int],
    trials: int,
    rng: random.Random,
    sides: Sides,
    ladder: tuple[int, ...] = numeric.LADDER,
    placed: Any = None,
) -> Counterexample | None:
    gradient = derivation.gradients[wrt]
    shown = {str(k): v for k, v in sizes.items()}

    def draw() -> redraw.Drawn:
        at = _same_point(derivation, sizes, rng, placed)
        if exact:
            evaluate = at(EXACT)
            truth, yours = evaluate(gradient), evaluate(expr)
            found = _exact_difference(yours, truth)
            row = None if found is None else (*found, yours[found], truth[found])
        else:
            row = numeric.difference(at, gradient, expr, ladder)
            evaluate = at(numeric.DIGITS)
            truth = evaluate(gradient)
        # a point where the gradient is 0 (every relu dead) compares nothing on either
        # side of a kink: x below -5 reached there is still to be reached (crossings)
        return redraw.Drawn(evaluate, row, live=any(v != 0 for v in truth))

    # a point with a base exactly on a switch is drawn again (review15 N11, review16 T1)
    found: tuple[int, int, Any, Any] | None = redraw.first_difference(
        draw, trials, sides, exact=exact
    )
    return None if found is None else Counterexample(wrt, *found, shown, exact)


def _same_point(
    derivation: Derivation, sizes: dict[sp.Symbol, int], rng: random.Random, placed: Any
) -> Callable[[int], numeric.Evaluate]:
    """``at(digits)``: the next random point of ``rng`` and its evaluator (:func:`_point`);
    the same point at every precision, its draws starting from the same state of ``rng``."""
    start = rng.getstate()
    memo: dict[int, numeric.Evaluate] = {}

    def at(digits: int) -> numeric.Evaluate:
        if digits not in memo:
            rng.setstate(start)
            memo[digits] = _point(derivation, sizes, rng, digits, placed)
        return memo[digits]

    return at


def _point(
    derivation: Derivation,
    sizes: dict[sp.Symbol, int],
    rng: random.Random,
    digits: int,
    placed: Any,
    leaves: dict[str, sp.Matrix] | None = None,
    lambda_value: Any = None,
) -> numeric.Evaluate:
    """A random point (its forward pass and every delta) and its evaluator, each function a
    table of random rationals (:data:`EXACT`) or true to ``digits`` digits; at ``leaves``
    (W, b, x, y by name) where given, and λ at ``lambda_value`` where given (else drawn)."""
    # every built-in record, so that tanh'(z2) can be evaluated in a sigmoid network;
    # soft targets (bce's and ce's a - y hold for them too): y^2 is not taken for y
    env, evaluate, _table = forward_point(
        derivation,
        sizes,
        rng,
        _TABLES[digits],
        ACTIVATIONS,
        soft_targets=True,
        placed=placed,
        leaves=leaves,
        drawn_lambda=True,  # a formula in λ, right for every λ
        lambda_value=lambda_value,
    )
    for layer in range(derivation.graph.depth, 0, -1):
        env[derivation.delta_symbols[layer].name] = evaluate(derivation.deltas[layer])
    return evaluate


def _exact_difference(yours: sp.Matrix, truth: sp.Matrix) -> tuple[int, int] | None:
    """The first entry where two exact rational matrices differ, or None."""
    for i in range(truth.shape[0]):
        for j in range(truth.shape[1]):
            if entries_differ(yours[i, j], truth[i, j]):
                return i, j
    return None


class _Factors(NamedTuple):
    """The derivation's factors and the formula's, those each lacks of the other's (one for
    one), and the number coefficients (the derivation's, the formula's)."""

    theirs: list[Any]
    yours: list[Any]
    missing: list[Any]
    extra: list[Any]
    coeffs: tuple[Any, Any]


def _compared_factors(report: FormulaReport, derivation: Derivation, expr: Any) -> _Factors | None:
    """The derivation's matrix factors the formula lacks, the formula's the derivation lacks,
    and the two number coefficients (the derivation's, the formula's), with the formula's
    deltas expanded as the derivation's are; ``None`` for a model or a gradient that is not
    one product (a sum, with L2, has terms, not factors, to compare)."""
    if isinstance(derivation, ModelDerivation):
        return None  # a model's adjoints are not the network's deltas: no factor to name
    if not isinstance(report.gradient, (MatMul, HadamardProduct)):
        return None
    full = derivation.expanded_deltas
    expanded = expr.xreplace(
        {derivation.delta_symbols[layer]: full[layer] for layer in derivation.delta_symbols}
    )
    written = _derivatives_written(_as_derivation_writes(derivation, expanded))
    if isinstance(written, sp.MatAdd):
        # a formula of terms (delta2 a1^T + W2) lacks no factor of the product: its factors
        # are in a term, and the fault is the other term (hostile45b #3: "the derivation has
        # 'a1^T', ... as a factor, which your formula does not")
        return None
    their_coeff, theirs = _coeff_factors(_derivatives_written(report.gradient))
    your_coeff, yours = _coeff_factors(written)
    # as multisets, a factor and its transpose one: a2 ⊙ a2 against the derivation's one a2
    # lacks nothing, and has one a2 more
    missing = _left_over(theirs, yours)
    extra = _left_over(yours, theirs)
    # y - a3 for a3 - y: the same factor times -1, which goes to the coefficient
    for factor in list(missing):
        negated = next((f for f in extra if _negatives(f, factor)), None)
        if negated is not None:
            missing.remove(factor)
            extra.remove(negated)
            yours = [factor if f is negated else f for f in yours]
            your_coeff = -your_coeff
    return _Factors(theirs, yours, missing, extra, (their_coeff, your_coeff))


def _derivatives_written(expr: Any) -> Any:
    """``expr`` with each g'(u) whose derivative is another function at u written as that
    function (softplus'(z1) as sigmoid(z1)), so that factors compare as values: a formula
    with sigmoid(z1) twice the gradient was told it lacked softplus'(z1) and had sigmoid(z1),
    and not that it was twice the gradient (hostile45b #3)."""
    records = activation_records()
    swaps = {}
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, Elementwise) or len(node.body.args) != 1:
            continue
        record = records.get(type(node.body))
        if record is None or type(node.body) is not record.derivative_function:
            continue
        written = record.derivative
        if (
            isinstance(written, sp.Function)
            and len(written.args) == 1
            and written.args[0].is_Symbol
        ):
            swaps[node] = Elementwise(type(written), node.arg)
    return expr.xreplace(swaps) if swaps else expr


def _negatives(one: Any, other: Any) -> bool:
    """Whether the sums ``one`` and ``other`` (or a transpose) add up to the zero matrix."""
    if not isinstance(one, sp.MatAdd) or not isinstance(other, sp.MatAdd):
        return False
    if one.shape != other.shape:
        other = other.T
    if one.shape != other.shape:
        return False
    return bool(getattr(sp.MatAdd(one, other).doit(), "is_ZeroMatrix", False))


def _times(factor: Any, factors: list[Any]) -> int:
    """How many of ``factors`` are ``factor`` or its transpose."""
    return sum(1 for f in factors if f in (factor, factor.T))


def _distinct_factors(factors: list[Any]) -> list[Any]:
    """``factors`` without repeats (a factor and its transpose are one), in order."""
    out: list[Any] = []
    for factor in factors:
        if not _times(factor, out):
            out.append(factor)
    return out


def _count(times: int) -> str:
    """``once``, ``twice``, ``3 times``."""
    return {1: "once", 2: "twice"}.get(times, f"{times} times")


def _left_over(these: list[Any], those: list[Any]) -> list[Any]:
    """The factors of ``these`` that ``those`` does not match one for one (a factor matches
    itself or its transpose), in order."""
    unmatched = list(those)
    out = []
    for factor in these:
        match = next((k for k, f in enumerate(unmatched) if f in (factor, factor.T)), None)
        if match is None:
            out.append(factor)
        else:
            del unmatched[match]
    return out


def _ratio(yours: Any, theirs: Any) -> Any:
    """``yours / theirs`` simplified, or None where SymPy cannot (a 1 x 1 matrix product in a
    coefficient, ``(x^0)^T x^0``: "noncommutative scalars in MatMul", an internal error exit 3
    before, hostile32b); the notes built from it are left out then, the verdict stands."""
    # each sum of entries stands for itself while SymPy simplifies: simplify searched closed
    # forms of sum(sigmoid(x) + sigmoid(-x)) for minutes (hostile38b #4); a sum that reads
    # entries is no function of the sizes alone with or without its closed form
    sums = {total: sp.Dummy("sum") for total in (yours / theirs).atoms(sp.Sum)}
    raw = (yours / theirs).xreplace(sums)
    try:
        # m ((m - 4)(m - 3)(m - 2) + 1) for the notes; left as it is where SymPy would take
        # long (read at sizes then: _differs_from_one)
        ratio = _quickly_simplified(raw, raw.free_symbols)
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return None
    ratio = raw if ratio is None else ratio
    return ratio.xreplace({dummy: total for total, dummy in sums.items()})


def _quickly_simplified(expr: Any, symbols: Any) -> Any | None:
    """``expr`` simplified where SymPy takes little time: ``sp.simplify`` where it is small and
    has no piece, kink or sine, else ``sp.cancel`` where it is a rational function of
    ``symbols`` within written_sizes' caps; None otherwise. simplify ran for minutes on relu,
    an indicator or sin of a polynomial of degree 10 in m (hostile40b #4), cancel on one of
    degree 900 (hostile39a #9)."""
    rational = expr.is_rational_function()
    if rational and not written_sizes.cancellable(expr, symbols):
        return None
    if sp.count_ops(expr) <= _SIMPLIFIED_OPS and not expr.has(*_UNSIMPLIFIED):
        return sp.simplify(expr)
    return sp.cancel(expr) if rational else None


#: a ratio with more operations, or with one of these, is not given to sp.simplify
_SIMPLIFIED_OPS = 40
#: (a hyperbolic function too: simplify rewrote tanh(1) + exp(-200) as a polynomial in e of
#: degree 400 and factored it, for minutes: hostile47a #4)
_UNSIMPLIFIED = (
    *(sp.Piecewise, sp.Heaviside, sp.Max, sp.Min, sp.Abs, sp.sign, sp.sin, sp.cos),
    *(sp.tanh, sp.sinh, sp.cosh),
)
#: the sizes a ratio of sizes alone that SymPy does not decide is read at, each dimension
#: at it and staggered (n0 = k, n1 = k + 1, ...): every size up to 40, then far ones
_READ_SIZES = (*range(1, 41), 64, 100, 128, 1000, 4096, 65536)


def _differs_from_one(ratio: Any, dims: list[sp.Symbol]) -> bool:
    """Whether ``ratio``, a function of the sizes ``dims`` alone, is not 1 at every size: by
    SymPy where it takes little time, else read at :data:`_READ_SIZES` (a kink or a sine of a
    polynomial in m: 0 at the sizes compared, not at every one), exactly where the value there
    is a rational number, else to 60 digits."""
    settled = _quickly_simplified(ratio - 1, dims)
    if settled is not None:
        return bool(settled != 0)
    for size in _READ_SIZES:
        for step in (0, 1):
            sizes = {dim: sp.Integer(size + step * k) for k, dim in enumerate(dims)}
            value = ratio.xreplace(sizes) - 1
            if value.is_Rational:  # exactly (10^-60 abs(P) is no rounding: review40 #1)
                if value != 0:
                    return True
                continue
            digits = sp.N(value, 60)
            if digits.is_real and digits.is_finite and abs(digits) > sp.Float("1e-50", 60):
                return True
    return False


def _sizes_factor(report: FormulaReport, derivation: Derivation, expr: Any) -> None:
    """Refuse a pass where the formula is the gradient times a function of the sizes that is
    1 at the sizes compared but not at every size (``((m-2)(m-3)(m-4) + 1) delta2 A1^T``
    agrees at m = 2, 3, 4 only): the factors match, and their coefficients are compared as
    expressions of the sizes, not at a few of them (hostile25)."""
    compared = _compared_factors(report, derivation, expr)
    if compared is None:
        return
    their_coeff, your_coeff = compared.coeffs
    if compared.missing or compared.extra or their_coeff == 0:
        return
    ratio = _ratio(your_coeff, their_coeff)
    if ratio is None:
        return
    # only a function of the sizes alone (an indicator of the weights, constant where it never
    # switches, is the point checks' to decide)
    dims = {d for shape in derivation.shapes.values() for d in sp.Tuple(*shape).free_symbols}
    sizes_only = ratio.free_symbols and ratio.free_symbols <= dims
    # a Piecewise of the sizes (an indicator or relu of m) is decided where it switches, with
    # a counterexample there (written_sizes)
    piecewise = ratio.has(sp.Piecewise)
    if (
        sizes_only
        and not piecewise
        and _differs_from_one(ratio, sorted(ratio.free_symbols, key=str))
    ):
        report.equal = False
        report.notes.append(
            f"your formula is the gradient times {_text(ratio)}, which is 1 at the sizes "
            "compared but not at every size"
        )


def _written_sizes_refused(
    report: FormulaReport, derivation: Derivation, expr: Any, sides: Sides
) -> bool:
    """Whether the pass in ``report`` is refused by :func:`_written_sizes`; if so the report
    carries its counterexample, and its note in place of the pass's ("they agree to 35
    digits" no longer holds). Raises :class:`_TooLarge` where it cannot be decided."""
    refused = _written_sizes(derivation, expr, report.wrt, sides)
    if refused is None:
        return False
    report.equal = False
    report.counterexample, note = refused
    passed = {
        numeric_only_note(numeric.AGREED_DIGITS),
        not_rational_note(numeric.AGREED_DIGITS),
    }
    report.notes = [kept for kept in report.notes if kept not in passed] + [note]
    return True


def _written_sizes(
    derivation: Derivation, expr: Any, wrt: str, sides: Sides
) -> tuple[Counterexample, str] | None:
    """Whether a formula that agreed at the sizes compared writes a size as a number (m) with
    which it agrees only there (:mod:`.written_sizes`): with that number moved off the shapes'
    sizes it differs from the gradient, whose own 1/m moves too, or an indicator of it
    switches at a size not compared. The difference is then looked for at larger sizes and
    around those switches: the counterexample found there and a note for it, or None; where
    none shows but one is suspected, the formula cannot be decided (:class:`_TooLarge`)."""
    if isinstance(derivation, ModelDerivation):
        mine, theirs = model_formula.written(derivation, expr, wrt)
        settings = [chosen for chosen, _ in model_formula.size_settings(derivation)]
    else:
        mine, theirs = _network_written(derivation, expr, wrt)
        settings = [chosen for chosen, _ in _settings(derivation)]
    deep = mine is None
    if deep:  # names too deep to write out: the sizes the formula itself writes
        mine, theirs = expr, None
    sized = (mine,) if theirs is None else (mine, theirs)
    fresh = written_sizes.written(mine, written_sizes.dims_of(*sized))
    if not fresh:
        return None
    switches = written_sizes.switch_sizes(mine, fresh)
    joint = written_sizes.joint_switches(mine, fresh)
    if joint:
        names_ = [d.name for d in joint]
        together = ", ".join(names_[:-1]) + " and " + names_[-1]
        raise _TooLarge(
            f"your formula writes {together} as numbers, in a condition on them together (an "
            "indicator, abs or relu) that changes with them; it agrees at every size compared, "
            "which does not show that it does at the others"
        )
    if deep and not switches:
        # the larger sizes of a deep network cost seconds each: only a switch of m sends the
        # check there (a factor of m alone is _sizes_factor's; review27 #5: 2.9 s -> 26 s on
        # the lecture's own (1/m) (A101 - Y) A100^T at 100 hidden layers)
        return None
    seeds = iter(range(_SEED, _SEED + 100))

    def at(seed: int, digits: int) -> Callable[[Any], sp.MatrixBase]:
        if isinstance(derivation, ModelDerivation):
            return model_formula.point_at(derivation, settings[0], seed, digits)
        return _point(derivation, settings[0], random.Random(seed), digits, None)

    def differs(yours: Any, truth: Any, exact: bool) -> bool:
        seed = next(seeds)
        if exact:
            evaluate = at(seed, EXACT)
            return _exact_difference(evaluate(yours), evaluate(truth)) is not None
        try:
            ladder = numeric.LADDER[:3]
            return numeric.difference(lambda d: at(seed, d), truth, yours, ladder) is not None
        except (LostDigits, _TooLarge, NotExact, ValueError, TypeError, ArithmeticError):
            return True  # no value to compare here: the larger sizes decide, else no verdict

    # moving m apart compares like with like only where the gradient writes m as a number too
    # (its 1/m); a gradient that counts m through its shapes alone (dJ/dz 1_m) never agrees
    # with a right formula moved apart: there only the larger sizes decide, and no verdict is
    # withheld (review26 #1)
    paired = theirs is not None and set(written_sizes.written(theirs, fresh)) == set(fresh)
    apart = paired and written_sizes.moved_apart(
        differs, mine, theirs, fresh, random.Random(_SEED)
    )
    if paired and not apart and not switches:
        return None
    names = " and ".join(sorted(d.name for d in fresh))
    moved = written_sizes.as_numbers(mine, fresh)
    degrees = {dim: written_sizes.degree(moved, {symbol}) for dim, symbol in fresh.items()}
    candidates = written_sizes.larger(settings, fresh, switches, degrees)
    for chosen in candidates:
        found: Counterexample | None
        if isinstance(derivation, ModelDerivation):
            row = model_formula.difference_at(derivation, expr, wrt, chosen, sides)
            if row is not None:
                i, j, yours, truth, shown = row
                exact = isinstance(yours, sp.Rational) and isinstance(truth, sp.Rational)
                found = Counterexample(wrt, i, j, yours, truth, shown, exact)
            else:
                found = None
        else:
            found = _network_difference_at(derivation, expr, wrt, chosen, sides)
        if found is not None:
            return found, (
                f"your formula writes {names} as a number: it agrees with the gradient at the "
                "sizes compared first, not at every size"
            )
    far = written_sizes.past_the_largest(switches)
    if far:
        dim, edge = min(far.items(), key=lambda item: item[1])
        limit = written_sizes.MAX_SWITCH_SIZE
        raise _TooLarge(
            f"your formula writes {dim.name} as a number, in a condition on it (an indicator, "
            f"abs or relu) that may change between {dim.name} = {edge} and {edge + 1}, past "
            f"the largest {dim.name} compared ({limit}); it agrees at every size compared, "
            "which does not show that it does there"
        )
    for dim in fresh:
        high = written_sizes.short_of_degree(settings, dim, degrees[dim])
        if high is not None:
            raise _TooLarge(
                f"your formula writes {dim.name} as a number, in a polynomial of degree {high} "
                f"in it, which may agree with the gradient at {high} sizes and no other; it "
                f"agrees at every size compared, fewer than {high + 1}, which does not show "
                "that it does at every size"
            )
    if not apart:  # agreed at every size tried, and nothing says the sizes compared mislead
        return None
    top = max(chosen[d] for chosen in candidates for d in fresh)
    raise _TooLarge(
        f"your formula writes {names} as a number, and with that number moved off the "
        f"matrices' sizes it is not the gradient (whose own 1/m moves too); it agrees at every "
        f"size compared, up to {names} = {top}, which does not show that it does at every size"
    )


def _network_difference_at(
    derivation: Derivation, expr: Any, wrt: str, sizes: dict[sp.Symbol, int], sides: Sides
) -> Counterexample | None:
    """The first difference at :data:`_TRIALS` points at ``sizes`` that the true functions
    confirm (an exact difference alone may be a function spelled another way), or None."""

    def exactly() -> Counterexample | None:
        return _compare_at(
            derivation, expr, wrt, True, sizes, _TRIALS, random.Random(_SEED), sides
        )

    def truly() -> Counterexample | None:
        rng = random.Random(_SEED)
        ladder = numeric.LADDER[:3]
        try:
            return _compare_at(
                derivation, expr, wrt, False, sizes, _TRIALS, rng, sides, ladder=ladder
            )
        except _TooLarge:  # a value past what is evaluated safely: no difference to show here
            return None
        except LostDigits as exc:  # undecided there, not equal there
            raise _TooLarge(str(exc)) from None

    return numeric.confirmed_difference(exactly, truly)


def _batch_mean_note(report: FormulaReport, derivation: ModelDerivation, expr: Any) -> None:
    """A model's formula that is the gradient times m or divided by it gets the note a
    network's does: a network's ``(A3 - Y) A2^T`` was told it is the gradient times m, the
    same network written as its equations was told nothing (newcomer46 #1)."""
    model = derivation.model
    if model is None or not model.batch:
        return
    m = derivation.graph.m
    for scale, words in ((1 / m, "times m"), (m, "divided by m")):
        probe = _probed(report, derivation, scale * expr, "", confirm=False)
        if probe.equal:
            losses = sorted(
                {
                    node.record.name
                    for node in derivation.graph.nodes.values()
                    if node.kind is Kind.MODEL_LOSS
                }
            )
            # what the cost has (review47 #5: a plain sum's cost was told of "the cost's
            # factor of m", which it does not have)
            if losses:
                named = " and ".join(losses)
                why = f"the model's {named} averages over the m columns, and its gradient has "
                why += "that 1/m once" + ("" if words == "times m" else ", not twice")
            elif words == "times m":
                why = "a factor m the cost does not have"
            else:
                why = "the cost has no mean over the m columns to divide by m"
            report.notes.append(f"your formula is the gradient {words}: {why}")
            return


def _factor_notes(report: FormulaReport, derivation: Derivation, expr: Any) -> None:
    """Name the factors of the derivation that the formula lacks (and the other way round).

    The formula's deltas are expanded first, as the derivation's are: in batch form a delta
    already includes the 1/m of the mean, and a formula that adds another 1/m differs from the
    gradient by that factor, not by a delta.
    """
    gradient = derivation.gradients.get(report.wrt)
    if gradient is not None and gradient.has(LAMBDA) and not expr.has(LAMBDA):
        report.notes.append(
            "the gradient has the weight decay λ, your formula does not (write lambda or λ): "
            "λ is drawn at random as the inputs are, so that a formula holds for every λ"
        )
    compared = _compared_factors(report, derivation, expr)
    if compared is None:
        return
    missing, extra, their_coeff, your_coeff = compared.missing, compared.extra, *compared.coeffs
    # a factor in both, a different number of times (a2 ⊙ a2 for a2): said as counts
    counted = [f for f in missing if _times(f, compared.yours)] + [
        f for f in extra if _times(f, compared.theirs)
    ]
    absent = [f for f in missing if not _times(f, compared.yours)]
    added = [f for f in extra if not _times(f, compared.theirs)]
    if absent:
        report.notes.append(
            "the derivation has "
            + ", ".join(f"'{_text(f)}'" for f in absent)
            + " as a factor, which your formula does not"
        )
    if added:
        report.notes.append(
            "your formula has "
            + ", ".join(f"'{_text(f)}'" for f in added)
            + ", which the derivation does not"
        )
    for factor in _distinct_factors(counted):
        yours, theirs = _times(factor, compared.yours), _times(factor, compared.theirs)
        report.notes.append(
            f"your formula has '{_text(factor)}' as a factor {_count(yours)} where the "
            f"derivation has it {_count(theirs)}"
        )
    if missing or extra or their_coeff == 0:
        return
    ratio = _ratio(your_coeff, their_coeff)
    if ratio is None or ratio == 1:
        return
    shown = _text(ratio)
    if any(str(index) in shown for index in ratio.atoms(sp.Dummy)):
        # over the entries of a sum SymPy wrote out (sum(1{x ⊙ x > -1}): x[_i_1, 0]), where
        # neither printer has words for it; the verdict says what is wrong
        return
    note = f"the factors match, but your formula is the gradient times {shown}"
    m = derivation.graph.m
    if derivation.graph.batch and sp.denom(sp.together(ratio)).subs(m, 0) == 0:
        # a further 1/m: m divides the denominator (not m - 1 or m + 1: hostile25 #5, 26)
        top = max(derivation.delta_symbols)
        note += (
            f"; in batch form every delta already includes the 1/m of the mean (delta{top} = "
            f"{_text(derivation.deltas[top])}), so no further 1/m is needed"
        )
    report.notes.append(note)


def _as_derivation_writes(derivation: Derivation, expr: Any) -> Any:
    """``expr`` with a layer's activation and derivative applied by name to its z written as the
    derivation writes them: ``sigmoid(z1)`` as ``a1``, ``sigmoid'(z2)`` as the factors of
    delta2 that are g'(z2) (``a2 ⊙ (1 - a2)``), so that the factor notes compare values, not
    spellings (a formula with sigmoid'(z2) was told it lacked 'a2' and '1 - a2': hostile22)."""
    graph = derivation.graph
    layers = {graph.z(layer): layer for layer in range(1, graph.depth + 1)}
    swap: dict[Any, Any] = {}
    for node in expr.atoms(Elementwise):
        flipped = isinstance(node.arg, sp.Transpose)  # sigmoid(z1)^T reads as sigmoid(z1^T)
        layer = layers.get(node.arg.arg if flipped else node.arg)
        if layer is None:
            continue
        record = graph.activation(layer)
        name = record.name
        # relu' written as its formula, 1{z1 > 0}, is g'(z1) by the record (its derivative):
        # the derivation writes it 1{a1 > 0} (told as two different factors: hostile35c #2)
        is_derivative = node.derivative_name == name or (
            node.indicator is not None
            and record.formula is not None
            and node.body.xreplace({node.variable: scalars.z}) == record.derivative
        )
        if node.activation_name == name:
            swap[node] = graph.a(layer).T if flipped else graph.a(layer)
        elif is_derivative and layer in derivation.deltas and not flipped:
            delta = derivation.deltas[layer]
            local = {graph.a(layer), graph.z(layer)}
            own = [
                f
                for f in (delta.args if isinstance(delta, HadamardProduct) else ())
                if getattr(f, "is_Matrix", False)
                and {s for s in f.free_symbols if isinstance(s, sp.MatrixSymbol)} <= local
            ]
            if own:
                swap[node] = HadamardProduct(*own) if len(own) > 1 else own[0]
    return expr.xreplace(swap) if swap else expr


def _text(expr: Any) -> str:
    """An expression for a note: in the formula language where it has a form, else in the
    printers' plain text (a zero matrix as ``0``), never SymPy's class names."""
    try:
        return formula_text(expr)
    except ValueError:
        pass
    try:
        # a region's 1 x 1 base that SymPy wrote out (sum(W ⊙ W) + 0.001 sum(W))
        return formula_text(shown_number(expr))
    except ValueError:
        return plain_text(expr)


def formula_text(expr: Any) -> str:
    """``expr`` in the formula language (a sum over the columns is ``rowsum(...)``).

    Raises ``ValueError`` where the language has no form for a node.
    """
    return to_formula(expr)


def _coeff_factors(expr: Any) -> tuple[Any, list[Any]]:
    """The scalar coefficient and the matrix factors of a product (matrix or element-wise):
    a factor repeated by a power (``a2 ⊙ a2``, which SymPy merges into ``a2^2``) once per
    time, and a sum's number factor with the coefficient (SymPy spreads ``2 (a3 - y)`` into
    ``2 a3 - 2 y``): a formula twice the gradient was told it lacked ``a3 - y`` and had
    ``2 a3 - 2 y`` (hostile43b #1)."""
    coeff: Any = sp.Integer(1)
    out: list[Any] = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, (MatMul, HadamardProduct)):
            for arg in node.args:
                if getattr(arg, "is_Matrix", False):
                    stack.append(arg)
                else:
                    coeff *= arg
        elif (
            isinstance(node, sp.HadamardPower)
            and node.exp.is_Integer
            and 1 < node.exp <= _REPEATS_SPLIT
        ):
            stack += [node.base] * int(node.exp)
        elif isinstance(node, sp.MatAdd):
            number, node = _number_out(node)
            coeff *= number
            out.append(node)
        else:
            out.append(node)
    return coeff, out


#: a factor repeated by an integer power up to this is compared once per time
_REPEATS_SPLIT = 8


def _number_out(total: Any) -> tuple[Any, Any]:
    """``total`` (a sum of matrices) as ``c * rest`` with c the scalar coefficient of the term
    first in SymPy's order of the terms' matrix parts, so that ``2 a3 - 2 y``, ``-2 y + 2 a3``
    and ``(1/m) a3 - (1/m) y`` share ``rest = a3 - y`` (c 2, 2 and 1/m); a sign alone stays
    in the sum, which is shown as written."""
    terms = [_split_number(term) for term in total.args]
    if any(getattr(number, "is_Matrix", True) for number, _ in terms):
        return sp.Integer(1), total
    number, _ = min(terms, key=lambda term: sp.default_sort_key(term[1]))
    if number in (1, -1, 0):  # 1 - a2 stays as written (not -(a2 - 1))
        return sp.Integer(1), total
    if any(n not in (number, -number) for n, _ in terms):
        # no common factor: 2 a3 - y stays as written (not 2 (a3 - (1/2) y): review43 #3)
        return sp.Integer(1), total
    return number, sp.MatAdd(*((n / number) * rest for n, rest in terms)).doit()


def _split_number(term: Any) -> tuple[Any, Any]:
    """``2 a3`` as (2, a3), ``(1/m) a3`` as (1/m, a3); a term with no scalar factor as
    (1, term)."""
    if isinstance(term, MatMul):
        number, rest = term.as_coeff_mmul()
        return number, rest.doit()
    return sp.Integer(1), term


def _product_tree(
    tree: ast.Node,
    typer: Typer,
    factors: list[tuple[Any, Shape]],
    scalars: list[Any],
    sources: tuple[list[ast.Node], list[ast.Node]] | None = None,
) -> tuple[Any, ...] | None:
    """The formula's top-level products as a tree over factor indices (numbers set aside).

    Appends each matrix factor (expression, shape) to ``factors`` and each number to
    ``scalars`` (and their nodes to ``sources``: matrix factors, numbers); returns None when
    the whole tree is a number. Raises FormulaError (with the factor's node as ``.node``) when
    a factor has a problem of its own.
    """
    if sources is None:
        sources = ([], [])
    if isinstance(tree, ast.Binary) and tree.op in _PRODUCTS:
        left = _product_tree(tree.left, typer, factors, scalars, sources)
        right = _product_tree(tree.right, typer, factors, scalars, sources)
        if left is None or right is None:
            return left if right is None else right
        return (tree.op, left, right)
    if isinstance(tree, ast.Binary) and tree.op == "/":
        # x^T x / 2: a product divided by a number is that product times its reciprocal, so
        # the search rearranges its factors (it took the whole quotient for one factor and
        # said no arrangement had the shape: hostile25 #3)
        try:
            divisor = typer.type(tree.right)
        except FormulaError as exc:
            exc.node = tree.right  # type: ignore[attr-defined]
            raise
        if divisor.shape is None:
            left = _product_tree(tree.left, typer, factors, scalars, sources)
            scalars.append(1 / divisor.expr)
            sources[1].append(
                ast.Binary("/", ast.Num(Fraction(1), tree.pos), tree.right, tree.pos)
            )
            return left
    try:
        typed = typer.type(tree)
    except FormulaError as exc:
        exc.node = tree  # type: ignore[attr-defined]
        raise
    if typed.shape is None:
        scalars.append(typed.expr)
        sources[1].append(tree)
        return None
    factors.append((typed.expr, typed.shape))
    sources[0].append(tree)
    return ("leaf", len(factors) - 1)


def _repair(
    report: FormulaReport, derivation: Derivation, tree: ast.Node, formula: str, target: Shape
) -> None:
    """The arrangement of the formula's own factors whose shape fits and, if one, that is right.

    First the student's grouping with the fewest edits, then any grouping (budgeted); at most
    :data:`_VERIFY` arrangements of each search are compared with the gradient.
    """
    factors: list[tuple[Any, Shape]] = []
    scalars: list[Any] = []
    sources: tuple[list[ast.Node], list[ast.Node]] = ([], [])
    try:
        product = _product_tree(tree, _typer(derivation, formula), factors, scalars, sources)
    except FormulaError as exc:
        node = getattr(exc, "node", tree)
        report.notes.append(
            f"no repair: the factor '{ast.to_text(node)}' has a shape problem of its own"
        )
        return
    if product is None:
        return
    coefficient: Any = sp.Mul(*scalars)
    exprs = [expr for expr, _shape in factors]
    shapes = [shape for _expr, shape in factors]
    tried: set[Any] = set()
    best: Repair | None = None
    searches: list[Search] = [as_written(product, shapes, target, budget=REPAIR_BUDGET)]
    stopped_after = 0
    for step in range(2):
        if step == 1:
            if len(factors) > MAX_FACTORS:
                if best is None:
                    report.notes.append(
                        f"no repair found in the formula's own grouping, and with more than "
                        f"{MAX_FACTORS} factors no other grouping is searched"
                    )
                    return
                break
            searches.append(any_grouping(shapes, target, budget=REPAIR_BUDGET))
        search = searches[-1]
        if search.stopped:
            stopped_after = search.built
        checked = 0
        for key, cost in zip(search.keys, search.costs, strict=True):
            if step == 0 and cost == 0 and report.error is None:
                tried.add(key)  # the formula as written: already compared, not a repair
                continue
            if key in tried or checked >= _VERIFY:
                continue
            tried.add(key)
            checked += 1
            arranged = build(key, exprs)
            expr = arranged if coefficient == 1 else coefficient * arranged
            probe = FormulaReport(
                report.wrt, "", report.target, report.target_concrete, gradient=report.gradient
            )
            try:
                _verdict(probe, derivation, expr, confirm=False)
            except _TooLarge:
                continue
            try:
                text = formula_text(expr)
            except ValueError:  # a node the printer cannot write (inv): the student's own text
                text = key_text(key, *sources)
            if isinstance(derivation, ModelDerivation):  # its own names (dh, not dJ/dh)
                text = key_text(key, *sources)
            repair = Repair(text, expr, bool(probe.equal), probe.method == "numeric")
            if repair.equal:
                report.repair = repair
                break
            best = best or repair
        if report.repair is not None:
            break
    if report.repair is None and report.error is not None:
        # an arrangement that fits where the formula as written does not; where it fits
        # already, another that fits and is not the gradient either repairs nothing
        # (hostile33b #8: '(1/m)(1/m)((W3^T (A3-Y)) * A2 * (1 - A2)) A1^T' was offered one
        # with its element-wise products made matrix products)
        report.repair = best
    if stopped_after:
        report.notes.append(
            f"the repair search stopped after {stopped_after:,} arrangements (its budget); a "
            "repair it did not reach may exist"
        )
    if not tried:
        report.notes.append("no arrangement of these factors has the shape " + report.target)


def _network_truth(expr: Any, reads_back: Callable[[str], str | None]) -> tuple[str, str | None]:
    """A network's gradient in the formula language (every stock and custom activation has a
    form there), else in the printers' text, with the reason: where the language has no form
    for a node, or the text would not read back as the gradient's shape (``reads_back``)."""
    try:
        text = formula_text(expr)
    except ValueError as exc:
        return plain_text(expr), str(exc)
    why = reads_back(text)
    return (text, None) if why is None else (plain_text(expr), why)


def _model_truth(
    derivation: ModelDerivation, wrt: str, reads_back: Callable[[str], str | None]
) -> tuple[str, str | None]:
    """A model's gradient in the formula language, so that it can be typed back: expanded
    while short and free of adjoint symbols, else the compact form (an adjoint ``d<name>``);
    as ``derive`` prints it, with the reason, where the language has no form for a node
    (``2 sum(W x) 1_2 x^T``: no ones column in a product) or the text would not read back as
    the gradient's shape (``reads_back``)."""
    view = ModelView(derivation)
    expr = derivation.expanded[wrt] if not view.too_long(wrt) else derivation.gradients[wrt]
    try:
        text = model_truth_text(derivation, expr)
    except ValueError as exc:
        return view.text(expr), str(exc)
    why = reads_back(text)
    return (text, None) if why is None else (view.text(expr), why)


def _reads_back(
    derivation: Derivation, typer: Any, text: str, target: tuple[Any, ...]
) -> str | None:
    """Why the truth ``text`` would not read back, typed as a formula is, as a value of the
    gradient's shape ``target``; None where it does. The printer writes a ones matrix as
    ``1`` for a sum to broadcast, and a gradient that is one value in every entry (dJ/dw of
    ``sum(w)``, or ``(1/c) 1_n`` beside a 1 x 1 c) then reads as a number or a 1 x 1 value
    (hostile33 #2: pasted back, its own truth was a shape error)."""
    try:
        tree = parse(
            text,
            functions=_activations(derivation),
            models=isinstance(derivation, ModelDerivation),
        )
        typed = typer.type(tree)
    except FormulaError as exc:
        return f"the formula language would not read it back ({exc})"
    if typed.shape is None and (typed.expr == 0 or all(d == 1 for d in target)):
        return None  # a number stands for a 1 x 1 value, and 0 for a zero matrix
    if typed.shape == target:
        return None
    return (
        "it is one value in every entry, a ones matrix times a number, which the formula "
        "language writes only in a sum beside a matrix of its shape"
        if typed.shape is None or all(d == 1 for d in typed.shape)
        else f"the formula language would read it as {typer.show(typed.shape)}, not "
        f"{typer.show(target)}"
    )
