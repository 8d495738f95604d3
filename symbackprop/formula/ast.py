"""The syntax tree of symbackprop's formula language.

Nodes are small frozen dataclasses. Every node carries ``pos``, the 0-based character offset
that an error caret should point at (the operator of a :class:`Binary`, the ``.T``/``^T`` of a
:class:`Transpose`, the first character of a name, number or call), plus ``start``/``end``, the
half-open span of the text the node covers. ``start`` and ``end`` are left out of equality and
``repr`` so that tests can write trees by hand with positions only.

The parser guarantees that a tree is at most ``max_depth`` levels high, so recursive consumers
(printers, converters, ``==``, ``repr``) stay well inside Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, TypeAlias

#: Binary operators. ``*`` and ``⊙`` are kept apart because a student who writes ``*`` between
#: matrices may mean either; ``juxt`` is implicit multiplication (``a2(1 - a2)``, ``2 x``).
BINARY_OPS: frozenset[str] = frozenset({"+", "-", "*", "/", "@", "⊙", "^", "juxt"})
UNARY_OPS: frozenset[str] = frozenset({"+", "-"})
COMPARISONS: frozenset[str] = frozenset({">", ">=", "<", "<="})


def _fill_span(node: Any, pos: int) -> None:
    """Default a node's span to its anchor (frozen dataclasses need ``object.__setattr__``)."""
    if node.start < 0:
        object.__setattr__(node, "start", pos)
    if node.end < 0:
        object.__setattr__(node, "end", pos + 1)


@dataclass(frozen=True, slots=True)
class Num:
    """A number literal, kept exact (``0.5`` is ``Fraction(1, 2)``, ``1e-3`` is 1/1000)."""

    value: Fraction
    pos: int
    start: int = field(default=-1, compare=False, repr=False)
    end: int = field(default=-1, compare=False, repr=False)

    def __post_init__(self) -> None:
        _fill_span(self, self.pos)


@dataclass(frozen=True, slots=True)
class Name:
    """An identifier such as ``W3``, ``a2``, ``delta3`` or ``z``."""

    id: str
    pos: int
    start: int = field(default=-1, compare=False, repr=False)
    end: int = field(default=-1, compare=False, repr=False)

    def __post_init__(self) -> None:
        _fill_span(self, self.pos)


@dataclass(frozen=True, slots=True)
class Unary:
    """A sign: ``op`` is ``'-'`` or ``'+'``. ``-z^2`` is ``Unary('-', z^2)``."""

    op: str
    operand: Node
    pos: int
    start: int = field(default=-1, compare=False, repr=False)
    end: int = field(default=-1, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.op not in UNARY_OPS:
            raise ValueError(f"unknown unary operator {self.op!r}")
        _fill_span(self, self.pos)


@dataclass(frozen=True, slots=True)
class Binary:
    """A binary operation; ``op`` is one of :data:`BINARY_OPS`, ``pos`` is the operator's offset.

    For ``juxt`` (implicit multiplication) there is no operator character, so ``pos`` is the
    first character of the right operand.
    """

    op: str
    left: Node
    right: Node
    pos: int
    start: int = field(default=-1, compare=False, repr=False)
    end: int = field(default=-1, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.op not in BINARY_OPS:
            raise ValueError(f"unknown binary operator {self.op!r}")
        _fill_span(self, self.pos)


@dataclass(frozen=True, slots=True)
class Transpose:
    """``x.T`` or ``x^T`` (or ``xᵀ``); ``pos`` points at the ``.``/``^``."""

    operand: Node
    pos: int
    start: int = field(default=-1, compare=False, repr=False)
    end: int = field(default=-1, compare=False, repr=False)

    def __post_init__(self) -> None:
        _fill_span(self, self.pos)


@dataclass(frozen=True, slots=True)
class Call:
    """A whitelisted function applied to its arguments, e.g. ``sigmoid(z2)``."""

    func: str
    args: tuple[Node, ...]
    pos: int
    start: int = field(default=-1, compare=False, repr=False)
    end: int = field(default=-1, compare=False, repr=False)

    def __post_init__(self) -> None:
        _fill_span(self, self.pos)


@dataclass(frozen=True, slots=True)
class Deriv:
    """The derivative of a function applied to an argument: ``sigmoid'(z2)``."""

    func: str
    arg: Node
    pos: int
    start: int = field(default=-1, compare=False, repr=False)
    end: int = field(default=-1, compare=False, repr=False)

    def __post_init__(self) -> None:
        _fill_span(self, self.pos)


@dataclass(frozen=True, slots=True)
class Indicator:
    """``1{left cmp right}``: 1 where the comparison holds, else 0 (element-wise)."""

    left: Node
    cmp: str
    right: Node
    pos: int
    start: int = field(default=-1, compare=False, repr=False)
    end: int = field(default=-1, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.cmp not in COMPARISONS:
            raise ValueError(f"unknown comparison {self.cmp!r}")
        _fill_span(self, self.pos)


Node: TypeAlias = Num | Name | Unary | Binary | Transpose | Call | Deriv | Indicator


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of ``node``, left to right."""
    if isinstance(node, Unary | Transpose):
        return (node.operand,)
    if isinstance(node, Binary | Indicator):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Deriv):
        return (node.arg,)
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree in pre-order, iteratively (no recursion limit to worry about)."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def names(node: Node) -> set[str]:
    """The variable names a formula uses (function names are not included)."""
    return {n.id for n in walk(node) if isinstance(n, Name)}
