"""The torch emitter for a model: its lowering plan becomes a readable PyTorch module.

The module has the NumPy model module's contract (DESIGN.md, "Models": ``SHAPES``, ``DATA``,
``DATA_SHAPES``, ``ADDED``, ``init_params``, ``forward(params, *data, work=None) -> (cost,
cache)``, ``backward(params, cache, work=None)``, ``loss_and_grads``) on torch tensors of any
dtype and device, every function under ``_no_grad`` (autograd and autocast off), plus
``BackpropCost`` (a ``torch.autograd.Function`` whose backward is the derived one),
``cost(params, *data)`` and the ``nn.Module`` ``Model``. Every forward group sits under the
model line it computes and every backward line under the step it is read off, as in the NumPy
module.

Values are 2-D tensors; a 1 x 1 value is a (1, 1) tensor whose entry ``s[0, 0]`` multiplies
like a number. Where the printed expression is smaller than its value (a constant, a number
times ``1_n``) it is filled to its shape, with the parameters' dtype and device. bce of a
sigmoid and ce of a softmax are computed from the logits with the loss record's torch code.
The layout is :class:`~symbackprop.lowering.model_emitter.ModelEmitter`'s, shared with the
NumPy and JAX emitters; this module holds torch's spelling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from sympy.matrices.expressions.matexpr import MatrixElement

from symbackprop.core.graph import Kind
from symbackprop.lowering.array_printer import ATOM
from symbackprop.lowering.model_emitter import (
    BACKWARD,
    EDIT,
    PARAMS_NOTE,
    ModelEmitter,
    Shape,
    function,
)
from symbackprop.lowering.provenance import show_dims
from symbackprop.lowering.python_text import comment, fitted, line
from symbackprop.lowering.torch.emitter import no_grad_note
from symbackprop.lowering.torch.model_template import (
    ADJUGATE_HELPER,
    LOGDET_HELPER,
    NORM2_HELPER,
    check_helpers_text,
    init_params_text,
)
from symbackprop.lowering.torch.printer import TorchPrinter
from symbackprop.lowering.torch.template import (
    AUTOGRAD,
    INIT_SIGNATURE,
    INIT_SIGNATURE_PER_EXAMPLE,
    LOG_SOFTMAX_HELPER,
    NO_GRAD_HELPER,
    SAME_DTYPE_HELPER,
)

if TYPE_CHECKING:
    from symbackprop.lowering.model_plan import ModelForward, ModelPlan


def emit_model(plan: ModelPlan) -> str:
    """The torch module for a model's ``plan``, as source text."""
    return _ModelModule(plan).module()


