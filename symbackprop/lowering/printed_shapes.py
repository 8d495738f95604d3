"""What every backend's model emitter needs to know of its printed code: the shape of an
expression as printed, and a few text helpers. The torch and JAX printers subclass the NumPy one
and lay out products and sums alike, so one reading serves all three.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import sympy as sp
from sympy import HadamardPower, HadamardProduct, MatAdd, MatMul, OneMatrix, Transpose

from symbackprop.lowering.numpy.printer import NumPyPrinter
from symbackprop.records.nodes import Elementwise, LogSoftmax, Softmax, SoftmaxOfAll

#: a printed array's (rows, cols); a dimension is an int or the batch name "m"
Shape = tuple[Any, Any]


#: the backend's printer: the NumPy printer or a subclass (torch, JAX)
P = TypeVar("P", bound=NumPyPrinter)


class PrintedShapes(Generic[P]):
    """Mixin of a model emitter with ``self.shapes`` (name -> Shape) and ``self.printer``."""

    shapes: Mapping[str, Shape]
    printer: P

    def printed_shape(self, expr: Any) -> Shape | None:
        """The array shape of ``expr`` as the printer writes it; ``None`` for a number (``1.0``,
        ``m``, an entry ``s[0, 0]``): a 1 x 1 value printed as a number is filled to (1, 1)."""
        if isinstance(expr, sp.MatrixSymbol):
            return self.shapes[expr.name]
        if isinstance(expr, Transpose):
            inner = self.printed_shape(expr.arg)
            return None if inner is None else (inner[1], inner[0])
        if isinstance(expr, sp.Identity) and expr.shape[0] != 1:
            return (int(expr.shape[0]), int(expr.shape[1]))
        if isinstance(expr, sp.ZeroMatrix):  # printed as zeros of its shape
            rows, cols = ("m" if isinstance(d, sp.Symbol) else int(d) for d in expr.shape)
            return (rows, cols)
        if isinstance(expr, (OneMatrix, sp.Identity)):
            return None  # printed 1.0
        if isinstance(expr, (sp.Inverse, Softmax, LogSoftmax, SoftmaxOfAll)):
            return self.printed_shape(expr.arg)
        if isinstance(expr, Elementwise):
            if expr.body.has(expr.variable) or expr.indicator is not None:
                return self.printed_shape(expr.arg)
            return broadcast(
                [self.shapes[s.name] for s in expr.body.atoms(sp.Symbol) if s.name in self.shapes]
            )
        if isinstance(expr, (MatAdd, HadamardProduct)):
            return broadcast([self.printed_shape(a) for a in expr.args])
        if isinstance(expr, HadamardPower):
            return self.printed_shape(expr.args[0])
        if isinstance(expr, MatMul):
            _, matrices = self.printer._split_matmul(expr)
            return self.product_shape(matrices)
        if getattr(expr, "is_Matrix", False):
            return (expr.shape[0], expr.shape[1])
        return None  # a number, m, an entry s[0, 0]

    def product_shape(self, matrices: list[Any]) -> Shape | None:
        """Mirrors :meth:`~symbackprop.lowering.numpy.printer.NumPyPrinter.matrix_product` (which
        the torch and JAX printers inherit): a ones matrix at an end is a sum."""
        if len(matrices) > 1 and isinstance(matrices[-1], OneMatrix):
            rest = self.product_shape(matrices[:-1])
            return (rows(rest), 1) if matrices[-1].shape[0] != 1 else rest
        if len(matrices) > 1 and isinstance(matrices[0], OneMatrix):
            rest = self.product_shape(matrices[1:])
            return (1, cols(rest)) if matrices[0].shape[1] != 1 else rest
        if len(matrices) == 1:
            return self.printed_shape(matrices[0])
        return (rows(self.printed_shape(matrices[0])), cols(self.printed_shape(matrices[-1])))


def code_dict(target: str, entries: list[str], indent: str = "") -> list[str]:
    """``target = {...}``, one entry per line as ruff format writes it; ``{}`` when empty."""
    if not entries:
        return [f"{indent}{target} = {{}}"]
    return [f"{indent}{target} = {{", *(f"{indent}    {e}," for e in entries), f"{indent}}}"]


def broadcast(shapes: list[Shape | None]) -> Shape | None:
    """Broadcasting of printed shapes; numbers (``None``) only, a number."""
    arrays = [s for s in shapes if s is not None]
    if not arrays:
        return None
    rows = next((r for r, _ in arrays if r != 1), 1)
    cols = next((c for _, c in arrays if c != 1), 1)
    return (rows, cols)


def rows(shape: Shape | None) -> Any:
    return 1 if shape is None else shape[0]


def cols(shape: Shape | None) -> Any:
    return 1 if shape is None else shape[1]


def quoted_dims(shape: Shape) -> str:
    rows, cols = (f'"{d}"' if isinstance(d, str) else str(d) for d in shape)
    return f"({rows}, {cols})"


__all__ = ["PrintedShapes", "Shape", "broadcast", "code_dict", "cols", "quoted_dims", "rows"]
