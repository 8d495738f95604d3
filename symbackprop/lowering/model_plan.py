"""The lowering plan of a model: what its generated module computes, as data for any backend.

Read off a model's derivation (:class:`~symbackprop.core.model_derivation.ModelDerivation`)
at concrete sizes, with no backend's text in it:

* the code names: the model's own names, renamed only where they are not free identifiers in
  the module (``np``, ``params``, a Python builtin: ``sum`` -> ``sum_``); each adjoint
  ``dJ/dh`` becomes ``dh`` (``d_t5`` for an internal value), never clashing with a name;
* the forward statements, one per node of the graph, in order, each with the model line it
  comes from (the first node of an equation carries it);
* the backward statements, one per adjoint the derivation keeps under a symbol and one per
  gradient, in step order, each with its step: adjoints that are another adjoint or a constant
  (``dJ/d_t7 = dJ/d_t8``, ``dJ/dJ = 1``) are substituted, not copied, and whatever the
  forward pass already holds is read from it, never recomputed (``1 - tanh(t8)^2`` is
  ``1 - h3^2``, ``sigmoid(t5)`` is ``t6``, ``det(t1)`` is the cached determinant), and each
  such read, like each settled form, is proved equal to what it replaces
  (:mod:`symbackprop.lowering.settle_check`) before it is kept; a value computed
  once for its repeats (``sum(W) * sum(W)``) has one adjoint, the sum of theirs (one mask,
  one product per argument);
* the cache: exactly the values and data the backward statements read;
* the losses computed from their logits (bce of a sigmoid, ce of a softmax), and the values
  whose function has a kink (relu, leaky_relu, abs: their arguments), which the gradient
  check watches.
"""

from __future__ import annotations

import builtins
import dataclasses
import keyword
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy import (
    Determinant,
    HadamardProduct,
    Inverse,
    MatAdd,
    MatMul,
    MatrixSymbol,
    OneMatrix,
    Transpose,
    ZeroMatrix,
)
from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.core.graph import Kind
from symbackprop.core.model_derivation import ModelDerivation
from symbackprop.core.model_graph import ElementFunction
from symbackprop.core.rank_bound import no_value_text, undefined_at_sizes
from symbackprop.errors import SizeMissing, SpecError
from symbackprop.lowering import names
from symbackprop.lowering.adjugate import adjugates, defined
from symbackprop.lowering.guards import printed_forms, safe_forms
from symbackprop.lowering.plan import Dims
from symbackprop.lowering.provenance import text
from symbackprop.lowering.settle_check import prove_settled
from symbackprop.lowering.zeros import exact_zeros
from symbackprop.model import Model
from symbackprop.records.activations import (
    ACTIVATIONS,
    Activation,
    custom_activation,
    stable_form,
)
from symbackprop.records.nodes import Elementwise, LogSoftmax, Norm2, T
from symbackprop.records.scalars import z
from symbackprop.spec import checked_size

#: names the generated modules themselves use (NumPy, torch and JAX: module level and the
#: locals of the functions that hold the model's names): a model name equal to one of these,
#: or to a Python builtin, is renamed in every module (``jnp`` -> ``jnp_``), so that the
#: module's ``jnp.tanh`` still means JAX's. Names with a leading ``_`` (``_check``,
#: ``_forward``) cannot be model names.
MODULE_NAMES = frozenset(
    {
        # imports
        "np",
        "torch",
        "jax",
        "jnp",
        "math",
        # module-level definitions
        "SHAPES",
        "DATA",
        "DATA_SHAPES",
        "ADDED",
        "STDS",
        "CACHE_READS",
        "KINKS",
        "init_params",
        "forward",
        "backward",
        "loss_and_grads",
        "gradients",
        "cost",
        "BackpropCost",
        "FirstOrderOnly",
        "Parameters",
        "Model",
        # helpers
        "sigmoid",
        "softmax",
        "log_softmax",
        "logdet",
        # locals of forward, backward and loss_and_grads
        "params",
        "cache",
        "work",
        "grads",
        "loss",
        "m",
        "device",
        "dtype",
        "rng",
        "scheme",
        "seed",
    }
)
RESERVED = MODULE_NAMES | frozenset(dir(builtins)) | frozenset(keyword.kwlist)
#: the SymPy nodes of a function body with a kink or a jump: a finite step across it measures
#: a secant
_JUMPS = (sp.Piecewise, sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign)


@dataclass(frozen=True)
class Leaf:
    """A parameter or data array: its model ``name``, ``code`` name and concrete ``shape``."""

    name: str
    code: str
    shape: Dims


@dataclass(frozen=True)
class ModelForward:
    """``target = expr``, one node of the graph: its ``kind``, argument code names, record
    (the loss, the element function, the linear terms), ``shape`` and ``source``, the model
    line it comes from (on the first node of each equation; ``None`` on the others).
    ``logits`` is the code name the loss is computed from (bce of a sigmoid, ce of a
    softmax), else ``None``."""

    target: str
    kind: Kind
    expr: Any
    args: tuple[str, ...]
    record: Any
    shape: Dims
    source: str | None = None
    logits: str | None = None
    #: the code names of later nodes that compute the same value (a second ``sum(W)``): not
    #: computed again, every reader reads ``target``
    same: tuple[str, ...] = ()
    #: a value inside an equation (``t11``) in the model's names (``v^T h3 + c``), which a
    #: comment states where it is computed; ``None`` for a value the model names
    meaning: str | None = None


@dataclass(frozen=True)
class ModelBackward:
    """``target = expr`` in the backward pass, of ``shape``: the adjoint of a value or the
    gradient of a parameter (``gradient_of``), read off step ``step`` (its ``rule``), which
    the derivation writes ``text``."""

    target: str
    expr: Any
    shape: Dims
    step: int
    rule: str
    text: str
    gradient_of: str | None = None
    #: ``expr`` before the step's stated assumption (Step.general: softmax with cross-entropy
    #: for any target), ``None`` where it assumes nothing
    general: Any = None


