"""What a formula for a model's gradient may name, and its comparison with the true gradient.

A hand-written dJ/d(parameter) of a :class:`~symbackprop.model.Model` is written in the model's
own names: its leaves (parameters and data), the values its equations define, its named
constants, ``m`` in batch form, and the adjoints: ``d<name>`` is dJ/d<name> for every value the
cost depends on (``dh``, ``dZ``, ``dW1``), as the derivation keeps them under ``dJ/d<name>``.
A formula cannot write ``dJ/dh`` itself (``/`` divides), so ``dJ/dh`` is written ``dh``; where
the model has a name ``dh`` of its own, that name wins.

The comparison draws points as the exact check does
(:class:`~symbackprop.check.model_exact.ModelCheck`): every transcendental function a table of
random rationals, so equal formulas give equal rationals. A formula that writes one value with
other functions than the derivation (``1 / (1 + exp(-z))`` for ``sigmoid(z)``) differs there,
so an exact difference is confirmed with the true functions (:mod:`.numeric`) before it is
reported. Points are drawn at the model's declared sizes and at a second setting
(:func:`size_settings`); targets a loss reads are soft (probabilities for bce, probability
vectors for ce: their a - y holds for those too).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp

from symbackprop.apps.shapecheck import crossings, numeric, redraw
from symbackprop.apps.shapecheck.crossings import Crossed
from symbackprop.apps.shapecheck.decided import entries_differ, exact_decides, written_out
from symbackprop.apps.shapecheck.model_domain import outside_domain
from symbackprop.check.accuracy import LostDigits
from symbackprop.check.exact import NotRationalError
from symbackprop.check.interpret import Interpretation, NotExact, OutsideDomain, RealInterpretation
from symbackprop.check.kinks import (
    UNEVALUATED,
    Sides,
    Smooth,
    kinks,
    read_by_pieces,
    straddling,
)
from symbackprop.check.live import HOLE, smooth_forms
from symbackprop.check.model_exact import (
    AdjointsUndefined,
    CostUndefined,
    ModelCheck,
    PlacedOutside,
    loss_targets,
    model_sizes,
    placeable,
)
from symbackprop.check.size_settings import Setting, other_sizes_text
from symbackprop.check.size_settings import size_settings as shared_settings
from symbackprop.check.switches import shown_number
from symbackprop.core.no_value import has_no_value
from symbackprop.core.rank_bound import undefined_at_sizes
from symbackprop.core.textprint import text as plain_text
from symbackprop.errors import FormulaError
from symbackprop.records.activations import Activation, custom_activation
from symbackprop.render.model_formula import model_formula

if TYPE_CHECKING:
    from symbackprop.apps.shapecheck.typing_ import Typer
    from symbackprop.core.model_derivation import ModelDerivation

#: points compared per interpretation (at the first size setting; one at the second)
TRIALS = 3
#: the largest declared size a formula is compared at (beyond it, declared sizes are ranked)
MAX_DECLARED = 5


def activations(derivation: ModelDerivation) -> dict[str, Activation]:
    """The model's custom activations (``define``), by name."""
    assert derivation.model is not None
    return {name: custom_activation(name, text) for name, text in derivation.model.define}


def sizes(derivation: ModelDerivation) -> dict[sp.Symbol, int]:
    """Dimension symbol -> the model's ``sizes:`` value, where it gives one."""
    assert derivation.model is not None
    found = {}
    for shape in derivation.model.shapes.values():
        for dim in shape:
            if isinstance(dim, sp.Symbol) and dim.name in derivation.model.sizes:
                found[dim] = derivation.model.sizes[dim.name]
    return found


