"""The lowering plan: what the generated code computes, in order, as data for any backend.

Read off the batch derivation at concrete widths, with no backend's text in it:

* the forward statements, per layer ``Z[l] = W[l] A[l-1] + b[l] 1_m^T`` and ``A[l] = g(Z[l])``
  (SymPy expressions and shapes);
* the cache: exactly what the backward statements read, plus what the cost reads (``Z[L]``
  when the cost is computed from the logits: sigmoid + BCE, softmax + cross-entropy; ``A[L]``
  otherwise). The lecture's cache is "whatever the backward pass reads"; here it is computed,
  not assumed;
* the backward statements in the derivation's order, each a delta or gradient expression with
  the deltas renamed to code names (``delta2`` -> the MatrixSymbol ``dZ2``,
  :mod:`symbackprop.lowering.names`), its shape, its step number and its provenance (the steps
  it is read off, as data), and the names it reads for the last time (where a backend may free
  them);
* the cost: the loss record, which array it reads, and the weight decay.

How a statement becomes code (``out=``, ``*=``, a fused kernel) is each emitter's business.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import ZeroMatrix

from symbackprop.core.graph import resolve_activations
from symbackprop.lowering import names
from symbackprop.lowering.guards import printed_forms, safe_forms
from symbackprop.lowering.inputs import batch_derivation, resolve_sizes
from symbackprop.lowering.zeros import exact_zeros

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation, Step
    from symbackprop.records.activations import Activation
    from symbackprop.records.losses import Loss
    from symbackprop.spec import Network

#: a concrete shape: rows and columns, ``"m"`` for the batch
Dims = tuple[int | str, int | str]


@dataclass(frozen=True)
class Parameter:
    """A trained array: ``name`` (``"W1"``) and its concrete ``shape`` (``(3, 4)``)."""

    name: str
    shape: tuple[int, int]


@dataclass(frozen=True)
class ForwardStatement:
    """``target = expr``: ``Z1 = W1 X + b1 1_m^T`` or ``A1 = sigmoid(Z1)``, of ``shape``."""

    target: str
    expr: Any
    shape: Dims


@dataclass(frozen=True)
class ForwardLayer:
    """One layer of the forward pass: its ``linear`` and ``output`` statements, the matrix
    symbols of its ``weight``, ``bias`` and ``input`` (A[l-1]; X for layer 1) and its activation
    record."""

    layer: int
    weight: Any
    bias: Any
    input: Any
    linear: ForwardStatement
    output: ForwardStatement
    activation: Activation


@dataclass(frozen=True)
class Provenance:
    """The derivation step a backward statement is read off, as data.

    ``step`` is its printed number, ``rule`` its rule kind (``loss``, ``elementwise``,
    ``softmax``, ``assumption``, ``bilinear``, ``bias``), ``wrt`` the symbol differentiated
    (``A3``, ``Z3``, ``W3``; ``None`` for an assumption), ``chosen`` the surviving arrangement
    in code names (``dZ3*A2.T``; ``None`` where a step has a single possible form), ``shape``
    its concrete shape, ``assumption`` the text an assumption step states, ``algebra`` the
    scalar algebra done inside an element-wise product and ``uses`` the forward values the
    step reads (the derivation's ``Step.uses``: the rule that built its expression, and so the
    cache, says which; none for a constant derivative).
    """

    step: int
    rule: str
    layer: int
    wrt: Any
    chosen: Any
    shape: Dims
    assumption: str | None = None
    algebra: str | None = None
    uses: tuple[str, ...] = ()
    #: the shape over the generic dimensions (``"n2 x n1"``), where the step's argument holds:
    #: at concrete sizes two arrangements can share a shape (a square W)
    generic: str | None = None

    def reads(self) -> frozenset[str]:
        """Names of the matrices the chosen arrangement reads."""
        return _matrix_names(self.chosen) if self.chosen is not None else frozenset()


@dataclass(frozen=True)
class BackwardStatement:
    """``target = expr`` in the backward pass (``dZ2``, ``dW2``, ``db2``), of ``shape``.

    ``step`` is the number of the step that computes it; ``provenance`` lists every step it is
    read off in order, its own last (a delta statement also carries the loss, assumption and
    ``dJ/dA`` steps before it). ``gradient_of`` names the parameter for a gradient (``"W2"``),
    ``None`` for a delta; ``releases`` the names read here for the last time, with statements
    still to come. ``general`` is ``expr`` before the step's stated assumption (Step.general:
    softmax with cross-entropy for any target), ``None`` where it assumes nothing.
    """

    target: str
    expr: Any
    shape: Dims
    step: int
    provenance: tuple[Provenance, ...]
    gradient_of: str | None = None
    releases: tuple[str, ...] = ()
    general: Any = None

    def reads(self) -> frozenset[str]:
        """Names of the matrices ``expr`` reads (``W3``, ``dZ3``, ``A2``)."""
        return _matrix_names(self.expr)


@dataclass(frozen=True)
class CachedValue:
    """An array ``forward`` keeps: its ``name``, ``shape`` (rows, "m") and readers
    (``("backward",)``, ``("cost",)`` or both)."""

    name: str
    shape: Dims
    read_by: tuple[str, ...]


@dataclass(frozen=True)
class CacheEntry:
    """One cached array as :func:`cache_plan` reports it: ``name`` (``"A1"``), concrete
    ``shape`` with ``"m"`` for the batch, ``bytes_per_example`` (rows times the dtype's item
    size) and who reads it (``"backward"``, ``"cost"`` or ``"backward and cost"``)."""

    name: str
    shape: tuple[int, str]
    bytes_per_example: int
    read_by: str


@dataclass(frozen=True)
class Cost:
    """J: the mean over the columns of ``loss`` applied to ``output`` (``A[L]``), computed
    from ``logits`` (``Z[L]``) when ``from_logits``, plus ``(l2 / 2m) sum ||W||_F^2``."""

    loss: Loss
    activation: Activation
    output: str
    logits: str
    from_logits: bool
    shape: Dims
    l2: float


@dataclass(frozen=True)
class LoweringPlan:
    """Everything a backend needs to write the module of DESIGN.md, as data."""

    network: Network
    data: tuple[str, ...]
    data_shapes: Mapping[str, Dims]
    parameters: tuple[Parameter, ...]
    forward: tuple[ForwardLayer, ...]
    cache: tuple[CachedValue, ...]
    backward: tuple[BackwardStatement, ...]
    cost: Cost
    activations: Mapping[str, Activation] = field(repr=False)
    #: each scalar form the module prints with a where-branch that has a pole -> that form
    #: with the branch reading a safe argument where it is not taken (lowering.guards)
    guards: Mapping[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def depth(self) -> int:
        return len(self.forward)

    @property
    def watched(self) -> dict[str, tuple[Any, bool]]:
        """Each cached value whose sign flips where a kinked activation (relu, leaky_relu, a
        custom one with a kink) switches branch -> its activation's formula g(z) and whether
        the value is a = g(z): Z[l], or A[l] when g' reads a and Z is not cached (relu's a > 0
        exactly where z > 0). Finite-difference checks skip steps across those kinks."""
        out = {}
        for layer in self.forward:
            act = layer.activation
            if act.kinked:
                name = layer.linear.target if act.derivative_uses_z else layer.output.target
                out[name] = (act.formula, not act.derivative_uses_z)
        return out

    @property
    def backward_reads(self) -> tuple[str, ...]:
        """The cached names backward reads, in forward order."""
        return tuple(value.name for value in self.cache if "backward" in value.read_by)

    @property
    def backward_parameters(self) -> tuple[str, ...]:
        """The parameters backward reads (the weights of W^T dZ and of weight decay)."""
        read = frozenset().union(*(statement.reads() for statement in self.backward))
        return tuple(p.name for p in self.parameters if p.name in read)

    @property
    def sums_to_one(self) -> tuple[str, ...]:
        """The data whose every column must sum to 1: Y, where a backward step rests on the
        loss's stated assumption (softmax with cross-entropy: dJ/dZ = (A - Y) / m); else ()."""
        stated = any(p.rule == "assumption" for s in self.backward for p in s.provenance)
        return (self.data[1],) if stated else ()

    @property
    def gradients(self) -> tuple[tuple[str, str], ...]:
        """(parameter, the backward target holding its gradient), in parameter order."""
        targets = {s.gradient_of: s.target for s in self.backward if s.gradient_of}
        return tuple((p.name, targets[p.name]) for p in self.parameters)


