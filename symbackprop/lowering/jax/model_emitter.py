"""The JAX emitter for models: a model's lowering plan becomes a readable module of pure
functions.

The module follows DESIGN.md ("Models") on JAX arrays: ``SHAPES``, ``DATA``, ``DATA_SHAPES``,
``ADDED``, ``init_params``, ``forward(params, *data, work=None) -> (J, cache)``,
``backward(params, cache, work=None)``, ``loss_and_grads(params, *data, work=None)``, plus
``cost(params, *data)``, a ``jax.custom_vjp`` whose backward is the derived one. Every forward
group sits under the model line it computes and every backward line under the step it is read
off, as in the NumPy module; nothing is updated in place (``work`` is accepted and ignored).

Values are 2-D arrays; a 1 x 1 value is a (1, 1) array whose entry ``s[0, 0]`` multiplies like
a number, and J is returned as a 0-d array (``float(J)`` under no ``jit``). Where the printed
expression would be smaller than its value (a constant, a column over m columns), it is filled
to its shape with ``jnp.full``. bce of a sigmoid and ce of a softmax are the losses'
``logits_code["jax"]``, computed from the logits. The same plan gives the same bytes.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import HadamardPower, HadamardProduct, MatAdd, MatMul, OneMatrix, Transpose

from symbackprop.core.graph import Kind
from symbackprop.lowering.jax.printer import JaxPrinter
from symbackprop.lowering.jax.template import (
    CHECK_HELPER,
    LOGDET_HELPER,
    MODEL_CUSTOM_VJP,
    MODEL_INIT_PARAMS,
    MODEL_STDS,
)
from symbackprop.lowering.provenance import show_dims
from symbackprop.lowering.python_text import (
    INDENT,
    LINE,
    comment,
    docstring,
    fitted,
    line,
)
from symbackprop.records import scalars
from symbackprop.records.nodes import Elementwise

if TYPE_CHECKING:
    from symbackprop.lowering.model_plan import ModelBackward, ModelForward, ModelPlan

Shape = tuple[Any, Any]
IMPORTS = ["import jax", "import jax.numpy as jnp", "import numpy as np  # init_params only"]


def emit_model(plan: ModelPlan) -> str:
    """The JAX module for a model's ``plan``, as source text."""
    return _JaxModelModule(plan).module()


