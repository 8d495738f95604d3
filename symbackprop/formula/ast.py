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

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
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
    #: written in parentheses in the source (set by the parser; not part of equality)
    paren: bool = field(default=False, compare=False, repr=False)

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
    """A whitelisted function applied to its arguments, e.g. ``sigmoid(z2)``. ``written`` is
    the function as the text wrote it where a rewrite made the call another one (a model's
    ``log(sum(exp(u)))`` is one call, whose argument must be a matrix for its ``sum``);
    empty: ``func`` itself (:attr:`written_name`)."""

    func: str
    args: tuple[Node, ...]
    pos: int
    start: int = field(default=-1, compare=False, repr=False)
    end: int = field(default=-1, compare=False, repr=False)
    written: str = field(default="", compare=False, repr=False)

    @property
    def written_name(self) -> str:
        """The function's name as written in the text."""
        return self.written or self.func

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


def substituted(node: Node, by: Mapping[str, Node]) -> Node:
    """``node`` with every :class:`Name` whose id is a key of ``by`` replaced by its value
    (``-_t1`` with ``_t1`` -> ``W x`` is ``-(W x)`` once printed: :func:`to_text` brackets by
    precedence); ``node`` itself where no name is replaced."""
    if isinstance(node, Name):
        return by.get(node.id, node)
    kids = children(node)
    new = tuple(substituted(kid, by) for kid in kids)
    if all(a is b for a, b in zip(new, kids, strict=True)):
        return node
    if isinstance(node, Unary | Transpose):
        return replace(node, operand=new[0])
    if isinstance(node, Binary | Indicator):
        return replace(node, left=new[0], right=new[1])
    if isinstance(node, Call):
        return replace(node, args=new)
    assert isinstance(node, Deriv)
    return replace(node, arg=new[0])


# -- printing a tree back in the formula language ---------------------------------------------

#: binding strength of each kind of node, loosest first (see the parser's grammar)
SUM, ELEMENTWISE, MATPROD, UNARY, POWER, POSTFIX, ATOM = range(1, 8)
_LEVEL = {"+": SUM, "-": SUM, "*": ELEMENTWISE, "⊙": ELEMENTWISE, "/": ELEMENTWISE}
_LEVEL.update({"@": MATPROD, "juxt": MATPROD, "^": POWER})


def level(node: Node) -> int:
    """How tightly ``node`` binds when printed without parentheses."""
    if isinstance(node, Binary):
        return _LEVEL[node.op]
    if isinstance(node, Unary):
        return UNARY
    if isinstance(node, Transpose):
        return POSTFIX
    return ATOM


