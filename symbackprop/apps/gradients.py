"""Vanishing and exploding gradients: per-layer gradient norms at initialization.

Two parts, following the lecture.

* :func:`exact_scaling` reproduces the lecture's example exactly, in rationals: identity
  activations, zero biases, every W[l] = c I (c = 3/2 or 1/2). The forward product
  W[L] ... W[1] is c^L I, and the derivation's own gradient formulas, evaluated exactly, give
  dJ/dW[l] = c^(L-1) (y_hat - y) x^T for every layer l: the L - 1 other weight matrices
  multiply the error on its way back. The target is chosen as y = c^L x - e so that the output
  error y_hat - y = e is the same at every depth; then going from depth L to L + 1 multiplies
  every weight gradient by exactly c.
* :func:`analyze` measures ||dJ/dW[l]||_F and ||dJ/db[l]|| per layer at initialization with the
  generated NumPy code (``symbackprop.compile``), geometric mean over seeds.

The analysis network is ``N-N:act-...-N:act-1:identity`` with the half squared error (mse):
an identity head and a quadratic loss pass the error back unchanged (no sigmoid saturation in
the way), so what is measured is the effect of the hidden layers alone. With
``scaled-identity:c`` every layer must be square, so the head is ``N:identity`` instead.

Which norm shows the problem: dJ/db[l] = dJ/dz[l] summed over the batch is the error signal
that reaches layer l; it is multiplied by one W^T per layer on its way back, so it vanishes or
explodes geometrically with depth. For a ReLU network with zero biases, dJ/dW[l] = dJ/dz[l]
a[l-1]^T multiplies that signal by the forward activation, which grows or shrinks at the same
rate in the other direction; ReLU is positively homogeneous, so scaling every W by k scales
*every* layer's weight gradient by the same k^(2L-1) (or k^(L-1) with a fixed error), and the
max/min ratio of ||dJ/dW[l]|| across layers cannot tell ``normal`` from ``he``: the explosion is
in its size (about 1e74 against about 1 at depth 50, width 64), not in its shape. The ratio of
||dJ/db[l]|| across layers is where ``he`` stays within a factor of 10 and ``normal`` does not
(about 1.4e36 at depth 50).
"""

from __future__ import annotations

import functools
import math
import os
import random
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symbackprop.check.exact import Evaluator, Table
from symbackprop.core.derivation import derive
from symbackprop.core.memory import DEFAULT_BUDGET_GIB, check_budget, check_work
from symbackprop.core.memory import no_memory_error as _no_memory_error
from symbackprop.errors import SpecError, SymbackpropError
from symbackprop.lowering.executor import compile as compile_module
from symbackprop.records.activations import on_change as on_activations_change
from symbackprop.spec import Network

__all__ = [
    "INITS",
    "ExactScaling",
    "GradientTable",
    "analysis_network",
    "analyze",
    "exact_scaling",
    "parse_init",
    "plot",
]

#: named initialization schemes (DESIGN.md); ``scaled-identity:c`` is accepted besides
INITS = ("xavier", "he", "glorot", "normal")

#: what each scheme's weight standard deviation is, for the printed header
_INIT_STD = {
    "xavier": "sqrt(1/n_(l-1))",
    "he": "sqrt(2/n_(l-1))",
    "glorot": "sqrt(2/(n_(l-1) + n_l))",
    "normal": "1",
}


#: the scales ``scaled-identity:C`` accepts (the error message names them): a float C is
#: finite and nonzero, and the exact example's C^L has at most a few thousand digits
SCALE_MIN, SCALE_MAX = Fraction(1, 10**6), Fraction(10**6)


#: what a scale as ``scaled-identity:C`` writes (1.5, .5, 3/2, 1e-3): ASCII digits and the
#: signs of a number, no space and no '_' (which Fraction reads as a digit separator)
_SCALE_CHARACTERS = frozenset("0123456789.eE+-/")


