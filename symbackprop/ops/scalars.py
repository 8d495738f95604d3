"""The scalar placeholders shared by activation and loss records and the engine.

Records are written in these scalar symbols; the engine lifts scalar results back to matrices
by mapping ``z -> Z[l]``, ``a -> A[l]``, ``y -> Y`` and ``u -> upstream gradient``.
"""

from __future__ import annotations

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


def scalar_text(expr: sp.Expr) -> str:
    """A scalar record expression as one line of text; piecewise bodies as indicator sums."""
    if isinstance(expr, sp.Piecewise):
        pieces = indicator_pieces(expr)
        if pieces is not None:
            terms = []
            for value, cond in pieces:
                if value == 0:
                    continue
                ind = f"1{{{sp.sstr(cond)}}}"
                terms.append(ind if value == 1 else f"({sp.sstr(value)}) {ind}")
            return " + ".join(terms) or "0"
        return "; ".join(
            f"{sp.sstr(piece.expr)} where {sp.sstr(piece.cond)}"
            if piece.cond is not sp.true
            else f"{sp.sstr(piece.expr)} otherwise"
            for piece in expr.args
        )
    return sp.sstr(expr)


__all__ = ["a", "indicator_pieces", "s", "scalar_text", "u", "y", "z"]
