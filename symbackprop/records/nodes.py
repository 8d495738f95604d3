"""The SymPy nodes of the forward graph and the derivation: stock SymPy, entries visible.

An element-wise activation g applied to a matrix Z is SymPy's own
:class:`~sympy.matrices.expressions.applyfunc.ElementwiseApplyFunction` (through the subclass
:class:`Elementwise`, which fixes three details) of a SymPy ``Function`` class:
SymPy's ``tanh``, symbackprop's ``sigmoid``, or a class made from the activation record
(:func:`activation_function`) whose ``fdiff`` is the record's derivative class
(:func:`derivative_function`, printed ``g'``). The indicator 1{z > 0} is the ``Lambda`` of a
``Piecewise`` with a strict inequality (relu'(0) = 0; never ``Heaviside``, which is 1/2 at 0).
Softmax mixes the entries of each column, so it is its own node, :class:`Softmax`, which also
gives its entries. Every node here supports ``.subs``, ``.doit()``, ``.as_explicit()`` and
entry access, so any expression the API returns evaluates with SymPy alone.

Printers dispatch on these classes like SymPy's own (``_print_ElementwiseApplyFunction``,
``_print_Softmax``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

import sympy as sp
from sympy.core.function import ArgumentIndexError
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixExpr
from sympy.matrices.matrixbase import MatrixBase

from symbackprop.formula.ast import indicator_text
from symbackprop.records.scalars import z


class Activation(Protocol):
    """What the nodes read of an activation record (:class:`symbackprop.records.activations.
    Activation`; a protocol here, so that the records import the nodes and not back)."""

    @property
    def name(self) -> str: ...
    @property
    def formula(self) -> sp.Expr | None: ...
    @property
    def derivative(self) -> sp.Expr: ...
    @property
    def elementwise(self) -> bool: ...
    @property
    def function(self) -> type[sp.Function]: ...
    @property
    def derivative_function(self) -> type[sp.Function]: ...


#: the variable of every element-wise function (one object, so that equal nodes compare equal)
T = sp.Dummy("t", real=True)


# -- SymPy function classes made from activation records -----------------------------------
class ActivationFunction(sp.Function):
    """g(x) for an activation record: left unevaluated (an uninterpreted function to SymPy's
    algebra), numerically evaluated by ``evalf``/``sp.N`` from the record's formula, with
    ``fdiff`` the record's derivative class. Subclasses are made by :func:`activation_function`.
    """

    nargs = 1
    record: ClassVar[Activation]
    #: the scalar formula in :data:`~symbackprop.records.scalars.z` this class stands for
    body: ClassVar[sp.Expr]

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return self.record.derivative_function(self.args[0])  # type: ignore[no-any-return]

    def __reduce_ex__(self, protocol: Any) -> Any:
        # the class is made at run time (no module attribute names it), so pickle rebuilds it
        # from its record: a Derivation pickles (hostile36a #7)
        return (_rebuilt, (self.record, isinstance(self, ActivationDerivative), self.args))

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        arg = self.args[0].evalf(prec)
        if not arg.is_Number:
            return None
        return self.body.xreplace({z: arg}).evalf(prec)  # type: ignore[no-any-return]

    def written_out(self, *, as_derived: bool = False) -> sp.Expr:
        """This g(u) as its record's formula at u, and a g'(u) (:class:`ActivationDerivative`)
        as the record's g' at u: the one way every stage that reads through an activation
        (the settle proof, the exact check's tables, the kinks) writes it out. Not repeated:
        a formula that names another such activation keeps it.

        ``as_derived`` (g' only): SymPy's derivative of the formula as written, not the
        record's g' in stable form, which may name functions the formula does not (softplus'
        is sigmoid(u), swish' reads sigmoid(-u)); a reader that treats each function as
        opaque, such as the exact check's tables, would not relate them to the formula."""
        return self.body.xreplace({z: self.args[0]})  # type: ignore[no-any-return]

    def _eval_is_extended_real(self) -> bool | None:
        # custom activations are probed real on the real line (records.activations)
        return True if self.args[0].is_extended_real else None


class ActivationDerivative(ActivationFunction):
    """g'(x) for an activation record whose derivative stays opaque in the derivation
    (softplus', custom activations): printed ``g'``, evaluated from the record's derivative."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sp.diff(self.body, z).xreplace({z: self.args[0]})  # type: ignore[no-any-return]

    def written_out(self, *, as_derived: bool = False) -> sp.Expr:
        if not as_derived:
            return super().written_out()
        formula = self.record.formula
        assert formula is not None  # a g' exists only for an element-wise record
        return sp.diff(formula, z).xreplace({z: self.args[0]})  # type: ignore[no-any-return]


def activation_function(act: Activation) -> type[sp.Function]:
    """The SymPy function class of ``act``: SymPy's or symbackprop's own where the formula is
    one (``tanh``, ``sigmoid``), else an :class:`ActivationFunction` named like the record."""
    formula = act.formula
    if formula is None:
        raise TypeError(f"{act.name} is not element-wise; it has no scalar function class")
    own = type(formula)
    if not (
        isinstance(formula, sp.Function) and formula.args == (z,) and own.__name__ == act.name
    ):
        own = type(act.name, (ActivationFunction,), {"record": act, "body": formula})
    _ACTIVATION_CLASSES.add(own)
    _LATEST[act.name] = own
    return own


#: every class :func:`activation_function` gave out: g(Z) of these prints as an activation
#: (``tanh(z1)``, ``\tanh``), while the same stock function from a formula (``exp(z1)``) prints
#: as an expression
_ACTIVATION_CLASSES: set[type] = set()


def derivative_function(act: Activation) -> type[sp.Function]:
    """A fresh :class:`ActivationDerivative` class for ``act``, named ``g'`` (the record
    builds it once: ``Activation.derivative_function``)."""
    made = type(f"{act.name}'", (ActivationDerivative,), {"record": act, "body": act.derivative})
    _DERIVATIVE_CLASSES.add(made)
    _LATEST[made.__name__] = made
    return made


#: every class :func:`derivative_function` gave out
_DERIVATIVE_CLASSES: set[type] = set()
#: the class made last for each name (``relu``, ``relu'``): that of the record registered now
_LATEST: dict[str, type] = {}


def _rebuilt(record: Activation, derivative: bool, args: tuple[Any, ...]) -> sp.Expr:
    """g(args) or g'(args) of an unpickled ``record``: of the class this process made for an
    equal record where it made one, so that an unpickled expression equals the original."""
    latest = _LATEST.get(f"{record.name}'" if derivative else record.name)
    if latest is not None and getattr(latest, "record", None) == record:
        return latest(*args)  # type: ignore[no-any-return]
    made = _DERIVATIVE_CLASSES if derivative else _ACTIVATION_CLASSES
    for cls in made:  # an older equal record's (review36 #5: the first equal one won)
        if getattr(cls, "record", None) == record:
            return cls(*args)  # type: ignore[no-any-return]
    function = record.derivative_function if derivative else record.function
    return function(*args)  # type: ignore[no-any-return]


# -- matrix nodes --------------------------------------------------------------------------
class Elementwise(ElementwiseApplyFunction):
    """SymPy's element-wise application, with three details fixed.

    A function class is wrapped in a ``Lambda`` of the one variable :data:`T` (SymPy uses a
    fresh dummy each time, so equal nodes would not compare equal); a 1 x 1 argument is not
    applied directly (SymPy then calls the function on the matrix, which fails for a piecewise
    body such as the indicator); and ``doit`` keeps nested applications apart (SymPy composes
    them into one stock node whose function no printer can name).
    """

    def __new__(cls, function: Any, expr: Any) -> Any:
        expr = sp.sympify(expr, strict=True)
        if not getattr(expr, "is_Matrix", False):
            raise ValueError(f"{expr} must be a matrix")
        if not isinstance(function, sp.Lambda):
            function = sp.Lambda(T, function(T))
        return MatrixExpr.__new__(cls, function, expr)

    @property
    def arg(self) -> Any:
        return self.args[1]

    @functools.cached_property
    def shape(self) -> tuple[Any, Any]:  # type: ignore[override]
        """The argument's shape, computed once: SymPy's MatMul reads its factors' shape
        twice (rows, then cols), so a nest of sigmoid(-(...)) computed it 2^depth times (20
        deep: minutes of a formula's typing: hostile38b #3)."""
        return self.arg.shape

    def doit(self, **hints: Any) -> Any:
        # SymPy's own doit composes nested applications into one stock node; keep them apart
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, MatrixBase):
            return arg.applyfunc(self.function)
        return Elementwise(self.function, arg)

    @property
    def variable(self) -> sp.Symbol:
        """The function's variable (:data:`T`, or the dummy of a ``Lambda`` given as is)."""
        return self.function.variables[0]  # type: ignore[no-any-return]

    @property
    def body(self) -> sp.Expr:
        """The function's body in :attr:`variable`."""
        return self.function.expr  # type: ignore[no-any-return]

    @property
    def applied(self) -> type | None:
        """The function class when the body is exactly ``f(T)`` (an activation or its g')."""
        body = self.body
        if isinstance(body, sp.Function) and body.args == (self.variable,):
            return type(body)
        return None

    @property
    def activation_name(self) -> str | None:
        """``"sigmoid"`` for sigmoid(Z), ``None`` for g'(Z) and other functions."""
        cls = self.applied
        if cls is None or cls not in _ACTIVATION_CLASSES:
            return None
        return cls.__name__

    @property
    def derivative_name(self) -> str | None:
        """``"softplus"`` for softplus'(Z), else ``None``."""
        cls = self.applied
        if cls is not None and issubclass(cls, ActivationDerivative):
            return cls.record.name
        return None

    @property
    def indicator(self) -> tuple[str, sp.Expr] | None:
        """``(relation, threshold)`` when the body is the indicator 1{t rel c}, else ``None``."""
        body = self.body
        if (
            isinstance(body, sp.Piecewise)
            and len(body.args) == 2
            and body.args[0].expr == 1
            and body.args[1].expr == 0
            and body.args[1].cond == sp.true
        ):
            cond = body.args[0].cond
            if isinstance(cond, sp.core.relational.Relational) and cond.lhs == self.variable:
                return cond.rel_op, cond.rhs
        return None

    def call_text(self, arg: str, show: Callable[[Any], str]) -> str | None:
        """The node as a named call in plain text, ``arg`` its printed argument and ``show``
        printing an indicator's threshold: ``sigmoid(z1)``, ``softplus'(z1)``, ``1{z1 > 0}``;
        ``None`` for any other body (the caller prints the body)."""
        if self.activation_name is not None:
            return f"{self.activation_name}({arg})"
        if self.derivative_name is not None:
            return f"{self.derivative_name}'({arg})"
        ind = self.indicator
        if ind is None:
            return None
        return indicator_text(f"{arg} {ind[0]} {show(ind[1])}")

    def _sympystr(self, printer: Any) -> str:
        arg = printer._print(self.arg)
        call = self.call_text(arg, printer._print)
        if call is not None:
            return call
        text = printer._print(self.body)
        return text.replace(str(self.variable), arg)  # type: ignore[no-any-return]


class _OfOneMatrix(MatrixExpr):
    """A function of one matrix (its argument, checked to be one)."""

    def __new__(cls, arg: Any) -> Any:
        arg = sp.sympify(arg, strict=True)
        if not getattr(arg, "is_Matrix", False):
            raise ValueError(f"{arg} must be a matrix")
        return MatrixExpr.__new__(cls, arg)

    @property
    def arg(self) -> Any:
        return self.args[0]


class _OfEachColumn(_OfOneMatrix):
    """A function of a matrix applied to each of its columns: the result has its shape."""

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.arg.shape  # type: ignore[no-any-return]


class Softmax(_OfEachColumn):
    """softmax(Z), per column: entry (i, j) is exp(Z[i, j]) / sum_k exp(Z[k, j])."""

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        rows = self.shape[0]
        top = sp.exp(self.arg._entry(i, j, **kwargs))
        if isinstance(rows, (int, sp.Integer)):
            bottom = sp.Add(*(sp.exp(self.arg._entry(k, j, **kwargs)) for k in range(int(rows))))
        else:
            k = sp.Dummy("k", integer=True)
            bottom = sp.Sum(sp.exp(self.arg._entry(k, j, **kwargs)), (k, 0, rows - 1))
        return top / bottom  # type: ignore[no-any-return]

    @staticmethod
    def of_values(values: Any, exp: Any = sp.exp, log: Any = sp.log) -> sp.ImmutableMatrix:
        """softmax of the explicit matrix ``values``, per column, with ``exp`` as the
        exponential (the exact check passes its table's; ``log`` is not read)."""
        return softmax_columns(values.applyfunc(exp))

    def doit(self, **hints: Any) -> Any:
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, MatrixBase):
            return self.of_values(arg)
        return Softmax(arg)

    def _sympystr(self, printer: Any) -> str:
        return f"softmax({printer._print(self.arg)})"


class LogSoftmax(_OfEachColumn):
    """log(softmax(Z)), per column: entry (i, j) is Z[i, j] - log(sum_k exp(Z[k, j])). The
    lowering's form of a model's log of a softmax: every backend computes it as its
    log-softmax (the column max subtracted first), finite where softmax rounds to 0."""

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        return sp.log(Softmax(self.arg)._entry(i, j, **kwargs))

    def doit(self, **hints: Any) -> Any:
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, MatrixBase):
            return Softmax(arg).doit().applyfunc(sp.log)
        return LogSoftmax(arg)

    def _sympystr(self, printer: Any) -> str:
        return f"log(softmax({printer._print(self.arg)}))"


