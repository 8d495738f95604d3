"""The argument of a function's derivative in a reason (``tanh'`` is ``1 - tanh(·)^2``).

The reason holds the argument as the symbol named ``ARGUMENT_NAME`` (``·``). Every printer
writes it in parentheses, ``2 (·)`` and ``(·)^2``, except where the function around it has its
own delimiters: ``tanh(·)``, ``√·``, ``|·|``, ``1{· > 0}``. There the printer first swaps it
for the bare placeholder (:func:`marked`), printed without parentheses.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

#: the argument in a function's derivative shown in a reason ("derivative 1 - tanh(·)^2"): no
#: model name can be "·", so it never reads as one of the model's values (t is one in some)
ARGUMENT_NAME = "·"

#: the placeholder's name where it is printed without parentheses
BARE_NAME = ARGUMENT_NAME + "bare"


def is_placeholder(expr: Any) -> bool:
    """Whether ``expr`` is the placeholder argument itself."""
    return isinstance(expr, sp.Symbol) and expr.name == ARGUMENT_NAME


def bare(expr: Any) -> Any:
    """``expr`` with the placeholder swapped for the bare one."""
    return expr.xreplace(
        {
            s: sp.Symbol(BARE_NAME, real=s.is_real)
            for s in expr.atoms(sp.Symbol)
            if is_placeholder(s)
        }
    )


def marked(expr: Any) -> Any:
    """A scalar ``expr`` with the placeholder bare wherever the function around it delimits it:
    the sole argument of a call (``tanh(·)``, ``|·|``), under a root, in an indicator's
    condition. Matrix expressions (which never hold the placeholder) come back as they are."""
    if getattr(expr, "is_Matrix", True) or not isinstance(expr, sp.Basic):
        return expr
    if not any(is_placeholder(s) for s in expr.atoms(sp.Symbol)):
        return expr
    swaps = {}
    for sub in sp.preorder_traversal(expr):
        if isinstance(sub, sp.Piecewise):
            swaps[sub] = sp.Piecewise(*((p.expr, bare(p.cond)) for p in sub.args))
        elif (isinstance(sub, sp.Function) and _sole_argument(sub)) or _is_root(sub):
            swaps[sub] = bare(sub)
    return expr.xreplace(swaps)


def _sole_argument(expr: Any) -> bool:
    return len(expr.args) == 1 and is_placeholder(expr.args[0])


def _is_root(expr: Any) -> bool:
    return isinstance(expr, sp.Pow) and is_placeholder(expr.base) and abs(expr.exp) == sp.S.Half
