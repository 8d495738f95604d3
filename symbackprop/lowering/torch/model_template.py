"""The fixed text of a model's torch module: ``init_params``, the input check and ``logdet``.

``init_params`` draws with NumPy's ``default_rng`` as the NumPy module does (a seed gives the
same parameters on every backend), then makes torch tensors of the requested dtype and device;
``_check`` validates every tensor once on entry (shape, and one floating-point dtype through
the network template's ``_same_dtype``) and says what is wrong in one line; ``logdet``
goes through ``slogdet`` and refuses a determinant that is not positive.
"""

from __future__ import annotations

from symbackprop.lowering.model_template import STDS, check_helper, init_params
from symbackprop.lowering.torch.template import INIT_DTYPE

__all__ = [
    "check_helpers_text",
    "init_params_text",
    "ADJUGATE_HELPER",
    "LOGDET_HELPER",
    "STDS",
]

ADJUGATE_HELPER = '''
def _adjugate_t(A):
    """adj(A)^T, the gradient of det(A): det(A) inv(A)^T where A is invertible, and defined
    at a singular A too. From A = U S V^T: det(U) det(V) U diag(p) V^T, where p_i is the
    product of the singular values other than s_i (no inverse, no division).
    """
    U, s, Vh = torch.linalg.svd(A)
    p = torch.stack([torch.cat((s[:i], s[i + 1 :])).prod() for i in range(s.shape[0])])
    return torch.linalg.det(U) * torch.linalg.det(Vh) * (U * p) @ Vh
'''
NORM2_HELPER = '''
def norm2(X):
    """sqrt(sum(X**2)) over every entry, a (1, 1) tensor, with X divided by its largest |entry|
    first (no branch on a value: no sync): squared as it is, a float16 entry over 256 overflows
    and one under 1e-4 rounds to 0 (float32 over 1e19, float64 over 1e154), where the norm fits;
    torch's vector_norm sums float16 in float32.
    """
    scale = torch.linalg.vector_norm(X, float("inf"))  # the largest |entry|
    scale = torch.where((scale > 0) & torch.isfinite(scale), scale, torch.ones_like(scale))
    return (scale * torch.linalg.vector_norm(X / scale)).reshape(1, 1)
'''
LOGDET_HELPER = '''
def logdet(A):
    """log det(A) as a (1, 1) tensor, through slogdet (no overflow of det itself)."""
    sign, value = torch.linalg.slogdet(A)
    if sign <= 0:
        raise ValueError(f"logdet needs a positive determinant, got sign {float(sign)}")
    return value.reshape(1, 1)
'''


def init_params_text(per_example: bool) -> str:
    """The module's ``init_params`` (``per_example``: it takes m, :func:`init_params`)."""
    return init_params(
        "dtype=torch.float64, device=None",
        """\
    square parameters only). ``rng = np.random.default_rng(seed)``, as in the NumPy module, so a
    seed gives the same parameters there; tensors of ``dtype`` (torch's or NumPy's) on ``device``.
""",
        "torch.tensor(value, dtype=dtype, device=device)",
        prelude=INIT_DTYPE,
        per_example=per_example,
    )


_CHECK_DOC = """m (the number of examples; 1 without batch data) once every tensor has its shape.

    Raises a one-line ValueError naming the first tensor that does not fit: a data tensor of
    the wrong shape, data tensors that disagree on m, a missing or misshapen parameter, a
    tensor that is not floating-point or whose dtype differs from the first one's."""


def check_helpers_text(per_example: bool) -> str:
    """The module's ``_check`` and ``_check_params`` (see :func:`check_helper`)."""
    return check_helper(
        _CHECK_DOC,
        "tensor",
        "first = _same_dtype(name, {value}, first)",
        sized=(  # torch.Size is a tuple that prints long
            "        got = tuple(got) if isinstance(got, tuple) else got"
            "  # torch.Size prints long\n",
            "        got = tuple(got) if isinstance(got, tuple) else got\n",
        ),
        # one device: a product of a meta tensor beside CPU ones computes from no data, silently
        limit="""\
    tensors = (*zip(DATA, data, strict=True), *((name, params[name]) for name in SHAPES))
    if len({value.device for _, value in tensors}) > 1:
        _misplaced_tensor(tensors)
    if tensors and tensors[0][1].is_meta:  # float(J) would raise torch's own RuntimeError
        raise ValueError(
            "every tensor is on the meta device, which holds no values: the cost is a number; "
            "put them on a device with data (cpu, cuda)"
        )
""",
        per_example=per_example,
    )