def parse_init(init: str) -> tuple[str, Fraction | None]:
    """``"he" -> ("he", None)``, ``"scaled-identity:1.5" -> ("scaled-identity", 3/2)``.

    The scale is read as an exact fraction (``1.5`` is 3/2), so the exact example is exact.
    Raises :class:`SpecError` on an unknown scheme or a malformed scale.
    """
    if init in INITS:
        return init, None
    head, sep, value = init.partition(":")
    if head == "scaled-identity":
        try:
            # ASCII digits as written, as every number of the command line: Fraction alone
            # took '١.٥', '1_5' (15) and ' 1.5' (hostile36c #6)
            written = sep and bool(value) and set(value) <= _SCALE_CHARACTERS
            scale = Fraction(value) if written else None
        except (ValueError, ZeroDivisionError):
            scale = None
        if scale is None or scale <= 0 or len(value) > 30:
            raise SpecError(
                f"init {init!r}: expected scaled-identity:C with C a positive number, "
                "e.g. scaled-identity:1.5"
            )
        if not SCALE_MIN <= scale <= SCALE_MAX:
            # beyond these the float weights are inf or 0 and the exact example prints
            # integers of hundreds of digits: nothing the lecture's point needs
            raise SpecError(
                f"init {init!r}: C out of range; expected C from 1e-6 to 1e6, e.g. "
                "scaled-identity:1.5"
            )
        return head, scale
    raise SpecError(f"init {init!r}: unknown scheme; known: {', '.join(INITS)}, scaled-identity:C")


def analysis_network(
    depth: int,
    width: int,
    activation: str,
    *,
    square: bool = False,
    define: dict[str, str] | None = None,
) -> Network:
    """The network the analysis differentiates: ``depth`` layers of ``width`` units.

    Layers 1..L-1 use ``activation``: a built-in name, a name in ``define``
    (``{"swish": "z*sigmoid(z)"}``) or ``NAME=FORMULA`` (defined and used at once, as a spec's
    ``hidden=``); layer L is the head, ``1:identity`` (or ``width:identity`` when ``square``, as
    scaled-identity needs), and the loss is mse.
    """
    if not isinstance(depth, int) or depth < 1:
        raise SpecError(f"depth {depth!r}: expected a positive integer")
    if not isinstance(width, int) or width < 1:
        raise SpecError(f"width {width!r}: expected a positive integer")
    head = f"{width if square else 1}:identity"
    # the activation goes in as activation= (the head's :identity wins), not into the spec
    # text, so that NAME=FORMULA and define= work as for every spec (and an error names the
    # activation, not a made-up layer)
    spec = "-".join([str(width)] * depth + [head])
    return Network.parse(spec, activation=activation, loss="mse", define=define)


# -- the exact example -----------------------------------------------------------------------


@dataclass
class ExactScaling:
    """The lecture's example at one depth, in exact rationals (SymPy matrices).

    ``product`` is W[L] ... W[1]; ``gradients[l]`` is dJ/dW[l] from the derivation's formulas;
    ``error`` is y_hat - y (held fixed across depths), ``x`` the input; ``factors[l]`` the
    rational f with dJ/dW[l] = f (y_hat - y) x^T (``None`` if it is not such a multiple).
    """

    scale: sp.Rational
    depth: int
    width: int
    product: sp.Matrix
    gradients: dict[int, sp.Matrix]
    error: sp.Matrix
    x: sp.Matrix
    factors: dict[int, sp.Rational | None] = field(default_factory=dict)

    @property
    def product_is_power(self) -> bool:
        """W[L] ... W[1] == c^L I, exactly."""

        return bool(self.product == self.scale**self.depth * sp.eye(self.width))

    @property
    def gradients_scale_as_power(self) -> bool:
        """Every dJ/dW[l] == c^(L-1) (y_hat - y) x^T, exactly."""
        want = self.scale ** (self.depth - 1)
        return all(f == want for f in self.factors.values())

    def text(self, table_width: int | None = None) -> str:
        """The example as text; ``table_width``, the width of the measured table printed
        before it, is said to differ where it does (the example keeps its own width)."""
        c, L = self.scale, self.depth
        lines = [
            f"Exact (rationals), width {self.width}, depth {L}, identity activations, zero "
            f"biases, W[l] = {c} I:",
            *(
                [
                    f"  (the exact example is always width {self.width}, not the table's "
                    f"{table_width}: W[l] = {c} I scales every width alike)"
                ]
                if table_width is not None and table_width != self.width
                else []
            ),
            f"  W[{L}] ... W[1] = {_short(self.product[0, 0])} I = ({c})^{L} I: "
            f"{'yes' if self.product_is_power else 'NO'}",
            f"  dJ/dW[l] = {_short(c ** (L - 1))} (y_hat - y) x^T = ({c})^{L - 1} (y_hat - y) "
            "x^T for "
            f"every l = 1..{L}: {'yes' if self.gradients_scale_as_power else 'NO'}",
        ]
        return "\n".join(lines)


