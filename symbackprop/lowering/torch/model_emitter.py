"""The torch emitter for a model: its lowering plan becomes a readable PyTorch module.

The module has the NumPy model module's contract (DESIGN.md, "Models": ``SHAPES``, ``DATA``,
``DATA_SHAPES``, ``ADDED``, ``init_params``, ``forward(params, *data, work=None) -> (cost,
cache)``, ``backward(params, cache, work=None)``, ``loss_and_grads``) on torch tensors of any
dtype and device, every function under ``torch.no_grad()``, plus ``BackpropCost`` (a
``torch.autograd.Function`` whose backward is the derived one), ``cost(params, *data)`` and
the ``nn.Module`` ``Model``. Every forward group sits under the model line it computes and
every backward line under the step it is read off, as in the NumPy module.

Values are 2-D tensors; a 1 x 1 value is a (1, 1) tensor whose entry ``s[0, 0]`` multiplies
like a number. Where the printed expression is smaller than its value (a constant, a number
times ``1_n``) it is filled to its shape, with the parameters' dtype and device. bce of a
sigmoid and ce of a softmax are computed from the logits with the loss record's torch code.
The logic mirrors :mod:`symbackprop.lowering.numpy.model_emitter` (its shape bookkeeping is
copied here in small, not imported, so that the two emitters can change independently).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import HadamardPower, HadamardProduct, MatAdd, MatMul, OneMatrix, Transpose

from symbackprop.core.graph import Kind
from symbackprop.lowering.numpy.printer import ATOM, MUL
from symbackprop.lowering.provenance import show_dims
from symbackprop.lowering.python_text import INDENT, LINE, comment, docstring, line
from symbackprop.lowering.torch.emitter import no_grad_note
from symbackprop.lowering.torch.model_template import (
    CHECK_HELPER,
    INIT_PARAMS,
    LOGDET_HELPER,
    STDS,
)
from symbackprop.lowering.torch.printer import TorchPrinter
from symbackprop.lowering.torch.template import AUTOGRAD, SAME_DTYPE_HELPER
from symbackprop.records import scalars
from symbackprop.records.nodes import Elementwise

if TYPE_CHECKING:
    from symbackprop.lowering.model_plan import ModelBackward, ModelForward, ModelPlan

Shape = tuple[Any, Any]


def emit_model(plan: ModelPlan) -> str:
    """The torch module for a model's ``plan``, as source text."""
    return _ModelModule(plan).module()