def names(derivation: ModelDerivation, typer: Typer) -> None:
    """Fill ``typer.names`` with the model's names, constants, ``m`` and adjoints ``d<name>``,
    and ``typer.absent`` with the names a reader may expect that this model lacks."""
    model = derivation.model
    graph = derivation.graph
    assert model is not None
    own = {name: graph.symbols[name] for name in graph.named}
    typer.names.update(own)
    if model.batch:
        typer.names["m"] = graph.m
    else:
        typer.absent["m"] = (
            "'m' (the number of examples) exists only in a model in batch form (a data leaf "
            "with m columns)"
        )
    for eq in model.equations:  # a named constant (lam = 0.01, half = m / 2) is its number
        if eq.name not in own:
            try:
                typed = typer.type(eq.expr)
            except FormulaError:
                continue
            if typed.shape is None:
                typer.names[eq.name] = typed.expr
    typer.trace.clear()
    written = []
    for name, adjoint in derivation.adjoints.items():
        alias = f"d{name}"
        if name == model.cost:  # dJ/dJ = 1: 'dJ' stays free to explain dJ/dh
            continue
        if alias not in typer.names:
            typer.names[alias] = graph.deltas.get(name, adjoint)
            written.append(name)
    # 'dJ' alone (J is the cost: dJ/dJ = 1, no adjoint name) or the start of dJ/dh, which
    # reads as dJ divided by dh (hostile33b #6: told only of '/' where none was typed)
    values = [name for name in written if not name.startswith("_")]
    example = next((name for name in values if name not in model.parameters), "h")
    typer.absent["dJ"] = (
        f"J is the cost (dJ/dJ = 1), so 'dJ' names nothing; an adjoint dJ/d<name> is written "
        f"d<name> (dJ/d{example} is d{example}), as '/' divides in a formula"
    )


@dataclass(frozen=True)
class PointAt:
    """A model's point: ``env`` (leaves, forward values, adjoints) and the check whose tables
    evaluate there; called with an expression, its value there."""

    check: ModelCheck
    env: dict[str, sp.Matrix]

    def __call__(self, expr: Any) -> sp.Matrix:
        return self.check.evaluate(expr, self.env)


def smooth(
    derivation: ModelDerivation, expr: Any, wrt: str, definitions: dict[str, Any]
) -> Smooth:
    """At a point (:class:`PointAt`), for a region's bases: the gradient and the formula with
    every piecewise atom of those bases taken as ``mask`` (of the region's generic ``shape``;
    1 where an atom has another shape), in the forward values and the adjoints too, every
    other atom as it is there; and whether some atom took the mask (as a network's, check.py's
    ``_smooth``). Where holing the mask at the region's entries changes nothing, the point
    compares nothing there: ``1{W1 < 20}`` beside a relu layer, reached only where
    relu'(W1 x + b1) = 0 in that entry, passed 'equal'."""
    graph = derivation.graph
    assert derivation.model is not None
    leaves = (*derivation.model.parameters, *derivation.model.data)
    # in equation order, a name for another value (p naming _t4) as that value
    values: list[tuple[str, Any]] = [
        (name, value)
        for name, value in graph.forward.items()
        if name in graph.nodes or isinstance(value, sp.MatrixSymbol)
    ]
    values += [(step.delta.name, step.expr) for step in derivation.steps if step.delta is not None]
    smoothed = smooth_forms(values, [derivation.gradients[wrt], expr], definitions)

    def at(point: Any, bases: frozenset[Any], shape: Any, mask: Any) -> tuple[list[Any], bool]:
        if not isinstance(point, PointAt):
            raise ValueError("no point's leaves to evaluate at")
        values, sides, used = smoothed(bases, shape)
        env = {name: point.env[name] for name in leaves}
        env[HOLE] = mask
        for name, value in values:
            env[name] = point.check.evaluate(value, env)
        return [point.check.evaluate(side, env) for side in sides], used

    return at


