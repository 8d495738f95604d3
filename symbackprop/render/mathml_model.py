"""MathML of a model's expressions: the model printer's rules (:mod:`.model_print`) in MathML.

An internal value ``_t5`` is shown by the part of its equation it stands for, its adjoint as
``∂J/∂(...)``, a 1 x 1 identity as ``1``, ``det``, ``tr`` and ``^{-1}`` as written; the names
come from the model's LaTeX naming, read through :mod:`.mathml_tex`.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import MatrixSymbol

from symbackprop.core.textprint import one_by_one, scalar_as_matrix, unit
from symbackprop.render.mathml import TOP, MathMLPrinter, log_sum_exp, paren, softmax_of_all
from symbackprop.render.mathml_tex import el, mo, mrow
from symbackprop.render.model_names import ModelNames, ModelNaming


class ModelMathMLPrinter(MathMLPrinter):
    """MathML of a model's expressions (see the module docstring)."""

    def __init__(self, names: ModelNames, act_latex: dict[str, str]) -> None:
        super().__init__(act_latex, ModelNaming(names))
        self.names = names
        self.transposes = names.transposes

    def _wrap(self, expr: Any) -> str:
        return el("mn", "1") if unit(expr) else super()._wrap(expr)

    def _print_MatrixSymbol(self, expr: Any) -> Any:
        name = str(expr.name)
        if name in self.names.sources:
            bare = self.tex(self.names.bare_latex(name))
            same = self.names.value_text(name) == self.names.bare_text(name)
            return self._node(bare if same else paren(bare))
        return self._node(self.tex(self.names.symbol_latex(name)))

    def arg(self, expr: Any) -> str:
        """An argument inside a function's own brackets: an internal value without its own."""
        if isinstance(expr, MatrixSymbol) and str(expr.name) in self.names.sources:
            return self.tex(self.names.bare_latex(str(expr.name)))
        return self._s(expr)

    def whole(self, expr: Any) -> str:
        """``expr`` as a whole side of an equation: a lone internal value without brackets."""
        lone = self.names.lone(expr)
        return self.mathml(expr) if lone is None else self.tex(self.names.bare_latex(lone))

    def _print_Transpose(self, expr: Any) -> Any:
        if isinstance(expr.arg, sp.Transpose):
            return self._node(el("msup", paren(self._s(expr.arg)), TOP))
        return super()._print_Transpose(expr)

    def _print_Identity(self, expr: Any) -> Any:
        if one_by_one(expr):
            return self._node(el("mn", "1"))
        return self._node(el("msub", el("mi", "I"), self._s(expr.shape[0])))

    def _print_MatrixElement(self, expr: Any) -> Any:
        if one_by_one(expr.parent):
            return self._node(self._wrap(expr.parent))
        return super()._print_MatrixElement(expr)

    def _print_Determinant(self, expr: Any) -> Any:
        return self._node(mrow(el("mi", "det"), paren(self.arg(expr.arg))))

    def _print_Trace(self, expr: Any) -> Any:
        return self._node(mrow(el("mi", "tr"), paren(self.arg(expr.arg))))

    def _print_Inverse(self, expr: Any) -> Any:
        arg = expr.arg
        base = self._s(arg)
        if not (isinstance(arg, MatrixSymbol) and str(arg.name) not in self.names.sources):
            base = paren(base)
        return self._node(el("msup", base, mrow(mo("−"), el("mn", "1"))))

    def _print_MatMul(self, expr: Any) -> Any:
        coeff, matrices = expr.as_coeff_matrices()
        if scalar_as_matrix(expr):
            return self._print(coeff)
        return super()._print_MatMul(expr)

    def _print_Softmax(self, expr: Any) -> Any:
        return self._node(mrow(self.act("softmax"), paren(self.arg(expr.arg))))

    def _print_LogSumExp(self, expr: Any) -> Any:
        return self._node(log_sum_exp(self.arg(expr.arg)))

    def _print_SoftmaxOfAll(self, expr: Any) -> Any:
        return self._node(softmax_of_all(self.arg(expr.arg)))

    def _print_ElementwiseApplyFunction(self, expr: Any) -> Any:
        if expr.activation_name is not None:
            return self._node(mrow(self.act(expr.activation_name), paren(self.arg(expr.arg))))
        if expr.derivative_name is not None:
            prime = el("msup", self.act(expr.derivative_name), mo("′"))
            return self._node(mrow(prime, paren(self.arg(expr.arg))))
        return super()._print_ElementwiseApplyFunction(expr)
