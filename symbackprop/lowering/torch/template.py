"""The torch modules' fixed text: ``init_params``, the shape error helper and the autograd glue.

``init_params`` draws with NumPy's ``default_rng`` exactly as the NumPy module does, so a seed
gives the same parameters on every backend, then makes torch tensors of the requested dtype and
device. ``AUTOGRAD`` is the :class:`torch.autograd.Function` whose backward is the derived one,
the ``cost`` function that applies it and the ``nn.Module`` holding the parameters; the
emitter fills in the data names (``{data}``), the forward and backward calls and the
module's class name (``{module}``).
"""

from __future__ import annotations

INIT_PARAMS = '''
def init_params(seed=0, scheme="xavier", dtype=torch.float64, device=None):
    """Weights ``rng.standard_normal(shape) * std`` drawn in order W1, W2, ...; biases zero.

    ``scheme``: "xavier" std sqrt(1/n_prev), "he" sqrt(2/n_prev), "glorot"
    sqrt(2/(n_prev + n_l)), "normal" std 1, or "scaled-identity:c" (c times the identity,
    square layers only). ``rng = np.random.default_rng(seed)``, as in the NumPy module, so a
    seed gives the same parameters there; tensors of ``dtype`` (torch's or NumPy's) on ``device``.
    """
    if not isinstance(dtype, torch.dtype):  # a NumPy dtype, as the NumPy module takes
        dtype = getattr(torch, np.dtype(dtype).name)
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
        params[f"W{layer}"] = torch.tensor(W, dtype=dtype, device=device)
        params[f"b{layer}"] = torch.zeros((n_l, 1), dtype=dtype, device=device)
    return params
'''
STDS = """
# init scheme -> standard deviation of the weights of a layer with n_prev inputs, n_l units
STDS = {
    "xavier": lambda n_prev, n_l: np.sqrt(1.0 / n_prev),
    "he": lambda n_prev, n_l: np.sqrt(2.0 / n_prev),
    "glorot": lambda n_prev, n_l: np.sqrt(2.0 / (n_prev + n_l)),
    "normal": lambda n_prev, n_l: 1.0,
}
"""
INVALID_HELPER = '''
def _invalid(params, X=None, Y=None, cache=None):
    """Raise the ValueError that names the tensor of the wrong shape, its shape and the expected
    one. Called only after the cheap checks on entry have failed."""
    n0, n_out = SHAPES["W1"][1], SHAPES[f"W{DEPTH}"][0]

    def shape(value):
        got = getattr(value, "shape", None)
        return tuple(got) if isinstance(got, tuple) else f"a {type(value).__name__}, not a tensor"

    if cache is not None:
        for name in CACHE_READS:
            if name not in cache:
                raise ValueError(f"cache has no {name!r}: pass the cache that forward returned")
        X = cache["X"]
    if X is not None:
        got = shape(X)
        if not (isinstance(got, tuple) and len(got) == 2 and got[0] == n0 and got[1] >= 1):
            raise ValueError(
                f"X has shape {got}, expected ({n0}, m): one example per column, m >= 1"
            )
    if not hasattr(params, "keys"):
        raise ValueError(f"params must be a dict of tensors, got a {type(params).__name__}")
    for name, expected in SHAPES.items():
        if name not in params:
            raise ValueError(f"params has no {name!r}: expected a tensor of shape {expected}")
        if shape(params[name]) != expected:
            raise ValueError(f"{name} has shape {shape(params[name])}, expected {expected}")
    if Y is not None and X is not None:
        expected = (n_out, X.shape[1])
        if shape(Y) != expected:
            raise ValueError(f"Y has shape {shape(Y)}, expected {expected}: a column per example")
    raise ValueError("the tensors do not fit this module: X (n0, m), Y (n_out, m) and SHAPES")
'''
AUTOGRAD = '''
class BackpropCost(torch.autograd.Function):
    """J as a torch autograd Function whose backward is the derived one (no autograd tape).

    ``BackpropCost.apply({data}, *params.values())`` with the parameters in SHAPES order
    returns J (a 0-d tensor); its backward returns the generated gradients times grad_output
    for the parameters and None for the data: no gradient flows into {data}.
    """

    @staticmethod
    def forward(ctx, {data}, *values):
        params = dict(zip(SHAPES, values, strict=True))
{forward}

    @staticmethod
    def backward(ctx, grad_output):
        grads = {backward}
        return ({nones}*(grad_output * grads[name] for name in SHAPES))


def cost(params, {data}):
    """J (a 0-d tensor) through BackpropCost: ``cost(params, {data}).backward()`` fills each
    parameter's ``.grad`` with the derived gradient, so the module drops into a training loop."""
    return BackpropCost.apply({data}, *(params[name] for name in SHAPES))


class {module}(torch.nn.Module):
    """The parameters as ``torch.nn.Parameter``s in ``self.params`` (a ParameterDict keyed
    like SHAPES, initialised by init_params); ``forward({data})`` returns J through
    BackpropCost, so ``loss.backward()`` fills ``.grad`` with the derived gradients."""

    def __init__(self, seed=0, scheme="xavier", dtype=torch.float64, device=None):
        super().__init__()
        values = init_params(seed, scheme, dtype, device)
        # (name, value) pairs keep SHAPES order (a ParameterDict sorts the keys of a dict)
        self.params = torch.nn.ParameterDict(
            [(name, torch.nn.Parameter(value)) for name, value in values.items()]
        )

    def forward(self, {data}):
        return cost(self.params, {data})
'''
