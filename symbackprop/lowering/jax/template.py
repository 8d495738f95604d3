"""The JAX module's fixed text: ``init_params``, the cost with the derived backward as its
``jax.custom_vjp``, as the emitters paste them.

``init_params`` draws with NumPy's ``default_rng`` exactly as the NumPy module does (the same
seed gives the same numbers on every backend) and hands back ``jnp`` arrays; it is the NumPy
template's with that one change (copied: that template returns NumPy arrays). The shape checks
(``_invalid``, the models' ``_check``) and the init schemes (``STDS``) are the NumPy
templates' own text, imported from there: they read only shapes, which are static under
``jax.jit``.
"""

from __future__ import annotations

from symbackprop.lowering.numpy.model_template import CHECK_HELPER
from symbackprop.lowering.numpy.model_template import STDS as MODEL_STDS
from symbackprop.lowering.numpy.template import INVALID_HELPER, STDS

__all__ = [
    "CHECK_HELPER",
    "CUSTOM_VJP",
    "INIT_PARAMS",
    "INVALID_HELPER",
    "LOGDET_HELPER",
    "MODEL_CUSTOM_VJP",
    "MODEL_INIT_PARAMS",
    "MODEL_STDS",
    "STDS",
]

INIT_PARAMS = '''
def init_params(seed=0, scheme="xavier", dtype=np.float64):
    """Weights ``rng.standard_normal(shape) * std`` drawn in order W1, W2, ...; biases zero.

    ``scheme``: "xavier" std sqrt(1/n_prev), "he" sqrt(2/n_prev), "glorot"
    sqrt(2/(n_prev + n_l)), "normal" std 1, or "scaled-identity:c" (c times the identity,
    square layers only). ``rng = np.random.default_rng(seed)``, as in the NumPy module, so a
    seed gives the same parameters there; returned as jnp arrays of ``dtype`` (float64 needs
    ``jax.config.update("jax_enable_x64", True)``; without it JAX keeps float32).
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
        params[f"W{layer}"] = jnp.asarray(W.astype(dtype))
        params[f"b{layer}"] = jnp.asarray(np.zeros((n_l, 1), dtype=dtype))
    return params
'''
MODEL_INIT_PARAMS = '''
def init_params(seed=0, scheme="xavier", dtype=np.float64):
    """Every parameter, in SHAPES order: those only ever added (ADDED) start at zero; every
    other is ``rng.standard_normal(shape) * std``, with fan-in its column count.

    ``scheme``: "xavier" std sqrt(1/fan_in), "he" sqrt(2/fan_in), "glorot"
    sqrt(2/(fan_in + fan_out)), "normal" std 1, or "scaled-identity:c" (c times the identity,
    square parameters only). ``rng = np.random.default_rng(seed)``, as in the NumPy module, so
    a seed gives the same parameters there; returned as jnp arrays of ``dtype`` (float64 needs
    ``jax.config.update("jax_enable_x64", True)``; without it JAX keeps float32).
    """
    rng = np.random.default_rng(seed)
    params = {}
    for name, (rows, cols) in SHAPES.items():
        if name in ADDED:
            value = np.zeros((rows, cols))
        elif scheme.startswith("scaled-identity:"):
            if rows != cols:
                raise ValueError(
                    f"scheme {scheme!r} needs square parameters, but {name} is {rows} x {cols}"
                )
            value = float(scheme.split(":", 1)[1]) * np.eye(rows)
        elif scheme in STDS:
            value = rng.standard_normal((rows, cols)) * STDS[scheme](cols, rows)
        else:
            known = ", ".join([*STDS, "scaled-identity:c"])
            raise ValueError(f"unknown init scheme {scheme!r}; expected one of {known}")
        params[name] = jnp.asarray(value.astype(dtype))
    return params
'''
LOGDET_HELPER = '''
def logdet(A):
    """log det(A) as a 1 x 1 array, through slogdet (no overflow of det itself); NaN where
    the determinant is not positive (a jitted function cannot raise on a value)."""
    sign, value = jnp.linalg.slogdet(A)
    return jnp.where(sign > 0, value, jnp.nan).reshape(1, 1)
'''
CUSTOM_VJP = '''
@jax.custom_vjp
def cost(params, X, Y):
    """J alone, differentiable: ``jax.grad(cost)(params, X, Y)`` runs the derived backward
    above (``_cost_fwd`` and ``_cost_bwd``), not JAX's own autodiff of the forward pass.

    The derivation differentiates the parameters only: X and Y get zero cotangents, and so
    does a key of params that is not in SHAPES.
    """
    _, cache = forward(params, X)
    return _cost(params, cache, Y)


def _cost_fwd(params, X, Y):
    _, cache = forward(params, X)
    return _cost(params, cache, Y), (params, cache, Y)


def _cost_bwd(residuals, g):
    params, cache, Y = residuals
    grads = backward(params, cache, Y)
    return _scaled(params, grads, g), jnp.zeros_like(cache["X"]), jnp.zeros_like(Y)


def _scaled(params, grads, g):
    """The cotangent of params: each gradient times g (the cotangent of J), keyed like params.
    A key that is no parameter (a learning rate kept in the same dict) gets None, JAX's zero
    cotangent: jax.grad gives it zeros, as to any input a function does not read."""
    return {name: g * grads[name] if name in grads else None for name in params}


cost.defvjp(_cost_fwd, _cost_bwd)
'''
MODEL_CUSTOM_VJP = '''
@jax.custom_vjp
def cost(params, *data):
    """J alone, differentiable: ``jax.grad(cost)(params, *data)`` runs the derived backward
    above (``_cost_fwd`` and ``_cost_bwd``), not JAX's own autodiff of the forward pass.

    The derivation differentiates the parameters only: the data arrays get zero cotangents,
    and so does a key of params that is not in SHAPES.
    """
    return forward(params, *data)[0]


def _cost_fwd(params, *data):
    J, cache = forward(params, *data)
    kept = {name: value for name, value in cache.items() if name != "m"}  # arrays only
    return J, (params, kept, data)


def _cost_bwd(residuals, g):
    params, kept, data = residuals
    grads = backward(params, {**kept, "m": _check(params, data)})
    return (_scaled(params, grads, g), *(jnp.zeros_like(value) for value in data))


def _scaled(params, grads, g):
    """The cotangent of params: each gradient times g (the cotangent of J), keyed like params.
    A key that is no parameter (a learning rate kept in the same dict) gets None, JAX's zero
    cotangent: jax.grad gives it zeros, as to any input a function does not read."""
    return {name: g * grads[name] if name in grads else None for name in params}


cost.defvjp(_cost_fwd, _cost_bwd)
'''
