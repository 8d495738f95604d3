"""The expression printers for a model's derivation: the network's, plus the model's nodes.

A model's expressions hold nodes a dense network never has: ``det``, ``inv``, ``tr``, a 1 x 1
identity (the seed dJ/dJ = 1 and the scalar functions' value), the entry ``s[0, 0]`` of a
1 x 1 value that multiplies like a number, scalar powers and ``abs``. These printers write
them in the formula language (text: ``det(X)``, ``inv(X)``, ``tr(A)``, ``abs(r)``, ``t^2``)
and in math (LaTeX: ``\\det X``, ``X^{-1}``, ``\\operatorname{tr}``), print a name through
:class:`~symbackprop.render.model_names.ModelNames` (so ``_t5`` reads ``(w^T h + c)``), and
bracket a compound argument of an element-wise function's body (``(A x - y)^2``). Nothing is
simplified: the printed expression is the derivation's.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import Identity, MatrixSymbol

from symbackprop.core.expr_structure import is_atom
from symbackprop.core.textprint import TextPrinter, one_by_one, power_base, scalar_as_matrix, unit
from symbackprop.render.latex_scripts import attach
from symbackprop.render.latexprint import (
    CLOSE,
    OPEN,
    MathLatexPrinter,
    finish,
    log_sum_exp_latex,
    raise_argument,
    softmax_of_all_latex,
)
from symbackprop.render.model_names import ModelNames, ModelNaming

_ARG = "ARGPLACEHOLDER"
#: the model's matrix nodes printed as calls (``det(X)``), which need no further brackets
_CALLS = (sp.Determinant, sp.Inverse, sp.Trace)


def _lone_factor(expr: Any) -> Any:
    """The one factor of a product 1 M that an expanded gradient's substitution leaves
    (``MatMul(1, I_2)`` for the adjoint 1 times I_2): printed as M is."""
    if isinstance(expr, sp.MatMul):
        coeff, matrices = expr.as_coeff_matrices()
        if coeff == 1 and len(matrices) == 1:
            return matrices[0]
    return expr


class ModelTextPrinter(TextPrinter):
    """Plain text of a model's expressions (see the module docstring)."""

    def __init__(self, names: ModelNames) -> None:
        super().__init__()
        self.names = names
        self.transposes = names.transposes

    def _print_MatrixSymbol(self, expr: Any) -> str:
        return self.names.symbol_text(str(expr.name))

    def _arg(self, expr: Any) -> str:
        """A function's argument: an internal value without the parentheses it reads with."""
        bare = self._bare(expr)
        return self._print(expr) if bare is None else self.names.bare_text(bare)

    def _bare(self, expr: Any) -> str | None:
        """The name of the internal value ``expr`` stands for, printed bare as an argument,
        or None (any other expression prints as itself)."""
        if isinstance(expr, MatrixSymbol) and str(expr.name) in self.names.sources:
            return str(expr.name)
        return None

    def whole(self, expr: Any) -> str:
        """``expr`` as a whole side of an equation: a lone internal value needs no brackets
        (``dJ/dx = y ⊙ v``, not ``(y ⊙ v)``)."""
        lone = self.names.lone(expr)
        return self.doprint(expr) if lone is None else self.names.bare_text(lone)

    def _wrap(self, expr: Any) -> str:
        # det(X), inv(X), tr(A) carry their own brackets: inv(X)^T, det(X) inv(X^T)
        expr = _lone_factor(expr)
        if isinstance(expr, (*_CALLS, Identity)) or (
            isinstance(expr, sp.Transpose) and isinstance(expr.arg, _CALLS)
        ):
            return self._print(expr)
        return super()._wrap(expr)

    def _print_Transpose(self, expr: Any) -> str:
        # the argument is printed once: printed here and again by the parent's _wrap, nested
        # transposes ((A^T B)^T C)^T ... cost 2^depth (a 687-character model: minutes)
        if isinstance(expr.arg, sp.Transpose):
            return f"({self._print(expr.arg)})^T"
        if isinstance(expr.arg, MatrixSymbol):
            inner = self._print(expr.arg)
            if inner.endswith("^T"):
                return f"({inner})^T"  # an internal value shown as w^T
        return super()._print_Transpose(expr)

    def _print_Determinant(self, expr: Any) -> str:
        return f"det({self._arg(expr.arg)})"

    def _print_Inverse(self, expr: Any) -> str:
        return f"inv({self._arg(expr.arg)})"

    def _print_Trace(self, expr: Any) -> str:
        return f"tr({self._arg(expr.arg)})"

    def _print_ElementwiseApplyFunction(self, expr: Any) -> str:
        if (
            expr.activation_name is not None
            or expr.derivative_name is not None
            or expr.indicator is not None
        ):
            return str(expr.call_text(self._arg(expr.arg), self._print))
        # a body in the entry variable: a compound argument keeps its brackets inside it
        # (``(A x - y)^2``), except in a call's own (``sigmoid(W x + b)``, not ``sigmoid((...))``)
        # the argument printed once: printed twice per level (here and as _arg's), exp nested
        # 20 deep took 40 s and 1.6 GB (hostile30)
        printed = self._print(expr.arg)
        inner = printed if self._bare(expr.arg) is None else self._arg(expr.arg)
        arg = printed
        if not (is_atom(expr.arg) or power_base(arg) == arg):  # a name, (...) or a call
            arg = f"({arg})"
        body = expr.body.xreplace({expr.variable: sp.Symbol(_ARG)})
        text = self.body_text(body, expr.arg)
        text = text.replace(f"({_ARG})", f"({inner})")
        text = text.replace(f"{_ARG}^", f"{power_base(arg)}^")  # (A^T)^2
        return text.replace(f"^{_ARG}", f"^{power_base(arg)}").replace(_ARG, arg)  # 2^(A^T)

    def _print_Softmax(self, expr: Any) -> str:
        return f"softmax({self._arg(expr.arg)})"

    def _print_LogSumExp(self, expr: Any) -> str:
        return f"log(sum(exp({self._arg(expr.arg)})))"

    def _print_SoftmaxOfAll(self, expr: Any) -> str:
        arg = self._arg(expr.arg)
        return f"exp({arg})/sum(exp({arg}))"