class _JaxModelModule:
    def __init__(self, plan: ModelPlan) -> None:
        self.plan = plan
        self.printer = JaxPrinter(plan.activations)
        self.helpers: set[str] = set()
        self.shapes: dict[str, Shape] = dict(plan.shapes)
        self.reads_m = False  # whether the code written since the last reset reads m

    def code(self, expr: Any) -> str:
        return self.printer.code(expr)

    def assign(self, target: str, expr: Any, shape: Shape) -> list[str]:
        """``target = expr``, filled to ``shape`` where the printed form would be smaller."""
        text = self.code(expr)
        if self.printed_shape(expr) != tuple(shape):
            # a fill read from no array (1.0, 1 / m) is a Python float: give it the dtype
            typed = "" if expr.atoms(sp.MatrixSymbol) else self.printer.dtype_argument()
            text = f"jnp.full({show_dims(shape)}, {text}{typed})"
            self.reads_m = self.reads_m or "m" in shape
        return fitted(f"{target} = {text}", show_dims(shape))

    # -- the shape of printed code (NumPy and JAX broadcast alike) -------------------------
    # printed_shape and product_shape are copied from the NumPy model emitter (private there)
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
        if isinstance(expr, (OneMatrix, sp.Identity)):
            return None  # printed 1.0
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
        return None  # a number, m, an entry s[0, 0]

    def product_shape(self, matrices: list[Any]) -> Shape | None:
        """Mirrors :meth:`NumPyPrinter.matrix_product`: a ones matrix at an end is a sum."""
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
            f'"""Gradients of a model in {", ".join(p.name for p in plan.parameters)}, in JAX, '
            "generated by symbackprop.",
            "",
            f"Data arrays: {data}."
            + (" Examples are along m; J is the mean over them." if plan.batch else ""),
            "Each forward group is under the model line it computes and each backward line "
            "under the step of the symbolic derivation it is read off ([step k]). Regenerate "
            "rather than edit. Pure functions: jax.jit(loss_and_grads) works, and "
            "jax.grad(cost) runs the derived backward through a jax.custom_vjp. The model's "
            "equations:",
        ]
        lines = [*docstring(doc), "", *equations, '"""', "", *IMPORTS, ""]
        lines += ["SHAPES: dict[str, tuple[int, int]] = {"]
        lines += [f'    "{p.name}": {show_dims(p.shape)},' for p in plan.parameters]
        lines += ["}"]
        names = "".join(f'"{d.name}", ' for d in plan.data).rstrip(" ")
        names = names if len(plan.data) == 1 else names.rstrip(",")
        lines += [f"DATA = ({names})  # the data arrays after params, in this order"]
        lines += ["# their shapes; m, the number of examples, is the same in every array"]
        lines += _dict("DATA_SHAPES", [f'"{d.name}": {_quoted_dims(d.shape)}' for d in plan.data])
        added = "".join(f'"{name}", ' for name in plan.added).rstrip(" ")
        added = added if len(plan.added) == 1 else added.rstrip(",")
        lines += [f"ADDED = ({added})  # parameters only ever added: they start at zero"]
        return lines

    def forward(self) -> list[str]:
        plan = self.plan
        args = "".join(f"{d.code}, " for d in plan.data)
        data = ", ".join(d.code for d in plan.data)
        trailing = "," if len(plan.data) == 1 else ""
        out = [
            "",
            "",
            f"def forward(params, {args}*, work=None):",
            '    """The cost J (a 0-d array) and the cache: exactly what backward reads.',
            "",
            "    Pure (JAX arrays are immutable): ``work`` is accepted for the common signature",
            "    and ignored; the shape checks read only shapes, static under jit.",
            '    """',
        ]
        if plan.batch:
            out.append(f"    m = _check(params, ({data}{trailing}))")
        else:
            out.append(f"    _check(params, ({data}{trailing}))")
        read = {arg for statement in plan.forward for arg in statement.args}
        out += [f'    {p.code} = params["{p.name}"]' for p in plan.parameters if p.code in read]
        for statement in plan.forward:
            out += self.forward_statement(statement)
        entries = [f'"{name}": {name}' for name in plan.cache]
        entries += ['"m": m'] if plan.batch else []
        out += _dict("cache", entries, INDENT)
        out += [f"    return {plan.cost}[0, 0], cache"]
        return out

    def forward_statement(self, s: ModelForward) -> list[str]:
        out = [] if s.source is None else ["", *comment(s.source)]
        shape = show_dims(s.shape)
        target, kind = s.target, s.kind
        if kind is Kind.MATMUL:
            left, right = s.args
            return out + line(f"{target} = {left} @ {right}", shape)
        if kind is Kind.TOTAL:
            return out + line(f"{target} = {s.args[0]}.sum(keepdims=True)", shape)
        if kind is Kind.ROWSUM:
            return out + line(f"{target} = {s.args[0]}.sum(axis=1, keepdims=True)", shape)
        if kind is Kind.TRACE:
            return out + line(f"{target} = jnp.trace({s.args[0]}).reshape(1, 1)", shape)
        if kind is Kind.DET:
            return out + line(f"{target} = jnp.linalg.det({s.args[0]}).reshape(1, 1)", shape)
        if kind is Kind.LOGDET:
            self.helpers.add("logdet")
            return out + line(f"{target} = logdet({s.args[0]})", shape + ", via slogdet")
        if kind is Kind.COLUMN_SOFTMAX:
            return out + line(f"{target} = jax.nn.softmax({s.args[0]}, axis=0)", shape)
        if kind is Kind.MODEL_LOSS:
            return out + self.loss(s)
        return out + self.assign(target, s.expr, s.shape)

    def loss(self, s: ModelForward) -> list[str]:
        record = s.record
        a, y = s.args
        mean = " / m" if self.plan.batch else ""
        if s.logits is not None:
            z = s.logits
            out = comment(
                f"{record.name} of {record.logits_with}({z}) from the logits {z}: finite for "
                "any z, with no overflow and no log(0); summed over the entries"
            )
            total = record.logits_code["jax"].replace("{z}", z).replace("{y}", y)
            out += line(f"{s.target} = {total}", "()")
            return out + line(f"{s.target} = {s.target}.reshape(1, 1){mean}", "(1, 1)")
        per_entry = self.printer.scalar_code(record.formula, {scalars.a: a, scalars.y: y})
        out = comment(f"{record.description}, summed over the entries")
        return out + line(f"{s.target} = ({per_entry}).sum(keepdims=True){mean}", "(1, 1)")

    def backward(self) -> list[str]:
        plan = self.plan
        read = frozenset().union(*(_matrices(s.expr) for s in plan.backward))
        out = [
            "",
            "",
            "def backward(params, cache, work=None):",
            '    """dJ/d(parameter) for every parameter, keyed like params, from the forward '
            "cache.",
            "",
            "    Pure (JAX arrays are immutable): ``work`` is accepted for the common signature",
            "    and ignored.",
            '    """',
        ]
        out += [f'    {p.code} = params["{p.name}"]' for p in plan.parameters if p.code in read]
        out += [f'    {name} = cache["{name}"]' for name in plan.cache]
        self.printer.symbols.clear()
        self.reads_m = False
        self.printer.dtype = "dtype"  # the parameters' (a reserved name: no clash)
        body = [row for statement in plan.backward for row in self.backward_statement(statement)]
        returned = ["    return {"]
        for p, target in plan.gradients:
            leaf = next(leaf for leaf in plan.parameters if leaf.name == p)
            if target is None:
                target = f"jnp.zeros({show_dims(leaf.shape)}{self.printer.dtype_argument()})"
            returned.append(f'        "{p}": {target},')
        returned.append("    }")
        if self.reads_m or "m" in self.printer.symbols:
            out += ['    m = cache["m"]']
        if self.printer.reads_dtype:
            first = plan.parameters[0].name
            out += [f'    dtype = params["{first}"].dtype  # every gradient has it']
        self.printer.dtype = None
        return out + body + returned

    def backward_statement(self, s: ModelBackward) -> list[str]:
        out = [] if s.gradient_of else [""]
        out += comment(f"{s.text} [step {s.step}, {s.rule}]")
        return out + self.assign(s.target, s.expr, s.shape)

    def loss_and_grads(self) -> list[str]:
        args = "".join(f"{d.code}, " for d in self.plan.data)
        call = ", ".join(["params", *(d.code for d in self.plan.data)])
        return [
            "",
            "",
            f"def loss_and_grads(params, {args}*, work=None):",
            '    """The cost J (a 0-d array) and its gradients, keyed like params; jit it whole:',
            "    ``jax.jit(loss_and_grads)``. ``work`` is accepted and ignored.",
            '    """',
            f"    J, cache = forward({call})",
            "    return J, backward(params, cache)",
        ]

    def module(self) -> str:
        header = self.header()
        forward = self.forward()
        backward = self.backward()
        loss = self.loss_and_grads()
        body = ["", *MODEL_STDS.splitlines()]
        if "logdet" in self.helpers:
            body += ["", *LOGDET_HELPER.splitlines()]
        body += ["", *MODEL_INIT_PARAMS.splitlines(), "", *CHECK_HELPER.splitlines()]
        lines = header + body + forward + backward + loss
        lines += ["", "", *MODEL_CUSTOM_VJP.strip("\n").splitlines()]
        return "\n".join(lines) + "\n"


def _matrices(expr: Any) -> frozenset[str]:
    return frozenset(sym.name for sym in expr.atoms(sp.MatrixSymbol))


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