@dataclass(frozen=True)
class ModelPlan:
    """Everything a backend needs to write a model's module (DESIGN.md, "Models")."""

    model: Model
    batch: bool
    parameters: tuple[Leaf, ...]
    data: tuple[Leaf, ...]
    added: tuple[str, ...]
    forward: tuple[ModelForward, ...]
    backward: tuple[ModelBackward, ...]
    cache: tuple[str, ...]
    cost: str
    gradients: tuple[tuple[str, str | None], ...]
    kinked: tuple[str, ...]
    shapes: Mapping[str, Dims] = field(repr=False)
    activations: Mapping[str, Activation] = field(repr=False)
    #: each of ``kinked`` -> (the scalar formula g(z) whose kinks it has, whether the value is
    #: its output a = g(z)): where the kinks lie (:func:`~symbackprop.records.kinks.kink_values`)
    kink_formulas: Mapping[str, tuple[Any, bool]] = field(default_factory=dict, repr=False)
    #: each scalar form the module prints with a where-branch that has a pole -> that form
    #: with the branch reading a safe argument where it is not taken (lowering.guards)
    guards: Mapping[Any, Any] = field(default_factory=dict, repr=False)
    #: the data leaves whose every column must sum to 1: the targets of a ce under a softmax
    #: whose derivation step rests on the loss's stated assumption (dJ/dZ = (S - Y) / m)
    sums_to_one: tuple[Leaf, ...] = ()

    @property
    def per_example(self) -> tuple[str, ...]:
        """The parameters declared with the batch size m in their shape (``H : k x m``, a
        column per example): ``init_params`` takes m for them, and the checks compare their
        m with the data's."""
        return tuple(p.name for p in self.parameters if names.BATCH in p.shape)


def model_sizes(model: Model, sizes: Mapping[str, int] | None) -> dict[str, int]:
    """Every dimension but ``m`` -> its value: the model's ``sizes:`` line, then ``sizes``.

    A dimension with no value raises a :class:`~symbackprop.errors.SpecError` naming it.
    """
    given = {**model.sizes, **dict(sizes or {})}
    dims = [dim for dim in model.dimensions if dim != names.BATCH]
    missing = [dim for dim in dims if given.get(dim) is None]
    if missing:
        subject = (
            f"dimension {missing[0]!r}"
            if len(missing) == 1
            else "dimensions " + ", ".join(map(repr, missing[:-1])) + f" and {missing[-1]!r}"
        )
        raise SizeMissing(subject, missing[0], sizes_line=True, more=tuple(missing[1:]))
    return {dim: checked_size(dim, given[dim]) for dim in dims}


class _Namer:
    """Code names: each model name itself unless reserved; adjoints ``d<name>``."""

    def __init__(self, taken: list[str]) -> None:
        self.used: set[str] = set(RESERVED)
        self.code: dict[str, str] = {}
        # every name that is not reserved keeps itself first: a reserved np renamed np_
        # beside the model's own np_ (then np__) made the code of one the model name of the
        # other, and the renaming read the wrong parameter (hostile48b #1: a wrong gradient)
        for name in taken:
            if name not in self.used:
                self.used.add(name)
                self.code[name] = name
        for name in taken:
            if name not in self.code:
                self.code[name] = self.fresh(name)

    def fresh(self, name: str) -> str:
        candidate = name
        while candidate in self.used:
            candidate += "_"
        self.used.add(candidate)
        return candidate

    def adjoint(self, name: str) -> str:
        return self.fresh(f"d{self.code[name]}")


def build_model_plan(derivation: ModelDerivation, sizes: Mapping[str, int] | None) -> ModelPlan:
    """The plan for a model's derivation at concrete sizes (see the module docstring)."""
    model = derivation.model
    assert model is not None
    graph = derivation.graph
    values = model_sizes(model, sizes)
    dim_values: dict[Any, Any] = {
        sp.Symbol(k, integer=True, positive=True): v for k, v in values.items()
    }
    # logdet(W^T W) with W 2 x 3: the module would print the log of a rounding error's det
    problem = undefined_at_sizes(graph, dim_values)
    if problem:
        order = [*model.sizes, *values]  # as the model declares them
        shown = ", ".join(f"{k} = {values[k]}" for k in dict.fromkeys(order) if k in values)
        raise SpecError(no_value_text(shown, problem))

    def dims(shape: Any) -> Dims:
        out: list[int | str] = []
        for d in shape:
            if d == graph.m and model.batch:
                out.append(names.BATCH)
            else:
                out.append(int(d.xreplace(dim_values)) if isinstance(d, sp.Basic) else int(d))
        return (out[0], out[1])

    namer = _Namer([n for n in graph.symbols if not n.startswith("_")])
    for name in graph.symbols:
        if name.startswith("_"):
            namer.code[name] = namer.fresh(name.lstrip("_"))
    code = namer.code
    rename: dict[Any, Any] = {
        sym: MatrixSymbol(code[name], *sym.shape) for name, sym in graph.symbols.items()
    }
    adjoint_code = {name: namer.adjoint(name) for name in graph.deltas}
    # dJ/dW is dW unless the model has a value of that name (a LoRA-style W + dW): dW_ then,
    # or the gradient overwrote the parameter and later lines read it as the parameter
    gradient_code = {p: namer.adjoint(p) for p in model.parameters}
    for name, sym in graph.deltas.items():
        rename[sym] = MatrixSymbol(adjoint_code[name], *sym.shape)
    # a value computed twice (sum(W) * sum(W)) is computed once: its repeats read the first
    same = _repeats(graph)
    # each node's own name, for the backward's comments: a value the model names by its name,
    # a value inside an equation as the derivation names it, dJ/d(v^T h3), not dJ/dt10, a
    # name the code may never define (lecturer44 #1)
    internal = [name for name in graph.nodes if name.startswith("_")]
    meanings = {name: graph.argument_text(name) for name in internal}
    labels = {**code, **{name: _after_d(graph.symbol_text(name)) for name in internal}}
    for name, first in same.items():
        code[name] = code[first]
        rename[graph.symbols[name]] = rename[graph.symbols[first]]
    sized = _Sized(rename, dim_values)
    shapes = {code[name]: dims(sym.shape) for name, sym in graph.symbols.items()}
    shapes.update({adjoint_code[n]: dims(s.shape) for n, s in graph.deltas.items()})

    activations = dict(ACTIVATIONS)
    for name, formula in model.define:
        activations[name] = custom_activation(name, formula)

    forward = _forward(derivation, sized, code, dims, same, labels, meanings)
    # the backward pass is settled and proved in symbolic dimensions, then sized
    named = _Sized(rename, {})
    # a folded adjoint computed once (_computed_once) is named as any adjoint is (dt11)
    folded_code = {
        n: namer.adjoint(n)
        for n in graph.symbols
        if n not in adjoint_code and n not in model.parameters and n not in model.data
    }
    backward = _backward(
        derivation, named, code, dims, sized, labels, same, {**gradient_code}, folded_code
    )
    shapes.update({s.target: s.shape for s in backward if s.target in folded_code.values()})
    read = frozenset().union(*(_matrix_names(s.expr) for s in backward))
    forward = _scaled_norms(forward, read, code[model.cost])
    leaves = [*model.data]
    order = [code[n] for n in leaves] + [s.target for s in forward]
    cache = tuple(n for n in order if n in read)
    targets = {s.gradient_of: s.target for s in backward if s.gradient_of}
    kink_formulas = _kink_formulas(forward, cache, {code[n]: n for n in model.parameters})
    return ModelPlan(
        model=model,
        batch=model.batch,
        parameters=tuple(Leaf(n, code[n], dims(model.shapes[n])) for n in model.parameters),
        data=tuple(Leaf(n, code[n], dims(model.shapes[n])) for n in model.data),
        added=_only_added(graph, model),
        forward=forward,
        backward=backward,
        cache=cache,
        cost=code[model.cost],
        gradients=tuple((n, targets.get(n)) for n in model.parameters),
        kinked=tuple(kink_formulas),
        kink_formulas=kink_formulas,
        shapes=shapes,
        activations=activations,
        guards=safe_forms(printed_forms([s.expr for s in forward + backward], activations)),
        sums_to_one=_sums_to_one(derivation, code, dims),
    )