def compare(
    derivation: ModelDerivation, expr: Any, wrt: str, sides: Sides
) -> tuple[str, Any, str | None]:
    """``("exact" | "numeric", None, why)`` when ``expr`` equals dJ/d``wrt`` at every
    point, else the method and the first difference ``(row, col, yours, truth, sizes)``;
    ``why`` a numeric "equal" needs a note: ``"differed"``, the exact comparison saw a
    difference that only the true functions explain; ``"not rational"``, it could not run (a
    function of a constant, log(1 + exp(-100))); else None.

    Points are drawn at every size setting of :func:`size_settings`, so that an identity true
    only for one size (2 x 2 matrices) is not taken for the gradient, then with the placeable
    values either side of every kink (:func:`placed`); ``sides`` records the sides of every
    kink these points reached.
    """
    runs = _runs(derivation, expr, wrt)
    try:
        found = _first_difference(derivation, expr, wrt, runs, True, sides)
    except NotRationalError:  # a difference of constants that cancels to no digits
        numeric_found = _first_difference(derivation, expr, wrt, runs, False, sides)
        if numeric_found is not None:
            return "numeric", numeric_found, None
        return "numeric", None, "not rational"
    if found is None:
        return "exact", None, None
    # the true functions see 35 digits; where the tables forget no relation of theirs, the
    # exact difference is the verdict (a formula off by 1e-40 is not the gradient)
    custom = list(activations(derivation).values())
    if exact_decides(expr, own_values(derivation), custom, written(derivation, expr, wrt)):
        return "exact", found, None
    # confirmed with the true functions, and shown with their values: the tables' are no
    # gradient's (the gradient "is -590/111" where sqrt((w - 20)^2) drew a random value); the
    # regions the tables' points reached count no more
    sides.forget()
    confirmed = _first_difference(derivation, expr, wrt, runs, False, sides)
    if confirmed is not None:
        return "numeric", confirmed, None
    return "numeric", None, "differed"


def _first_difference(
    derivation: ModelDerivation,
    expr: Any,
    wrt: str,
    runs: list[tuple[dict[sp.Symbol, int], int, Any]],
    exact: bool,
    sides: Sides,
    nonnegative: frozenset[str] = frozenset(),
    scale: sp.Rational = sp.S.One,
) -> Any:
    """The first difference ``(row, col, yours, truth, sizes)`` over the ``runs`` of
    :func:`_runs` (each a size setting, its number of points and a placed value), exactly
    (every function a table of random rationals) or with the true functions, with the data
    ``nonnegative`` drawn >= 0 at ``scale``; None where there is none."""
    settings = size_settings(derivation)
    last = settings[-1][0] if len(settings) > 1 else None
    for chosen, trials, value in runs:
        args = (chosen, exact, trials, value, sides, nonnegative, scale)
        try:
            found = _difference(derivation, expr, wrt, *args)
        except (CostUndefined, AdjointsUndefined):
            # the setting of every size 1 (check.size_settings), where a model may have no
            # value (a variance over m = 1 columns divides by 0): nothing compared there; it
            # made the whole check "cannot decide" (review49 #1)
            if chosen == last and value is None and 1 in chosen.values():
                sides.ones_skipped = True
                continue
            raise
        if found is not None:
            return found
    return None


def right_for_nonnegative(
    derivation: ModelDerivation, expr: Any, wrt: str, sides: Sides
) -> list[str]:
    """The data leaves whose signs alone make ``expr`` differ from dJ/d``wrt``: drawn with
    every entry >= 0, the formula equals the gradient at the random points of :func:`compare`
    (not at the points a kink's search reaches; the caller asks only where the difference
    was found at random points) (a
    dropout mask: ``1{H > 0}`` for ``1{W X + b > 0}`` where ``H = relu(W X + b) ⊙ M``); as
    few of them as found, or [] where no such set of data is found.

    Only data a loss does not read as its target are tried (targets keep their kind's draw).
    ``sides``: a fresh record of the kinks reached, as :func:`compare` is given.
    """
    assert derivation.model is not None
    targets = loss_targets(derivation)
    signed = [name for name in derivation.model.data if name not in targets]
    # one leaf alone first (a dropout mask): a leaf that is not it fails at its first point
    for name in signed if len(signed) > 1 else ():
        if _agrees(derivation, expr, wrt, sides, frozenset([name])):
            return [name]
    if not signed or not _agrees(derivation, expr, wrt, sides, frozenset(signed)):
        return []
    # as few as found: drop each leaf whose sign the agreement does not need
    needed = list(signed)
    for name in signed:
        fewer = frozenset(needed) - {name}
        if len(needed) > 1 and _agrees(derivation, expr, wrt, sides, fewer):
            needed.remove(name)
    return needed


