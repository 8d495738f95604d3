"""Arrows of a model's graph that skip columns, routed around the boxes they would cross.

An arrow from a box to a box two or more columns further on (``D = Z - mu``: Z to D, past the
column of mu) was a straight line, and it could pass through a box between them: Z -> D read
as Z -> mu -> D. :func:`route` keeps such an arrow straight where it misses every box in the
columns it skips; else it goes through each of those columns along a horizontal lane in a
gap between boxes (or above or below them), the one nearest the straight line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: the least distance between an arrow and a box it passes
CLEARANCE = 8.0
#: the distance between two lanes sharing one gap
LANE_STEP = 7.0
#: how many lanes of one gap are tried before the next gap
_TRIES = 8

Point = tuple[float, float]


@dataclass
class Column:
    """The boxes of one column: its left and right edges and each box's top and bottom."""

    left: float
    right: float
    spans: list[tuple[float, float]]
    #: gap (its lane's nominal y) -> how many arrows already pass there
    used: dict[float, int] = field(default_factory=dict)

    def blocked(self, y_low: float, y_high: float) -> bool:
        """Whether a line between heights ``y_low`` and ``y_high`` meets a box (with room)."""
        return any(
            y_low < bottom + CLEARANCE and y_high > top - CLEARANCE for top, bottom in self.spans
        )

    def lane(self, near: float, gap: float) -> float:
        """The free height nearest ``near`` for a horizontal pass through this column: the
        height itself, the middle of a gap between two boxes, or ``gap`` above or below all;
        an arrow that shares a gap with others is moved aside by :data:`LANE_STEP`."""
        if not self.blocked(near, near):
            return near
        spans = sorted(self.spans)
        inner = [
            (bottom + top) / 2 for (_, bottom), (top, _) in zip(spans, spans[1:], strict=False)
        ]
        above, below = spans[0][0] - gap / 2, spans[-1][1] + gap / 2
        for chosen in sorted([*inner, above, below], key=lambda y: abs(y - near)):
            count = self.used.get(chosen, 0)
            for k in range(count, count + _TRIES):
                if chosen in (above, below):  # away from the boxes only: always free
                    y = chosen + k * LANE_STEP * (-1 if chosen == above else 1)
                else:  # 0, +1, -1, +2, ... steps: several arrows through one gap stay apart
                    y = chosen + (k + 1) // 2 * (1 if k % 2 else -1) * LANE_STEP
                # a step may reach into a box beside a narrow gap (hostile36c #3: an arrow of
                # an unrolled RNN ran through h2): the next free lane instead
                if not self.blocked(y, y):
                    self.used[chosen] = k + 1
                    return y
        raise AssertionError("the lanes above and below every box are always free")


def route(start: Point, end: Point, between: list[Column], gap: float) -> tuple[Point, ...]:
    """The waypoints of an arrow from ``start`` to ``end`` past the columns ``between`` (in
    order, left to right): none where the straight line misses their boxes, else two per
    column (where the lane enters and leaves it)."""
    (x1, y1), (x2, y2) = start, end

    def height(x: float) -> float:
        return y1 + (y2 - y1) * (x - x1) / (x2 - x1) if x2 != x1 else y1

    if not any(
        column.blocked(
            min(height(column.left), height(column.right)),
            max(height(column.left), height(column.right)),
        )
        for column in between
    ):
        return ()
    points: list[Point] = []
    for column in between:
        y = column.lane(height((column.left + column.right) / 2), gap)
        points += [(column.left, y), (column.right, y)]
    return tuple(points)
