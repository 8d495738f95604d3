"""One walk that rebuilds a SymPy expression with some of its nodes replaced, outermost first.

Both the written sizes of a formula (``(1/m) X 1_m``: the m that is a number, not a shape) and
the pieceless forms of the check (an indicator's region replaced by a hole) replace whole
subtrees, must not enter what they replace, and meet expressions that share their subtrees
thousands of times (a1 inside every delta): the walk rebuilds each distinct node once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def rebuilt(expr: Any, stop: Callable[[Any], Any | None]) -> Any:
    """``expr`` (any shape) with each node for which ``stop(node)`` gives a value replaced by
    that value, outermost first (a replaced node is not entered); a leaf ``stop`` leaves alone
    is kept, and every other node is rebuilt from its rebuilt arguments, or kept itself where
    none of them changed. Each distinct subexpression is rebuilt once."""
    done: dict[Any, Any] = {}

    def walk(node: Any) -> Any:
        if node in done:
            return done[node]
        out = stop(node)
        if out is None:
            if not getattr(node, "args", ()):
                out = node
            else:
                args = [walk(arg) for arg in node.args]
                same = all(new is old for new, old in zip(args, node.args, strict=True))
                out = node if same else node.func(*args)
        done[node] = out
        return out

    return walk(expr)
