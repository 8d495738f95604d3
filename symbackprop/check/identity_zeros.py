"""A log, root, division or inverse of a value that is 0 at every point by an identity of
functions, which the exact check's random tables cannot see.

``0 * sum(log(sigmoid(w) + sigmoid(-w) - 1))``: the tables give sigmoid(w) and sigmoid(-w)
independent random values, so the argument is not 0 there, and the generated code folds the
``0 *`` away, so finite differences pass (hostile31 F8, F9). The true functions at 30 and 60
digits show it: where an argument is 0 (or shrinks with the digits, rounding noise) at every
entry, at each of :data:`DRAWS` random points, while the tables give it a value, the model has
no value anywhere. An argument the tables make 0 as well (relu(w) at a negative w) is a
point outside the domain, which the exact check redraws; it is not judged here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sympy as sp

from symbackprop.check.interpret import Interpretation, RealInterpretation
from symbackprop.core.graph import Kind
from symbackprop.core.model_graph import has_pole

if TYPE_CHECKING:
    from symbackprop.core.model_derivation import ModelDerivation

#: a model's point check at the exact check's sizes and seed, with the given function tables
#: (:class:`~symbackprop.check.model_exact.ModelCheck`, passed in: it calls this module)
Checks = Callable[[type[Interpretation]], Any]

#: the precisions the true functions are evaluated at: rounding noise shrinks from one to the
#: other, a value does not
DIGITS = (30, 60)
#: random points at which an argument must be 0 (relu(w) of a 1 x 1 w is 0 at half of them)
DRAWS = 3
#: rounding noise at 60 digits is below this where it was exactly 0 at 30
_NOISE = sp.Float(10, 80) ** -40
#: and this many times smaller than at 30 digits where it was not: a value (exp(-1250) is
#: tiny, but the same at both precisions) does not shrink
_SHRINK = sp.Float(10, 80) ** -10


def _real(digits: int) -> type[RealInterpretation]:
    class _Digits(RealInterpretation):
        DIGITS = digits

    return _Digits


def domain_arguments(derivation: ModelDerivation) -> list[tuple[str, str, str]]:
    """(node, argument value, what it is) for every function with no value at 0: a log, a
    root, a reciprocal (a derivative with its argument in a denominator), a logdet or an
    inverse (whose argument's determinant is judged)."""
    graph = derivation.graph
    out: list[tuple[str, str, str]] = []
    for name, node in graph.nodes.items():
        if not node.args or not hasattr(node.args[0], "name"):
            continue
        arg = str(node.args[0].name)
        if node.kind in (Kind.LOGDET, Kind.INVERSE):
            out.append((name, arg, "determinant"))
        elif (
            node.kind is Kind.FUNCTION
            and getattr(node.record, "activation", 1) is None
            and has_pole(node.record.derivative)
        ):
            out.append((name, arg, node.record.name))
    return out


def rounding_zero(coarse: Any, fine: Any) -> bool:
    """Whether a number at 30 digits (``coarse``) and 60 (``fine``) is rounding noise around
    0: it shrinks with the digits (or stays exactly 0). A value, however tiny, does not."""
    if coarse == 0:
        return bool(abs(fine) <= _NOISE)
    return bool(abs(fine) <= abs(coarse) * _SHRINK)


def _values(check: Any, env: dict[str, Any], arg: str, kind: str) -> list[Any] | None:
    """The argument's entries at ``env`` (its determinant for a logdet or an inverse), or
    None where the forward pass stopped before it."""
    value = env.get(arg)
    if value is None:
        return None
    matrix = sp.Matrix(value)
    if kind == "determinant":
        return [matrix.det(method="berkowitz")]
    return list(matrix)


def identity_zero(derivation: ModelDerivation, checks: Checks) -> str | None:
    """Why the model has no value anywhere (see the module docstring), or None; ``checks``
    makes the model's point checks with each interpretation of the functions."""
    judged = domain_arguments(derivation)
    if not judged:
        return None
    tables = checks(Interpretation)
    reals = [checks(_real(d)) for d in DIGITS]
    still = {node: (arg, kind) for node, arg, kind in judged}
    for _draw in range(DRAWS):
        leaves = tables.leaves()
        envs = [check.forward_values(leaves) for check in (tables, *reals)]
        for node, (arg, kind) in list(still.items()):
            table_values, *real_values = (
                _values(check, env, arg, kind)
                for check, env in zip((tables, *reals), envs, strict=True)
            )
            coarse, fine = real_values
            zero = coarse is not None and fine is not None
            zero = zero and all(
                rounding_zero(c, f) for c, f in zip(coarse or [], fine or [], strict=True)
            )
            told = table_values is not None and any(v != 0 for v in table_values)
            if not (zero and told):
                del still[node]
        if not still:
            return None
    node, (_arg, kind) = next(iter(still.items()))
    what = "the determinant of its argument" if kind == "determinant" else "its argument"
    return (
        f"the model has no value at any of the {DRAWS} points drawn: in "
        f"{derivation.graph.value_text(node)}, {what} is 0 to {DIGITS[-1]} digits (an "
        "identity of its functions)"
    )