def _sums_to_one(
    derivation: ModelDerivation, code: Mapping[str, str], dims: Any
) -> tuple[Leaf, ...]:
    """The data leaves an assumption step of the derivation is about (each column sums to
    1), in data order."""
    model = derivation.model
    assert model is not None
    stated = {u for s in derivation.steps if s.assumption for u in s.uses}
    return tuple(Leaf(n, code[n], dims(model.shapes[n])) for n in model.data if n in stated)


class _Sized:
    """An expression in code names at concrete sizes (every dimension but ``m``)."""

    def __init__(self, rename: Mapping[Any, Any], sizes: Mapping[Any, Any]) -> None:
        self.rename = rename
        self.sizes = sizes

    def __call__(self, expr: Any) -> Any:
        return expr.xreplace(self.rename).xreplace(self.sizes)

    def __getitem__(self, symbol: Any) -> Any:
        return self(symbol)


def _matrix_names(expr: Any) -> frozenset[str]:
    return frozenset(sym.name for sym in expr.atoms(MatrixSymbol))


def _only_added(graph: Any, model: Model) -> tuple[str, ...]:
    """Parameters only ever added to another term (biases and shifts): they start at zero.

    A sum of nothing but such parameters (``relu(2 s)``, ``relu(b1 + b2)``) would start at
    zero too, on relu's kink for every seed; its parameters are drawn like the others (until
    no sum is left with only zero-started terms).
    """
    readers: dict[str, list[Any]] = {name: [] for name in model.parameters}
    for node in graph.nodes.values():
        for arg in node.args:
            if arg.name in readers:
                readers[arg.name].append(node)
    added = {
        name
        for name, nodes in readers.items()
        if nodes and all(node.kind is Kind.LINEAR for node in nodes)
    }
    while alone := {
        name
        for name in added
        if any(all(arg.name in added for arg in node.args) for node in readers[name])
    }:
        added -= alone
    return tuple(name for name in model.parameters if name in added)


def _repeats(graph: Any) -> dict[str, str]:
    """Each internal value that repeats an earlier node (same kind, record and expression,
    its arguments' repeats read as the first) -> that node's name. A named value keeps its
    own statement (the model's text names it); its internal repeats read it."""
    firsts: dict[tuple[Any, Any], str] = {}
    same: dict[str, str] = {}
    alias: dict[Any, Any] = {}
    for name, node in graph.nodes.items():
        expr = graph.forward.get(name)
        if expr is None or node.kind in (Kind.SEED, Kind.MODEL_LOSS):
            continue
        key = (node.kind, expr.xreplace(alias))
        first = firsts.get(key)
        if first is not None and name.startswith("_") and graph.nodes[first].record == node.record:
            same[name] = first
            alias[graph.symbols[name]] = graph.symbols[first]
        else:
            firsts.setdefault(key, name)
    return same


def _after_d(text: str) -> str:
    """A value's name as it follows dJ/d, bracketed as the derivation prints it:
    ``dJ/d(w^T)``, ``dJ/d(bce(p, Y))``, ``dJ/d(v^T h3)``; a name as it is."""
    if text.isidentifier():
        return text
    depth = 0
    for index, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and index < len(text) - 1:
            return f"({text})"
    return text if text.startswith("(") else f"({text})"


def _forward(
    derivation: ModelDerivation,
    sized: _Sized,
    code: Mapping[str, str],
    dims: Any,
    same: Mapping[str, str],
    labels: Mapping[str, str],
    meanings: Mapping[str, str],
) -> tuple[ModelForward, ...]:
    graph = derivation.graph
    model = derivation.model
    assert model is not None
    sources = {eq.name: _shown(eq.text) for eq in model.equations}
    out = []
    pending = True  # the next node opens a new equation
    equation_of = _equations_of(graph)
    repeats: dict[str, list[str]] = {}
    for name, first in same.items():
        repeats.setdefault(first, []).append(labels[name])
    source = None
    for name, node in graph.nodes.items():
        if pending:
            source = sources.get(equation_of[name])
        pending = not name.startswith("_")
        if name in same:
            continue  # read from its first statement; an equation's line goes to the next
        args = tuple(code[arg.name] for arg in node.args)
        logits = None
        if node.kind is Kind.MODEL_LOSS:
            logits = _logits_of(graph, node, code)
        expr = sized(graph.forward[name])
        stable = _stable_composition(graph, node)
        if stable is not None:
            inner = graph.nodes[node.args[0].name].args[0]
            expr, args = Elementwise(sp.Lambda(T, stable), sized[inner]), (code[inner.name],)
        elif _log_of_softmax(graph, node):
            inner = graph.nodes[node.args[0].name].args[0]
            expr, args = LogSoftmax(sized[inner]), (code[inner.name],)
        out.append(
            ModelForward(
                target=code[name],
                kind=node.kind,
                expr=expr,
                args=args,
                record=node.record,
                shape=dims(graph.symbols[name].shape),
                source=source,
                logits=logits,
                same=tuple(repeats.get(name, ())),
                meaning=meanings.get(name),
            )
        )
        source = None
    return tuple(out)


