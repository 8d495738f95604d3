"""The fixed text of a model's torch module: ``init_params``, the input check and ``logdet``.

``init_params`` draws with NumPy's ``default_rng`` as the NumPy module does (a seed gives the
same parameters on every backend), then makes torch tensors of the requested dtype and device;
``_check`` validates every tensor once on entry (shape, and one floating-point dtype through
the network template's ``_same_dtype``) and says what is wrong in one line; ``logdet``
goes through ``slogdet`` and refuses a determinant that is not positive.
"""

from __future__ import annotations

LOGDET_HELPER = '''
def logdet(A):
    """log det(A) as a (1, 1) tensor, through slogdet (no overflow of det itself)."""
    sign, value = torch.linalg.slogdet(A)
    if sign <= 0:
        raise ValueError(f"logdet needs a positive determinant, got sign {float(sign)}")
    return value.reshape(1, 1)
'''
INIT_PARAMS = '''
def init_params(seed=0, scheme="xavier", dtype=torch.float64, device=None):
    """Every parameter, in SHAPES order: those only ever added (ADDED) start at zero; every
    other is ``rng.standard_normal(shape) * std``, with fan-in its column count.

    ``scheme``: "xavier" std sqrt(1/fan_in), "he" sqrt(2/fan_in), "glorot"
    sqrt(2/(fan_in + fan_out)), "normal" std 1, or "scaled-identity:c" (c times the identity,
    square parameters only). ``rng = np.random.default_rng(seed)``, as in the NumPy module, so a
    seed gives the same parameters there; tensors of ``dtype`` (torch's or NumPy's) on ``device``.
    """
    if not isinstance(dtype, torch.dtype):  # a NumPy dtype, as the NumPy module takes
        dtype = getattr(torch, np.dtype(dtype).name)
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
        params[name] = torch.tensor(value, dtype=dtype, device=device)
    return params
'''
STDS = """
# init scheme -> standard deviation of a parameter with fan_in columns and fan_out rows
STDS = {
    "xavier": lambda fan_in, fan_out: np.sqrt(1.0 / fan_in),
    "he": lambda fan_in, fan_out: np.sqrt(2.0 / fan_in),
    "glorot": lambda fan_in, fan_out: np.sqrt(2.0 / (fan_in + fan_out)),
    "normal": lambda fan_in, fan_out: 1.0,
}
"""
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