#: the longest number the exact example prints in full (the lecture's 1.5^50: 41 characters)
_SHORT_DIGITS = 100


def _short(value: sp.Rational) -> str:
    """``value`` in full, or, past :data:`_SHORT_DIGITS` characters, as 6 significant
    digits and its length: ``10^1800`` printed 1,801 digits (hostile31 F13)."""
    full = str(value)
    if len(full) <= _SHORT_DIGITS:
        return full
    if value.is_Integer:
        return f"{sp.N(value, 6)!s} (an integer of {len(full.lstrip('-')):,} digits)"
    return f"{sp.N(value, 6)!s} (a fraction of {len(full):,} characters)"


def exact_scaling(
    depth: int, scale: Fraction | str | int = Fraction(3, 2), *, width: int = 2
) -> ExactScaling:
    """The lecture's identity-network example at ``depth``, evaluated exactly.

    Builds ``width-width:identity-...`` (mse), derives its gradients with
    :func:`symbackprop.derive`, and evaluates the derivation's formulas (forward pass, delta
    recursion, dJ/dW[l] = delta[l] a[l-1]^T) in SymPy rationals with W[l] = c I, b[l] = 0,
    x = (1, 2, ..., width)^T and y = c^L x - e, e = (1, -1, 1, ...)^T, so y_hat - y = e.
    """
    _positive_int("depth", depth)
    _positive_int("width", width)
    if isinstance(scale, str):
        scale = parse_init(f"scaled-identity:{scale}")[1] or Fraction(0)
    elif isinstance(scale, bool) or not isinstance(scale, int | Fraction):
        raise SpecError(f"scale {scale!r}: expected a positive number such as Fraction(3, 2)")
    if not SCALE_MIN <= scale <= SCALE_MAX:  # C = 0 or -1 printed "yes" (hostile36c #12)
        raise SpecError(f"scale {scale}: expected C from 1e-6 to 1e6, as --init takes it")
    c = sp.Rational(Fraction(scale).numerator, Fraction(scale).denominator)
    net = Network.parse("-".join([str(width)] * (depth + 1)), activation="identity", loss="mse")
    derivation = derive(net)
    graph = derivation.graph
    x = sp.Matrix(width, 1, lambda i, _j: sp.Integer(i + 1))
    error = sp.Matrix(width, 1, lambda i, _j: sp.Integer((-1) ** i))
    env: dict[str, Any] = {graph.x.name: x, graph.y.name: c**depth * x - error}
    for layer in range(1, depth + 1):
        env[f"W{layer}"] = c * sp.eye(width)
        env[f"b{layer}"] = sp.zeros(width, 1)
    scalars = {symbol: sp.Integer(size) for symbol, size in graph.sizes.items()}
    acts = {act.name: act for act in graph.activations}
    evaluate = Evaluator(env, scalars, Table(random.Random(0), acts))
    for layer in range(1, depth + 1):
        for name in (graph.z(layer).name, graph.a(layer).name):
            env[name] = evaluate(graph.forward[name])
    for layer in range(depth, 0, -1):
        env[derivation.delta_symbols[layer].name] = evaluate(derivation.deltas[layer])
    gradients = {
        layer: evaluate(derivation.gradients[f"W{layer}"]) for layer in range(1, depth + 1)
    }

    product = sp.eye(width)
    for layer in range(1, depth + 1):
        product = env[f"W{layer}"] * product
    outer = error * x.T
    factors: dict[int, sp.Rational | None] = {}
    for layer, grad in gradients.items():
        # outer[0, 0] = 1 * 1 is nonzero: read the factor there, then demand the whole matrix
        factor = grad[0, 0] / outer[0, 0]
        factors[layer] = factor if grad == factor * outer else None
    return ExactScaling(c, depth, width, product, gradients, error, x, factors)


# -- the numerical analysis ------------------------------------------------------------------