def _scaled_norms(
    forward: tuple[ModelForward, ...], read: frozenset[str], cost: str
) -> tuple[ModelForward, ...]:
    """``forward`` with each square root of a sum of squares (norm2(X), as the graph writes it:
    t1 = X^2, t2 = sum(t1), t3 = sqrt(t2)) computed as one :class:`Norm2` of X, which every
    backend scales by max |X| first: float16 entries over 256 squared to inf, and under 1e-4
    to 0, where the norm fits (a cost of 0 and a zero gradient: hostile42a #3, hostile41a #2).
    Only where nothing else reads the sum (the backward reads the norm, t3), which is dropped,
    as the square is where nothing else reads it; the model lines they carried go above the
    norm."""
    by_target = {s.target: s for s in forward}
    readers: dict[str, int] = {}
    for s in forward:
        for arg in s.args:
            readers[arg] = readers.get(arg, 0) + 1
    dropped: set[str] = set()
    replaced: dict[str, ModelForward] = {}
    for s in forward:
        if not (s.kind is Kind.FUNCTION and getattr(s.record, "name", None) == "sqrt"):
            continue
        total = by_target.get(s.args[0])
        if total is None or total.kind is not Kind.TOTAL:
            continue
        square = by_target.get(total.args[0])
        if square is None or square.kind is not Kind.FUNCTION:
            continue
        # the square by its body, t^2 (model_graph.power), not by the name it is printed with
        squared = getattr(square.record, "body", None) == T**2
        if not squared or not isinstance(square.expr, Elementwise):
            continue

        def unread(part: ModelForward) -> bool:  # read by the next statement only, not cached
            alone = readers.get(part.target, 0) == 1
            return alone and part.target not in read and part.target != cost

        if not unread(total):  # the sum read elsewhere too (J = sqrt(s) + s): computed once
            continue
        parts = [total, *([square] if unread(square) else [])]
        dropped.update(part.target for part in parts)
        # the model lines of the statements dropped go above the norm that computes them
        # (s = sum(W^2) was lost above an unrelated statement: review42 #3)
        lines = [p.source for p in (square, total) if p in parts and p.source] + [s.source]
        replaced[s.target] = dataclasses.replace(
            s,
            expr=Norm2(square.expr.arg),
            args=(square.args[0],),
            source="; ".join(line for line in lines if line) or None,
        )
    if not replaced:
        return forward
    return tuple(replaced.get(s.target, s) for s in forward if s.target not in dropped)


def _stable_composition(graph: Any, node: Any) -> Any:
    """log of an activation's output as one function of the activation's argument, when
    :func:`~symbackprop.records.activations.stable_form` has a form of it that stays finite
    where the activation rounds to 0 (log(sigmoid(t)) is -log(1 + e^-t), which every backend
    prints as its logaddexp; each identity proved by SymPy), else ``None``."""
    fn = node.record
    if node.kind is not Kind.FUNCTION or not isinstance(fn, ElementFunction) or fn.name != "log":
        return None
    inner = graph.nodes.get(node.args[0].name)
    if inner is None or inner.kind is not Kind.FUNCTION or inner.record.activation is None:
        return None
    act = inner.record.activation
    if act.formula is None:
        return None
    composed = fn.body.xreplace({T: act.formula.xreplace({z: T})})
    stable = stable_form(composed)
    return None if stable == composed else stable


def _log_of_softmax(graph: Any, node: Any) -> bool:
    """Whether ``node`` is log of a softmax, computed as one log-softmax of the softmax's
    argument: log of a softmax entry that rounds to 0 is -inf where log-softmax is finite."""
    fn = node.record
    if node.kind is not Kind.FUNCTION or not isinstance(fn, ElementFunction) or fn.name != "log":
        return False
    inner = graph.nodes.get(node.args[0].name)
    return inner is not None and inner.kind is Kind.COLUMN_SOFTMAX


def _shown(source: str) -> str:
    """A model statement as comments and docstrings show it: printable characters only, no
    backslash or quote (it is pasted into generated code)."""
    return "".join(ch for ch in source if ch.isprintable() and ch not in "\\\"'")


def _equations_of(graph: Any) -> dict[str, str]:
    """Node name -> the equation (model name) it belongs to: the next named node."""
    out: dict[str, str] = {}
    waiting: list[str] = []
    for name in graph.nodes:
        waiting.append(name)
        if not name.startswith("_"):
            out.update({w: name for w in waiting})
            waiting = []
    out.update({w: w for w in waiting})
    return out


def _logits_of(graph: Any, node: Any, code: Mapping[str, str]) -> str | None:
    """The logits a loss is computed from: z of bce(sigmoid(z)), z of ce(softmax(z))."""
    inner = graph.nodes.get(node.args[0].name)
    want = node.record.logits_with
    if inner is None or want is None:
        return None
    if want == "sigmoid" and inner.kind is Kind.FUNCTION and inner.record.name == "sigmoid":
        return code[inner.args[0].name]
    if want == "softmax" and inner.kind is Kind.COLUMN_SOFTMAX:
        return code[inner.args[0].name]
    return None


