"""The JAX network module's fixed text: ``init_params``, the jitted positional ``gradients``,
the cost with the derived backward as its ``jax.custom_vjp``, as the emitter pastes them (a
model's: :mod:`.model_template`).

``init_params`` draws with NumPy's ``default_rng`` exactly as the NumPy module does (the same
seed gives the same numbers on every backend) and hands back ``jnp`` arrays; it is the NumPy
template's with that one change (copied: that template returns NumPy arrays). The shape check
``_invalid`` and the init schemes (``STDS``) are every backend's shared text
(:mod:`symbackprop.lowering.network_template`): they read only shapes, which are static under
``jax.jit``.
"""

from __future__ import annotations

from symbackprop.lowering.model_template import JAX_FLOATS, jax_one_float, log_softmax_helper
from symbackprop.lowering.network_template import (
    INIT_CHECKS,
    JAX_KIND_CHECK,
    STDS,
    init_draws,
    invalid_helper,
)

#: what both custom_vjp costs (network and model) share: the inputs' values under
#: ``symbolic_zeros``, the refusal of a data cotangent the derivation does not have (a silent
#: zero would be a wrong dJ/dX), and each parameter's cotangent
CUSTOM_VJP_HELPERS = '''def _is_primal(value):
    return isinstance(value, jax.custom_derivatives.CustomVJPPrimal)


def _value(primal):
    return primal.value


def _refuse_data_cotangents(data):
    wanted = [name for name, value in data.items() if value.perturbed]
    if wanted:
        asked = ", ".join(f"dJ/d{name}" for name in wanted)
        verb = "is" if len(wanted) == 1 else "are"
        raise ValueError(
            f"cost differentiates params only: {asked} {verb} not derived (differentiate the "
            "params argument, argnums=0, with the data held fixed)"
        )


def _scaled(params, grads, g):
    """The cotangent of params: each gradient times g (the cotangent of J), keyed like params
    and in its container (an OrderedDict's, whose pytree JAX compares with the cotangent's).
    A key that is no parameter (a learning rate kept in the same dict) gets None, JAX's zero
    cotangent: jax.grad gives it zeros, as to any input a function does not read."""
    zero = isinstance(g, jax.custom_derivatives.SymbolicZero)  # J's cotangent is a known zero
    scaled = {name: None if zero or name not in grads else g * grads[name] for name in params}
    if type(params) is dict:
        return scaled
    leaves, tree = jax.tree_util.tree_flatten_with_path(params)
    return jax.tree_util.tree_unflatten(tree, [scaled[path[0].key] for path, _ in leaves])
'''

#: the backends' shared ``_invalid`` with JAX's floating-point test: bfloat16 too (ml_dtypes'
#: kind "V"), as init_params may make (the model modules' test)
#: a float8 without an infinity (float8_e4m3fn, the "fn" and "fnuz" types, 448 at most): exp
#: overflows to NaN there, and softmax, sigmoid and the losses' stable forms, which rely on an
#: overflow saturating to inf, give NaN gradients (hostile37b #4); float8_e5m2 has one
NO_INFINITY_HELPER = '''
def _no_infinity(dtype):
    """Whether ``dtype`` is a float8 without an infinity (float8_e4m3fn, 448 at most): exp
    overflows to NaN in it, and the module's stable forms, which let an overflow saturate to
    inf, would give NaN. Refused on entry; float8_e5m2 (which has one) is computed."""
    return dtype.itemsize == 1 and not np.isinf(np.asarray(np.inf).astype(dtype))
'''

#: how a function reads an array it was given: as a JAX array, so that a network or model of
#: products and sums alone, given NumPy arrays, computes in JAX (hostile45a #2); one already a
#: JAX array (a tracer under jit too) as it is: jnp.asarray of one took 9 us (review45 #5)
AS_JAX_HELPER = '''
def _as_jax(value):
    """``value`` as a JAX array: itself where it is one already (a tracer under jit too)."""
    return value if isinstance(value, jax.Array) else jnp.asarray(value)
'''

INVALID_HELPER = (
    NO_INFINITY_HELPER
    + """

#: a masked array, which forward refuses on entry (the gradients would ignore its mask)
_MASKED = np.ma.MaskedArray

"""
    + invalid_helper(
        # float128 is floating-point too, but JAX has no such dtype (NumPy computed it)
        "(\n        dtype is None\n        or not jnp.issubdtype(dtype, jnp.floating)\n"
        "        or dtype.itemsize > 8  # JAX has no float128\n"
        "        or _no_infinity(dtype)  # float8_e4m3fn\n    )",
        'f"(X.astype(np.{jnp.result_type(float)}) converts it)"',
        jax_one_float("got", "dtype", "continue", indent=" " * 12),
        types=JAX_KIND_CHECK,
        ns="jnp",
        expected=JAX_FLOATS,
        cached="",
    )
)

__all__ = [
    "CUSTOM_VJP",
    "NO_INFINITY_HELPER",
    "CUSTOM_VJP_HELPERS",
    "GRADIENTS",
    "INIT_PARAMS",
    "INVALID_HELPER",
    "STDS",
]

