"""The fixed text of a model's torch module: ``init_params``, the input check and ``logdet``.

``init_params`` draws with NumPy's ``default_rng`` as the NumPy module does (a seed gives the
same parameters on every backend), then makes torch tensors of the requested dtype and device;
``_check`` validates every tensor once on entry (shape, and one floating-point dtype through
the network template's ``_same_dtype``) and says what is wrong in one line; ``logdet``
goes through ``slogdet`` and refuses a determinant that is not positive.
"""

from __future__ import annotations

from symbackprop.lowering.model_template import STDS, init_params

__all__ = ["CHECK_HELPER", "INIT_PARAMS", "LOGDET_HELPER", "STDS"]

LOGDET_HELPER = '''
def logdet(A):
    """log det(A) as a (1, 1) tensor, through slogdet (no overflow of det itself)."""
    sign, value = torch.linalg.slogdet(A)
    if sign <= 0:
        raise ValueError(f"logdet needs a positive determinant, got sign {float(sign)}")
    return value.reshape(1, 1)
'''
INIT_PARAMS = init_params(
    "dtype=torch.float64, device=None",
    """\
    square parameters only). ``rng = np.random.default_rng(seed)``, as in the NumPy module, so a
    seed gives the same parameters there; tensors of ``dtype`` (torch's or NumPy's) on ``device``.
""",
    "torch.tensor(value, dtype=dtype, device=device)",
    prelude="""\
    if not isinstance(dtype, torch.dtype):  # a NumPy dtype, as the NumPy module takes
        dtype = getattr(torch, np.dtype(dtype).name)
""",
)
CHECK_HELPER = '''
def _check(params, data):
    """m (the number of examples; 1 without batch data) once every tensor has its shape.

    Raises a one-line ValueError naming the first tensor that does not fit: a data tensor of
    the wrong shape, data tensors that disagree on m, a missing or misshapen parameter, a
    tensor that is not floating-point or whose dtype differs from the first one's.
    """
    if len(data) != len(DATA):
        raise ValueError(f"expected the data tensors {DATA} after params, got {len(data)}")
    m = fixed_by = first = None  # first: the name and dtype of the first tensor checked
    for name, value in zip(DATA, data, strict=True):
        got = getattr(value, "shape", None)
        got = tuple(got) if isinstance(got, tuple) else got  # torch.Size prints long
        expected = DATA_SHAPES[name]
        if not (isinstance(got, tuple) and len(got) == 2):
            raise ValueError(f"{name} must be a 2-D tensor of shape {expected}, got {got}")
        for size, want in zip(got, expected, strict=True):
            if want != "m" and size != want:
                raise ValueError(f"{name} has shape {got}, expected {expected}")
            if want == "m" and size < 1:
                raise ValueError(f"{name} has shape {got}: m must be at least 1")
            if want == "m" and m is not None and size != m:
                raise ValueError(
                    f"{name} has m = {size} but {fixed_by} has m = {m}: the data tensors must "
                    "agree on the number of examples"
                )
            if want == "m" and m is None:
                m, fixed_by = size, name
        first = _same_dtype(name, value, first)
    if not hasattr(params, "keys"):
        raise ValueError(f"params must be a dict of tensors, got a {type(params).__name__}")
    for name, expected in SHAPES.items():
        if name not in params:
            raise ValueError(f"params has no {name!r}: expected a tensor of shape {expected}")
        got = getattr(params[name], "shape", None)
        got = tuple(got) if isinstance(got, tuple) else got
        if got != expected:
            raise ValueError(f"{name} has shape {got}, expected {expected}")
        first = _same_dtype(name, params[name], first)
    return 1 if m is None else m
'''
