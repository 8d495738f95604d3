"""SymPy's numbers that are no real value: NaN, the complex infinity ``zoo`` (SymPy's 1/0)
and the two real infinities. A formula, a check or a printer that meets one of them at a point
says "undefined there" or "infinite", never compares it as a number.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

#: NaN, zoo (1/0), oo and -oo
NO_VALUE: tuple[sp.Basic, ...] = (sp.nan, sp.zoo, sp.oo, -sp.oo)


def has_no_value(expr: Any) -> bool:
    """Whether the SymPy object ``expr`` (a number, an expression, an explicit matrix) holds
    NaN, zoo or an infinity anywhere in it."""
    return bool(expr.has(*NO_VALUE))


def defined_nowhere(value: sp.Basic) -> bool:
    """Whether ``value`` holds an infinity or ``nan`` at every point. A piece of a Piecewise
    with a value somewhere does not count: ``relu(s + 100) / relu(s + 100)`` is 1 wherever
    s > -100 and only its other piece is ``zoo`` (hostile33b #3: it was refused as undefined),
    and a matrix divided by ``relu(sum(w ⊙ w) + 1)`` has a value wherever that is above 0
    (hostile48d #6)."""
    if not has_no_value(value):
        return False
    somewhere = value.replace(
        lambda node: (
            isinstance(node, sp.Piecewise)
            and any(not has_no_value(piece.expr) for piece in node.args)
        ),
        lambda node: sp.Dummy(real=True),
    )
    return has_no_value(somewhere)


def not_real(value: Any) -> bool:
    """Whether ``value`` is a SymPy number that is not real (a log, a root or a fractional
    power of a negative number: ``1.5*I``, ``(-1)^(1/3)``)."""
    return (
        isinstance(value, sp.Basic) and bool(value.is_number) and value.is_extended_real is False
    )


__all__ = ["NO_VALUE", "defined_nowhere", "has_no_value", "not_real"]