#: ``init_params``' dtype rule: the dtypes this module computes in, as its entry checks take
#: them (NumPy's longdouble and a torch dtype failed inside JAX or NumPy, in their words)
INIT_DTYPE = """\
    try:  # a torch dtype, or a name NumPy does not know, is no NumPy dtype
        floating = jnp.issubdtype(np.dtype(dtype), jnp.floating)  # bfloat16 too (kind V)
        floating = floating and np.dtype(dtype).itemsize <= 8 and np.dtype(dtype).isnative
        floating = floating and not _no_infinity(np.dtype(dtype))
    except TypeError:
        floating = False
    if not floating:  # JAX has no float128 (NumPy's longdouble)
        raise ValueError(
            "dtype must be a floating type JAX has, with an infinity (float16, bfloat16, "
            "float32, float64, float8_e5m2; not float8_e4m3fn, in which exp overflows to "
            f"NaN), got {getattr(dtype, '__name__', dtype)}"
        )
"""
INIT_PARAMS = (
    '''
def init_params(seed=0, scheme="xavier", dtype=np.float64):
    """Weights ``rng.standard_normal(shape) * std`` drawn in order W1, W2, ...; biases zero.

    ``scheme``: "xavier" std sqrt(1/n_prev), "he" sqrt(2/n_prev), "glorot"
    sqrt(2/(n_prev + n_l)), "normal" std 1, or "scaled-identity:c" (c times the identity,
    square layers only). ``rng = np.random.default_rng(seed)``, as in the NumPy module, so a
    seed gives the same parameters there; returned as jnp arrays of ``dtype`` (float64 needs
    ``jax.config.update("jax_enable_x64", True)``; without it JAX keeps float32).
    """
'''
    + INIT_DTYPE
    + INIT_CHECKS
    + init_draws(
        weight="jnp.asarray(W.astype(dtype))", bias="jnp.asarray(np.zeros((n_l, 1), dtype=dtype))"
    )
)
CUSTOM_VJP = (
    '''
@jax.custom_vjp
def cost(params, X, Y):
    """J alone, differentiable: ``jax.grad(cost)(params, X, Y)`` runs the derived backward
    above (``_cost_fwd`` and ``_cost_bwd``), not JAX's own autodiff of the forward pass.

    The derivation differentiates the parameters only: asking for dJ/dX or dJ/dY (argnums=1,
    or X computed from what is differentiated) raises ValueError rather than give zeros. A
    key of params that is not in SHAPES gets a zero cotangent (cost does not read it).
    """
    _, cache = forward(params, X)
    return _cost(params, cache, Y)


def _cost_fwd(params, X, Y):
    # symbolic_zeros: each input comes as its value and whether it is differentiated
    _refuse_data_cotangents({"X": X, "Y": Y})
    params, X, Y = jax.tree.map(_value, (params, X, Y), is_leaf=_is_primal)
    _, cache = forward(params, X)
    return _cost(params, cache, Y), (params, cache, Y)


def _cost_bwd(residuals, g):
    params, cache, Y = residuals
    grads = backward(params, cache, Y)
    return _scaled(params, grads, g), None, None


'''
    + CUSTOM_VJP_HELPERS
    + """

cost.defvjp(_cost_fwd, _cost_bwd, symbolic_zeros=True)
"""
)
#: ``gradients``: the dict functions traced once, inside ``jax.jit``, behind a tuple API. Each
#: call of a jitted function flattens its arguments and rebuilds its result; with dicts (keys
#: sorted on every call) that cost 3-2-1 at m = 1, a ~25 us call, about 10% against tuples
#: (``benchmarks/engines/sb_jax.py``). Inside the trace the dicts cost nothing at run time.
GRADIENTS = '''
@jax.jit
def gradients(params, X, Y):
    """The gradients of loss_and_grads without the cost, jitted, on tuples in SHAPES order.

    ``params`` is a tuple (or list) of the arrays W1, b1, W2, ... in the order of SHAPES;
    returns the tuple (dJ/dW1, dJ/db1, ...) in that order: the calling convention of
    ``jax.jit(jax.grad(f))`` on a tuple of arrays, so a training step pays for no dict on
    each call (``dict(zip(SHAPES, grads))`` keys the result like params).
    """
    if not isinstance(params, (tuple, list)) or len(params) != len(SHAPES):
        got = len(params) if isinstance(params, (tuple, list)) else type(params).__name__
        raise ValueError(
            f"params must be a tuple of {len(SHAPES)} arrays in the order of SHAPES, got {got}"
        )
    named = dict(zip(SHAPES, params, strict=True))
    _, cache = forward(named, X)
    grads = backward(named, cache, Y)
    return tuple(grads[name] for name in SHAPES)
'''


#: log softmax of each column with the log of the sum as log1p (see the NumPy module's): the
#: cross-entropy of a confident right answer is tiny, and jax.nn.log_softmax rounded it (1e-3
#: off at a margin of 30, -0.0 at 40: hostile38a #2)
LOG_SOFTMAX_HELPER = log_softmax_helper(
    """
    shifted = Z - Z.max(axis=0, keepdims=True)
    rest = jnp.exp(shifted)
    rest = rest.at[jnp.argmax(shifted, axis=0), jnp.arange(Z.shape[1])].set(0.0)
    return shifted - jnp.log1p(rest.sum(axis=0, keepdims=True))
"""
)
