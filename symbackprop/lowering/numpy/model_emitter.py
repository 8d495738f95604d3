"""The NumPy emitter for a model: its lowering plan becomes a readable, self-contained module.

The module follows DESIGN.md ("Models"): ``SHAPES`` (parameters in order of first use),
``DATA`` (the data arrays after ``params``), ``init_params``, ``forward(params, *data,
work=None) -> (cost, cache)``, ``backward(params, cache, work=None)`` and
``loss_and_grads(params, *data, work=None) -> (cost, grads)``. Every forward group sits under
the model line it computes; every backward line under the step it is read off.

Values are 2-D arrays throughout; a 1 x 1 value is a (1, 1) array, whose entry ``s[0, 0]``
multiplies like a number. A column added to an r x m matrix is NumPy broadcasting. Where the
printed expression would be smaller than its value (a constant, a number times ``1_n``), it is
filled to its shape with ``np.full``. Stable numerics: bce of a sigmoid and ce of a softmax are
computed from the logits with the loss record's NumPy code (``Loss.logits_code["numpy"]``);
sigmoid, softmax and log_softmax are the module's helpers (no overflow, no warning for |z| up
to 1e3). The same plan gives the same bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import sympy as sp
from sympy import HadamardProduct, Transpose

from symbackprop.core.graph import Kind
from symbackprop.lowering.array_printer import MUL, SIMPLE_OPERAND, mask_factors
from symbackprop.lowering.column_sums import SUMS_HELPER
from symbackprop.lowering.model_emitter import ModelEmitter, Shape, matrices
from symbackprop.lowering.numpy.emitter import single_ufunc
from symbackprop.lowering.numpy.model_template import (
    ADJUGATE_HELPER,
    LOG_SOFTMAX_HELPER,
    LOGDET_HELPER,
    LOGSUMEXP_HELPER,
    NORM2_HELPER,
    SOFTMAX_HELPER,
    SOFTMAX_OF_ALL_HELPER,
    check_helpers_text,
    init_params_text,
)
from symbackprop.lowering.numpy.printer import NumPyPrinter
from symbackprop.lowering.numpy.template import BUFFER_HELPER, SIGMOID_HELPER
from symbackprop.lowering.provenance import show_dims
from symbackprop.lowering.python_text import fitted
from symbackprop.records.nodes import Elementwise

if TYPE_CHECKING:
    from symbackprop.lowering.model_plan import ModelBackward, ModelForward, ModelPlan

#: arrays of at least this many entries (or batch-sized) go into the caller's workspace
LARGE = 1024


def emit_model(plan: ModelPlan) -> str:
    """The NumPy module for a model's ``plan``, as source text."""
    return _ModelModule(plan).module()


