"""The fixed text of a model's NumPy module: its helpers, ``init_params`` and the input check.

The emitter pastes the helpers a module calls and nothing else (a network module pastes
``log_softmax``, which its cross-entropy calls, too). ``softmax`` and ``log_softmax`` shift each
column by its maximum (exp cannot overflow; ``log_softmax`` takes the log of the sum as log1p
of the sum without its largest term, exact where a probability is near 1); ``logdet`` goes
through ``slogdet`` and refuses a determinant that is not positive; ``_check`` validates every
array once on entry (shape, and one floating-point dtype for all, as the torch module does;
not values: NaN propagates) and says what is wrong in one line.
"""

from __future__ import annotations

from symbackprop.lowering.model_template import (
    STDS,
    array_kind_check,
    check_helper,
    float16_check,
    floating_helper,
    init_params,
    log_softmax_helper,
)
from symbackprop.lowering.numpy.template import INIT_DTYPE, NUMPY_FLOATS

__all__ = [
    "ADJUGATE_HELPER",
    "LOGDET_HELPER",
    "LOGSUMEXP_HELPER",
    "LOG_SOFTMAX_HELPER",
    "SOFTMAX_OF_ALL_HELPER",
    "SOFTMAX_HELPER",
    "STDS",
    "check_helpers_text",
    "init_params_text",
]

SOFTMAX_HELPER = '''
def softmax(Z):
    """Softmax of each column; the shift by the column max keeps exp <= 1."""
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    E /= E.sum(axis=0, keepdims=True)
    return E
'''
LOG_SOFTMAX_HELPER = log_softmax_helper(
    """
    shifted = Z - Z.max(axis=0, keepdims=True)
    rest = np.exp(shifted)
    rest[shifted.argmax(axis=0), np.arange(Z.shape[1])] = 0.0
    shifted -= np.log1p(rest.sum(axis=0, keepdims=True))
    return shifted
"""
)
LOGSUMEXP_HELPER = '''
def logsumexp(Z):
    """log(sum(exp(Z))) over every entry, a (1, 1) array; the max is subtracted first, so
    that exp cannot overflow (exp(1000) is inf, the log-sum-exp is finite).
    """
    top = Z.max()
    return np.log(np.exp(Z - top).sum(keepdims=True)) + top
'''
NORM2_HELPER = '''
def norm2(X):
    """sqrt(sum(X**2)) over every entry, a (1, 1) array. One pass where the squares fit; where
    they overflow (float16 entries over 256, float64 over 1e154) or round off (under 1e-4,
    1e-162), X divided by its largest |entry| and summed in float32 at least, where the norm
    fits (a float16 sum of more than 65,504 squares of 1 overflowed too).
    """
    total = np.vdot(X, X)
    if np.isfinite(total) and total >= X.size * np.finfo(X.dtype).tiny:
        return np.full((1, 1), np.sqrt(total), dtype=X.dtype)
    scale = np.abs(X).max()
    if not 0.0 < scale < np.inf:  # X = 0 (the norm is 0), or an inf or NaN entry: as it is
        return np.full((1, 1), np.sqrt(total), dtype=X.dtype)
    scaled = X.astype(np.promote_types(X.dtype, np.float32)) / scale
    return np.full((1, 1), scale * np.sqrt(np.vdot(scaled, scaled)), dtype=X.dtype)
'''
SOFTMAX_OF_ALL_HELPER = '''
def softmax_of_all(Z):
    """exp(Z) / sum(exp(Z)) over every entry (the derivative of logsumexp); the shift by the
    max keeps exp <= 1.
    """
    E = np.exp(Z - Z.max())
    E /= E.sum()
    return E
'''
ADJUGATE_HELPER = '''
def _adjugate_t(A):
    """adj(A)^T, the gradient of det(A): det(A) inv(A)^T where A is invertible, and defined
    at a singular A too. From A = U S V^T: det(U) det(V) U diag(p) V^T, where p_i is the
    product of the singular values other than s_i (no inverse, no division).
    """
    U, s, Vt = np.linalg.svd(A)
    p = np.array([np.prod(np.delete(s, i)) for i in range(s.size)], dtype=A.dtype)
    return np.linalg.det(U) * np.linalg.det(Vt) * (U * p) @ Vt
'''
LOGDET_HELPER = '''
def logdet(A):
    """log det(A) as a 1 x 1 array, through slogdet (no overflow of det itself)."""
    sign, value = np.linalg.slogdet(A)
    if sign <= 0:  # a LinAlgError, a ValueError: the point is outside logdet's domain
        raise np.linalg.LinAlgError(f"logdet needs a positive determinant, got sign {sign}")
    return np.full((1, 1), value, dtype=A.dtype)
'''


def init_params_text(per_example: bool) -> str:
    """The module's ``init_params`` (``per_example``: it takes m, :func:`init_params`)."""
    return init_params(
        "dtype=np.float64",
        """\
    square parameters only). ``rng = np.random.default_rng(seed)``; arrays are of ``dtype``.
""",
        "value.astype(dtype)",
        prelude=INIT_DTYPE,
        per_example=per_example,
    )


_CHECK_DOC = """m (the number of examples; 1 without batch data) once every array has its shape.

    Raises a one-line ValueError naming the first array that does not fit: a data array of
    the wrong shape, data arrays that disagree on m, a missing or misshapen parameter, an
    array that is not floating-point or whose dtype differs from the first one's. Values are
    not checked: a NaN or inf propagates to the cost and gradients, as in NumPy."""


FLOATING_HELPER = floating_helper(
    'getattr(dtype, "kind", None) != "f"',
    "np",
    kinds=array_kind_check("np.ndarray", "a NumPy array"),
    expected=NUMPY_FLOATS,
)


def check_helpers_text(per_example: bool) -> str:
    """The module's ``_check`` and ``_check_params`` (see :func:`check_helper`)."""
    return (
        check_helper(
            _CHECK_DOC,
            "array",
            "first = _floating(name, {value}, first)",
            limit=float16_check("m", "first[1]", guard="m is not None and "),
            per_example=per_example,
        )
        + "\n"
        + FLOATING_HELPER
    )
