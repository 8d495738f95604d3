"""Exact values for a model's functions: every transcendental one is a table of rationals.

A model applies ``exp log sqrt``, fractional powers and activations to its values. Their true
values are irrational, and SymPy's equality of nested irrationals is slow and heuristic, so the
exact check of a model reads each of them as an *uninterpreted* function whose value at a
rational point is a random rational from an :class:`Interpretation` (drawn once per point and
shared by both sides of the comparison), and whose derivative is the true derivative written in
those same functions:

======================  ==============================  ===================================
written                 value at a rational q            derivative (fdiff)
======================  ==============================  ===================================
``exp(u)``              E(q) > 0, drawn                 E(u)
``exp(k u)``, k in Z    E(u)^k (one table)              k E(u)^k
``log(u)``              L(q), drawn; q must be > 0      1 / u
``u^(k/b)`` (b > 1)     R_b(q)^k, R_b(q) > 0 drawn      (1/b) R_b(u)^(1 - b)
``sin cos``             drawn in [-1, 1]                cos, -sin
an activation ``g(u)``  exact where g is rational,      the record's g', written in these
                        else drawn in g's range          same functions (sigmoid: s (1 - s))
its ``g'(u)``           the record's g' at q             (not needed: the cost is
                                                          differentiated once)
a custom ``g(u)``       its formula, written out         SymPy's diff of the formula
======================  ==============================  ===================================

A custom activation (``define``) *is* its formula, so it is written out before the tables are
put in (``sg = sigmoid(2 z)``: sg(u) is the sigmoid table at 2 u; sinh and cosh as exp): a
table of its own would forget what the derivation may use, its derivative written in its own
value (sg' = 2 sg (1 - sg) cancels bce) and its range (log of sg needs 0 < sg < 1).

Everything else (rational arithmetic, ``abs``, ``sign``, indicators, det, inv) is exact. The
replacement is made on the expressions before any value is substituted (:meth:`scalar`), so
SymPy never combines ``sqrt(u) sqrt(u)`` into ``u`` on one side while the other keeps R_2(u)^2.
What is checked is then the matrix calculus of the derivation (every transpose, product, sum and
reused adjoint); each activation's derivative record is verified on its own in the test suite.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterable
from typing import Any

import sympy as sp

from symbackprop.check import accuracy
from symbackprop.core.algebra import evaluates_exactly
from symbackprop.records import scalars
from symbackprop.records.activations import ACTIVATIONS, Activation, is_builtin
from symbackprop.records.nodes import ActivationDerivative, ActivationFunction


class OutsideDomain(ValueError):
    """A function is evaluated where it is not differentiable or not defined (log of a
    non-positive number, a kink): the point is redrawn."""


class NotExact(ValueError):
    """A value is not a rational number (a function the interpretation does not cover)."""


#: a table: ("exp",), ("log",), ("sin",), ("cos",), ("root", b) for u^(k/b), ("g", name) for
#: an activation, ("g'", name) for its derivative
TableKey = tuple[Any, ...]
_SCALAR_TABLES = (sp.exp, sp.log, sp.sin, sp.cos)


def table_key(node: Any, records: dict[type, Activation]) -> TableKey | None:
    """The table whose class replaces the scalar ``node`` (``records``: see
    :func:`activation_records`); ``None`` for a node computed as written (arithmetic, ``abs``,
    an integer power)."""
    if isinstance(node, _SCALAR_TABLES):
        return (type(node).__name__,)
    if isinstance(node, sp.Pow):
        e = node.exp
        return ("root", int(e.q)) if e.is_Rational and not e.is_Integer else None
    act = records.get(type(node)) if isinstance(node, sp.Function) else None
    if act is None:
        return None
    prime = isinstance(node, ActivationDerivative) or type(node) is act.derivative_function
    return ("g'" if prime else "g", act.name)


def drawn_table(node: Any, records: dict[type, Activation]) -> TableKey | None:
    """The table of random values ``node`` reads: its own, except that g' reads g's (the
    record's g' is written in g's table, sigmoid' = s (1 - s)) and an activation computed
    exactly (relu, rational at a rational point) reads none."""
    key = table_key(node, records)
    if key is None or key[0] not in ("g", "g'"):
        return key
    return None if evaluates_exactly(records[type(node)]) else ("g", key[1])


def forgets_alone(key: TableKey, custom: Iterable[str]) -> bool:
    """Whether the table ``key`` (a :func:`drawn_table`) forgets a relation its true function
    has by itself: a root's (``sqrt(u)^2 = u``: roots are algebraic) and a drawn activation's
    that is not a built-in one (``custom``: ``z sigmoid(z)`` is algebraic in ``sigmoid(z)``).
    The built-in transcendental tables keep every relation of one function at one argument:
    their true values are pairwise independent at generic points."""
    if key[0] == "root":
        return True
    # a registered activation (not one of symbackprop's own) is custom too (hostile48a #4: a
    # registered ELU's right (a1 + 1) ⊙ 1{z1 <= 0} for elu'(z1) was called wrong "exactly")
    return key[0] == "g" and (key[1] in set(custom) or not is_builtin(key[1]))


def tables_independent(values: Iterable[tuple[TableKey, Any, Any]], custom: Iterable[str]) -> bool:
    """Whether the drawn ``values`` (table, argument, matrix it is applied to) forget no
    relation the true functions have: no table forgets one alone (:func:`forgets_alone`), and
    no two tables are read at one argument (sigmoid(z) and exp(z), sin(z) and cos(z) are
    related; the tables draw them apart). Then a difference the tables see is one in truth."""
    custom = set(custom)
    by_argument: dict[tuple[Any, Any], set[tuple[TableKey, Any, Any]]] = {}
    for key, inner, at in values:
        if forgets_alone(key, custom):
            return False
        # g at u and at -u relate too (sigmoid(-u) = 1 - sigmoid(u), tanh(-u) = -tanh(u),
        # exp(-u) = 1/exp(u)), where the tables draw two values: one argument up to its sign
        by_argument.setdefault((_unsigned(inner), _unsigned(at)), set()).add((key, inner, at))
    return all(len(keys) == 1 for keys in by_argument.values())


def _unsigned(arg: Any) -> Any:
    """``arg`` without a leading minus sign (-u and u are one argument up to its sign), a
    matrix expression in SymPy's canonical order: -(c 1^T + w^T X) negated kept its terms in
    another order than c 1^T + w^T X, unequal, and a hand-written BCE's sigmoid at u and at
    -u were taken for unrelated tables (a right formula failed: review45 #6)."""
    matrix = getattr(arg, "is_Matrix", False)
    if isinstance(arg, sp.Basic) and arg.could_extract_minus_sign():
        return (-arg).doit() if matrix else -arg
    return arg.doit() if matrix and isinstance(arg, sp.Basic) else arg


def activation_records(extra: dict[str, Activation] | None = None) -> dict[type, Activation]:
    """Function class (g and g') -> its activation record, for every element-wise record."""
    out: dict[type, Activation] = {}
    for act in (*ACTIVATIONS.values(), *(extra or {}).values()):
        if act.elementwise:
            out.setdefault(act.function, act)
            out.setdefault(act.derivative_function, act)
    return out


class Interpretation:
    """Random rational values of the transcendental functions at rational points.

    :meth:`scalar` rewrites an expression (scalar or matrix) in table-backed function classes;
    :meth:`redraw` forgets the values (a new point). ``records`` maps each activation's
    function classes (g and g') to its record (:func:`activation_records`).
    """

    #: constants keep their exact values (see :meth:`_covered`): shapecheck's comparison of
    #: a formula sets it; the exact check of a model's derivation draws them as tables
    exact_constants = False

    def __init__(self, rng: random.Random, records: dict[type, Activation]) -> None:
        self.rng = rng
        self.records = records
        self.values: dict[tuple[Any, ...], sp.Rational] = {}
        self._classes: dict[tuple[Any, ...], type] = {}
        #: the function classes (g and g') of the custom activations written out as their
        #: formulas: those whose derivative, as the derivation writes it, reads only functions
        #: the formula reads. log(1 + exp(z)) keeps its own table: its derivative is written
        #: sigmoid(z), whose table would not know it equals exp(z) / (1 + exp(z)).
        self._customs = tuple(
            cls
            for cls, act in records.items()
            if act.custom_formula is not None
            and issubclass(cls, ActivationFunction)
            and _closed(act)
        )

    def redraw(self) -> None:
        """Forget every drawn value: the next point draws its own."""
        self.values.clear()

    # -- rewriting expressions -----------------------------------------------------------------
    def scalar(self, expr: Any) -> Any:
        """``expr`` with every custom activation written out as its formula and every
        transcendental function replaced by its table class."""
        if self._customs and expr.has(*self._customs):
            expr = expr.replace(
                lambda node: isinstance(node, self._customs),
                lambda node: _in_exp(node.written_out(as_derived=True)),
            )
        return expr.replace(self._covered, self._swap)

    def _covered(self, node: Any) -> bool:
        # a constant (exp(-100), sqrt(2)) keeps its exact value in the exact comparison: a
        # table would draw it at random, and a formula off by the factor 1 + exp(-100) would
        # differ from the gradient only where the tables are the true functions (which
        # evaluate it to their digits)
        if table_key(node, self.records) is None:
            return False
        return not (self.exact_constants and node.is_number)

    def _swap(self, node: Any) -> Any:
        key = table_key(node, self.records)
        assert key is not None  # replace calls _swap only where _covered holds
        table = self.cls(key)
        if isinstance(node, sp.Pow):
            return table(node.base) ** int(node.exp.p)
        if key == ("exp",):
            # exp(k u) is exp(u)^k (SymPy writes a custom's exp(z)^2 as exp(2 z)): one table
            k, u = node.args[0].as_coeff_Mul()
            if k.is_Integer and k not in (0, 1):
                return table(u) ** int(k)
        return table(node.args[0])

    # -- the table classes ---------------------------------------------------------------------
    def cls(self, key: tuple[Any, ...]) -> type:
        """The SymPy function class for ``key``: ("exp",), ("log",), ("root", b), ("sin",),
        ("cos",), ("g", name) or ("g'", name)."""
        if key not in self._classes:
            self._classes[key] = self._make(key)
        return self._classes[key]

    def _make(self, key: tuple[Any, ...]) -> type:
        lookup = functools.partial(self.value, key)
        derivative = self._derivative(key)

        def eval_(cls: type, arg: Any) -> Any:
            return lookup(arg) if arg.is_Number else None

        def fdiff(self_: Any, argindex: int = 1) -> Any:
            return derivative(self_.args[0])

        name = "_".join(str(part) for part in ("table", *key)).replace("'", "_prime")
        # stated facts spare SymPy's assumption system a search at every product and sum
        facts: dict[str, Any] = {"is_extended_real": True, "is_finite": True}
        if key[0] in ("exp", "root"):
            facts["is_positive"] = True
        namespace = {
            "nargs": 1,
            "eval": classmethod(eval_),
            "fdiff": fdiff,
            "table": True,
            **facts,
        }
        return type(name, (sp.Function,), namespace)

    def _derivative(self, key: tuple[Any, ...]) -> Callable[[Any], Any]:
        kind = key[0]
        if kind == "exp":
            return lambda u: self.cls(key)(u)
        if kind == "log":
            return lambda u: 1 / u
        if kind == "sin":
            return lambda u: self.cls(("cos",))(u)
        if kind == "cos":
            return lambda u: -self.cls(("sin",))(u)
        if kind == "root":
            b = key[1]
            return lambda u: sp.Rational(1, b) * self.cls(key)(u) ** (1 - b)
        if kind == "g":
            name = key[1]
            return lambda u: self._prime(name).xreplace({scalars.z: u})

        def no_second(u: Any) -> Any:
            raise TypeError("the exact check differentiates the cost once")

        return no_second

    @functools.cache  # noqa: B019 - one interpretation per check, a handful of records
    def _prime(self, name: str) -> Any:
        """The record's g' in table classes (made on first use: g's class must exist first)."""
        return self.scalar(self._record(name).derivative)

    def _record(self, name: str) -> Activation:
        return next(act for act in self.records.values() if act.name == name)

    # -- the values ----------------------------------------------------------------------------
    def value(self, key: tuple[Any, ...], q: Any) -> sp.Rational:
        """The table's value of ``key`` at the number ``q`` (drawn once per point)."""
        if not q.is_Rational:
            raise NotExact(f"{key[0]} at {q}, which is not a rational number")
        found = self.values.get((*key, q))
        if found is None:
            found = self._value(key, q)
            self.values[(*key, q)] = found
        return found

    def _value(self, key: tuple[Any, ...], q: sp.Rational) -> sp.Rational:
        kind = key[0]
        if kind == "root" and q == 0:
            # a root has a value at 0 and no derivative there (norm2(0 w): hostile48c #1)
            raise OutsideDomain("a root of 0, which has a value there and no derivative")
        if kind in ("log", "root") and q <= 0:
            raise OutsideDomain(f"{'log' if kind == 'log' else 'a root'} of {q}")
        if kind in ("exp", "root"):
            return sp.Rational(self.rng.randint(1, 40), 10)
        if kind in ("log",):
            return self._signed()
        if kind in ("sin", "cos"):
            return sp.Rational(self.rng.randint(-19, 19), 20)
        act = self._record(key[1])
        if kind == "g'":
            exact = self._prime(act.name).xreplace({scalars.z: q})
            return _rational(exact, f"{act.name}'({q})")
        if evaluates_exactly(act):
            assert act.formula is not None
            return _rational(act.formula.xreplace({scalars.z: q}), f"{act.name}({q})")
        return self._within(*act.output_range)

    def _signed(self) -> sp.Rational:
        return sp.Rational(self.rng.choice([-1, 1]) * self.rng.randint(1, 40), 10)

    def _within(self, low: Any, high: Any) -> sp.Rational:
        if low == 0 and high == 1:
            return sp.Rational(self.rng.randint(1, 19), 20)
        if low == -1 and high == 1:
            return sp.Rational(self.rng.randint(-19, 19), 20)
        if low == 0 and high == sp.oo:
            return sp.Rational(self.rng.randint(1, 40), 10)
        if low.is_finite and high == sp.oo:
            return low + sp.Rational(self.rng.randint(1, 40), 10)
        return self._signed()


def _closed(act: Activation) -> bool:
    """Whether the record's derivative reads no function its formula does not."""
    assert act.formula is not None and act.derivative is not None  # customs are element-wise
    functions = {type(f) for f in act.formula.atoms(sp.Function)}
    return {type(f) for f in act.derivative.atoms(sp.Function)} <= functions


def _in_exp(body: Any) -> Any:
    """``body`` with sinh and cosh, which no table covers, written in exp."""
    return body.replace(lambda e: isinstance(e, (sp.sinh, sp.cosh)), lambda e: e.rewrite(sp.exp))


def _rational(value: Any, what: str) -> sp.Rational:
    value = sp.nsimplify(value) if not value.is_Rational and value.is_number else value
    if not value.is_Rational:
        raise NotExact(f"{what} is {value}, not a rational number")
    return value


class RealInterpretation(Interpretation):
    """The true functions in :data:`DIGITS`-digit floating point, for comparing formulas that
    may write one value with different functions (sigmoid(z) or 1 / (1 + exp(-z))), which
    random tables would tell apart."""

    DIGITS = 30

    def value(self, key: tuple[Any, ...], q: Any) -> Any:
        if not q.is_Number:
            raise NotExact(f"{key[0]} at {q}, which is not a number")
        kind = key[0]
        if kind in ("log", "root") and q <= 0:
            raise OutsideDomain(f"{'log' if kind == 'log' else 'a root'} of {q}")
        exact = accuracy.exact(q)
        if kind == "root":
            return accuracy.value(sp.Pow(exact, sp.Rational(1, key[1])), self.DIGITS, "a root")
        if kind in ("exp", "log", "sin", "cos"):
            return accuracy.value(getattr(sp, kind)(exact), self.DIGITS, kind)
        act = self._record(key[1])
        assert act.formula is not None
        body = act.derivative if kind == "g'" else act.formula
        prime = "'" if kind == "g'" else ""
        what = f"{act.name}{prime}({sp.N(q, 6)!s})"
        return accuracy.value(body.xreplace({scalars.z: exact}), self.DIGITS, what)

    def elementwise(self, body: Any, variable: sp.Symbol, q: Any) -> Any:
        """``body`` (an element-wise function's scalar body) at ``q`` with the true functions,
        evaluated as one expression to :data:`DIGITS` correct digits: tanh' written
        ``1 - tanh(t)^2`` is exactly 0 in rounded arithmetic at a large t, and that 0 must not
        reach a comparison (:class:`~symbackprop.check.accuracy.LostDigits` instead)."""
        true = body.replace(
            lambda node: isinstance(node, sp.Function) and type(node) in self.records,
            self._true_function,
        )
        return accuracy.value(
            true.xreplace({variable: accuracy.exact(q)}),
            self.DIGITS,
            f"{body.xreplace({variable: sp.Symbol('t')})} at t = {sp.N(q, 6)!s}",
        )

    def _true_function(self, node: Any) -> Any:
        act = self.records[type(node)]
        prime = isinstance(node, ActivationDerivative) or type(node) is act.derivative_function
        assert act.formula is not None
        return (act.derivative if prime else act.formula).xreplace({scalars.z: node.args[0]})
