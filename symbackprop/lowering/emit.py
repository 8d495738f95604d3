"""NumPy lowering: the batch derivation becomes a self-contained, readable Python module.

The module follows the contract of DESIGN.md (``SHAPES``, ``L2``, ``init_params``,
``forward``, ``backward``, ``loss_and_grads``). It is *read off* the derivation, not re-derived:

* every backward line is a delta or gradient expression of the batch derivation, printed by
  :class:`~symbackprop.lowering.numpy_printer.NumPyPrinter` (``delta2`` -> ``dZ2``), preceded by a
  comment that names the derivation step it comes from and why it has that form;
* the forward cache is exactly what those expressions read
  (:mod:`symbackprop.lowering.cache_layout`);
* expressions are lowered in place where that is safe: ``(W3^T delta3) ⊙ A2 ⊙ (1 - A2)``
  becomes ``dZ2 = W3.T @ dZ3``, ``dZ2 *= A2``, ``dZ2 *= 1.0 - A2`` (one fresh array instead of
  four), ``(1/m)(A3 - Y)`` becomes ``dZ3 = A3 - Y``, ``dZ3 /= m``; a pre-activation that
  nothing reads later is overwritten by its activation (``A1 = np.tanh(Z1, out=Z1)``).

Stable numerics: sigmoid is the module's helper, e / (1 + e) with e = exp(-|z|) split by the
sign of z (full relative precision on both tails, no overflow); BCE with a sigmoid output
is computed from the logits as ``max(z, 0) - y z + log1p(e^-|z|)``; softmax subtracts the
column maximum and cross-entropy uses log-sum-exp of the logits, as log1p of the sum without
one largest term. All of these stay finite, with
no warnings, for |z| up to 1e3 in float32 and float64.

The output is deterministic (the same derivation and sizes give the same bytes), every line is
within 99 characters, and the text passes ``ruff format --check`` and ``ruff check``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy import HadamardPower, HadamardProduct, MatAdd, MatMul, OneMatrix, Transpose

from symbackprop.core.graph import resolve_activations
from symbackprop.lowering import cache_layout as _plan
from symbackprop.lowering.cache_layout import (
    CacheEntry,
    backward_reads,
    cached_names,
    cost_from_logits,
)
from symbackprop.lowering.inputs import batch_derivation, resolve_sizes
from symbackprop.lowering.numpy_printer import MUL, NumPyPrinter
from symbackprop.records import scalars
from symbackprop.records.nodes import Elementwise

if TYPE_CHECKING:
    from symbackprop.core.derivation import Derivation
    from symbackprop.spec import Network

__all__ = ["CacheEntry", "cache_plan", "codegen", "resolve_sizes"]

LINE = 99
INDENT = "    "
#: the sigmoid record's NumPy form: the module helper below, evaluated in place
SIGMOID_TEMPLATE = "sigmoid({z})"
SIGMOID_HELPER = '''
def sigmoid(Z, out=None):
    """Logistic sigmoid, to full relative precision on both tails, warning-free for any z.

    With e = exp(-|z|) in (0, 1] (it cannot overflow): e / (1 + e) for z < 0, 1 - e / (1 + e)
    for z >= 0. Evaluated in ``out`` when given (it may be Z itself).
    """
    positive = Z >= 0
    out = np.abs(Z, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.divide(out, out + 1.0, out=out)
    np.subtract(1.0, out, out=out, where=positive)
    return out
'''
BUFFER_HELPER = '''
def _buffer(work, name, shape, dtype):
    """The array for ``name`` in the caller's workspace ``work`` (a dict), or None without one.

    Reusing these arrays across calls saves the page faults of fresh multi-megabyte arrays;
    with ``work`` the returned cache and gradients live in it until the next call.
    """
    if work is None:
        return None
    buf = work.get(name)
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = work[name] = np.empty(shape, dtype)
    return buf
'''
INVALID_HELPER = '''
def _invalid(params, X=None, Y=None, cache=None):
    """Raise the ValueError that names the array of the wrong shape, its shape and the expected
    one. Called only after the cheap checks on entry have failed."""
    n0, n_out = SHAPES["W1"][1], SHAPES[f"W{DEPTH}"][0]

    def shape(value):
        got = getattr(value, "shape", None)
        return got if isinstance(got, tuple) else f"a {type(value).__name__}, not an array"

    if cache is not None:
        for name in CACHE_READS:
            if name not in cache:
                raise ValueError(f"cache has no {name!r}: pass the cache that forward returned")
        X = cache["X"]
    if X is not None:
        got = shape(X)
        if not (isinstance(got, tuple) and len(got) == 2 and got[0] == n0 and got[1] >= 1):
            raise ValueError(
                f"X has shape {got}, expected ({n0}, m): one example per column, m >= 1"
            )
    if not hasattr(params, "keys"):
        raise ValueError(f"params must be a dict of arrays, got a {type(params).__name__}")
    for name, expected in SHAPES.items():
        if name not in params:
            raise ValueError(f"params has no {name!r}: expected an array of shape {expected}")
        if shape(params[name]) != expected:
            raise ValueError(f"{name} has shape {shape(params[name])}, expected {expected}")
    if Y is not None and X is not None:
        expected = (n_out, X.shape[1])
        if shape(Y) != expected:
            raise ValueError(f"Y has shape {shape(Y)}, expected {expected}: a column per example")
    raise ValueError("the arrays do not fit this module: X (n0, m), Y (n_out, m) and SHAPES")
'''
INIT_PARAMS = '''
def init_params(seed=0, scheme="xavier", dtype=np.float64):
    """Weights ``rng.standard_normal(shape) * std`` drawn in order W1, W2, ...; biases zero.

    ``scheme``: "xavier" std sqrt(1/n_prev), "he" sqrt(2/n_prev), "glorot"
    sqrt(2/(n_prev + n_l)), "normal" std 1, or "scaled-identity:c" (c times the identity,
    square layers only). ``rng = np.random.default_rng(seed)``; arrays are of ``dtype``.
    """
    rng = np.random.default_rng(seed)
    params = {}
    for layer in range(1, DEPTH + 1):
        n_l, n_prev = SHAPES[f"W{layer}"]
        if scheme.startswith("scaled-identity:"):
            if n_l != n_prev:
                raise ValueError(
                    f"scheme {scheme!r} needs square layers, but W{layer} is {n_l} x {n_prev}"
                )
            W = float(scheme.split(":", 1)[1]) * np.eye(n_l)
        elif scheme in STDS:
            W = rng.standard_normal((n_l, n_prev)) * STDS[scheme](n_prev, n_l)
        else:
            known = ", ".join([*STDS, "scaled-identity:c"])
            raise ValueError(f"unknown init scheme {scheme!r}; expected one of {known}")
        params[f"W{layer}"] = W.astype(dtype)
        params[f"b{layer}"] = np.zeros((n_l, 1), dtype=dtype)
    return params
'''
STDS = """
# init scheme -> standard deviation of the weights of a layer with n_prev inputs, n_l units
STDS = {
    "xavier": lambda n_prev, n_l: np.sqrt(1.0 / n_prev),
    "he": lambda n_prev, n_l: np.sqrt(2.0 / n_prev),
    "glorot": lambda n_prev, n_l: np.sqrt(2.0 / (n_prev + n_l)),
    "normal": lambda n_prev, n_l: 1.0,
}
"""


# -- inputs -------------------------------------------------------------------------------
# -- the lowering -------------------------------------------------------------------------
class _Lowering:
    """Builds the module text for one batch derivation at concrete widths."""

    def __init__(self, derivation: Derivation, sizes: Mapping[str, int] | None) -> None:
        self.d = derivation
        self.g = derivation.graph
        self.widths = resolve_sizes(derivation, sizes)
        self.widths[self.g.m] = "m"  # type: ignore[assignment]
        self.printer = NumPyPrinter(resolve_activations(derivation.network))
        self.cached = cached_names(derivation)
        self.backward_reads = backward_reads(derivation)
        self.logits = cost_from_logits(derivation)
        self.depth = self.g.depth
        self.step_number = {id(step): n for n, step in enumerate(derivation.steps, start=1)}

    # -- helpers -------------------------------------------------------------------------
    def shape(self, name_or_shape: Any) -> str:
        shape = name_or_shape
        if isinstance(name_or_shape, str):
            shape = self.g.symbols[name_or_shape].shape
        rows, cols = (self.widths.get(s, s) for s in shape)
        return f"({rows}, {cols})"

    def code(self, expr: Any) -> str:
        return self.printer.code(expr)

    @staticmethod
    def line(code: str, comment: str = "") -> list[str]:
        """One indented statement with its comment; the comment moves above when too long."""
        if not comment:
            return [INDENT + code]
        inline = f"{INDENT}{code}  # {comment}"
        if len(inline) <= LINE:
            return [inline]
        return _comment(comment) + [INDENT + code]

    # -- in-place lowering of one expression -----------------------------------------------
    def fresh(self, expr: Any) -> bool:
        """True if printing ``expr`` makes a new float array (safe to update in place)."""
        if isinstance(expr, MatMul):
            coeff, matrices = self.printer._split_matmul(expr)
            return coeff != 1 or len(matrices) > 1
        if isinstance(expr, Elementwise) and expr.derivative_name is None:
            return expr.activation_name is None and expr.indicator is None
        return isinstance(expr, (MatAdd, HadamardProduct, HadamardPower, Elementwise))

    def assign(self, target: str, expr: Any, shape: str) -> list[str]:
        """Statements that leave ``expr`` in a new array named ``target``, updating in place."""
        if isinstance(expr, HadamardProduct):
            factors = list(expr.args)
            base = next((f for f in factors if self.fresh(f)), None)
            if base is None:
                first, second, *rest = factors
                lines = self.line(
                    f"{target} = {self.printer.paren(first, MUL)} * "
                    f"{self.printer.paren(second, MUL, strict=True)}",
                    shape,
                )
            else:
                rest = [f for f in factors if f is not base]
                lines = self.assign(target, base, shape)
            for factor in rest:
                lines += self.line(f"{target} *= {self.code(factor)}", shape)
            return lines
        if isinstance(expr, MatMul):
            coeff, matrices = self.printer._split_matmul(expr)
            body = matrices[0] if len(matrices) == 1 else MatMul(*matrices)
            if coeff != 1 and self.fresh(body):
                lines = self.assign(target, body, shape)
                num, den = sp.fraction(coeff)
                if num != 1:
                    lines += self.line(f"{target} *= {self.printer.paren(num, MUL)}", shape)
                if den != 1:
                    lines += self.line(f"{target} /= {self.printer.paren(den, MUL)}", shape)
                return lines
        if isinstance(expr, MatAdd):
            # a plain product first: it can be written straight into the workspace
            terms = sorted(expr.args, key=lambda t: not self._plain_product(t))
            base = next(
                (t for t in terms if self.fresh(t) and self.printer._negated(t) is None), None
            )
            if base is not None:
                lines = self.assign(target, base, shape)
                for term in terms:
                    if term is base:
                        continue
                    neg = self.printer._negated(term)
                    op, value = ("-=", neg) if neg is not None else ("+=", term)
                    text = self.printer._constant_or(value, 0)
                    lines += self.line(f"{target} {op} {text}", shape)
                return lines
        if isinstance(expr, MatMul):
            coeff, matrices = self.printer._split_matmul(expr)
            if coeff == 1 and len(matrices) == 2 and not isinstance(matrices[1], OneMatrix):
                return self.product(target, matrices[0], matrices[1], shape)
        return self.line(f"{target} = {self.code(expr)}", shape)

    def _plain_product(self, expr: Any) -> bool:
        if not isinstance(expr, MatMul):
            return False
        coeff, matrices = self.printer._split_matmul(expr)
        return coeff == 1 and len(matrices) == 2

    def product(self, target: str, left: Any, right: Any, shape: str) -> list[str]:
        """``target = left @ right``, written into the caller's workspace when there is one."""
        first = self.printer.paren(left, MUL)
        second = self.printer.paren(right, MUL, strict=True)
        typed = self.printer.paren(left.arg if isinstance(left, Transpose) else left, MUL)
        out = f'_buffer(work, "{target}", {shape}, {typed}.dtype)'
        return self.line(f"{target} = np.matmul({first}, {second}, out={out})", shape)

    # -- provenance comments ---------------------------------------------------------------
    def step_tag(self, step: Any) -> str:
        return f"[step {self.step_number[id(step)]}]"

    @staticmethod
    def text(s: str) -> str:
        """Derivation text in code names: delta3 -> dZ3."""
        for layer in range(50, 0, -1):
            s = s.replace(f"delta{layer}", f"dZ{layer}")
        return s.replace("lambda", "L2")

    def delta_comment(self, step: Any, loss_step: Any, pending: list[str]) -> list[str]:
        layer = step.layer
        act = self.g.activation(layer)
        z, a = self.g.z(layer).name, self.g.a(layer).name
        tag = self.step_tag(step)
        if step.rule == "softmax":
            what = f"dJ/d{z} {tag}: softmax's Jacobian-vector product a ⊙ (g - 1 (a^T g))"
        elif act.is_identity:
            what = f"dJ/d{z} = dJ/d{a} {tag}: {act.name}' = 1, the gradient passes through"
        else:  # the derivative as the code computes it: np.where(Z1 > 0, 1.0, 0.01)
            rational = act.derivative_is_rational
            source = a if rational and act.derivative_uses_a else z
            formula = act.cached_derivative if rational else act.derivative
            code = self.printer.scalar_code(formula, {scalars.z: z, scalars.a: a})
            what = (
                f"dJ/d{z} = dJ/d{a} ⊙ {act.name}'({z}) {tag}: "
                f"{act.name}'({z}) = {code}, from the cached {source}"
            )
        parts = [*pending, what]
        if loss_step is not None:
            loss = self.g.loss
            parts.insert(
                0,
                f"dJ/d{a} {self.step_tag(loss_step)}: J averages the {loss.name} loss over "
                f"the m columns, so dJ/d{a} = (1/m) dL/da",
            )
        if step.algebra:
            parts.append("scalar algebra inside ⊙: " + step.algebra)
        return [line for part in parts for line in _comment(part)]

    # -- sections --------------------------------------------------------------------------
    def header(self) -> list[str]:
        net = self.d.network
        loss = self.g.loss
        n0 = self.shape(self.g.x.name)
        nl = self.shape(self.g.y.name)
        doc = [
            f'"""Gradients of {net} ({loss.name} loss), generated by symbackprop.',
            "",
            f"Examples are the columns of X {n0} and Y {nl}. J is the mean over the m columns of "
            f"the loss ({loss.description}) plus (L2 / 2m) sum_l ||W_l||_F^2. Each backward line "
            "is read off a step of the symbolic derivation; [step k] numbers the steps. "
            "Regenerate rather than edit.",
            '"""',
        ]
        wrapped: list[str] = []
        for text in doc:
            wrapped += textwrap.wrap(text, LINE, break_on_hyphens=False) if text else [""]
        lines = [*wrapped, "", "import numpy as np", ""]
        lines += ["SHAPES: dict[str, tuple[int, int]] = {"]
        for layer in range(1, self.depth + 1):
            for name in (f"W{layer}", f"b{layer}"):
                lines.append(f'    "{name}": {self.shape(name)},')
        lines += ["}", f"L2: float = {float(self.d.l2)!r}", f"DEPTH = {self.depth}"]
        lines += ['DATA = ("X", "Y")  # the data arrays after params, in this order']
        reads = [name for name in self.cached if name in self.backward_reads]
        lines += _conjunction("CACHE_READS", [f'"{name}"' for name in reads], "", joiner=", ")
        return lines

    def forward(self) -> list[str]:
        g = self.g
        out = [
            "",
            "",
            "def forward(params, X, work=None):",
            f'    """Forward propagation; X is {self.shape(g.x.name)}, one example per column.',
            "",
            f"    Returns (A{self.depth}, cache): the output and exactly what backward and the "
            "cost read.",
            "    With a workspace dict ``work``, the arrays are reused across calls.",
            '    """',
            "    try:  # shapes on entry: tuple compares only; _invalid says what is wrong",
            "        m = X.shape[1]  # the number of examples",
            f"        ok = X.shape == ({self.widths[g.dims[0]]}, m) and m > 0",
        ]
        for layer in range(1, self.depth + 1):
            out.append(f'        W{layer}, b{layer} = params["W{layer}"], params["b{layer}"]')
            out.append(
                f"        ok = ok and W{layer}.shape == {self.shape(f'W{layer}')} "
                f"and b{layer}.shape == {self.shape(f'b{layer}')}"
            )
        out += [
            "    except (AttributeError, IndexError, KeyError, TypeError):",
            "        ok = False",
            "    if not ok:",
            "        _invalid(params, X)",
        ]
        for layer in range(1, self.depth + 1):
            out += self.forward_layer(layer)
        out.append("    cache = {")
        out += [f'        "{name}": {name},' for name in self.cached]
        out += ["    }", f"    return A{self.depth}, cache"]
        return out

    def forward_layer(self, layer: int) -> list[str]:
        g = self.g
        act = g.activation(layer)
        z, a, prev = g.z(layer).name, g.a(layer).name, g.a(layer - 1).name
        shape = self.shape(z)
        keep_z = z in self.cached
        lines = _comment(
            f"layer {layer}: {z} = W{layer} {prev} + b{layer} 1_m^T, {a} = {act.name}({z})"
        )
        lines += self.product(z, g.W(layer), g.a(layer - 1), shape)
        lines += self.line(f"{z} += b{layer}", f"{shape}: b{layer} broadcasts over the m columns")
        why = "" if keep_z else f"; {z} is not cached, {a} takes over its buffer"
        if act.is_identity:
            lines += self.line(f"{a} = {z}", f"{shape}: identity")
        elif not act.elementwise:  # softmax, per column; the shift keeps exp from overflowing
            if keep_z:
                lines += self.line(f"{a} = {z} - {z}.max(axis=0, keepdims=True)", shape)
            else:
                lines += self.line(f"{z} -= {z}.max(axis=0, keepdims=True)", shape)
                lines += self.line(f"{a} = {z}", shape)
            lines += self.line(
                f"np.exp({a}, out={a})", f"{shape}: the shift by the max keeps exp <= 1"
            )
            lines += self.line(f"{a} /= {a}.sum(axis=0, keepdims=True)", shape)
        elif act.numpy == SIGMOID_TEMPLATE:
            self.printer.helpers.add("sigmoid")
            call = f"sigmoid({z})" if keep_z else f"sigmoid({z}, out={z})"
            lines += self.line(f"{a} = {call}", shape + why)
        else:
            code = self.printer.activation_code(act.name, z)
            ufunc = _single_ufunc(code, z)
            if ufunc and not keep_z:
                lines += self.line(f"{a} = {code[:-1]}, out={z})", shape + why)
            else:
                lines += self.line(f"{a} = {code}", shape)
        return lines

    def backward(self) -> list[str]:
        d = self.d
        depth = self.depth
        reads = [name for name in self.cached if name in self.backward_reads]
        weights = sorted(
            {
                sym.name
                for expr in [*d.deltas.values(), *d.gradients.values()]
                for sym in expr.atoms(sp.MatrixSymbol)
                if sym.name.startswith("W")
            },
            key=lambda name: int(name[1:]),
        )
        out = [
            "",
            "",
            "def backward(params, cache, Y, work=None):",
            f'    """Gradients of J, keyed like params ("W1" -> dJ/dW1); Y is {self.shape("Y")}.',
            "",
            "    Reads the forward cache and never recomputes what it holds; with a workspace",
            "    dict ``work`` the large products go into arrays reused across calls.",
            '    """',
        ]
        out.append("    try:  # shapes on entry: tuple compares only; _invalid says what is wrong")
        out += [f'        {name} = params["{name}"]' for name in weights]
        for name in reads:
            out += self.line(f'    {name} = cache["{name}"]', self.shape(name))
        out += self.line("    m = X.shape[1]", "the number of examples")
        checks = [f"Y.shape == {self.shape('Y')}"]
        checks += [f"{name}.shape == {self.shape(name)}" for name in weights]
        out += _conjunction("ok", checks, INDENT * 2)
        out += [
            "    except (AttributeError, IndexError, KeyError, TypeError):",
            "        ok = False",
            "    if not ok:",
            "        _invalid(params, Y=Y, cache=cache)",
        ]
        loss_step: Any = None
        pending: list[str] = []
        for step in d.steps:
            target = step.target.removeprefix("dJ/d")
            if step.rule == "loss":
                loss_step = step
            elif step.rule == "assumption":
                pending.append(
                    f"assumption {self.step_tag(step)}: {step.reason.split(': ', 1)[-1]}"
                )
            elif step.stores is not None:
                layer = int(step.stores.removeprefix("delta"))
                comment = self.delta_comment(step, loss_step, pending)
                loss_step, pending = None, []
                out.append("")
                out += comment
                out += self.assign(f"dZ{layer}", d.deltas[layer], self.shape(step.shape))
                if layer < depth:  # dZ[l+1] is dead now; freeing it keeps two deltas alive
                    out += self.line(f"del dZ{layer + 1}", "read for the last time above")
            elif target in d.gradients:
                out += self.gradient(step, target)
            else:  # dJ/dA[l-1] = W[l]^T delta[l]: computed as the first factor of delta[l-1]
                chosen = self.text(step.chosen.text if step.chosen else str(step.expr))
                pending.append(
                    f"dJ/d{target} = {chosen} {self.step_tag(step)}: the only arrangement that "
                    f"is {self.shape(step.shape)}; dZ{step.layer + 1} is reused"
                )
        out.append("    return {")
        for layer in range(1, depth + 1):
            out.append(f'        "W{layer}": dW{layer},')
            out.append(f'        "b{layer}": db{layer},')
        out.append("    }")
        return out

    def gradient(self, step: Any, target: str) -> list[str]:
        layer = step.layer
        chosen = self.text(step.chosen.text) if step.chosen is not None else ""
        tag = self.step_tag(step)
        if target.startswith("W"):
            fits = self.shape(step.shape)
            why = f"dJ/d{target} = {chosen} {tag}: the only arrangement that is {fits}"
            if self.d.l2:
                why += f"; weight decay adds (L2 / m) {target}"
        else:
            why = f"dJ/d{target} = dZ{layer} 1_m {tag}: {target} is broadcast over the m columns"
        return _comment(why) + self.assign(
            f"d{target}", self.d.gradients[target], self.shape(step.shape)
        )

    def loss_and_grads(self) -> list[str]:
        g = self.g
        depth = self.depth
        z, a = g.z(depth).name, g.a(depth).name
        loss = g.loss
        out = [
            "",
            "",
            "def loss_and_grads(params, X, Y, work=None):",
            '    """The cost J (a float) and its gradients, keyed like params.',
            "",
            "    Pass the same dict as ``work`` on every call of a training loop to reuse the",
            "    large arrays; the gradients returned then live in it until the next call.",
            '    """',
        ]
        if self.logits:
            out += ["    _, cache = forward(params, X, work)"]
            out += self.line(f'{z} = cache["{z}"]', f"{self.shape(z)}: the logits")
        else:
            out += [f"    {a}, cache = forward(params, X, work)"]
        out += self.line("m = X.shape[1]", "the number of examples")
        out += [
            f'    if getattr(Y, "shape", None) != {self.shape("Y")}:',
            "        _invalid(params, X, Y)",
        ]
        if self.logits and loss.logits_with == "sigmoid":
            out += _comment(
                "binary cross-entropy from the logits: -[y log a + (1 - y) log(1 - a)] with "
                "a = sigmoid(z) is max(z, 0) - y z + log(1 + e^-|z|): finite and warning-free "
                "for any z, and to full relative precision where it is tiny"
            )
            out += [
                f"    loss = np.maximum({z}, 0.0) - Y * {z}",
                f"    loss += np.log1p(np.exp(-np.abs({z})))",
                "    cost = loss.sum() / m",
            ]
        elif self.logits:
            out += _comment(
                "cross-entropy from the logits: log a = z - logsumexp(z) per column, with the "
                "column max subtracted first so that exp cannot overflow"
            )
            out += self.line(f"shifted = {z} - {z}.max(axis=0, keepdims=True)", self.shape(z))
            out += _comment(
                "log sum_k e^shifted_k = log1p(the sum without one largest term, which is "
                "e^0 = 1): exact even where the loss is tiny (a confident right answer)"
            )
            out += self.line("rest = np.exp(shifted)", self.shape(z))
            out += ["    rest[shifted.argmax(axis=0), np.arange(m)] = 0.0"]
            out += self.line(
                "log_probs = shifted - np.log1p(rest.sum(axis=0, keepdims=True))", self.shape(z)
            )
            out += ["    cost = -(Y * log_probs).sum() / m"]
        else:
            per_unit = self.printer.scalar_code(loss.formula, {scalars.a: a, scalars.y: "Y"})
            out += _comment(f"{loss.description}, summed over units and averaged over examples")
            out += [f"    cost = ({per_unit}).sum() / m"]
        if self.d.l2:
            out += _comment("L2 weight decay: (L2 / 2m) times the sum of ||W||_F^2 over layers")
            out += [
                "    for layer in range(1, DEPTH + 1):",
                '        W = params[f"W{layer}"]',
                "        cost += L2 / (2 * m) * np.vdot(W, W)",
            ]
        out.append("    return float(cost), backward(params, cache, Y, work)")
        return out

    def module(self) -> str:
        header = self.header()
        forward = self.forward()
        backward = self.backward()
        loss = self.loss_and_grads()
        body = ["", *STDS.splitlines()]
        if "sigmoid" in self.printer.helpers:
            body += ["", *SIGMOID_HELPER.splitlines()]
        body += ["", *INIT_PARAMS.splitlines(), "", *BUFFER_HELPER.splitlines()]
        body += ["", *INVALID_HELPER.splitlines()]
        lines = header + body + forward + backward + loss
        return "\n".join(lines) + "\n"


