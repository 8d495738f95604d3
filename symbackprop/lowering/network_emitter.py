"""What the NumPy, torch and JAX network emitters share: one walk of a network's lowering plan.

:class:`NetworkEmitter` writes the parts every backend's network module has alike (DESIGN.md,
"Generated module"): the docstring and constants (``SHAPES``, ``L2``, ``DEPTH``, ``DATA``,
``CACHE_READS``), the shape and dtype checks on entry to ``forward`` and ``backward``, the
walk of ``forward`` over the layers and of ``backward`` over the statements (each under the
provenance sentences of :class:`~symbackprop.lowering.provenance.Explainer`).
:class:`InPlaceEmitter` adds, for the backends that update arrays in place (NumPy, torch),
the lowering of a statement into few fresh arrays (``dZ2 = W3.T.dot(dZ3, ...)``, then
``dZ2 *= ...``, ``dZ2 += ...``). A backend's emitter subclasses one with its printer and
its spelling: class attributes for the words of its text, methods for what it writes
differently (a layer, a product into a workspace, a scaled or element-wise product, the cost).
The same plan gives the same bytes.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Generic

import sympy as sp
from sympy import HadamardPower, HadamardProduct, MatAdd, MatMul, OneMatrix

from symbackprop.lowering.column_sums import (
    constant_line,
    function_note,
    kept_sums_lines,
    module_note,
    named_sums,
    sums_name,
)
from symbackprop.lowering.model_template import (
    FLOAT16_MAX,
    keep_latest_cache,
    kinks_constant,
    latest_cache_check,
    work_check,
)
from symbackprop.lowering.printed_shapes import P
from symbackprop.lowering.provenance import Explainer, show_dims
from symbackprop.lowering.python_text import INDENT, comment, conjunction, docstring, fitted, line
from symbackprop.lowering.workspace import WorkspacePlanner
from symbackprop.records.kinks import kink_values
from symbackprop.records.nodes import Elementwise

if TYPE_CHECKING:
    from symbackprop.lowering.plan import BackwardStatement, ForwardLayer, LoweringPlan

#: what an entry check catches: a missing key, a value with no shape or dtype, a short shape
ERRORS = "AttributeError, IndexError, KeyError, TypeError"


#: backward's arithmetic after its checks, as backward and loss_and_grads call it
COMPUTE_CALL = "_backward(params, cache, Y, m, work)"


class NetworkEmitter(ABC, Generic[P]):
    """A network's module in one backend; a subclass writes :meth:`module` from the parts
    and says how a layer and a statement are written (:meth:`forward_layer`, :meth:`assign`)."""

    #: the backend named in the docstring's first line (``" in JAX"``; NumPy: none)
    NAMED: ClassVar[str] = ""
    IMPORTS: ClassVar[tuple[str, ...]] = ("import numpy as np",)
    #: the module's word for its values, plural: "arrays" or "tensors"
    NOUN: ClassVar[str] = "arrays"
    #: the decorator of forward and backward (torch's ``_no_grad``), or none
    DECORATOR: ClassVar[str | None] = None
    #: how a dtype is compared on entry: ``is`` (one object per dtype) or ``==`` (JAX)
    SAME: ClassVar[str] = "is"
    #: whether the cache's arrays are checked to have X's dtype (not JAX's: with x64 off it
    #: computes them in float32 while a NumPy X stays float64)
    CACHE_DTYPES: ClassVar[bool] = True
    #: the module's name of the one type its entry checks pass at once, ``type(W1) is
    #: _ARRAY`` (NumPy's ``np.ndarray``: any subclass, a ``np.matrix`` whose ``*`` multiplies
    #: matrices or a subclass of one, goes to ``_invalid``, which refuses a matrix by
    #: ``isinstance``), or None
    ARRAY_TYPE: ClassVar[str | None] = None
    #: the entry checks' test that an array ``{a}`` is of no refused type (JAX's: not a
    #: masked array, whose mask the gradients would ignore; ``_invalid`` names it), or None
    NOT_REFUSED: ClassVar[str | None] = None
    #: the entry checks' compare of a tensor ``{a}`` with X's device: forward's of the first
    #: weight, backward's of Y (torch: a product of a meta X beside tensors on the CPU computes
    #: from no data, where any other misplaced tensor makes torch raise, which ``_no_grad``
    #: explains), or None
    SAME_DEVICE: ClassVar[str | None] = None
    #: whether backward's entry sends a batch over float16's 65504 to ``_invalid``, which
    #: refuses it in float16 (NumPy, JAX: the mean over the batch would overflow); forward's
    #: does so in FORWARD_ENTRY
    M_LIMIT: ClassVar[bool] = False
    #: forward's entry, after ``try:``: its comment and the lines before the parameters'
    FORWARD_ENTRY: ClassVar[tuple[str, ...]]
    #: what forward's ``try`` catches
    FORWARD_ERRORS: ClassVar[str] = ERRORS
    #: forward's and backward's docstring lines on ``work`` (after their summaries)
    FORWARD_WORK: ClassVar[tuple[str, ...]]
    BACKWARD_WORK: ClassVar[tuple[str, ...]]
    #: the comment of backward's ``try:``
    BACKWARD_TRY: ClassVar[str] = (
        "shapes on entry: tuple compares only; _invalid says what is wrong"
    )
    #: backward's name for the arrays' dtype, in which an exactly-zero gradient is made
    ZERO_DTYPE: ClassVar[str] = "X.dtype"
    #: whether a delta read for the last time is ``del``-eted (its array free for later)
    RELEASES: ClassVar[bool] = True
    #: the column sums of a target ``{y}`` (1 x m) where softmax with cross-entropy would
    #: assume them 1 and the module cannot check it (torch, JAX): backward computes the form
    #: that holds for any target (lowering.column_sums); None: it checks them (NumPy)
    COLUMN_SUMS: ClassVar[str | None] = None
    #: the column sums ordered after the softmax output they multiply and the comment's
    #: reason (JAX: :data:`~symbackprop.lowering.column_sums.JAX_ORDERED`); None: as
    #: :meth:`column_sums`
    ORDERED: ClassVar[tuple[str, str] | None] = None

    #: ||W||_F^2 of the weight ``W`` as a 0-d value, in the backend's words (the L2 term)
    SQUARED_NORM: ClassVar[str] = "(W * W).sum()"

    #: whether the module writes into arrays kept in ``work`` (NumPy, torch; not JAX's pure
    #: functions): its forward keeps its latest cache there, and backward refuses an older one
    KEEPS_ARRAYS: ClassVar[bool] = False
    #: whether backward's checks and its arithmetic (``_backward``) are two functions, so that
    #: loss_and_grads checks each input once (NumPy: about 1 us of a 10 us gradient)
    SPLIT_BACKWARD: ClassVar[bool] = False

    def __init__(self, plan: LoweringPlan, printer: P) -> None:
        self.plan = plan
        self.printer = printer
        #: an indicator in arithmetic of its own (hard-tanh's 1{Z1 > -1} - 1{Z1 > 1}) in the
        #: arrays' dtype: NumPy, torch and JAX refuse to subtract bool arrays; alone, it
        #: stays a bool mask multiplied in (:meth:`ArrayPrinter.factor_code`)
        printer.float_indicators = True
        self.cached = [value.name for value in plan.cache]
        self.shapes = {value.name: value.shape for value in plan.cache}
        self.explainer = Explainer(plan, printer.scalar_code)
        #: the workspace's arrays and which value lives in which; a product writes into one
        #: by its name (``out.get("dZ2")``)
        # keyed by a digest of the network and its arrays' shapes too (a named width's size is
        # in the shapes only): modules of two networks, or of one at two sizes, share one dict
        shapes = [(value.name, value.shape) for value in plan.cache]
        digest = hashlib.sha256(repr((plan.network, shapes)).encode()).hexdigest()[:8]
        self.planner = WorkspacePlanner(digest)

    def l2_cost(self, total: str) -> list[str]:
        """The lines that add weight decay to the cost ``total`` (a 0-d value): (L2 / 2m)
        ||W_l||_F^2 for every layer (each W_l n_l x n_{l-1}), each W read in ``total``'s dtype
        (float32 where the arrays are float16: ||W||^2 may not fit there where the cost does);
        none without weight decay."""
        if not self.plan.cost.l2:
            return []
        weight = self.printer.TO_DTYPE.format(a='params[f"W{layer}"]', d=f"{total}.dtype")
        return [
            *comment("L2 weight decay: (L2 / 2m) times the sum of ||W||_F^2 over layers"),
            "    for layer in range(1, DEPTH + 1):",
            f"        W = {weight}",
            f"        {total} = {total} + L2 / (2 * m) * {self.SQUARED_NORM}",
        ]

    def code(self, expr: Any) -> str:
        return self.printer.code(expr)

    # -- the module's docstring and constants ----------------------------------------------
    def about(self) -> list[str]:
        """Paragraphs of the docstring after the common one (the backend's own)."""
        return []

    def header(self) -> list[str]:
        plan = self.plan
        loss = plan.cost.loss
        x, y = plan.data
        # the penalty is emitted only for a network with one: with L2 = 0 no line reads L2
        penalty = " plus (L2 / 2m) sum_l ||W_l||_F^2" if plan.cost.l2 else ""
        doc = [
            f'"""Gradients of {plan.network} ({loss.name} loss){self.NAMED}, generated by '
            "symbackprop.",
            "",
            f"Examples are the columns of X {show_dims(plan.data_shapes[x])} and Y "
            f"{show_dims(plan.data_shapes[y])}. J is the mean over the m columns of "
            f"the loss ({loss.description}){penalty}. Each backward line "
            "is read off a step of the symbolic derivation; [step k] numbers the steps. "
            "Regenerate rather than edit.",
            *self.about(),
            *module_note(plan.sums_to_one, self.for_any_target),
            '"""',
        ]
        lines = [*docstring(doc), "", *self.IMPORTS, ""]
        lines += ["SHAPES: dict[str, tuple[int, int]] = {"]
        lines += [f'    "{p.name}": {show_dims(p.shape)},' for p in plan.parameters]
        lines += ["}", f"L2: float = {float(plan.cost.l2)!r}", f"DEPTH = {plan.depth}"]
        data = ", ".join(f'"{name}"' for name in plan.data)
        lines += [f"DATA = ({data})  # the data {self.NOUN} after params, in this order"]
        reads = [f'"{name}"' for name in plan.backward_reads]
        lines += conjunction("CACHE_READS", reads, "", joiner=", ")
        # a custom activation's kinks would be solved for here, which SymPy may not finish
        # (review38 #1): such a module names none, and gradcheck watches every cached array
        acts = [layer.activation for layer in plan.forward]
        if not any(act.kinked and act.custom_formula is not None for act in acts):
            # where each kink lies, as gradcheck reads it in memory: a registered activation's
            # kink at 1 was written as one at 0 (review39 #5)
            watched = plan.watched.items()
            lines += kinks_constant({k: kink_values(*how) for k, how in watched})
        return lines + constant_line(plan.sums_to_one if self.COLUMN_SUMS is None else ())

    def sums_note(self) -> list[str]:
        """The docstring sentence of backward and loss_and_grads on Y's column sums, or none."""
        return function_note(self.plan.sums_to_one, self.for_any_target)

    # -- entry checks -------------------------------------------------------------------------
    def function_head(self, signature: str) -> list[str]:
        """Two blank lines and ``def signature:`` (under the backend's decorator)."""
        return ["", "", *([f"@{self.DECORATOR}"] if self.DECORATOR else []), f"def {signature}:"]

    @staticmethod
    def refused(errors: str, call: str) -> list[str]:
        """The end of an entry check: what it catches, and ``_invalid`` (which says what is
        wrong) when a check failed."""
        return [
            f"    except ({errors}):",
            "        ok = False",
            "    if not ok:",
            f"        _invalid({call})",
        ]

    def forward_checks(self) -> list[str]:
        """forward's ``try`` block: X's shape and dtype, then each layer's parameters."""
        x = self.plan.data[0]
        out = [line.format(n0=self.plan.data_shapes[x][0]) for line in self.FORWARD_ENTRY]
        shapes = {p.name: show_dims(p.shape) for p in self.plan.parameters}
        for index, layer in enumerate(self.plan.forward):
            w, b = layer.weight.name, layer.bias.name
            out.append(f'        {w}, {b} = params["{w}"], params["{b}"]')
            out.append(
                f"        ok = ok and {w}.shape == {shapes[w]} and {b}.shape == {shapes[b]}"
            )
            if self.SAME_DEVICE and index == 0:  # one compare: addmm reads a meta X as zeros
                out.append(f"        ok = ok and {self.SAME_DEVICE.format(a=w)}")
            out.append(
                f"        ok = ok and {w}.dtype {self.SAME} dtype and {b}.dtype {self.SAME} dtype"
            )
            if self.ARRAY_TYPE:
                w_ok, b_ok = (f"type({a}) is {self.ARRAY_TYPE}" for a in (w, b))
                out.append(f"        ok = ok and {w_ok} and {b_ok}")
            if self.NOT_REFUSED:
                w_ok, b_ok = (self.NOT_REFUSED.format(a=a) for a in (w, b))
                out.append(f"        ok = ok and {w_ok} and {b_ok}")
        return out + self.refused(self.FORWARD_ERRORS, "params, X")

    def backward_checks(self) -> list[str]:
        """What backward checks of Y and the weights it reads (after the cache is read)."""
        plan = self.plan
        weight_shapes = {p.name: show_dims(p.shape) for p in plan.parameters}
        y = plan.data[1]
        checks = [f"Y.shape == {show_dims(plan.data_shapes[y])}", f"Y.dtype {self.SAME} X.dtype"]
        checks += [f"{name}.shape == {weight_shapes[name]}" for name in plan.backward_parameters]
        # the weights and the cache's other arrays in X's shapes and dtype (a cache edited by
        # hand, or one of float64 beside float32 weights, failed inside the products or
        # promoted the gradients)
        checks += [f"{name}.dtype {self.SAME} X.dtype" for name in plan.backward_parameters]
        cached = [name for name in plan.backward_reads if name != plan.data[0]]
        checks += [f"{name}.shape == {show_dims(self.shapes[name])}" for name in cached]
        checks += self.cached_x_shape()
        if self.CACHE_DTYPES:
            checks += [f"{name}.dtype {self.SAME} X.dtype" for name in cached]
        if self.ARRAY_TYPE:
            names = [y, *plan.backward_parameters, *cached]
            if plan.data[0] in plan.backward_reads:  # the cache's X too (a masked X ran)
                names.append(plan.data[0])
            checks += [f"type({name}) is {self.ARRAY_TYPE}" for name in names]
        if self.NOT_REFUSED:
            checks += [self.NOT_REFUSED.format(a=name) for name in [y, *plan.backward_parameters]]
        if self.M_LIMIT:
            checks.append(f"m <= {FLOAT16_MAX}")
        return conjunction("ok", checks, INDENT * 2)

    def cached_x_shape(self) -> list[str]:
        """The check of the cache's X, where backward reads it: m is its column count, and
        its rows must be n0 (an X of 3 rows for a 4-input network gave a 3 x 3 dJ/dW1)."""
        x = self.plan.data[0]
        if x not in self.plan.backward_reads:
            return []
        return [f"{x}.shape == {show_dims(self.plan.data_shapes[x])}"]

    # -- forward -------------------------------------------------------------------------------
    def forward(self) -> list[str]:
        plan = self.plan
        x = plan.data[0]
        out = self.function_head("forward(params, X, work=None)")
        out += [
            f'    """Forward propagation; X is {show_dims(plan.data_shapes[x])}, one example per '
            "column.",
            "",
            f"    Returns ({plan.cost.output}, cache): the output and exactly what backward and "
            "the cost read.",
            *self.FORWARD_WORK,
            '    """',
            *work_check("forward(params, X, work=None)"),
        ]
        out += self.forward_checks()
        out += self.forward_reads()
        out += self.forward_layers()
        out.append("    cache = {")
        out += [f'        "{name}": {name},' for name in self.cached]
        out.append("    }")
        if self.KEEPS_ARRAYS:
            out += self.keep_cache()
        out.append(f"    return {plan.cost.output}, cache")
        return out

    def forward_reads(self) -> list[str]:
        """What forward does to X and the parameters once they are checked: nothing; JAX
        reads them as JAX arrays."""
        return []

    @property
    def latest_cache(self) -> str:
        """The key of forward's latest cache in a workspace (this network's, as the arrays'
        keys are: two modules may share one ``work``)."""
        return f"latest cache {self.planner.tag}"

    def forward_layers(self) -> list[str]:
        """Every layer's statements, in order."""
        return [text for layer in self.plan.forward for text in self.forward_layer(layer)]

    @abstractmethod
    def forward_layer(self, layer: ForwardLayer) -> list[str]:
        """The statements of one layer, under a comment naming it."""

    # -- backward ------------------------------------------------------------------------------
    def backward(self) -> list[str]:
        plan = self.plan
        y = plan.data[1]
        out = self.function_head("backward(params, cache, Y, work=None)")
        out += [
            f'    """Gradients of J, keyed like params ("W1" -> dJ/dW1); Y is '
            f"{show_dims(plan.data_shapes[y])}.",
            "",
            *self.BACKWARD_WORK,
            *self.sums_note(),
            '    """',
            *work_check("backward(params, cache, Y, work=None)"),
            f"    try:  # {self.BACKWARD_TRY}",
        ]
        out += [f'        {name} = params["{name}"]' for name in plan.backward_parameters]
        for name in plan.backward_reads:
            out += line(f'    {name} = cache["{name}"]', show_dims(self.shapes[name]))
        out += line("    m = X.shape[1]", "the number of examples")
        out += self.backward_checks()
        out += self.refused(
            "AttributeError, IndexError, KeyError, TypeError", "params, Y=Y, cache=cache"
        )
        if self.KEEPS_ARRAYS:
            out += self.cache_check([plan.data[0]])
        if self.SPLIT_BACKWARD:
            out += self.compute_head(y)
        out += self.backward_begins()
        # a gradient that is exactly zero is written as zeros in X's dtype, that of the products
        self.printer.dtype = self.ZERO_DTYPE
        for statement in self.backward_order(plan.backward):
            out += self.statement(statement)
        self.printer.dtype = None
        out.append("    return {")
        out += [f'        "{param}": {target},' for param, target in plan.gradients]
        out.append("    }")
        return out

    def compute_head(self, y: str) -> list[str]:
        """backward's call of ``_backward`` once its checks passed, and the head of that
        function: the gradients' arithmetic, which loss_and_grads calls directly (its forward
        checked params and X and made the cache, and it checks Y itself), reading again the
        arrays it reads."""
        plan = self.plan
        out = [f"    return {COMPUTE_CALL}", *self.function_head(f"{COMPUTE_CALL}:")[:-1]]
        out += [
            f"def {COMPUTE_CALL}:",
            f'    """backward after its checks of params, cache and {y}: loss_and_grads calls it',
            '    directly, and so checks each input once."""',
        ]
        out += [f'    {name} = params["{name}"]' for name in plan.backward_parameters]
        out += [f'    {name} = cache["{name}"]' for name in plan.backward_reads]
        return out

    def keep_cache(self) -> list[str]:
        """forward's lines that keep its cache in the workspace (:func:`keep_latest_cache`)."""
        return keep_latest_cache(self.latest_cache)

    def cache_check(self, data: list[str]) -> list[str]:
        """backward's lines that refuse a cache a later forward wrote over."""
        return latest_cache_check(self.latest_cache, data)

    def backward_begins(self) -> list[str]:
        """What is written (and set) between the entry checks and the first statement."""
        return []

    def backward_order(
        self, statements: tuple[BackwardStatement, ...]
    ) -> tuple[BackwardStatement, ...]:
        """The backward statements in the order the backend writes them: the plan's (the
        derivation's step order), unless the backend moves one for speed (NumPy)."""
        return statements

    def statement(self, statement: BackwardStatement) -> list[str]:
        """One backward statement under its provenance; a delta opens a new paragraph."""
        expr, sums = statement.expr, []
        if self.for_any_target and statement.general is not None:
            # the step's form before its stated assumption, its column sums named once
            expr, targets = named_sums(statement.general, self.plan.sums_to_one)
            names = {y: sums_name(y) for y in targets}  # a network's names are its own
            sums = kept_sums_lines(
                expr, targets, names, "m", self.column_sums, self.code, self.ORDERED
            )
        code = self.assign(statement.target, expr, show_dims(statement.shape))
        out = [] if statement.gradient_of else [""]
        out += self.before_statement()
        for paragraph in self.explainer.statement(statement):
            out += comment(paragraph)
        out += sums + code
        for name in statement.releases if self.RELEASES else ():
            out += line(f"del {name}", "read for the last time above")
            self.planner.release(name)
        return out

    @property
    def for_any_target(self) -> bool:
        """Whether the module writes a step's form before its stated assumption (torch, JAX:
        softmax with cross-entropy for any target, its column sums by :attr:`COLUMN_SUMS`);
        else it keeps the assumed form and checks the assumption (NumPy)."""
        return self.COLUMN_SUMS is not None

    def column_sums(self, target: str) -> str:
        """The code of the column sums of ``target`` (1 x m), by :attr:`COLUMN_SUMS`."""
        assert self.COLUMN_SUMS is not None
        return self.COLUMN_SUMS.format(y=target)

    def before_statement(self) -> list[str]:
        """Lines a statement needs before its provenance (NumPy: the workspace's ``out``)."""
        return []

    @abstractmethod
    def assign(self, target: str, expr: Any, shape: str) -> list[str]:
        """Statements that leave ``expr`` in a new value named ``target``."""


class InPlaceEmitter(NetworkEmitter[P]):
    """A network emitter for a backend whose arrays are updated in place (NumPy, torch):
    :meth:`assign` lowers a statement into few fresh arrays; the backend spells an
    element-wise product, a scale, a product and a row sum."""

    KEEPS_ARRAYS = True

    def fresh(self, expr: Any) -> bool:
        """True if printing ``expr`` makes a new array (safe to update in place)."""
        if isinstance(expr, MatMul):
            coeff, matrices = self.printer._split_matmul(expr)
            return coeff != 1 or len(matrices) > 1
        if isinstance(expr, Elementwise) and expr.derivative_name is None:
            return expr.activation_name is None and expr.indicator is None
        return isinstance(expr, (MatAdd, HadamardProduct, HadamardPower, Elementwise))

    def plain_product(self, expr: Any) -> bool:
        """Whether ``expr`` is a product of two matrices with no coefficient."""
        if not isinstance(expr, MatMul):
            return False
        coeff, matrices = self.printer._split_matmul(expr)
        return coeff == 1 and len(matrices) == 2

    def assign(self, target: str, expr: Any, shape: str) -> list[str]:
        """Statements that leave ``expr`` in a new array named ``target``, updating in place:
        an element-wise product factor by factor, a scaled expression then its scale, a sum
        term by term from its fresh first term (a plain product first: it can be written
        straight into the workspace), a product of two matrices into its workspace array."""
        printer = self.printer
        if isinstance(expr, HadamardProduct):
            return self.elementwise_product(target, list(expr.args), shape)
        if isinstance(expr, MatMul):
            coeff, matrices = printer._split_matmul(expr)
            body = matrices[0] if len(matrices) == 1 else MatMul(*matrices)
            if coeff != 1 and self.fresh(body):
                return self.assign(target, body, shape) + self.scale(target, coeff, shape)
        if isinstance(expr, MatAdd):
            terms = sorted(expr.args, key=lambda t: not self.plain_product(t))
            base = next((t for t in terms if self.fresh(t) and printer._negated(t) is None), None)
            if base is not None:
                lines = self.assign(target, base, shape)
                held = base  # the value ``target`` holds, until the next term changes it
                for term in terms:
                    if term is base:
                        continue
                    neg = printer._negated(term)
                    op, value = ("-=", neg) if neg is not None else ("+=", term)
                    if held is not None:
                        # the term right after the base reads the base's array, not the base
                        # again: softmax's g - 1 1^T (a ⊙ g) computed g twice, (A - Y) * inv_m
                        # and (A - Y) / m rounded apart, and a saturated column's gradient was
                        # 6e-17, not 1e-26 (hostile40a #2)
                        value = value.xreplace({held: sp.MatrixSymbol(target, *held.shape)})
                        held = None
                    lines += fitted(f"{target} {op} {printer._constant_or(value, 0)}", shape)
                return lines
            other = self.other_sum(target, terms, shape)
            if other is not None:
                return other
        if isinstance(expr, MatMul):
            coeff, matrices = printer._split_matmul(expr)
            if coeff == 1 and len(matrices) == 2 and not isinstance(matrices[1], OneMatrix):
                return self.product(target, matrices[0], matrices[1], shape)
            if coeff == 1 and len(matrices) == 2 and matrices[1].shape[1] == 1:
                return self.row_sums(target, matrices[0], shape)
        return fitted(f"{target} = {self.code(expr)}", shape)

    @abstractmethod
    def elementwise_product(self, target: str, factors: list[Any], shape: str) -> list[str]:
        """``target = f1 * f2 * ...``, from a fresh factor's array where there is one."""

    @abstractmethod
    def scale(self, target: str, coeff: Any, shape: str) -> list[str]:
        """``target`` times the number ``coeff``, in place."""

    def other_sum(self, target: str, terms: list[Any], shape: str) -> list[str] | None:
        """A sum with no fresh term to start from, in the backend's own way; ``None``: printed."""
        return None

    @abstractmethod
    def product(self, target: str, left: Any, right: Any, shape: str) -> list[str]:
        """``target = left @ right``, into its workspace array."""

    @abstractmethod
    def row_sums(self, target: str, matrix: Any, shape: str) -> list[str]:
        """``target = matrix 1_m``: the row sums of ``matrix``."""
