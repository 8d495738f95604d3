"""One-pass torch spellings of an activation's derivative, the factor a delta is scaled by.

A hidden delta is built in place, ``dZ1 = W2.T @ dZ2`` then ``dZ1 ⊙= g'``, and ``g'`` printed
as its formula costs one torch kernel and one fresh tensor per operator, then one more pass
for the product. On the CPU these passes run on every layer of every step, each a parallel
region of its own, so the derivatives of relu, tanh and sigmoid are written as the one kernel
torch's own autograd runs for them: it reads the delta and the cached activation and writes
the product back into the delta (``grad_input=`` the delta itself), no temporary::

    dZ ⊙= 1{X > c}     ->  _threshold_backward(dZ, X, c, grad_input=dZ)
    dZ ⊙= 1 - X ⊙ X    ->  _tanh_backward(dZ, X, grad_input=dZ)
    dZ ⊙= X ⊙ (1 - X)  ->  _sigmoid_backward(dZ, X, grad_input=dZ)

(``_sigmoid_backward = torch.ops.aten.sigmoid_backward.grad_input`` and so on, at the top of
the module: :func:`kernel_lines`)
(``X`` a cached tensor, ``c`` a number; the last one takes the two factors X and 1 - X of
the product together). The values are the formula's: threshold_backward keeps dZ where X > c
and writes 0 elsewhere (relu'(0) = 0 included), and the two others compute
``dZ * (1 - X * X)`` and ``dZ * (1 - X) * X``, rounded once more at most where a kernel fuses
a multiply and an add. They differ from the formula only where dZ is not finite (0 * inf).

A factor that is not a product with the delta keeps a one-pass spelling of its own, in the
dtype of the tensors it reads (:func:`factor_code`)::

    1{X > c}     ->  torch.gt(X, c, out=torch.empty_like(X))     (also >=, <, <=)
    1 - X ⊙ X    ->  torch.addcmul(X.new_ones(()), X, X, value=-1.0)

not a bool mask that ``*=`` converts first (two passes that torch does not vectorize), nor
``1.0 - X**2`` (two kernels, two fresh tensors). Every other factor keeps its printed formula.
"""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy import HadamardPower, MatAdd, MatMul, MatrixSymbol, OneMatrix

from symbackprop.lowering.array_printer import ATOM, float_literal
from symbackprop.lowering.torch.printer import COMPARISONS, TorchPrinter
from symbackprop.records.nodes import Elementwise

#: the aten kernels that multiply a delta by an activation's derivative, in place, by the
#: module-level names the module gives them (:data:`KERNELS`)
THRESHOLD = "_threshold_backward({t}, {x}, {c}, grad_input={t})"
TANH = "_tanh_backward({t}, {x}, grad_input={t})"
SIGMOID = "_sigmoid_backward({t}, {x}, grad_input={t})"
#: name in the module -> the torch operator it stands for, looked up once when the module is
#: loaded (``torch.ops.aten.x.y`` resolves three attributes through Python on every call)
KERNELS = {
    "_threshold_backward": "torch.ops.aten.threshold_backward.grad_input",
    "_tanh_backward": "torch.ops.aten.tanh_backward.grad_input",
    "_sigmoid_backward": "torch.ops.aten.sigmoid_backward.grad_input",
}


def kernel_lines(body: str) -> list[str]:
    """The module-level names of the kernels that ``body`` (the module's code) calls."""
    used = [name for name in KERNELS if f"{name}(" in body]
    if not used:
        return []
    lines = ["# torch's kernels for an activation's derivative (as its autograd runs them), once"]
    return lines + [f"{name} = {KERNELS[name]}" for name in used]


def in_place(
    target: str, factors: list[Any], printer: TorchPrinter
) -> tuple[list[tuple[str, str]], list[Any]]:
    """``(statements, rest)``: the ``(code, why)`` statements that multiply the fresh tensor
    ``target`` in place by those of the Hadamard ``factors`` torch has a backward kernel for,
    and the factors left for ``*=``, in their order."""
    rest, statements = list(factors), []
    for factor in factors:
        x = _one_minus(factor, printer)
        cached = isinstance(x, MatrixSymbol)
        partner = next((f for f in rest if f == x), None) if cached else None
        if factor in rest and partner is not None:  # X and 1 - X: sigmoid's derivative
            rest = [f for f in rest if f is not factor and f is not partner]
            name = printer.code(x)
            statements.append(
                (SIGMOID.format(t=target, x=name), f"{target} ⊙ {name} ⊙ (1 - {name}) in one pass")
            )
    for factor in list(rest):
        fused = _threshold(target, factor, printer) or _tanh(target, factor, printer)
        if fused is not None:
            rest.remove(factor)
            statements.append(fused)
    return statements, rest