@dataclass
class GradientTable:
    """Per-layer gradient norms at initialization, geometric mean over ``seeds`` seeds.

    ``weight_norms[l - 1]`` is ||dJ/dW[l]||_F and ``bias_norms[l - 1]`` is ||dJ/db[l]||_2, both
    arrays of shape (depth,). A seed whose norm is exactly 0 at a layer (every ReLU of a layer
    dead for the whole batch) is left out of that layer's mean (one such seed made every mean
    0: hostile reader 23) and counted in ``zero_seeds[0 or 1][l - 1]`` (weights, biases); a
    layer 0 in every seed has mean 0. Ratios are max/min across layers (``inf`` when a norm is
    0 or overflowed).
    """

    depth: int
    width: int
    activation: str
    init: str
    seeds: int
    m: int
    spec: str
    weight_norms: np.ndarray
    bias_norms: np.ndarray
    zero_seeds: np.ndarray | None = None

    @property
    def weight_ratio(self) -> float:
        return _ratio(self.weight_norms)

    @property
    def bias_ratio(self) -> float:
        return _ratio(self.bias_norms)

    def rows(self) -> list[tuple[int, float, float]]:
        """``(layer, ||dJ/dW[l]||_F, ||dJ/db[l]||)`` from the output layer down to layer 1."""
        return [
            (layer, float(self.weight_norms[layer - 1]), float(self.bias_norms[layer - 1]))
            for layer in range(self.depth, 0, -1)
        ]

    def header(self) -> str:
        name, scale = parse_init(self.init)
        std = f"W = {scale} I" if scale is not None else f"std {_INIT_STD[name]}"
        return (
            f"init {self.init} ({std}), {_count(self.depth, 'layer')} ({short_spec(self.spec)}), "
            f"mse, {_count(self.seeds, 'seed')}, m = {self.m}"
        )

    def summary(self) -> str:
        lines = [
            f"max/min across layers: ||dJ/dW[l]||_F {_fmt_ratio(self.weight_ratio)}, "
            f"||dJ/db[l]|| {_fmt_ratio(self.bias_ratio)}"
        ]
        dead = self.dead_note()
        return "\n".join([*lines, dead] if dead else lines)

    def zeros_at(self, layer: int) -> int:
        """How many seeds gave this layer's gradients exactly 0 (the larger of dW's and db's)."""
        if self.zero_seeds is None:
            return 0
        return int(self.zero_seeds[:, layer - 1].max())

    def dead_note(self) -> str:
        """The sentence on seeds left out of a layer's mean (none: empty)."""
        counts = [self.zeros_at(layer) for layer in range(1, self.depth + 1)]
        if not any(counts):
            return ""
        return (
            "* a seed whose dW or db is exactly 0 at a layer (dead ReLUs, a derivative that is\n"
            "  0, or values below the smallest float) is left out of that norm's geometric mean\n"
            "  there; 0 in every seed shows 0"
        )


def short_spec(spec: str) -> str:
    """``64-64:relu-64:relu-1:identity`` -> ``64-(64:relu)x2-1:identity`` (runs folded)."""
    parts = spec.split("-")
    out: list[str] = []
    i = 0
    while i < len(parts):
        j = i
        while j + 1 < len(parts) and parts[j + 1] == parts[i]:
            j += 1
        count = j - i + 1
        out.append(f"({parts[i]})x{count}" if count > 2 else "-".join(parts[i : j + 1]))
        i = j + 1
    return "-".join(out)


def _ratio(values: np.ndarray) -> float:

    finite = values[np.isfinite(values)]
    if finite.size < values.size or not finite.size or finite.min() <= 0:
        return math.inf
    return float(finite.max() / finite.min())


def _fmt_ratio(value: float) -> str:
    return "inf (zero or overflowed norms)" if math.isinf(value) else f"{value:.3g}"


def _log_norm(values: np.ndarray) -> float:
    """log ||values|| (Frobenius), finite wherever every entry is: the norm is taken of the
    entries over their largest magnitude, whose log is added back. ``np.linalg.norm`` squares
    the entries, and printed inf for norms above about 1e154 (hostile36c #1: a depth-110
    normal-init network's 9.5e162). -inf for a zero array, inf where an entry overflowed."""
    peak = float(np.max(np.abs(values)))
    if peak == 0.0:
        return -math.inf
    if not math.isfinite(peak):
        return math.inf
    return math.log(peak) + math.log(float(np.linalg.norm(values / peak)))


@functools.lru_cache(maxsize=16)
def _module(network: Network) -> Any:
    """Generated gradient code for ``network``, compiled once per network (and again after an
    activation is registered or unregistered: the network names its activations only)."""

    return compile_module(network)