class _OfAllEntries(_OfOneMatrix):
    """A function of every entry of one matrix at once."""

    @staticmethod
    def of_values(values: Any, exp: Any = sp.exp, log: Any = sp.log) -> sp.ImmutableMatrix:
        """The node's value at the explicit matrix ``values``, with ``exp`` and ``log`` as
        the exponential and the logarithm (the exact check passes its tables'): the one
        place its formula is written."""
        raise NotImplementedError

    def _entry(self, i: Any, j: Any, **kwargs: Any) -> sp.Expr:
        rows, cols = (int(d) for d in self.arg.shape)  # concrete here
        entries = sp.Matrix(rows, cols, lambda r, c: self.arg._entry(r, c, **kwargs))
        return self.of_values(entries)[i, j]  # type: ignore[no-any-return]

    def doit(self, **hints: Any) -> Any:
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, MatrixBase):
            return self.of_values(arg)
        return type(self)(arg)


class LogSumExp(_OfAllEntries):
    """log(sum(exp(Z))) over every entry of Z, 1 x 1: a model's hand-written log-sum-exp,
    one node so that every backend computes it with the max subtracted first (exp of an entry
    of 1000 overflows; the log-sum-exp is finite)."""

    @property
    def shape(self) -> tuple[Any, Any]:
        return (sp.Integer(1), sp.Integer(1))

    @staticmethod
    def of_values(values: Any, exp: Any = sp.exp, log: Any = sp.log) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix([[log(sp.Add(*values.applyfunc(exp)))]])

    def _sympystr(self, printer: Any) -> str:
        return f"log(sum(exp({printer._print(self.arg)})))"


