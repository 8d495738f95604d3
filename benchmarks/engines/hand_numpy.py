"""Hand-written NumPy backprop for the benchmark's MLPs: the baseline, the reference, the floor.

Conventions (CS229, one example per column): ``X`` is (n0, m); ``Ws[i]`` is W[i+1], of shape
(n_{i+1}, n_i); ``bs[i]`` is (n_{i+1}, 1); ``Y`` is (nL, m). The hidden layers use
``spec.hidden`` (sigmoid, tanh or relu); the head is ``spec.output``: ``sigmoid_bce`` or
``softmax_ce``. The cost is the mean loss over the m columns, so for both heads
dJ/dZ[L] = (A[L] - Y) / m.

* :func:`make_grad` is the tuned baseline every ratio is taken against: all arrays allocated
  once per workload, every ufunc and product writing into its output (positional ``out``), the
  activation derivative read from the cached A, the bias gradient a matrix-vector product with a
  vector of ones. It follows the plug-in contract of ``grad_speed.py``.
* :func:`reference_grad` is the plain algorithm in float64: the oracle every engine is checked
  against before it is timed.
* :func:`make_gemm_floor` runs only the products backprop needs (forward W A, backward
  delta A^T and W^T delta), into preallocated arrays: no engine using this BLAS can go below it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Grads = tuple[list[np.ndarray], list[np.ndarray]]


def _activate(Z: np.ndarray, kind: str) -> np.ndarray:
    if kind == "sigmoid":
        return 0.5 * (np.tanh(0.5 * Z) + 1.0)
    if kind == "tanh":
        return np.tanh(Z)
    return np.maximum(Z, 0.0)


def _slope_from_output(A: np.ndarray, kind: str) -> np.ndarray:
    """g'(z) written through a = g(z)."""
    if kind == "sigmoid":
        return A * (1.0 - A)
    if kind == "tanh":
        return 1.0 - A * A
    return (A > 0).astype(A.dtype)


def reference_grad(spec: Any, Ws: list, bs: list, X: np.ndarray, Y: np.ndarray) -> Grads:
    """The textbook backprop in float64, on the inputs as given (float32 ones widened)."""
    up = [np.asarray(a, dtype=np.float64) for a in (*Ws, *bs, X, Y)]
    depth = len(Ws)
    Ws64, bs64, X64, Y64 = up[:depth], up[depth : 2 * depth], up[-2], up[-1]
    A = [X64]
    for layer in range(depth):
        Z = Ws64[layer] @ A[-1] + bs64[layer]
        if layer < depth - 1:
            A.append(_activate(Z, spec.hidden))
        elif spec.output == "sigmoid_bce":
            A.append(_activate(Z, "sigmoid"))
        else:
            E = np.exp(Z - Z.max(axis=0, keepdims=True))
            A.append(E / E.sum(axis=0, keepdims=True))
    delta = (A[-1] - Y64) / X64.shape[1]
    dWs: list[np.ndarray] = [np.empty(0)] * depth
    dbs: list[np.ndarray] = [np.empty(0)] * depth
    for layer in range(depth - 1, -1, -1):
        dWs[layer] = delta @ A[layer].T
        dbs[layer] = delta.sum(axis=1, keepdims=True)
        if layer:
            delta = (Ws64[layer].T @ delta) * _slope_from_output(A[layer], spec.hidden)
    return dWs, dbs