def _agrees(
    derivation: ModelDerivation,
    expr: Any,
    wrt: str,
    sides: Sides,
    nonnegative: frozenset[str],
) -> bool:
    """Whether ``expr`` equals dJ/d``wrt`` at every point of :func:`compare` with the data
    ``nonnegative`` drawn >= 0, at each of :data:`SIGN_SCALES` (so that a threshold far from
    1, ``1{y > 0.001}`` or ``1{y < 1000}``, is crossed): exactly, else (no rational value)
    with the true functions."""
    return all(
        _agrees_at(derivation, expr, wrt, sides, nonnegative, scale) for scale in SIGN_SCALES
    )


#: the scales non-negative data are drawn at (each entry k/q, 1 <= k <= 9, 1 <= q <= 5, times
#: the scale): thresholds from about 2e-7 to 9e6 are crossed
SIGN_SCALES = (sp.Integer(1), sp.Rational(1, 10**6), sp.Integer(10**6))


def _agrees_at(
    derivation: ModelDerivation,
    expr: Any,
    wrt: str,
    sides: Sides,
    nonnegative: frozenset[str],
    scale: sp.Rational,
) -> bool:
    runs = _runs(derivation, expr, wrt)
    try:
        for exact in (True, False):
            try:
                found = _first_difference(
                    derivation, expr, wrt, runs, exact, sides, nonnegative, scale
                )
            except NotRationalError:
                continue  # no exact value: the true functions decide
            return found is None
    except (CostUndefined, LostDigits, ArithmeticError, ValueError):
        return False  # no point to compare at, or too few digits: not shown to agree
    return False


def own_values(derivation: ModelDerivation) -> list[Any]:
    """Every value the derivation applies a function to: the forward equations (also with the
    values inside an equation written out, as a formula writes them), steps and gradients."""
    graph = derivation.graph
    inner: dict[Any, Any] = {}
    written = []
    for name, expr in graph.forward.items():
        out = expr.xreplace(inner)
        if name not in graph.named:
            inner[graph.symbols[name]] = out
        written.append(out)
    steps = [step.expr for step in derivation.steps]
    return [*graph.forward.values(), *written, *steps, *derivation.gradients.values()]


def written(derivation: ModelDerivation, expr: Any, wrt: str) -> tuple[Any, Any]:
    """The formula and dJ/d``wrt`` written out in the leaves: every forward value its
    equation, every adjoint its step."""
    graph = derivation.graph
    definitions = {graph.symbols[name]: value for name, value in graph.forward.items()}
    definitions.update(
        {step.delta: step.expr for step in derivation.steps if step.delta is not None}
    )
    return (
        written_out(expr, definitions),
        written_out(derivation.gradients[wrt], definitions),
    )


def point_at(
    derivation: ModelDerivation, chosen: dict[sp.Symbol, int], seed: int, digits: int
) -> PointAt:
    """The point ``seed`` draws at the sizes ``chosen``, evaluated exactly (``digits`` 0,
    :data:`EXACT`: every function a table of random rationals) or with the true functions to
    ``digits`` digits; the same point at every precision."""
    check = ModelCheck(derivation, chosen, seed, _TABLES[digits], soft_targets=True)
    return PointAt(check, check.point(placed=None))


def difference_at(
    derivation: ModelDerivation,
    expr: Any,
    wrt: str,
    chosen: dict[sp.Symbol, int],
    sides: Sides,
) -> Any:
    """The first difference ``(row, col, yours, truth, sizes)`` at :data:`TRIALS` points at the
    sizes ``chosen`` that the true functions confirm (a formula may spell a function another
    way: an exact difference alone is no verdict), or None."""
    return numeric.confirmed_difference(
        lambda: _difference(derivation, expr, wrt, chosen, True, TRIALS, None, sides),
        lambda: _difference(derivation, expr, wrt, chosen, False, TRIALS, None, sides),
    )