class Norm2(_OfAllEntries):
    """sqrt(sum(Z ⊙ Z)) over every entry, 1 x 1: the lowering's form of a model's norm2 (and
    of any square root of a sum of squares), one node so that every backend divides by the
    largest |entry| before squaring (float16 squares of entries over 256 overflow, and of
    entries under 1e-4 round to 0, where the norm itself fits)."""

    @property
    def shape(self) -> tuple[Any, Any]:
        return (sp.Integer(1), sp.Integer(1))

    @staticmethod
    def of_values(values: Any, exp: Any = sp.exp, log: Any = sp.log) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix([[sp.sqrt(sp.Add(*(v**2 for v in values)))]])

    def _sympystr(self, printer: Any) -> str:
        return f"norm2({printer._print(self.arg)})"


class SoftmaxOfAll(_OfAllEntries):
    """exp(Z) / sum(exp(Z)) over every entry of Z (the derivative of :class:`LogSumExp`),
    of Z's shape: every backend computes it as exp(Z - max Z) / sum(exp(Z - max Z))."""

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.arg.shape  # type: ignore[no-any-return]

    @staticmethod
    def of_values(values: Any, exp: Any = sp.exp, log: Any = sp.log) -> sp.ImmutableMatrix:
        exps = values.applyfunc(exp)
        return sp.ImmutableMatrix(exps / sp.Add(*exps))

    def _sympystr(self, printer: Any) -> str:
        arg = printer._print(self.arg)
        return f"exp({arg})/sum(exp({arg}))"


def softmax_columns(exps: Any) -> sp.ImmutableMatrix:
    """Each column of ``exps`` (values of exp) divided by its sum: softmax per example."""
    rows, cols = exps.shape
    totals = [sp.Add(*(exps[k, col] for k in range(rows))) for col in range(cols)]
    return sp.ImmutableMatrix(rows, cols, lambda i, j: exps[i, j] / totals[j])


# -- the only way the core builds these nodes ------------------------------------------------
def activation_of(act: Activation, arg: Any) -> Any:
    """g(arg) for the activation record ``act``: entry by entry, or softmax per column."""
    if not act.elementwise:
        return Softmax(arg)
    return Elementwise(act.function, arg)


def derivative_of(act: Activation, arg: Any) -> Any:
    """g'(arg) entry by entry, for an element-wise activation whose g' stays opaque."""
    return Elementwise(act.derivative_function, arg)


def entrywise(fn: sp.Lambda, arg: Any) -> Any:
    """The scalar function ``fn`` (a one-variable ``Lambda``) applied to every entry of arg."""
    return Elementwise(fn, arg)