def _matrix_names(expr: Any) -> frozenset[str]:
    return frozenset(sym.name for sym in expr.atoms(sp.MatrixSymbol))


def cost_from_logits(derivation: Derivation) -> bool:
    """True when the cost is computed from Z[L] (stable log-sigmoid / log-sum-exp)."""
    graph = derivation.graph
    return graph.loss.logits_with == graph.activation(graph.depth).name


def build_plan(source: Derivation | Network, sizes: Mapping[str, int] | None) -> LoweringPlan:
    """The plan for ``source`` (a Network or a derivation of either form) at concrete widths.

    Named widths need ``sizes``; a missing one raises :class:`~symbackprop.errors.SpecError`.
    """
    derivation = batch_derivation(source)
    graph = derivation.graph
    widths: dict[Any, int | str] = dict(resolve_sizes(derivation, sizes))
    widths[graph.m] = names.BATCH

    def dims(shape: Any) -> Dims:
        rows, cols = (widths[s] if s in widths else int(s) for s in shape)  # n_l, m or 1
        return (rows, cols)

    def concrete(shape: Any) -> tuple[int, int]:
        rows, cols = dims(shape)
        return (int(rows), int(cols))

    parameters = tuple(
        Parameter(sym.name, concrete(sym.shape))
        for layer in range(1, derivation.depth + 1)
        for sym in (graph.W(layer), graph.b(layer))
    )
    definitions = derivation.forward  # Z1 -> W1 X + b1 1_m^T, A1 -> sigmoid(Z1), ...
    forward = tuple(
        _forward_layer(derivation, definitions, layer, dims)
        for layer in range(1, derivation.depth + 1)
    )
    backward = _release_last_reads(_backward(derivation, dims))
    logits = cost_from_logits(derivation)
    out_layer = forward[-1]
    cost = Cost(
        loss=graph.loss,
        activation=out_layer.activation,
        output=out_layer.output.target,
        logits=out_layer.linear.target,
        from_logits=logits,
        shape=out_layer.output.shape,
        l2=derivation.l2,
    )
    x, y = names.DATA
    data_shapes = {x: dims(graph.a(0).shape), y: dims(derivation.symbols[y].shape)}
    cache = _cache(x, forward, backward, cost, data_shapes[x])
    activations = resolve_activations(derivation.network)
    exprs = [layer.output.expr for layer in forward] + [s.expr for s in backward]
    used = [layer.activation.name for layer in forward]
    return LoweringPlan(
        network=derivation.network,
        data=names.DATA,
        data_shapes=data_shapes,
        parameters=parameters,
        forward=forward,
        cache=cache,
        backward=backward,
        cost=cost,
        activations=activations,
        guards=safe_forms(printed_forms(exprs, activations, used)),
    )