def placed(derivation: ModelDerivation, expr: Any, wrt: str) -> tuple[list[Any], frozenset[Any]]:
    """The values the placeable arguments of element-wise functions are put at
    (:func:`~symbackprop.check.model_exact.placeable`: z = W x + b through its bias), one
    either side of every kink of the formula and of the derivation (1{z > 1/10} for relu'
    differs only for 0 < z < 1/10, where random points seldom land), and those kinks; none
    when the model has no such argument."""
    if not placeable(derivation):
        return [], frozenset()
    steps = (step.expr for step in derivation.steps)
    found = kinks(expr, derivation.gradients[wrt], *steps, *derivation.graph.forward.values())
    return straddling(found), found


def points(
    derivation: ModelDerivation,
    expr: Any,
    wrt: str,
    left_out: frozenset[Any] = frozenset(),
    *,
    ones_skipped: bool = False,
) -> str:
    """The points a formula is compared at, for the verdict's sentence; not those placed at
    the values ``left_out`` (where the model had no value), nor the setting of every size 1
    where ``ones_skipped`` (:func:`_first_difference`)."""
    settings = size_settings(derivation)
    if ones_skipped and len(settings) > 1:
        settings = settings[:-1]
    text = f"{settings[0][1]} random points" + other_sizes_text(settings)
    values, found = placed(derivation, expr, wrt)
    values = [value for value in values if value not in left_out]
    if values:
        names = list(placeable(derivation))
        # a value inside an equation (_t2 in J = sum(relu(W x + b))) has no name of the model's
        who = (
            ", ".join(names)
            if all(name in derivation.graph.named for name in names)
            else f"the {len(names)} element-wise argument{'s' if len(names) > 1 else ''} "
            "with an added bias"
        )
        text += crossings.placed_text(who, values, found)
    return text


def _runs(derivation: ModelDerivation, expr: Any, wrt: str) -> list[tuple[Any, int, Any]]:
    settings = size_settings(derivation)
    first = settings[0][0]
    values, _found = placed(derivation, expr, wrt)
    return [(chosen, trials, None) for chosen, trials in settings] + [
        (first, 1, value) for value in values
    ]


def size_settings(derivation: ModelDerivation) -> list[Setting]:
    """The sizes a formula is compared at, each with its number of points.

    First the model's own ``sizes:`` with m = 2; then every dimension moved: the undeclared
    ones and m made 3, then 4, 5, ..., then mirrored, as a network's widths
    (:func:`~symbackprop.check.size_settings.size_settings`), and the declared ones moved
    keeping their declared order (1 larger, then up to 7), so a formula right only at one or
    two sizes of a dimension, or only where two dimensions are equal, or one at least another,
    is wrong at another, while a declared tall A keeps inv(A^T A) defined. Where a declared
    size is above :data:`MAX_DECLARED`, the first setting replaces every declared size by its
    rank (2, 3, ... in size order, equal sizes equal): ``sizes: r = 5, c = 6`` was compared
    at c = 2, 3, 4 < r = 5 (hostile31 F6).
    """
    assert derivation.model is not None
    declared = derivation.model.sizes
    dims = model_sizes(derivation, None)
    own = {dim: declared[dim.name] for dim in dims if dim.name in declared and dim.name != "m"}
    first = {dim: own.get(dim, 2) for dim in dims}
    if any(size > MAX_DECLARED for size in own.values()):
        ranks = {size: 2 + k for k, size in enumerate(sorted(set(own.values())))}
        first.update({dim: ranks[size] for dim, size in own.items()})
    graph = derivation.graph
    if own and undefined_at_sizes(graph, first) is not None:
        # inv(A^T A) with A r x k, k = 5 declared, r not: no value at r = 2 (hostile32b); the
        # undeclared ones start at the largest declared size, where a tall A is square
        top = max(first[dim] for dim in own)
        lifted = {dim: size if dim in own else max(size, top) for dim, size in first.items()}
        if undefined_at_sizes(graph, lifted) is None:
            first = lifted
    settings = shared_settings(first, (), TRIALS, own)
    # a setting where the model has no value by its shapes compares nothing: left out
    return [settings[0]] + [s for s in settings[1:] if undefined_at_sizes(graph, s[0]) is None]


