"""Loss records.

A loss is one :class:`Loss` record. Each loss here is a sum over the output units of a scalar
term ``formula(a, y)``; the engine differentiates that term with SymPy. The batch cost is the
mean over the m examples (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symbackprop.records.scalars import a, y

#: the kinds of valid targets, each a subset of the one before: a data leaf read by several
#: losses is drawn for the last of their kinds (mse and ce of the same Y: one-hot columns)
TARGET_KINDS = ("real", "binary", "one-hot")
#: each kind's soft relaxation, for which the derivation holds as well (bce's a - y for any
#: real y, softmax-and-ce's a - y for columns summing to 1): binary entries become
#: probabilities strictly between 0 and 1, one-hot columns probability vectors with every
#: entry strictly between 0 and 1. A formula is compared at soft targets, so that y^2, y ⊙ y
#: or 1{y > 0.5}, which equal y at 0/1 entries, are not taken for y.
SOFT_TARGETS = {"real": "real", "binary": "probability", "one-hot": "distribution"}


#: the tolerance of a column sum against 1 where a loss assumes each column of its target sums
#: to 1 (ce), as Python text in ``eps`` (the dtype's) and ``rows``: sqrt(eps) (float32's at
#: least) plus one rounding per entry summed. The generated modules' check writes this text;
#: :func:`sums_to_one_tolerance` computes it for the gradient check.
SUMS_TO_ONE_TOLERANCE = "max(eps, 2.0**-23) ** 0.5 + rows * eps"


def sums_to_one_tolerance(eps: float, rows: int) -> float:
    """:data:`SUMS_TO_ONE_TOLERANCE` for the dtype's ``eps`` and a target of ``rows`` rows."""
    return float(max(eps, 2.0**-23) ** 0.5 + rows * eps)


@dataclass(frozen=True)
class Refusal:
    """Why a loss refuses an output activation, and what to write instead: in a model (the
    loss's first argument is that activation) and in a network (its output layer is)."""

    why: str
    in_model: str
    in_network: str

    @property
    def model_message(self) -> str:
        return f"{self.why}; {self.in_model}"


@dataclass(frozen=True)
class Loss:
    """One loss: a sum over output units k of ``formula(a_k, y_k)``.

    ``requires_output`` names the output activation the loss needs (``None``: any).
    ``assumption`` is stated as a derivation step when the loss relies on it, of the target
    named in place of ``{y}`` (:meth:`assumption_on`).
    ``latex`` is the per-example loss with ``{yhat}`` and ``{y}`` placeholders.
    ``targets`` says which targets are valid: ``"binary"`` (entries 0 or 1), ``"one-hot"``
    (each column one 1) or ``"real"``; :meth:`draw_targets` draws them. ``logits_with`` names
    the output activation with which the cost is computed stably from the logits z[L]
    (``None``: from the output a[L]). ``logits_code`` maps a backend name to that stable cost,
    summed over every entry, as code in ``{z}`` (the logits) and ``{y}`` (the targets);
    ``helpers`` names the module's own functions that code calls (``log_softmax``), which an
    emitter then defines in the module. ``refuses`` maps
    an output activation to the :class:`Refusal` of it: refused in a network and in a model
    alike (a model's loss otherwise takes any argument).
    """

    name: str
    formula: sp.Expr
    latex: str
    requires_output: str | None
    description: str
    assumption: str | None = None
    targets: str = "real"
    logits_with: str | None = None
    logits_code: Mapping[str, str] = field(default_factory=dict)
    helpers: frozenset[str] = frozenset()
    refuses: Mapping[str, Refusal] = field(default_factory=dict)

    def assumption_on(self, target: str) -> str:
        """The stated assumption of the target named ``target`` (``y``; ``Y`` for a batch; a
        model's own name): a batch's columns are those of Y, not of y."""
        return (self.assumption or "").replace("{y}", target)

    def draw_targets(self, rng: Any, shape: tuple[int, int]) -> Any:
        """Random valid targets of ``shape`` (units x examples) as a float NumPy array, drawn
        with the NumPy ``Generator`` ``rng`` (so this module need not import NumPy)."""
        rows, cols = shape
        if self.targets == "one-hot":
            labels = rng.integers(0, rows, size=cols)
            out = rng.integers(0, 1, size=shape).astype(float)  # zeros (a range of one value)
            out[labels, range(cols)] = 1.0
            return out
        if self.targets == "binary":
            return rng.integers(0, 2, size=shape).astype(float)
        return rng.standard_normal(shape)

    @property
    def strictness(self) -> int:
        """The rank of :attr:`targets` in :data:`TARGET_KINDS`: a draw valid for a loss of a
        rank is valid for every loss of a lower one (one-hot columns are binary entries)."""
        return TARGET_KINDS.index(self.targets)

    @property
    def soft_targets(self) -> str:
        """The soft kind (:data:`SOFT_TARGETS`) of :attr:`targets`."""
        return SOFT_TARGETS[self.targets]

    @property
    def derivative(self) -> sp.Expr:
        """dL/da for one unit, derived by SymPy."""
        return sp.diff(self.formula, a)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "bce",
            -(y * sp.log(a) + (1 - y) * sp.log(1 - a)),
            r"-\sum_k \left[ {y}_k \log {yhat}_k + (1 - {y}_k) \log (1 - {yhat}_k) \right]",
            "sigmoid",
            "binary cross-entropy, the logistic loss",
            targets="binary",
            logits_with="sigmoid",
            # max(z, 0) - y z + log(1 + e^-|z|): no overflow for any z, no log(0)
            logits_code={
                "numpy": "(np.maximum({z}, 0.0) - {y} * {z}"
                " + np.log1p(np.exp(-np.abs({z})))).sum()",
                # torch's binary_cross_entropy_with_logits takes a log, not log1p: 1e-2 off
                # the cost at z = -30, 0 at -40 (hostile38a #2); softplus of -|z| is
                # log1p(exp(.)) in one kernel (below its threshold, which -|z| never
                # passes): about 10 us less of a 3-2-1 loss_and_grads than log1p(exp(.))
                "torch": "(torch.relu({z}) - {y} * {z}"
                " + torch.nn.functional.softplus(-torch.abs({z}))).sum()",
                "jax": "(jnp.maximum({z}, 0.0) - {y} * {z}"
                " + jnp.log1p(jnp.exp(-jnp.abs({z})))).sum()",
            },
            # no stable form of log(1 - softmax) is derived here
            refuses={
                "softmax": Refusal(
                    "bce of a softmax is NaN where an entry rounds to 1 (log(1 - a))",
                    "use ce(softmax(...), Y), or bce(sigmoid(...), Y) for independent labels",
                    "with a softmax output use loss 'ce' (--loss ce, or loss='ce' in Python)",
                )
            },
        ),
        Loss(
            "mse",
            sp.Rational(1, 2) * (a - y) ** 2,
            r"\tfrac{1}{2} \lVert {yhat} - {y} \rVert^2",
            None,
            "half squared error",
        ),
        Loss(
            "ce",
            -y * sp.log(a),
            r"-\sum_k {y}_k \log {yhat}_k",
            "softmax",
            "categorical cross-entropy",
            assumption="each column of {y} sums to 1 (one-hot or a probability vector)",
            targets="one-hot",
            logits_with="softmax",
            # log a = z - logsumexp(z) per column (the column maximum subtracted first)
            logits_code={
                "numpy": "-({y} * log_softmax({z})).sum()",
                "torch": "-({y} * log_softmax({z})).sum()",
                "jax": "-({y} * log_softmax({z})).sum()",
            },
            helpers=frozenset({"log_softmax"}),
        ),
    )
}
