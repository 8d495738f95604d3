"""The forward graph of a :class:`~symbackprop.model.Model`: one node per operation.

Every operation of every equation becomes a :class:`~symbackprop.core.graph.Node` whose
arguments are named values (``MatrixSymbol``): the model's own names (parameters, data, the
equations' left-hand sides) and, for the operations inside an equation, internal names
``_t1``, ``_t2``, ... (a model may not use a name starting with ``_``). The engine then walks
this graph exactly as it walks a dense network's, one rule per kind
(:mod:`symbackprop.core.rules.model_linear`, ``model_elementwise``, ``model_reduce``), and
sums the contributions of a value read in several places.

Numbers (literals, named constants, ``m``) are folded into the nodes (coefficients of a
:attr:`Kind.LINEAR` node, exponents of a power); a 1 x 1 value that multiplies a matrix is a
:attr:`Kind.SCALE` node (its entry ``s[0, 0]`` multiplies like a number). Some functions are
written in terms of others, and the steps show them so: ``A / B`` is ``A ⊙ B^(-1)``,
``norm1(A)`` is ``sum(abs(A))`` and ``norm2(A)`` is ``sqrt(sum(A^2))``.

Every expression in :attr:`ForwardGraph.forward` is stock SymPy (plus the activation nodes of
:mod:`symbackprop.records.nodes`): with sizes and matrices substituted, ``.doit()`` evaluates
it, which is how the tests evaluate a model's own equations.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, ClassVar, NoReturn

import sympy as sp
from sympy import (
    Determinant,
    HadamardProduct,
    Identity,
    Inverse,
    MatAdd,
    MatrixSymbol,
    OneMatrix,
    Trace,
    Transpose,
)

from symbackprop.core.algebra import cancelled_product, pole_cancelled
from symbackprop.core.constant_values import (
    Affine,
    affine_form,
    first_bad,
    undefined_function,
    undefined_loss,
)
from symbackprop.core.graph import Cost, ForwardGraph, Kind, Node, dim
from symbackprop.core.lift import lift
from symbackprop.core.model_rewrites import (
    LOG_OF_TRANSPOSE,
    LOGSUMEXP_CALL,
    StableIdentity,
    checked,
    log_of_multiple,
    named_complement,
    stable_call,
)
from symbackprop.core.names import Name as SymbolName
from symbackprop.core.number_factors import PRODUCTS, gather_numbers
from symbackprop.core.softmax_forms import bce_rounds_off, is_softmax_complement, same_value
from symbackprop.errors import SpecError
from symbackprop.formula import Binary, Call, Name, Num, Unary, names
from symbackprop.formula import Node as FormulaNode
from symbackprop.formula import Transpose as TransposeNode
from symbackprop.formula.ast import substituted, to_text
from symbackprop.formula.decimals import decimal_text, number_phrase
from symbackprop.formula.float_range import (
    OUTSIDE_FLOAT64,
    OutOfRange,
    outside_float_range,
    shown_constant,
)
from symbackprop.model import Model
from symbackprop.records import scalars
from symbackprop.records.activations import ACTIVATIONS, Activation, custom_activation
from symbackprop.records.losses import LOSSES, Loss
from symbackprop.records.nodes import LogSumExp, T, activation_of, entrywise

Shape = tuple[Any, Any]
#: a value while building: a SymPy number (literal, constant, m) or a named matrix value
Value = Any


def bare(node: FormulaNode) -> bool:
    """Whether a piece of formula reads as one thing without parentheses (a call, ``w^T``,
    ``(y ⊙ v)^T``: a transpose brackets its own operand)."""
    return isinstance(node, Call | Name | TransposeNode)


#: the scalar functions a model may apply entry by entry, besides the activations
SCALAR_FUNCTIONS: dict[str, sp.Expr] = {
    "exp": sp.exp(T),
    "log": sp.log(T),
    "abs": sp.Abs(T),
    "sqrt": sp.sqrt(T),
    "sin": sp.sin(T),
    "cos": sp.cos(T),
}


def _activation_name(node: Node | None) -> str:
    """The name of the activation ``node`` applies ("" for any other node)."""
    if node is None:
        return ""
    if node.kind is Kind.COLUMN_SOFTMAX:
        return str(node.record.name)
    if node.kind is Kind.FUNCTION and node.record.activation is not None:
        return str(node.record.activation.name)
    return ""


@dataclass(frozen=True)
class ElementFunction:
    """f applied entry by entry: its name as written, the scalar body f(t) and f'(t) in
    :data:`~symbackprop.records.nodes.T`, and the activation record when f is one."""

    name: str
    body: sp.Expr
    derivative: sp.Expr
    activation: Activation | None = None
    #: f' as the generated code computes it, where it gives a value at a point where f' has
    #: none (None: ``derivative`` itself); the derivation and the checks keep ``derivative``
    code_derivative: sp.Expr | None = None
    #: a power's exponent, a number (its name, ``^0.3``, spells it as written); None for a
    #: function
    exponent: sp.Expr | None = None

    def apply(self, arg: Any) -> Any:
        if self.activation is not None:
            return activation_of(self.activation, arg)
        return entrywise(sp.Lambda(T, self.body), arg)

    def apply_derivative(self, arg: Any) -> Any:
        return entrywise(sp.Lambda(T, self.derivative), arg)

    def in_output(self, body: sp.Expr) -> sp.Expr | None:
        """``body`` (a function of the argument t, in T) written in the output a = f(t), in T,
        where the cached output gives it: f' of relu is the record's 1{a > 0} (its
        derivative_in_a), 1 - tanh(t)^2 is 1 - a^2; ``None`` when it needs t itself.

        The model's generated code reads the output this way (lowering's reuse of the cache)
        and the derivation's steps say so (the value they reuse from the forward cache).
        """
        if self.body == T:  # the identity: its output is its argument
            return None
        in_a = self.activation.derivative_in_a if self.activation is not None else None
        if in_a is not None and body == self.derivative:
            return in_a.xreplace({scalars.a: T})
        out = sp.Dummy("out")
        new = body.subs(self.body, out)
        if new != body and not new.has(T):
            return conditions_on_output(new.xreplace({out: T}), self.body)
        return None


def conditions_on_output(expr: sp.Expr, body: sp.Expr) -> sp.Expr:
    """``expr`` (in the output a = f(t), in T) with each condition ``a**k rel c`` read as
    ``a rel r`` (r >= 0 the rational k-th root of c) where f takes no negative value: the
    substitution of a for sqrt(t) writes t > 0 as a**2 > 0, which is a > 0 for a = sqrt(t).
    On a >= 0 the power a**k (k > 0) is increasing, so the two conditions hold together; SymPy
    checks r**k = c, and that f(t) is nonnegative (or not real) for t of either sign."""
    relations = [
        r
        for r in expr.atoms(sp.core.relational.Relational)
        if isinstance(r.lhs, sp.Pow)
        and r.lhs.base == T
        and r.lhs.exp.is_Rational
        and r.lhs.exp > 0
        and r.rhs.is_Rational
        and r.rhs >= 0
    ]
    if not relations or not _never_negative(body):
        return expr
    swaps = {}
    for r in relations:
        root = r.rhs ** (1 / r.lhs.exp)
        if root.is_Rational and root >= 0 and root**r.lhs.exp == r.rhs:
            swaps[r] = r.func(T, root)
    return expr.xreplace(swaps)


def _never_negative(body: sp.Expr) -> bool:
    """Whether f(t) (``body``, in T) is nonnegative wherever it is real, by SymPy's sign
    assumptions at a positive, a negative and a zero t."""
    points = (sp.Dummy(positive=True), sp.Dummy(negative=True), sp.Integer(0))
    values = [body.xreplace({T: t}) for t in points]
    return all(v.is_nonnegative or v.is_extended_real is False for v in values)


@dataclass(frozen=True)
class LinearTerms:
    """c1 A1 + c2 A2 + ... + c 1: ``coefficients[i]`` of ``node.args[i]``, ``broadcast[i]``
    when that argument is a column repeated over the m columns, and the number added to every
    entry."""

    coefficients: tuple[sp.Expr, ...]
    broadcast: tuple[bool, ...]
    constant: sp.Expr = sp.Integer(0)


@dataclass(frozen=True)
class Broadcast:
    """Which arguments of an element-wise product are columns repeated over the m columns."""

    broadcast: tuple[bool, ...]


@dataclass
class ModelGraph(ForwardGraph):
    """A model's forward graph: the network fields stay empty, the model is kept beside."""

    network: Any = None
    batch: bool = False
    dims: tuple[sp.Symbol, ...] = ()
    m: Any = sp.Integer(1)
    activations: tuple[Activation, ...] = ()
    loss: Any = None
    model: Model | None = None
    #: the values that depend on a parameter: the only ones that get an adjoint
    active: set[str] = field(default_factory=set)
    #: the model's own names (leaves, then equations), in order; internal ones start with _
    named: tuple[str, ...] = ()
    #: internal value -> the part of its equation it stands for (``_t5`` -> ``w^T h + c``)
    texts: dict[str, str] = field(default_factory=dict)
    #: internal value -> that part of its equation as a formula tree (printers typeset it)
    sources: dict[str, FormulaNode] = field(default_factory=dict)
    #: value -> the identity its call was rewritten by (``log(1 + exp(u)) = softplus(u)``)
    rewrites: dict[str, StableIdentity] = field(default_factory=dict)
    #: a value reached by several contributions gets a step saying they are summed
    announce_sums: ClassVar[bool] = True

    @property
    def depth(self) -> int:
        return 0

    # -- how an internal value reads (the model's names: render.model_names prints with them) --
    @functools.cached_property
    def shown_sources(self) -> dict[str, FormulaNode]:
        """Internal value -> the formula it stands for; the few the graph makes without a piece
        of source text (the ``1 / x`` of a division, ``abs``/``sum`` inside ``norm1``) written
        out as those functions."""
        out: dict[str, FormulaNode] = {}
        for name in self.forward:
            if name.startswith("_"):
                # a rewrite's source may name an internal value (1 - p with p = sigmoid(W x)
                # is sigmoid(-_t1)): shown as what that value stands for, sigmoid(-(W x))
                out[name] = substituted(self._shown_source(name, out), out)
        return out

    def _shown_source(self, name: str, earlier: dict[str, FormulaNode]) -> FormulaNode:
        found = self.sources.get(name)
        if found is not None:
            return found
        node = self.nodes.get(name)
        if node is None:
            return Name("?", 0)
        first = str(node.args[0].name)  # type: ignore[union-attr]  # a named value
        arg = earlier[first] if first in earlier else Name(first, 0)
        if node.kind is Kind.TOTAL:
            return Call("sum", (arg,), 0)
        return function_source(node.record, arg)

    @functools.cached_property
    def marks(self) -> dict[str, int]:
        """An internal value whose text an earlier one already shows (``W x`` written twice is
        two values with two adjoints) -> its occurrence number, shown ``(W x)#2``, so that no
        two different values read alike."""
        out: dict[str, int] = {}
        seen: dict[str, int] = {}
        for name, source in self.shown_sources.items():
            text = to_text(source)
            seen[text] = seen.get(text, 0) + 1
            if seen[text] > 1:
                out[name] = seen[text]
        return out

    def _mark(self, name: str) -> str:
        return f"#{self.marks[name]}" if name in self.marks else ""

    def value_text(self, name: str) -> str:
        """A value as it reads inside an expression: ``W1``, ``w^T``, ``(w^T h + c)``."""
        if name not in self.shown_sources:
            return name
        source = self.shown_sources[name]
        body = to_text(source)
        return (body if bare(source) else f"({body})") + self._mark(name)

    def argument_text(self, name: str) -> str:
        """A value inside a call's own brackets: ``W x + b`` (a marked one keeps its own, so
        that the mark reads on the whole value: ``(W x)#2``)."""
        source = self.shown_sources.get(name)
        if source is None or (name in self.marks and not bare(source)):
            return self.value_text(name)
        return to_text(source) + self._mark(name)

    def target_text(self, name: str) -> str:
        """What dJ/d(...) is taken of: ``h``, ``(sigmoid(w^T h + c))``."""
        if name not in self.shown_sources:
            return name
        return f"({to_text(self.shown_sources[name])})" + self._mark(name)

    def symbol_text(self, name: str) -> str:
        """Any symbol's name in plain text: ``dJ/d(v^T)`` for the adjoint symbol of an internal
        value, else :meth:`value_text`."""
        value = self.adjoint_of.get(name)
        return "dJ/d" + self.target_text(value) if value is not None else self.value_text(name)

    def outer_cancel(self, node: Node) -> sp.Expr | None:
        """The derivative of ``node``'s function in the output ``a`` of the activation it
        reads, when it has a pole that cancels with that activation's g' (log of a sigmoid:
        1/a times a(1 - a) is 1 - a; sqrt of a relu: 1/(2 sqrt(a)) only where a > 0) or
        with the softmax it reads (log of a softmax: a (1/a) = 1 per entry), else
        ``None``. The rule of ``node`` hands it down as scalar algebra, so that the
        activation's rule derives the cancellation (:func:`~symbackprop.core.rules.
        model_cancel.cancel`) as it does a loss's."""
        fn = node.record
        if node.kind is not Kind.FUNCTION or not isinstance(fn, ElementFunction):
            return None
        if fn.activation is not None or not has_pole(fn.derivative):
            return None
        inner = self.nodes.get(str(node.args[0].name))  # type: ignore[union-attr]
        dl = fn.derivative.xreplace({T: scalars.a})
        if inner is not None and inner.kind is Kind.COLUMN_SOFTMAX and fn.name == "log":
            return dl  # log of a softmax: a (1/a) = 1 in each column's Jacobian product
        if inner is None or inner.kind is not Kind.FUNCTION or inner.record.activation is None:
            return None
        return dl if pole_cancelled(dl, inner.record.activation) is not None else None

    @functools.cached_property
    def adjoint_of(self) -> dict[str, str]:
        """Adjoint symbol name (``dJ/d_t5``) -> the value it is the adjoint of (``_t5``)."""
        return {str(symbol.name): name for name, symbol in self.deltas.items()}