def factor_code(factor: Any, printer: TorchPrinter) -> tuple[str, str] | None:
    """``(code, why)``: a one-pass spelling of the Hadamard factor ``factor`` in the dtype of
    the tensors it reads, and what it computes, or ``None`` when its printed formula is used."""
    return _indicator(factor, printer) or _one_minus_square(factor, printer)


def _relation(factor: Any) -> tuple[MatrixSymbol, str, Any] | None:
    """``(X, rel, c)`` for an indicator factor ``1{X rel c}`` of a cached tensor X."""
    if not isinstance(factor, Elementwise) or factor.indicator is None:
        return None
    if factor.activation_name is not None or factor.derivative_name is not None:
        return None
    if not isinstance(factor.arg, MatrixSymbol):  # a cached tensor, printed twice below
        return None
    rel, threshold = factor.indicator
    if rel not in COMPARISONS or not threshold.is_Number:
        return None
    return factor.arg, rel, threshold


def _limit(threshold: Any) -> str:
    return str(int(threshold)) if threshold.is_Integer else float_literal(threshold)


def _threshold(target: str, factor: Any, printer: TorchPrinter) -> tuple[str, str] | None:
    """``target ⊙= 1{X > c}`` (relu'(Z) = 1{A > 0}): dZ kept where X > c, else 0."""
    found = _relation(factor)
    if found is None or found[1] != ">":
        return None
    x, limit = printer.paren(found[0], ATOM), _limit(found[2])
    code = THRESHOLD.format(t=target, x=x, c=limit)
    return code, f"{target} ⊙ 1{{{x} > {limit}}} in one pass: {target} where {x} > {limit}, else 0"


def _indicator(factor: Any, printer: TorchPrinter) -> tuple[str, str] | None:
    """``1{X rel c}`` (relu'(Z) = 1{A > 0}) as 0.0/1.0 in X's dtype."""
    found = _relation(factor)
    if found is None:
        return None
    x, rel, limit = printer.paren(found[0], ATOM), found[1], _limit(found[2])
    code = f"{COMPARISONS[rel]}({x}, {limit}, out=torch.empty_like({x}))"
    return code, f"1{{{x} {rel} {limit}}} in {x}'s dtype, not a bool mask to convert"


def _one_minus(factor: Any, printer: TorchPrinter) -> Any | None:
    """X when ``factor`` is ``1 - X`` (a ones matrix minus a matrix), else None."""
    if not isinstance(factor, MatAdd) or len(factor.args) != 2:
        return None
    ones = [term for term in factor.args if isinstance(term, OneMatrix)]
    others = [term for term in factor.args if not isinstance(term, OneMatrix)]
    if len(ones) != 1 or len(others) != 1 or not isinstance(others[0], MatMul):
        return None
    coeff, matrices = printer._split_matmul(others[0])
    if coeff != -1 or len(matrices) != 1:
        return None
    return matrices[0]


def _square_of(factor: Any, printer: TorchPrinter) -> MatrixSymbol | None:
    """X when ``factor`` is ``1 - X ⊙ X`` of a cached tensor X (tanh'(Z) = 1 - A^2)."""
    square = _one_minus(factor, printer)
    if not (isinstance(square, HadamardPower) and square.exp == sp.Integer(2)):
        return None
    return square.base if isinstance(square.base, MatrixSymbol) else None


def _tanh(target: str, factor: Any, printer: TorchPrinter) -> tuple[str, str] | None:
    """``target ⊙= 1 - X ⊙ X`` in one pass."""
    x = _square_of(factor, printer)
    if x is None:
        return None
    name = printer.code(x)
    return TANH.format(t=target, x=name), f"{target} ⊙ (1 - {name} ⊙ {name}) in one pass"


def _one_minus_square(factor: Any, printer: TorchPrinter) -> tuple[str, str] | None:
    """``1 - X ⊙ X`` (tanh'(Z) = 1 - A^2) in one kernel."""
    x = _square_of(factor, printer)
    if x is None:
        return None
    name = printer.code(x)
    code = f"torch.addcmul({name}.new_ones(()), {name}, {name}, value=-1.0)"
    return code, f"1 - {name} ⊙ {name} in one pass"