class _ModelModule(ModelEmitter[NumPyPrinter]):
    """The shared layout in NumPy's spelling, with large values in the caller's workspace
    (``work``) and adjoints updated in place where nothing reads them again."""

    HELPERS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("sigmoid", SIGMOID_HELPER),
        ("softmax", SOFTMAX_HELPER),
        ("log_softmax", LOG_SOFTMAX_HELPER),
        ("logsumexp", LOGSUMEXP_HELPER),
        ("norm2", NORM2_HELPER),
        ("softmax_of_all", SOFTMAX_OF_ALL_HELPER),
        ("logdet", LOGDET_HELPER),
        ("_adjugate_t", ADJUGATE_HELPER),
    )

    def init_text(self, per_example: bool) -> str:
        return init_params_text(per_example)

    def check_text(self, per_example: bool) -> str:
        return check_helpers_text(per_example)

    def __init__(self, plan: ModelPlan) -> None:
        super().__init__(plan, NumPyPrinter(plan.activations, guards=plan.guards))
        self.fused = _fusable_products(plan)  # matmul temporaries written by their sum
        self.forward_nodes = {s.target: s for s in plan.forward}

    def support(self) -> list[str]:
        out = ["", *BUFFER_HELPER.splitlines()] if "_buffer" in self.helpers else []
        return out + (["", *SUMS_HELPER.splitlines()] if self.plan.sums_to_one else [])

    def sums_checks(self) -> list[str]:
        return [f'    _sums_to_one({d.code}, "{d.code}")' for d in self.plan.sums_to_one]

    # -- workspace -------------------------------------------------------------------------
    def large(self, shape: Shape) -> bool:
        """Worth a workspace array: batch-sized, or at least 1024 entries."""
        rows, cols = shape
        return "m" in (rows, cols) or int(rows) * int(cols) >= LARGE

    def product(self, target: str, left: Any, right: Any, shape: Shape) -> list[str]:
        """``target = left @ right``, into the caller's workspace when large (``left``/``right``
        are printed operands or expressions)."""
        a = left if isinstance(left, str) else self.printer.paren(left, MUL)
        b = right if isinstance(right, str) else self.printer.paren(right, MUL, strict=True)
        names = [
            t.removesuffix(".T") for t in (a, b) if SIMPLE_OPERAND.fullmatch(t.removesuffix(".T"))
        ]
        if not self.large(shape) or not names:
            return super().product(target, a, b, shape)
        self.helpers.add("_buffer")
        self.reads_m = self.reads_m or "m" in shape
        key = self.work_key(target)
        out = f'_buffer(work, "{key}", {show_dims(shape)}, {names[0]}.dtype)'
        return fitted(f"{target} = np.matmul({a}, {b}, out={out})", show_dims(shape))

    # -- forward ---------------------------------------------------------------------------
    def forward_statement(self, s: ModelForward) -> list[str]:
        if s.kind is Kind.MATMUL and s.target in self.fused:
            return []  # written into its sum's array below
        if s.kind is Kind.MATMUL:
            left, right = s.args
            return self.product(s.target, left, right, s.shape)
        if s.kind is Kind.LINEAR and s.args and s.args[0] in self.fused:
            return self.fused_sum(s)
        if s.kind is Kind.FUNCTION and self.large(s.shape):
            into = self.into_workspace(s)
            if into is not None:
                return fitted(into, show_dims(s.shape))
        return super().forward_statement(s)

    def into_workspace(self, s: ModelForward) -> str | None:
        """``A = f(Z, out=...)`` for a one-ufunc activation (or the sigmoid helper)."""
        act = getattr(s.record, "activation", None)
        if act is None or not act.elementwise:
            return None
        (arg,) = s.args
        code = self.printer.activation_code(act.name, arg)
        single = code == f"sigmoid({arg})" or single_ufunc(code, arg)
        if not single:
            return None
        key = self.work_key(s.target)
        buffer = f'_buffer(work, "{key}", {show_dims(s.shape)}, {arg}.dtype)'
        self.helpers.add("_buffer")
        return f"{s.target} = {code[:-1]}, out={buffer})"

    def fused_sum(self, s: ModelForward) -> list[str]:
        """``target = A B + c2 X2 + ...``: the product into target's array, then ``+=``."""
        first = self.forward_nodes[s.args[0]]
        out = self.product(s.target, first.args[0], first.args[1], s.shape)
        record = s.record
        shape = show_dims(s.shape)
        for name, coeff in zip(s.args[1:], record.coefficients[1:], strict=True):
            value = name if abs(coeff) == 1 else f"{self.code(abs(coeff))} * {name}"
            op = "-=" if coeff.is_negative else "+="
            out += fitted(f"{s.target} {op} {value}", shape)
        if record.constant != 0:
            op = "-=" if record.constant.is_negative else "+="
            out += fitted(f"{s.target} {op} {self.code(abs(record.constant))}", shape)
        return out

    # -- backward --------------------------------------------------------------------------
    def backward(self) -> list[str]:
        plan = self.plan
        # adjoints held in arrays of their own, of which no other name holds a view (a
        # transpose is a view: dw = dt3.T must not change when dt3 is updated in place)
        viewed = {
            arg.name
            for st in plan.backward
            for arg in [st.expr.arg if isinstance(st.expr, Transpose) else st.expr]
            if isinstance(arg, sp.MatrixSymbol)
        }
        self.adjoints = {
            st.target
            for st in plan.backward
            if st.gradient_of is None
            and not isinstance(st.expr, (sp.MatrixSymbol, Transpose))
            and st.target not in viewed
        }
        self.later_reads: dict[str, frozenset[str]] = {}
        seen: frozenset[str] = frozenset()
        for st in reversed(plan.backward):
            self.later_reads[st.target] = seen
            seen = seen | matrices(st.expr)
        return super().backward()

    def backward_statement(self, s: ModelBackward) -> list[str]:
        product = self.two_factor_product(s)
        if product:
            return product
        copied = self.own_copy(s)
        if copied:
            return copied
        dead = self.dead_factor(s)
        if dead is not None:
            rest = [f for f in s.expr.args if f is not dead]
            factor = rest[0] if len(rest) == 1 else HadamardProduct(*rest)
            note = f"{show_dims(s.shape)}, in place: {dead.name} is not read again"
            # a bool mask multiplies into the floating-point adjoint as it is: no conversion
            mask = isinstance(factor, Elementwise) and factor in mask_factors([dead, factor])
            code = self.printer.mask_code(factor) if mask else self.code(factor)
            return fitted(f"{dead.name} *= {code}", note) + [f"    {s.target} = {dead.name}"]
        return self.assign(s.target, s.expr, s.shape)

    def dead_factor(self, s: ModelBackward) -> Any:
        """An adjoint factor of the element-wise product ``s`` that no later statement reads
        and that has the product's shape: it can take the product in place."""
        if not isinstance(s.expr, HadamardProduct):
            return None
        later = self.later_reads[s.target]
        for factor in s.expr.args:
            if (
                isinstance(factor, sp.MatrixSymbol)
                and factor.name in self.adjoints
                and factor.name not in later
                and self.shapes[factor.name] == tuple(s.shape)
                and sum(1 for f in s.expr.args if f == factor) == 1
            ):
                return factor
        return None


def _fusable_products(plan: ModelPlan) -> frozenset[str]:
    """Matrix products read once, as the first term (coefficient 1, same shape) of a sum that
    follows, and not cached: the sum's array takes the product (``Z = W X``, ``Z += b``)."""
    readers: dict[str, int] = {}
    for s in plan.forward:
        for arg in s.args:
            readers[arg] = readers.get(arg, 0) + 1
    products = {s.target: s for s in plan.forward if s.kind is Kind.MATMUL}
    out = set()
    for s in plan.forward:
        if s.kind is not Kind.LINEAR or not s.args or s.args[0] not in products:
            continue
        first = s.args[0]
        if (
            readers[first] == 1
            and first not in plan.cache
            and s.record.coefficients[0] == 1
            and products[first].shape == s.shape
            and first not in s.args[1:]
        ):
            out.add(first)
    return frozenset(out)


__all__ = ["emit_model"]
