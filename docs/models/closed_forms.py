"""The well-known closed form of each example model's gradients: one source for the pages of
docs/models (the table "closed forms recovered") and for tests/test_model_closed_forms.py,
which evaluates the derived gradient (SymPy only) and the closed form (NumPy) at random values
and asserts they agree to 1e-9. A form that is not here is not claimed on a page.

Each entry: ``where`` (LaTeX definitions the forms use, or ""), ``forms`` (parameter -> the
closed form in LaTeX) and ``numpy`` (the leaves' values, ``m`` and the model's constants in a
namespace -> parameter -> the closed form's value). The NumPy code recomputes every forward
value from the leaves itself, so it shares nothing with the derivation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

Values = SimpleNamespace
Arrays = dict[str, Any]


@dataclass(frozen=True)
class ClosedForms:
    forms: dict[str, str]
    numpy: Callable[[Values], Arrays]
    where: str = ""
    source: str = ""


def _sigmoid(z: Any) -> Any:
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z: Any) -> Any:
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _ones(v: Values) -> Any:
    return np.ones((v.m, 1))


def _residual(v: Values, *, around_layer_2: bool) -> Arrays:
    """The two residual examples: h = W2 a1 + X (the skip carries the data: residual_mlp), or
    h = W2 a1 + a1 (the skip goes around the second layer: residual_block, whose dJ/dz1 sums
    both paths)."""
    z1 = v.W1 @ v.X + v.b1
    a1 = np.maximum(z1, 0)
    h = v.W2 @ a1 + (a1 if around_layer_2 else v.X)
    g = (_sigmoid(v.w.T @ h + v.c) - v.Y) / v.m
    dh = v.w @ g
    da1 = v.W2.T @ dh + (dh if around_layer_2 else 0)
    dz1 = da1 * (z1 > 0)
    return {
        "w": h @ g.T,
        "c": g @ _ones(v),
        "W2": dh @ a1.T,
        "W1": dz1 @ v.X.T,
        "b1": dz1 @ _ones(v),
    }


def _residual_mlp(v: Values) -> Arrays:
    return _residual(v, around_layer_2=False)


def _residual_block(v: Values) -> Arrays:
    return _residual(v, around_layer_2=True)


def _factorization(v: Values) -> Arrays:
    E = v.X - v.W @ v.H
    return {"W": -2 / v.m * E @ v.H.T, "H": -2 / v.m * v.W.T @ E + 0.2 / v.m * v.H}


def _tied_autoencoder(v: Values) -> Arrays:
    hidden = _sigmoid(v.W @ v.X + v.b)
    g = (v.W.T @ hidden + v.c - v.X) / v.m
    dz = (v.W @ g) * hidden * (1 - hidden)
    return {"W": hidden @ g.T + dz @ v.X.T, "b": dz @ _ones(v), "c": g @ _ones(v)}


def _rnn_3(v: Values) -> Arrays:
    h1 = np.tanh(v.U @ v.X1 + v.b)
    h2 = np.tanh(v.W @ h1 + v.U @ v.X2 + v.b)
    h3 = np.tanh(v.W @ h2 + v.U @ v.X3 + v.b)
    g = (v.v.T @ h3 + v.c - v.Y) / v.m
    d3 = (v.v @ g) * (1 - h3**2)
    d2 = (v.W.T @ d3) * (1 - h2**2)
    d1 = (v.W.T @ d2) * (1 - h1**2)
    return {
        "v": h3 @ g.T,
        "c": g @ _ones(v),
        "W": d3 @ h2.T + d2 @ h1.T,
        "U": d3 @ v.X3.T + d2 @ v.X2.T + d1 @ v.X1.T,
        "b": (d1 + d2 + d3) @ _ones(v),
    }


def _two_heads(v: Values) -> Arrays:
    z = v.W1 @ v.X + v.b1
    hidden = np.maximum(z, 0)
    g1 = (_sigmoid(v.w.T @ hidden + v.c) - v.Y1) / v.m
    g2 = (_softmax(v.V @ hidden + v.d) - v.Y2) / v.m
    dz = (v.w @ g1 + v.V.T @ g2) * (z > 0)
    return {
        "w": hidden @ g1.T,
        "c": g1 @ _ones(v),
        "V": g2 @ hidden.T,
        "d": g2 @ _ones(v),
        "W1": dz @ v.X.T,
        "b1": dz @ _ones(v),
    }


def _batch_norm(v: Values) -> Arrays:
    z = v.W @ v.X
    mu = z.mean(axis=1, keepdims=True)
    var = ((z - mu) ** 2).mean(axis=1, keepdims=True)
    sigma = np.sqrt(var + 0.001)
    n = (z - mu) / sigma
    pre = v.gamma * n + v.beta
    g = (v.v.T @ np.maximum(pre, 0) - v.Y) / v.m
    da = (v.v @ g) * (pre > 0)
    dn = v.gamma * da
    # the classic batch-norm backward: dZ = (1 / (m sigma)) (m dN - dN 1 1^T - N ((dN N) 1 1^T))
    dz = (v.m * dn - dn.sum(axis=1, keepdims=True) - n * (dn * n).sum(axis=1, keepdims=True)) / (
        v.m * sigma
    )
    return {
        "v": np.maximum(pre, 0) @ g.T,
        "gamma": (da * n) @ _ones(v),
        "beta": da @ _ones(v),
        "W": dz @ v.X.T,
    }


def _dropout(v: Values) -> Arrays:
    z = v.W1 @ v.X + v.b1
    hidden = np.maximum(z, 0) * v.M / 0.8
    g = (_sigmoid(v.w.T @ hidden + v.c) - v.Y) / v.m
    dz = (v.w @ g) * v.M / 0.8 * (z > 0)
    return {"w": hidden @ g.T, "c": g @ _ones(v), "W1": dz @ v.X.T, "b1": dz @ _ones(v)}


def _logistic_l2(v: Values) -> Arrays:
    p = _sigmoid(v.w.T @ v.X + v.c)
    return {"w": v.X @ (p - v.Y).T / v.m + v.lam * v.w, "c": (p - v.Y) @ _ones(v) / v.m}


def _softmax_l2(v: Values) -> Arrays:
    p = _softmax(v.W @ v.X + v.b)
    return {
        "W": (p - v.Y) @ v.X.T / v.m + v.lam / v.m * v.W,
        "b": (p - v.Y) @ _ones(v) / v.m,
    }


def _trace(v: Values) -> Arrays:
    a, b, c, x = v.A, v.B, v.C, v.X
    return {
        "A": c.T @ x.T @ b.T @ x,
        "B": x @ a.T @ c.T @ x.T,
        "C": x.T @ b.T @ x @ a.T,
        "X": b @ x @ c @ a + b.T @ x @ a.T @ c.T,
    }


_DELTA = r"\delta"
CLOSED_FORMS: dict[str, ClosedForms] = {
    "quadratic": ClosedForms(
        forms={
            "x": r"\tfrac{1}{2} (A + A^{\top})\, x",
            "A": r"\tfrac{1}{2}\, x x^{\top}",
        },
        numpy=lambda v: {"x": (v.A + v.A.T) @ v.x / 2, "A": v.x @ v.x.T / 2},
        source="MatrixCalculus.org",
    ),
    "norm2_squared": ClosedForms(
        forms={"x": r"2 A^{\top} (A x - y)", "A": r"2 (A x - y)\, x^{\top}"},
        numpy=lambda v: {
            "x": 2 * v.A.T @ (v.A @ v.x - v.y),
            "A": 2 * (v.A @ v.x - v.y) @ v.x.T,
        },
        source="the normal equations of least squares",
    ),
    "norm1": ClosedForms(
        forms={
            "x": r"A^{\top} \operatorname{sign}(A x - y)",
            "A": r"\operatorname{sign}(A x - y)\, x^{\top}",
        },
        numpy=lambda v: {
            "x": v.A.T @ np.sign(v.A @ v.x - v.y),
            "A": np.sign(v.A @ v.x - v.y) @ v.x.T,
        },
        source="MatrixCalculus.org (away from the kinks, where no residual is 0)",
    ),
    "logdet_inv": ClosedForms(
        forms={"X": r"-X^{-\top}"},
        numpy=lambda v: {"X": -np.linalg.inv(v.X).T},
        source=r"$\log\det X^{-1} = -\log\det X$ and Jacobi's formula",
    ),
    "trace": ClosedForms(
        forms={
            "A": r"C^{\top} X^{\top} B^{\top} X",
            "B": r"X A^{\top} C^{\top} X^{\top}",
            "C": r"X^{\top} B^{\top} X A^{\top}",
            "X": r"B X C A + B^{\top} X A^{\top} C^{\top}",
        },
        numpy=_trace,
        source=r"the Matrix Cookbook, $\partial \operatorname{tr}(P Q)/\partial P = Q^{\top}$",
    ),
    "dot": ClosedForms(
        forms={"v": r"y \odot x", "x": r"y \odot v"},
        numpy=lambda v: {"v": v.y * v.x, "x": v.y * v.v},
        source="MatrixCalculus.org",
    ),
    "logistic_sum": ClosedForms(
        forms={"w": r"-X^{\top} \bigl(y \odot \sigma(-y \odot X w)\bigr)"},
        numpy=lambda v: {"w": -v.X.T @ (v.y * _sigmoid(-v.y * (v.X @ v.w)))},
        source="MatrixCalculus.org (logistic regression's gradient)",
    ),
    "logistic_l2": ClosedForms(
        where=r"p = \sigma(w^{\top} X + c)",
        forms={
            "w": r"\tfrac{1}{m} X (p - Y)^{\top} + \lambda w",
            "c": r"\tfrac{1}{m} (p - Y) \mathbf{1}_{m}",
        },
        numpy=_logistic_l2,
        source="logistic regression with weight decay",
    ),
    "softmax_l2": ClosedForms(
        where=r"P = \operatorname{softmax}(W X + b \mathbf{1}_{m}^{\top})",
        forms={
            "W": r"\tfrac{1}{m} (P - Y) X^{\top} + \tfrac{\lambda}{m} W",
            "b": r"\tfrac{1}{m} (P - Y) \mathbf{1}_{m}",
        },
        numpy=_softmax_l2,
        source="softmax regression with weight decay (Y one-hot)",
    ),
    "residual_mlp": ClosedForms(
        where=(
            r"g = \tfrac{1}{m}\bigl(\sigma(w^{\top} h + c) - Y\bigr),\ "
            rf"{_DELTA}_h = w g,\ {_DELTA}_1 = (W_{{2}}^{{\top}} {_DELTA}_h) \odot "
            r"\mathbf{1}\lbrace z_{1} > 0 \rbrace"
        ),
        forms={
            "W1": rf"{_DELTA}_1 X^{{\top}}",
            "b1": rf"{_DELTA}_1 \mathbf{{1}}_{{m}}",
            "W2": rf"{_DELTA}_h a_{{1}}^{{\top}}",
            "w": r"h g^{\top}",
            "c": r"g \mathbf{1}_{m}",
        },
        numpy=_residual_mlp,
        source="the lecture's delta recursion; the skip adds nothing to dJ/dW1 beyond it",
    ),
    "residual_block": ClosedForms(
        where=(
            r"g = \tfrac{1}{m}\bigl(\sigma(w^{\top} h + c) - Y\bigr),\ "
            rf"{_DELTA}_h = w g,\ "
            rf"{_DELTA}_1 = \bigl((W_{{2}}^{{\top}} + I) {_DELTA}_h\bigr) \odot "
            r"\mathbf{1}\lbrace z_{1} > 0 \rbrace"
        ),
        forms={
            "W1": rf"{_DELTA}_1 X^{{\top}}",
            "b1": rf"{_DELTA}_1 \mathbf{{1}}_{{m}}",
            "W2": rf"{_DELTA}_h a_{{1}}^{{\top}}",
            "w": r"h g^{\top}",
            "c": r"g \mathbf{1}_{m}",
        },
        numpy=_residual_block,
        source="the delta recursion with the skip's identity beside W2: (W2^T + I) delta_h",
    ),
    "tied_autoencoder": ClosedForms(
        where=(
            r"G = \tfrac{1}{m}(R - X),\ "
            rf"{_DELTA} = (W G) \odot H \odot (1 - H)"
        ),
        forms={
            "W": rf"H G^{{\top}} + {_DELTA} X^{{\top}}",
            "b": rf"{_DELTA} \mathbf{{1}}_{{m}}",
            "c": r"G \mathbf{1}_{m}",
        },
        numpy=_tied_autoencoder,
        source="tied weights: the decoder's and the encoder's gradients summed",
    ),
    "rnn_3": ClosedForms(
        where=(
            r"g = \tfrac{1}{m}(v^{\top} h_{3} + c - Y),\ "
            rf"{_DELTA}_3 = (v g) \odot (1 - h_{{3}}^{{\odot 2}}),\ "
            rf"{_DELTA}_t = (W^{{\top}} {_DELTA}_{{t+1}}) \odot (1 - h_{{t}}^{{\odot 2}})"
        ),
        forms={
            "W": rf"{_DELTA}_3 h_{{2}}^{{\top}} + {_DELTA}_2 h_{{1}}^{{\top}}",
            "U": rf"\sum_{{t=1}}^{{3}} {_DELTA}_t X_{{t}}^{{\top}}",
            "b": rf"\sum_{{t=1}}^{{3}} {_DELTA}_t \mathbf{{1}}_{{m}}",
            "v": r"h_{3} g^{\top}",
            "c": r"g \mathbf{1}_{m}",
        },
        numpy=_rnn_3,
        source="backpropagation through time",
    ),
    "two_heads": ClosedForms(
        where=(
            r"g_1 = \tfrac{1}{m}(p - Y_{1}),\ G_2 = \tfrac{1}{m}(S - Y_{2}),\ "
            rf"{_DELTA} = (w g_1 + V^{{\top}} G_2) \odot \mathbf{{1}}\lbrace W_{{1}} X + b_{{1}} "
            r"> 0 \rbrace"
        ),
        forms={
            "W1": rf"{_DELTA} X^{{\top}}",
            "b1": rf"{_DELTA} \mathbf{{1}}_{{m}}",
            "w": r"H g_1^{\top}",
            "c": r"g_1 \mathbf{1}_{m}",
            "V": r"G_2 H^{\top}",
            "d": r"G_2 \mathbf{1}_{m}",
        },
        numpy=_two_heads,
        source=r"each head's $a - y$; the trunk sums both heads' deltas "
        r"($S = \operatorname{softmax}(V H + d)$)",
    ),
    "dropout": ClosedForms(
        where=(
            r"g = \tfrac{1}{m}\bigl(\sigma(w^{\top} H + c) - Y\bigr),\ "
            rf"{_DELTA} = \tfrac{{1}}{{0.8}} (w g) \odot M \odot "
            r"\mathbf{1}\lbrace W_{1} X + b_{1} > 0 \rbrace"
        ),
        forms={
            "W1": rf"{_DELTA} X^{{\top}}",
            "b1": rf"{_DELTA} \mathbf{{1}}_{{m}}",
            "w": r"H g^{\top}",
            "c": r"g \mathbf{1}_{m}",
        },
        numpy=_dropout,
        source="inverted dropout: the mask scales the backward pass as the forward one",
    ),
    "batch_norm": ClosedForms(
        where=(
            r"\sigma = \sqrt{\mathit{var} + 0.001},\ g = \tfrac{1}{m}(v^{\top} H - Y),\ "
            r"\delta = (v g) \odot \mathbf{1}\lbrace \gamma \odot N + \beta > 0 \rbrace,\ "
            r"\delta_N = \gamma \odot \delta,\ "
            r"\delta_Z = \frac{1}{m \sigma} \odot \bigl(m \delta_N - \delta_N \mathbf{1} "
            r"\mathbf{1}^{\top} - N \odot ((\delta_N \odot N) \mathbf{1} \mathbf{1}^{\top})\bigr)"
        ),
        forms={
            "W": r"\delta_Z X^{\top}",
            "gamma": r"(\delta \odot N) \mathbf{1}_{m}",
            "beta": r"\delta \mathbf{1}_{m}",
            "v": r"H g^{\top}",
        },
        numpy=_batch_norm,
        source="the classic batch-norm backward (Ioffe and Szegedy 2015)",
    ),
    "factorization": ClosedForms(
        where=r"E = X - W H",
        forms={
            "W": r"-\tfrac{2}{m} E H^{\top}",
            "H": r"-\tfrac{2}{m} W^{\top} E + \tfrac{0.2}{m} H",
        },
        numpy=_factorization,
        source="the alternating least-squares updates of matrix factorisation",
    ),
}
