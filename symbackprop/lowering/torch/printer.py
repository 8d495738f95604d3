"""A PyTorch printer for the derivation's matrix expressions, in CS229 code names.

:class:`TorchPrinter` is an :class:`~symbackprop.lowering.array_printer.ArrayPrinter`, as the
NumPy printer is, with the few node kinds whose spelling differs in torch overridden; operators
(``@``, ``*``, ``.T``, ``**``) and the layout are the same::

    MatMul(Transpose(W3), dZ3)               ->  W3.T @ dZ3
    dZ1 * OneMatrix(m, 1)                    ->  dZ1.sum(dim=1, keepdim=True)
    sigmoid applied to Z1                    ->  torch.sigmoid(Z1)   (the record's torch code)
    leaky_relu'(t) on Z1   ->  torch.where(Z1 > 0, 1.0, torch.full_like(Z1, 0.01))

Tensors made from nothing (``torch.eye``, ``torch.zeros``) take the dtype and device named by
:attr:`TorchPrinter.dtype` / :attr:`TorchPrinter.device`; a ``torch.where`` between two numbers
gets a tensor like its argument, so float64 code never computes in the default float32.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy as sp

from symbackprop.lowering.array_printer import ATOM, ArrayPrinter, float_literal
from symbackprop.records.activations import CODE_FUNCTIONS, Activation
from symbackprop.records.nodes import Elementwise

#: an indicator's relation -> the torch comparison that computes it
COMPARISONS = {">": "torch.gt", ">=": "torch.ge", "<": "torch.lt", "<=": "torch.le"}

#: the scalar functions a custom activation may use (records.activations.CODE_FUNCTIONS, the one
#: list), each as torch's function of the same name in lower case
_FUNCTIONS: dict[str, str] = {name: f"torch.{name.lower()}" for name in sorted(CODE_FUNCTIONS)}


class TorchPrinter(ArrayPrinter):
    """Print matrix (and scalar) SymPy expressions as PyTorch code in CS229 names."""

    printmethod = "_symbackprop_torch"
    NAME = "torch"
    LIB = "torch"
    RECORD = "torch"
    FUNCTIONS = _FUNCTIONS
    WHERE = "torch.where"
    FULL_LIKE = "torch.full_like"
    ZEROS = "torch.zeros"
    HALF = "{a}.dtype == torch.float16"
    TO_FLOAT32 = "{a}.float()"
    TO_DTYPE = "{a}.to({d})"

    def __init__(
        self,
        activations: Mapping[str, Activation],
        rename: Mapping[str, str] | None = None,
        guards: Mapping[Any, Any] | None = None,
    ) -> None:
        super().__init__(activations, rename, guards)
        #: a name holding the tensors' device, printed beside :attr:`dtype`
        self.device: str | None = None

    def float_indicator(self, expr: Elementwise) -> str:
        """The indicator as 0.0/1.0 in its argument's dtype, written by the comparison in one
        pass (``torch.gt(t1, 0, out=torch.empty_like(t1))``, the network's relu factor),
        else converted to the parameters' dtype."""
        rel, threshold = expr.indicator or ("", sp.S.Zero)
        if isinstance(expr.arg, sp.MatrixSymbol) and rel in COMPARISONS and threshold.is_Number:
            x = self.code(expr.arg)
            limit = str(int(threshold)) if threshold.is_Integer else float_literal(threshold)
            return f"{COMPARISONS[rel]}({x}, {limit}, out=torch.empty_like({x}))"
        if self.dtype is not None:
            self.reads_dtype = True
            return f"({self.mask_code(expr)}).to({self.dtype})"
        return f"({self.mask_code(expr)}).to(torch.get_default_dtype())"

    def dtype_argument(self) -> str:
        """``, dtype=<name>, device=<name>`` for a tensor made from nothing."""
        if self.dtype is None:
            return ""
        self.reads_dtype = True
        device = f", device={self.device}" if self.device else ""
        return f", dtype={self.dtype}{device}"

    # -- matrix nodes ----------------------------------------------------------------------
    def sum_all(self, array: str) -> str:
        return f"{array}.sum().reshape(1, 1)"

    def sum_axis(self, array: str, axis: int) -> str:
        return f"{array}.sum(dim={axis}, keepdim=True)"

    def _print_LogSumExp(self, expr: Any) -> str:
        return f"torch.logsumexp({self.code(expr.arg)}, dim=(0, 1)).reshape(1, 1)"

    def _print_Norm2(self, expr: Any) -> str:
        self.helpers.add("norm2")  # the model template's helper
        return f"norm2({self.code(expr.arg)})"

    def _print_SoftmaxOfAll(self, expr: Any) -> str:
        arg = self.paren(expr.arg, ATOM)
        return f"torch.softmax({arg}.reshape(-1), 0).reshape({arg}.shape)"

    def _print_LogSoftmax(self, expr: Any) -> str:
        self.helpers.add("log_softmax")  # the template's helper: log1p of the sum
        return f"log_softmax({self.code(expr.arg)})"

    # -- scalar nodes ---------------------------------------------------------------------
    def zero_like(self, x: str) -> str:
        """torch.logaddexp and torch.heaviside take two tensors: zeros like ``x``."""
        return f"torch.zeros_like({x})"

    def _reduce(self, fn: str, args: tuple[Any, ...]) -> str:
        bound = "min" if fn.endswith("maximum") else "max"
        out = self.code(args[-1])
        for arg in reversed(args[:-1]):
            # clamp takes a number; maximum/minimum take two tensors
            if arg.is_Number:
                out = f"torch.clamp({out}, {bound}={float_literal(arg)})"
            elif args[-1].is_Number and out == self.code(args[-1]):
                out = f"torch.clamp({self.code(arg)}, {bound}={out})"
            else:
                out = f"{fn}({self.code(arg)}, {out})"
        return out

    def _print_Pi(self, expr: Any) -> str:
        return float_literal(sp.pi.evalf(17))

    def _print_Exp1(self, expr: Any) -> str:
        return float_literal(sp.E.evalf(17))