def _cached_forms(graph: Any, rename: _Sized) -> dict[Any, Any]:
    """Expressions the forward pass holds -> the cached value holding them."""
    out: dict[Any, Any] = {}
    for name, node in graph.nodes.items():
        value = rename[graph.symbols[name]]
        arg = rename[node.args[0]] if node.args else None
        if node.kind is Kind.DET:
            out[Determinant(arg)] = value[0, 0]
        elif node.kind is Kind.LOGDET:
            out[sp.log(Determinant(arg))] = value[0, 0]
        elif node.kind is Kind.INVERSE:
            out[Inverse(arg)] = value
            # inv(A)^T, as logdet's and det's gradients write it: SymPy keeps it inv(A^T),
            # which the cache would not match, and the code computed a second inverse
            out[Inverse(Transpose(arg))] = Transpose(value)
            # inv(inv(A)) is A: the code inverted the cached inverse again (logdet_inv's
            # det(t1) inv(t1)^T with t1 = inv(X)), a second O(n^3) solve and its rounding
            out[Inverse(value)] = arg
            out[Inverse(Transpose(value))] = Transpose(arg)
        elif node.kind in (Kind.FUNCTION, Kind.COLUMN_SOFTMAX):
            out[rename(graph.forward[name])] = value
    return out


def _cached_definitions(
    graph: Any, rename: _Sized, cached: Mapping[Any, Any], functions: Mapping[str, Any]
) -> dict[Any, Any]:
    """Each value :func:`_reuse` may read from the cache -> its defining expression (code
    names), which the proof of the reuse puts in its place."""
    values = {s for v in cached.values() for s in v.atoms(MatrixSymbol)}
    values |= {value for pairs in functions.values() for _, value in pairs}
    definitions = {rename[graph.symbols[n]]: rename(graph.forward[n]) for n in graph.nodes}
    return {value: definitions[value] for value in values if value in definitions}


def _backward(
    derivation: ModelDerivation,
    rename: _Sized,
    code: Mapping[str, str],
    dims: Any,
    sized: _Sized,
    labels: Mapping[str, str],
    same: Mapping[str, str],
    gradient_code: Mapping[str, str],
    folded_code: Mapping[str, str],
) -> tuple[ModelBackward, ...]:
    """The backward statements; ``rename`` gives code names in symbolic dimensions, in which
    each step's expression is settled and made to read the cache (each rewrite proved),
    ``sized`` the model's sizes; ``labels`` each node's own name (a repeat's too, whose
    value ``code`` reads from the first); ``same`` each repeat -> the node it repeats;
    ``gradient_code`` each parameter -> its gradient's code name (``dW``, or ``dW_`` beside a
    model value named dW); ``folded_code`` each value the derivation keeps no adjoint symbol
    for -> the code name of its adjoint, should it be computed once (:func:`_computed_once`).

    A repeat's adjoint is added into its first's (``dJ/dt1 + dJ/dt3``) and flows back once:
    the first's arguments are the repeat's, so the two chain rules through them are one
    applied to the sum (linearity); the repeat's own adjoint is then zero in what reads it.
    Only where both adjoints are kept under a symbol and the repeat's comes first (its step
    is earlier: it is later in the forward pass)."""
    graph = derivation.graph
    model = derivation.model
    assert model is not None
    parameters = set(model.parameters)
    cached = _cached_forms(graph, rename)
    functions = _functions_by_arg(graph, rename)
    reads = _cached_definitions(graph, rename, cached, functions)
    # a transpose node's transpose is its argument: the derivation writes t3^T with t3 = w^T
    # and prints it w; the code reads w too, not the cached t3 turned back (lecturer45 #5)
    untransposed = {
        Transpose(rename[graph.symbols[n]]): rename[node.args[0]]
        for n, node in graph.nodes.items()
        if node.kind is Kind.TRANSPOSE
    }

    def renamed(expr: Any) -> Any:
        return rename(expr).xreplace(untransposed)

    # each model name of a transpose (t = B^T) as what it is, for the proofs of the code's
    # forms: adj(B^T)^T stands for the step's det(t) inv(B) (two names of one transpose
    # each keep their own: a map from B^T back to one name wrote det(u) for det(t), review50)
    proved = {
        **{key.arg: Transpose(value) for key, value in untransposed.items()},
        **reads,
    }

    kept = {s.wrt.name for s in derivation.steps if s.wrt is not None and s.delta is not None}
    # first -> its repeats' (label, adjoint, adjoint before a stated assumption)
    pending: dict[str, list[tuple[str, Any, Any]]] = {}
    done: set[str] = set()
    folded: dict[Any, Any] = {}
    out = []
    # the adjoints the derivation folds into the steps after them, which may read them twice
    shared: list[ModelBackward] = []
    for step in derivation.steps:
        if step.wrt is None:
            continue
        name = step.wrt.name
        done.add(name)
        is_gradient = name in parameters
        if step.delta is None and not is_gradient:
            # folded into the next step by the derivation (a loss before its cancel); kept
            # aside in case two statements read it once settled (computed once then, below)
            if name in folded_code:
                where = f"step {step.number} (dJ/d{labels[name]})"
                written = renamed(step.expr).xreplace(folded)
                settled = _settle(written)
                prove_settled(written, settled, where)
                # in the code's form, as every statement's (the forms compared are alike)
                coded = _code_derivatives(settled, functions)
                expr = _reuse(adjugates(coded, cached, untransposed), cached, functions)
                prove_settled(settled, defined(expr), where, reads=proved)
                shared.append(
                    ModelBackward(
                        target=folded_code[name],
                        expr=sized(expr),
                        shape=dims(step.shape),
                        step=step.number,
                        rule=str(getattr(step.rule, "value", step.rule)),
                        text=f"dJ/d{labels[name]} = {text(sized(settled))}",
                    )
                )
            continue
        written = renamed(step.expr).xreplace(folded)
        # before a stated assumption (Step.general: softmax with cross-entropy for any target)
        general = None if step.general is None else renamed(step.general).xreplace(folded)
        first = same.get(name)
        if first is not None and first in kept and first not in done and name in kept:
            pending.setdefault(first, []).append((labels[name], written, general))
            symbol = rename[step.delta]
            folded[symbol] = ZeroMatrix(*symbol.shape)  # its value flows back through first's
            continue
        repeats = pending.pop(name, [])
        label = " + ".join(
            f"dJ/d{n}" for n in [labels[name], *(n for n, _, _ in reversed(repeats))]
        )
        if any(g is not None for _, _, g in repeats):
            general = written if general is None else general
        if repeats:
            if general is not None:
                general = MatAdd(general, *(a if g is None else g for _, a, g in repeats))
            written = MatAdd(written, *(adjoint for _, adjoint, _ in repeats))
        where = f"step {step.number} ({label})"

        def lowered(written: Any, where: str = where) -> tuple[Any, Any]:
            """(settled, the code's form) of a written adjoint, each rewrite proved."""
            settled = _settle(written)
            prove_settled(written, settled, where)
            settled = _code_derivatives(settled, functions)
            # det(A) inv(A^T) as adj(A)^T, which the code computes at a singular A too
            expr = _reuse(adjugates(settled, cached, untransposed), cached, functions)
            prove_settled(settled, defined(expr), where, reads=proved)
            return settled, expr

        settled, expr = lowered(written)
        if general is not None:
            general = sized(lowered(general)[1])
        if step.delta is not None and not is_gradient:
            symbol = rename[step.delta]
            if isinstance(expr, MatrixSymbol) or not _matrix_names(expr):
                folded[symbol] = expr  # an alias or a constant: substituted, not copied
                continue
            target = symbol.name
        else:
            target = gradient_code[name]
        out.append(
            ModelBackward(
                target=target,
                expr=sized(expr),
                shape=dims(step.shape),
                step=step.number,
                rule=str(getattr(step.rule, "value", step.rule)),
                text=f"{label} = {text(sized(settled))}",
                gradient_of=name if is_gradient else None,
                general=general,
            )
        )
    for adjoint in shared:
        out = _computed_once(out, adjoint)
    return _live(out)