def _real_interpretation(digits: int) -> type[RealInterpretation]:
    """The true functions to ``digits`` digits: :data:`numeric.LADDER`'s precisions
    (:func:`numeric.difference`), or few while searching for a kink (:mod:`.crossings`)."""

    class _Digits(RealInterpretation):
        DIGITS = digits

    return _Digits


class _ExactInterpretation(Interpretation):
    """Random tables for the functions of the values; a formula's constants (exp(-100)) and
    the model's keep their exact values, so a factor 1 + exp(-100) is a difference."""

    exact_constants = True


#: ``at(EXACT)``: exact rationals, every function a table of random rationals
EXACT = 0
#: digits -> the functions' table: exact, or the true functions to that many digits
_TABLES: dict[int, type[Interpretation]] = {
    EXACT: _ExactInterpretation,
    crossings.SCAN_DIGITS: _real_interpretation(crossings.SCAN_DIGITS),
    **{digits: _real_interpretation(digits) for digits in numeric.LADDER},
}


def across(derivation: ModelDerivation, expr: Any, wrt: str, sides: Sides) -> Crossed:
    """Compare where the points reached only one side of a kink (:mod:`.crossings`), on lines
    through every leaf but the targets a loss reads."""
    chosen = size_settings(derivation)[0][0]
    first = ModelCheck(derivation, chosen, 12345, Interpretation, soft_targets=True)
    assert derivation.model is not None
    leaves = (*derivation.model.parameters, *derivation.model.data)
    movable = [name for name in leaves if name not in first.targets]

    def point_at(at: dict[str, sp.Matrix], digits: int) -> numeric.Evaluate:
        check = ModelCheck(derivation, chosen, 12345, _TABLES[digits], soft_targets=True)
        return PointAt(check, check.point(leaves=at))

    gradient = derivation.gradients[wrt]
    base = _live_base(derivation, chosen, leaves, gradient, point_at)
    shown = show(derivation)
    crossed = crossings.across(sides, gradient, expr, base, movable, point_at, shown)
    # a side where the model itself has no value needs no comparison (hostile45c #2)
    missing = []
    for region in crossed.missing:
        why = outside_domain(derivation, region, shown)
        if why is None:
            missing.append(region)
        else:
            crossed.outside.append(f"{region.describe(shown)} ({why})")
    crossed.missing = missing
    # a target of bce or ce (a probability) is drawn inside [0, 1], as a network's is
    why = "a target of bce or ce lies between 0 and 1"
    probabilities = {
        name: why
        for name, kind in first.targets.items()
        if kind in ("probability", "distribution")
    }
    crossings.drop_invalid_targets(crossed, probabilities, shown)
    kinds = {name: first.targets[name] for name in probabilities}
    crossings.at_hard_targets(crossed, kinds, base, gradient, expr, point_at)
    return crossed


