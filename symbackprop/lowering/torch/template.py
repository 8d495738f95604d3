"""The torch modules' fixed text: ``init_params``, the error helpers and the autograd glue.

``init_params`` draws with NumPy's ``default_rng`` exactly as the NumPy module does, so a seed
gives the same parameters on every backend, then makes torch tensors of the requested dtype and
device. ``_invalid`` (networks) and ``_same_dtype`` (networks and models) say which tensor has
the wrong shape or dtype once the cheap checks on entry have failed; ``_no_grad`` (networks
and models) switches autograd off cheaply, and torch.autocast inside an autocast region.
``AUTOGRAD`` is the :class:`torch.autograd.Function` whose backward is the derived one, the
``cost`` function that applies it, the ``Parameters`` table and the ``nn.Module`` holding it;
the emitter fills in the data names (``{data}``), the Function's signature, forward and
backward bodies and the module's class name (``{module}``).
"""

from __future__ import annotations

from symbackprop.lowering.model_template import log_softmax_helper
from symbackprop.lowering.network_template import INIT_CHECKS, init_draws, invalid_shapes

#: ``init_params``' dtype rule: torch's dtypes that these operations compute in (float8 has no
#: sigmoid or sum on the CPU: it failed in the first call, inside torch), or NumPy's name of
#: one (NumPy's longdouble and object failed as "module 'torch' has no attribute float128")
INIT_DTYPE = """\
    given = dtype  # named as passed in a refusal (np.int32, not torch.int32)
    if not isinstance(dtype, torch.dtype):  # a NumPy dtype, as the NumPy module takes
        try:
            named = np.dtype(dtype).name
        except TypeError:  # a name NumPy does not know: refused below
            named = ""
        dtype = getattr(torch, named, dtype) if named else dtype
    if dtype not in _FLOATS:
        raise ValueError(
            "dtype must be a floating type torch computes in (torch.float16, torch.bfloat16, "
            f"torch.float32, torch.float64, or NumPy's), got {getattr(given, '__name__', given)}"
        )
"""
INIT_PARAMS = (
    '''
def init_params(seed=0, scheme="xavier", dtype=torch.float64, device=None):
    """Weights ``rng.standard_normal(shape) * std`` drawn in order W1, W2, ...; biases zero.

    ``scheme``: "xavier" std sqrt(1/n_prev), "he" sqrt(2/n_prev), "glorot"
    sqrt(2/(n_prev + n_l)), "normal" std 1, or "scaled-identity:c" (c times the identity,
    square layers only). ``rng = np.random.default_rng(seed)``, as in the NumPy module, so a
    seed gives the same parameters there; tensors of ``dtype`` (torch's or NumPy's) on ``device``.
    """
'''
    + INIT_DTYPE
    + INIT_CHECKS
    + init_draws(
        weight="torch.tensor(W, dtype=dtype, device=device)",
        bias="torch.zeros((n_l, 1), dtype=dtype, device=device)",
    )
)
INVALID_HELPER = invalid_shapes(
    """Raise the ValueError that names the tensor of the wrong shape or dtype and what was
    expected. Called only after the cheap checks on entry have failed.""",
    "tensor",
    "a",
    "tuple(got)",
) + (
    """    first = None  # every tensor has the dtype of the first one checked
    arrays = (("X", X), *((name, params[name]) for name in SHAPES), ("Y", Y), *cached.items())
    for name, value in arrays:
        if value is not None:
            first = _same_dtype(name, value, first)
    _misplaced_tensor(arrays)
    raise ValueError("the tensors do not fit this module: X (n0, m), Y (n_out, m) and SHAPES")
"""
)
NO_GRAD_HELPER = '''
#: whether torch.autocast is on for any device type, in one call (torch's own nn.RNN asks so);
#: the public torch.is_autocast_enabled(device_type) asks one device type per call
_any_autocast = torch._C._is_any_autocast_enabled


def _no_grad(function):
    """``function`` run with autograd off, as under ``@torch.no_grad()``, at a fraction of its
    cost per call: the decorator makes and enters a context manager on every call, about 10 %
    of a small network's gradient. Grad mode is switched off only when it is on (not inside
    BackpropCost), and switched back on however ``function`` ends.

    Inside a ``torch.autocast`` region autocast is switched off too (every device type, as
    torch's compiled functions do): the module computes in its tensors' own dtype there as
    everywhere, so BackpropCost's backward reads a cache of the parameters' dtype and gives
    gradients of it; autocast's lower-precision products would mix dtypes in backward."""

    def call(*args, **kwargs):
        if _any_autocast():  # a torch.autocast region: run without it, then as below
            with torch._C._DisableAutocast():
                return call(*args, **kwargs)
        enabled = torch.is_grad_enabled()
        if enabled:
            torch.set_grad_enabled(False)
        try:
            return function(*args, **kwargs)
        except RuntimeError:  # torch's own: name the tensor at fault, if one is
            try:
                _misplaced(function, args, kwargs)
            except ValueError as explained:
                raise explained from None  # one line: the tensor, not the kernel
            raise
        finally:
            if enabled:
                torch.set_grad_enabled(True)

    call.__name__, call.__qualname__ = function.__name__, function.__qualname__
    call.__doc__, call.__wrapped__ = function.__doc__, function
    return call


def _misplaced(function, args, kwargs):
    """After torch raised a RuntimeError inside ``function``: :func:`_misplaced_tensor` of its
    tensor arguments, the data first, then the dicts' entries (``W1``, ``cache['A1']``)."""
    code = function.__code__
    given = {**dict(zip(code.co_varnames[: code.co_argcount], args, strict=False)), **kwargs}
    named = [(name, value) for name, value in given.items() if isinstance(value, torch.Tensor)]
    for name, value in given.items():
        if hasattr(value, "items") and not isinstance(value, torch.Tensor):  # params, cache
            named += [
                (key if name == "params" else f"{name}[{key!r}]", item)  # as _invalid names them
                for key, item in value.items()
                if name != "params" or key in SHAPES  # an extra entry is never read
            ]
    _misplaced_tensor(named)


def _misplaced_tensor(named):
    """A one-line ValueError naming the first tensor of the ``(name, value)`` pairs that is
    nested, not dense, or off the device most of them are on; nothing when every one is fine
    (the caller then raises its own error). Run only once a check or torch has failed, so the
    checks on entry stay compares (a sparse tensor that torch's kernels take is computed
    with)."""
    tensors = [(name, value) for name, value in named if isinstance(value, torch.Tensor)]
    for name, value in tensors:
        if value.is_nested:
            raise ValueError(f"{name} is a nested tensor; expected a dense tensor of one shape")
        if value.layout is not torch.strided:
            raise ValueError(
                f"{name} has layout {value.layout}, which torch cannot compute with here; "
                f"expected a dense tensor ({name}.to_dense() converts it)"
            )
    devices = [value.device for _, value in tensors]
    # the first of the most common, a device with data before the meta device (which has none)
    with_data = [device for device in devices if device.type != "meta"] or devices
    common = max(with_data, key=devices.count, default=None)
    for name, value in tensors:
        if value.device != common:
            other = next(other for other, tensor in tensors if tensor.device == common)
            raise ValueError(
                f"{name} is on device {value.device} but {other} is on {common}: every tensor "
                f"must be on one device ({name}.to({str(common)!r}) moves it)"
            )
'''

