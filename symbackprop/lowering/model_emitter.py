"""What the NumPy, torch and JAX model emitters share: one walk of a model's lowering plan.

:class:`ModelEmitter` writes the module every backend's model module has (DESIGN.md,
"Models"): the docstring with the model's equations, ``SHAPES``, ``DATA``, ``DATA_SHAPES``,
``ADDED``, the fixed helpers, ``forward`` (each group under the model line it computes),
``backward`` (each line under the step it is read off) and ``loss_and_grads``. A backend's
emitter subclasses it with its printer and its spelling: class attributes for the words and
reductions of its text, methods for what it writes differently (its function heads, a product
into a workspace, a copy of a gradient that would be a view). The layout is the NumPy
module's, whose spelling the defaults are (JAX's mostly agrees); the same plan gives the
same bytes.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import sympy as sp
from sympy import MatMul, OneMatrix, Transpose

from symbackprop.core.graph import Kind
from symbackprop.lowering.array_printer import MUL
from symbackprop.lowering.column_sums import (
    constant_line,
    function_note,
    kept_sums_lines,
    module_note,
    named_sums,
    sums_name,
)
from symbackprop.lowering.half_cost import cast_back, in_float32
from symbackprop.lowering.model_template import (
    CACHE_SHAPE_HELPER,
    LATEST_CACHE_HELPER,
    MATH_HELPER,
    STDS,
    WORK_HELPER,
    cache_check,
    cache_shape_check,
    keep_latest_cache,
    kinks_constant,
    latest_cache_check,
    params_check,
    work_check,
)
from symbackprop.lowering.printed_shapes import P, PrintedShapes, Shape, code_dict, quoted_dims
from symbackprop.lowering.provenance import show_dims
from symbackprop.lowering.python_text import INDENT, LINE, comment, docstring, fitted, line
from symbackprop.records import scalars
from symbackprop.records.kinks import kink_values

#: where forward keeps its latest cache in a workspace (with the module's tag): no
#: identifier, so no value's array can take the key
LATEST_CACHE = "latest cache"

if TYPE_CHECKING:
    from symbackprop.lowering.model_plan import ModelBackward, ModelForward, ModelPlan

#: the docstring sentence every model module has after its data
EDIT = (
    "Each forward group is under the model line it computes and each backward line under the "
    "step of the symbolic derivation it is read off ([step k]). Regenerate rather than edit."
)


#: the linear-algebra node kinds, by the word a model file writes for each
LINEAR_ALGEBRA = {Kind.DET: "det", Kind.LOGDET: "logdet", Kind.INVERSE: "inv"}

#: backward's read of forward's m (batch models)
M_READ = '    m = cache["m"]'
#: the docstring of every model module's backward
BACKWARD = "dJ/d(parameter) for every parameter, keyed like params, from the forward cache."
#: backward's docstring lines on params (an update between forward and backward gave
#: gradients at neither point: hostile tester 23)
PARAMS_NOTE = (
    "",
    "    ``params`` must hold what forward was given (update the parameters after backward:",
    "    the cache was computed from them).",
)


class ModelEmitter(PrintedShapes[P]):
    """A model's module in one backend; :meth:`module` is its source text."""

    #: the key of the backend's stable loss in ``Loss.logits_code``
    BACKEND: ClassVar[str] = "numpy"
    #: whether forward writes into arrays kept in ``work`` (NumPy, torch; JAX ignores it): it
    #: keeps its latest cache there, and backward refuses an older one
    KEEPS_ARRAYS: ClassVar[bool] = True
    #: whether backward's checks and its arithmetic are two functions, so that
    #: loss_and_grads (whose forward checked params and made the cache) runs only the latter
    #: (review35 #7: it checked params twice); JAX's jitted checks cost nothing per call
    SPLIT_BACKWARD: ClassVar[bool] = True
    #: the decorator of the function that computes the gradients (torch's ``_no_grad``)
    COMPUTE_DECORATOR: ClassVar[str | None] = None
    #: the statement checking a value's dtype (``{value}``; ``first``, the reference)
    DTYPE_CHECK: ClassVar[str] = "_floating"
    #: the array namespace the module imports (``np``, ``torch``, ``jnp``)
    NS: ClassVar[str] = "np"
    #: the backend named in the docstring's first line (``", in JAX"``; NumPy: none)
    NAMED: ClassVar[str] = ""
    #: the module's word for a value: "array" or "tensor"
    NOUN: ClassVar[str] = "array"
    IMPORTS: ClassVar[list[str]] = ["import numpy as np"]
    #: the comment after ``DATA`` and after ``ADDED``
    DATA_NOTE: ClassVar[str] = "the data arrays after params, in this order"
    ADDED_NOTE: ClassVar[str] = "parameters only ever added: they start at zero"
    #: a copy of a gradient that is a parameter or a cached value (``None``: no copy needed)
    COPY: ClassVar[str | None] = ".copy()"
    #: what ``loss_and_grads`` says it returns beside the cost
    GRADIENTS: ClassVar[str] = "its gradients"
    #: the docstring lines on ``work`` (a NumPy module's ``_buffer`` keeps arrays there)
    WORK_NOTE: ClassVar[tuple[str, ...]] = (
        "",
        "    With a workspace dict ``work``, large arrays are kept in it and reused: what is",
        "    returned may live in ``work`` until the next call with it (copy it to keep it).",
    )
    #: the column sums of a ce target ``{y}`` under a softmax (1 x m), where the module cannot
    #: check that they are 1 (torch, JAX): backward computes the form that holds for any
    #: target (lowering.column_sums); None: it checks them (NumPy)
    COLUMN_SUMS: ClassVar[str | None] = None
    #: the column sums ordered after the softmax output they multiply and the comment's
    #: reason (JAX: lowering.column_sums.JAX_ORDERED); None: as :attr:`COLUMN_SUMS`
    ORDERED: ClassVar[tuple[str, str] | None] = None
    #: helper name -> its text, in the order the module defines the ones it calls
    HELPERS: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init__(self, plan: ModelPlan, printer: P) -> None:
        self.plan = plan
        self.printer = printer
        printer.float_indicators = True  # 1{t > 0} as a number of the arrays' dtype
        self.helpers: set[str] = set()
        self.shapes: dict[str, Shape] = dict(plan.shapes)
        self.reads_m = False  # whether the code written since the last reset reads m
        targets = [d.code for d in plan.sums_to_one]
        taken = {*self.shapes, *plan.cache, *(st.target for st in plan.backward)}
        #: each ce target's column sums' code name, none of the model's own (review22)
        self.sums_names = {y: sums_name(y, taken) for y in targets}
        #: whether the module writes each step's form before its stated assumption (torch,
        #: JAX: softmax with cross-entropy for any target); else it checks the sums (NumPy)
        self.for_any_target = self.COLUMN_SUMS is not None

    def init_text(self, per_example: bool) -> str:
        """The module's ``init_params``; ``per_example``: a parameter has one column or row
        per example, so it takes m (each backend's own text)."""
        raise NotImplementedError

    def check_text(self, per_example: bool) -> str:
        """The module's ``_check`` and ``_check_params``; ``per_example``: they compare a
        parameter's m with the data's (each backend's own text)."""
        raise NotImplementedError

    @functools.cached_property
    def work_tag(self) -> str:
        """What names this model in a workspace key (``"t1 3f0c2a9b"``): a digest of its text,
        its definitions and its values' shapes, so that modules of two models sharing one
        ``work`` dict keep arrays and latest caches of their own (hostile45a #1: the second
        model's forward wrote over the first's ``t1`` and its backward gave a wrong gradient,
        silently)."""
        model = self.plan.model
        shapes = sorted((name, tuple(map(str, dims))) for name, dims in self.plan.shapes.items())
        text = repr((model.text, model.define, shapes))
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    def work_key(self, name: str) -> str:
        """The workspace key of this module's array or cache ``name``."""
        return f"{name} {self.work_tag}"

    # -- the backend's spelling --------------------------------------------------------------
    def param_read(self, name: str) -> str:
        """How a function reads the parameter ``name`` from ``params``."""
        return self.read('params["' + name + '"]')

    def read(self, value: str) -> str:
        """How a function reads a parameter or data array it was given (``params["W"]``,
        ``X``): as it is; JAX's as a JAX array."""
        return value

    def reduction(self, kind: Kind, arg: str) -> str | None:
        """The code of a sum, trace or determinant of ``arg`` as a (1, 1) or column value."""
        return {
            Kind.TOTAL: f"{arg}.sum(keepdims=True)",
            Kind.ROWSUM: f"{arg}.sum(axis=1, keepdims=True)",
            Kind.TRACE: f"{self.NS}.trace({arg}).reshape(1, 1)",
            Kind.DET: f"{self.NS}.linalg.det({arg}).reshape(1, 1)",
        }.get(kind)

    def softmax(self, arg: str) -> str:
        """The softmax of each column of ``arg``."""
        self.helpers.add("softmax")
        return f"softmax({arg})"

    def summed(self, per_entry: str, mean: str) -> str:
        """The (1, 1) sum of the entries of ``per_entry``, over m where ``mean``."""
        return f"({per_entry}).sum(keepdims=True){mean}"

    def from_logits(self, s: ModelForward, code: str, mean: str) -> list[str]:
        """The loss ``s`` from its logits: ``code`` sums it over every entry."""
        z = s.logits
        out = comment(
            f"{s.record.name} of {s.record.logits_with}({z}) from the logits {z}: finite for "
            "any z, with no overflow and no log(0); summed over the entries"
        )
        out += line(f"{s.target} = {code}", "()")
        return out + line(f"{s.target} = {s.target}.reshape(1, 1){mean}", "(1, 1)")

    def about(self) -> list[str]:
        """The docstring's paragraphs after the data, ending by introducing the equations."""
        return [f"{EDIT} The model's equations:"]

    def forward_head(self) -> list[str]:
        """``def forward``, its docstring and its workspace check (keyword-only, but a list
        there failed deep inside: hostile27 #6)."""
        call = f"forward(params, {self.data_args()}*, work=None)"
        head = function(
            call,
            "The cost J (a float) and the cache: exactly what backward reads.",
            self.WORK_NOTE,
        )
        return head + work_check(call)

    def forward_tail(self) -> list[str]:
        """After the cache: forward's return (and any wrapper of it)."""
        return [f"    return float({self.plan.cost}[0, 0]), cache"]

    def backward_head(self) -> list[str]:
        """``def backward`` and its docstring."""
        return function(
            "backward(params, cache, work=None)",
            BACKWARD,
            [*PARAMS_NOTE, *self.WORK_NOTE, *self.sums_note()],
        )

    def means(self) -> str:
        """What a batch model averages over m: its losses (each the mean over the examples),
        said only where it has one (J = sum(tanh(W X)) is a sum, which the header called a
        mean: hostile38a #6)."""
        losses = sorted({s.record.name for s in self.plan.forward if s.kind is Kind.MODEL_LOSS})
        if not losses:
            return ""
        named = " and ".join(losses)
        return f"; {named} {'is' if len(losses) == 1 else 'are each'} the mean over them"

    def sums_note(self) -> list[str]:
        """The docstring sentence of backward and loss_and_grads on the column sums of the
        targets of a ce under a softmax, or none."""
        return function_note([d.code for d in self.plan.sums_to_one], self.for_any_target)

    def sums_checks(self) -> list[str]:
        """backward's check that each column of such a target sums to 1 (NumPy's), or none."""
        return []

    def typed(self, on: bool) -> None:
        """Print fills and zeros with the parameters' dtype (``on``) or with none."""
        self.printer.dtype = "dtype" if on else None  # a reserved name: no clash

    def dtype_lines(self, first: str, why: str = "every gradient has it") -> list[str]:
        """Where a function reads the dtype of the parameters (that of ``first``), which
        ``why`` has."""
        return [f'    dtype = params["{first}"].dtype  # {why}']

    def loss_and_grads(self) -> list[str]:
        """``loss_and_grads``: forward, then backward."""
        args = self.data_args()
        return [
            *function(
                f"loss_and_grads(params, {args}*, work=None)",
                f"The cost J (a float) and {self.GRADIENTS}, keyed like params.",
                [*self.WORK_NOTE, *self.sums_note()],
            ),
            f"    cost, cache = forward(params, {args}work=work)",
            "    return cost, _backward(params, cache, work)",
        ]

    def support(self) -> list[str]:
        """Fixed text after the input check (helpers of its own)."""
        return []

    def closing(self) -> list[str]:
        """Fixed text after ``loss_and_grads`` (a framework's wrapper of the cost)."""
        return []

    # -- the module --------------------------------------------------------------------------
    def module(self) -> str:
        forward = self.forward()
        backward = self.backward()
        loss = self.loss_and_grads()
        header = self.header()  # after the code: its imports are those the code reads
        called = self.helpers | self.printer.helpers
        body = ["", *STDS.splitlines()]
        for name, text in (*self.HELPERS, ("_math", MATH_HELPER)):
            if name in called:
                body += ["", *text.splitlines()]
        per_example = bool(self.plan.per_example)  # a parameter of one column per example
        init, check = self.init_text(per_example), self.check_text(per_example)
        body += ["", *init.splitlines(), "", *check.splitlines()]
        body += ["", *WORK_HELPER.splitlines(), "", *CACHE_SHAPE_HELPER.splitlines()]
        if self.KEEPS_ARRAYS:
            body += ["", *LATEST_CACHE_HELPER.splitlines()]
        lines = header + body + self.support() + forward + backward + loss + self.closing()
        return "\n".join(lines) + "\n"

    def data_args(self) -> str:
        """``"X, Y, "``: the data arguments after ``params``."""
        return "".join(f"{d.code}, " for d in self.plan.data)

    def code(self, expr: Any) -> str:
        return self.printer.code(expr)

    def assign(self, target: str, expr: Any, shape: Shape) -> list[str]:
        """``target = expr``, filled to ``shape`` where the printed form would be smaller."""
        text = self.code(expr)
        if self.printed_shape(expr) != tuple(shape):
            text = self.filled(expr, text, shape)
            self.reads_m = self.reads_m or "m" in shape
        return fitted(f"{target} = {text}", show_dims(shape))

    def filled(self, expr: Any, text: str, shape: Shape) -> str:
        """``text`` (the code of ``expr``) filled to ``shape``."""
        # a fill printed as a number (1.0, 1 / m; x^0 is 1.0 too, though it names x) is a
        # Python float: give it the dtype
        typed = "" if self.printed_shape(expr) is not None else self.printer.dtype_argument()
        return f"{self.NS}.full({show_dims(shape)}, {text}{typed})"

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
            f'"""Gradients of a model in {", ".join(p.name for p in plan.parameters)}'
            f"{self.NAMED}, generated by symbackprop.",
            "",
            f"Data {self.NOUN}s: {data}."
            + (f" Examples are along m{self.means()}." if plan.batch else ""),
            *module_note([d.code for d in plan.sums_to_one], self.for_any_target),
            *([""] if plan.sums_to_one else []),
            *self.about(),
        ]
        # a function of m alone (sqrt(m)) is Python's, on a number: see NUMBER_FUNCTIONS
        imports = ["import math", "", *self.IMPORTS] if self.printer.reads_math else self.IMPORTS
        lines = [*docstring(doc), "", *equations, '"""', "", *imports, ""]
        if plan.per_example:  # "m" where a parameter has a column or row per example
            lines += [
                '# "m": one column (or row) per example, of the size init_params(m=...) is given',
                "SHAPES: dict[str, tuple[int | str, int | str]] = {",
            ]
            lines += [f'    "{p.name}": {quoted_dims(p.shape)},' for p in plan.parameters]
        else:
            lines += ["SHAPES: dict[str, tuple[int, int]] = {"]
            lines += [f'    "{p.name}": {show_dims(p.shape)},' for p in plan.parameters]
        lines += ["}"]
        lines += [f"DATA = {python_tuple(d.name for d in plan.data)}  # {self.DATA_NOTE}"]
        lines += [f"# their shapes; m, the number of examples, is the same in every {self.NOUN}"]
        lines += code_dict(
            "DATA_SHAPES", [f'"{d.name}": {quoted_dims(d.shape)}' for d in plan.data]
        )
        lines += [f"ADDED = {python_tuple(plan.added)}  # {self.ADDED_NOTE}"]
        # where each kink lies (relu's, leaky_relu's and abs's at 0, of the argument or of
        # relu's output); a custom activation's would be solved for here, which SymPy may not
        # finish (review38 #1): such a module names none, as a network's, and gradcheck
        # watches every cached array (its KINKS = {} said it had none: hostile46c #1)
        if not any(_custom_kinked(s) for s in plan.forward):
            kinks = {k: kink_values(*how) for k, how in plan.kink_formulas.items()}
            lines += kinks_constant(kinks, [p.name for p in plan.parameters])
        if not self.for_any_target:  # the form for any target: no constraint to list
            lines += constant_line([d.name for d in plan.sums_to_one])
        return lines

    # -- forward -----------------------------------------------------------------------------
    def forward(self) -> list[str]:
        plan = self.plan
        data = python_tuple((d.code for d in plan.data), quote=False)
        out = self.forward_head()
        out += [f"    {'m = ' if plan.batch else ''}_check(params, {data})"]
        # a constant made in forward (a fill, an identity, an indicator of no cached array)
        # has the parameters' dtype (and device): a float64 fill in a float32 forward promoted
        # its products, and backward refused the cache (review37 #5)
        self.printer.reads_dtype = False
        self.typed(True)
        body = []
        for statement in plan.forward:
            body += [] if statement.source is None else ["", *comment(statement.source)]
            lines = self.forward_statement(statement)
            if lines and statement.meaning is not None and " " in statement.meaning:
                # a value inside an equation: what it is, in the model's names (the backward's
                # comments name it so: dJ/d(v^T h3)); none for one fused into the next line
                body += comment(f"{statement.target} = {statement.meaning}")
            body += lines
            for repeat in statement.same:
                body += comment(f"{repeat} is {statement.target}: the same value, computed once")
        self.typed(False)
        first = plan.parameters[0].name
        if self.printer.reads_dtype:
            out += self.dtype_lines(first, "every constant has it")
        out += self.linear_algebra_check(read_dtype=not self.printer.reads_dtype)
        read = {arg for statement in plan.forward for arg in statement.args}
        out += [
            f"    {p.code} = {self.param_read(p.name)}" for p in plan.parameters if p.code in read
        ]
        out += [
            f"    {d.code} = {self.read(d.code)}"
            for d in plan.data
            if d.code in read and self.read(d.code) != d.code
        ]
        out += body
        entries = [f'"{name}": {name}' for name in plan.cache]
        entries += ['"m": m'] if plan.batch else []
        out += code_dict("cache", entries, INDENT)
        if self.KEEPS_ARRAYS:
            out += keep_latest_cache(self.work_key(LATEST_CACHE))
        return out + self.forward_tail()

    def linear_algebra_check(self, read_dtype: bool = True) -> list[str]:
        """Where the model has det, inv or logdet: the lines that refuse arrays of fewer than
        32 bits (float16, bfloat16), which NumPy's, torch's and JAX's linear algebra do not
        compute in (each failed with its own message, naming no value: hostile23)."""
        used = sorted(
            {LINEAR_ALGEBRA[s.kind] for s in self.plan.forward if s.kind in LINEAR_ALGEBRA}
        )
        if not used:
            return []
        names = "/".join(used)
        first = self.plan.parameters[0].name
        read = [f'    dtype = params["{first}"].dtype  # every {self.NOUN}\'s, checked above']
        return [
            *(read if read_dtype else []),
            # NumPy's longdouble too: "array type float128 is unsupported in linalg", from
            # inside slogdet (hostile38a #5)
            f"    if not 4 <= dtype.itemsize <= 8:  # {names}: float32 and float64 only",
            "        raise ValueError(",
            f'            f"{{dtype}} {self.NOUN}s: this model\'s {names} run in the "',
            '            "linear-algebra library, which computes in float32 and float64 only; "',
            "            f\"convert them to {'float32' if dtype.itemsize < 4 else 'float64'}\"",
            "        )",
        ]

    def forward_statement(self, s: ModelForward) -> list[str]:
        """The code of one forward statement (its model line is written above it)."""
        shape = show_dims(s.shape)
        target, kind = s.target, s.kind
        if kind is Kind.MATMUL:
            left, right = s.args
            return line(f"{target} = {left} @ {right}", shape)
        reduced = self.reduction(kind, s.args[0]) if s.args else None
        if reduced is not None:
            return line(f"{target} = {reduced}", shape)
        if kind is Kind.LOGDET:
            self.helpers.add("logdet")
            return line(f"{target} = logdet({s.args[0]})", shape + ", via slogdet")
        if kind is Kind.COLUMN_SOFTMAX:
            return line(f"{target} = {self.softmax(s.args[0])}", shape)
        if kind is Kind.MODEL_LOSS:
            return self.loss(s)
        return self.assign(target, s.expr, s.shape)

    def m_read(self) -> list[str]:
        """The line that gives backward the batch size m: the number forward stored."""
        return [M_READ]

    def loss(self, s: ModelForward) -> list[str]:
        """``J = loss(a, y)``: from the logits with the loss record's code for this backend
        where it has one, else the record's formula entry by entry."""
        record = s.record
        a, y = s.args
        mean = " / m" if self.plan.batch else ""
        read = a if s.logits is None else s.logits
        # in float32 where the arrays are float16, under names of the module's own (a user's
        # name never starts with _), and back to their dtype after
        out = in_float32(self.printer, [read, y], ["_a" if s.logits is None else "_z", "_y"])
        back = cast_back(self.printer, s.target, read)
        back_line = fitted(f"{s.target} = {back}", "(1, 1): float32 back to float16")
        if s.logits is not None:
            code = record.logits_code[self.BACKEND].format(z="_z", y="_y")
            self.helpers |= record.helpers  # the module's functions the code calls
            return out + self.from_logits(s, code, mean) + back_line
        per_entry = self.printer.scalar_code(record.formula, {scalars.a: "_a", scalars.y: "_y"})
        out += comment(f"{record.description}, summed over the entries")
        return out + line(f"{s.target} = {self.summed(per_entry, mean)}", "(1, 1)") + back_line

    # -- backward ----------------------------------------------------------------------------
    def backward(self) -> list[str]:
        plan = self.plan
        read = frozenset().union(*(matrices(s.expr) for s in plan.backward))
        cached = [f'    {name} = cache["{name}"]' for name in plan.cache]
        if plan.batch:  # forward's shapes hold m
            cached += self.m_read()
        out = self.backward_head() + work_check("backward(params, cache, work=None)")
        out += cache_check([*plan.cache, *(["m"] if plan.batch else [])])  # forward stores m
        shapes = cache_shape_check(
            list(plan.cache), [show_dims(plan.shapes[name]) for name in plan.cache]
        )
        # m read where the checks read it: a parameter's shape holds it (plan.per_example)
        unread_m = (
            self.SPLIT_BACKWARD
            and not plan.per_example
            and not any(_reads_m(text) for text in shapes)
        )
        out += [text for text in cached if not (unread_m and text == M_READ)] + shapes
        if self.KEEPS_ARRAYS:
            out += latest_cache_check(self.work_key(LATEST_CACHE), [d.code for d in plan.data])
        out += params_check(list(plan.cache), self.DTYPE_CHECK, per_example=bool(plan.per_example))
        reads = [
            f"    {p.code} = {self.param_read(p.name)}" for p in plan.parameters if p.code in read
        ]
        if self.SPLIT_BACKWARD:
            out += ["    return _backward(params, cache, work)"]
            out += function(
                "_backward(params, cache, work)",
                "backward without its checks, for loss_and_grads (whose forward made the cache).",
                decorator=self.COMPUTE_DECORATOR,
            )
            # m only where the arithmetic reads it (backward's shape check read it there)
            out += reads + [text for text in cached if text != M_READ]
            m_at = len(out)
        else:
            out += reads
        out += self.sums_checks()
        self.printer.symbols.clear()
        self.reads_m = False
        self.typed(True)
        body = []
        for statement in plan.backward:
            body += [] if statement.gradient_of else [""]
            body += comment(f"{statement.text} [step {statement.step}, {statement.rule}]")
            body += self.backward_statement(statement)
        returned = ["    return {"]
        for p, target in plan.gradients:
            # every parameter reaches the cost (a model refuses an equation the cost never
            # reads), so a step of the derivation differentiates each
            assert target is not None, f"no step differentiates {p}"
            returned.append(f'        "{p}": {target},')
        returned.append("    }")
        if self.SPLIT_BACKWARD and plan.batch and any(_reads_m(text) for text in body):
            out.insert(m_at, M_READ)
        if self.printer.reads_dtype:
            out += self.dtype_lines(plan.parameters[0].name)
        self.typed(False)
        return out + body + returned

    def backward_statement(self, s: ModelBackward) -> list[str]:
        """The code of one backward statement (its step is written above it)."""
        sums, s = self.kept_sums(s)
        if sums:
            return sums + self.assign(s.target, s.expr, s.shape)
        return (
            self.own_copy(s)
            or self.two_factor_product(s)
            or self.assign(s.target, s.expr, s.shape)
        )

    def kept_sums(self, s: ModelBackward) -> tuple[list[str], ModelBackward]:
        """Where the module writes a step's form before its stated assumption
        (:attr:`for_any_target`) and the step has one, the lines computing each ce target's
        column sums and the step in that form, ``(S ⊙ Y_sums - Y) / m`` (right for any
        target); else no lines and ``s`` as it is."""
        if not self.for_any_target or s.general is None:
            return [], s
        assert self.COLUMN_SUMS is not None
        targets = [d.code for d in self.plan.sums_to_one]
        expr, rewritten = named_sums(s.general, targets, self.sums_names)
        if not rewritten:
            return [], dataclasses.replace(s, expr=s.general)
        for y in rewritten:  # a row: each column's sum
            self.shapes[self.sums_names[y]] = (1, self.shapes[y][1])
        columns = str(self.shapes[rewritten[0]][1])
        spell = self.COLUMN_SUMS.format
        lines = kept_sums_lines(
            expr,
            rewritten,
            self.sums_names,
            columns,
            lambda y: spell(y=y),
            self.code,
            self.ORDERED,
        )
        return lines, dataclasses.replace(s, expr=expr)

    def own_copy(self, s: ModelBackward) -> list[str]:
        """A gradient that is a parameter or a cached value (or its transpose), copied: a view
        would change under an in-place update of the parameters. So is one that is a view of
        such a view (``dt1 = w.T``, then ``dx = dt1.T`` is w: hostile22). Empty where none is
        needed."""
        if self.COPY is None or not s.gradient_of:
            return []
        view = _viewed(s.expr)
        if view is None:
            return []
        own = view.name in self._computed and view.name not in self._views
        if own and s.target not in self._shared_later:
            return []
        return line(f"{s.target} = {self.code(s.expr)}{self.COPY}", show_dims(s.shape))

    @functools.cached_property
    def _shared_later(self) -> set[str]:
        """The gradients that are views of an array an earlier gradient is (or views): with
        Q = W + P, ``dW = dQ`` and ``dP = dQ`` were one array, so adding weight decay to
        grads["W"] in place changed grads["P"] (hostile38a #1). Each after the first is copied."""
        source = {st.target: view.name for st in self.plan.backward if (view := _viewed(st.expr))}

        def root(name: str) -> str:
            seen = set()
            while name in source and name not in seen:
                seen.add(name)
                name = source[name]
            return name

        taken: set[str] = set()
        later = set()
        for st in self.plan.backward:
            if st.gradient_of and st.target in source:
                base = root(st.target)
                if base in taken:
                    later.add(st.target)
                taken.add(base)
        return later

    @functools.cached_property
    def _computed(self) -> set[str]:
        """The backward targets: arrays backward makes (or views, :meth:`_views`)."""
        return {st.target for st in self.plan.backward}

    @functools.cached_property
    def _views(self) -> set[str]:
        """The backward targets that are views of a parameter, a data array or a cached value:
        their statement is such a name or its transpose, or a view of another such target."""
        computed, views = self._computed, set()
        for st in self.plan.backward:  # in order: a view's source comes before it
            view = _viewed(st.expr)
            if view is not None and (view.name not in computed or view.name in views):
                views.add(st.target)
        return views

    def two_factor_product(self, s: ModelBackward) -> list[str]:
        """``target = A @ B`` for a product of two matrices (no coefficient, no ones); empty
        for any other statement."""
        if not isinstance(s.expr, MatMul):
            return []
        coeff, factors = self.printer._split_matmul(s.expr)
        if coeff != 1 or len(factors) != 2 or any(isinstance(f, OneMatrix) for f in factors):
            return []
        return self.product(s.target, factors[0], factors[1], s.shape)

    def product(self, target: str, left: Any, right: Any, shape: Shape) -> list[str]:
        """``target = left @ right`` (``left``/``right``: printed operands or expressions)."""
        a = left if isinstance(left, str) else self.printer.paren(left, MUL)
        b = right if isinstance(right, str) else self.printer.paren(right, MUL, strict=True)
        return line(f"{target} = {a} @ {b}", show_dims(shape))


