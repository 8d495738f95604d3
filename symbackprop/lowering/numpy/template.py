"""The NumPy module's fixed text: its helpers and ``init_params``, as the emitter pastes them.

``sigmoid`` is the sigmoid record's NumPy form, e / (1 + e) with e = exp(min(z, 80)), 11 for
80 in float16 (full relative precision on both tails, no overflow, no warning for any z, in
four ufunc calls); ``_buffer`` hands out a model module's workspace arrays (a network module
writes its own ``_workspace``, whose docstring is :data:`WORKSPACE_DOC`, and keeps them in
:data:`ARRAYS_HELPER`'s ``_Arrays``); ``_invalid`` names
the array of the wrong shape once the cheap checks on entry have failed.
"""

from __future__ import annotations

from symbackprop.lowering.network_template import (
    INIT_CHECKS,
    MATRIX_CHECK,
    init_draws,
    invalid_helper,
)

#: what NumPy's modules tell a refused dtype was expected: bfloat16 is floating-point too (it
#: was told "expected a floating-point array"), but no NumPy dtype
NUMPY_FLOATS = "float16, float32, float64 or longdouble"

#: the sigmoid record's NumPy form: the module helper below, evaluated in place
SIGMOID_TEMPLATE = "sigmoid({z})"
SIGMOID_HELPER = '''
def sigmoid(Z, out=None):
    """Logistic sigmoid e / (1 + e) with e = exp(min(z, cap)): warning-free for any z.

    Capping z at 80 keeps exp finite in float32 and float64, where sigmoid(80) is 1 anyway,
    and at 11 in float16 (exp(11) = 59874, below its largest 65504; sigmoid(11) rounds to 1
    there); e / (1 + e) has full relative precision on both tails, down to where exp(z)
    underflows. Four ufunc calls, one temporary; evaluated in ``out`` when given (it may be Z
    itself).
    """
    out = np.minimum(Z, 11.0 if Z.dtype == np.float16 else 80.0, out=out)
    np.exp(out, out)
    np.divide(out, out + 1.0, out)
    return out
'''
#: the same e / (1 + e), e = exp(min(z, cap)), written out where a network layer applies it:
#: the line that fetches the cap (80; 11 in float16) and 1 as 0-d arrays of Z's dtype
#: (``_typed``), then three statements on the array ``{a}`` (no call of the helper), the first
#: writing into the array
#: that ``{into}`` names (``", out=Z1"``; empty: a fresh one). ``out`` goes by keyword: NumPy
#: 2.4's minimum with a positional ``out`` costs three times as many instructions (17K against
#: 5K on a small array, callgrind)
SIGMOID_STEPS = (
    "cap, one = _TYPED.get({z}.dtype) or _typed({z}.dtype)",
    "{a} = np.minimum({z}, cap{into})",
    "np.exp({a}, {a})",
    "{a} /= {a} + one",
)
TYPED_HELPER = '''
#: dtype -> (the cap, 1) as 0-d arrays of that dtype, see _typed
_TYPED = {}


def _typed(dtype):
    """The sigmoid steps' cap of z and 1 as 0-d arrays of ``dtype``: NumPy takes a 0-d array
    of the other operand's dtype faster than a Python float (1.5K instructions less per call
    on a small array), with the same values. The cap keeps exp(z) finite: 80 in float32 and
    float64, 11 in float16 (exp(11) = 59874, below its largest 65504), where sigmoid of the
    cap rounds to 1 anyway. Made once per dtype."""
    typed = np.result_type(dtype, 1.0)  # as with Python floats: float64 for integer arrays
    cap = 11.0 if typed == np.float16 else 80.0
    made = _TYPED[dtype] = (np.array(cap, typed), np.array(1.0, typed))
    return made
'''
#: the relu record's NumPy form; a network layer writes it against a row of zeros instead
RELU_TEMPLATE = "np.maximum({z}, 0.0)"
#: the lines that fetch that row, (1, m) zeros of Z's dtype (``_zero_row``; an array has no
#: truth value, so no ``or`` as for the tuple of ``_typed``), and the step
RELU_STEPS = (
    "zeros = _ZERO_ROWS.get((m, {z}.dtype))",
    "if zeros is None:",
    "    zeros = _zero_row(m, {z}.dtype)",
    "np.maximum({z}, zeros",
)
ZERO_ROW_HELPER = '''
#: (m, dtype) -> a (1, m) row of zeros, see _zero_row; a few entries at most
_ZERO_ROWS = {}


def _zero_row(m, dtype):
    """relu's 0 as a (1, m) row of zeros of ``dtype``, made once per m and dtype and kept (read
    only): np.maximum against a row that broadcasts over the rows runs NumPy's vector loop,
    against the number 0.0 its scalar loop (on a 256 x 256 float32 array 110K instructions
    against 163K, callgrind). The same values: max(z, 0) either way."""
    if len(_ZERO_ROWS) >= 8:  # a long run of different batch sizes: start again
        _ZERO_ROWS.clear()
    made = _ZERO_ROWS[m, dtype] = np.zeros((1, m), dtype)
    return made
'''
BATCH_HELPER = '''
#: (m, dtype) -> (ones_m, inv_m, one), see _batch_constants; a few entries at most
_BATCH = {}


def _batch_constants(m, dtype):
    """The constants of backward in ``dtype``: the column of ones 1_m (m, 1) of db = dZ 1_m,
    and 1/m and 1 (the 1 of 1 - A) as 0-d arrays.

    They are the same on every call with this m and dtype, so they are made once and kept
    (read only) in ``_BATCH``, one lookup for the three; a 0-d array of the arrays' dtype is a
    cheaper ufunc operand than a Python float (1.5K instructions less per call on a small
    array), and gives the same values (NumPy casts a Python float to that dtype).
    """
    if len(_BATCH) >= 8:  # a long run of different batch sizes: start again
        _BATCH.clear()
    ones_m = np.ones((m, 1), dtype)
    # 1/m and 1 in the dtype a Python float takes with these arrays (float64 with integer
    # ones, which then cannot scale an integer dZ in place, as with 1.0 / m)
    typed = np.result_type(dtype, 1.0)
    made = _BATCH[m, dtype] = (ones_m, np.array(1.0 / m, typed), np.array(1.0, typed))
    return made
'''
ARRAYS_HELPER = '''
class _Arrays:
    """The arrays a function writes its products into, by name (``out.Z1``): a workspace's,
    or None each (``_FRESH``), with which NumPy makes a fresh array. An attribute is a cheaper
    read than a dict's ``get`` (70 instructions against 290, callgrind)."""

    def __init__(self, arrays):
        for name, array in arrays.items():
            setattr(self, name, array)
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
WORKSPACE_DOC = (
    "The arrays ``part`` (forward or backward) writes its products into, kept in the caller's",
    "dict ``work`` under ``(part, m, *dtypes)``: made on the first call, and again (those of",
    "another m or dtype dropped) only when m or a dtype changes. ``part`` names the function",
    "and this module's network (a digest of it after the name), so that modules of two networks",
    "may share one ``work``.",
    "",
    "Reusing them saves the page faults of fresh multi-megabyte arrays; the returned cache and",
    "gradients live in ``work`` until the next call. Without a workspace (``out = _FRESH``)",
    "every product is a fresh array.",
)
#: the backends' shared ``_invalid`` with NumPy's floating-point test, naming a np.matrix
#: (or a subclass of one) too, after the constant the entry checks compare types with
INVALID_HELPER = """
#: the one type the entry checks pass at once (``type(X) is _ARRAY``: a module global is a
#: cheaper read than np.ndarray on every call); any other, a np.matrix (its * multiplies
#: matrices, so every element-wise product would compute another thing) or a subclass of one
#: included, goes to _invalid, which refuses a matrix and lets any other subclass through
_ARRAY = np.ndarray

""" + invalid_helper(
    'getattr(dtype, "kind", None) != "f"', types=MATRIX_CHECK, expected=NUMPY_FLOATS
)
#: ``init_params``' dtype rule: the dtypes this module computes in, as its entry checks take
#: them (an integer, bool or complex dtype truncated the draws to zeros; ml_dtypes' bfloat16
#: made parameters that loss_and_grads then refused; a torch dtype failed in NumPy's words)
INIT_DTYPE = """\
    try:  # a torch dtype, or a name NumPy does not know, is no NumPy dtype
        floating = np.dtype(dtype).kind == "f" and np.dtype(dtype).isnative
    except TypeError:
        floating = False
    if not floating:
        raise ValueError(
            "dtype must be a NumPy floating type (np.float16, np.float32, np.float64, "
            f"np.longdouble), got {getattr(dtype, '__name__', dtype)}"
        )
"""
INIT_PARAMS = (
    '''
def init_params(seed=0, scheme="xavier", dtype=np.float64):
    """Weights ``rng.standard_normal(shape) * std`` drawn in order W1, W2, ...; biases zero.

    ``scheme``: "xavier" std sqrt(1/n_prev), "he" sqrt(2/n_prev), "glorot"
    sqrt(2/(n_prev + n_l)), "normal" std 1, or "scaled-identity:c" (c times the identity,
    square layers only). ``rng = np.random.default_rng(seed)``; arrays are of ``dtype``.
    """
'''
    + INIT_DTYPE
    + INIT_CHECKS
    + init_draws(weight="W.astype(dtype)", bias="np.zeros((n_l, 1), dtype=dtype)")
)