on_activations_change(_module.cache_clear)


def _positive_int(what: str, value: object) -> None:
    """A :class:`SpecError` unless ``value`` is an int >= 1 (True is no depth: hostile36c
    #12, a TypeError from inside)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SpecError(f"{what} {value!r}: expected a positive integer")


def _count(n: int, noun: str) -> str:
    """``1 layer``, ``5 layers``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def analyze(
    depth: int,
    width: int,
    activation: str = "relu",
    init: str = "he",
    *,
    seeds: int = 5,
    m: int = 32,
    memory_gib: float | None = None,
    define: dict[str, str] | None = None,
    runs: int = 1,
) -> GradientTable:
    """Per-layer gradient norms at initialization for ``depth`` layers of ``width`` units.

    ``runs``: how many analyses of this size the caller makes in all (one per ``--init``):
    their work is refused together, at the first, over the limit (sixty inits each within it
    ran 2 minutes: hostile44a #2).

    For each seed s: parameters from the generated module's ``init_params(seed=s,
    scheme=init)``, X (width x m) and Y (n_L x m) standard normal from
    ``numpy.random.default_rng(10_000 + s)``, then one ``loss_and_grads``. Norms are combined
    over seeds by the geometric mean (the norms spread over orders of magnitude; an arithmetic
    mean would be the largest seed's). ``activation`` and ``define``: as
    :func:`analysis_network` reads them.
    """
    name, scale = parse_init(init)
    # the module reads its scale with float(): a fraction the CLI takes exactly (1/3) goes
    # to it as the float nearest to it
    scheme = init if scale is None else f"scaled-identity:{float(scale)!r}"
    for what, value in (("depth", depth), ("width", width), ("seeds", seeds), ("m", m)):
        _positive_int(what, value)
    network = analysis_network(
        depth, width, activation, square=name == "scaled-identity", define=define
    )
    budget = DEFAULT_BUDGET_GIB if memory_gib is None else memory_gib
    what = f"gradients at depth {depth}, width {width}, m = {m}"
    _positive_int("runs", runs)
    runs_said = f", {runs} inits" if runs > 1 else ""
    advice = "use a smaller --m, --width, --depth or --seeds" + (
        ", or fewer --init" if runs > 1 else ""
    )
    # the work first: over both, raising --memory (the memory refusal's advice) only led to
    # this refusal, which no option lifts (hostile50b #6)
    check_work(
        what + runs_said,
        [int(w) for w in network.widths],
        m,
        passes=seeds * runs,
        drawn=True,
        advice=advice,
    )
    check_budget(what, [int(w) for w in network.widths], m, budget_gib=budget)
    module = _module(network)
    n_out = width if name == "scaled-identity" else 1
    logs = np.zeros((2, seeds, depth))
    # a normal-initialized deep net overflows float64 (that is the point): keep inf, no warnings
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), _no_memory_error(what):
        for s in range(seeds):
            params = module.init_params(seed=s, scheme=scheme)
            rng = np.random.default_rng(10_000 + s)
            X = rng.standard_normal((width, m))
            Y = rng.standard_normal((n_out, m))
            _cost, grads = module.loss_and_grads(params, X, Y)
            for layer in range(1, depth + 1):
                logs[0, s, layer - 1] = _log_norm(grads[f"W{layer}"])
                logs[1, s, layer - 1] = _log_norm(grads[f"b{layer}"])
        logs = np.nan_to_num(logs, nan=np.inf, neginf=-np.inf)
        zero = np.isneginf(logs)  # exactly 0: left out of the mean, counted
        kept = np.where(zero, 0.0, logs)
        alive = (~zero).sum(axis=1)
        means = np.where(alive > 0, np.exp(kept.sum(axis=1) / np.maximum(alive, 1)), 0.0)
    return GradientTable(
        depth,
        width,
        activation,
        init,
        seeds,
        m,
        network.compact,
        means[0],
        means[1],
        zero.sum(axis=1),
    )


# -- output ----------------------------------------------------------------------------------