def at_zero_parameters(
    derivation: ModelDerivation, expr: Any, wrt: str
) -> tuple[tuple[int, int, Any, Any, dict[str, int]], str] | None:
    """The first difference (with the sizes) where one parameter that a piece of ``expr``
    reads is 0 in every entry, the other leaves drawn, with the true functions, and that
    parameter's name; None where there is none. Training often starts a weight or a bias at
    0, which no random point draws: ``(X (p - Y)^T / m + lam w) * 1{w^T w > 0}`` is 0 at w = 0
    and would never move it (hostile48d #7). A parameter where the model or its gradient has
    no value compares nothing. A network's biases: ``check._at_zero_biases``."""
    assert derivation.model is not None
    read = sorted(read_by_pieces(expr) & set(derivation.model.parameters))
    if not read:
        return None
    chosen = size_settings(derivation)[0][0]
    drawn = ModelCheck(derivation, chosen, 12345, Interpretation, soft_targets=True).leaves()
    gradient = derivation.gradients[wrt]
    for name in read:
        leaves = {**drawn, name: sp.zeros(*drawn[name].shape)}

        def at(digits: int, leaves: dict[str, sp.Matrix] = leaves) -> numeric.Evaluate:
            check = ModelCheck(derivation, chosen, 12345, _TABLES[digits], soft_targets=True)
            return PointAt(check, check.point(leaves=leaves))

        try:
            found = numeric.difference(at, gradient, expr)
        except (numeric.NoGradientValue, *UNEVALUATED):
            continue
        # a formula with no value there (abs(w^T x)^2 / (w^T x) x at w = 0) is no difference:
        # a division by a value that is 0 at one point is a note, as at the random points
        if found is not None and not (isinstance(found[2], sp.Basic) and has_no_value(found[2])):
            return (*found, {str(k): v for k, v in chosen.items()}), name
    return None


#: the seeds of the points a search's lines may start from (the first is the one used before)
_BASE_SEEDS = (12345, *range(31, 31 + 7))


def _live_base(
    derivation: ModelDerivation,
    chosen: dict[sp.Symbol, int],
    leaves: tuple[str, ...],
    gradient: Any,
    point_at: crossings.PointAt,
) -> dict[str, sp.Matrix]:
    """The leaves the lines of :func:`crossings.across` start from: the first drawn point
    where no entry of the gradient is 0, else the one with the fewest zeros (as a network's,
    check.py's ``_live_base``). From a point with a dead relu layer (a1 = 0), every point a
    line finds with the next layer's argument below 0 has a1 = 0 still, compares nothing
    there, and the right formula could not be decided (hostile18: a second relu layer of
    width 2)."""
    best: tuple[Any, dict[str, sp.Matrix]] | None = None
    for seed in _BASE_SEEDS:
        check = ModelCheck(derivation, chosen, seed, Interpretation, soft_targets=True)
        try:
            env = check.point()
        except (OutsideDomain, NotExact):
            continue
        base = {name: env[name] for name in leaves}
        try:
            zeros: Any = sum(1 for v in point_at(base, crossings.SCAN_DIGITS)(gradient) if v == 0)
        except (*UNEVALUATED, OutsideDomain, NotExact):
            zeros = sp.oo
        if best is None or zeros < best[0]:
            best = (zeros, base)
        if zeros == 0:
            break
    if best is None:  # no point drawn at all: the first seed's error, as before
        env = ModelCheck(derivation, chosen, 12345, Interpretation, soft_targets=True).point()
        return {name: env[name] for name in leaves}
    return best[1]


def drawn_positive(derivation: ModelDerivation) -> tuple[str, ...]:
    """The leaves the points are drawn with positive (``Model.positive_leaves``) where the
    model has no value at signed draws (``log(X)``), else none: the first point says."""
    model = derivation.model
    if model is None or not model.positive_leaves:
        return ()
    chosen = size_settings(derivation)[0][0]
    check = ModelCheck(derivation, chosen, 12345, Interpretation, soft_targets=True)
    try:
        check.point()
    except (OutsideDomain, NotExact):
        return ()
    return check.kept_positive


def show(derivation: ModelDerivation) -> Callable[[Any], str]:
    """An expression in the model's formula language (the printers' plain text where it has
    no form)."""

    def text(expr: Any) -> str:
        try:
            return model_formula(derivation, expr)
        except ValueError:
            pass
        try:
            # a region's 1 x 1 base that SymPy wrote out (sum(W ⊙ W) + 0.001 sum(W))
            return model_formula(derivation, shown_number(expr))
        except ValueError:
            return plain_text(shown_number(expr))  # never SymPy's class names

    return text


