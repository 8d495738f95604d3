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
computed from the logits; sigmoid and softmax are the module's helpers (no overflow, no
warning for |z| up to 1e3). The same plan gives the same bytes.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import HadamardProduct, MatMul, OneMatrix, Transpose

from symbackprop.core.graph import Kind
from symbackprop.lowering.numpy.emitter import single_ufunc
from symbackprop.lowering.numpy.model_template import (
    CHECK_HELPER,
    INIT_PARAMS,
    LOG_SOFTMAX_HELPER,
    LOGDET_HELPER,
    SOFTMAX_HELPER,
    STDS,
)
from symbackprop.lowering.numpy.printer import MUL, SIMPLE_OPERAND, NumPyPrinter
from symbackprop.lowering.numpy.template import BUFFER_HELPER, SIGMOID_HELPER
from symbackprop.lowering.printed_shapes import (
    PrintedShapes,
    Shape,
    code_dict,
    quoted_dims,
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

if TYPE_CHECKING:
    from symbackprop.lowering.model_plan import ModelBackward, ModelForward, ModelPlan

#: arrays of at least this many entries (or batch-sized) go into the caller's workspace
LARGE = 1024


def emit_model(plan: ModelPlan) -> str:
    """The NumPy module for a model's ``plan``, as source text."""
    return _ModelModule(plan).module()


class _ModelModule(PrintedShapes[NumPyPrinter]):
    def __init__(self, plan: ModelPlan) -> None:
        self.plan = plan
        self.printer = NumPyPrinter(plan.activations)
        self.helpers: set[str] = set()
        self.shapes: dict[str, Shape] = dict(plan.shapes)
        self.fused = _fusable_products(plan)  # matmul temporaries written by their sum
        self.forward_nodes = {s.target: s for s in plan.forward}
        self.reads_m = False  # whether the code written since the last reset reads m

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
        if not self.large(shape):
            return line(f"{target} = {a} @ {b}", show_dims(shape))
        names = [
            t.removesuffix(".T") for t in (a, b) if SIMPLE_OPERAND.fullmatch(t.removesuffix(".T"))
        ]
        if not names:
            return line(f"{target} = {a} @ {b}", show_dims(shape))
        self.helpers.add("_buffer")
        self.reads_m = self.reads_m or "m" in shape
        out = f'_buffer(work, "{target}", {show_dims(shape)}, {names[0]}.dtype)'
        return line(f"{target} = np.matmul({a}, {b}, out={out})", show_dims(shape))

    # -- expressions -----------------------------------------------------------------------
    def code(self, expr: Any) -> str:
        return self.printer.code(expr)

    def assign(self, target: str, expr: Any, shape: Shape) -> list[str]:
        """``target = expr``, filled to ``shape`` where the printed form would be smaller."""
        text = self.code(expr)
        if self.printed_shape(expr) != tuple(shape):
            # a fill read from no array (1.0, 1 / m) is a Python float: give it the dtype
            typed = "" if expr.atoms(sp.MatrixSymbol) else self.printer.dtype_argument()
            text = f"np.full({show_dims(shape)}, {text}{typed})"
            self.reads_m = self.reads_m or "m" in shape
        return fitted(f"{target} = {text}", show_dims(shape))

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
            f'"""Gradients of a model in {", ".join(p.name for p in plan.parameters)}, '
            "generated by symbackprop.",
            "",
            f"Data arrays: {data}."
            + (" Examples are along m; J is the mean over them." if plan.batch else ""),
            "Each forward group is under the model line it computes and each backward line "
            "under the step of the symbolic derivation it is read off ([step k]). Regenerate "
            "rather than edit. The model's equations:",
        ]
        lines = [*docstring(doc), "", *equations, '"""', "", "import numpy as np", ""]
        lines += ["SHAPES: dict[str, tuple[int, int]] = {"]
        lines += [f'    "{p.name}": {show_dims(p.shape)},' for p in plan.parameters]
        lines += ["}"]
        names = "".join(f'"{d.name}", ' for d in plan.data).rstrip(" ")
        names = names if len(plan.data) == 1 else names.rstrip(",")
        lines += [f"DATA = ({names})  # the data arrays after params, in this order"]
        lines += ["# their shapes; m, the number of examples, is the same in every array"]
        lines += code_dict(
            "DATA_SHAPES", [f'"{d.name}": {quoted_dims(d.shape)}' for d in plan.data]
        )
        added = "".join(f'"{name}", ' for name in plan.added).rstrip(" ")
        added = added if len(plan.added) == 1 else added.rstrip(",")
        lines += [f"ADDED = ({added})  # parameters only ever added: they start at zero"]
        return lines

    def forward(self) -> list[str]:
        plan = self.plan
        args = "".join(f"{d.code}, " for d in plan.data)
        data = ", ".join(d.code for d in plan.data)
        out = [
            "",
            "",
            f"def forward(params, {args}*, work=None):",
            '    """The cost J (a float) and the cache: exactly what backward reads."""',
            f"    m = _check(params, ({data}{',' if len(plan.data) == 1 else ''}))",
        ]
        if not plan.batch:
            out[-1] = f"    _check(params, ({data}{',' if len(plan.data) == 1 else ''}))"
        read = {arg for statement in plan.forward for arg in statement.args}
        out += [f'    {p.code} = params["{p.name}"]' for p in plan.parameters if p.code in read]
        for statement in plan.forward:
            out += self.forward_statement(statement)
        entries = [f'"{name}": {name}' for name in plan.cache]
        entries += ['"m": m'] if plan.batch else []
        out += code_dict("cache", entries, INDENT)
        out += [f"    return float({plan.cost}[0, 0]), cache"]
        return out

    def forward_statement(self, s: ModelForward) -> list[str]:
        out = [] if s.source is None else ["", *comment(s.source)]
        shape = show_dims(s.shape)
        target = s.target
        kind = s.kind
        if kind is Kind.MATMUL:
            if target in self.fused:
                return out  # written into its sum's array below
            left, right = s.args
            return out + self.product(target, left, right, s.shape)
        if kind is Kind.LINEAR and s.args and s.args[0] in self.fused:
            return out + self.fused_sum(s)
        if kind is Kind.TOTAL:
            return out + line(f"{target} = {s.args[0]}.sum(keepdims=True)", shape)
        if kind is Kind.ROWSUM:
            return out + line(f"{target} = {s.args[0]}.sum(axis=1, keepdims=True)", shape)
        if kind is Kind.TRACE:
            return out + line(f"{target} = np.trace({s.args[0]}).reshape(1, 1)", shape)
        if kind is Kind.DET:
            return out + line(f"{target} = np.linalg.det({s.args[0]}).reshape(1, 1)", shape)
        if kind is Kind.LOGDET:
            self.helpers.add("logdet")
            return out + line(f"{target} = logdet({s.args[0]})", shape + ", via slogdet")
        if kind is Kind.COLUMN_SOFTMAX:
            self.helpers.add("softmax")
            return out + line(f"{target} = softmax({s.args[0]})", shape)
        if kind is Kind.MODEL_LOSS:
            return out + self.loss(s)
        if kind is Kind.FUNCTION and self.large(s.shape):
            into = self.into_workspace(s)
            if into is not None:
                return out + line(into, shape)
        return out + self.assign(target, s.expr, s.shape)

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
        buffer = f'_buffer(work, "{s.target}", {show_dims(s.shape)}, {arg}.dtype)'
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
            out += line(f"{s.target} {op} {value}", shape)
        if record.constant != 0:
            op = "-=" if record.constant.is_negative else "+="
            out += line(f"{s.target} {op} {self.code(abs(record.constant))}", shape)
        return out

    def loss(self, s: ModelForward) -> list[str]:
        record = s.record
        a, y = s.args
        mean = " / m" if self.plan.batch else ""
        if s.logits is not None and record.logits_with == "sigmoid":
            z = s.logits
            out = comment(
                f"bce of sigmoid({z}) from the logits: max(z, 0) - y z + log(1 + e^-|z|), "
                "finite and warning-free for any z"
            )
            out += [f"    loss = np.maximum({z}, 0.0) - {y} * {z}"]
            out += [f"    loss += np.log1p(np.exp(-np.abs({z})))"]
            return out + line(f"{s.target} = loss.sum(keepdims=True){mean}", "(1, 1)")
        if s.logits is not None:
            self.helpers.add("log_softmax")
            z = s.logits
            out = comment(f"ce of softmax({z}) from the logits: log a = z - logsumexp(z)")
            return out + line(
                f"{s.target} = -({y} * log_softmax({z})).sum(keepdims=True){mean}", "(1, 1)"
            )
        per_entry = self.printer.scalar_code(record.formula, {scalars.a: a, scalars.y: y})
        out = comment(f"{record.description}, summed over the entries")
        return out + line(f"{s.target} = ({per_entry}).sum(keepdims=True){mean}", "(1, 1)")

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
            seen = seen | _matrices(st.expr)
        read = frozenset().union(*(_matrices(s.expr) for s in plan.backward))
        out = [
            "",
            "",
            "def backward(params, cache, work=None):",
            '    """dJ/d(parameter) for every parameter, keyed like params, from the forward '
            'cache."""',
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
                target = f"np.zeros({show_dims(leaf.shape)}{self.printer.dtype_argument()})"
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
        expr = s.expr
        if isinstance(expr, MatMul):
            coeff, matrices = self.printer._split_matmul(expr)
            plain = not any(isinstance(f, OneMatrix) for f in matrices)
            if coeff == 1 and len(matrices) == 2 and plain:
                return out + self.product(s.target, matrices[0], matrices[1], s.shape)
        view = expr.arg if isinstance(expr, Transpose) else expr
        own = {st.target for st in self.plan.backward}
        if s.gradient_of and isinstance(view, sp.MatrixSymbol) and view.name not in own:
            # a gradient of its own: a view of a parameter or of the cache would change
            # under an in-place update of the parameters
            return out + line(f"{s.target} = {self.code(expr)}.copy()", show_dims(s.shape))
        dead = self.dead_factor(s)
        if dead is not None:
            rest = [f for f in expr.args if f is not dead]
            factor = rest[0] if len(rest) == 1 else HadamardProduct(*rest)
            note = f"{show_dims(s.shape)}, in place: {dead.name} is not read again"
            return (
                out
                + line(f"{dead.name} *= {self.code(factor)}", note)
                + [f"    {s.target} = {dead.name}"]
            )
        return out + self.assign(s.target, s.expr, s.shape)

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

    def loss_and_grads(self) -> list[str]:
        plan = self.plan
        args = "".join(f"{d.code}, " for d in plan.data)
        return [
            "",
            "",
            f"def loss_and_grads(params, {args}*, work=None):",
            '    """The cost J (a float) and its gradients, keyed like params."""',
            f"    cost, cache = forward(params, {args}work=work)",
            "    return cost, backward(params, cache, work)",
        ]

    def module(self) -> str:
        header = self.header()
        forward = self.forward()
        backward = self.backward()
        loss = self.loss_and_grads()
        body = ["", *STDS.splitlines()]
        helpers = self.helpers | self.printer.helpers
        for name, text in (
            ("sigmoid", SIGMOID_HELPER),
            ("softmax", SOFTMAX_HELPER),
            ("log_softmax", LOG_SOFTMAX_HELPER),
            ("logdet", LOGDET_HELPER),
        ):
            if name in helpers:
                body += ["", *text.splitlines()]
        body += ["", *INIT_PARAMS.splitlines(), "", *CHECK_HELPER.splitlines()]
        if "_buffer" in self.helpers:
            body += ["", *BUFFER_HELPER.splitlines()]
        lines = header + body + forward + backward + loss
        return "\n".join(lines) + "\n"


def _matrices(expr: Any) -> frozenset[str]:
    return frozenset(sym.name for sym in expr.atoms(sp.MatrixSymbol))


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