SAME_DTYPE_HELPER = '''
#: the dtypes torch computes these operations in: not float8 (no sigmoid or sum on the CPU)
_FLOATS = (torch.float32, torch.float64, torch.float16, torch.bfloat16)  # common first


def _same_dtype(name, value, first):
    """``first``, the name and dtype of the first tensor checked (``(name, value.dtype)`` when
    ``first`` is None), once ``value`` is a torch tensor of one floating-point dtype with it.

    Otherwise a one-line ValueError naming ``value``: an integer tensor cannot take a gradient
    step, and torch multiplies tensors of one dtype only.
    """
    dtype = value.dtype if isinstance(value, torch.Tensor) else None
    if dtype is None:  # a NumPy array has a shape and a dtype too
        raise ValueError(
            f"{name} is a {type(value).__name__}, not a torch tensor "
            f"(torch.as_tensor({name}) converts it)"
        )
    wanted = torch.float64 if first is None else first[1]
    if dtype not in _FLOATS:
        raise ValueError(
            f"{name} has dtype {dtype}; expected a tensor of torch.float16, torch.bfloat16, "
            f"torch.float32 or torch.float64 ({name}.to({wanted}) converts it)"
        )
    if first is None:
        return name, dtype
    if dtype is not wanted:
        raise ValueError(  # either may be the one to convert: a Net's parameters, its data
            f"{name} has dtype {dtype} but {first[0]} has {wanted}: every tensor must have "
            f"one floating-point dtype ({name}.to({wanted}) converts it, {first[0]}.to({dtype}) "
            "the other)"
        )
    return first
'''
ONES_HELPER = '''
#: (m, dtype, device) -> the column of ones 1_m of db = dZ 1_m; a few entries at most
_ONES = {}


def _ones_column(X):
    """The column of ones 1_m (m, 1) of db = dZ 1_m in X's dtype and on X's device.

    It is the same on every call with this m, dtype and device, so it is made once and kept
    (read only) in ``_ONES``: a fresh one on every call, workspace or not, would be one more
    allocation and kernel per gradient.
    """
    key = (X.shape[1], X.dtype, X.device)
    ones_m = _ONES.get(key)
    if ones_m is None:
        if len(_ONES) >= 8:  # a long run of different batch sizes: start again
            _ONES.clear()
        ones_m = _ONES[key] = X.new_ones((X.shape[1], 1))
    return ones_m
'''
BATCH_SIZE_HELPER = '''
#: (m, dtype, device) -> m as a 0-d tensor, the divisor of the mean; a few entries at most
_BATCH_SIZES = {}


def _batch_size(X):
    """The batch size m as a 0-d tensor of X's dtype on X's device (a float where that dtype
    cannot hold m exactly: float16, bfloat16): ``dZ /= _batch_size(X)``
    gives the numbers of ``dZ /= float(m)``.

    Dividing a float32 tensor by a Python float makes torch allocate two scalar tensors on
    every call (the float wrapped as a float64 one, then converted to float32): more than half
    the time of dividing a small delta. This one is made once per m, dtype and device and kept
    (read only).
    """
    key = (X.shape[1], X.dtype, X.device)
    size = _BATCH_SIZES.get(key)
    if size is None:
        if len(_BATCH_SIZES) >= 8:  # a long run of different batch sizes: start again
            _BATCH_SIZES.clear()
        m = X.shape[1]
        size = float(m)  # exact, where float16 rounds m above 2048: torch divides in float32
        # asked of a CPU tensor: no wait for a GPU, and a meta tensor has no value to ask
        if torch.tensor(m, dtype=X.dtype).item() == m:
            size = X.new_full((), m)
        _BATCH_SIZES[key] = size
    return size
'''
#: the docstring of a network module's ``_workspace`` (the NumPy module's, for tensors)
WORKSPACE_DOC = (
    "The tensors ``part`` (forward or backward) writes its products into, kept in the caller's",
    "dict ``work``: made on the first call, and again only when m, the dtype or the device",
    "changes (X has all three). ``part`` names the function and this module's network (a",
    "digest of it after the name), so that modules of two networks may share one ``work``.",
    "Under ``torch.inference_mode()`` it keeps a second set: tensors made there cannot be",
    "written outside it, so an evaluation pass there leaves the training pass's set alone.",
    "",
    "Reusing them saves allocating fresh tensors, and the page faults of fresh memory on the",
    "CPU, on every call; the returned cache and gradients live in ``work`` until the next call.",
    "Without a workspace (``out = {}``) every product is a fresh tensor (``out=None``).",
)
#: the nn.Module's __init__ parameters, and those of a model with a parameter of a column per
#: example (sized by m as init_params is): one line of 96 columns, as ruff format keeps it
INIT_SIGNATURE = 'self, seed=0, scheme="xavier", dtype=torch.float64, device=None'
INIT_SIGNATURE_PER_EXAMPLE = f"{INIT_SIGNATURE}, *, m=None"