def _computed_once(statements: list[ModelBackward], adjoint: ModelBackward) -> list[ModelBackward]:
    """``statements`` where a folded ``adjoint`` (a loss's, which the derivation writes into
    the steps after it) is computed once and read where two or more statements repeat it:
    rnn_3's ``dc = (1/m) (t11 - Y) 1_m`` and ``dt10 = (1/m) (t11 - Y)`` computed
    (t11 - Y) / m twice; now ``dt10`` comes first and ``dc = dt10 1_m`` reads it (batch
    norm's two products with (1/m) (t10 - Y) read a new ``dt10`` the same way). A statement
    that is the adjoint itself, not a gradient, holds it; else it is computed under its own
    name. The adjoint reads forward values only, so it may come first."""
    holder = next(
        (
            s
            for s in statements
            if s.expr == adjoint.expr and s.gradient_of is None and s.general is None
        ),
        None,
    )
    named = adjoint if holder is None else holder
    symbol = MatrixSymbol(named.target, *adjoint.expr.shape)
    readers = {
        index: read
        for index, s in enumerate(statements)
        if s is not holder
        and s.general is None
        and (read := _read_as(s.expr, adjoint.expr, symbol)) is not None
    }
    if not readers or (holder is None and len(readers) < 2):
        return statements
    out = [
        dataclasses.replace(s, expr=readers[index]) if index in readers else s
        for index, s in enumerate(statements)
        if s is not holder
    ]
    first = min(
        index - (holder is not None and statements.index(holder) < index) for index in readers
    )
    if holder is not None:
        # no later than where it stood: a statement between it and its first new reader may
        # read it already (dJ/dq = (t1 ⊙ dt3) 1_m of mse(w X + q (w X), Y) was moved above
        # dt3's line: the module raised UnboundLocalError, hostile50a #1)
        first = min(first, statements.index(holder))
    return [*out[:first], named, *out[first:]]


def _read_as(expr: Any, part: Any, symbol: MatrixSymbol) -> Any | None:
    """``expr`` with ``part`` read as ``symbol`` where ``part`` is a subexpression of it, or
    the start or the end of its product with the same coefficient (``(1/m) A 1_m`` starts
    with ``(1/m) A``; ``(1/m) B^T A`` ends with it); else None."""
    if part == expr or isinstance(part, (MatrixSymbol, Transpose)):
        return None
    replaced = expr.xreplace({part: symbol})
    if replaced != expr:
        return replaced
    if not (isinstance(expr, MatMul) and isinstance(part, MatMul)):
        return None
    coeff, factors = expr.as_coeff_matrices()
    own, inner = part.as_coeff_matrices()
    size = len(inner)
    if own != coeff or size >= len(factors):
        return None
    if list(factors[:size]) == list(inner):
        return MatMul(symbol, *factors[size:])
    if list(factors[-size:]) == list(inner):
        return MatMul(*factors[:-size], symbol)
    return None


def _live(statements: list[ModelBackward]) -> tuple[ModelBackward, ...]:
    """The statements a gradient needs: an adjoint that only a zero read (``da1`` behind a
    step function, whose ``dz1 = da1 ⊙ 0`` is zero and substituted) is not computed."""
    needed: set[str] = set()
    kept = []
    for statement in reversed(statements):
        if statement.gradient_of or statement.target in needed:
            kept.append(statement)
            needed |= _matrix_names(statement.expr)
    return tuple(reversed(kept))


def _settle(expr: Any) -> Any:
    """The backward expression in its simplest equal form, before it is printed: the rewrites
    of :func:`_settle_once` until none applies (each makes the expression smaller)."""
    for _ in range(8):
        settled = _settle_once(expr)
        if settled == expr:
            break
        expr = settled
    return expr