class ModelLatexPrinter(MathLatexPrinter):
    """LaTeX of a model's expressions (see the module docstring)."""

    def __init__(self, names: ModelNames, act_latex: dict[str, str]) -> None:
        super().__init__(act_latex, ModelNaming(names))
        self.names = names
        self.transposes = names.transposes

    def _wrap(self, expr: Any) -> str:
        expr = _lone_factor(expr)
        if unit(expr):
            return "1"
        if isinstance(expr, (*_CALLS, Identity)) or (
            isinstance(expr, sp.Transpose) and isinstance(expr.arg, sp.Inverse)
        ):
            return self._print(expr)  # \det(X), X^{-1}, (X^{-1})^{\top}, I_{n}: as a factor
        return super()._wrap(expr)

    def _print_MatrixSymbol(self, expr: Any) -> str:
        name = str(expr.name)
        if name in self.names.sources:
            if self.names.value_text(name) == self.names.bare_text(name):
                return self.names.bare_latex(name)
            return OPEN + self.names.bare_latex(name) + CLOSE
        return self.names.symbol_latex(name)

    def _arg(self, expr: Any) -> str:
        if isinstance(expr, MatrixSymbol) and str(expr.name) in self.names.sources:
            return self.names.bare_latex(str(expr.name))
        return self._print(expr)

    def whole(self, expr: Any) -> str:
        """``expr`` as a whole side of an equation (see :meth:`ModelTextPrinter.whole`)."""
        lone = self.names.lone(expr)
        return self.doprint(expr) if lone is None else self.names.bare_latex(lone)

    def _print_Transpose(self, expr: Any) -> str:
        if isinstance(expr.arg, (sp.Transpose, sp.Inverse)):
            return OPEN + self._print(expr.arg) + CLOSE + r"^{\top}"
        return super()._print_Transpose(expr)

    def argument(self, expr: Any) -> str:
        return finish(self._arg(expr))

    def _print_Identity(self, expr: Any) -> str:
        return "1" if one_by_one(expr) else rf"I_{{{self._print(expr.shape[0])}}}"

    def _print_MatrixElement(self, expr: Any) -> str:
        if one_by_one(expr.parent):
            return self._wrap(expr.parent)
        return super()._print_MatrixElement(expr)

    def _print_Determinant(self, expr: Any) -> str:
        return r"\det" + OPEN + self._arg(expr.arg) + CLOSE

    def _print_Inverse(self, expr: Any) -> str:
        arg = expr.arg
        if isinstance(arg, MatrixSymbol) and str(arg.name) not in self.names.sources:
            return attach(self._print(arg), "^{-1}")
        return OPEN + self._print(arg) + CLOSE + "^{-1}"

    def _print_Trace(self, expr: Any) -> str:
        return r"\operatorname{tr}" + OPEN + self._arg(expr.arg) + CLOSE

    def _print_MatMul(self, expr: Any) -> str:
        coeff, matrices = expr.as_coeff_matrices()
        if scalar_as_matrix(expr):
            return self._print(coeff)
        return super()._print_MatMul(expr)

    def _print_Softmax(self, expr: Any) -> str:
        return self._act("softmax") + OPEN + self._arg(expr.arg) + CLOSE

    def _print_LogSumExp(self, expr: Any) -> str:
        return log_sum_exp_latex(self._arg(expr.arg))

    def _print_SoftmaxOfAll(self, expr: Any) -> str:
        return softmax_of_all_latex(self._arg(expr.arg))

    def _elementwise(self, expr: Any) -> str:
        if expr.activation_name is not None:
            return self._act(expr.activation_name) + OPEN + self._arg(expr.arg) + CLOSE
        if expr.derivative_name is not None:
            return self._act(expr.derivative_name) + "'" + OPEN + self._arg(expr.arg) + CLOSE
        if expr.indicator is not None:
            return super()._elementwise(expr)
        arg = self._print(expr.arg)
        if not (is_atom(expr.arg) or arg.startswith(OPEN)):
            arg = OPEN + arg + CLOSE
        body = expr.body.xreplace({expr.variable: sp.Symbol(_ARG)})
        if isinstance(body, sp.Piecewise):
            return super()._elementwise(expr)
        # a call's own brackets hold the argument bare: \sigma(W x + b), not \sigma((W x + b))
        call = rf"\left({_ARG} \right)"
        bare = rf"\left({self._arg(expr.arg)} \right)"
        return raise_argument(self._print(body).replace(call, bare), arg)
