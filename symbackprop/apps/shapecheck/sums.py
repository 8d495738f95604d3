"""Sums over an entry index: written out where the bounds are numbers, kept where they are not.

A formula's ``sum(M)`` is the sum of M's entries, ``Sum(M[i, j], (i, 0, r - 1), (j, 0, c - 1))``
over the generic sizes. SymPy's ``doit`` on such a sum searches a closed form (Gosper's
algorithm, hypergeometric terms), which an entry of a matrix never has: 0.3-0.5 s a sum for
``sum((A w - b)^2)``, spent on every product the sum is a factor of, since a product of
matrix expressions runs ``doit`` on its factors. :class:`EntrySum` keeps such a sum as it is
(a summand free of the index is multiplied by the count, so a size written as ``sum(x^0)``
still reads as n), and :func:`unrolled` writes a sum with numeric bounds out as its terms
(the same value, added as numbers).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import sympy as sp
from mpmath.libmp import prec_to_dps

#: the most terms a sum over an index with numeric bounds is written out as (:func:`unrolled`)
MAX_UNROLLED = 100_000


class EntrySum(sp.Sum):
    """A sum over entry indices whose ``doit`` searches no closed form (module docstring)."""

    def doit(self, **hints: Any) -> Any:
        summand = self.function.doit(**hints) if hints.get("deep", True) else self.function
        limits = list(self.limits)
        if all(_numeric(low, high) for _index, low, high in limits):
            return unrolled(sp.Sum(summand, *limits)).doit(**hints)
        # the indices the summand does not read: each a factor of its count (sum(x^0) = n)
        kept = []
        for index, low, high in limits:
            if index in summand.free_symbols:
                kept.append((index, low, high))
            else:
                summand = summand * (high - low + 1)
        return EntrySum(summand, *kept) if kept else summand

    def has(self, *patterns: Any) -> bool:
        """SymPy's ``has``, except that a sum says it holds no ``Piecewise``: SymPy's
        ``piecewise_fold``, which a Piecewise runs on every condition it is given, asks each
        node that before folding through its arguments, and folds a piece of the summand out
        of the sum as if its condition did not read the index: ``1{sum(1{x > 0}) > 5}`` became
        ``ITE(x[i, 0] > 0, n0 > 5, False)`` with i free, no value at any point (hostile48a
        #7). Only that exact question is answered so; a walk over the sum's arguments still
        finds the piece inside."""
        if patterns == (sp.Piecewise,):
            return False
        return bool(super().has(*patterns))

    def _eval_evalf(self, prec: int) -> Any:
        # SymPy's evalf finds Sum's numeric summation by the exact class: a subclass is
        # evaluated as the Sum it is (written out where its bounds are numbers)
        numeric = all(_numeric(low, high) for _index, low, high in self.limits)
        written = unrolled(sp.Sum(*self.args)) if numeric else sp.Sum(*self.args)
        return written.evalf(prec_to_dps(prec))


def entry_sums(expr: Any) -> Any:
    """``expr`` with each SymPy ``Sum`` an :class:`EntrySum`."""
    if not isinstance(expr, sp.Basic) or not expr.has(sp.Sum):
        return expr
    return expr.replace(
        lambda node: isinstance(node, sp.Sum) and not isinstance(node, EntrySum),
        lambda node: EntrySum(*node.args),
    )


def _numeric(low: Any, high: Any) -> bool:
    return bool(
        getattr(low, "is_Integer", False)
        and getattr(high, "is_Integer", False)
        and int(high) - int(low) < MAX_UNROLLED
    )


def unrolled(expr: Any) -> Any:
    """``expr`` with every sum over indices whose bounds are numbers written out as its
    terms (innermost first; up to :data:`MAX_UNROLLED` terms a sum): the same value, and
    SymPy's ``doit`` then adds numbers, where on the sum itself it first searches a closed
    form (``sum((A w - b)^2)`` at a 6 x 7 A: 0.4 s against 0.01 s). A value at a point is
    written out by :func:`written_at` instead."""
    if not isinstance(expr, sp.Basic) or not expr.has(sp.Sum):
        return expr

    def concrete(node: Any) -> bool:  # its first (innermost) index has numeric bounds
        return isinstance(node, sp.Sum) and _numeric(node.limits[0][1], node.limits[0][2])

    def terms(node: Any) -> Any:
        body = node.function
        every = all(_numeric(low, high) for _index, low, high in node.limits)
        # a bound that names an outer index (n - 1) is no number yet: innermost first below
        ranges = [range(int(lo), int(hi) + 1) for _i, lo, hi in node.limits] if every else []
        if every and math.prod(len(r) for r in ranges) <= MAX_UNROLLED:
            # every index at once: a body half written out (W2[0, j] of a sum over i and j)
            # is no number, and SymPy asks each function of it whether it is real, which a
            # nest of tanh answers in time exponential in its depth (sum(tanh^8(W2)): minutes)
            indices = [index for index, _low, _high in node.limits]
            return sp.Add(
                *(
                    body.xreplace(dict(zip(indices, map(sp.Integer, values), strict=True)))
                    for values in itertools.product(*ranges)
                )
            )
        (index, low, high), *outer = node.limits
        inner = sp.Add(*(body.xreplace({index: sp.Integer(k)}) for k in range(low, high + 1)))
        return sp.Sum(inner, *outer) if outer else inner

    while True:  # a sum whose bounds name an outer index is numeric once that one is out
        written = expr.replace(concrete, terms)
        if written == expr:
            return written
        expr = written


def written_at(expr: Any, rule: dict[Any, Any]) -> Any:
    """``expr`` with ``rule`` (a matrix symbol -> its explicit value at a point) put in and
    every sum whose bounds are numbers written out, the outermost first, with nothing
    evaluated: ``doit`` then evaluates it bottom up, every argument a number. Written out from
    the inside, a sum inside a nest of functions of another sum's entry (``sum(tanh^6(W2
    a1))``: the product's sum over k inside, the entries' over i outside) put the point into
    the nest while i was still a symbol, and SymPy asked each level whether it is real, in
    time exponential in the depth (review48 #1: over 300 s at 8 levels)."""
    with sp.evaluate(False):
        return _outermost_first(expr.xreplace(rule) if rule else expr)


def _outermost_first(node: Any) -> Any:
    """:func:`written_at`'s walk (called with SymPy's evaluation off)."""
    if isinstance(node, sp.Sum) and all(_numeric(low, high) for _i, low, high in node.limits):
        ranges = [range(int(low), int(high) + 1) for _i, low, high in node.limits]
        if math.prod(len(r) for r in ranges) <= MAX_UNROLLED:
            indices = [index for index, _low, _high in node.limits]
            return sp.Add(
                *(
                    _outermost_first(
                        node.function.xreplace(
                            dict(zip(indices, map(sp.Integer, values), strict=True))
                        )
                    )
                    for values in itertools.product(*ranges)
                )
            )
    if not isinstance(node, sp.Basic) or not node.args or not node.has(sp.Sum):
        return node
    return node.func(*(_outermost_first(arg) for arg in node.args))
