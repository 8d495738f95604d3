"""Matrix-expression nodes that SymPy lacks, used by the forward graph and the derivation.

SymPy gives us MatrixSymbol, MatMul, MatAdd, Transpose, HadamardProduct, HadamardPower and
OneMatrix. We add an activation applied to a matrix (:class:`Act`), the derivative of an
activation that cannot be written rationally in the cache (:class:`ActPrime`), and a scalar
function applied entry by entry (:class:`Apply`, e.g. the indicator 1{z > 0}). Printers dispatch
on these classes by name, exactly like SymPy's own ``_print_<ClassName>`` methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.core.symbol import Str
from sympy.matrices.expressions.matexpr import MatrixExpr

if TYPE_CHECKING:
    from symbackprop.records.activations import Activation


class _NamedEntrywise(MatrixExpr):
    """A matrix node ``name(arg)`` with the shape of ``arg``: the base of Act and ActPrime."""

    def __new__(cls, name: str | Str, arg: MatrixExpr) -> Any:
        return super().__new__(cls, Str(str(name)), arg)

    @property
    def name(self) -> str:
        return str(self.args[0])

    @property
    def arg(self) -> MatrixExpr:
        return self.args[1]  # type: ignore[no-any-return]

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.arg.shape  # type: ignore[no-any-return]


class Act(_NamedEntrywise):
    """``g(Z)`` for the activation named ``name`` (element-wise, or softmax per column)."""

    def _sympystr(self, printer: Any) -> str:
        return f"{self.name}({printer._print(self.arg)})"


class ActPrime(_NamedEntrywise):
    """``g'(Z)`` entry by entry: the derivative factor of an element-wise activation.

    Used when g' cannot be written rationally in the cached activation (softplus, custom
    activations); printers show the record's derived formula, the exact check evaluates it
    through its table of g' values.
    """

    def _sympystr(self, printer: Any) -> str:
        return f"{self.name}'({printer._print(self.arg)})"


class Apply(MatrixExpr):
    """A scalar function ``fn`` (a SymPy ``Lambda`` of one variable) applied to every entry."""

    def __new__(cls, fn: sp.Lambda, arg: MatrixExpr) -> Apply:
        return super().__new__(cls, fn, arg)  # type: ignore[no-any-return]

    @property
    def fn(self) -> sp.Lambda:
        return self.args[0]  # type: ignore[no-any-return]

    @property
    def arg(self) -> MatrixExpr:
        return self.args[1]  # type: ignore[no-any-return]

    @property
    def shape(self) -> tuple[Any, Any]:
        return self.arg.shape  # type: ignore[no-any-return]

    @property
    def indicator(self) -> tuple[str, sp.Expr] | None:
        """``(relation, threshold)`` when fn is the indicator 1{t rel c}, else ``None``."""
        body = self.fn.expr
        t = self.fn.variables[0]
        if (
            isinstance(body, sp.Piecewise)
            and len(body.args) == 2
            and body.args[0].expr == 1
            and body.args[1].expr == 0
            and body.args[1].cond == sp.true
        ):
            cond = body.args[0].cond
            if isinstance(cond, sp.core.relational.Relational) and cond.lhs == t:
                return cond.rel_op, cond.rhs
        return None

    def _sympystr(self, printer: Any) -> str:
        ind = self.indicator
        if ind is not None:
            return f"1{{{printer._print(self.arg)} {ind[0]} {ind[1]}}}"
        t = self.fn.variables[0]
        return printer._print(self.fn.expr).replace(str(t), printer._print(self.arg))


# -- the only way the core builds these nodes ------------------------------------------------
def activation_of(act: Activation, arg: MatrixExpr) -> MatrixExpr:
    """g(arg) for the activation record ``act``: entry by entry, or softmax per column."""
    return Act(act.name, arg)


def derivative_of(act: Activation, arg: MatrixExpr) -> MatrixExpr:
    """g'(arg) entry by entry, for an element-wise activation whose g' stays opaque."""
    return ActPrime(act.name, arg)


def entrywise(fn: sp.Lambda, arg: MatrixExpr) -> MatrixExpr:
    """The scalar function ``fn`` (a one-variable ``Lambda``) applied to every entry of arg."""
    return Apply(fn, arg)