def function_source(fn: ElementFunction, arg: FormulaNode) -> FormulaNode:
    """The formula an element-wise function ``fn`` of ``arg`` reads as: ``log(arg)``, and a
    power by its exponent (``^-1`` is ``1 / arg``, ``^1/2`` is ``arg^(1/2)``)."""
    exponent = fn.exponent
    if exponent is not None and exponent.is_Rational:
        if exponent == -1:
            return Binary("/", Num(Fraction(1), 0), arg, 0)
        return Binary("^", arg, Num(Fraction(int(exponent.p), int(exponent.q)), 0), 0)
    return Call(fn.name, (arg,), 0)  # a function, or a power of sqrt(2) (no Num for it)


def has_pole(derivative: sp.Expr) -> bool:
    """Whether f'(t) has t in a denominator (log's 1/t, sqrt's 1/(2 sqrt(t)))."""
    _, denominator = sp.fraction(sp.together(derivative))
    return bool(denominator.has(T))


def _scalar(value: Value) -> bool:
    return not isinstance(value, MatrixSymbol)


def _one_by_one(value: MatrixSymbol) -> bool:
    return bool(value.shape[0] == 1 and value.shape[1] == 1)


class _Builder:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.m = dim("m")
        self.graph = ModelGraph(batch=model.batch, m=self.m if model.batch else sp.Integer(1))
        self.graph.model = model
        self.constants: dict[str, sp.Expr] = {}
        #: each value as a sum of the values that are no sums (w - w: the number 0 everywhere)
        self.affine: dict[str, Affine] = {}
        self.count = 0
        self.activations: dict[str, Activation] = dict(ACTIVATIONS)
        for name, formula in model.define:
            self.activations[name] = custom_activation(name, formula)
        self.line = 0
        for name in (*model.parameters, *model.data):
            self.symbol(name, model.shapes[name])
        self.graph.active.update(model.parameters)
        self.graph.data = tuple(model.data)

    # -- names ---------------------------------------------------------------------------------

    def fail(self, message: str) -> SpecError:
        return SpecError(f"line {self.line}: {message}")

    def symbol(self, name: str, shape: Shape) -> MatrixSymbol:
        symbol = MatrixSymbol(name, *shape)
        self.graph.symbols[name] = symbol
        self.graph.names[name] = SymbolName(name)
        self.graph.layers[name] = 0
        return symbol

    def define(
        self, name: str | None, kind: Kind, args: tuple[MatrixSymbol, ...], expr: Any, record: Any
    ) -> MatrixSymbol:
        """A new value ``name`` (an internal ``_tN`` when ``None``) defined by a node."""
        if len(self.graph.nodes) >= MAX_OPERATIONS:
            raise self.fail(
                f"the model's equations make more than {MAX_OPERATIONS:,} operations (each "
                "function, product, sum and transpose is one); deriving, printing and writing "
                "its code take a few ms an operation, so a larger model would run for minutes"
            )
        if name is None:
            self.count += 1
            name = f"_t{self.count}"
        if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
            # a constant such as 1/0, log(0) or log(-2): no finite real value to differentiate
            raise self.fail(_bad_constant(expr))
        too_large = outside_float_range(expr)
        if too_large is not None:
            # exp(1000): exact in SymPy, inf (or 0, for exp(-1000)) in every generated module
            raise self.fail(_out_of_range_text(too_large))
        out = self.symbol(name, tuple(expr.shape))
        node = Node(kind, args, expr, record)
        self.graph.nodes[name] = node
        # its adjoint is kept under a symbol, reused by every later step (the lecture's delta):
        # written out in full, a 50-step recurrence's adjoints would nest 50 deep
        self.graph.deltas[name] = MatrixSymbol(f"dJ/d{name}", *expr.shape)
        self.graph.layers[name] = len(self.graph.nodes)  # its position: keys .deltas
        self.graph.forward[name] = expr
        if any(arg.name in self.graph.active for arg in args):
            self.graph.active.add(name)
        self.affine[name] = affine_form(name, kind, args, record, self.affine)
        return out

    def constant_value(self, value: MatrixSymbol) -> sp.Expr | None:
        """The number in every entry of ``value`` at every point, as the structure shows, or
        ``None``."""
        form = self.affine.get(str(value.name))
        return form.constant if form is not None and form.is_constant else None

    def text_of(self, value: MatrixSymbol) -> str:
        """How a value reads in a message: its name, or the part of an equation it stands for."""
        return self.graph.texts.get(str(value.name), str(value.name))

    def refuse_constant_argument(
        self, call: str, problem: str, arg: MatrixSymbol, aside: str = ""
    ) -> NoReturn:
        """Refuse ``call`` of ``arg``, a value that is one number at every point (``w - w``):
        ``problem`` follows the call, ``aside`` the value's description."""
        at = self.constant_value(arg)
        raise self.fail(
            f"{call} {problem}: {self.text_of(arg)} is {number_phrase(at)} whatever values the "
            f"model's names hold{aside}"
        )

    # -- operations ----------------------------------------------------------------------------

    def linear(self, terms: list[tuple[sp.Expr, Value]], name: str | None) -> Value:
        """sum of c * value; numbers fold into the constant added to every entry."""
        constant: sp.Expr = sp.Integer(0)
        matrices: list[tuple[sp.Expr, MatrixSymbol]] = []
        for coeff, value in terms:
            if isinstance(value, MatrixSymbol):
                matrices.append((coeff, value))
            else:
                constant = constant + coeff * value
        if not matrices:
            return constant
        rows = matrices[0][1].shape[0]
        cols = next((v.shape[1] for _, v in matrices if v.shape[1] != 1), matrices[0][1].shape[1])
        broadcast = tuple(bool(v.shape[1] == 1 and cols != 1) for _, v in matrices)
        parts = [
            c * (v * OneMatrix(1, cols) if b else v)
            for (c, v), b in zip(matrices, broadcast, strict=True)
        ]
        if constant != 0:
            parts.append(constant * OneMatrix(rows, cols))
        expr = MatAdd(*parts) if len(parts) > 1 else parts[0]
        record = LinearTerms(tuple(c for c, _ in matrices), broadcast, constant)
        return self.define(name, Kind.LINEAR, tuple(v for _, v in matrices), expr, record)

    def terms(self, node: FormulaNode, sign: sp.Expr) -> list[tuple[sp.Expr, Value]]:
        """The signed terms of a chain of + and - (and unary minus)."""
        if isinstance(node, Binary) and node.op in ("+", "-"):
            right = sign if node.op == "+" else -sign
            return [*self.terms(node.left, sign), *self.terms(node.right, right)]
        if isinstance(node, Unary):
            return self.terms(node.operand, -sign if node.op == "-" else sign)
        return [(sign, self.value(node))]

    def product(self, op: str, left: Value, right: Value, name: str | None) -> Value:
        """``A B`` (op "juxt"/"@") or ``A ⊙ B`` (op "*"/"⊙"), numbers and 1 x 1 values
        multiplying like numbers."""
        if _scalar(left) and _scalar(right):
            return left * right  # type: ignore[operator]
        if _scalar(left):
            return self.linear([(left, right)], name)  # type: ignore[list-item]
        if _scalar(right):
            return self.linear([(right, left)], name)  # type: ignore[list-item]
        assert isinstance(left, MatrixSymbol) and isinstance(right, MatrixSymbol)
        if _one_by_one(left):
            return self.define(name, Kind.SCALE, (left, right), left[0, 0] * right, None)
        if _one_by_one(right):
            return self.define(name, Kind.SCALE, (right, left), right[0, 0] * left, None)
        if op in ("juxt", "@"):
            return self.define(name, Kind.MATMUL, (left, right), left * right, None)
        cols = left.shape[1] if left.shape[1] != 1 else right.shape[1]
        flags = tuple(bool(v.shape[1] == 1 and cols != 1) for v in (left, right))
        parts = [
            v * OneMatrix(1, cols) if b else v for v, b in zip((left, right), flags, strict=True)
        ]
        expr = HadamardProduct(*parts)
        return self.define(name, Kind.HADAMARD, (left, right), expr, Broadcast(flags))

    def function(self, fn: ElementFunction, arg: Value, name: str | None) -> Value:
        if _scalar(arg):
            return fn.body.xreplace({T: arg})  # type: ignore[arg-type]
        assert isinstance(arg, MatrixSymbol)
        at = self.constant_value(arg)
        if at is not None:
            slope = fn.derivative if fn.code_derivative is None else fn.code_derivative
            problem = undefined_function(fn.name, fn.body, slope, at)
            if problem is not None:
                source = self.graph.sources.get(str(arg.name), Name(str(arg.name), 0))
                call = to_text(function_source(fn, source))
                self.refuse_constant_argument(call, problem[0], arg, problem[1])
        return self.define(name, Kind.FUNCTION, (arg,), fn.apply(arg), fn)

    def power(self, base: Value, exponent: sp.Expr, name: str | None) -> Value:
        body = T**exponent
        shown = decimal_text(exponent) or sp.sstr(exponent)  # ^0.3 as written, ^1/2
        fn = ElementFunction(f"^{shown}", body, sp.diff(body, T), exponent=exponent)
        return self.function(fn, base, name)

    def value(self, node: FormulaNode, name: str | None = None) -> Value:
        """The value of ``node``; ``name`` names the result (an equation's left-hand side).
        An internal value made for ``node`` remembers its text, for the steps."""
        result = self._value(node, name)
        if _scalar(result) and first_bad(result) is not None:
            # a number such as sqrt(-1) or (-8)^(1/3) (SymPy's principal root, 1 + sqrt(3) i):
            # no real value to compute in the module or to differentiate
            raise self.fail(_bad_constant(result))
        if isinstance(result, MatrixSymbol) and result.name.startswith("_"):
            self.graph.texts.setdefault(result.name, to_text(node))
            self.graph.sources.setdefault(result.name, node)
        return result

    def _value(self, node: FormulaNode, name: str | None) -> Value:
        if isinstance(node, Num):
            return sp.Rational(node.value.numerator, node.value.denominator)
        if isinstance(node, Name):
            if node.id == "m":
                return self.m
            if node.id in self.constants:
                return self.constants[node.id]
            found = self.graph.symbols[node.id]
            return found if name is None else self.linear([(sp.Integer(1), found)], name)
        if name is not None and isinstance(node, Binary):
            complement = named_complement(node, self.argument_of)
            if complement is not None:  # q = 1 - sigmoid(u) on its own line is sigmoid(-u)
                stable, identity = complement
                value = self._call(stable, name)
                if isinstance(value, MatrixSymbol):
                    self.graph.rewrites[value.name] = identity  # the step defining it says so
                return value
        if isinstance(node, Unary) or (isinstance(node, Binary) and node.op in ("+", "-")):
            return self.linear(self.terms(node, sp.Integer(1)), name)
        if isinstance(node, TransposeNode):
            inner = self.value(node.operand)
            if _scalar(inner):
                return inner
            assert isinstance(inner, MatrixSymbol)
            return self.define(name, Kind.TRANSPOSE, (inner,), Transpose(inner), None)
        if isinstance(node, Call):
            return self.call(node, name)
        if isinstance(node, Binary):
            return self.binary(node, name)
        raise self.fail(f"'{type(node).__name__}' cannot appear in a model's equation")

    def binary(self, node: Binary, name: str | None) -> Value:
        if node.op in PRODUCTS:
            # X * exp(400) * (1 + exp(400)) / exp(400): its numbers multiplied exactly first,
            # where factor by factor the module overflowed on the way to an in-range value
            node = gather_numbers(node, lambda factor: names(factor) <= {"m", *self.constants})
        left, right = self.value(node.left), self.value(node.right)
        if node.op == "^":
            assert _scalar(right)  # the shape inference refuses a matrix exponent
            # x^m changes form with the batch; x^(2^2^2^2) = x^65536 has no use and SymPy
            # expands such powers in the exact check for minutes
            if not right.is_number:  # type: ignore[union-attr]
                of = ", ".join(sorted(str(s) for s in right.free_symbols))  # type: ignore[union-attr]
                raise self.fail(
                    f"exponent {to_text(node.right)}: an exponent must be a number (or a named "
                    f"constant), not a function of {of}"
                )
            if abs(right) > MAX_EXPONENT:  # type: ignore[arg-type]
                raise self.fail(
                    f"exponent {sp.sstr(right)}: expected a number of at most {MAX_EXPONENT} in "
                    "magnitude"
                )
            if _scalar(left):
                return left**right  # type: ignore[operator]
            return self.power(left, right, name)  # type: ignore[arg-type]
        if node.op == "/":
            if _scalar(right):
                return self.product("*", left, 1 / right, name)  # type: ignore[operator]
            reciprocal = self.power(right, sp.Integer(-1), None)
            return self.product("*", left, reciprocal, name)
        return self.product(node.op, left, right, name)

    def call(self, node: Call, name: str | None) -> Value:
        # log(1 + exp(u)) is softplus(u), 1 - sigmoid(u) inside a log or a loss is
        # sigmoid(-u) (proved): forms the engine computes and differentiates without overflow
        split = log_of_multiple(node, self.argument_of)
        if split is not None and names(split[1]) <= {"m", *self.constants}:
            summed, factor = split
            if self.value(factor).is_positive:  # type: ignore[union-attr]
                # log(c s) = log(s) + log(c) for c > 0 and s > 0: log(s) is log-sum-exp, or
                # log(1 - sigmoid(u)), log-sigmoid
                left, right = (Call("log", (a,), node.pos, node.start, node.end) for a in split)
                return self.value(Binary("+", left, right, node.pos, node.start, node.end), name)
        arg = node.args[0] if node.func == "log" and len(node.args) == 1 else None
        if isinstance(arg, TransposeNode) and self._probabilities(arg.operand):
            # log(S^T) as log(S)^T: a log of the softmax or sigmoid itself is computed from
            # its logits (log softmax, log-sigmoid); of its transpose it was -inf from logits
            # of 37 and the gradient NaN (hostile46d #1)
            log = Call("log", (arg.operand,), node.pos, node.start, node.end)
            value = self.value(TransposeNode(log, arg.pos, arg.start, arg.end), name)
            if isinstance(value, MatrixSymbol):
                self.graph.rewrites[value.name] = checked(LOG_OF_TRANSPOSE)
            return value
        stable, identity = stable_call(node, self.argument_of)
        value = self._call(stable, name)
        if identity is not None and isinstance(value, MatrixSymbol):
            self.graph.rewrites[value.name] = identity  # the step defining it says so
        return value

    def _probabilities(self, node: FormulaNode) -> bool:
        """Whether ``node`` is a softmax or sigmoid: a call of one, or a value defined as one."""
        if isinstance(node, Call):
            return node.func in ("softmax", "sigmoid")
        if not isinstance(node, Name) or node.id not in self.graph.nodes:
            return False
        found = self.graph.nodes[node.id]
        if found.kind is Kind.COLUMN_SOFTMAX:
            return True
        return found.kind is Kind.FUNCTION and found.record.name == "sigmoid"

    def argument_of(self, name: str, func: str) -> str | None:
        """The name of u where the value ``name`` is defined as ``func(u)`` (exp, sigmoid),
        else None."""
        node = self.graph.nodes.get(name)
        if node is None or node.kind is not Kind.FUNCTION or node.record.name != func:
            return None
        (arg,) = node.args
        return str(arg.name) if isinstance(arg, MatrixSymbol) else None

    def _call(self, node: Call, name: str | None) -> Value:
        func = node.func
        if func in LOSSES:
            return self.loss(node, name)
        (first, *_) = [self.value(arg) for arg in node.args[:1]]
        if func in self.activations:
            act = self.activations[func]
            if not act.elementwise:
                if _scalar(first):
                    raise self.fail("softmax of a number: expected a matrix")
                if first.shape[0] == 1:
                    # one row: every column's softmax is 1, so the value carries no information
                    raise self.fail(
                        "softmax of a value with 1 row is identically 1; expected at least 2 "
                        "rows (one per class)"
                    )
                return self.define(
                    name, Kind.COLUMN_SOFTMAX, (first,), activation_of(act, first), act
                )
            assert act.formula is not None
            body = act.formula.xreplace({scalars.z: T})
            derivative = act.derivative.xreplace({scalars.z: T})
            return self.function(ElementFunction(func, body, derivative, act), first, name)
        if func in SCALAR_FUNCTIONS:
            if func == "log":
                self.refuse_softmax_complement(first)
            body = SCALAR_FUNCTIONS[func]
            return self.function(ElementFunction(func, body, sp.diff(body, T)), first, name)
        if _scalar(first):
            raise self.fail(f"'{node.written_name}' of a number: expected a matrix")
        assert isinstance(first, MatrixSymbol)
        rows, cols = first.shape
        if func == "sum":
            expr = OneMatrix(1, rows) * first * OneMatrix(cols, 1)
            return self.define(name, Kind.TOTAL, (first,), expr, None)
        if func == "rowsum":
            return self.define(name, Kind.ROWSUM, (first,), first * OneMatrix(cols, 1), None)
        if func == "norm1":
            absolute = self.function(
                ElementFunction("abs", SCALAR_FUNCTIONS["abs"], sp.sign(T)), first, None
            )
            return self.call_total(absolute, name)
        if func == "norm2":
            squares = self.power(first, sp.Integer(2), None)
            total = self.call_total(squares, None)
            body = SCALAR_FUNCTIONS["sqrt"]
            derivative = sp.diff(body, T)
            # the code reads 0 where the sum of squares is 0 (A = 0): 1/(2 sqrt(0)) times 2 A
            # was inf * 0, a NaN gradient; 0 is the subgradient torch.linalg.norm's backward
            # gives (as abs'(0) = sign(0) = 0 for norm1)
            at_zero = sp.Piecewise((derivative, T > 0), (0, True))
            sqrt = ElementFunction("sqrt", body, derivative, code_derivative=at_zero)
            return self.function(sqrt, total, name)
        if func == "tr":
            return self.define(name, Kind.TRACE, (first,), Trace(first) * Identity(1), None)
        if func == "det":
            return self.define(name, Kind.DET, (first,), Determinant(first) * Identity(1), None)
        if func == LOGSUMEXP_CALL:  # log(sum(exp(u))), rewritten (core.model_rewrites)
            return self.define(name, Kind.LOGSUMEXP, (first,), LogSumExp(first), None)
        if func in ("logdet", "inv") and self.constant_value(first) == 0:
            problem = "is a log of 0" if func == "logdet" else "is an inverse of a zero matrix"
            call = f"{func}({self.text_of(first)})"
            self.refuse_constant_argument(call, f"{problem} at every point", first)
        if func == "logdet":
            expr = sp.log(Determinant(first)) * Identity(1)
            return self.define(name, Kind.LOGDET, (first,), expr, None)
        if func == "inv":
            return self.define(name, Kind.INVERSE, (first,), Inverse(first), None)
        raise self.fail(f"'{func}' is not derived in a model yet")

    def source(self, value: Value) -> Node | None:
        """The node that defines ``value``'s entries, looking through what leaves them as they
        are: a name for it (``R = S``), ``+ 0``, ``⊙ 1`` and a transpose (the refusals below
        are entry by entry, so they hold whatever the spelling or the arrangement)."""
        while isinstance(value, MatrixSymbol):
            node = self.graph.nodes.get(str(value.name))
            if node is None:
                return None
            if node.kind is Kind.LINEAR:
                terms = node.record
                if terms.coefficients == (1,) and terms.constant == 0 and not any(terms.broadcast):
                    (value,) = node.args
                    continue
            if node.kind is Kind.TRANSPOSE:
                (value,) = node.args
                continue
            return node
        return None

    def refuse_softmax_complement(self, arg: Value) -> None:
        """Refuse log(1 - softmax(u)): 1 - a rounds to 0 where an entry of the softmax rounds
        to 1 (a logit ahead by 37 in float64), so the cost is -inf and the gradient NaN where
        the math is finite. Unlike 1 - sigmoid(u) = sigmoid(-u) it has no form the engine
        computes stably (log of a sum of exps over the other rows), as bce of a softmax."""
        # k (1 - s) however spelled (2 - 2 s, (1 - s)/2, 1 + (-1) s, 1 - s^1, a transpose),
        # or a factor or a positive power of one: softmax_forms normalises the structure
        if is_softmax_complement(self.graph.nodes, arg):
            raise self.fail(
                "log(1 - softmax(...)) is -inf where an entry rounds to 1 (no stable form is "
                "derived); use ce(softmax(...), Y), or sigmoid for independent labels"
            )

    def call_total(self, value: Value, name: str | None) -> Value:
        assert isinstance(value, MatrixSymbol)
        rows, cols = value.shape
        expr = OneMatrix(1, rows) * value * OneMatrix(cols, 1)
        return self.define(name, Kind.TOTAL, (value,), expr, None)

    def loss(self, node: Call, name: str | None) -> Value:
        """L(a, y) summed over the entries; in batch form divided by m (the mean over the
        columns of the per-example loss)."""
        record = LOSSES[node.func]
        a, y = (self.value(arg) for arg in node.args)
        if not isinstance(a, MatrixSymbol) or not isinstance(y, MatrixSymbol):
            raise self.fail(f"'{node.func}' needs two matrices, not numbers")
        if y.name in self.graph.active:
            raise self.fail(
                f"the second argument of '{node.func}' (the target) depends on a parameter; "
                "a model differentiates a loss through its first argument only"
            )
        # the loss of the value a equals entry by entry and in arrangement (softmax(U)^1,
        # ^T^T, abs of a softmax): ce of it is ce of the softmax, derived in the stable form
        a = same_value(self.graph.nodes, a)
        # the source looks through an alias, + 0, ⊙ 1 and ^T^T, and an affine form of a softmax
        # that reaches 0 or 1 (s, 1 - s, (1 + s)/2) is refused as one: log(a) or log(1 - a) is
        # -inf where an entry rounds, whatever the spelling
        refused = "softmax" if bce_rounds_off(self.graph.nodes, a) else None
        refusal = record.refuses.get(refused or _activation_name(self.source(a)))
        if refusal is not None:
            raise self.fail(refusal.model_message)
        at = self.constant_value(a)
        if at is not None and undefined_loss(record.formula, at):
            problem = "takes a log of 0 at every point"
            self.refuse_constant_argument(to_text(node), problem, a)
        rows, cols = a.shape
        if self.graph.batch and self.m not in (rows, cols):
            # the mean over the m examples: of an argument without them it divided a
            # one-column loss by m and called that "the mean over the m columns" (hostile27 #4)
            raise self.fail(
                f"'{node.func}' in batch form is the mean over the m examples of the "
                f"per-example loss, but its argument is {rows} x {cols}, with no m; give it a "
                "column (or a row) per example, or write that loss out with sum(...)"
            )
        per_entry = lift(record.formula, {scalars.a: a, scalars.y: y}, (rows, cols))
        total = OneMatrix(1, rows) * per_entry * OneMatrix(cols, 1)
        expr = (1 / self.m) * total if self.graph.batch else total
        return self.define(name, Kind.MODEL_LOSS, (a, y), expr, record)

    # -- the model -----------------------------------------------------------------------------

    def build(self) -> ModelGraph:
        for eq in self.model.equations:
            self.line = eq.line
            if eq.constant:
                value = self.value(eq.expr)
                assert _scalar(value)
                self.constants[eq.name] = value  # type: ignore[assignment]
                continue
            result = self.value(eq.expr, eq.name)
            if _scalar(result):  # numbers only, with m (``k = m / 2``): a constant too
                self.constants[eq.name] = result
        cost = self.graph.symbols[self.model.cost]
        self.graph.named = tuple(n for n in self.graph.symbols if not n.startswith("_"))
        self._prune(cost.name)
        self.graph.deltas.pop(cost.name, None)  # dJ/dJ = 1 needs no symbol
        self.graph.cost = Cost(Node(Kind.SEED, (cost,), cost), None)
        # DESIGN.md: ``.sizes`` maps each dimension symbol to its concrete size where known (the
        # model's sizes: line; it was empty for a model, hostile32b)
        dims = {
            d
            for symbol in self.graph.symbols.values()
            for d in symbol.shape
            if isinstance(d, sp.Symbol)
        }
        self.graph.sizes = {
            d: self.model.sizes[d.name] for d in dims if d.name in self.model.sizes
        }
        return self.graph

    def _prune(self, cost: str) -> None:
        """Keep only the nodes J depends on (a value read by an unused equation would wait for
        that reader's contribution forever); their forward expressions stay."""
        live = {cost}
        for value in reversed(list(self.graph.nodes)):
            if value in live:
                live.update(str(arg.name) for arg in self.graph.nodes[value].args)  # type: ignore[union-attr]
        self.graph.nodes = {k: v for k, v in self.graph.nodes.items() if k in live}
        self.graph.active &= live
        self._loss_inputs()

    def _loss_inputs(self) -> None:
        """A value read by a loss keeps its adjoint as scalar algebra, not a symbol, so that
        the activation defining it can cancel with the loss (sigmoid and bce: a - y): when the
        loss is its only reader, and when the loss cancels with the activation or softmax that
        defines the value, whose rule then distributes its derivative over the contributions
        of all the readers (bce(p, Y) + mse(p, Y): the bce term still cancels to p - Y, where a
        symbol dJ/dp would be formed first, with (1 - Y) / (1 - p), infinite where p rounds
        to 1)."""
        readers: dict[str, int] = {}
        for node in self.graph.nodes.values():
            for name in {str(arg.name) for arg in node.args}:  # type: ignore[union-attr]
                readers[name] = readers.get(name, 0) + 1
        for node in self.graph.nodes.values():
            if node.kind is Kind.MODEL_LOSS:
                first = str(node.args[0].name)  # type: ignore[union-attr]
                defining = self.graph.nodes.get(first)
                if readers.get(first) == 1 or _cancels(defining, node.record):
                    self.graph.deltas.pop(first, None)
            # log(sigmoid(u)) the same way: log's 1/a times sigmoid's a(1 - a) is 1 - a, finite
            # where sigmoid(u) rounds to 0 (1/a alone is infinite there); with other readers
            # too (log(S) and S ⊙ S) the rule defining the value distributes over their sum
            first = str(node.args[0].name) if node.args else ""  # type: ignore[union-attr]
            if self.graph.outer_cancel(node) is not None:
                self.graph.deltas.pop(first, None)


