"""The fixed text of a model's JAX module: ``init_params``, ``logdet``, the jitted positional
``gradients`` and the cost with the derived backward as its ``jax.custom_vjp``, as the model
emitter pastes them.

``init_params`` is the models' shared one (:mod:`symbackprop.lowering.model_template`) handing
back ``jnp`` arrays. The input check ``_check`` is the models' shared text
(:func:`~symbackprop.lowering.model_template.check_helper`); it reads only shapes and dtypes,
which are static under ``jax.jit``, and takes floating-point arrays of any dtypes (JAX without
x64 makes float64 data float32 on its own).
"""

from __future__ import annotations

from symbackprop.lowering.jax.template import (
    AS_JAX_HELPER,
    CUSTOM_VJP_HELPERS,
    INIT_DTYPE,
    NO_INFINITY_HELPER,
)
from symbackprop.lowering.model_template import (
    JAX_FLOATS,
    array_kind_check,
    check_helper,
    float16_check,
    floating_helper,
    init_params,
    jax_one_float,
)

__all__ = [
    "check_helpers_text",
    "init_params_text",
    "CUSTOM_VJP",
    "GRADIENTS",
    "LOGDET_HELPER",
]

_CHECK_DOC = """m (the number of examples; 1 without batch data) once every array has its shape.

    Raises a one-line ValueError naming the first array that does not fit: a data array of
    the wrong shape, data arrays that disagree on m, a missing or misshapen parameter, an
    array that is not floating-point or whose dtype differs from the first one's (dtypes are
    static under jit: the compare costs nothing at run time). Values are not checked: a NaN
    or inf reaches the cost, but a gradient behind a relu or an indicator may stay finite
    where NumPy's is NaN (XLA makes x * (a > 0) a select, as jax.grad of relu does)."""


def check_helpers_text(per_example: bool) -> str:
    """The module's ``_check`` and ``_check_params`` (see :func:`check_helper`)."""
    return (
        NO_INFINITY_HELPER
        + "\n"
        + AS_JAX_HELPER
        + "\n"
        + check_helper(
            _CHECK_DOC,
            "array",
            "first = _floating(name, {value}, first)",
            limit=float16_check("m", "first[1]", guard="m is not None and ", ns="jnp"),
            per_example=per_example,
        )
        + "\n"
        # jnp's floating dtypes: bfloat16 too (ml_dtypes' kind "V"), as init_params may make
        + floating_helper(
            # float128 is floating-point too, but JAX has no such dtype (NumPy computed it)
            "(\n        dtype is None\n        or not jnp.issubdtype(dtype, jnp.floating)\n"
            "        or dtype.itemsize > 8\n"
            "        or _no_infinity(dtype)  # float8_e4m3fn\n    )",
            "jnp",
            "jnp.dtype(jnp.result_type(float))",
            jax_one_float("dtype", "wanted", "return first", indent=" " * 8),
            kinds=array_kind_check("(np.ndarray, jax.Array)", "a NumPy or JAX array"),
            expected=JAX_FLOATS,
        )
    )


def init_params_text(per_example: bool) -> str:
    """The module's ``init_params`` (``per_example``: it takes m, :func:`init_params`)."""
    return init_params(
        "dtype=np.float64",
        """\
    square parameters only). ``rng = np.random.default_rng(seed)``, as in the NumPy module, so
    a seed gives the same parameters there; returned as jnp arrays of ``dtype`` (float64 needs
    ``jax.config.update("jax_enable_x64", True)``; without it JAX keeps float32).
""",
        "jnp.asarray(value.astype(dtype))",
        prelude=INIT_DTYPE,
        per_example=per_example,
    )


