"""The JAX emitter for networks: a lowering plan becomes a readable module of pure functions.

The module follows the contract of DESIGN.md (``SHAPES``, ``L2``, ``DATA``, ``init_params``,
``forward``, ``backward``, ``loss_and_grads``) on JAX arrays, and adds ``cost(params, X,
Y)``, a ``jax.custom_vjp`` whose backward is the derived one, and ``gradients(params, X,
Y)``: forward then backward, jitted, with params and the gradients as tuples in ``SHAPES``
order, the calling convention of ``jax.jit(jax.grad(f))``, because a jitted call flattens its
arguments and rebuilds its result each time, and dicts there cost a small network ~10%.
Everything it computes is in the plan (:mod:`symbackprop.lowering.plan`); each expression is
printed by :class:`~symbackprop.lowering.jax.printer.JaxPrinter` under the sentences of
:class:`~symbackprop.lowering.provenance.Explainer` that name the derivation step it is read off.

JAX arrays are immutable, so nothing is updated in place and no workspace is used (``work`` is
accepted and ignored); ``jax.jit(loss_and_grads)`` works because the shape checks on entry
compare ``.shape`` tuples, which are static under ``jit``. A product too long for one line is
built factor by factor (``dZ1 = W2.T @ dZ2``, then ``dZ1 = dZ1 * ...``), each a new array.

Stable numerics: the activations are the records' JAX code (``jax.nn.sigmoid``,
``jnp.logaddexp``), and BCE with a sigmoid output and cross-entropy with a softmax output are
the losses' ``logits_code["jax"]``, computed from the logits: finite for |z| up to 1e3.
The same plan gives the same bytes; lines stay within 99 characters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sympy import HadamardProduct

from symbackprop.lowering.array_printer import MUL
from symbackprop.lowering.column_sums import JAX_ORDERED
from symbackprop.lowering.half_cost import cast_back, in_float32
from symbackprop.lowering.jax.printer import JaxPrinter
from symbackprop.lowering.jax.template import (
    AS_JAX_HELPER,
    CUSTOM_VJP,
    GRADIENTS,
    INIT_PARAMS,
    INVALID_HELPER,
    LOG_SOFTMAX_HELPER,
    STDS,
)
from symbackprop.lowering.model_template import WORK_HELPER, work_check
from symbackprop.lowering.network_emitter import NetworkEmitter
from symbackprop.lowering.provenance import show_dims
from symbackprop.lowering.provenance import text as plain_text
from symbackprop.lowering.python_text import (
    INDENT,
    LINE,
    comment,
    fitted,
    line,
)
from symbackprop.records import scalars

if TYPE_CHECKING:
    from symbackprop.lowering.plan import ForwardLayer, LoweringPlan

#: the docstring lines every function with a ``work`` argument carries
PURE = (
    "    Pure (JAX arrays are immutable): ``work`` is accepted for the common signature and",
    "    ignored.",
)


def emit(plan: LoweringPlan) -> str:
    """The JAX module for ``plan``, as source text."""
    return _JaxModule(plan).module()


class _JaxModule(NetworkEmitter[JaxPrinter]):
    """Writes the module text for one plan."""

    SQUARED_NORM = "jnp.vdot(W, W)"

    NAMED = " in JAX"
    IMPORTS = (
        "import jax",
        "import jax.numpy as jnp",
        "import numpy as np  # init_params and the array types the entry checks refuse",
    )
    SAME = "=="
    CACHE_DTYPES = False
    M_LIMIT = True
    FORWARD_ENTRY = (
        "    try:  # shapes and dtypes on entry: tuple and dtype compares (static under jit)",
        "        m = X.shape[1]  # the number of examples",
        "        # m over 65504 goes to _invalid, which refuses it in float16 only",
        "        ok = X.shape == ({n0}, m) and 0 < m <= 65504",
        "        dtype = X.dtype  # every array has X's: mixed, the gradients' would differ",
        "        # floating-point: kind f, or bfloat16 (ml_dtypes' kind V; issubdtype is slower)",
        '        ok = ok and (dtype.kind == "f" or jnp.issubdtype(dtype, jnp.floating))',
        "        ok = ok and dtype.itemsize <= 8  # JAX has no float128 (NumPy's longdouble)",
        "        ok = ok and (dtype.itemsize > 1 or not _no_infinity(dtype))  # float8_e4m3fn",
        "        ok = ok and dtype.isnative  # nor another byte order (a NumPy >f8)",
        "        ok = ok and not isinstance(X, _MASKED)  # its mask would be ignored",
    )
    NOT_REFUSED = "not isinstance({a}, _MASKED)"
    FORWARD_WORK = PURE
    BACKWARD_WORK = (
        "    ``params`` must hold what forward was given (the cache was computed from them).",
        "    Reads the forward cache and never recomputes what it holds.",
        *PURE,
    )
    COLUMN_SUMS = "{y}.sum(axis=0, keepdims=True)"
    ORDERED = JAX_ORDERED
    BACKWARD_TRY = "shapes on entry: tuple compares only (static under jit)"
    RELEASES = False  # JAX arrays are immutable: nothing is written into a dead delta's

    def forward_reads(self) -> list[str]:
        # NumPy arrays in: a network of products and sums alone (identity layers and mse)
        # called no jnp function, computed in NumPy and returned NumPy arrays (hostile45a
        # #2, as a model's); under jit each read is a no-op
        x = self.plan.data[0]
        pairs = [(layer.weight.name, layer.bias.name) for layer in self.plan.forward]
        return [
            "    # JAX arrays from here on, whatever array type was given",
            f"    {x} = _as_jax({x})",
            *(f"    {w}, {b} = _as_jax({w}), _as_jax({b})" for w, b in pairs),
        ]

    def __init__(self, plan: LoweringPlan) -> None:
        super().__init__(plan, JaxPrinter(plan.activations, guards=plan.guards))
        #: whether the cost calls the module's ``log_softmax`` (a softmax output's ce)
        self.log_softmax = False

    def assign(self, target: str, expr: Any, shape: str) -> list[str]:
        """``target = expr``; an element-wise product too long for a line, factor by factor."""
        one = line(f"{target} = {self.code(expr)}", shape)
        if len(one[-1]) <= LINE:
            return one
        if not isinstance(expr, HadamardProduct):
            return fitted(f"{target} = {self.code(expr)}", shape)
        first, *rest = expr.args
        out = line(f"{target} = {self.printer.paren(first, MUL)}", shape)
        for factor in rest:
            text = self.printer.factor_code(factor, MUL, mask=True)  # beside the float target
            out += wrapped(f"{target} = {target} * ", text, shape)
        return out

    # -- sections (the shared ones: NetworkEmitter) ----------------------------------------
    def about(self) -> list[str]:
        return [
            "",
            "Pure functions: jax.jit(loss_and_grads) works, and jax.grad(cost) runs the derived "
            "backward through a jax.custom_vjp. gradients(params, X, Y) is loss_and_grads' "
            "gradients without the cost, jitted, with params and the result as tuples in SHAPES "
            "order: the calling convention of jax.jit(jax.grad(f)), no dict on each call.",
        ]

    def forward_layer(self, layer: ForwardLayer) -> list[str]:
        act = layer.activation
        z, a, b = layer.linear.target, layer.output.target, layer.bias.name
        w, inp = layer.weight.name, layer.input.name
        shape = show_dims(layer.linear.shape)
        linear = plain_text(layer.linear.expr)  # W1 X + b1 1_m^T
        lines = comment(f"layer {layer.layer}: {z} = {linear}, {a} = {act.name}({z})")
        lines += line(f"{z} = {w} @ {inp} + {b}", f"{shape}: {b} broadcasts over the m columns")
        if act.elementwise:
            code = self.printer.activation_code(act.name, z)
        else:  # softmax, per column (jax.nn.softmax shifts by the column max)
            code = self.code(layer.output.expr)
        return lines + fitted(f"{a} = {code}", shape)

    def cost(self) -> list[str]:
        cost = self.plan.cost
        z, a, y = cost.logits, cost.output, self.plan.data[1]
        loss = cost.loss
        read = z if cost.from_logits else a
        y_shape = show_dims(self.plan.data_shapes[y])
        out = [
            "",
            "",
            "def _cost(params, cache, Y):",
            '    """J (a 0-d array) from the forward cache and the targets Y."""',
        ]
        out += line(f'{read} = cache["{read}"]', show_dims(cost.shape))
        out += line(f"m = {read}.shape[1]", "the number of examples")
        out += [
            f'    if getattr(Y, "shape", None) != {y_shape} or Y.dtype != cache["X"].dtype:',
            '        _invalid(params, cache["X"], Y)',
            "    if isinstance(Y, _MASKED):  # its mask would be ignored: _invalid names it",
            '        _invalid(params, cache["X"], Y)',
        ]
        # the loss's own names: the cast back reads the cache's dtype (X is NumPy's float64
        # beside JAX's float32 with x64 off, and astype(float64) warned there)
        z_, a_, y_ = "_z", "_a", "_y"
        out += in_float32(self.printer, [read, y], [z_ if cost.from_logits else a_, y_])
        if cost.from_logits:
            out += comment(
                f"{loss.description} from the logits {z}: finite for any z, with no overflow "
                "and no log(0)"
            )
            total = loss.logits_code["jax"].replace("{z}", z_).replace("{y}", y_)
            self.log_softmax = "log_softmax" in loss.helpers  # the loss calls the helper
        else:
            per_unit = self.printer.scalar_code(loss.formula, {scalars.a: a_, scalars.y: y_})
            out += comment(f"{loss.description}, summed over units and examples")
            total = f"({per_unit}).sum()"
        out += [f"    total = {total}", "    J = total / m  # the mean over the m examples"]
        out += self.l2_cost("J")
        out += fitted(f"return {cast_back(self.printer, 'J', read)}", "float32 back to float16")
        return out

    def loss_and_grads(self) -> list[str]:
        return [
            "",
            "",
            "def loss_and_grads(params, X, Y, work=None):",
            '    """The cost J (a 0-d array; float(J) is the number) and its gradients, keyed '
            "like params.",
            "",
            "    Jit it whole: ``jax.jit(loss_and_grads)``.",
            *PURE,
            *self.sums_note(),
            '    """',
            *work_check("loss_and_grads(params, X, Y, work=None)"),
            "    _, cache = forward(params, X)",
            "    return _cost(params, cache, Y), backward(params, cache, Y)",
        ]

    def module(self) -> str:
        lines = self.header()
        lines += ["", *STDS.splitlines(), "", *INIT_PARAMS.splitlines()]
        lines += ["", *INVALID_HELPER.splitlines(), "", *WORK_HELPER.splitlines()]
        lines += ["", *AS_JAX_HELPER.splitlines()]
        code = self.forward() + self.backward() + self.cost() + self.loss_and_grads()
        lines += ["", *LOG_SOFTMAX_HELPER.splitlines()] if self.log_softmax else []
        lines += code
        lines += ["", "", *GRADIENTS.strip("\n").splitlines()]
        lines += ["", "", *CUSTOM_VJP.strip("\n").splitlines()]
        return "\n".join(lines) + "\n"


def wrapped(head: str, operand: str, shape: str) -> list[str]:
    """``head + operand`` as one statement; past the line limit, a parenthesized operand is
    laid out as ``ruff format`` lays it out: its content on the lines below the opening
    parenthesis, split before each top-level ``+``/``-`` when it does not fit on one."""
    one = line(head + operand, shape)
    if len(one[-1]) <= LINE or not (operand.startswith("(") and operand.endswith(")")):
        return one
    inner, indent = operand[1:-1], INDENT * 2
    if len(indent + inner) <= LINE:
        terms = [inner]
    else:
        terms, depth, start = [], 0, 0
        for index, char in enumerate(inner):
            depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
            if depth == 0 and inner[index : index + 3] in (" + ", " - "):
                terms.append(inner[start:index])
                start = index + 1  # the next term starts with its operator
        terms.append(inner[start:])
    if any(len(indent + term) > LINE for term in terms):
        return fitted(head + operand, shape)  # a term still too long: split further
    return [
        *comment(shape),
        f"{INDENT}{head}(",
        *(indent + term for term in terms),
        f"{INDENT})",
    ]