def chart(tables: list[GradientTable], *, bar_width: int = 40) -> str:
    """A log-scale text chart of ||dJ/db[l]|| per layer, one block per table.

    Bars share one log10 scale across all tables, so an exploding scheme's bars fill the line
    while a well-scaled one's stay short and level.
    """
    values = np.concatenate([t.bias_norms for t in tables])
    finite = values[np.isfinite(values) & (values > 0)]
    low = math.floor(np.log10(finite.min())) if finite.size else 0
    high = math.ceil(np.log10(finite.max())) if finite.size else 1
    span = max(high - low, 1)
    lines: list[str] = []
    for table in tables:
        lines.append(table.header())
        lines.append(
            f"{'layer':>5}  {'||dJ/dW[l]||_F':>14}  {'||dJ/db[l]||':>12}  "
            f"log10 ||dJ/db[l]|| from {low} to {high}"
        )
        for layer, weight, bias in table.rows():
            if math.isfinite(bias) and bias > 0:
                n = round((math.log10(bias) - low) / span * bar_width)
                bar = "#" * max(n, 1)
            else:
                bar = "(inf)" if math.isinf(bias) else "(0)"
            zeros = table.zeros_at(layer)
            left_out = f"  * 0 in {zeros} of {table.seeds} seeds" if zeros else ""
            lines.append(f"{layer:>5}  {weight:>14.3e}  {bias:>12.3e}  |{bar}{left_out}")
        lines.append(table.summary())
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def plot(tables: list[GradientTable], path: str) -> None:
    """Save a two-panel log-scale plot (||dJ/dW[l]||_F and ||dJ/db[l]|| per layer) to ``path``.

    Raises :class:`SymbackpropError` with an install hint when matplotlib is missing, and a
    :class:`SpecError` for no tables or a path whose suffix names no format matplotlib writes
    (``plot([], p)`` failed inside NumPy, and ``noext`` was written as ``noext.png``:
    hostile36c #12).
    """
    try:
        from symbackprop.render.matplotlib_agg import agg_matplotlib

        agg_matplotlib()  # files only: never open a window or need a display
        import matplotlib.pyplot as plt
    except ImportError:
        raise SymbackpropError(
            "--plot needs matplotlib, which is not installed; install the plot extra: "
            "pip install 'symbackprop[plot]'"
        ) from None
    if not tables or not all(isinstance(table, GradientTable) for table in tables):
        raise SpecError("plot needs a list of GradientTable, one per init (from analyze)")
    formats = plt.gcf().canvas.get_supported_filetypes()
    plt.close()
    suffix = os.path.splitext(str(path))[1].lower().lstrip(".")
    if suffix not in formats:
        raise SpecError(
            f"plot path {str(path)!r}: the format follows the extension; expected one of "
            f".{', .'.join(sorted(formats))}"
        )

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharex=True)
    for ax, norms in zip(axes, ("bias_norms", "weight_norms"), strict=True):
        values = np.concatenate([getattr(table, norms) for table in tables])
        if not (np.isfinite(values) & (values > 0)).any():
            # matplotlib would warn "Data has no positive values" through to the terminal
            # (hostile tester 23); the panel says it instead
            ax.text(
                0.5,
                0.5,
                "every norm is 0 or overflowed:\nnothing to draw on a log scale",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
    for table in tables:
        layers = np.arange(1, table.depth + 1)
        label = f"{table.init} (ratio {_fmt_ratio(table.bias_ratio)})"
        axes[0].semilogy(layers, table.bias_norms, marker=".", label=label)
        axes[1].semilogy(
            layers,
            table.weight_norms,
            marker=".",
            label=f"{table.init} (ratio {_fmt_ratio(table.weight_ratio)})",
        )
    first = tables[0]
    axes[0].set_title("backpropagated signal ||dJ/db[l]||")
    axes[1].set_title("weight gradients ||dJ/dW[l]||_F (level, not slope, differs)")
    for ax in axes:
        ax.set_xlabel("layer l")
        # a light grey, not a transparent line: PostScript has no transparency, and .eps/.ps
        # plots warned about it on stderr (hostile36c #10)
        ax.grid(True, which="major", color="0.85")
        ax.legend(fontsize=8, framealpha=1.0)  # opaque: see the grid above
    fig.suptitle(
        f"Gradient norms at initialization: depth {first.depth}, width {first.width}, "
        f"{first.activation}, geometric mean over {_count(first.seeds, 'seed')}"
    )
    with warnings.catch_warnings():  # an empty log-scale panel (said on it above)
        warnings.filterwarnings("ignore", message="Data has no positive values")
        fig.tight_layout()
        fig.savefig(path, dpi=120)
    plt.close(fig)
