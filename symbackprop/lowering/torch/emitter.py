"""The torch emitter: a lowering plan becomes a self-contained, readable PyTorch module.

The module has the NumPy module's contract (DESIGN.md: ``SHAPES``, ``L2``, ``DEPTH``,
``DATA``, ``init_params``, ``forward``, ``backward``, ``loss_and_grads``) on torch tensors of
any dtype and device, every function under ``_no_grad`` (autograd and autocast off), plus the
autograd glue of
:mod:`symbackprop.lowering.torch.template` (``BackpropCost``, ``cost``, ``Net``). What it
computes is the plan's (:mod:`symbackprop.lowering.plan`); what is torch's is decided here:

* each expression is printed by :class:`~symbackprop.lowering.torch.printer.TorchPrinter`
  under the same provenance sentences as the NumPy module (``[step k]``);
* ``Z = W A + b 1_m^T`` is one ``torch.addmm``; an activation whose pre-activation is not
  cached is applied in place (``torch.sigmoid_``); a delta is built in place as in the NumPy
  module (``dZ2 = torch.mm(W3.mT, dZ3, ...)``, then scaled by the activation's derivative);
  a transpose is a strided view (``.mT``) that the GEMM reads as it is (no copy, no
  ``contiguous``);
* relu's, tanh's and sigmoid's derivative factors are one in-place kernel each, the one
  torch's autograd runs (:mod:`symbackprop.lowering.torch.factors`:
  ``threshold_backward``, ``tanh_backward``, ``sigmoid_backward`` written into the delta);
  ``db = dZ 1_m`` is a matrix-vector product with a column of ones (``ones_m``, made once per
  m, dtype and device by ``_ones_column``), which torch runs on one thread where a sum over
  the columns opens a parallel region; the 1/m of the mean is skipped at m = 1;
* every function is wrapped by the module's ``_no_grad`` (``torch.no_grad()`` without its
  per-call context manager object; torch.autocast off in an autocast region) and scales in
  place by floats (``dW1 *= 2.0``), the mean's 1/m by m as a 0-d tensor of the tensors' dtype,
  made once per m, dtype and device (``dZ3 /= _batch_size(X)``: a Python float costs float32
  two scalar tensors per call);
* every product, difference and row sum is written ``out=out.get("dW1")``: ``out`` is ``{}``
  without a workspace (``out=None``, a fresh tensor), else the dict of tensors that
  ``_workspace`` keeps in the caller's ``work``, made once per m, dtype and device, a dead
  delta's tensor holding a later product of its shape (as the NumPy module's arrays). With a
  workspace a network's gradient allocates no tensor memory (the softmax output goes
  ``out=`` too), and the returned cache and gradients live in ``work`` until the next call
  (the NumPy module's contract);
* the cost comes from the loss record's torch code (``Loss.logits_code["torch"]``: BCE with
  logits, log-softmax) when it is computed from the logits: finite for |z| up to 1e3.

The output is deterministic, every line is within 99 characters, and it passes ruff.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import sympy as sp
from sympy import Transpose

from symbackprop.lowering import names
from symbackprop.lowering.array_printer import MUL, float_literal, mask_factors
from symbackprop.lowering.column_sums import sums_name
from symbackprop.lowering.half_cost import cast_back, in_float32
from symbackprop.lowering.model_template import LATEST_CACHE_HELPER, WORK_HELPER, work_check
from symbackprop.lowering.network_emitter import InPlaceEmitter
from symbackprop.lowering.network_template import STDS
from symbackprop.lowering.provenance import show_dims
from symbackprop.lowering.provenance import text as plain_text
from symbackprop.lowering.python_text import (
    INDENT,
    comment,
    conjunction,
    fitted,
    line,
)
from symbackprop.lowering.torch.factors import factor_code, in_place, kernel_lines
from symbackprop.lowering.torch.printer import TorchPrinter
from symbackprop.lowering.torch.template import (
    AUTOGRAD,
    BATCH_SIZE_HELPER,
    INIT_PARAMS,
    INIT_SIGNATURE,
    INVALID_HELPER,
    LOG_SOFTMAX_HELPER,
    NO_GRAD_HELPER,
    ONES_HELPER,
    SAME_DTYPE_HELPER,
    WORKSPACE_DOC,
)
from symbackprop.records import scalars

if TYPE_CHECKING:
    from symbackprop.lowering.plan import ForwardLayer, LoweringPlan

#: an activation's torch code -> its in-place form (the pre-activation's memory reused)
IN_PLACE = {
    f"torch.{name}({{z}})": f"torch.{name}_({{z}})" for name in ("sigmoid", "tanh", "relu", "exp")
}
#: an activation's torch code -> its form that writes into ``out=`` (a workspace tensor)
INTO = {
    f"torch.{name}({{z}})": f"torch.{name}({{z}}, out={{out}})"
    for name in ("sigmoid", "tanh", "exp")
} | {"torch.softmax({z}, dim=0)": "torch.softmax({z}, dim=0, out={out})"}


def float_scalar(value: Any, printer: TorchPrinter) -> str:
    """The scalar ``value`` printed as a Python float: ``float(m)``, ``2.0``. Scaling a tensor
    in place by an int costs torch one more kernel than by a float (it wraps the int in an
    int64 tensor and converts that to the tensor's dtype first); the result is the same."""
    if value.is_Number:
        return float_literal(value)
    code = printer.paren(value, MUL)
    return f"float({code})" if value.is_integer else code


def emit(plan: LoweringPlan) -> str:
    """The torch module for ``plan``, as source text."""
    return _TorchModule(plan).module()


def no_grad_note() -> str:
    """The docstring sentence a model's torch module carries about dtype, device and ``work``."""
    return (
        "Tensors of any floating-point dtype torch computes in, on any device: every tensor "
        "the functions make follows their "
        "inputs, and every function runs under torch.no_grad() (the gradients are the derived "
        "ones, not autograd's) and without torch.autocast (switched off inside an autocast "
        "region). ``work=`` is accepted for the NumPy module's signature and ignored: each call "
        "makes fresh tensors (on a GPU torch's caching allocator reuses their memory; on the "
        "CPU it does not)."
    )


def workspace_note() -> str:
    """The docstring sentence a network's torch module carries about dtype, device and
    ``work`` (the NumPy module's contract)."""
    return (
        "Tensors of any floating-point dtype torch computes in, on any device: every tensor "
        "the functions make follows their "
        "inputs, and every function runs under torch.no_grad() (the gradients are the derived "
        "ones, not autograd's) and without torch.autocast (switched off inside an autocast "
        "region). With a workspace dict ``work`` (pass the same one on every call of a "
        "training loop) the products are written into tensors made once per m, dtype and "
        "device (``out=``): the returned cache and gradients then live in ``work`` until the "
        "next call with it. Without one (``work=None``) every call makes fresh tensors, as "
        "BackpropCost, cost() and Net do."
    )


class _TorchModule(InPlaceEmitter[TorchPrinter]):
    """Writes the module text for one plan."""

    NAMED = " in PyTorch"
    IMPORTS = ("import numpy as np", "import torch")
    NOUN = "tensors"
    DECORATOR = "_no_grad"
    FORWARD_ENTRY = (
        "    try:  # shapes and dtypes on entry: compares only; _invalid says what is wrong",
        "        m = X.shape[1]  # the number of examples",
        "        ok = X.shape == ({n0}, m) and m > 0",
        "        ok = ok and X.dtype in _FLOATS  # floating-point (a NumPy dtype is none of them)",
        "        dtype = X.dtype  # every tensor has it: one floating-point dtype",
    )
    SAME_DEVICE: ClassVar[str] = "{a}.device == X.device"
    FORWARD_WORK = ("    With a workspace dict ``work``, the tensors are reused across calls.",)
    BACKWARD_WORK = (
        "    ``params`` must hold what forward was given (update the parameters after backward:",
        "    the cache was computed from them). Reads the forward cache and never recomputes",
        "    what it holds; with a workspace dict ``work`` the products go into tensors reused",
        "    across calls.",
    )
    BACKWARD_TRY = "shapes and dtypes on entry: compares only; _invalid says what is wrong"
    ZERO_DTYPE = "dtype"
    COLUMN_SUMS = "{y}.sum(0, keepdim=True)"

    def __init__(self, plan: LoweringPlan) -> None:
        super().__init__(plan, TorchPrinter(plan.activations, guards=plan.guards))
        #: whether backward divides by m (``_batch_size``, printed only then)
        self.batch_size = False
        #: whether the cost calls the module's ``log_softmax`` (a softmax output's ce)
        self.log_softmax = False

    # -- in-place lowering of one expression (the shared part: InPlaceEmitter.assign) ------
    def elementwise_product(self, target: str, factors: list[Any], shape: str) -> list[str]:
        """``target = f1 * f2 * ...``: from a fresh factor's tensor when there is one, an
        activation's derivative factor as torch's own one-pass kernel where it has one."""
        printer = self.printer
        base = next((f for f in factors if self.fresh(f)), None)
        if (
            base is None
            and len(factors) == 2
            and all(isinstance(f, sp.MatrixSymbol) for f in factors)
        ):  # two tensors (A3 ⊙ Y_sums, Y_sums broadcast over the rows): into the workspace
            home = self.planner.take(target, shape)
            x, y = (self.code(f) for f in factors)
            return line(f'{target} = torch.mul({x}, {y}, out=out.get("{home}"))', shape)
        if base is None:
            first, second, *rest = factors
            masks = mask_factors(factors)
            fused = factor_code(second, printer)
            printed = printer.factor_code(second, MUL, mask=second in masks, strict=True)
            code, note = fused or (printed, "")
            lines = line(
                f"{target} = {printer.factor_code(first, MUL, mask=first in masks)} * {code}",
                f"{shape}: {note}" if note else shape,
            )
        else:
            rest = [f for f in factors if f is not base]
            lines = self.assign(target, base, shape)
            kernels, rest = in_place(target, rest, printer)
            for code, note in kernels:
                lines += line(code, f"{shape}: {note}")
        for factor in rest:
            lines += self.multiply_by(target, factor, shape)
        return lines

    def scale(self, target: str, coeff: Any, shape: str) -> list[str]:
        """``target *= num``, ``target /= den`` by floats: torch makes an int factor a tensor
        of its own, then converts it. The batch's 1/m only when m > 1, as in the NumPy
        module: dividing by 1.0 changes no number and costs a kernel (and, in float32, two
        scalar tensors)."""
        lines = []
        num, den = sp.fraction(coeff)
        if num != 1:
            lines += line(f"{target} *= {float_scalar(num, self.printer)}", shape)
        if self.printer.paren(den, MUL, strict=True) == names.BATCH:  # the mean over the batch
            lines += line("if m > 1:", "one example is its own mean (x / 1.0 is x)")
            lines += line(f"{INDENT}{target} /= _batch_size(X)", f"{shape}: by m, a 0-d tensor")
            self.batch_size = True
        elif den != 1:
            lines += line(f"{target} /= {float_scalar(den, self.printer)}", shape)
        return lines

    def other_sum(self, target: str, terms: list[Any], shape: str) -> list[str] | None:
        """X - Y of two tensors, into the workspace; ``None`` for any other sum."""
        difference = self.difference(terms)
        if difference is None:
            return None
        home = self.planner.take(target, shape)
        x, y = difference
        return line(f'{target} = torch.sub({x}, {y}, out=out.get("{home}"))', shape)

    def difference(self, terms: list[Any]) -> tuple[str, str] | None:
        """``(X, Y)`` when ``terms`` are a tensor X and a tensor Y negated, else None."""
        if len(terms) != 2:
            return None
        negated = [self.printer._negated(term) for term in terms]
        for index in (0, 1):
            x, y = terms[index], negated[1 - index]
            if isinstance(x, sp.MatrixSymbol) and isinstance(y, sp.MatrixSymbol):
                return self.code(x), self.code(y)
        return None

    # -- products into the workspace's tensors (which tensor: the WorkspacePlanner) ------
    def product(self, target: str, left: Any, right: Any, shape: str) -> list[str]:
        """``target = left @ right`` as ``torch.mm`` into its workspace tensor (a transpose is
        a strided view that the GEMM reads as it is: no copy)."""
        first, second = (self.matrix(x) for x in (left, right))
        home = self.planner.take(target, shape)
        why = shape if home == target else f"{shape}: in {home}'s tensor, which is free again"
        return line(f'{target} = torch.mm({first}, {second}, out=out.get("{home}"))', why)

    def matrix(self, expr: Any) -> str:
        """A factor of a product: ``W3.mT`` for the transpose of a tensor (the same strided view
        as ``.T``, one dispatched operation where ``.T`` is three), else its printed form."""
        if isinstance(expr, Transpose) and isinstance(expr.arg, sp.MatrixSymbol):
            return f"{self.code(expr.arg)}.mT"
        return self.printer.paren(expr, MUL)

    def row_sums(self, target: str, matrix: Any, shape: str) -> list[str]:
        """``target = matrix 1_m``: a matrix-vector product with a column of ones, into its
        workspace tensor. On the CPU torch runs it on one thread, where ``sum(dim=1)`` opens a
        parallel region: one more wait for the other thread, which a busy machine makes long.
        The ones are the module's ``_ones_column``, made once per m, dtype and device, with
        or without a workspace: not one more allocation and kernel per call."""
        lines = []
        if self.planner.first_ones():
            lines += line(
                "ones_m = _ones_column(X)",
                "the 1_m of db, (m, 1): read only",
            )
        home = self.planner.take(target, shape)
        matrix_code = self.printer.paren(matrix, MUL)
        code = f'torch.mm({matrix_code}, ones_m, out=out.get("{home}"))'
        return lines + line(f"{target} = {code}", shape)

    def column_sums(self, target: str) -> str:
        """``torch.sum`` over the rows into the workspace's (1, m) tensor (none allocated
        per call with a workspace)."""
        home = self.planner.take(sums_name(target), "(1, m)")
        return f'torch.sum({target}, 0, keepdim=True, out=out.get("{home}"))'

    def workspace(self) -> list[str]:
        """The line that picks the current function's tensors: fresh ones (``out=None``) or
        the caller's workspace."""
        return line(
            f'out = {{}} if work is None else _workspace(work, "{self.planner.key}", X)',
            "the products' tensors, fresh (None) or the workspace's",
        )

    def workspace_helper(self) -> list[str]:
        """``_workspace``: this module's tensors, made once per m, dtype and device."""
        out = ["", "", "def _workspace(work, part, X):", f'    """{WORKSPACE_DOC[0]}']
        out += [f"    {text}" if text else "" for text in WORKSPACE_DOC[1:]]
        out += [
            '    """',
            "    key = (X.shape[1], X.dtype, X.device)  # m, and what every tensor has",
            "    if torch.is_inference_mode_enabled():  # inference tensors: written only there",
            '        part = f"{part} inference"',
            "    made = work.get(part)",
            "    if made is None or made[0] != key:",
            "        m = X.shape[1]",
        ]
        out += self.planner.shapes()
        out += [
            "        # each tensor is written before it is read",
            "        tensors = {",
            "            name: torch.ones(shape, dtype=X.dtype, device=X.device)",
            "            for name, shape in shapes.items()",
            "        }",
            "        made = work[part] = (key, tensors)",
            "    return made[1]",
        ]
        return out

    def multiply_by(self, target: str, factor: Any, shape: str) -> list[str]:
        """``target *= factor``, an activation's derivative in its one-pass torch spelling
        where it has one (:mod:`symbackprop.lowering.torch.factors`)."""
        fused = factor_code(factor, self.printer)
        if fused is None:
            return fitted(f"{target} *= {self.printer.factor_code(factor, 0, mask=True)}", shape)
        code, note = fused
        return fitted(f"{target} *= {code}", f"{shape}: {note}")

    # -- sections (the shared ones: NetworkEmitter) ----------------------------------------
    def about(self) -> list[str]:
        return [
            "",
            workspace_note(),
            "",
            "BackpropCost is a torch.autograd.Function whose backward is the derived one, cost() "
            "applies it and Net is a torch.nn.Module holding the parameters: loss = "
            "Net()(X, Y); loss.backward() fills each parameter's .grad.",
        ]

    def forward_layers(self) -> list[str]:
        """The layers after the line that picks their tensors."""
        self.planner.begin("forward")
        return self.workspace() + super().forward_layers()

    def forward_layer(self, layer: ForwardLayer) -> list[str]:
        act = layer.activation
        z, a, b = layer.linear.target, layer.output.target, layer.bias.name
        w, x = layer.weight.name, layer.input.name
        shape = show_dims(layer.linear.shape)
        keep_z = z in self.cached
        linear = plain_text(layer.linear.expr)  # W1 X + b1 1_m^T
        lines = comment(f"layer {layer.layer}: {z} = {linear}, {a} = {act.name}({z})")
        home = self.planner.take(z, shape)
        lines += line(
            f'{z} = torch.addmm({b}, {w}, {x}, out=out.get("{home}"))',
            f"{shape}: {b} broadcasts over the m columns",
        )
        if act.is_identity:
            return lines + line(f"{a} = {z}", f"{shape}: identity")
        code = self.printer.activation_code(act.name, z)
        if not keep_z and act.torch in IN_PLACE:
            in_place = IN_PLACE[act.torch].replace("{z}", z)
            note = f"{shape}; {z} is not cached, {a} takes over its memory"
            return lines + line(f"{a} = {in_place}", note)
        if act.torch in INTO:  # Z stays cached: A goes into a workspace tensor of its own
            into = INTO[act.torch].format(z=z, out=f'out.get("{self.planner.take(a, shape)}")')
            return lines + fitted(f"{a} = {into}", shape)
        return lines + fitted(f"{a} = {code}", shape)

    def backward_checks(self) -> list[str]:
        """Y's, the weights' and the cached tensors' shapes, then every dtype against X's."""
        plan = self.plan
        weights = plan.backward_parameters
        weight_shapes = {p.name: show_dims(p.shape) for p in plan.parameters}
        out = line("    dtype = X.dtype", "forward checked it; every tensor has it")
        # the cache's other tensors in forward's shapes (not so in a cache edited by hand)
        cached = [name for name in plan.backward_reads if name != plan.data[0]]
        checks = [f"Y.shape == {show_dims(plan.data_shapes[plan.data[1]])}"]
        checks += [f"{name}.shape == {weight_shapes[name]}" for name in weights]
        checks += [f"{name}.shape == {show_dims(self.shapes[name])}" for name in cached]
        checks += self.cached_x_shape()
        out += conjunction("ok", checks, INDENT * 2)
        dtypes = [f"{name}.dtype is dtype" for name in ("Y", *weights, *cached)]
        # and Y on X's device: dW1 = dZ1 X^T of a meta cache['X'] computed from no data
        return out + conjunction("ok", ["ok", *dtypes, self.SAME_DEVICE.format(a="Y")], INDENT * 2)

    def keep_cache(self) -> list[str]:
        """The latest cache of each workspace set: one under torch.inference_mode() has tensors
        of its own (:meth:`workspace_helper`), and with one key for both a cache overwritten
        in the other set passed backward's check (review44 #4)."""
        key = self.latest_cache
        return [
            "    if work is not None:  # backward tells a cache a later forward wrote over",
            '        inference = " inference" if torch.is_inference_mode_enabled() else ""',
            f'        work["{key}" + inference] = cache',
        ]

    def cache_check(self, data: list[str]) -> list[str]:
        """A cache that shares tensors with either set's latest cache and is not it is refused
        (a cache of the other set shares none)."""
        key = self.latest_cache
        names = ", ".join(f'"{name}"' for name in data) + ("," if len(data) == 1 else "")
        return [
            "    if work is not None:  # each workspace set's latest cache",
            f'        for key in ("{key}", "{key} inference"):',
            "            if work.get(key, cache) is not cache:",
            f"                _latest_cache(cache, work[key], ({names}))",
        ]

    def backward_begins(self) -> list[str]:
        self.planner.begin("backward")
        self.printer.device = "X.device"
        return self.workspace()

    def cost(self) -> list[str]:
        cost = self.plan.cost
        z, a, y = cost.logits, cost.output, self.plan.data[1]
        loss = cost.loss
        name = z if cost.from_logits else a
        shape = show_dims(cost.shape)
        out = [
            "",
            "",
            "@_no_grad",
            "def cost_from_cache(params, cache, Y):",
            '    """The cost J, a 0-d tensor, from the forward cache and the targets Y."""',
        ]
        note = f"{shape}: the logits" if cost.from_logits else f"{shape}: the output"
        out += line(f'{name} = cache["{name}"]', note)
        out += line('X = cache["X"]', show_dims(self.plan.data_shapes[self.plan.data[0]]))
        out += line("m = X.shape[1]", "the number of examples")
        y_shape = show_dims(self.plan.data_shapes[y])
        out += [
            f'    if getattr(Y, "shape", None) != {y_shape} or getattr(Y, "dtype", None) '
            "is not X.dtype:",
            "        _invalid(params, X, Y)",
        ]
        out += in_float32(self.printer, [name, y], [name, y])  # back at the end
        if cost.from_logits:
            code = loss.logits_code["torch"].format(z=z, y=y)
            self.log_softmax = "log_softmax" in loss.helpers  # the loss calls the helper
            if loss.logits_with == "sigmoid":
                out += comment(
                    "binary cross-entropy from the logits (log-sigmoid inside): finite for any z"
                )
            else:
                out += comment(
                    "cross-entropy from the logits: log a = z - logsumexp(z) per column"
                )
            out += [f"    J = {code} / m"]
        else:
            per_unit = self.printer.scalar_code(loss.formula, {scalars.a: a, scalars.y: y})
            out += comment(f"{loss.description}, summed over units and averaged over examples")
            out += [f"    J = ({per_unit}).sum() / m"]
        out += self.l2_cost("J")
        out += fitted(f"return {cast_back(self.printer, 'J', 'X')}", "float32 back to float16")
        return out

    def loss_and_grads(self) -> list[str]:
        return [
            "",
            "",
            "@_no_grad",
            "def loss_and_grads(params, X, Y, work=None):",
            '    """The cost J (a float) and its gradients (tensors), keyed like params.',
            "",
            "    Pass the same dict as ``work`` on every call of a training loop to reuse the",
            "    tensors; the gradients returned then live in it until the next call.",
            *self.sums_note(),
            '    """',
            *work_check("loss_and_grads(params, X, Y, work=None)"),
            "    _, cache = forward(params, X, work)",
            "    J = cost_from_cache(params, cache, Y)",
            "    if J.is_meta:  # forward and backward follow shapes there; a cost is a number",
            "        raise ValueError(",
            '            "X is on the meta device, which holds no values: the cost (a float) "',
            '            "has none to give; put the tensors on a device with data (cpu, cuda)"',
            "        )",
            "    return float(J), backward(params, cache, Y, work)",
        ]

    def autograd(self) -> list[str]:
        text = AUTOGRAD.format(
            # forward checks X and the parameters, cost_from_cache Y; a parameter missing or a
            # list of them failed first here, as a bare KeyError or TypeError (hostile42a #2)
            checked="\n".join(
                [
                    '    if not hasattr(params, "keys") or any(p not in params for p in SHAPES):',
                    "        _invalid(params, X, Y)  # names the container or the missing one",
                ]
            ),
            data="X, Y",
            signature="ctx, X, Y, *values",
            forward="\n".join(
                [
                    "        params = dict(zip(SHAPES, values, strict=True))",
                    "        _, cache = forward(params, X)",
                    "        J = cost_from_cache(params, cache, Y)",
                    "        ctx.cached = tuple(cache)  # its names; its tensors are saved",
                    "        ctx.save_for_backward(Y, *values, *cache.values())",
                    "        return J",
                ]
            ),
            backward="\n".join(
                [
                    "        Y, *tensors = ctx.saved_tensors",
                    "        params = dict(zip(SHAPES, tensors[: len(SHAPES)], strict=True))",
                    "        cache = dict(zip(ctx.cached, tensors[len(SHAPES) :], strict=True))",
                    "        grads = backward(params, cache, Y)",
                ]
            ),
            nones="None, None, ",
            init_signature=INIT_SIGNATURE,
            m_argument="",
            module="Net",
        )
        return ["", *text.splitlines()]

    def module(self) -> str:
        header = self.header()
        forward = self.forward()
        backward = self.backward()
        cost = self.cost()
        body = ["", *STDS.splitlines(), "", *INIT_PARAMS.splitlines()]
        body += ["", *INVALID_HELPER.splitlines(), "", *SAME_DTYPE_HELPER.splitlines()]
        body += ["", *WORK_HELPER.splitlines()]
        body += ["", *LATEST_CACHE_HELPER.splitlines()]
        body += ["", *NO_GRAD_HELPER.splitlines()]
        body += ["", *LOG_SOFTMAX_HELPER.splitlines()] if self.log_softmax else []
        body += ["", *ONES_HELPER.splitlines()] if self.planner.ones else []
        body += ["", *BATCH_SIZE_HELPER.splitlines()] if self.batch_size else []
        body += self.workspace_helper()
        kernels = kernel_lines("\n".join(backward))
        lines = header + (["", *kernels] if kernels else []) + body
        lines += forward + backward + cost + self.loss_and_grads()
        lines += self.autograd()
        return "\n".join(lines) + "\n"
