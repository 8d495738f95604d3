"""SymPy's ``xreplace`` and a bounded node count, each visiting a shared subexpression once.

An expanded adjoint of an unrolled RNN reuses the adjoint after it in several places, so its
tree is far larger than the distinct subexpressions it is made of. SymPy's ``xreplace`` and
``preorder_traversal`` walk the tree (every repeat again, through nested generators); these
walk each distinct subexpression once and give the same results (``tests/test_substitute.py``),
but for one form: a number times a number times a matrix, ``c (d M)``, is built as the one
product ``c d M`` (:func:`_rebuilt`). :func:`shape_work` bounds what SymPy's shapes of a
result would cost before it is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sympy import MatMul
from sympy.core.basic import Basic


def substituted(expr: Any, rule: Mapping[Any, Any]) -> Any:
    """``expr.xreplace(rule)``, each distinct subexpression rebuilt once."""
    if not rule:
        return expr
    done: dict[Any, tuple[Any, bool]] = {}

    def visit(node: Any) -> tuple[Any, bool]:
        if node in rule:
            return rule[node], True
        if node in done:
            return done[node]
        if type(node)._xreplace is not Basic._xreplace:  # a class with its own rule: SymPy's
            result = node._xreplace(rule)
        else:
            args, changed = [], False
            for arg in node.args:
                if isinstance(arg, Basic):
                    new, moved = visit(arg)
                    args.append(new)
                    changed |= moved
                else:
                    args.append(arg)
            result = (_rebuilt(node, args), True) if changed else (node, False)
        done[node] = result
        return result

    return visit(expr)[0] if isinstance(expr, Basic) else expr


def _rebuilt(node: Any, args: list[Any]) -> Any:
    """``node`` with new ``args``; a number times a number times a matrix, ``c (d M)``, is
    the one product ``c d M`` (SymPy's MatMul.shape asks its first and its last matrix, one and
    the same in ``c M``: a chain ``c (c (c M))`` 28 deep took 2^28 calls, and the expanded
    adjoints of ``h_(i+1) = h_i / 2`` hung: hostile27 #3)."""
    if isinstance(node, MatMul):
        matrices = [arg for arg in args if getattr(arg, "is_Matrix", False)]
        inner = matrices[0] if len(matrices) == 1 else None
        if isinstance(inner, MatMul) and sum(a.is_Matrix for a in inner.args) == 1:
            numbers = [arg for arg in args if arg is not inner]
            return MatMul(*numbers, *inner.args)
    return node.func(*args)


#: the most shape look-ups an expression built by substitution may cost (about 0.1 s of SymPy)
MAX_SHAPE_WORK = 100_000


def shape_work(expr: Any, rule: Mapping[Any, Any], limit: int = MAX_SHAPE_WORK) -> int:
    """What asking ``expr.xreplace(rule)`` for its shape may cost SymPy, in node visits, counted
    on the distinct subexpressions without building it (at most ``limit`` + 1).

    SymPy computes a matrix expression's shape from its arguments' every time it is asked, and
    a product ``c M`` asks its one matrix twice (for the rows and for the columns): nested
    ``c f(c f(...))`` costs 2^depth though it has few distinct nodes, as the written-out
    adjoints of ``h_(i+1) = exp(h_i) / 10`` did (hostile27 #3: latex and html ran for
    minutes). The count is an upper bound: every matrix argument is counted, the one of a
    product of one matrix twice."""
    plain: dict[Any, int] = {}
    swapped: dict[Any, int] = {}

    def work(node: Any, memo: dict[Any, int], replace: bool) -> int:
        if replace and node in rule:
            return work(rule[node], plain, False)  # xreplace puts the replacement as it is
        if node in memo:
            return memo[node]
        args = [arg for arg in getattr(node, "args", ()) if isinstance(arg, Basic)]
        matrices = [arg for arg in args if getattr(arg, "is_Matrix", False)]
        total = 1 + sum(work(arg, memo, replace) for arg in args)
        if isinstance(node, MatMul) and len(matrices) == 1:
            total += work(matrices[0], memo, replace)
        memo[node] = min(total, limit + 1)
        return memo[node]

    return work(expr, swapped, True) if isinstance(expr, Basic) else 0


def substituted_within(expr: Any, rule: Mapping[Any, Any]) -> Any | None:
    """:func:`substituted`, or None where SymPy could not size the result in reasonable
    time (:func:`shape_work` over :data:`MAX_SHAPE_WORK`): the caller keeps what it had."""
    if shape_work(expr, rule) > MAX_SHAPE_WORK:
        return None
    return substituted(expr, rule)


def at_most_nodes(expr: Any, limit: int) -> bool:
    """Whether ``expr``'s tree (repeats counted, as ``preorder_traversal`` yields them) has at
    most ``limit`` nodes; stops counting past the limit."""
    count, stack = 0, [expr]
    while stack:
        node = stack.pop()
        count += 1
        if count > limit:
            return False
        if isinstance(node, Basic):
            stack.extend(node.args)
    return True