def make_grad(spec: Any) -> Callable[..., Grads] | None:
    """The tuned hand-written gradient for ``spec``; the returned arrays are reused per call."""
    if spec.hidden not in ("sigmoid", "tanh", "relu"):
        return None
    if spec.output not in ("sigmoid_bce", "softmax_ce"):
        return None
    sizes, m, dtype = tuple(spec.sizes), spec.m, np.dtype(spec.dtype)
    depth = len(sizes) - 1
    scale = 1.0 / m  # a Python float: the arrays keep their dtype
    acts = [np.empty((n, m), dtype) for n in sizes[1:]]  # Z, then A in place
    deltas = [np.empty((n, m), dtype) for n in sizes[1:-1]]
    masks = [np.empty((n, m), np.bool_) for n in sizes[1:-1]]
    dWs = [np.empty((sizes[i + 1], sizes[i]), dtype) for i in range(depth)]
    dbs = [np.empty((n, 1), dtype) for n in sizes[1:]]
    db_rows = [db.reshape(-1) for db in dbs]  # 1-D views: the output of a matrix-vector product
    ones = np.ones(m, dtype)
    column = np.empty((1, m), dtype)  # the softmax's column max, then column sum
    hidden, head = spec.hidden, spec.output
    add, subtract, multiply, matmul = np.add, np.subtract, np.multiply, np.matmul

    def sigmoid_in_place(Z: np.ndarray) -> None:
        multiply(Z, 0.5, Z)
        np.tanh(Z, Z)
        multiply(Z, 0.5, Z)
        add(Z, 0.5, Z)

    def grad(Ws: list, bs: list, X: np.ndarray, Y: np.ndarray) -> Grads:
        A = X
        for layer in range(depth - 1):
            Z = acts[layer]
            matmul(Ws[layer], A, Z)
            add(Z, bs[layer], Z)
            if hidden == "relu":
                np.maximum(Z, 0.0, out=Z)
            elif hidden == "tanh":
                np.tanh(Z, Z)
            else:
                sigmoid_in_place(Z)
            A = Z
        Z = acts[-1]
        matmul(Ws[-1], A, Z)
        add(Z, bs[-1], Z)
        if head == "sigmoid_bce":
            sigmoid_in_place(Z)
        else:
            np.max(Z, axis=0, keepdims=True, out=column)
            subtract(Z, column, Z)
            np.exp(Z, Z)
            np.sum(Z, axis=0, keepdims=True, out=column)
            np.divide(Z, column, Z)
        subtract(Z, Y, Z)  # the output's buffer becomes dJ/dZ[L]
        multiply(Z, scale, Z)
        delta = Z
        for layer in range(depth - 1, -1, -1):
            below = X if layer == 0 else acts[layer - 1]
            matmul(delta, below.T, dWs[layer])
            matmul(delta, ones, db_rows[layer])
            if layer:
                nxt = deltas[layer - 1]
                matmul(Ws[layer].T, delta, nxt)
                # the activation below is read for the last time: it may be overwritten
                if hidden == "relu":
                    np.greater(below, 0.0, masks[layer - 1])
                    multiply(nxt, masks[layer - 1], nxt)
                elif hidden == "tanh":
                    multiply(below, below, below)
                    subtract(1.0, below, below)
                    multiply(nxt, below, nxt)
                else:
                    multiply(nxt, below, nxt)
                    subtract(1.0, below, below)
                    multiply(nxt, below, nxt)
                delta = nxt
        return dWs, dbs

    return grad


def make_gemm_floor(spec: Any) -> Callable[[], list[np.ndarray]]:
    """Only the products of one forward and backward pass, on arrays of the workload's shapes."""
    sizes, m, dtype = tuple(spec.sizes), spec.m, np.dtype(spec.dtype)
    depth = len(sizes) - 1
    rng = np.random.default_rng(1)
    Ws = [rng.standard_normal((sizes[i + 1], sizes[i])).astype(dtype) for i in range(depth)]
    acts = [rng.standard_normal((n, m)).astype(dtype) for n in sizes]
    deltas = [rng.standard_normal((n, m)).astype(dtype) for n in sizes]
    dWs = [np.empty_like(W) for W in Ws]

    def run() -> list[np.ndarray]:
        for i in range(depth):
            np.matmul(Ws[i], acts[i], acts[i + 1])
        for i in range(depth - 1, -1, -1):
            np.matmul(deltas[i + 1], acts[i].T, dWs[i])
            if i:
                np.matmul(Ws[i].T, deltas[i + 1], deltas[i])
        return dWs

    return run
