"""SymPy's ``xreplace`` and a bounded node count, each visiting a shared subexpression once.

An expanded adjoint of an unrolled RNN reuses the adjoint after it in several places, so its
tree is far larger than the distinct subexpressions it is made of. SymPy's ``xreplace`` and
``preorder_traversal`` walk the tree (every repeat again, through nested generators); these
walk each distinct subexpression once and give the same results
(``tests/test_substitute.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
            result = (node.func(*args), True) if changed else (node, False)
        done[node] = result
        return result

    return visit(expr)[0] if isinstance(expr, Basic) else expr


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
