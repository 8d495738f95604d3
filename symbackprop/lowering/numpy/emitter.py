"""The NumPy emitter: a lowering plan becomes a self-contained, readable Python module.

The module follows the contract of DESIGN.md (``SHAPES``, ``L2``, ``DATA``, ``init_params``,
``forward``, ``backward``, ``loss_and_grads``). Everything it computes is in the plan
(:mod:`symbackprop.lowering.plan`); what is NumPy's is decided here:

* each plan expression is printed by
  :class:`~symbackprop.lowering.numpy.printer.NumPyPrinter`, under the sentences of
  :class:`~symbackprop.lowering.provenance.Explainer` that name the derivation step it is read
  off and why it has that form;
* expressions are lowered in place where that is safe: ``(W3^T dZ3) ⊙ A2 ⊙ (1 - A2)``
  becomes ``dZ2 = W3.T.dot(dZ3, ...)``, ``dZ2 *= A2``, ``dZ2 *= one - A2`` (one fresh
  array instead of four), ``(1/m)(A3 - Y)`` becomes ``dZ3 = A3 - Y``, ``dZ3 *= inv_m`` (1/m
  as a 0-d array of dZ3's dtype, see below; skipped when m is 1, where it would change no
  number); a factor ``1.0 - A2**2`` is
  evaluated in the array of ``A2**2`` (one temporary, not two, a workspace array when there
  is one); a pre-activation that nothing reads later is overwritten by its activation
  (``A1 = np.tanh(Z1, out=Z1)``), one that stays cached leaves its activation in the
  workspace; ``db = dZ 1_m`` is one matrix-vector product with a column of ones, far cheaper
  than ``sum`` on small arrays, and a copy of dZ when m is 1 (no product);
* the calls are few and cheap, since on small networks each NumPy call costs more than its
  arithmetic: plain operators, positional ``out`` (by keyword for ``np.minimum`` and
  ``np.maximum``, which NumPy 2.4 makes three times dearer positionally), no helper call per
  product or activation. Products of small arrays are ``A.dot(B, out.Z1)`` (the
  method skips ``np.dot``'s ``__array_function__`` dispatch, 1.5K instructions a call;
  ``np.dot`` costs a third less than ``np.matmul`` on small arrays); products with a width of
  :data:`LARGE` or more are ``np.matmul(A, B, out.Z1)`` (``dot`` zeroes its output
  before BLAS writes it: an extra pass over a large array), and an outer product among them
  (inner width 1) ``np.multiply`` with broadcasting: ``out`` is ``_FRESH`` without a
  workspace (None for every array: fresh arrays), else the arrays that ``_workspace`` keeps
  in the caller's ``work`` for this m and these dtypes, fetched once per function with one
  dict lookup (an attribute read per product, cheaper than a dict's ``get``, and no helper
  call once they are made); a product takes the array of a delta read for the last time
  when the shapes agree, so a workspace holds no more arrays than the hand-written loop does;
* constants are 0-d arrays of the arrays' dtype, which NumPy takes as operands 1.5K
  instructions a call faster than Python floats, with the same values: the sigmoid's 80 and 1
  (``_typed``, made once per dtype), and backward's 1/m and 1 with the 1_m of db
  (``_batch_constants``, made once per m and dtype, a few kept), each fetched once per
  function;
* entry checks are tuple compares (``n0, m = X.shape`` unpacks and checks the rank at once);
* a delta the plan releases is ``del``-eted after its last read;
* each bias gradient ``db2 = dZ2 1_m`` comes right after its delta, ahead of ``dW2``
  (:meth:`_NumPyModule.backward_order`), while dZ2 is still in the CPU cache.

Stable numerics: a sigmoid layer is written out as e / (1 + e) with e = exp(min(z, 80)) (11 in
float16; the
module's helper ``sigmoid``, :mod:`symbackprop.lowering.numpy.template`, computes the same
where a derivative needs it);
BCE with a sigmoid output and cross-entropy with a softmax output are computed from the logits
with the loss record's NumPy code (``Loss.logits_code["numpy"]``): ``max(z, 0) - y z +
log1p(e^-|z|)``, and ``log_softmax`` (the model template's helper), which subtracts the column
maximum and takes log-sum-exp as log1p of the sum without one largest term. All of these stay
finite, with no warnings, for |z| up to 1e3 in float32 and float64.

The output is deterministic (the same plan gives the same bytes), every line is within 99
characters, and the text passes ``ruff format --check`` and ``ruff check``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import HadamardPower, MatAdd, MatMul, OneMatrix, Transpose

from symbackprop.lowering import names
from symbackprop.lowering.array_printer import ATOM, MUL, mask_factors
from symbackprop.lowering.column_sums import SUMS_HELPER
from symbackprop.lowering.half_cost import in_float32
from symbackprop.lowering.model_template import LATEST_CACHE_HELPER, WORK_HELPER, work_check
from symbackprop.lowering.network_emitter import COMPUTE_CALL, InPlaceEmitter
from symbackprop.lowering.network_template import STDS
from symbackprop.lowering.numpy.model_template import LOG_SOFTMAX_HELPER
from symbackprop.lowering.numpy.printer import NumPyPrinter
from symbackprop.lowering.numpy.template import (
    ARRAYS_HELPER,
    BATCH_HELPER,
    INIT_PARAMS,
    INVALID_HELPER,
    RELU_STEPS,
    RELU_TEMPLATE,
    SIGMOID_HELPER,
    SIGMOID_STEPS,
    SIGMOID_TEMPLATE,
    TYPED_HELPER,
    WORKSPACE_DOC,
    ZERO_ROW_HELPER,
)
from symbackprop.lowering.provenance import show_dims
from symbackprop.lowering.provenance import text as plain_text
from symbackprop.lowering.python_text import INDENT, comment, conjunction, fitted, line
from symbackprop.records import scalars

if TYPE_CHECKING:
    from symbackprop.lowering.plan import BackwardStatement, Dims, ForwardLayer, LoweringPlan

#: the comment over the cost computed from the logits (the loss record's NumPy code), by loss
LOGITS_NOTES = {
    "bce": "binary cross-entropy from the logits: -[y log a + (1 - y) log(1 - a)] with "
    "a = sigmoid(z) is max(z, 0) - y z + log(1 + e^-|z|): finite and warning-free for any z, "
    "and to full relative precision where it is tiny",
    "ce": "cross-entropy from the logits: log a = z - logsumexp(z) per column, with the "
    "column max subtracted first so that exp cannot overflow, and the log of the sum as log1p "
    "of the sum without one largest term (e^0 = 1): exact even where the loss is tiny (a "
    "confident right answer)",
}

#: a product with a width (rows, inner or columns; m aside) of at least this many is "large":
#: it is spelled ``np.matmul`` (or ``np.multiply``), not ``A.dot`` (see ``spelling``)
LARGE = 256


def emit(plan: LoweringPlan) -> str:
    """The NumPy module for ``plan``, as source text."""
    return _NumPyModule(plan).module()


class _NumPyModule(InPlaceEmitter[NumPyPrinter]):
    """Writes the module text for one plan."""

    SQUARED_NORM = "np.vdot(W, W)"

    FORWARD_ENTRY = (
        "    try:  # shapes and dtypes on entry: tuple and dtype compares only; _invalid says",
        "        # what is wrong. One dtype, X's: mixed, the gradients' dtypes would differ",
        "        n0, m = X.shape  # m: the number of examples",
        "        dtype = X.dtype  # floating-point: all-integer arrays would fail inside NumPy",
        "        # m over 65504 goes to _invalid, which refuses it in float16 only (the mean",
        "        # over the batch would overflow); an ndarray, exactly: a subclass (np.matrix,",
        "        # whose * multiplies matrices, or one of its own) goes to _invalid too",
        '        ok = 0 < m <= 65504 and n0 == {n0} and dtype.kind == "f" and type(X) is _ARRAY',
        "        ok = ok and dtype.isnative  # another byte order (>f8) goes to _invalid too",
    )
    ARRAY_TYPE = "_ARRAY"
    M_LIMIT = True
    SPLIT_BACKWARD = True
    FORWARD_ERRORS = "AttributeError, KeyError, TypeError, ValueError"
    FORWARD_WORK = ("    With a workspace dict ``work``, the arrays are reused across calls.",)
    BACKWARD_WORK = (
        "    ``params`` must hold what forward was given (update the parameters after backward:",
        "    the cache was computed from them). Reads the forward cache and never recomputes",
        "    what it holds; with a workspace dict ``work`` the large products go into arrays",
        "    reused across calls.",
    )

    def __init__(self, plan: LoweringPlan) -> None:
        super().__init__(plan, NumPyPrinter(plan.activations, guards=plan.guards))
        #: every array a product may read or write: name -> its concrete shape
        self.dims: dict[str, Dims] = {p.name: p.shape for p in plan.parameters}
        self.dims.update(plan.data_shapes)
        for layer in plan.forward:
            for statement in (layer.linear, layer.output):
                self.dims[statement.target] = statement.shape
        self.dims.update((statement.target, statement.shape) for statement in plan.backward)
        self.logits = plan.cost.from_logits
        self.typed = False  # whether the module reads the typed constants 80 and 1 (_TYPED)
        self.has_typed = False  # whether forward has fetched them (once, before the first use)
        self.zero_rows = False  # whether the module reads relu's row of zeros (_ZERO_ROWS)
        self.has_zeros = False  # whether forward has fetched it (once, before the first use)
        #: the operand whose dtype the workspace takes, once a function's first product is
        #: written and its ``out = ...`` line is still to come
        self.dtype_from: str | None = None
        self.has_out = False  # whether the current function has its ``out = ...`` line
        #: row sums written ahead of a product (see backward_order): target -> which one
        self.moved: dict[str, str] = {}

    # -- in-place lowering of one expression (the shared part: InPlaceEmitter.assign) ------
    def elementwise_product(self, target: str, factors: list[Any], shape: str) -> list[str]:
        """``target = f1 * f2 * ...``: from a fresh factor's array when there is one, each
        other factor multiplied in place."""
        base = next((f for f in factors if self.fresh(f)), None)
        if base is None:
            first, second, *rest = factors
            masks = mask_factors(factors)
            lines = line(
                f"{target} = {self.printer.factor_code(first, MUL, mask=first in masks)} * "
                f"{self.printer.factor_code(second, MUL, mask=second in masks, strict=True)}",
                shape,
            )
        else:
            rest = [f for f in factors if f is not base]
            lines = self.assign(target, base, shape)
        for factor in rest:
            lines += self.multiply_by(target, factor, shape)
        return lines

    def scale(self, target: str, coeff: Any, shape: str) -> list[str]:
        """``target *= num``, then 1/den: the batch's 1/m as ``inv_m`` (made once per m),
        another denominator as a Python float (cheaper than dividing by an int)."""
        lines = []
        num, den = sp.fraction(coeff)
        if num != 1:
            lines += line(f"{target} *= {self.printer.paren(num, MUL)}", shape)
        den_text = self.printer.paren(den, MUL, strict=True)
        if den_text == names.BATCH:  # the mean over the batch: 1/m, made once per m
            lines += self.batch_mean(target, shape)
        elif den != 1:  # times a Python float: cheaper than dividing by an int
            lines += line(f"{target} *= 1.0 / {den_text}", shape)
        return lines

    def batch_mean(self, target: str, shape: str) -> list[str]:
        """``target *= inv_m`` (the mean over the m columns), only when m > 1: one example is
        its own mean (times 1/1 would change no number, and cost a ufunc call). ``target`` is
        a fresh array either way, never the caller's or the cache's."""
        return [
            *self.batch_constants(target),
            *line("if m > 1:", "one example is its own mean"),
            *line(f"{INDENT}{target} *= inv_m", shape),
        ]

    def multiply_by(self, target: str, factor: Any, shape: str) -> list[str]:
        """``target *= factor``; a factor ``c - T`` with T a fresh array (``1.0 - A2**2``) is
        evaluated in T's array, so that it costs one temporary, not two. The constant 1 there
        and in ``1 - A1`` is ``one``, a 0-d array of the arrays' dtype (1.5K instructions a
        call cheaper than the Python float 1.0, the same numbers)."""
        if isinstance(factor, MatAdd) and len(factor.args) == 2:
            constant = next((t for t in factor.args if self.printer._is_constant(t)), None)
            other = next((t for t in factor.args if t is not constant), None)
            term = self.printer._negated(other) if constant is not None else None
            c = self.printer._constant_or(constant, 0) if term is not None else ""
            if c == "1.0" and isinstance(term, sp.MatrixSymbol):  # 1 - A1: one temporary
                fetch = self.batch_constants(self.plan.data[0])
                return fetch + line(f"{target} *= one - {self.code(term)}", shape)
            if term is not None and self.fresh(term):
                typed: list[str] = []
                if c == "1.0":  # backward's 0-d one
                    typed, c = self.batch_constants(self.plan.data[0]), "one"
                note = f"{shape}: {self.code(factor)}, in one temporary"
                square = self.square_of(term)
                if square is not None and self.has_out:  # A2**2 into a workspace array
                    home = self.planner.borrow("slope", shape)
                    first = f"slope = np.multiply({square}, {square}, out.{home})"
                else:
                    first = f"slope = {self.code(term)}"
                lines = [
                    *typed,
                    *line(first, note),
                    *line(f"np.subtract({c}, slope, slope)"),
                    *line(f"{target} *= slope"),
                    *line("del slope"),
                ]
                return lines
        return fitted(f"{target} *= {self.printer.factor_code(factor, 0, mask=True)}", shape)

    def square_of(self, expr: Any) -> str | None:
        """The name ``A2`` when ``expr`` is ``A2**2`` (an array squared), else None."""
        squared = isinstance(expr, HadamardPower) and expr.exp == 2
        if squared and isinstance(expr.base, sp.MatrixSymbol):
            return self.code(expr.base)
        return None

    def product(self, target: str, left: Any, right: Any, shape: str) -> list[str]:
        """``target = left @ right``, into its workspace array when the caller passed one.

        A product takes the array of a delta that was read for the last time and has its
        shape, so a workspace holds no more deltas than are alive at once.
        """
        second = self.printer.paren(right, MUL, strict=True)
        if not self.has_out:
            operands = [x.arg if isinstance(x, Transpose) else x for x in (left, right)]
            self.dtype_from = ", ".join(f"{self.printer.paren(x, ATOM)}.dtype" for x in operands)
            self.has_out = True
        home = self.planner.take(target, shape)
        why = shape if home == target else f"{shape}: in {home}'s array, which is free again"
        receiver = self.printer.paren(left, ATOM)
        into = f"out.{home}"
        spelling = self.spelling(left, right)
        if spelling == "dot":
            return line(f"{target} = {receiver}.dot({second}, {into})", why)
        return line(f"{target} = np.{spelling}({receiver}, {second}, {into})", why)

    def spelling(self, left: Any, right: Any) -> str:
        """How NumPy is asked for ``left @ right``: ``dot`` (the method) on small arrays,
        ``matmul`` once a width reaches :data:`LARGE`, ``multiply`` (broadcasting) for a large
        outer product (an inner width of 1).

        ``A.dot(B, out)`` is the cheapest call (4.5K instructions fewer than ``np.matmul`` on
        a 2 x 64 array), but NumPy's dot fills its output with zeros before BLAS writes it:
        one more pass over the product, which on a 1024 x 512 array costs more than the call.
        BLAS takes an outer product as a product with an inner width of 1, slower than the
        element-wise product it is (one multiplication per entry: the same numbers).
        """
        rows, inner = self.dims_of(left)
        widths = [w for w in (rows, inner, self.dims_of(right)[1]) if isinstance(w, int)]
        if max(widths, default=0) < LARGE:
            return "dot"
        return "multiply" if inner == 1 else "matmul"

    def dims_of(self, operand: Any) -> Dims:
        """The concrete shape of a product's operand: a named array or its transpose."""
        if isinstance(operand, Transpose):
            rows, cols = self.dims_of(operand.arg)
            return cols, rows
        return self.dims[operand.name]

    def row_sums(self, target: str, matrix: Any, shape: str) -> list[str]:
        """``target = matrix 1_m``: one matrix-vector product with a column of ones, or a copy
        of ``matrix`` when m is 1 (no ones to make, no product)."""
        atom = self.printer.paren(matrix, ATOM)
        lines = self.batch_constants(atom)
        if target in self.moved:  # see backward_order
            lines += comment(f"{self.moved[target]}: {atom} is still in the CPU cache from above")
        product = f"{atom}.dot(ones_m) if m > 1 else {atom}.copy()"
        return lines + line(f"{target} = {product}", f"{shape}; a copy of {atom} when m is 1")

    def batch_constants(self, typed: str) -> list[str]:
        """The line, before backward first needs one of them, that fetches ``ones_m`` (the 1_m
        of db = dZ 1_m), ``inv_m`` (1/m) and ``one`` (1 in ``1 - A``), 0-d arrays but 1_m, in
        the dtype of the array ``typed``: made once per m and dtype by the module's
        ``_batch_constants``, fetched once per call (one dict lookup for the three)."""
        if not self.planner.first_ones():
            return []
        key = f"m, {typed}.dtype"
        code = f"ones_m, inv_m, one = _BATCH.get(({key})) or _batch_constants({key})"
        return line(code, "read only")

    def workspace(self) -> list[str]:
        """The lines, before a function's first product, that pick the products' arrays
        (``out.Z1``): None each without a workspace (``_FRESH``: fresh arrays), else the
        caller's workspace's for this m and these dtypes, one dict lookup (``_workspace``
        makes them when there are none yet)."""
        if self.dtype_from is None:
            return []
        dtypes, self.dtype_from = self.dtype_from, None
        key = f'"{self.planner.key}", m, {dtypes}'
        return [
            *comment(
                "the products' arrays: None each without a workspace (fresh ones), else the "
                "workspace's"
            ),
            *fitted(f"out = _FRESH if work is None else work.get(({key}))"),
            *line("if out is None:", "a new workspace, m or dtype"),
            *line(f"{INDENT}out = _workspace(work, {key})"),
        ]

    def workspace_helper(self) -> list[str]:
        """``_Arrays``, ``_FRESH`` (None for every array name) and ``_workspace`` (this
        module's arrays, made once per m and dtypes)."""
        every = dict.fromkeys(name for arrays in self.planner.arrays.values() for name in arrays)
        out = ["", *ARRAYS_HELPER.splitlines(), "", ""]
        out += ["#: the workspace's arrays, every part's"]
        out += conjunction("_ARRAY_NAMES", [f'"{name}"' for name in every], "", joiner=", ")
        out += ["#: without a workspace: None for every array, so that each product is fresh"]
        out += ["_FRESH = _Arrays(dict.fromkeys(_ARRAY_NAMES))"]
        out += ["", "", "def _workspace(work, part, m, *dtypes):", f'    """{WORKSPACE_DOC[0]}']
        out += [f"    {text}" if text else "" for text in WORKSPACE_DOC[1:]]
        out += [
            '    """',
            "    for key in [key for key in work if key[0] == part]:  # another m or dtype's",
            "        del work[key]",
        ]
        out += [text[4:] for text in self.planner.shapes()]
        out += [
            "    dtype = np.result_type(*dtypes)  # that of the products",
            "    arrays = {name: np.empty(shape, dtype) for name, shape in shapes.items()}",
            "    made = work[(part, m, *dtypes)] = _Arrays(arrays)",
            "    return made",
        ]
        return out

    # -- sections (the shared ones: NetworkEmitter) ----------------------------------------
    def forward_layers(self) -> list[str]:
        """Each layer under the workspace line its first product needs (written once)."""
        self.has_out = self.has_typed = self.has_zeros = False
        self.planner.begin("forward")
        out = []
        for layer in self.plan.forward:
            lines = self.forward_layer(layer)
            out += self.workspace() + lines
        return out

    def forward_layer(self, layer: ForwardLayer) -> list[str]:
        act = layer.activation
        z, a, b = layer.linear.target, layer.output.target, layer.bias.name
        shape = show_dims(layer.linear.shape)
        keep_z = z in self.cached
        linear = plain_text(layer.linear.expr)  # W1 X + b1 1_m^T
        lines = comment(f"layer {layer.layer}: {z} = {linear}, {a} = {act.name}({z})")
        lines += self.product(z, layer.weight, layer.input, shape)
        lines += line(f"{z} += {b}", f"{shape}: {b} broadcasts over the m columns")
        why = "" if keep_z else f"; {z} is not cached, {a} takes over its buffer"
        if act.is_identity:
            lines += line(f"{a} = {z}", f"{shape}: identity")
        elif not act.elementwise:  # softmax, per column; the shift keeps exp from overflowing
            if keep_z:
                lines += line(f"{a} = {z} - {z}.max(axis=0, keepdims=True)", shape)
            else:
                lines += line(f"{z} -= {z}.max(axis=0, keepdims=True)", shape)
                lines += line(f"{a} = {z}", shape)
            lines += line(f"np.exp({a}, out={a})", f"{shape}: the shift by the max keeps exp <= 1")
            lines += line(f"{a} /= {a}.sum(axis=0, keepdims=True)", shape)
        elif act.numpy == SIGMOID_TEMPLATE:  # written out: no helper call on a hot path
            # in Z's array, or (Z stays cached) in the workspace's array for A
            home = z if not keep_z else f"out.{self.planner.take(a, shape)}"
            into = f", out={home}"
            typed, first, *rest = (step.format(a=a, z=z, into=into) for step in SIGMOID_STEPS)
            self.typed = True
            lines += comment(
                f"{act.name}({z}) = e / (1 + e), e = exp(min({z}, cap)): overflow-free, "
                "precise on both tails"
            )
            if not self.has_typed:  # once per function: every layer has X's dtype
                self.has_typed = True
                lines += line(typed, "cap 80 (11 in float16), 1: read only")
            lines += line(first, shape + why)
            for step in rest:
                lines += line(step, shape)
        elif act.numpy == RELU_TEMPLATE:  # against a row of zeros: NumPy's vector loop
            fetch, test, make, step = (text.format(z=z) for text in RELU_STEPS)
            self.zero_rows = True
            if not self.has_zeros:  # once per function: every layer has X's dtype
                self.has_zeros = True
                lines += line(fetch, "(1, m): relu's 0 in the layers' dtype, read only")
                lines += line(test) + line(make)
            home = z if not keep_z else f"out.{self.planner.take(a, shape)}"
            lines += line(f"{a} = {step}, out={home})", shape + why)
        else:
            code = self.printer.activation_code(act.name, z)
            ufunc = single_ufunc(code, z)
            if ufunc and not keep_z:
                lines += line(f"{a} = {code[:-1]}, out={z})", shape + why)
            elif ufunc:  # Z stays cached: A goes into the workspace's array
                home = self.planner.take(a, shape)
                lines += line(f"{a} = {code[:-1]}, out=out.{home})", shape)
            else:
                lines += fitted(f"{a} = {code}", shape)
        return lines

    def backward_order(
        self, statements: tuple[BackwardStatement, ...]
    ) -> tuple[BackwardStatement, ...]:
        """The plan's order, but each bias gradient (a row sum ``db2 = dZ2 1_m``) moved up to
        right after the statement that computes its delta, ahead of ``dW2 = dZ2 A1^T``: the
        row sum then reads dZ2 while the pass that wrote it has left it in the CPU cache, instead
        of after a product that streamed A1 and dW2 through it (the same numbers: no
        statement reads another's result in between). On w2 float32 (784-256-256-10, m = 256)
        callgrind's simulated 512 KiB L2 counts 7.6K fewer misses per gradient (238.1K ->
        230.5K; the GEMM floor 196.7K), the same instructions.

        A statement that ``del``-etes a delta stays where it is.
        """
        out: list[BackwardStatement] = []
        for statement in statements:
            summed = self.summed_delta(statement)
            at = next((i for i, s in enumerate(out) if s.target == summed), None)
            if at is None or statement.releases or at == len(out) - 1:
                out.append(statement)
            else:
                ahead = out[at + 1]
                self.moved[statement.target] = f"ahead of {ahead.target} [step {ahead.step}]"
                out.insert(at + 1, statement)
        return tuple(out)

    def summed_delta(self, statement: BackwardStatement) -> str | None:
        """The delta a gradient statement sums over the columns (``dZ2`` for ``db2 = dZ2
        1_m``), else None."""
        expr = statement.expr
        if statement.gradient_of is None or not isinstance(expr, MatMul):
            return None
        coeff, matrices = self.printer._split_matmul(expr)
        if coeff != 1 or len(matrices) != 2 or not isinstance(matrices[1], OneMatrix):
            return None
        return getattr(matrices[0], "name", None)

    def backward_begins(self) -> list[str]:
        self.has_out = False
        self.planner.begin("backward")
        return [f'    _sums_to_one({y}, "{y}")' for y in self.plan.sums_to_one]

    def before_statement(self) -> list[str]:
        return self.workspace()

    def loss_and_grads(self) -> list[str]:
        cost = self.plan.cost
        z, a, y = cost.logits, cost.output, self.plan.data[1]
        loss = cost.loss
        shape = show_dims(cost.shape)
        out = [
            "",
            "",
            "def loss_and_grads(params, X, Y, work=None):",
            '    """The cost J (a float) and its gradients, keyed like params.',
            "",
            "    Pass the same dict as ``work`` on every call of a training loop to reuse the",
            "    large arrays; the gradients returned then live in it until the next call.",
            *self.sums_note(),
            '    """',
            *work_check("loss_and_grads(params, X, Y, work=None)"),
        ]
        if self.logits:
            out += ["    _, cache = forward(params, X, work)"]
            out += line(f'{z} = cache["{z}"]', f"{shape}: the logits")
        else:
            out += [f"    {a}, cache = forward(params, X, work)"]
        out += line("m = X.shape[1]", "the number of examples")
        y_shape = show_dims(self.plan.data_shapes[y])
        out += [
            f'    if getattr(Y, "shape", None) != {y_shape} or Y.dtype is not X.dtype '
            "or type(Y) is not _ARRAY:",
            "        _invalid(params, X, Y)",
        ]
        # the loss's own names: Y goes on to backward in its dtype (as in a model module)
        z_, a_, y_ = "_z", "_a", "_y"
        out += in_float32(
            self.printer, [z if self.logits else a, y], [z_ if self.logits else a_, y_]
        )
        if self.logits:
            out += comment(
                LOGITS_NOTES.get(
                    loss.name, f"{loss.description} from the logits: stable for any z"
                )
            )
            code = loss.logits_code["numpy"].format(z=z_, y=y_)
            self.printer.helpers |= loss.helpers  # the module's functions the code calls
            out += fitted(f"cost = {code} / m")
        else:
            per_unit = self.printer.scalar_code(loss.formula, {scalars.a: a_, scalars.y: y_})
            out += comment(f"{loss.description}, summed over units and averaged over examples")
            out += [f"    cost = ({per_unit}).sum() / m"]
        out += self.l2_cost("cost")
        out.append(f"    return float(cost), {COMPUTE_CALL}")
        return out

    def module(self) -> str:
        header = self.header()
        forward = self.forward()
        backward = self.backward()
        loss = self.loss_and_grads()
        body = ["", *STDS.splitlines()]
        if "sigmoid" in self.printer.helpers:
            body += ["", *SIGMOID_HELPER.splitlines()]
        if "log_softmax" in self.printer.helpers:
            body += ["", *LOG_SOFTMAX_HELPER.splitlines()]
        if self.typed:
            body += ["", *TYPED_HELPER.splitlines()]
        if self.zero_rows:
            body += ["", *ZERO_ROW_HELPER.splitlines()]
        if self.planner.ones:
            body += ["", *BATCH_HELPER.splitlines()]
        body += ["", *INIT_PARAMS.splitlines()]
        body += ["", *INVALID_HELPER.splitlines(), "", *WORK_HELPER.splitlines()]
        body += ["", *LATEST_CACHE_HELPER.splitlines()]
        if self.plan.sums_to_one:
            body += ["", *SUMS_HELPER.splitlines()]
        body += self.workspace_helper()
        lines = header + body + forward + backward + loss
        return "\n".join(lines) + "\n"


def single_ufunc(code: str, z: str) -> bool:
    """True for ``np.f(..., Z)`` where f is a NumPy ufunc: it can write into ``out=``."""
    import numpy as np

    if not (code.startswith("np.") and code.endswith(")") and code.count("(") == 1):
        return False
    name = code[3 : code.index("(")]
    return isinstance(getattr(np, name, None), np.ufunc) and code.count(z) == 1