ADJUGATE_HELPER = '''
def _adjugate_t(A):
    """adj(A)^T, the gradient of det(A): det(A) inv(A)^T where A is invertible, and defined
    at a singular A too (jnp.linalg.inv gives infs and NaNs there). From A = U S V^T:
    det(U) det(V) U diag(p) V^T, where p_i is the product of the singular values other than
    s_i (no inverse, no division).
    """
    U, s, Vt = jnp.linalg.svd(A)
    p = jnp.stack([jnp.prod(jnp.concatenate((s[:i], s[i + 1 :]))) for i in range(s.shape[0])])
    return jnp.linalg.det(U) * jnp.linalg.det(Vt) * (U * p) @ Vt
'''
NORM2_HELPER = '''
def norm2(X):
    """sqrt(sum(X**2)) over every entry, a (1, 1) array, with X divided by its largest |entry|
    first and summed in float32 at least: squared as it is, a float16 entry over 256 overflows
    and one under 1e-4 rounds to 0 (float64: over 1e154, under 1e-162), where the norm fits.
    """
    scale = jnp.abs(X).max()
    scale = jnp.where((scale > 0) & jnp.isfinite(scale), scale, jnp.ones_like(scale))
    # float32 at least, converted explicitly: float8 has no implicit promotion to it
    wide = X.dtype if X.dtype.itemsize >= 4 else jnp.float32
    scaled = (X / scale).astype(wide)
    norm = scale.astype(wide) * jnp.sqrt(jnp.sum(scaled * scaled))
    return norm.astype(X.dtype).reshape(1, 1)
'''
LOGDET_HELPER = '''
def logdet(A):
    """log det(A) as a 1 x 1 array, through slogdet (no overflow of det itself); NaN where
    the determinant is not positive (a jitted function cannot raise on a value)."""
    sign, value = jnp.linalg.slogdet(A)
    return jnp.where(sign > 0, value, jnp.nan).reshape(1, 1)
'''
CUSTOM_VJP = (
    '''
@jax.custom_vjp
def cost(params, *data):
    """J alone, differentiable: ``jax.grad(cost)(params, *data)`` runs the derived backward
    above (``_cost_fwd`` and ``_cost_bwd``), not JAX's own autodiff of the forward pass.

    The derivation differentiates the parameters only: asking for the cotangent of a data
    array (argnums past 0, or data computed from what is differentiated) raises ValueError
    rather than give zeros. A key of params that is not in SHAPES gets a zero cotangent.
    """
    return forward(params, *data)[0]


def _cost_fwd(params, *data):
    # symbolic_zeros: each input comes as its value and whether it is differentiated
    _refuse_data_cotangents(dict(zip(DATA, data, strict=False)))  # forward checks the count
    params, data = jax.tree.map(_value, (params, data), is_leaf=_is_primal)
    J, cache = forward(params, *data)
    kept = {name: value for name, value in cache.items() if name != "m"}  # arrays only
    return J, (params, kept, data)


def _cost_bwd(residuals, g):
    params, kept, data = residuals
    grads = backward(params, {**kept, "m": _check(params, data)})
    return (_scaled(params, grads, g), *(None for _ in data))


'''
    + CUSTOM_VJP_HELPERS
    + """

cost.defvjp(_cost_fwd, _cost_bwd, symbolic_zeros=True)
"""
)
#: ``gradients``: the network module's (:data:`symbackprop.lowering.jax.template.GRADIENTS`) with
#: the model's data arrays: the dict functions traced once inside ``jax.jit``, tuples outside
GRADIENTS = '''
@jax.jit
def gradients(params, *data):
    """The gradients of loss_and_grads without the cost, jitted, on tuples in SHAPES order.

    ``params`` is a tuple (or list) of the parameters in the order of SHAPES, ``data`` the
    arrays of DATA; returns the tuple of the gradients in the order of SHAPES: the calling
    convention of ``jax.jit(jax.grad(f))`` on a tuple of arrays, so a training step pays for
    no dict on each call (``dict(zip(SHAPES, grads))`` keys the result like params).
    """
    if not isinstance(params, (tuple, list)) or len(params) != len(SHAPES):
        got = len(params) if isinstance(params, (tuple, list)) else type(params).__name__
        raise ValueError(
            f"params must be a tuple of {len(SHAPES)} arrays in the order of SHAPES, got {got}"
        )
    named = dict(zip(SHAPES, params, strict=True))
    _, cache = forward(named, *data)
    grads = backward(named, cache)
    return tuple(grads[name] for name in SHAPES)
'''
