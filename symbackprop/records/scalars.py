"""The scalar placeholders shared by activation and loss records and the engine.

Records are written in these scalar symbols; the engine lifts scalar results back to matrices
by mapping ``z -> Z[l]``, ``a -> A[l]``, ``y -> Y`` and ``u -> upstream gradient``.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

z = sp.Symbol("z", real=True)
a = sp.Symbol("a", real=True)
y = sp.Symbol("y", real=True)
u = sp.Symbol("u", real=True)
#: the sum of the targets over one example (one column of Y); the softmax rule needs it
s = sp.Symbol("s", real=True)


def indicator_pieces(body: sp.Piecewise) -> list[tuple[sp.Expr, sp.Basic]] | None:
    """A two-piece ``Piecewise((v, cond), (w, True))`` as ``[(v, cond), (w, not cond)]``.

    Printers write it in the lecture's indicator notation, ``v 1{cond} + w 1{not cond}``
    (leaky_relu'(z) = 1{z > 0} + (1/100) 1{z <= 0}), instead of Python's ``v if cond else w``.
    ``None`` when the body is not of that form (the printer then lists the pieces).
    """
    pieces = list(body.args)
    if len(pieces) != 2 or pieces[1].cond is not sp.true:
        return None
    cond = pieces[0].cond
    if not isinstance(cond, sp.core.relational.Relational):
        return None
    return [(pieces[0].expr, cond), (pieces[1].expr, cond.negated)]


def indicator_sum(
    body: sp.Piecewise,
    show: Callable[[sp.Basic], str],
    indicator: Callable[[str], str],
    scaled: Callable[[str, str], str],
    entrywise: tuple[Callable[[sp.Basic], bool], Callable[[str, str], str]] | None = None,
) -> str | None:
    """``v 1{c} + w 1{not c}`` for a two-piece body, printed by the caller's ``show``: every
    printer (text, LaTeX, the reasons' plain text) writes piecewise bodies through this one
    rule. ``indicator(cond_text)`` spells 1{...}, ``scaled(value_text, indicator_text)`` a
    coefficient; zero terms drop, coefficient 1 is not written. ``entrywise``: (is a matrix,
    spelling), a value the first says is a matrix (it reads the matrix argument of an
    element-wise function) multiplies its indicator as the second spells it, with ⊙ (side by
    side would be a matrix product). ``None``: not of that form."""
    pieces = indicator_pieces(body)
    if pieces is None:
        return None

    def term(value: sp.Basic, cond: sp.Basic) -> str:
        if value == 1:
            return indicator(show(cond))
        times = scaled
        if entrywise is not None and entrywise[0](value):
            times = entrywise[1]
        return times(show(value), indicator(show(cond)))

    terms = [term(value, cond) for value, cond in pieces if value != 0]
    return " + ".join(terms) or "0"


def piece_list(body: sp.Piecewise, show: Callable[[sp.Basic], str]) -> str:
    """Any other piecewise body as ``v where c; w otherwise``."""
    return "; ".join(
        f"{show(piece.expr)} where {show(piece.cond)}"
        if piece.cond is not sp.true
        else f"{show(piece.expr)} otherwise"
        for piece in body.args
    )


__all__ = [
    "a",
    "indicator_pieces",
    "indicator_sum",
    "piece_list",
    "s",
    "u",
    "y",
    "z",
]
