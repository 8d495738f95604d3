"""The engine: reverse accumulation over the forward graph, one rule per node kind.

Starting from the cost, each node's rule (:mod:`symbackprop.core.rules`) sends a contribution
to each of its arguments. A value's adjoint dJ/d(value) is complete once every node that reads
it has been processed; it is then recorded as a step (the sum of its contributions, their
reasons joined), kept under a delta symbol where the graph says so (the lecture's delta[l] =
dJ/dz[l], reused rather than recomputed), and handed to the rule of the node that defines it.
Parameters are recorded as soon as they are complete; values are processed latest-defined
first, so every step comes after all the steps it reads.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sympy import MatAdd, MatrixSymbol, Transpose

from symbackprop.core import canonical
from symbackprop.core.graph import ForwardGraph, Node
from symbackprop.core.rules import (
    COST_RULES,
    VALUE_RULES,
    Adjoint,
    Context,
    Contribution,
)
from symbackprop.core.segments import Grad, Math, Rel, Segment, Text, joined, notation
from symbackprop.core.steps import Step
from symbackprop.errors import InternalError


@dataclass
class Result:
    """What a run of the engine produces (the Derivation record is built from it)."""

    steps: list[Step] = field(default_factory=list)
    gradients: dict[str, Any] = field(default_factory=dict)
    deltas: dict[int, Any] = field(default_factory=dict)
    delta_symbols: dict[int, MatrixSymbol] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)


def _readers(graph: ForwardGraph) -> Counter[str]:
    """How many nodes read each named value or leaf (each defining node counts once)."""
    counts: Counter[str] = Counter()
    roots = [*graph.nodes.values(), *(graph.cost.nodes if graph.cost else ())]
    for root in roots:
        for name in {symbol.name for symbol in _leaves(root)}:
            counts[name] += 1
    return counts


def _leaves(node: Node) -> list[MatrixSymbol]:
    out: list[MatrixSymbol] = []
    for arg in node.args:
        out += [arg] if isinstance(arg, MatrixSymbol) else _leaves(arg)
    return out


def _read_untransposed(expr: Any, symbol: MatrixSymbol) -> bool:
    """Whether ``symbol`` occurs in ``expr`` other than as the argument of a Transpose (each
    distinct subexpression visited once: a deep adjoint shares its subtrees)."""
    seen: set[Any] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if node == symbol:
            return True
        if node in seen or (isinstance(node, Transpose) and node.arg == symbol):
            continue
        seen.add(node)
        stack.extend(getattr(node, "args", ()))
    return False


def run(graph: ForwardGraph) -> Result:
    """Derive dJ/d(parameter) for every parameter of ``graph``; see the module docstring."""
    return _Walk(graph).run()


class _Walk:
    def __init__(self, graph: ForwardGraph) -> None:
        self.graph = graph
        self.result = Result()
        self.context = Context(graph, self._record)
        self.waiting = _readers(graph)
        self.received: dict[str, list[Contribution]] = {}
        self.order = {name: index for index, name in enumerate(graph.nodes)}
        self.ready: list[tuple[int, str]] = []

    def run(self) -> Result:
        assert self.graph.cost is not None
        for node in self.graph.cost.nodes:
            self._receive(COST_RULES[node.kind](self.context, node))
        while self.ready:
            _, name = heapq.heappop(self.ready)
            adjoint = self._complete(name)
            node = self.graph.nodes[name]
            self._receive(VALUE_RULES[node.kind](self.context, node, adjoint))
        missing = [
            name for name in self.graph.symbols if self.waiting[name] > 0 and name in self.received
        ]
        if missing:
            raise InternalError(f"the reverse walk never completed {', '.join(missing)}")
        return self.result

    def _cached_reads(self, parts: list[Contribution]) -> tuple[str, ...]:
        """The forward values every part of a step reads (rnn_3's dJ/dW read h1 and h2 and
        listed h1 alone: hostile reader 23), in order, without a model's parameters: they
        are inputs, not cached values ("reuses from the forward cache: W")."""
        model = getattr(self.graph, "model", None)
        parameters = set(getattr(model, "parameters", ()))
        read = (self._read_as(u, part.expr) for part in parts for u in part.uses)
        return tuple(dict.fromkeys(u for u in read if u not in parameters))

    def _read_as(self, name: str, expr: Any) -> str:
        """The value ``expr`` reads for ``name``: an internal transpose (the w^T of ``w^T h``,
        the (y ⊙ v)^T of dot.model) read only transposed back is its argument, which it
        prints as (``dJ/dh = w dJ/d(w^T h)``: "reuses w^T from the forward cache" was untrue,
        newcomer28) and the generated code reads (lecturer45 #5). Where it is read as it is
        (``dJ/d(v^T ⊙ w^T) ⊙ w^T``) it stays, as does a value the model names (``v = w^T``:
        its own forward value)."""
        if not name.startswith("_"):
            return name
        value = self.graph.forward.get(name)
        if not (isinstance(value, Transpose) and isinstance(value.arg, MatrixSymbol)):
            return name
        if _read_untransposed(expr, self.graph.symbols[name]):
            return name
        return str(value.arg.name)

    def _record(self, step: Step) -> None:
        """Append ``step`` with its printed number (rules state assumptions through this)."""
        self.result.steps.append(dataclasses.replace(step, number=len(self.result.steps) + 1))
        if step.assumption:
            self.result.assumptions.append(step.assumption)

    def _receive(self, contributions: list[Contribution]) -> None:
        """Collect contributions; record parameters that are complete, queue complete values."""
        names = list(dict.fromkeys(c.to.name for c in contributions))
        for contribution in contributions:
            self.received.setdefault(contribution.to.name, []).append(contribution)
        # each reading node counts once, however many contributions it sent to one value
        complete = []
        for name in names:
            self.waiting[name] -= 1
            if self.waiting[name] == 0:
                complete.append(name)
        for name in complete:
            if name not in self.graph.nodes:
                self._complete(name)  # a parameter: its gradient
        for name in complete:
            if name in self.graph.nodes:
                heapq.heappush(self.ready, (-self.order[name], name))

    def _complete(self, name: str) -> Adjoint:
        """Record the step for dJ/d(name) and return the adjoint its defining node reads."""
        # the earliest-defined reader first: W's own product before the cost's weight decay
        parts = self.received.pop(name)[::-1]
        first = parts[0]
        symbol = first.to
        if len(parts) > 1 and self.graph.announce_sums:
            # a model's shared weight: one flat sum (adding 50 terms one by one re-sorts the
            # growing sum each time, quadratic in the unrolled steps); equal terms once, with
            # their count (D ⊙ D reads D twice: 2 dJ/d(D ⊙ D) ⊙ D, not the term twice)
            counted = Counter(part.expr for part in parts)
            expr = MatAdd(*(term if k == 1 else k * term for term, k in counted.items()))
        else:
            expr = (
                canonical.total(*(part.expr for part in parts)) if len(parts) > 1 else first.expr
            )
        general = None
        if any(part.general is not None for part in parts):
            # the sum as the paths reach it, each part before its stated assumption
            general = MatAdd(*(p.expr if p.general is None else p.general for p in parts))
        delta = self.graph.deltas.get(name)
        if general is not None and delta is None and name in self.graph.nodes:
            # later steps would read expr alone, and the form for any target would be lost
            raise InternalError(f"dJ/d{name} has a form before an assumption but no symbol")
        layer = self.graph.layers[name]
        segments = joined(part.segments for part in parts)
        shown = self.graph.target_text(name)
        if len(parts) > 1 and self.graph.announce_sums:
            # one operation reading a value twice (h ⊙ h) gives two equal reasons: say it once
            reasons = [part.segments for part in parts]
            # in order, each once; by hash (comparing each with all before it was quadratic
            # in the paths: a weight shared by 1,000 unrolled steps has 1,000)
            distinct = list(dict.fromkeys(reasons))
            alike = len(distinct) == 1
            own = [_contributes(reason, symbol, alike) for reason in distinct]
            # a value the model names is math (italic in LaTeX); an internal one stays its text
            value = Math(symbol, shown) if shown == name else Text(shown)
            segments = (*_summed(value, len(parts), len(distinct)), *joined(own))
        self._record(
            Step(
                target=f"dJ/d{shown}",
                expr=expr,
                shape=tuple(symbol.shape),
                rule=first.rule,
                candidates=first.candidates,
                segments=segments,
                layer=layer,
                uses=self._cached_reads(parts),
                algebra=first.algebra,
                algebra_segments=first.algebra_segments,
                wrt=symbol,
                delta=delta,
                general=general,
                judged=first.expr if len(parts) > 1 else None,
            )
        )
        if name not in self.graph.nodes:
            self.result.gradients[name] = expr
        if delta is not None:
            self.result.deltas[layer] = expr
            self.result.delta_symbols[layer] = delta
            label = self.graph.symbol_text(str(delta.name))
            return Adjoint(symbol, delta, label, tuple(symbol.shape))
        if len(parts) == 1:
            return Adjoint(
                symbol, expr, first.label, tuple(symbol.shape), first.scalar, first.show
            )
        shape = tuple(symbol.shape)
        each = tuple(Adjoint(symbol, p.expr, p.label, shape, p.scalar, p.show) for p in parts)
        return Adjoint(symbol, expr, f"dJ/d{shown}", shape, None, Grad(symbol, shown), each)


def _contributes(reason: tuple[Segment, ...], symbol: Any, alike: bool) -> tuple[Segment, ...]:
    """One path's reason inside a sum of paths: its conclusion "dJ/dW = <term>" is the
    path's term, not the gradient (the sum is), so it reads "this path contributes <term>"
    ("each path contributes" where every path gives the same term)."""
    out: list[Segment] = []
    index = 0
    while index < len(reason):
        part = reason[index]
        after = reason[index + 1] if index + 1 < len(reason) else None
        if isinstance(part, Grad) and part.symbol == symbol and after == Rel():
            out.append(Text("each path contributes " if alike else "this path contributes "))
            index += 2
            continue
        out.append(part)
        index += 1
    return tuple(out)


def _summed(value: Math | Text, count: int, distinct: int) -> tuple[Segment, ...]:
    """The opening of a step whose ``value`` J reaches along several paths, ``distinct`` of
    them with different reasons (the others repeat one, which is given once)."""
    alike = (
        ""
        if distinct == count
        else ", all equal (their reason is given once)"
        if distinct == 1
        else f" ({count - distinct} {'repeats' if count - distinct == 1 else 'repeat'} an earlier"
        " one, whose reason is not given again)"
    )
    return (
        value,
        Text(" reaches "),
        notation("J", "J"),
        Text(
            f" along {count} paths (it is read in several places, or by one "
            "operation twice); by the multivariable chain rule its gradient is the sum of "
            f"their {count} contributions{alike}: "
        ),
    )
