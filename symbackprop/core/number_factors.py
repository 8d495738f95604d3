"""The numbers of a chain of products, multiplied together before the chain is built.

A model's ``sum(W x) * exp(400) * (1 + exp(400)) / exp(400)`` is ((s c1) c2) / c1: built
factor by factor, the module computes s c1 (about 5e173 s), then that times c2 (about
3e347 s: inf in float64), then divides by c1, so the cost is inf although its value, about
5e173 s, is well inside the float range. The numbers commute with every factor of such a
chain (element-wise products, quotients and matrix products alike), so the graph builder
(:mod:`symbackprop.core.model_graph`) multiplies them first, exactly in SymPy
(exp(400) (1 + exp(400)) / exp(400) is 1 + exp(400)), and scales by their product once, where
the first of them stood. A chain with fewer than two numbers is built as written; so is a chain
of numbers only (SymPy multiplies those exactly as it is).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from symbackprop.formula import Binary, Num
from symbackprop.formula import Node as FormulaNode

#: the operators of a chain of products (``@`` takes matrices only, so it has no number)
PRODUCTS = frozenset({"*", "⊙", "/", "juxt"})


def gather_numbers(node: Binary, is_number: Callable[[FormulaNode], bool]) -> Binary:
    """``node`` (a product ``f0 op1 f1 op2 f2 ...``, read along its left operands) with its
    numbers (``is_number``) multiplied into one factor that stands where the first stood:
    ``X * c1 / Y * c2`` becomes ``X * (c1 * c2) / Y``, ``X / c1 * c2`` becomes
    ``X * (1/c1 * c2)``. ``node`` itself when it has fewer than two numbers, or no other
    factor."""
    factors: list[tuple[str, FormulaNode]] = []
    current: FormulaNode = node
    while isinstance(current, Binary) and current.op in PRODUCTS:
        factors.append((current.op, current.right))
        current = current.left
    factors.append(("", current))
    factors.reverse()
    numbers = [i for i, (_, factor) in enumerate(factors) if is_number(factor)]
    if len(numbers) < 2 or len(numbers) == len(factors):
        return node
    coefficient: FormulaNode | None = None
    for i in numbers:
        op, factor = factors[i]
        if coefficient is None:
            one = Num(Fraction(1), factor.pos)
            coefficient = Binary("/", one, factor, factor.pos) if op == "/" else factor
        else:
            coefficient = Binary("/" if op == "/" else "*", coefficient, factor, factor.pos)
    assert coefficient is not None
    kept = [pair for i, pair in enumerate(factors) if i not in numbers]
    # every factor before the first number is kept, so it goes back at its own index
    kept.insert(numbers[0], ("*", coefficient))  # the first factor's operator is not read
    built = kept[0][1]
    for op, factor in kept[1:]:
        built = Binary(op, built, factor, factor.pos, built.start, factor.end)
    assert isinstance(built, Binary)
    return built