def _settle_once(expr: Any) -> Any:
    """Entries of constant matrices become numbers: ``I[0, 0]`` -> 1, ``((1/m) I)[0, 0]`` ->
    1/m (a folded constant adjoint read as a number); then :func:`_tidy`'s rewrites, and
    constants leave element-wise products (a number times ones is the number); a product
    with a zero factor is zero (:func:`~symbackprop.lowering.zeros.exact_zeros`)."""
    expr = exact_zeros(expr)
    # a sum of constant matrices as one: two paths' ones adjoints that cancel (1_2 - 1_2 of
    # sum(W x - W x)) are the zero matrix, which the next round's exact_zeros removes; left as
    # a sum, each 1 printed as the number 1.0 and a product of it failed (hostile37a #1)
    sums = {a: a.doit() for a in expr.atoms(sp.MatAdd) if not a.atoms(MatrixSymbol)}
    expr = expr.xreplace(sums) if sums else expr
    swaps = {
        e: e.parent.as_explicit()[e.i, e.j]
        for e in expr.atoms(MatrixElement)
        if not e.parent.atoms(MatrixSymbol) and all(d.is_Integer for d in e.parent.shape)
    }
    expr = _tidy(expr.xreplace(swaps) if swaps else expr)
    # f' constant (the identity's 1): a number times ones, read from nothing
    constants = {
        e: e.body * OneMatrix(*e.shape)
        for e in expr.atoms(Elementwise)
        if not e.body.has(e.variable) and not e.body.free_symbols
    }
    expr = expr.xreplace(constants) if constants else expr
    # a number times the argument (f' of (·)^2 is 2 (·)) is a multiple of it, whose number
    # joins the coefficient before it: (1/(20 m)) 2 W2 is W2 / (10 m), one product less
    scaled = {
        e: coeff * e.arg
        for e in expr.atoms(Elementwise)
        if (coeff := _linear_coefficient(e)) is not None
    }
    expr = expr.xreplace(scaled) if scaled else expr
    # a constant 1 x 1 factor of an element-wise product is a number: I ⊙ 2 t -> 2 t
    scalars = {
        h: sp.Mul(*(a.as_explicit()[0, 0] for a in fixed))
        * (HadamardProduct(*kept) if len(kept) > 1 else kept[0])
        for h in expr.atoms(HadamardProduct)
        if h.shape == (1, 1)
        and (fixed := [a for a in h.args if not a.atoms(MatrixSymbol)])
        and (kept := [a for a in h.args if a.atoms(MatrixSymbol)])
    }
    expr = expr.xreplace(scalars) if scalars else expr
    # c 1 ⊙ G is c G when G has the full shape; c 1 ⊙ d 1 is (c d) 1
    ones = {
        h: _scaled(
            sp.Mul(*(_constant(a) for a in h.args if a not in kept)),
            kept or [OneMatrix(*h.shape)],
        )
        for h in expr.atoms(HadamardProduct)
        if len(kept := [a for a in h.args if _constant(a) is None]) < len(h.args)
        and all(a.shape == h.shape for a in kept)
    }
    return _tidy(expr.xreplace(ones) if ones else expr)


def _tidy(expr: Any) -> Any:
    """Bottom up: products flat (a folded adjoint inside a product spliced in), without a
    coefficient 1 or an identity factor (tr's adjoint), runs of ones counted (``1_a 1_k^T``
    ``1_k 1_b^T`` is ``k 1_a 1_b^T``: a constant adjoint summed over the columns, ``1_3 1_m^T
    1_m``, is ``m 1_3``) and a ones matrix inside a product split into a column and a row;
    the terms of a sum that are equal but for their coefficient added
    (``w + w`` is ``2 w``, ``2 1 + 1`` is ``3 1``); a sum or element-wise product of one term
    is the term; a 1 x 1 element-wise product of constants is its number times I; the
    transpose of a constant (``(1_3 1_2^T)^T``, ``(2 1)^T``, ``I^T``) is that constant of the
    transposed shape (``1_2 1_3^T``): a constant prints as a number, which has no ``.T``."""

    def tidy(e: Any) -> Any:
        if isinstance(e, Transpose) and not e.atoms(MatrixSymbol):
            return e.doit()  # SymPy's own transpose of ones, identities, zeros and numbers
        if isinstance(e, MatMul):
            return _product(e)
        if isinstance(e, (MatAdd, HadamardProduct)) and len(e.args) == 1:
            return e.args[0]
        if isinstance(e, HadamardProduct) and e.shape == (1, 1) and not e.atoms(MatrixSymbol):
            # constant 1 x 1 factors only (identity's 1 times the I of a 1 x 1 adjoint):
            # their number times I, which a product around it drops (I ⊙ I x^T is x^T)
            number = sp.Mul(*(a.as_explicit()[0, 0] for a in e.args))
            return _scaled(number, [sp.Identity(1)])
        if isinstance(e, MatAdd):
            return _like_terms(e)
        return e

    return expr.replace(
        lambda e: isinstance(e, (MatMul, MatAdd, HadamardProduct, Transpose)), tidy
    )


def _product(e: MatMul) -> Any:
    args = [x for a in e.args for x in (a.args if isinstance(a, MatMul) else (a,))]
    coeff = sp.Mul(*(a for a in args if not getattr(a, "is_Matrix", False)))
    matrices = [a for a in args if getattr(a, "is_Matrix", False)]
    if len(matrices) > 1 and any(not isinstance(a, sp.Identity) for a in matrices):
        matrices = [a for a in matrices if not isinstance(a, sp.Identity)]
    folded: list[Any] = []
    for a in matrices:
        if isinstance(a, Transpose) and isinstance(a.arg, OneMatrix):
            a = OneMatrix(a.shape[0], a.shape[1])
        if folded and isinstance(folded[-1], OneMatrix) and isinstance(a, OneMatrix):
            coeff *= a.shape[0]
            folded[-1] = OneMatrix(folded[-1].shape[0], a.shape[1])
        else:
            folded.append(a)
    return _scaled(coeff, _split_inner_ones(folded), product=True)


def _split_inner_ones(factors: list[Any]) -> list[Any]:
    """A ones matrix between two other factors as a column of ones times a row of ones:
    ``A 1_(a x b) B`` is ``(A 1_a)(1_b^T B)``, the row sums of A times the column sums of B,
    which every printer writes as two sums (a ones matrix prints as the number 1.0, which
    cannot stand inside a matrix product). A 1 x 1 ones factor there is dropped."""
    out: list[Any] = []
    for index, a in enumerate(factors):
        if isinstance(a, OneMatrix) and 0 < index < len(factors) - 1:
            rows, cols = a.shape
            out += [OneMatrix(rows, 1)] if rows != 1 else []
            out += [OneMatrix(1, cols)] if cols != 1 else []
        else:
            out.append(a)
    return out


def _scaled(coeff: Any, factors: list[Any], *, product: bool = False) -> Any:
    """``coeff`` times the (matrix or element-wise) product of ``factors``; no coefficient 1."""
    body = factors[0] if len(factors) == 1 else None
    if body is None:
        body = MatMul(*factors) if product else HadamardProduct(*factors)
    if coeff == 1:
        return body
    if isinstance(body, MatMul):
        return MatMul(coeff, *body.args)
    return MatMul(coeff, body)