def _forward_layer(
    derivation: Derivation, definitions: Mapping[str, Any], layer: int, dims: Any
) -> ForwardLayer:
    graph = derivation.graph
    z, a = graph.z(layer), graph.a(layer)
    return ForwardLayer(
        layer=layer,
        weight=graph.W(layer),
        bias=graph.b(layer),
        input=graph.a(layer - 1),
        linear=ForwardStatement(z.name, definitions[z.name], dims(z.shape)),
        output=ForwardStatement(a.name, definitions[a.name], dims(a.shape)),
        activation=graph.activation(layer),
    )


def _backward(derivation: Derivation, dims: Any) -> list[BackwardStatement]:
    """One statement per delta and per gradient, in step order; the steps in between (the
    loss, an assumption, dJ/dA[l-1] = W[l]^T delta[l]) go into the next statement's
    provenance: the code computes them as part of it."""
    rename = names.code_symbols(derivation)
    delta_layer = {symbol: layer for layer, symbol in derivation.delta_symbols.items()}
    out: list[BackwardStatement] = []
    pending: list[Provenance] = []
    #: deltas that are exactly zero (behind a step activation): substituted, never computed
    zeros: dict[Any, Any] = {}
    for step in derivation.steps:
        pending.append(_provenance(step, rename, dims))
        if step.delta is not None:
            layer = delta_layer[step.delta]
            target, expr, gradient_of = names.delta(layer), derivation.deltas[layer], None
        elif step.wrt is not None and step.wrt.name in derivation.gradients:
            gradient_of = step.wrt.name
            target, expr = names.gradient(gradient_of), derivation.gradients[gradient_of]
        else:
            continue
        expr = exact_zeros(expr.xreplace(rename).xreplace(zeros))
        general = None
        if step.general is not None:  # a delta's step (the engine keeps such a step's symbol)
            general = exact_zeros(step.general.xreplace(rename).xreplace(zeros))
        if isinstance(expr, ZeroMatrix):
            rows, cols = dims(step.shape)
            expr = ZeroMatrix(rows, derivation.graph.m if cols == names.BATCH else cols)
            if gradient_of is None:  # its steps are told above the next statement
                symbol = rename.get(step.delta, step.delta)
                zeros[symbol] = ZeroMatrix(*symbol.shape)
                continue
        out.append(
            BackwardStatement(
                target=target,
                expr=expr,
                shape=dims(step.shape),
                step=step.number,
                provenance=tuple(pending),
                gradient_of=gradient_of,
                general=general,
            )
        )
        pending = []
    return out