AUTOGRAD = '''
class BackpropCost(torch.autograd.Function):
    """J as a torch autograd Function whose backward is the derived one (no autograd tape).

    ``BackpropCost.apply({data}, *params.values())`` with the parameters in SHAPES order
    returns J (a 0-d tensor); its backward returns the generated gradients times grad_output
    for the parameters. dJ/d(data) is not derived: a data tensor that requires grad (made by
    a layer before the module) is refused in backward with a ValueError naming it, rather
    than given None, which would leave that layer silently untrained.

    What backward reads is saved with ``ctx.save_for_backward``, so a tensor changed in place
    between forward and backward (an optimizer step on a parameter) is torch's "modified by
    an inplace operation" error, not a gradient at a mix of two points. The derived backward
    is differentiable once: a second derivative (a Hessian) raises (:class:`FirstOrderOnly`),
    never comes out zero.
    """

    @staticmethod
    def forward({signature}):
{forward}

    @staticmethod
    def backward(ctx, grad_output):
        _refuse_data_grads(ctx.needs_input_grad[: len(DATA)])
{backward}
        grads = tuple(grad_output * grads[name] for name in SHAPES)
        if torch.is_grad_enabled():  # create_graph=True: the gradients must not be constants
            grads = FirstOrderOnly.apply(len(grads), *grads, *params.values())
        return ({nones}*grads)


class FirstOrderOnly(torch.autograd.Function):
    """The derived gradients as they are, tied to the parameters so that differentiating them
    again raises: they are computed without a tape, so autograd would take them for constants
    and give a second derivative (a Hessian, create_graph=True) of zero. (torch's
    ``once_differentiable`` raises only when grad_output itself requires grad.)"""

    @staticmethod
    def forward(ctx, count, *tensors):  # the count gradients, then the parameters
        return tensors[:count]

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise RuntimeError(
            "the generated backward is a first derivative only: a second derivative (a Hessian, "
            "a gradient of the gradient) needs torch's own autograd of the cost"
        )


def _refuse_data_grads(needed):
    """Raise a ValueError naming the data tensors whose ``needed`` flag is set: they require
    grad, and the derivation differentiates the parameters only."""
    wanted = [name for name, need in zip(DATA, needed, strict=True) if need]
    if wanted:
        asked = ", ".join(f"dJ/d{{name}}" for name in wanted)
        names, detached = ", ".join(wanted), ", ".join(f"{{name}}.detach()" for name in wanted)
        verb, does = ("is", "requires") if len(wanted) == 1 else ("are", "require")
        raise ValueError(
            f"cost differentiates params only: {{asked}} {{verb}} not derived, but {{names}} "
            f"{{does}} grad (a layer before the module would silently never train); pass "
            f"{{detached}} to hold the data fixed"
        )


def cost(params, {data}):
    """J (a 0-d tensor) through BackpropCost: ``cost(params, {data}).backward()`` fills each
    parameter's ``.grad`` with the derived gradient, so the module drops into a training loop."""
{checked}
    return BackpropCost.apply({data}, *(params[name] for name in SHAPES))


class Parameters(torch.nn.Module):
    """The parameters as ``torch.nn.Parameter``s keyed by name, in SHAPES order, read as a
    dict is: ``params["W1"]``, ``keys()``, ``values()``, ``items()``, ``len``, iteration.

    Every parameter name works, "float", "forward" or "keys" too: the parameters go straight
    into the module's own table of parameters (``register_parameter`` and ParameterDict refuse
    a name that an nn.Module attribute has) and are read by key, never as attributes, so every
    method stays what it is ("training" too: train() and eval() set the flag beside it).
    state_dict and named_parameters call them "params.<name>".
    """

    def __init__(self, values):
        super().__init__()
        for name, value in values.items():
            self._parameters[name] = torch.nn.Parameter(value)

    def __setattr__(self, name, value):
        # nn.Module.train() and eval() set ``training`` on every submodule, and nn.Module
        # refuses a bool for a name in its table of parameters: a parameter "training" stays
        # in the table, and the flag goes beside it
        if name == "training":
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    def __getitem__(self, name):
        return self._parameters[name]

    def __iter__(self):
        return iter(self._parameters)

    def __len__(self):
        return len(self._parameters)

    def keys(self):
        return self._parameters.keys()

    def values(self):
        return self._parameters.values()

    def items(self):
        return self._parameters.items()


class {module}(torch.nn.Module):
    """The parameters in ``self.params`` (:class:`Parameters`, initialised by init_params);
    ``forward({data})`` returns J through BackpropCost, so ``loss.backward()`` fills each
    parameter's ``.grad`` with the derived gradient."""

    def __init__({init_signature}):
        super().__init__()
        self.params = Parameters(init_params(seed, scheme, dtype, device{m_argument}))

    def forward(self, {data}):
        return cost(self.params, {data})
'''


#: log softmax of each column with the log of the sum as log1p (see the NumPy module's): the
#: cross-entropy of a confident right answer is tiny, and torch.log_softmax rounded it (1e-3
#: off at a margin of 30, -0.0 at 40: hostile38a #2)
LOG_SOFTMAX_HELPER = log_softmax_helper(
    """
    shifted = Z - Z.amax(dim=0, keepdim=True)
    # out of place: autograd through the cost reads exp's output
    rest = torch.exp(shifted).scatter(0, shifted.argmax(dim=0, keepdim=True), 0.0)
    return shifted - torch.log1p(rest.sum(dim=0, keepdim=True))
"""
)
