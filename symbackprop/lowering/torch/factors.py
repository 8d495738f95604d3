"""One-pass torch spellings of an activation's derivative, the factor a delta is scaled by.

A hidden delta is built in place, ``dZ1 = W2.T @ dZ2`` then ``dZ1 *= g'``, and ``g'`` printed
as its formula costs one torch kernel and one fresh tensor per operator. Two of them are
slower than they look on the CPU, where they run on every layer of every step:

* relu's indicator ``A1 > 0`` is a bool tensor, which ``*=`` first converts to the float
  dtype: the comparison writes bools and the conversion reads them, two passes that torch
  does not vectorize (several times the cost of ``torch.relu``). A comparison written into a
  tensor of Z1's dtype (``out=``) gives the same 0.0/1.0 values in one vectorized pass;
* tanh's ``1.0 - A1**2`` is two kernels (pow, then rsub) and two fresh tensors;
  ``torch.addcmul(1, A1, A1, value=-1.0)`` is ``1 - A1 * A1`` in one.

So, for a factor of these forms (``X`` a cached tensor, ``c`` a number)::

    1{X > c}     ->  torch.gt(X, c, out=torch.empty_like(X))     (also >=, <, <=)
    1 - X ⊙ X    ->  torch.addcmul(X.new_ones(()), X, X, value=-1.0)

Every other factor keeps its printed formula. The values are the formula's: the comparison
is exact, and ``1 - X * X`` is the same arithmetic as ``1.0 - X**2`` (torch squares by a
product), rounded once more at most where the kernel fuses the multiply and the add.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import HadamardPower, MatAdd, MatMul, MatrixSymbol, OneMatrix

from symbackprop.lowering.numpy.printer import ATOM, float_literal
from symbackprop.lowering.torch.printer import COMPARISONS, TorchPrinter
from symbackprop.records.nodes import Elementwise


def factor_code(factor: Any, printer: TorchPrinter) -> tuple[str, str] | None:
    """``(code, why)``: a one-pass spelling of the Hadamard factor ``factor`` in the dtype of
    the tensors it reads, and what it computes, or ``None`` when its printed formula is used."""
    return _indicator(factor, printer) or _one_minus_square(factor, printer)


def _indicator(factor: Any, printer: TorchPrinter) -> tuple[str, str] | None:
    """``1{X rel c}`` (relu'(Z) = 1{A > 0}) as 0.0/1.0 in X's dtype."""
    if not isinstance(factor, Elementwise) or factor.indicator is None:
        return None
    if factor.activation_name is not None or factor.derivative_name is not None:
        return None
    if not isinstance(factor.arg, MatrixSymbol):  # a cached tensor, printed twice below
        return None
    rel, threshold = factor.indicator
    if rel not in COMPARISONS or not threshold.is_Number:
        return None
    x = printer.paren(factor.arg, ATOM)
    limit = str(int(threshold)) if threshold.is_Integer else float_literal(threshold)
    code = f"{COMPARISONS[rel]}({x}, {limit}, out=torch.empty_like({x}))"
    return code, f"1{{{x} {rel} {limit}}} in {x}'s dtype, not a bool mask to convert"


def _one_minus_square(factor: Any, printer: TorchPrinter) -> tuple[str, str] | None:
    """``1 - X ⊙ X`` (tanh'(Z) = 1 - A^2) in one kernel."""
    if not isinstance(factor, MatAdd) or len(factor.args) != 2:
        return None
    ones = [term for term in factor.args if isinstance(term, OneMatrix)]
    others = [term for term in factor.args if not isinstance(term, OneMatrix)]
    if len(ones) != 1 or len(others) != 1 or not isinstance(others[0], MatMul):
        return None
    coeff, matrices = printer._split_matmul(others[0])
    if coeff != -1 or len(matrices) != 1:
        return None
    square = matrices[0]
    if not (isinstance(square, HadamardPower) and square.exp == sp.Integer(2)):
        return None
    if not isinstance(square.base, MatrixSymbol):
        return None
    x = printer.code(square.base)
    code = f"torch.addcmul({x}.new_ones(()), {x}, {x}, value=-1.0)"
    return code, f"1 - {x} ⊙ {x} in one pass"