def _provenance(step: Step, rename: Mapping[Any, Any], dims: Any) -> Provenance:
    chosen = step.chosen
    return Provenance(
        step=step.number,
        rule=getattr(step.rule, "value", step.rule),  # a str-valued enum's value, or the str
        layer=step.layer,
        wrt=step.wrt.xreplace(rename) if step.wrt is not None else None,
        chosen=chosen.expr.xreplace(rename) if chosen is not None else None,
        shape=dims(step.shape),
        assumption=step.assumption,
        algebra=step.algebra_text,
        uses=step.uses,
        generic=" x ".join(str(d) for d in step.shape),
    )


def _release_last_reads(statements: list[BackwardStatement]) -> tuple[BackwardStatement, ...]:
    """Mark each backward temporary (a delta) at its last read, where statements follow."""
    temporaries = {s.target for s in statements if s.gradient_of is None}
    last: dict[str, int] = {}
    for index, statement in enumerate(statements):
        for name in statement.reads() & temporaries:
            last[name] = index
    out = []
    for index, statement in enumerate(statements):
        dead = tuple(sorted(n for n, at in last.items() if at == index))
        if dead and index < len(statements) - 1:
            statement = dataclasses.replace(statement, releases=dead)
        out.append(statement)
    return tuple(out)


def _cache(
    x: str,
    forward: tuple[ForwardLayer, ...],
    backward: tuple[BackwardStatement, ...],
    cost: Cost,
    x_shape: Dims,
) -> tuple[CachedValue, ...]:
    """X, then Z1/A1, Z2/A2, ... where backward or the cost reads them; backward always reads
    X, for its column count m (even where every gradient behind a step activation is zero)."""
    back = frozenset().union({x}, *(statement.reads() for statement in backward))
    cost_reads = {cost.logits if cost.from_logits else cost.output}
    order = [(x, x_shape)]
    for layer in forward:
        order += [(s.target, s.shape) for s in (layer.linear, layer.output)]
    out = []
    for name, shape in order:
        readers = tuple(
            who for who, reads in (("backward", back), ("cost", cost_reads)) if name in reads
        )
        if readers:
            out.append(CachedValue(name, shape, readers))
    return tuple(out)


def cache_plan(
    source: Derivation | Network,
    sizes: Mapping[str, int] | None = None,
    *,
    itemsize: int = 8,
) -> list[CacheEntry]:
    """What ``forward`` caches for ``source``: name, shape (rows, "m"), bytes per example.

    ``sizes`` gives named widths (``{"n": 4}``); ``itemsize`` is 8 for float64, 4 for float32.
    Raises :class:`~symbackprop.errors.SpecError` when a named width has no value.
    """
    out = []
    for value in build_plan(source, sizes).cache:
        rows = int(value.shape[0])
        shape = (rows, names.BATCH)
        out.append(CacheEntry(value.name, shape, rows * itemsize, " and ".join(value.read_by)))
    return out