def constant_value(node: Node) -> Fraction | None:
    """The number a written constant is (``3``, ``0.5``, ``-(1/2)``, ``(1/3)``), else None:
    an exponent's value for the rules that tell a root from a whole power (a model's
    positive leaves, the formula checker's domain notes)."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Unary):
        inner = constant_value(node.operand)
        return None if inner is None else (-inner if node.op == "-" else inner)
    if isinstance(node, Binary) and node.op in ("+", "-", "*", "/", "juxt"):
        left, right = constant_value(node.left), constant_value(node.right)
        if left is None or right is None or (node.op == "/" and right == 0):
            return None
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        return left / right if node.op == "/" else left * right
    return None


def number_text(value: Fraction) -> str:
    """A non-negative exact decimal as the parser reads it back: written out (``0.5``,
    ``0.1234567890123456789``) unless five zeros or more follow the point, then in scientific
    notation with one digit before the point (``2.5e-6``, ``1e-29``), as such numbers are
    written."""
    if value.denominator == 1:
        return str(value.numerator)
    digits, scale = value, 0
    while digits.denominator != 1:
        digits, scale = digits * 10, scale + 1
        if scale > 60:  # not a finite decimal: a number the parser cannot have produced
            return f"({value.numerator}/{value.denominator})"
    whole = str(digits.numerator)
    if scale - len(whole) > 4:  # five zeros or more after the point: 2.5e-6, 1e-29
        mantissa = whole[0] + (f".{whole[1:]}" if len(whole) > 1 else "")
        return f"{mantissa}e-{scale - len(whole) + 1}"
    whole = whole.rjust(scale + 1, "0")
    return f"{whole[:-scale]}.{whole[-scale:]}"


def indicator_text(condition: str) -> str:
    """``1{z > 0}`` for the condition's text ``z > 0``: the indicator as the parser reads it
    and as every plain-text printer writes it (formulas, the derivation's text and reasons,
    a model's equations), the lecture's notation for relu'(z)."""
    return "1{" + condition + "}"


def _starts_with_name(node: Node) -> bool:
    """Whether the printed text starts with a name, '(' or '1{' (so juxtaposition can follow)."""
    while True:
        if isinstance(node, Name | Call | Deriv | Indicator):
            return True
        if isinstance(node, Transpose):
            node = node.operand
        elif isinstance(node, Binary) and node.op == "^":
            node = node.left
        else:
            return False


def _mixed(parent: Binary, child: Node) -> bool:
    """A matrix product directly inside an element-wise product: precedence decides it."""
    return (
        _LEVEL.get(parent.op) == ELEMENTWISE
        and isinstance(child, Binary)
        and level(child) == MATPROD
    )


def to_text(node: Node, *, reading: bool = False) -> str:
    """``node`` printed in the formula language with the fewest parentheses that keep its tree.

    ``parse(to_text(tree))`` is ``tree`` again (positions aside). With ``reading=True`` a matrix
    product inside an element-wise one is parenthesised too, to show how precedence grouped it:
    ``sigmoid'(z2) ⊙ (W3^T delta3)``.
    """

    def wrap(child: Node, needed: bool) -> str:
        text = to_text(child, reading=reading)
        return f"({text})" if needed else text

    if isinstance(node, Num):
        return number_text(node.value)
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Unary):
        return node.op + wrap(node.operand, level(node.operand) < UNARY)
    if isinstance(node, Transpose):
        return wrap(node.operand, level(node.operand) < POSTFIX) + "^T"
    if isinstance(node, Call):
        return f"{node.func}({', '.join(to_text(a, reading=reading) for a in node.args)})"
    if isinstance(node, Deriv):
        return f"{node.func}'({to_text(node.arg, reading=reading)})"
    if isinstance(node, Indicator):
        left, right = to_text(node.left, reading=reading), to_text(node.right, reading=reading)
        return indicator_text(f"{left} {node.cmp} {right}")
    own = _LEVEL[node.op]
    if node.op == "^":
        # base: an atom ((a^b)^c and (-a)^2 keep theirs, and (A^T)^2 gets them: A^T^2 is
        # what the grammar reads, but a reader may take it for A^(T^2)); exponent: an atom
        # or a signed atom (2^-1), any other bracketed: 2^(A^T), not 2^A^T, read as (2^A)^T,
        # and 2^(2^A), 2^(-A^2) (the grammar reads them without, a reader need not)
        unsigned = node.right.operand if isinstance(node.right, Unary) else node.right
        return (
            wrap(node.left, level(node.left) < POSTFIX or isinstance(node.left, Transpose))
            + "^"
            + wrap(node.right, level(unsigned) < ATOM)
        )
    left = wrap(node.left, level(node.left) < own or (reading and _mixed(node, node.left)))
    if node.op == "juxt":
        # the right operand of a juxtaposition is a power that starts with a name or '('
        needed = level(node.right) < POWER or not _starts_with_name(node.right)
        return f"{left} {wrap(node.right, needed)}"
    needed = level(node.right) <= own or (reading and _mixed(node, node.right))
    return f"{left} {node.op} {wrap(node.right, needed)}"


def precedence_decided(node: Node) -> bool:
    """Whether the formula puts a matrix product inside an element-wise one without brackets.

    Then the reading (:func:`to_text` with ``reading=True``) is worth showing: the matrix
    product binds tighter, which a reader may not expect.
    """
    for current in walk(node):
        if isinstance(current, Binary):
            for child in (current.left, current.right):
                if _mixed(current, child) and isinstance(child, Binary) and not child.paren:
                    return True
    return False


def structure(node: Node) -> tuple[Any, ...]:
    """A hashable, position-free key of the tree: equal keys, equal formulas."""
    if isinstance(node, Num):
        return ("num", node.value)
    if isinstance(node, Name):
        return ("name", node.id)
    if isinstance(node, Unary):
        return ("unary", node.op, structure(node.operand))
    if isinstance(node, Transpose):
        return ("T", structure(node.operand))
    if isinstance(node, Binary):
        return (node.op, structure(node.left), structure(node.right))
    if isinstance(node, Call):
        return ("call", node.func, *(structure(a) for a in node.args))
    if isinstance(node, Deriv):
        return ("deriv", node.func, structure(node.arg))
    return ("1{}", node.cmp, structure(node.left), structure(node.right))
