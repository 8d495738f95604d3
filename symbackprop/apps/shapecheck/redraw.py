"""The compared points of one size setting, a point on a switch drawn again: networks and models.

A point where some base lies exactly on one of its switch values (x_j = 2, drawn from few
rationals, beside ``1{x ⊙ x > 4}`` and ``1{x ⊙ x < 4}``: both 0 there, a factor that is 1
everywhere else) may show a difference on a set of measure zero, no counterexample (review15
N11, review16 T3 for models). Such a point is drawn again, :data:`REDRAWS` times at most; it
reaches no region (its difference would go unseen there, review16 T1), and where every redraw
is on a switch too, its difference is the verdict (a wrong formula is not let through because
its points keep landing on switches).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from symbackprop.check.kinks import Evaluate, Sides

#: the further draws where a point with a difference lies on a switch
REDRAWS = 3


@dataclass
class Drawn:
    """One compared point: ``evaluate`` (what :class:`Sides` reads), the first difference
    there (``row``, None where equal) and whether the gradient is live there (not 0 in every
    entry: a dead point compares nothing either side of a kink)."""

    evaluate: Evaluate
    row: Any
    live: bool = True


def first_difference(draw: Callable[[], Drawn], trials: int, sides: Sides, *, exact: bool) -> Any:
    """The first difference (a :class:`Drawn` row) at ``trials`` points of ``draw`` (each
    call the next point), or None; ``sides`` records the regions the points reached.

    A point with a difference and some base on a switch is drawn again (above); it counts
    as compared only where none is left."""
    draws, done = 0, 0
    on_switch: Any = None
    while done < trials and draws < trials + REDRAWS:
        draws += 1
        point = draw()
        if point.row is not None and sides.on_switch(point.evaluate, exact=exact):
            on_switch = on_switch if on_switch is not None else point.row
            continue
        sides.see(point.evaluate, inside=point.live, exact=exact)
        done += 1
        if point.row is not None:
            return point.row
    return on_switch if done < trials else None