def _constant(factor: Any) -> Any:
    """The number ``c`` when ``factor`` is ``c`` times a ones matrix, else ``None``."""
    if isinstance(factor, OneMatrix):
        return sp.Integer(1)
    if isinstance(factor, MatMul):
        matrices = [a for a in factor.args if getattr(a, "is_Matrix", False)]
        if len(matrices) == 1 and isinstance(matrices[0], OneMatrix):
            return sp.Mul(*(a for a in factor.args if not getattr(a, "is_Matrix", False)))
    return None


def _like_terms(e: MatAdd) -> Any:
    """Terms equal but for their coefficient added into one (SymPy's ``==`` on the rest):
    ``w + w`` -> ``2 w``, ``(1/200) w + (1/200) w`` -> ``(1/100) w``, and the constants
    ``2 1 + 1 + X`` -> ``3 1 + X``. A sum whose terms all cancel stays as it is."""
    totals: dict[Any, Any] = {}
    for term in e.args:
        coeff, body = _split_coefficient(term)
        totals[body] = totals.get(body, 0) + coeff
    if len(totals) == len(e.args):
        return e
    terms = [_scaled(coeff, [body]) for body, coeff in totals.items() if coeff != 0]
    if not terms:
        return e
    return MatAdd(*terms) if len(terms) > 1 else terms[0]


def _split_coefficient(term: Any) -> tuple[Any, Any]:
    """``c A B`` -> ``(c, A B)``; a ones matrix in any spelling is the body ``1``."""
    constant = _constant(term)
    if constant is not None:
        return constant, OneMatrix(*term.shape)
    if not isinstance(term, MatMul):
        return sp.Integer(1), term
    matrices = [a for a in term.args if getattr(a, "is_Matrix", False)]
    coeff = sp.Mul(*(a for a in term.args if not getattr(a, "is_Matrix", False)))
    return coeff, matrices[0] if len(matrices) == 1 else MatMul(*matrices)


def _functions_by_arg(graph: Any, rename: _Sized) -> dict[str, list[tuple[ElementFunction, Any]]]:
    """Argument code name -> [(f, the code symbol of f(argument))]."""
    out: dict[str, list[tuple[ElementFunction, Any]]] = {}
    for name, node in graph.nodes.items():
        if node.kind is Kind.FUNCTION and isinstance(node.record, ElementFunction):
            arg = rename[node.args[0]].name
            out.setdefault(arg, []).append((node.record, rename[graph.symbols[name]]))
    return out


def _code_derivatives(expr: Any, functions: Mapping[str, Any]) -> Any:
    """``expr`` with each f' that the code computes in a form of its own (ElementFunction.
    code_derivative) in that form: norm2's sqrt' is 0 where the sum of squares is 0, where
    1/(2 sqrt(0)) has no value (times 2 A = 0 it was a NaN gradient)."""

    def coded(fn: Any, body: Any, _value: Any, arg: Any) -> Any:
        if fn.code_derivative is not None and body == fn.derivative:
            return Elementwise(sp.Lambda(T, fn.code_derivative), arg)
        return None

    return _swap_element_wise(expr, functions, coded)


def _reuse(expr: Any, cached: Mapping[Any, Any], functions: Mapping[str, Any]) -> Any:
    """``expr`` reading the cached values instead of recomputing them: ``1 - tanh(t8)^2``
    applied to t8 becomes ``1 - t^2`` applied to h3 = tanh(t8), and relu's ``1{t > 0}``
    applied to z1 the record's ``1{t > 0}`` applied to a1 = relu(z1) (its derivative_in_a,
    proved equal when the record was built)."""

    def in_output(fn: Any, body: Any, value: Any, _arg: Any) -> Any:
        read = fn.in_output(body)
        return None if read is None else Elementwise(sp.Lambda(T, read), value)

    return _swap_element_wise(expr.xreplace(dict(cached)), functions, in_output)


def _swap_element_wise(
    expr: Any, functions: Mapping[str, Any], replace: Callable[[Any, Any, Any, Any], Any]
) -> Any:
    """``expr`` with each element-wise function of a value in ``functions`` (name -> its
    (function, cached value) pairs) replaced by the first ``replace(fn, body in t, value,
    argument)`` that is not None."""
    swaps = {}
    for e in expr.atoms(Elementwise):
        arg = e.arg
        if not isinstance(arg, MatrixSymbol) or arg.name not in functions:
            continue
        body = e.body.xreplace({e.variable: T})
        for fn, value in functions[arg.name]:
            new = replace(fn, body, value, arg)
            if new is not None:
                swaps[e] = new
                break
    return expr.xreplace(swaps) if swaps else expr


def _kink_formulas(
    forward: tuple[ModelForward, ...], cache: tuple[str, ...], parameter: Mapping[str, str]
) -> dict[str, tuple[Any, bool]]:
    """The values a finite step must not move across a kink -> (the function's body g(z),
    whether the value is its output): a kinked function's argument where the cache holds it,
    a parameter by its own name (abs(W), norm1(W): read from the params; none was watched, and
    a step across W = 0 failed a right gradient: hostile43c #1), else its output where only
    that is cached (relu's a > 0 exactly where z > 0). Every function whose body kinks: relu,
    leaky_relu, abs, and a custom or registered activation (relu(z - 1): hostile46c #1, whose
    module named no kink and a step across z = 1 failed a right gradient)."""
    out: dict[str, tuple[Any, bool]] = {}
    for s in forward:
        if s.kind is not Kind.FUNCTION or not s.record.body.has(*_JUMPS):
            continue
        body = s.record.body.xreplace({T: z})
        arg = s.args[0]
        if arg in cache or arg in parameter:
            out.setdefault(parameter.get(arg, arg), (body, False))
        elif s.target in cache:
            out.setdefault(s.target, (body, True))
    return out


def _linear_coefficient(e: Elementwise) -> Any:
    """c where the element-wise ``e`` is c times its argument (c a number), else None."""
    coeff, rest = e.body.as_coeff_Mul()
    return coeff if rest == e.variable and coeff.is_Number and coeff != 0 else None
