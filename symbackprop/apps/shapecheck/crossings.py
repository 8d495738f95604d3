"""Compare a formula on the sides of kinks that the random points did not reach.

After the random points (and the pre-activations placed either side of every kink,
:func:`~symbackprop.check.kinks.straddling`) found no difference, some kink of the formula or of
the gradient may still have a side no point reached: ``1{x > -5}`` with x drawn in [-4, 4],
``1{a1 < 0.9999}``, ``abs(w) < 10``, ``1{H > 0.05}`` where H = relu(W X) has no bias. For each
such side, :func:`~symbackprop.check.kinks.crossing` finds two points either side of the kink on
a random line through the leaves, and the formula is compared there with the true functions
(:func:`~symbackprop.apps.shapecheck.numeric.difference`: a table of random values would not
put a1 above 0.9999). A side that no line reaches stays missing, and the check cannot decide:
agreeing on one side of a kink says nothing of the other. Networks and models share this; each
gives its own way to evaluate at given leaves.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symbackprop.apps.shapecheck import numeric
from symbackprop.check.accuracy import LostDigits
from symbackprop.check.kinks import INSIDE, NONE, UNEVALUATED, Region, Sides, crossing
from symbackprop.errors import elide

#: digits of the true functions while searching for a crossing (the comparison uses 50)
SCAN_DIGITS = 15
#: points evaluated while searching, per formula (each a forward pass in SymPy); past it a
#: region not yet reached is not searched, and the check cannot decide
SEARCH_BUDGET = 150
#: the lines searched for one region while the points found there compare nothing (the
#: gradient and the formula 0 in the entries it reaches)
ATTEMPTS = 3
#: an evaluator at given leaves with the functions true to that many digits
PointAt = Callable[[dict[str, sp.Matrix], int], numeric.Evaluate]
#: the points compared with every entry of each kinked leaf on a random side of its kinks
MIXED_POINTS = 12


@dataclass
class Crossed:
    """What the points in the regions no random point reached found: a difference, the
    regions reached, those still missing (with why a point found there could not be
    compared, where one was found)."""

    difference: tuple[int, int, Any, Any] | None = None
    reached: list[str] = field(default_factory=list)
    missing: list[Region] = field(default_factory=list)
    why: dict[Region, str] = field(default_factory=dict)
    #: a piecewise atom whose switch values were not found (no verdict), else None
    unmapped: Any = None
    #: the kinked leaves whose entries were put on random sides of their kinks (:func:`mixed`)
    mixed: list[str] = field(default_factory=list)
    #: a point found in each region reached by a search (its leaves), for :func:`together`
    found_at: dict[Region, dict[str, sp.Matrix]] = field(default_factory=dict)
    #: the points compared where two regions of values of different leaves hold at once
    together: int = 0
    #: the regions left uncompared because the model itself has no value in them, each
    #: described with why (``s below 0, where the model's log(s) has no real value``)
    outside: list[str] = field(default_factory=list)
    #: the regions left uncompared because a target takes no such values, each with why
    #: (``y below 0 (the targets of bce lie between 0 and 1)``)
    invalid: list[str] = field(default_factory=list)
    #: the targets compared at hard labels, 0 and 1 (:func:`at_hard_targets`)
    hard: list[str] = field(default_factory=list)
    #: the regions where a search found points that counted as no comparison there, for
    #: :func:`undecided`'s sentence
    dead: set[Region] = field(default_factory=set)


def drop_invalid_targets(
    crossed: Crossed, targets: dict[str, str], show: Callable[[Any], str]
) -> None:
    """Take out of ``crossed.missing`` the regions of a target (``targets``: its name -> why
    no value of it lies outside [0, 1]) that lie wholly below 0 or above 1, into
    ``crossed.invalid``: bce's and ce's targets are probabilities, and a formula is compared at
    such targets, drawn strictly inside (``a3 - relu(y)`` was "cannot decide" for want of a
    point with y below 0 while ``a3 - abs(y)`` passed: hostile46b #2)."""
    kept = []
    for region in crossed.missing:
        why = targets.get(str(getattr(region.arg, "name", ""))) if region.joint is None else None
        if why is not None and (bool(region.high <= 0) or bool(region.low >= 1)):
            crossed.invalid.append(f"{region.describe(show)} ({why})")
        else:
            kept.append(region)
    crossed.missing = kept


def at_hard_targets(
    crossed: Crossed,
    kinds: dict[str, str],
    base: dict[str, sp.Matrix],
    gradient: Any,
    formula: Any,
    point_at: PointAt,
) -> None:
    """Once :func:`drop_invalid_targets` took out a region of a target, or a region is left
    that no point reached, compare at hard targets, the usual labels: each target of ``kinds``
    (its name -> ``"probability"``, bce's, or ``"distribution"``, ce's) at 0 and 1 in every
    entry, over two points (a checkerboard and its complement; one-hot columns, the hot row
    moved by one), the other leaves as in ``base``. The regions taken out are open, so without
    these a formula wrong exactly at a hard label (``a3 - y + 1{y <= 0}``, ``Y ⊙ 1{Y < 1}``)
    agreed everywhere compared (review47 #1). Sets ``crossed.difference`` at the first
    difference, and ``crossed.hard``."""
    # and before "cannot decide" on a region no search reached: a difference at hard targets
    # is a verdict (1{sum(y ⊙ y) >= 1}, wrong at every one-hot y: hostile47a #2)
    if not (crossed.invalid or crossed.missing) or crossed.difference is not None:
        return
    names = [name for name in kinds if name in base]
    # every target hard at once, then each alone beside the others' soft values: a model
    # with two heads takes hard labels in one and soft in the other (hostile48a #2: a formula
    # wrong where Y1 is 0 and Y2 is soft passed, compared with both hard only)
    groups = [names, *([name] for name in names)] if len(names) > 1 else [names]
    compared = 0
    for group in groups:
        for shift in (0, 1):
            leaves = dict(base)
            for name in group:
                leaves[name] = _hard(base[name].shape, kinds[name], shift)
            try:
                row = numeric.difference(_drawn(leaves, point_at), gradient, formula)
            except UNEVALUATED:  # LostDigits too: this point compares nothing
                continue
            compared += group is names
            if row is not None:
                crossed.difference = row
                crossed.hard = group
                return
    # said only of points compared (review47b #1: a cost with log(Y) has no value at Y = 0,
    # and "2 with every entry of Y 0 or 1" was said of none)
    crossed.hard = names if compared == 2 else []


def _hard(shape: tuple[int, int], kind: str, shift: int) -> sp.Matrix:
    """Hard targets of ``shape``: one-hot columns for a ce target (``kind`` "distribution",
    the hot row ``shift`` below the column's index), else a checkerboard of 0 and 1."""
    rows, cols = shape
    if kind == "distribution":  # one row: its one distribution is 1 (review47b #2)
        return sp.Matrix(rows, cols, lambda i, j: int(i == (j + shift) % rows))
    return sp.Matrix(rows, cols, lambda i, j: (i + j + shift) % 2)


def hard_note(hard: list[str]) -> str:
    """The note on a difference :func:`at_hard_targets` found."""
    return (
        f"it differs where every entry of {' and '.join(hard)} is 0 or 1 (hard targets, the "
        "usual labels), which the random points, drawn strictly between 0 and 1, do not reach"
    )


def _bounded(region: Region) -> bool:
    return bool(region.low != -sp.oo and region.high != sp.oo)


def across(
    sides: Sides,
    gradient: Any,
    formula: Any,
    base: dict[str, sp.Matrix],
    movable: list[str],
    point_at: PointAt,
    show: Callable[[Any], str],
) -> Crossed:
    """Compare ``formula`` with ``gradient`` in every region of a kinked value that ``sides``
    lacks; ``base`` is a point's leaves, ``movable`` the leaves that may move (not targets)."""
    out = Crossed()
    rng = random.Random(2718)
    spent = [0]

    def scan(leaves: dict[str, sp.Matrix]) -> numeric.Evaluate:
        spent[0] += 1
        if spent[0] > SEARCH_BUDGET:
            raise LookupError("the search stopped")  # every later point: not evaluated
        return point_at(leaves, SCAN_DIGITS)

    if sides.unmapped:
        out.unmapped = sides.unmapped[0]
        return out
    for region in sides.missing():
        if sides.reached[region] == INSIDE:
            continue  # reached by a line placed for another region
        if region.joint is not None and not region.linear and not sides.search_wedges:
            continue  # a repair candidate's shifted value: not searched, it stays missing
        # a region touched only on its edge is searched too: a drawn W1 (or a1) may equal a
        # round kink 3/5 exactly without being held there; a point there where the gradient
        # and the formula are 0 in the entries the region reaches compares nothing (x_j = 0
        # in "abs(x) below 1/1000"): the search goes on, on other lines (review14 R5)
        reached_dead = False
        for _attempt in range(ATTEMPTS):
            found = crossing(region, base, movable, scan, rng)
            if not found and spent[0] > SEARCH_BUDGET:
                out.why[region] = (
                    f"the search for a point there stopped after {SEARCH_BUDGET} points "
                    "(its budget)"
                )
            if not found:
                break
            nudged = [_off_switches(leaves, movable, rng) for leaves in found]
            row = _compare(found, nudged, point_at, gradient, formula, sides, region, out)
            if row is not None:
                out.difference = row
                return out
            if sides.reached[region] == INSIDE or region in out.why:
                break
            reached_dead = True
        if reached_dead and sides.reached[region] != INSIDE:
            out.dead.add(region)  # for the sentence only: what stays missing is decided below
        if sides.reached[region] == INSIDE:
            out.reached.append(region.describe(show))
    row = together(out, sides, gradient, formula, movable, point_at, scan, rng)
    if row is not None:
        out.difference = row
        return out
    # a region no line reaches counts as compared where a point took its piece of the
    # argument's own kinks (on a kink at its edge, or in a region another argument's kinks cut
    # off: abs(w) is never below 0); a region found but not compared never does
    # (a band between two switches is always reachable by a line, so never taken so)
    # (a joint region of two values in one entry (kinks.Region.joint) is always one too)
    kinked = kinked_leaves(sides, movable)
    if kinked:
        row = mixed(kinked, sides, gradient, formula, base, point_at)
        if row is not None:
            out.difference = row
            return out
        out.mixed = [name for name, _switches in kinked]
    taken = {
        (r.arg, r.piece) for r, level in sides.reached.items() if level != NONE and r.joint is None
    }
    out.missing = [
        r
        for r in sides.missing()
        if r in out.why or (r.arg, r.piece) not in taken or _bounded(r) or r.joint is not None
    ]
    return out


#: the nudges tried for a point that lies on a switch, each a step of :data:`NUDGE` at most
NUDGES, NUDGE = 3, sp.Rational(1, 10**12)


def _off_switches(
    leaves: dict[str, sp.Matrix], movable: list[str], rng: random.Random
) -> list[dict[str, sp.Matrix]]:
    """``leaves`` moved off a switch: the nudged points to try in turn where a difference is
    found at ``leaves`` with some base exactly on a switch value (a line's doubling step puts
    x_j = 3 - 8 = -5 on the kinks of 1{x > -5} and 1{x < -5}: review15 N11). Each moves every
    movable entry by a random rational below :data:`NUDGE` in size, far inside any region a
    search aims at (a wedge is 1e-5 wide)."""
    return [
        {
            **leaves,
            **{
                name: leaves[name].applyfunc(
                    lambda v: v + NUDGE * sp.Rational(rng.randint(-1000, 1000), 1000)
                )
                for name in movable
            },
        }
        for _ in range(NUDGES)
    ]


def _compare(
    found: list[dict[str, sp.Matrix]],
    nudged: list[list[dict[str, sp.Matrix]]],
    point_at: PointAt,
    gradient: Any,
    formula: Any,
    sides: Sides,
    region: Region,
    out: Crossed,
) -> tuple[int, int, Any, Any] | None:
    """The first difference at the points ``found`` for ``region``, else None (each point's
    regions recorded in ``sides``; why a point could not be compared in ``out.why``). A
    difference where some base lies exactly on a switch value is none: a measure-zero set
    (both 1{x > -5} and 1{x < -5} are 0 at x_j = -5); the point's ``nudged`` forms are
    compared instead, and where each of them lies on a switch too, the point is left out."""
    for point, others in zip(found, nudged, strict=True):
        for leaves in (point, *others):
            row, on_switch = _compare_one(leaves, point_at, gradient, formula, sides, region, out)
            if not on_switch:
                if row is not None:
                    return row
                break
    return None


def _drawn(leaves: dict[str, sp.Matrix], point_at: PointAt) -> Callable[[int], numeric.Evaluate]:
    """The evaluator at ``leaves`` for each precision asked, each made once."""
    memo: dict[int, numeric.Evaluate] = {}

    def at(digits: int) -> numeric.Evaluate:
        if digits not in memo:
            memo[digits] = point_at(leaves, digits)
        return memo[digits]

    return at


def _compare_one(
    leaves: dict[str, sp.Matrix],
    point_at: PointAt,
    gradient: Any,
    formula: Any,
    sides: Sides,
    region: Region,
    out: Crossed,
) -> tuple[tuple[int, int, Any, Any] | None, bool]:
    """The difference at one point (or None), and whether it lies on a switch (then no
    difference counts, and the point reaches no region)."""
    at = _drawn(leaves, point_at)
    try:
        row = numeric.difference(at, gradient, formula)
    except LostDigits:  # this point cannot be compared: its region stays missing
        out.why[region] = f"the gradient loses its {numeric.AGREED_DIGITS} digits there"
        return None, False
    except UNEVALUATED:
        out.why[region] = "the gradient cannot be evaluated there"
        return None, False
    if row is not None:
        return (None, True) if sides.on_switch(at(numeric.DIGITS)) else (row, False)
    sides.see(at(numeric.DIGITS))
    if region is not None and sides.reached.get(region) == INSIDE:
        out.found_at.setdefault(region, leaves)
    return None, False


#: the most points :func:`together` compares (pairs of regions reached apart)
TOGETHER_POINTS = 24


def together(
    out: Crossed,
    sides: Sides,
    gradient: Any,
    formula: Any,
    movable: list[str],
    point_at: PointAt,
    scan: Callable[[dict[str, sp.Matrix]], numeric.Evaluate],
    rng: random.Random,
) -> tuple[int, int, Any, Any] | None:
    """The first difference where a region the search reached and a region of a value of
    other leaves hold at once, else None: from the point found in the first, a line moving
    only the second value's leaves (which leaves the first where it is) into the second. A
    formula that differs only there (``(1 + 1{sum(W1) > 3} ⊙ 1{sum(W2) > 3}) G``) passed, with
    both regions named as compared, each apart (hostile42d #2). Values of shared leaves are
    not combined so."""
    allowed = set(movable)

    def leaves_of(region: Region) -> frozenset[str] | None:
        names = frozenset(str(m.name) for m in region.arg.atoms(sp.MatrixSymbol))
        return names if names and names <= allowed and region.joint is None else None

    others = [(region, leaves_of(region)) for region in sides.reached]
    for first, start in list(out.found_at.items()):
        mine = leaves_of(first)
        for second, theirs in others:
            if mine is None or theirs is None or mine & theirs:
                continue
            if out.together >= TOGETHER_POINTS:
                return None
            try:
                found = crossing(second, start, sorted(theirs), scan, rng)
            except UNEVALUATED:  # the search budget spent, or a point not evaluated
                return None
            for point in found[-1:]:  # the last is inside the second region
                out.together += 1
                at = _drawn(point, point_at)
                try:
                    row = numeric.difference(at, gradient, formula)
                except UNEVALUATED:  # LostDigits too: this point compares nothing
                    continue
                if row is not None and not sides.on_switch(at(numeric.DIGITS)):
                    return row
    return None


def placed_text(who: str, values: list[Any], found: frozenset[Any]) -> str:
    """The points with ``who`` (the pre-activations, a model's biased arguments) placed at
    ``values``, either side of the kinks ``found``, for the verdict's sentence ("" when
    none)."""
    if not values:
        return ""
    # the values are those of the functions' arguments where a piece changes or a power has a
    # pole (1/a3 at a3 = 0): not always kinks, and not always either side of one (one value
    # above 1/2 for 1{a3 > 0.5}: 0 below it is left out), so the sentence says only that
    # (hostile33b #4: "either side of the kinks at 0" for a sigmoid network's 1/a3); and an
    # expression's piece, not a function's: bce's stable form max(u, 0) - y u + log1p(exp(-|u|))
    # changes its piece at 0, where bce(sigmoid(u)) is smooth (hostile44b #3); and the
    # argument of one, not necessarily the value placed: a model's Z1 = W1 X + b1 is placed
    # beside bce's 0 of w A1 (newcomer45 #7: "Z1 at -1/2, 1/2 (beside 0, where a piecewise
    # expression ... changes its piece)" of a model smooth in Z1)
    return (
        f", {len(values)} with {who} at "
        + ", ".join(str(v) for v in values)
        + " (beside "
        + ", ".join(str(v) for v in sorted(found, key=lambda v: sp.N(v, 30)))
        + ", where an argument of a piecewise expression of the formula or the derivation "
        "changes its piece, or of a power has a pole)"
    )


def points_text(
    reached: list[str],
    kinked: list[str] | None = None,
    together: int = 0,
    outside: list[str] | None = None,
    invalid: list[str] | None = None,
    hard: list[str] | None = None,
) -> str:
    """The extra points for the verdict's sentence ("" when none); ``outside``: the regions
    not compared because the model has no value there, each with why; ``invalid``: those of
    targets no loss takes (a bce target below 0), each with why; ``hard``: the targets also
    compared at 0 and 1 (:func:`at_hard_targets`)."""
    text = ""
    if reached:
        text = (
            ", and where no random point reached, with "
            + ", ".join(reached)
            + f" (on lines through the leaves; compared to {numeric.AGREED_DIGITS} digits"
            + (
                f"; each apart, and at {together} more with two such values in their pieces "
                "at once"
                if together
                else "; each apart"
                if len(reached) > 1
                else ""
            )
            + ")"
        )
    if kinked:
        text += (
            f", and {MIXED_POINTS} with each entry of {', '.join(kinked)} on a random side of "
            "its kinks"
        )
    if outside:
        text += "; none with " + "; none with ".join(outside) + ", where it has no gradient"
    if invalid:
        text += "; none with " + "; none with ".join(invalid)
    if hard:
        text += f", and 2 with every entry of {' and '.join(hard)} 0 or 1 (hard targets)"
    return text


def kinked_leaves(sides: Sides, movable: list[str]) -> list[tuple[str, list[Any]]]:
    """Each movable leaf of more than one entry that is itself a kinked value (``1{W > 20}``),
    with its switch values in order."""
    found = []
    for base, values in sides.switches.items():
        if isinstance(base, sp.MatrixSymbol) and base.name in movable and values:
            rows, cols = base.shape
            if not (rows == 1 and cols == 1):
                found.append((base.name, sorted(values, key=lambda v: float(sp.N(v)))))
    return sorted(found)


def mixed(
    kinked: list[tuple[str, list[Any]]],
    sides: Sides,
    gradient: Any,
    formula: Any,
    base: dict[str, sp.Matrix],
    point_at: PointAt,
) -> tuple[int, int, Any, Any] | None:
    """The first difference at :data:`MIXED_POINTS` points with every entry of each kinked
    leaf on a random side of its kinks (the other leaves as in ``base``), or None. The regions
    are searched one entry at a time, so a formula coupling two entries of one value
    (``... ⊙ (1 - 1{W > 20} ⊙ 1{W^T < -20})``: W_ij above 20 with W_ji below -20) was
    compared only where each entry lay past its kink alone, and passed (hostile18 S1-a).
    Random sides find such a pair often, not always: points, not a proof."""
    rng = random.Random(1618)
    for _ in range(MIXED_POINTS):
        leaves = dict(base)
        for name, switches in kinked:
            pieces = list(zip([-sp.oo, *switches], [*switches, sp.oo], strict=True))
            leaves[name] = sp.Matrix(
                *base[name].shape, [_inside(rng.choice(pieces), v, rng) for v in base[name]]
            )
        row = _mixed_difference(leaves, sides, gradient, formula, point_at)
        if row is not None:
            return row
    return None


def _mixed_difference(
    leaves: dict[str, sp.Matrix], sides: Sides, gradient: Any, formula: Any, point_at: PointAt
) -> tuple[int, int, Any, Any] | None:
    """The difference at one point of :func:`mixed` (None where equal, on a switch, or where
    the point cannot be evaluated)."""
    at = _drawn(leaves, point_at)
    try:
        row = numeric.difference(at, gradient, formula)
        return None if row is None or sides.on_switch(at(numeric.DIGITS)) else row
    except (LostDigits, *UNEVALUATED):
        return None  # no comparison at this point


def _inside(piece: tuple[Any, Any], current: Any, rng: random.Random) -> Any:
    """``current`` (the entry at the live base point) where it lies inside ``piece`` (an
    interval between switches), else a rational inside it, away from its ends: the point
    stays as live as the base where no entry moves."""
    low, high = piece
    if bool(low < current) and bool(current < high):
        return current
    share = sp.Rational(rng.randint(20, 80), 100)
    if low == -sp.oo and high == sp.oo:
        return share
    if low == -sp.oo:
        return sp.floor(sp.N(high, 30)) - 1 - share
    if high == sp.oo:
        return sp.ceiling(sp.N(low, 30)) + 1 + share
    a, b = sp.Rational(str(sp.N(low, 30))), sp.Rational(str(sp.N(high, 30)))
    return a + (b - a) * share


#: the longest text of an expression a sentence shows whole (a longer one is elided)
LONGEST_SHOWN = 160


def undecided(crossed: Crossed, show: Callable[[Any], str]) -> str:
    """The sentence saying which region of a kinked value was not compared, and why."""
    if crossed.unmapped is not None:
        # a sum written out entry by entry runs to pages: its start and end, as user text is
        shown = elide(show(crossed.unmapped), LONGEST_SHOWN)
        return (
            # a pole too (1 / sqrt(var + 0.001)), which "switches" misnamed (hostile41d #2)
            f"the values of one variable where {shown} changes its piece or "
            "has a pole could not be found, so its sides were not compared: the check cannot "
            "decide"
        )
    region = crossed.missing[0]
    where = region.describe(show)
    why = crossed.why.get(region)
    if why is None and region in crossed.dead:
        # "no point compared had z1 below 0" was false of a clamp's relu(z) - relu(z - 6),
        # whose gradient is 0 there (hostile48a #5)
        head = f"points with {where} were found, but none of them counted as a comparison there"
    elif why is None:
        head = f"no point compared had {where}, nor any on lines through the leaves"
    elif why.startswith("the search"):
        head = f"no point with {where} was found: {why}"
    else:
        head = f"points with {where} were found, but {why}"
    others = len(crossed.missing) - 1
    more = f" ({others} more such region{'s' if others > 1 else ''})" if others else ""
    return (
        # the edge may be an indicator's, abs's or relu's kink, or where a root or a log has
        # no value (sqrt(var + 0.001) at var = -1/1000): "kink (of an indicator, abs or relu)"
        # named a square root's edge so (hostile38b #6)
        f"{head}, so the two were not compared beyond that edge (where a function changes its "
        f"piece or has no value){more}; agreeing on one side of it says nothing of the other: "
        "the check cannot decide"
    )