class _ModelModule:
    def __init__(self, plan: ModelPlan) -> None:
        self.plan = plan
        self.printer = TorchPrinter(plan.activations)
        self.helpers: set[str] = set()
        self.shapes: dict[str, Shape] = dict(plan.shapes)
        self.reads_m = False

    def code(self, expr: Any) -> str:
        return self.printer.code(expr)

    def assign(self, target: str, expr: Any, shape: Shape) -> list[str]:
        """``target = expr``, filled to ``shape`` where the printed form would be smaller."""
        text = self.code(expr)
        if self.printed_shape(expr) != tuple(shape):
            if expr.atoms(sp.MatrixSymbol):
                text = f"{self.printer.paren(expr, ATOM)}.expand{show_dims(shape)}.clone()"
            else:  # a number read from no tensor (1.0, 1 / m): the parameters' dtype, device
                text = f"torch.full({show_dims(shape)}, {text}{self.printer.dtype_argument()})"
            self.reads_m = self.reads_m or "m" in shape
        out = line(f"{target} = {text}", show_dims(shape))
        if len(out[-1]) <= LINE or not isinstance(expr, MatAdd):
            return out
        parts = self.code(expr).split(" + ")
        inner = INDENT * 2
        return [
            f"{INDENT}{target} = (",
            f"{inner}{parts[0]}",
            *(f"{inner}+ {part}" for part in parts[1:]),
            f"{INDENT})  # {show_dims(shape)}",
        ]

    def printed_shape(self, expr: Any) -> Shape | None:
        """The tensor shape of ``expr`` as the printer writes it; ``None`` for a number."""
        if isinstance(expr, sp.MatrixSymbol):
            return self.shapes[expr.name]
        if isinstance(expr, Transpose):
            inner = self.printed_shape(expr.arg)
            return None if inner is None else (inner[1], inner[0])
        if isinstance(expr, sp.Identity) and expr.shape[0] != 1:
            return (int(expr.shape[0]), int(expr.shape[1]))
        if isinstance(expr, (OneMatrix, sp.Identity)):
            return None
        if isinstance(expr, sp.Inverse):
            return self.printed_shape(expr.arg)
        if isinstance(expr, Elementwise):
            if expr.body.has(expr.variable) or expr.indicator is not None:
                return self.printed_shape(expr.arg)
            return _broadcast(
                [self.shapes[s.name] for s in expr.body.atoms(sp.Symbol) if s.name in self.shapes]
            )
        if isinstance(expr, (MatAdd, HadamardProduct)):
            return _broadcast([self.printed_shape(a) for a in expr.args])
        if isinstance(expr, HadamardPower):
            return self.printed_shape(expr.args[0])
        if isinstance(expr, MatMul):
            _, matrices = self.printer._split_matmul(expr)
            return self.product_shape(matrices)
        if getattr(expr, "is_Matrix", False):
            return (expr.shape[0], expr.shape[1])
        return None

    def product_shape(self, matrices: list[Any]) -> Shape | None:
        """Mirrors :meth:`TorchPrinter.matrix_product`: a ones matrix at an end is a sum."""
        if len(matrices) > 1 and isinstance(matrices[-1], OneMatrix):
            rest = self.product_shape(matrices[:-1])
            return (_rows(rest), 1) if matrices[-1].shape[0] != 1 else rest
        if len(matrices) > 1 and isinstance(matrices[0], OneMatrix):
            rest = self.product_shape(matrices[1:])
            return (1, _cols(rest)) if matrices[0].shape[1] != 1 else rest
        if len(matrices) == 1:
            return self.printed_shape(matrices[0])
        return (_rows(self.printed_shape(matrices[0])), _cols(self.printed_shape(matrices[-1])))

    # -- sections --------------------------------------------------------------------------
    def header(self) -> list[str]:
        plan = self.plan
        data = ", ".join(f"{d.name} {show_dims(d.shape)}" for d in plan.data) or "none"
        equations = [
            row
            for text in (s.source for s in plan.forward)
            if text is not None
            for row in textwrap.wrap(
                text, LINE - 4, initial_indent="    ", subsequent_indent="        "
            )
        ]
        doc = [
            f'"""Gradients of a model in {", ".join(p.name for p in plan.parameters)}, in '
            "PyTorch, generated by symbackprop.",
            "",
            f"Data tensors: {data}."
            + (" Examples are along m; J is the mean over them." if plan.batch else ""),
            "Each forward group is under the model line it computes and each backward line "
            "under the step of the symbolic derivation it is read off ([step k]). Regenerate "
            "rather than edit.",
            "",
            no_grad_note(),
            "",
            "BackpropCost is a torch.autograd.Function whose backward is the derived one, cost() "
            "applies it and Model is a torch.nn.Module holding the parameters: loss = "
            "Model()(*data); loss.backward() fills each parameter's .grad. The model's "
            "equations:",
        ]
        lines = [*docstring(doc), "", *equations, '"""', "", "import numpy as np", "import torch"]
        lines += ["", "SHAPES: dict[str, tuple[int, int]] = {"]
        lines += [f'    "{p.name}": {show_dims(p.shape)},' for p in plan.parameters]
        lines += ["}"]
        lines += [f"DATA = {_tuple(d.name for d in plan.data)}  # the data tensors after params"]
        lines += ["# their shapes; m, the number of examples, is the same in every tensor"]
        lines += _dict("DATA_SHAPES", [f'"{d.name}": {_quoted_dims(d.shape)}' for d in plan.data])
        lines += [f"ADDED = {_tuple(plan.added)}  # parameters only ever added: they start at 0"]
        return lines

    def forward(self) -> list[str]:
        plan = self.plan
        args = "".join(f"{d.code}, " for d in plan.data)
        data = _tuple([d.code for d in plan.data], quote=False)
        out = [
            "",
            "",
            "@torch.no_grad()",
            f"def _forward(params, {args.rstrip(', ')}):".replace("(params, )", "(params)"),
            '    """J as a (1, 1) tensor and the cache: exactly what backward reads."""',
            f"    {'m = ' if plan.batch else ''}_check(params, {data})",
        ]
        read = {arg for statement in plan.forward for arg in statement.args}
        out += [f'    {p.code} = params["{p.name}"]' for p in plan.parameters if p.code in read]
        for statement in plan.forward:
            out += self.forward_statement(statement)
        entries = [f'"{name}": {name}' for name in plan.cache]
        entries += ['"m": m'] if plan.batch else []
        out += _dict("cache", entries, INDENT)
        out += [f"    return {plan.cost}, cache"]
        out += [
            "",
            "",
            f"def forward(params, {args}*, work=None):",
            '    """The cost J (a float) and the cache: exactly what backward reads (``work`` is '
            'ignored)."""',
            f"    J, cache = _forward(params, {args.rstrip(', ')})".replace(", )", ")"),
            "    return float(J[0, 0]), cache",
        ]
        return out

    def forward_statement(self, s: ModelForward) -> list[str]:
        out = [] if s.source is None else ["", *comment(s.source)]
        shape = show_dims(s.shape)
        target, kind = s.target, s.kind
        if kind is Kind.MATMUL:
            left, right = s.args
            return out + line(f"{target} = {left} @ {right}", shape)
        if kind is Kind.TOTAL:
            return out + line(f"{target} = {s.args[0]}.sum().reshape(1, 1)", shape)
        if kind is Kind.ROWSUM:
            return out + line(f"{target} = {s.args[0]}.sum(dim=1, keepdim=True)", shape)
        if kind is Kind.TRACE:
            return out + line(f"{target} = torch.trace({s.args[0]}).reshape(1, 1)", shape)
        if kind is Kind.DET:
            return out + line(f"{target} = torch.linalg.det({s.args[0]}).reshape(1, 1)", shape)
        if kind is Kind.LOGDET:
            self.helpers.add("logdet")
            return out + line(f"{target} = logdet({s.args[0]})", shape + ", via slogdet")
        if kind is Kind.COLUMN_SOFTMAX:
            code = self.printer.activation_code("softmax", s.args[0])
            return out + line(f"{target} = {code}", shape)
        if kind is Kind.MODEL_LOSS:
            return out + self.loss(s)
        return out + self.assign(target, s.expr, s.shape)

    def loss(self, s: ModelForward) -> list[str]:
        record = s.record
        a, y = s.args
        mean = " / m" if self.plan.batch else ""
        if s.logits is not None:
            code = record.logits_code["torch"].format(z=s.logits, y=y)
            out = comment(f"{record.name} of {record.logits_with}({s.logits}) from the logits")
            out += _call(f"{INDENT}{s.target} = {code}")
            return out + line(f"{s.target} = ({s.target}{mean}).reshape(1, 1)", "(1, 1)")
        per_entry = self.printer.scalar_code(record.formula, {scalars.a: a, scalars.y: y})
        out = comment(f"{record.description}, summed over the entries")
        return out + line(f"{s.target} = (({per_entry}).sum(){mean}).reshape(1, 1)", "(1, 1)")

    def backward(self) -> list[str]:
        plan = self.plan
        read = frozenset().union(*(_matrices(s.expr) for s in plan.backward))
        out = [
            "",
            "",
            "@torch.no_grad()",
            "def backward(params, cache, work=None):",
            '    """dJ/d(parameter) for every parameter, keyed like params, from the forward '
            'cache."""',
        ]
        out += [f'    {p.code} = params["{p.name}"]' for p in plan.parameters if p.code in read]
        out += [f'    {name} = cache["{name}"]' for name in plan.cache]
        self.printer.symbols.clear()
        self.reads_m = False
        self.printer.dtype, self.printer.device = "dtype", "device"
        body = [row for statement in plan.backward for row in self.backward_statement(statement)]
        returned = ["    return {"]
        for p, target in plan.gradients:
            leaf = next(leaf for leaf in plan.parameters if leaf.name == p)
            if target is None:
                target = f"torch.zeros({show_dims(leaf.shape)}{self.printer.dtype_argument()})"
            returned.append(f'        "{p}": {target},')
        returned.append("    }")
        if self.reads_m or "m" in self.printer.symbols:
            out += ['    m = cache["m"]']
        if self.printer.reads_dtype:
            first = plan.parameters[0].name
            out += [f'    dtype, device = params["{first}"].dtype, params["{first}"].device']
        self.printer.dtype = self.printer.device = None
        return out + body + returned

    def backward_statement(self, s: ModelBackward) -> list[str]:
        out = [] if s.gradient_of else [""]
        out += comment(f"{s.text} [step {s.step}, {s.rule}]")
        expr = s.expr
        view = expr.arg if isinstance(expr, Transpose) else expr
        own = {st.target for st in self.plan.backward}
        if s.gradient_of and isinstance(view, sp.MatrixSymbol) and view.name not in own:
            # a gradient of its own: a view of a parameter or of the cache would change
            # under an in-place update of the parameters
            return out + line(f"{s.target} = {self.code(expr)}.clone()", show_dims(s.shape))
        if isinstance(expr, MatMul):
            coeff, matrices = self.printer._split_matmul(expr)
            if (
                coeff == 1
                and len(matrices) == 2
                and not any(isinstance(f, OneMatrix) for f in matrices)
            ):
                left = self.printer.paren(matrices[0], MUL)
                right = self.printer.paren(matrices[1], MUL, strict=True)
                return out + line(f"{s.target} = {left} @ {right}", show_dims(s.shape))
        return out + self.assign(s.target, expr, s.shape)

    def loss_and_grads(self) -> list[str]:
        args = "".join(f"{d.code}, " for d in self.plan.data)
        return [
            "",
            "",
            f"def loss_and_grads(params, {args}*, work=None):",
            '    """The cost J (a float) and its gradients (tensors), keyed like params."""',
            f"    cost, cache = forward(params, {args}work=work)",
            "    return cost, backward(params, cache, work)",
        ]

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
            "        grads = backward(params, cache)",
        ]
        text = AUTOGRAD.format(
            data="*data",
            signature="ctx, *tensors",  # the data, then the parameters: split by DATA's length
            forward="\n".join(forward),
            backward="\n".join(backward),
            nones="*(None for _ in DATA), ",
            module="Model",
        )
        return ["", *text.splitlines()]

    def module(self) -> str:
        header = self.header()
        forward = self.forward()
        backward = self.backward()
        body = ["", *STDS.splitlines()]
        if "logdet" in self.helpers:
            body += ["", *LOGDET_HELPER.splitlines()]
        body += ["", *INIT_PARAMS.splitlines(), "", *CHECK_HELPER.splitlines()]
        body += ["", *SAME_DTYPE_HELPER.splitlines()]
        lines = header + body + forward + backward + self.loss_and_grads() + self.autograd()
        return "\n".join(lines) + "\n"


