"""Scalar algebra the engine may do: bounded ``simplify`` and verified equalities.

Everything the engine simplifies is small (:func:`is_small_scalar`), so no formula can make a
derivation hang; every equality chain a step stores is checked here first
(:func:`verify_chain`), memoised, so a deep network pays for each distinct chain once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import sympy as sp

from symbackprop.core.lift import is_liftable
from symbackprop.errors import InternalError
from symbackprop.records import scalars

if TYPE_CHECKING:
    from symbackprop.records.activations import Activation

#: scalar algebra is handed to ``sp.simplify`` only up to this many operations (``count_ops``)
SIMPLIFY_MAX_OPS = 40
#: ... and only when every integer exponent is at most this in absolute value: simplify
#: expands and factors powers, so ``(1 + z)^999`` would take hours with very few operations
SIMPLIFY_MAX_EXPONENT = 12
#: ... and only with numbers of at most this many digits
SIMPLIFY_MAX_DIGITS = 12


@functools.lru_cache(maxsize=1024)
def is_small_scalar(expr: sp.Basic) -> bool:
    """True when ``expr`` is small enough for ``sp.simplify`` and exact evaluation.

    The measure is structural (operation count, exponents, number sizes), so it costs time
    linear in the expression (memoised: a deep network asks about each activation's
    derivative once per layer); everything the built-in activations and losses produce is far
    below it, so their cancellations (BCE with sigmoid, CE with softmax) are still derived.
    """
    if sp.count_ops(expr) > SIMPLIFY_MAX_OPS:
        return False
    for node in sp.preorder_traversal(expr):
        if (
            isinstance(node, sp.Pow)
            and node.exp.is_Number
            and abs(node.exp) > SIMPLIFY_MAX_EXPONENT
        ):
            return False
        if (
            isinstance(node, sp.Rational)
            and max(len(str(abs(node.p))), len(str(node.q))) > SIMPLIFY_MAX_DIGITS
        ):
            return False
    return True


def lifts_derivative(act: Activation) -> bool:
    """True when g' is written out in the derivation (rational in the cache, and small).

    Otherwise the derivation shows the opaque factor ``g'(z)`` (``records.nodes.derivative_of``)
    and the exact check treats g' as an uninterpreted function, like softplus'.
    """
    return act.derivative_is_rational and is_small_scalar(act.cached_derivative)


def evaluates_exactly(act: Activation) -> bool:
    """True when the exact check evaluates g itself in rationals (rational and small)."""
    return act.is_rational and act.formula is not None and is_small_scalar(act.formula)


def bounded_simplify(expr: sp.Expr) -> sp.Expr:
    """``factor_terms(cancel(expr))`` when :func:`is_small_scalar`, else ``expr`` unchanged.

    The scalar algebra inside an element-wise product is rational in the cached values (BCE
    with sigmoid: ((1 - y)/(1 - a) - y/a) a(1 - a) = a - y), so putting it over a common
    denominator and cancelling is the simplification it needs: on every activation and loss
    pair a network allows it gives what ``sp.simplify`` gave, whose first call alone costs a
    sixth of a second (it imports sympy.physics). Leaving an expression as it is is always
    correct (it is the same function); it only means that a cancellation is not shown.
    Nothing in the engine simplifies without this bound, so no formula can make a derivation
    hang.
    """
    if not is_small_scalar(expr):
        return expr
    return sp.factor_terms(sp.cancel(expr))


def cancelled_product(dl: sp.Expr, act: Activation) -> sp.Expr | None:
    """A loss's dL/da times ``act``'s g' (in the cached a), simplified on scalars when that
    makes it smaller and it lifts back entry by entry (bce after sigmoid: a - y); else
    ``None``."""
    if not lifts_derivative(act):
        return None
    product = dl * act.cached_derivative
    simpler = bounded_simplify(product)
    if not is_liftable(simpler) or sp.count_ops(simpler) >= sp.count_ops(product):
        return None
    return simpler


def pole_cancelled(dl: sp.Expr, act: Activation) -> sp.Expr | None:
    """``dl`` (a function's derivative in the activation's output a, with a pole: log's 1/a)
    times ``act``'s g', simplified on scalars, when the pole cancels and it lifts back entry
    by entry (sigmoid: (1/a) a(1 - a) = 1 - a) or when g' confines it to a branch that
    excludes it (relu's 1{a > 0} with sqrt's 1/(2 sqrt(a))); else ``None``."""
    if not lifts_derivative(act):
        return None
    simpler = sp.piecewise_fold(bounded_simplify(sp.Mul(dl, act.cached_derivative)))
    if isinstance(simpler, sp.Piecewise) and simpler.free_symbols == {scalars.a}:
        # relu's 1{a > 0} times sqrt's 1/(2 sqrt(a)): the pole lies outside a > 0, and the
        # printed code takes the branch only where its condition holds
        return simpler
    _, denominator = sp.fraction(sp.together(simpler))
    if not is_liftable(simpler) or denominator.has(scalars.a):
        return None
    return simpler


def verify_chain(chain: tuple[Any, ...], assume: Mapping[Any, Any] | None = None) -> None:
    """Check that every ``=`` of ``chain`` holds (after substituting ``assume``, e.g. s = 1).

    Raises :class:`InternalError` on an equality SymPy cannot confirm: a step never stores an
    equation that has not been checked.
    """
    pairs = tuple(sorted((assume or {}).items(), key=lambda kv: sp.default_sort_key(kv[0])))
    for left, right in zip(chain, chain[1:], strict=False):
        if not _equal(left, right, pairs):
            raise InternalError(f"scalar algebra {left} = {right} does not hold")


def verify_termwise(
    chains: Iterable[tuple[Any, ...]], assume: Mapping[Any, Any] | None = None
) -> None:
    """Check a chain of sums (sum_k l_k = sum_k r_k = ...) term by term: each of ``chains``
    is one term's own chain, checked by :func:`verify_chain`, so the sums are equal however
    many terms they have (checked whole, a long sum would exceed the size bound)."""
    for chain in chains:
        verify_chain(chain, assume)


@functools.lru_cache(maxsize=4096)
def _equal(left: Any, right: Any, assume: tuple[tuple[Any, Any], ...]) -> bool:
    difference = (left - right).subs(dict(assume))
    if difference == 0:
        return True
    if is_small_scalar(difference):
        return bool(sp.cancel(difference) == 0 or sp.simplify(difference) == 0)
    return False