def _conjunction(
    target: str, parts: list[str], indent: str, *, joiner: str = " and "
) -> list[str]:
    """``target = a and b and ...`` (or a tuple with ``joiner=", "``) within the line limit,
    laid out the way ``ruff format`` lays out a long expression: one part per line."""
    tuple_ = joiner == ", "
    body = joiner.join(parts) + ("," if tuple_ and len(parts) == 1 else "")
    one = f"{indent}{target} = ({body})" if tuple_ else f"{indent}{target} = {body}"
    if len(one) <= LINE:
        return [one]
    inner = indent + INDENT
    if tuple_:
        return [f"{indent}{target} = (", *(f"{inner}{p}," for p in parts), f"{indent})"]
    lines = [f"{indent}{target} = (", f"{inner}{parts[0]}"]
    lines += [f"{inner}and {p}" for p in parts[1:]]
    return [*lines, f"{indent})"]


def _comment(text: str, indent: str = INDENT) -> list[str]:
    """A ``#`` comment wrapped to the line limit."""
    return [
        f"{indent}# {part}"
        for part in textwrap.wrap(text, LINE - len(indent) - 2, break_on_hyphens=False)
    ]


def _single_ufunc(code: str, z: str) -> bool:
    """True for ``np.f(..., Z)`` where f is a NumPy ufunc: it can write into ``out=``."""
    import numpy as np

    if not (code.startswith("np.") and code.endswith(")") and code.count("(") == 1):
        return False
    name = code[3 : code.index("(")]
    return isinstance(getattr(np, name, None), np.ufunc) and code.count(z) == 1


def codegen(source: Derivation | Network, *, sizes: Mapping[str, int] | None = None) -> str:
    """The NumPy gradient module for ``source`` (a Network or a Derivation), as source text.

    Always the batch form (a single-example derivation is re-derived over a batch). Named widths
    need ``sizes``, e.g. ``codegen(net, sizes={"n": 4})``; a missing one raises
    :class:`~symbackprop.errors.SpecError`. The same input gives byte-identical text.
    """
    return _Lowering(batch_derivation(source), sizes).module()


def cache_plan(
    source: Derivation | Network,
    sizes: Mapping[str, int] | None = None,
    *,
    itemsize: int = 8,
) -> list[CacheEntry]:
    """What ``forward`` caches for ``source``: name, shape (rows, "m"), bytes per example."""
    return _plan.cache_plan(batch_derivation(source), dict(sizes or {}), itemsize=itemsize)