def _call(text: str) -> list[str]:
    """``x = f(a, b)`` on one line, or as ruff format lays out a call too long for one."""
    if len(text) <= LINE:
        return [text]
    head, args = text.split("(", 1)
    indent = text[: len(text) - len(text.lstrip())]
    return [f"{head}(", f"{indent}{INDENT}{args[:-1]}", f"{indent})"]


def _matrices(expr: Any) -> frozenset[str]:
    return frozenset(sym.name for sym in expr.atoms(sp.MatrixSymbol))


def _tuple(names: Any, *, quote: bool = True) -> str:
    """``("X", "Y")``, ``("X",)`` or ``()`` as ruff format writes them."""
    items = [f'"{n}"' if quote else n for n in names]
    if len(items) == 1:
        return f"({items[0]},)"
    return f"({', '.join(items)})"


def _dict(target: str, entries: list[str], indent: str = "") -> list[str]:
    """``target = {...}``, one entry per line as ruff format writes it; ``{}`` when empty."""
    if not entries:
        return [f"{indent}{target} = {{}}"]
    return [f"{indent}{target} = {{", *(f"{indent}    {e}," for e in entries), f"{indent}}}"]


def _broadcast(shapes: list[Shape | None]) -> Shape | None:
    """Broadcasting of printed shapes; numbers (``None``) only, a number."""
    arrays = [s for s in shapes if s is not None]
    if not arrays:
        return None
    rows = next((r for r, _ in arrays if r != 1), 1)
    cols = next((c for _, c in arrays if c != 1), 1)
    return (rows, cols)


def _rows(shape: Shape | None) -> Any:
    return 1 if shape is None else shape[0]


def _cols(shape: Shape | None) -> Any:
    return 1 if shape is None else shape[1]


def _quoted_dims(shape: Shape) -> str:
    rows, cols = (f'"{d}"' if isinstance(d, str) else str(d) for d in shape)
    return f"({rows}, {cols})"


__all__ = ["emit_model"]