def _difference(
    derivation: ModelDerivation,
    expr: Any,
    wrt: str,
    chosen: dict[sp.Symbol, int],
    exact: bool,
    trials: int,
    value: Any,
    sides: Sides,
    nonnegative: frozenset[str] = frozenset(),
    scale: sp.Rational = sp.S.One,
) -> Any:
    checks: dict[int, ModelCheck] = {}
    # the state every precision's draw of the current trial starts from: a precision first
    # asked for at a later trial (numeric.LADDER climbs only where digits are lost) draws
    # that trial's point, not its own first one
    start = [random.Random(12345).getstate()]

    def draw(digits: int) -> tuple[numeric.Evaluate, Any]:
        # one check per precision, each drawing the same points; soft targets (bce's and
        # ce's a - y hold for them too): y^2 is not taken for y
        if digits not in checks:
            table = _TABLES[digits]
            checks[digits] = ModelCheck(
                derivation,
                chosen,
                12345,
                table,
                soft_targets=True,
                nonnegative=nonnegative,
                scale=scale,
            )
        check = checks[digits]
        check.rng.setstate(start[0])
        env = check.point(placed=value)
        return PointAt(check, env), check.rng.getstate()

    shown = {str(k): v for k, v in chosen.items()}
    gradient = derivation.gradients[wrt]

    def point() -> redraw.Drawn:
        drawn: dict[int, numeric.Evaluate] = {}
        after: list[Any] = []

        def at(digits: int) -> numeric.Evaluate:
            if digits not in drawn:  # one point per draw, each precision drawn once
                drawn[digits], state = draw(digits)
                after.append(state)
            return drawn[digits]

        try:
            if exact:
                evaluate = at(EXACT)
                truth, yours = evaluate(gradient), evaluate(expr)
                found = next(
                    (
                        (i, j, yours[i, j], truth[i, j])
                        for i in range(truth.rows)
                        for j in range(truth.cols)
                        if entries_differ(yours[i, j], truth[i, j])
                    ),
                    None,
                )
            else:
                found = numeric.difference(at, gradient, expr)
                evaluate = at(numeric.DIGITS)
        finally:
            if after:
                start[0] = after[0]  # the next point draws on from where this one ended
        return redraw.Drawn(evaluate, found)

    try:
        # a point with a base exactly on a switch is drawn again, as a network's (review16 T3)
        found = redraw.first_difference(point, trials, sides, exact=exact)
    except (NotExact, OutsideDomain, ValueError, TypeError) as exc:
        if isinstance(exc, (CostUndefined, AdjointsUndefined)):
            raise  # no gradient to compare with: the checker cannot decide, it finds no difference
        if isinstance(exc, PlacedOutside) or (
            # no point found with the value placed, some draws for another reason (a relu's
            # kink beside a log's edge): no point compared there either (review45b #1)
            value is not None and type(exc) is OutsideDomain
        ):
            # the placed side is outside the model's domain: no gradient there to compare
            # with (log(v + 1) at v + 1 = -1/2 said "your formula gives cannot be evaluated",
            # and failed a right 1 / (v + 1): hostile45c #1); nor a point the verdict counts
            sides.placed_outside.add(value)
            return None
        if isinstance(exc, numeric.NoGradientValue):
            # the model's own value is no real number there (sqrt(w), w < 0): it said "your
            # formula gives cannot be evaluated (...), the gradient is None" (hostile39a #5)
            raise CostUndefined(
                f"the model has no real value at a point compared with the true functions ({exc})"
            ) from None
        if exact and isinstance(exc, (NotRationalError, NotExact)):
            # no exact value here (a table at an irrational point, an exact difference
            # with no digits): no verdict from it; the true functions decide
            raise NotRationalError("no exact value") from None
        return (0, 0, f"cannot be evaluated ({exc})", None, shown)
    return None if found is None else (*found, shown)