class _ModelModule(ModelEmitter[TorchPrinter]):
    """The shared layout in torch's spelling, under ``_no_grad``, with the cost as a
    ``torch.autograd.Function`` and an ``nn.Module`` after ``loss_and_grads``."""

    BACKEND = "torch"
    KEEPS_ARRAYS = False  # fresh tensors on every call: work is accepted and ignored
    NS = "torch"
    NAMED = ", in PyTorch"
    COLUMN_SUMS = "{y}.sum(0, keepdim=True)"
    NOUN = "tensor"
    IMPORTS: ClassVar[list[str]] = ["import numpy as np", "import torch"]
    DATA_NOTE = "the data tensors after params"
    ADDED_NOTE = "parameters only ever added: they start at 0"
    COPY = ".clone()"
    COMPUTE_DECORATOR = "_no_grad"
    DTYPE_CHECK = "_same_dtype"
    GRADIENTS = "its gradients (tensors)"
    WORK_NOTE = ("", "    ``work`` is accepted for the common signature and ignored.")
    HELPERS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("log_softmax", LOG_SOFTMAX_HELPER),
        ("logdet", LOGDET_HELPER),
        ("norm2", NORM2_HELPER),
        ("_adjugate_t", ADJUGATE_HELPER),
    )

    def init_text(self, per_example: bool) -> str:
        return init_params_text(per_example)

    def check_text(self, per_example: bool) -> str:
        return check_helpers_text(per_example)

    def __init__(self, plan: ModelPlan) -> None:
        super().__init__(plan, TorchPrinter(plan.activations, guards=plan.guards))

    def reduction(self, kind: Kind, arg: str) -> str | None:
        if kind is Kind.TOTAL:
            return f"{arg}.sum().reshape(1, 1)"
        if kind is Kind.ROWSUM:
            return f"{arg}.sum(dim=1, keepdim=True)"
        return super().reduction(kind, arg)

    def softmax(self, arg: str) -> str:
        return self.printer.activation_code("softmax", arg)

    def summed(self, per_entry: str, mean: str) -> str:
        return f"(({per_entry}).sum(){mean}).reshape(1, 1)"

    def from_logits(self, s: ModelForward, code: str, mean: str) -> list[str]:
        out = comment(f"{s.record.name} of {s.record.logits_with}({s.logits}) from the logits")
        out += fitted(f"{s.target} = {code}")
        scaled = f"({s.target} / m)" if mean else s.target
        return out + line(f"{s.target} = {scaled}.reshape(1, 1)", "(1, 1)")

    def filled(self, expr: Any, text: str, shape: Shape) -> str:
        # a tensor, or a number read from one (s[0, 0], a 0-d tensor: torch.full refused it
        # where s requires grad, in BackpropCost's backward: hostile38a #4)
        if self.printed_shape(expr) is not None or expr.atoms(MatrixElement):
            tensor = text if isinstance(expr, MatrixElement) else self.printer.paren(expr, ATOM)
            return f"{tensor}.expand{show_dims(shape)}.clone()"
        # printed as a number (1.0, 1 / m; x^0 is 1.0 though it names x: hostile27 #2): the
        # parameters' dtype and device
        return f"torch.full({show_dims(shape)}, {text}{self.printer.dtype_argument()})"

    def about(self) -> list[str]:
        return [
            EDIT,
            "",
            no_grad_note(),
            "",
            "BackpropCost is a torch.autograd.Function whose backward is the derived one, cost() "
            "applies it and Model is a torch.nn.Module holding the parameters: loss = "
            "Model()(*data); loss.backward() fills each parameter's .grad. The model's "
            "equations:",
        ]

    def forward_head(self) -> list[str]:
        args = self.data_args().rstrip(", ")
        return function(
            f"_forward(params, {args})".replace("(params, )", "(params)"),
            "J as a (1, 1) tensor and the cache: exactly what backward reads.",
            decorator="_no_grad",
        )

    def forward_tail(self) -> list[str]:
        args = self.data_args()
        return [
            f"    return {self.plan.cost}, cache",
            *function(
                f"forward(params, {args}*, work=None)",
                "The cost J (a float) and the cache: exactly what backward reads (``work`` is "
                "ignored).",
            ),
            f"    J, cache = _forward(params, {args.rstrip(', ')})".replace(", )", ")"),
            "    return float(J[0, 0]), cache",
        ]

    def backward_head(self) -> list[str]:
        return function(
            "backward(params, cache, work=None)",
            BACKWARD,
            [*PARAMS_NOTE, *self.sums_note()],
        )

    def typed(self, on: bool) -> None:
        super().typed(on)
        self.printer.device = "device" if on else None

    def dtype_lines(self, first: str, why: str = "") -> list[str]:
        p = f'params["{first}"]'
        return [f"    dtype, device = {p}.dtype, {p}.device" + (f"  # {why}" if why else "")]

    def support(self) -> list[str]:
        return ["", *SAME_DTYPE_HELPER.splitlines(), "", *NO_GRAD_HELPER.splitlines()]

    def closing(self) -> list[str]:
        return self.autograd()

    def autograd(self) -> list[str]:
        batch = self.plan.batch  # the cache holds m, a number: kept on ctx, not saved
        forward = [
            "        data, values = tensors[: len(DATA)], tensors[len(DATA) :]",
            "        params = dict(zip(SHAPES, values, strict=True))",
            "        J, cache = _forward(params, *data)",
            *(['        ctx.m = cache.pop("m")'] if batch else []),
            "        ctx.cached = tuple(cache)  # its names; its tensors are saved",
            "        ctx.save_for_backward(*values, *cache.values())",
            "        return J.reshape(())",
        ]
        backward = [
            "        tensors = ctx.saved_tensors",
            "        params = dict(zip(SHAPES, tensors[: len(SHAPES)], strict=True))",
            "        cache = dict(zip(ctx.cached, tensors[len(SHAPES) :], strict=True))",
            *(['        cache["m"] = ctx.m'] if batch else []),
            "        grads = _backward(params, cache, None)",
        ]
        text = AUTOGRAD.format(
            # BackpropCost runs the unchecked forward: a missing tensor was a zip() or KeyError
            # from inside it (hostile42a #2); the module's checks name it in one line
            checked="    _check(params, data)  # one line naming a tensor that does not fit",
            data="*data",
            signature="ctx, *tensors",  # the data, then the parameters: split by DATA's length
            forward="\n".join(forward),
            backward="\n".join(backward),
            nones="*(None for _ in DATA), ",
            # a parameter with a column per example: sized by m, as init_params is
            init_signature=INIT_SIGNATURE_PER_EXAMPLE if self.plan.per_example else INIT_SIGNATURE,
            m_argument=", m=m" if self.plan.per_example else "",
            module="Model",
        )
        return ["", *text.splitlines()]


__all__ = ["emit_model"]
