"""The JAX emitter for models: a model's lowering plan becomes a readable module of pure
functions.

The module follows DESIGN.md ("Models") on JAX arrays: ``SHAPES``, ``DATA``, ``DATA_SHAPES``,
``ADDED``, ``init_params``, ``forward(params, *data, work=None) -> (J, cache)``,
``backward(params, cache, work=None)``, ``loss_and_grads(params, *data, work=None)``, plus
``cost(params, *data)``, a ``jax.custom_vjp`` whose backward is the derived one, and
``gradients(params, *data)``: forward then backward, jitted, with params and the gradients as
tuples in ``SHAPES`` order (the calling convention of ``jax.jit(jax.grad(f))``: a jitted call
flattens its arguments and rebuilds its result each time, and dicts there cost time). Every forward
group sits under the model line it computes and every backward line under the step it is read
off, as in the NumPy module; nothing is updated in place (``work`` is accepted and ignored).

Values are 2-D arrays; a 1 x 1 value is a (1, 1) array whose entry ``s[0, 0]`` multiplies like
a number, and J is returned as a 0-d array (``float(J)`` under no ``jit``). Where the printed
expression would be smaller than its value (a constant, a column over m columns), it is filled
to its shape with ``jnp.full``. bce of a sigmoid and ce of a softmax are the losses'
``logits_code["jax"]``, computed from the logits. The same plan gives the same bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from symbackprop.core.graph import Kind
from symbackprop.lowering.column_sums import JAX_ORDERED
from symbackprop.lowering.jax.model_template import (
    ADJUGATE_HELPER,
    CUSTOM_VJP,
    GRADIENTS,
    LOGDET_HELPER,
    NORM2_HELPER,
    check_helpers_text,
    init_params_text,
)
from symbackprop.lowering.jax.printer import JaxPrinter
from symbackprop.lowering.jax.template import LOG_SOFTMAX_HELPER
from symbackprop.lowering.model_emitter import (
    BACKWARD,
    EDIT,
    PARAMS_NOTE,
    ModelEmitter,
    function,
)
from symbackprop.lowering.python_text import fitted

if TYPE_CHECKING:
    from symbackprop.lowering.model_plan import ModelBackward, ModelPlan

#: the docstring lines of a function that takes ``work`` and ignores it
PURE = [
    "",
    "    Pure (JAX arrays are immutable): ``work`` is accepted for the common signature",
]


def emit_model(plan: ModelPlan) -> str:
    """The JAX module for a model's ``plan``, as source text."""
    return _JaxModelModule(plan).module()


class _JaxModelModule(ModelEmitter[JaxPrinter]):
    """The shared layout in JAX's spelling: pure functions (nothing copied, nothing updated in
    place), the cost as a ``jax.custom_vjp`` after ``loss_and_grads``."""

    BACKEND = "jax"
    KEEPS_ARRAYS = False  # pure functions: work is accepted and ignored
    NS = "jnp"
    NAMED = ", in JAX"
    COLUMN_SUMS = "{y}.sum(axis=0, keepdims=True)"
    ORDERED = JAX_ORDERED
    IMPORTS: ClassVar[list[str]] = [
        "import jax",
        "import jax.numpy as jnp",
        "import numpy as np  # init_params and the array types the entry checks refuse",
    ]
    COPY = None  # immutable arrays: a gradient may be a parameter itself
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
        super().__init__(plan, JaxPrinter(plan.activations, guards=plan.guards))

    def softmax(self, arg: str) -> str:
        return f"jax.nn.softmax({arg}, axis=0)"

    def read(self, value: str) -> str:
        # a model of @, .T and * alone called no jnp function: given NumPy arrays it computed
        # in NumPy, float64, and returned NumPy arrays (hostile45a #2); under jit a no-op
        return f"_as_jax({value})"

    def about(self) -> list[str]:
        return [
            f"{EDIT} Pure functions: jax.jit(loss_and_grads) works, and jax.grad(cost) runs the "
            "derived backward through a jax.custom_vjp. gradients(params, *data) is "
            "loss_and_grads' gradients without the cost, jitted, with params and the result as "
            "tuples in SHAPES order: the calling convention of jax.jit(jax.grad(f)), no dict on "
            f"each call.{self._logdet_note()} The model's equations:"
        ]

    def _logdet_note(self) -> str:
        """Where the model takes a logdet, its NaN, said where a reader of the module looks
        (a jitted function cannot raise on a value; the NumPy and torch modules raise)."""
        if not any(s.kind is Kind.LOGDET for s in self.plan.forward):
            return ""
        return (
            " J is NaN where a determinant under logdet is <= 0 (its log is not real), while the"
            " gradients, those of log|det|, stay finite: a jitted function cannot raise on a"
            " value, where the NumPy and torch modules raise ValueError. Check jnp.isfinite(J)."
        )

    SPLIT_BACKWARD = False  # checks of shapes only, run once when traced

    def m_read(self) -> list[str]:
        """m read off a cached array's shape, static under ``jax.jit(backward)``: the int
        forward stores in the cache is a traced value there, and the shape check comparing
        with it raised TracerBoolConversionError (hostile42a #1). The stored m where no
        cached array has m columns or rows."""
        for name in self.plan.cache:
            dims = self.plan.shapes[name]
            if "m" in dims:  # eagerly the stored int (a cache edited by hand is named by it)
                return fitted(
                    f'm = cache["m"] if isinstance(cache["m"], int) else '
                    f"{name}.shape[{dims.index('m')}]",
                    "a traced m under jit: the shape's",
                )
        return super().m_read()

    def forward_head(self) -> list[str]:
        return function(
            f"forward(params, {self.data_args()}*, work=None)",
            "The cost J (a 0-d array) and the cache: exactly what backward reads.",
            [*PURE, "    and ignored; the shape checks read only shapes, static under jit."],
        )

    def forward_tail(self) -> list[str]:
        return [f"    return {self.plan.cost}[0, 0], cache"]

    def backward_head(self) -> list[str]:
        return function(
            "backward(params, cache, work=None)",
            BACKWARD,
            [*PARAMS_NOTE, *PURE, "    and ignored.", *self.sums_note()],
        )

    def backward_statement(self, s: ModelBackward) -> list[str]:
        sums, s = self.kept_sums(s)
        return sums + self.assign(s.target, s.expr, s.shape)

    def loss_and_grads(self) -> list[str]:
        call = ", ".join(["params", *(d.code for d in self.plan.data)])
        return [
            *function(
                f"loss_and_grads(params, {self.data_args()}*, work=None)",
                "The cost J (a 0-d array) and its gradients, keyed like params; jit it whole:",
                [
                    "    ``jax.jit(loss_and_grads)``. ``work`` is accepted and ignored.",
                    *self.sums_note(),
                ],
            ),
            f"    J, cache = forward({call})",
            "    return J, backward(params, cache)",
        ]

    def closing(self) -> list[str]:
        return [
            *["", "", *GRADIENTS.strip("\n").splitlines()],
            *["", "", *CUSTOM_VJP.strip("\n").splitlines()],
        ]


__all__ = ["emit_model"]