def _cancels(defining: Node | None, loss: Loss) -> bool:
    """Whether ``loss`` cancels with the node that defines its input: an activation whose
    derivative times the loss's dL/da simplifies (sigmoid and bce), or a softmax under a loss
    that states its assumption (ce: each column of y sums to 1)."""
    if defining is None:
        return False
    if defining.kind is Kind.COLUMN_SOFTMAX:
        return bool(loss.assumption)
    act = defining.record.activation if defining.kind is Kind.FUNCTION else None
    return act is not None and cancelled_product(loss.derivative, act) is not None


#: the largest exponent magnitude a power may have
MAX_EXPONENT = 1000


def _out_of_range_text(found: OutOfRange) -> str:
    """The one-line refusal of a constant a float64 module cannot compute."""
    aside = "," if found.part != found.constant else ""  # "..., which computes 1e600 on the way,"
    return f"the constant {shown_constant(found)}{aside} {OUTSIDE_FLOAT64}"


def _bad_constant(expr: Any) -> str:
    """The one-line refusal of a value with a constant that is not a finite real number."""
    return (
        f"a constant here is {first_bad(expr) or 'complex'} (a division by zero, or a log or "
        "root of a number <= 0?); expected finite real values"
    )


#: the most nodes (operations) a model's graph may have: derive takes about 1 ms a node,
#: codegen and latex about 4 ms (hostile42c #3: 95 equations of 90 tanh terms each, 17,000
#: nodes in 142 KB, within every other limit, took derive 42 s and codegen 74 s); a chain of
#: 998 steps h = tanh(W h) is 1,998, an RNN of 300 steps about 1,200 (an unrolled LSTM reaches
#: it at about 140 steps, where codegen takes about 10 s)
MAX_OPERATIONS = 3_000


def build_model_graph(model: Model) -> ModelGraph:
    """The forward graph of ``model`` (its batch form set by its data's shapes). An error
    names the model's file first, as the parser's do (``model file 'x.model': line 4: ...``)."""
    try:
        return _Builder(model).build()
    except SpecError as exc:
        if not model.origin:
            raise
        raise SpecError(f"{model.origin}: {exc}") from None