def function(
    signature: str, summary: str, notes: Iterable[str] = (), decorator: str | None = None
) -> list[str]:
    """Two blank lines, ``def signature:`` (under ``@decorator``) and its docstring: ``summary``
    on the opening line, then the indented lines ``notes`` (none: a one-line docstring)."""
    head = ["", "", *([f"@{decorator}"] if decorator else []), f"def {signature}:"]
    notes = list(notes)
    if not notes:
        return [*head, f'    """{summary}"""']
    return [*head, f'    """{summary}', *notes, '    """']


def _reads_m(code: str) -> bool:
    """Whether a generated line's code (not its comment, whose shapes name m) reads m."""
    words = "".join(c if c.isalnum() or c == "_" else " " for c in code.split("#")[0])
    return "m" in words.split()


def matrices(expr: Any) -> frozenset[str]:
    """The names of the matrices ``expr`` reads."""
    return frozenset(sym.name for sym in expr.atoms(sp.MatrixSymbol))


def python_tuple(names: Iterable[str], *, quote: bool = True) -> str:
    """``("X", "Y")``, ``("X",)`` or ``()`` as ruff format writes them."""
    items = [f'"{n}"' if quote else n for n in names]
    if len(items) == 1:
        return f"({items[0]},)"
    return f"({', '.join(items)})"


#: ``Shape`` is handed on: a backend's emitter needs it with the class
__all__ = [
    "BACKWARD",
    "EDIT",
    "PARAMS_NOTE",
    "ModelEmitter",
    "Shape",
    "function",
    "matrices",
    "python_tuple",
]


def _viewed(expr: Any) -> Any:
    """The matrix symbol ``expr`` is a view of (itself, or under transposes), or None."""
    while isinstance(expr, Transpose):
        expr = expr.arg
    return expr if isinstance(expr, sp.MatrixSymbol) else None


def _custom_kinked(statement: Any) -> bool:
    """Whether ``statement`` applies a kinked activation of a ``define`` formula."""
    activation = getattr(statement.record, "activation", None)
    return bool(
        activation is not None and activation.custom_formula is not None and activation.kinked
    )
