"""What a model's value is, entry by entry, in terms of a column softmax s: ``a + b s``.

The refusals of bce of a softmax and of log(1 - softmax(u)), and the stable ce of a softmax,
must hold however the value is spelled. Rather than list spellings, a value is normalised
structurally: :func:`affine` follows the nodes that leave each entry an affine function of
one softmax's entry (a name for it, a transpose, ``c1 A + c2 B + c 1`` of such values, the
power ``^1``, and ``abs``/``relu``/``sqrt(.^2)`` where the value keeps one sign, since
0 < s < 1); :func:`same_value` follows those that leave the whole value unchanged (the same
entries in the same arrangement: ``^1``, ``^T^T``, a name, ``+ 0``, ``⊙ 1``, ``abs`` of a
positive value), so that ``ce(softmax(U)^1, Y)`` is ``ce(softmax(U), Y)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp
from sympy import MatrixSymbol

from symbackprop.core.graph import Kind, Node
from symbackprop.records.nodes import T

#: ``(a, b, s)``: each entry is a + b s_ij of the softmax node s (up to a transpose); s is
#: ``None`` only for a constant (b = 0: ``sigmoid(U) ⊙ 0``)
Affine = tuple[sp.Expr, sp.Expr, Node | None]


def affine(nodes: Mapping[str, Node], value: Any) -> Affine | None:
    """``(a, b, s)`` when every entry of ``value`` is ``a + b s`` of the matching entry of
    one column softmax ``s`` (a node of ``nodes``), with rational a and b; else ``None``.

    Two softmax nodes of one argument are one softmax (``(1 - softmax(U)) ⊙ ...`` written
    twice makes two nodes with the same entries).
    """
    node = _node(nodes, value)
    if node is None:
        return None
    if node.kind is Kind.COLUMN_SOFTMAX:
        return sp.Integer(0), sp.Integer(1), node
    if node.kind is Kind.TRANSPOSE:  # the same entries, rearranged
        return affine(nodes, node.args[0])
    if node.kind is Kind.LINEAR:
        return _linear(nodes, node)
    if node.kind is Kind.FUNCTION:
        return _function(nodes, node)
    return None


def _node(nodes: Mapping[str, Node], value: Any) -> Node | None:
    return nodes.get(str(value.name)) if isinstance(value, MatrixSymbol) else None


def _linear(nodes: Mapping[str, Node], node: Node) -> Affine | None:
    """c1 A1 + c2 A2 + ... + c 1 with each Ai affine in one softmax; a term times 0 is
    nothing, and a sum of such terms a constant."""
    terms = node.record
    if any(terms.broadcast) or not terms.constant.is_Rational:
        return None
    a, b, found = terms.constant, sp.Integer(0), None
    for coeff, arg in zip(terms.coefficients, node.args, strict=True):
        if coeff == 0:  # sigmoid(U) ⊙ 0: nothing added
            continue
        inner = affine(nodes, arg)
        if inner is None or not coeff.is_Rational:
            return None
        s = inner[2]
        if found is not None and s is not None and s.args != found.args:
            return None  # two different softmaxes
        a, b, found = a + coeff * inner[0], b + coeff * inner[1], found or s
    return a, b, found


def _function(nodes: Mapping[str, Node], node: Node) -> Affine | None:
    """``^1``, and abs, relu, sqrt of a square where a + b s keeps one sign on 0 < s < 1."""
    fn = node.record
    (arg,) = node.args
    if fn.body == T:  # ^1, ^1.0
        return affine(nodes, arg)
    if fn.name == "sqrt":  # sqrt(v^2) = abs(v)
        inner_node = _node(nodes, arg)
        if inner_node is None or inner_node.kind is not Kind.FUNCTION:
            return None
        if inner_node.record.body != T**2:
            return None
        return _absolute(affine(nodes, inner_node.args[0]))
    if fn.name == "abs":
        return _absolute(affine(nodes, arg))
    if fn.name == "relu":
        inner = affine(nodes, arg)
        return inner if inner is not None and _sign(inner) > 0 else None
    return None


def _sign(form: Affine) -> int:
    """1 when a + b s >= 0 for every 0 < s < 1 (its ends a and a + b are), -1 when <= 0,
    else 0."""
    a, b, _ = form
    if a >= 0 and a + b >= 0:
        return 1
    if a <= 0 and a + b <= 0:
        return -1
    return 0


def _absolute(form: Affine | None) -> Affine | None:
    if form is None or _sign(form) == 0:
        return None
    a, b, s = form
    return form if _sign(form) > 0 else (-a, -b, s)


def is_scaled_softmax(nodes: Mapping[str, Node], value: Any) -> bool:
    """Whether ``value`` is entry by entry ``b s`` of a softmax s, b > 0 (bce refuses it)."""
    form = affine(nodes, value)
    return form is not None and form[0] == 0 and form[1] > 0


def bce_rounds_off(nodes: Mapping[str, Node], value: Any) -> bool:
    """Whether bce of ``value`` takes the log of 0 where an entry of a softmax rounds to 0 or
    1: ``value`` is entry by entry ``a + b s`` (b != 0) with an end, a (s = 0) or a + b (s = 1),
    at 0 or 1, so that log(value) or log(1 - value) is -inf there (``s``, ``1 - s``,
    ``(1 + s)/2``)."""
    form = affine(nodes, value)
    if form is None or form[1] == 0:
        return False
    a, b, _ = form
    return bool({a, a + b} & {sp.Integer(0), sp.Integer(1)})


def is_softmax_complement(nodes: Mapping[str, Node], value: Any) -> bool:
    """Whether ``value`` is entry by entry ``k (1 - s)`` of a softmax s, k > 0, or has such a
    factor (an element-wise product or a positive power of one): its log is -inf where an
    entry of s rounds to 1."""
    form = affine(nodes, value)
    if form is not None:
        a, b, _ = form
        return bool(a > 0 and a + b == 0)
    node = _node(nodes, value)
    if node is None:
        return False
    if node.kind is Kind.HADAMARD:
        return any(is_softmax_complement(nodes, arg) for arg in node.args)
    if node.kind is Kind.FUNCTION:
        exponent = _power(node.record.body)
        if exponent is not None and exponent > 0:
            return is_softmax_complement(nodes, node.args[0])
    return False


def _power(body: sp.Expr) -> sp.Expr | None:
    """p when ``body`` is T^p for a number p, else ``None``."""
    if body == T:
        return sp.Integer(1)
    if isinstance(body, sp.Pow) and body.base == T and body.exp.is_number:
        return body.exp
    return None


def same_value(nodes: Mapping[str, Node], value: Any) -> Any:
    """The value ``value`` is in every entry and in the same arrangement: through a name for
    it, ``+ 0``, ``⊙ 1`` (a linear identity), ``^T^T``, ``^1``, and ``abs``, ``relu`` or
    ``sqrt(.^2)`` of a value that is a positive multiple of a softmax (positive); else
    ``value`` itself."""
    while True:
        node = _node(nodes, value)
        if node is None:
            return value
        inner = _unchanged(nodes, node)
        if inner is None:
            return value
        value = inner


def _unchanged(nodes: Mapping[str, Node], node: Node) -> Any | None:
    """The argument ``node`` leaves unchanged, else ``None``."""
    if node.kind is Kind.LINEAR:
        terms = node.record
        if terms.coefficients == (1,) and terms.constant == 0 and not any(terms.broadcast):
            return node.args[0]
        return None
    if node.kind is Kind.TRANSPOSE:
        inner = _node(nodes, node.args[0])
        return inner.args[0] if inner is not None and inner.kind is Kind.TRANSPOSE else None
    if node.kind is not Kind.FUNCTION:
        return None
    (arg,) = node.args
    if node.record.body == T:
        return arg
    positive = is_scaled_softmax(nodes, arg)
    if node.record.name in ("abs", "relu") and positive:
        return arg
    if node.record.name == "sqrt":
        inner = _node(nodes, arg)
        if inner is None or inner.kind is not Kind.FUNCTION or inner.record.body != T**2:
            return None
        return inner.args[0] if is_scaled_softmax(nodes, inner.args[0]) else None
    return None
