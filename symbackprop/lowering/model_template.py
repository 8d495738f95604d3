"""The fixed text every backend's model module shares: the init schemes (``STDS``),
``init_params``, which draws with NumPy's ``default_rng`` on every backend (a seed gives the
same parameters in the NumPy, torch and JAX modules) and differs only in how it hands the
drawn NumPy arrays back (:func:`init_params`), and the input check ``_check``, which differs
in its words and in how it checks a dtype (:func:`check_helper`); and ``_math``, Python's
math on a function of m alone with the arrays' overflow (:data:`MATH_HELPER`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from symbackprop.lowering.python_text import LINE, continued_literal, tuple_assignment


def stds(what: str, fan_in: str, fan_out: str) -> str:
    """The text of ``STDS``, init scheme -> the standard deviation of ``what``, with the
    lambdas' two parameters named as the module's ``init_params`` names them (``fan_in``,
    ``fan_out``; a network's ``n_prev``, ``n_l``)."""
    return f"""
# init scheme -> standard deviation of {what}
STDS = {{
    "xavier": lambda {fan_in}, {fan_out}: np.sqrt(1.0 / {fan_in}),
    "he": lambda {fan_in}, {fan_out}: np.sqrt(2.0 / {fan_in}),
    "glorot": lambda {fan_in}, {fan_out}: np.sqrt(2.0 / ({fan_in} + {fan_out})),
    "normal": lambda {fan_in}, {fan_out}: 1.0,
}}
"""


STDS = stds("a parameter with fan_in columns and fan_out rows", "fan_in", "fan_out")

_INIT_HEAD = '''
def init_params(seed=0, scheme="xavier", {signature}):
    """Every parameter, in SHAPES order: those only ever added (ADDED) start at zero; every
    other is ``rng.standard_normal(shape) * std``, with fan-in its column count.

    ``scheme``: "xavier" std sqrt(1/fan_in), "he" sqrt(2/fan_in), "glorot"
    sqrt(2/(fan_in + fan_out)), "normal" std 1, or "scaled-identity:c" (c times the identity,
'''
#: the start of every module's ``init_params`` after its backend's dtype rule (``INIT_DTYPE``
#: of its template): its random generator from ``seed``, and the checks of a string scheme and
#: of ``scaled-identity:c`` with c in the CLI's range
INIT_CHECKS = """\
    if isinstance(seed, bool):  # NumPy seeds True as 1: a flag passed for a seed
        raise TypeError(f"seed must be a non-negative int or None, got {seed!r}")
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError):  # NumPy's own words name no argument (seed=-1)
        raise ValueError(f"seed must be a non-negative int or None, got {seed!r}") from None
    if not isinstance(scheme, str):  # None would fail below naming str.startswith
        known = ", ".join([*STDS, "scaled-identity:c"])
        raise TypeError(f"init scheme must be a string, one of {known}; got {scheme!r}")
    if scheme.startswith("scaled-identity:"):  # c in the CLI's range: not nan, inf, 0 or < 0
        try:
            scale = float(scheme.split(":", 1)[1])
        except ValueError:
            scale = -1.0
        if not 1e-6 <= scale <= 1e6:
            raise ValueError(
                f"init scheme {scheme!r}: expected scaled-identity:c with c a number from "
                "1e-6 to 1e6"
            )
"""

_INIT_BODY = (
    INIT_CHECKS
    + """    params = {}
    for name, (rows, cols) in SHAPES.items():
        if name in ADDED:
            value = np.zeros((rows, cols))
        elif scheme.startswith("scaled-identity:"):
            if rows != cols:
                raise ValueError(
                    f"scheme {scheme!r} needs square parameters, but {name} is {rows} x {cols}"
                )
            value = scale * np.eye(rows)
        elif scheme in STDS:
            value = rng.standard_normal((rows, cols)) * STDS[scheme](cols, rows)
        else:
            known = ", ".join([*STDS, "scaled-identity:c"])
            raise ValueError(f"unknown init scheme {scheme!r}; expected one of {known}")
"""
)


#: the docstring's paragraph on ``m`` and the lines that check it, in the module of a model
#: with a parameter of one column (or row) per example (``H : k x m``, declared so): its size
#: is the batch's, which only the caller knows
_M_DOC = """
    ``m``: the number of examples, the size of every "m" in SHAPES (a parameter with a column
    or row per example); the data passed to forward must have m columns too.
"""
_M_CHECK = """\
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        per_example = [name for name, shape in SHAPES.items() if "m" in shape]
        has = "has" if len(per_example) == 1 else "have"
        raise ValueError(
            f"init_params needs m=..., the number of examples (an int >= 1): "
            f"{', '.join(per_example)} {has} a column or row per example; got m={m!r}"
        )
"""
#: the shape drawn for a parameter whose SHAPES entry may hold "m"
_SIZED_LOOP = """\
    for name, shape in SHAPES.items():
        rows, cols = (m if size == "m" else size for size in shape)
"""


def init_params(
    signature: str, returns: str, store: str, prelude: str = "", *, per_example: bool = False
) -> str:
    """A model module's ``init_params`` text.

    ``signature``: its keyword parameters after ``seed`` and ``scheme``; ``returns``: the end of
    its docstring, from ``square parameters only).`` on (what the arrays are handed back as),
    indented lines each ending in a newline; ``prelude``: lines run before drawing (may be
    empty); ``store``: the expression that turns the drawn NumPy array ``value`` into the
    backend's parameter. ``per_example``: the model has a parameter with m in its shape, so
    ``init_params`` takes the keyword ``m`` (the number of examples) and sizes it by it.
    """
    if not per_example:
        head = _INIT_HEAD.replace("{signature}", signature)
        return (
            f'{head}{returns}    """\n{prelude}{_INIT_BODY}'
            f"        params[name] = {store}\n    return params\n"
        )
    head = _INIT_HEAD.replace("{signature}", f"{signature}, *, m=None")
    body = _INIT_BODY.replace("    for name, (rows, cols) in SHAPES.items():\n", _SIZED_LOOP)
    return (
        f'{head}{returns}{_M_DOC}    """\n{prelude}{_M_CHECK}{body}'
        f"        params[name] = {store}\n    return params\n"
    )


_CHECK = '''
def _check(params, data):
    """<doc>
    """
    if len(data) != len(DATA):
        raise ValueError(f"expected the data <noun>s {DATA} after params, got {len(data)}")

<m>
    for name, value in zip(DATA, data, strict=True):
        got = getattr(value, "shape", None)
<sized data>        expected = DATA_SHAPES[name]
        # written (4, m), not as the tuple's (4, 'm')
        if not (isinstance(got, tuple) and len(got) == 2):
            raise ValueError(
                f"{name} must be a 2-D <noun> of shape ({expected[0]}, {expected[1]}), "
                f"got {_shown(value, got)}"
            )
        for size, want in zip(got, expected, strict=True):
            if want != "m" and size != want:
                raise ValueError(
                    f"{name} has shape {got}, expected ({expected[0]}, {expected[1]})"
                )
            if want == "m" and size < 1:
                raise ValueError(f"{name} has shape {got}: m must be at least 1")
            if want == "m" and m is not None and size != m and fixed_by == name:
                raise ValueError(  # both of its dimensions are m
                    f"{name} has shape {got}, expected (m, m): a square <noun>, both of its "
                    "dimensions the number of examples"
                )
            if want == "m" and m is not None and size != m:
                raise ValueError(
                    f"{name} has m = {size} but {fixed_by} has m = {m}: the data <noun>s must "
                    "agree on the number of examples"
                )
            if want == "m" and m is None:
                m, fixed_by = size, name
        <dtype of value>
    first = _check_params(params, first<m arg>)
<limit>    return 1 if m is None else m


def _check_params(params, first<m arg>):
    """``first`` once ``params`` is a dict holding every parameter of SHAPES in its shape, of
    a floating-point dtype, that of ``first`` (the name and dtype of <a noun> checked before;
    None: the first parameter's). forward checks them after its data, backward before it reads
    them (a parameter of another shape broadcast into a gradient of that shape, silently).<m doc>
    """
    if not hasattr(params, "keys"):
        raise ValueError(f"params must be a dict of <noun>s, got a {type(params).__name__}")
    for name, expected in SHAPES.items():
<m expected>        if name not in params:
            raise ValueError(f"params has no {name!r}: expected <a noun> of shape {expected}")
        got = getattr(params[name], "shape", None)
<sized param>        if got != expected:
            if not isinstance(got, tuple):
                raise ValueError(
                    f"{name} is {_shown(params[name], got)}, expected <a noun> of shape {expected}"
                )
            raise ValueError(f"{name} has shape {got}, expected {expected}<why>")
        <dtype of param>
    return first


def _shown(value, got):
    """What a value without a shape is, for a message: None, a list, ... (``got``, the shape
    tuple, where it has one)."""
    return got if isinstance(got, tuple) or value is None else f"a {type(value).__name__}"
'''


def check_helper(
    doc: str,
    noun: str,
    dtype_check: str,
    *,
    sized: tuple[str, str] = ("", ""),
    limit: str = "",
    per_example: bool = False,
) -> str:
    """A model module's ``_check(params, data)``: m once every value has its shape and dtype,
    and its ``_check_params(params, first)``, the parameters' part, which backward runs too.

    ``doc``: its docstring up to the closing quotes (indented lines after the first);
    ``noun``: "array" or "tensor"; ``dtype_check``: the statement that checks the dtype of
    ``{value}`` (a data value, then each parameter) and keeps ``first``, the name and dtype of
    the first value checked; ``sized``: lines (each ending in a
    newline) that make the data's and a parameter's ``got`` a plain tuple, where needed;
    ``limit``: lines run last, once m and the dtype are known (:func:`float16_check`);
    ``per_example``: a parameter has m in its shape (SHAPES holds "m"), so ``_check_params``
    takes m, the data's (forward) or the cache's (backward), and compares with it.
    """
    article = "an" if noun[0] in "aeiou" else "a"
    m = f"    m = fixed_by = first = None  # first: the name and dtype of the first {noun} checked"
    replaced = {
        "<doc>": doc,
        "<noun>": noun,
        "<a noun>": f"{article} {noun}",
        "<m>": m,
        "<sized data>": sized[0],
        "<sized param>": sized[1],
        "<dtype of value>": dtype_check.replace("{value}", "value"),
        "<dtype of param>": dtype_check.replace("{value}", "params[name]"),
        "<limit>": limit,
        "<m arg>": ", m" if per_example else "",
        "<m doc>": (
            '\n    A parameter with a column or row per example ("m" in SHAPES) has the data\'s m.'
            if per_example
            else ""
        ),
        "<m expected>": (
            '        why = ""\n'
            '        if "m" in expected:  # a column or row per example\n'
            '            expected = tuple(m if size == "m" else size for size in expected)\n'
            '            why = f" (m = {m} examples)"\n'
            if per_example
            else ""
        ),
        "<why>": "{why}" if per_example else "",
    }
    text = _CHECK
    for marker, value in replaced.items():
        text = text.replace(marker, value)
    return text


#: float16's largest number: a mean over more examples divides by inf (1/m is 0 in float16)
FLOAT16_MAX = 65504


def float16_check(
    m: str, dtype: str, *, guard: str = "", ns: str = "np", indent: str = "    "
) -> str:
    """The lines that refuse a batch of ``m`` examples (an expression) in ``dtype`` when the
    dtype is float16 and m is over 65504: the mean over them would overflow to a cost of 0.0
    and gradients of 0 (with only NumPy's warning "overflow encountered in cast"; JAX gives
    them silently). ``guard``: a condition written first, ending in ``and `` (m may be None);
    ``ns``: the module's name for the namespace of float16 (``np``, ``jnp``). Run before any
    arithmetic, so that the error comes alone."""
    return (
        f"{indent}if {guard}{m} > {FLOAT16_MAX} and {dtype} == {ns}.float16:\n"
        f"{indent}    raise ValueError(\n"
        f'{indent}        f"m = {{{m}}} examples in float16, whose largest number is '
        f'{FLOAT16_MAX}: m does "\n'
        f'{indent}        "not fit (a mean over the examples would be a cost of 0.0 and '
        'gradients of 0); "\n'
        f'{indent}        "use float32, or at most {FLOAT16_MAX} examples a call"\n'
        f"{indent}    )\n"
    )


#: ``_not_a_workspace``, every module's error for a ``work`` that is not a workspace: a data
#: array in its place, as ``forward(params, X, Y)`` puts Y there (work is positional)
WORK_HELPER = '''
def _not_a_workspace(call, work):
    """Refuse ``work`` that is neither None nor a workspace dict (say, a data array in its
    place): one line naming ``work`` and what it takes, instead of a failure deep inside."""
    raise TypeError(
        f"{call}: work must be None or a workspace dict (the same {{}} on every call), "
        f"not {type(work).__name__} (perhaps a data array, passed in work's place)"
    )
'''


#: ``_latest_cache``: backward's refusal of a cache whose arrays a later forward with the same
#: workspace wrote over (an evaluation forward between a training forward and its backward
#: mixed two batches into a wrong gradient, silently: hostile34b #1)
LATEST_CACHE_HELPER = '''
def _latest_cache(cache, latest, data):
    """Refuse a cache that holds arrays of the workspace but is not the latest cache forward
    kept there: those arrays now hold the later call's values. An earlier forward on the same
    X (an ensemble's members on one batch) left a cache whose every array is the latest one's,
    as a copy of the latest has: the two cannot be told apart, so both are refused. A cache
    made without this workspace holds none of its arrays and passes. ``data``: the names of
    the caller's arrays."""
    shared = [  # the workspace's arrays (not the caller's data, not the number m)
        name
        for name, value in cache.items()
        if name not in data and hasattr(value, "shape") and latest.get(name) is value
    ]
    if shared:
        raise ValueError(
            f"cache is not the latest forward's with this work, and holds arrays that forward "
            f"wrote over ({', '.join(shared)}): pass the cache the latest forward returned "
            "(itself, not a copy), or give each forward a work dict of its own"
        )
'''


def keep_latest_cache(key: str) -> list[str]:
    """forward's lines after its cache: with a workspace, the cache is kept in it under
    ``key`` (not an identifier: no array of a model's, kept under its name, can take it)."""
    return [
        "    if work is not None:  # backward tells a cache a later forward wrote over",
        f'        work["{key}"] = cache',
    ]


def latest_cache_check(key: str, data: list[str]) -> list[str]:
    """backward's lines after its cache checks: a cache that is not the latest one kept under
    ``key`` goes to :data:`LATEST_CACHE_HELPER` (``data``: the caller's arrays' names); the
    latest, or no workspace, costs one dict lookup."""
    names = ", ".join(f'"{name}"' for name in data) + ("," if len(data) == 1 else "")
    return [
        f'    if work is not None and work.get("{key}", cache) is not cache:',
        f'        _latest_cache(cache, work["{key}"], ({names}))',
    ]


CACHE_SHAPE_HELPER = '''
def _wrong_cache_shape(cache, names, expected):
    """Name the first cached array (of ``names``) whose shape is not forward's (``expected``),
    or that is no array (a cache edited by hand or from another call): one line, instead of a
    gradient of another shape or a failure deep inside a product."""
    for name, want in zip(names, expected, strict=True):
        got = getattr(cache[name], "shape", None)
        if got is None:
            raise ValueError(
                f"cache[{name!r}] is a {type(cache[name]).__name__}, expected an array of "
                f"shape {want}: pass the cache forward returned"
            )
        if tuple(got) != want:
            raise ValueError(
                f"cache[{name!r}] has shape {tuple(got)}, expected {want}: pass the cache "
                "forward returned"
            )
'''


def cache_shape_check(names: list[str], shapes: list[str]) -> list[str]:
    """The lines after backward reads its cache: every cached array (``names``) in forward's
    shape (``shapes``, printed: ``"(3, m)"``), compared as one tuple of tuples, the cheap path;
    :data:`CACHE_SHAPE_HELPER` names the first that differs or has no shape. A cached X of 2
    rows for a 3-row model gave a 3 x 2 dJ/dW1 (the shape of no parameter) silently."""
    if not names:
        return []
    return [
        "    # the cached arrays in forward's shapes",
        "    try:",
        # underscored: a model may name a value shapes, never _shapes (a model name starts
        # with a letter)
        *tuple_assignment("_shapes", [f"{name}.shape" for name in names], "        "),
        "    except AttributeError:  # a list, a number: no array",
        "        _shapes = None",
        *tuple_assignment("_expected", shapes, "    "),
        "    if _shapes != _expected:",
        *tuple_assignment("_names", [f'"{name}"' for name in names], "        "),
        "        _wrong_cache_shape(cache, _names, _expected)",
    ]


def params_check(
    cached: Sequence[str], dtype_check: str, *, per_example: bool = False
) -> list[str]:
    """backward's last check: every cached array (``cached``: their names; none where the
    model caches none) of one floating dtype, then ``_check_params`` (of the module's
    ``_check``) against it, so that a parameter of another shape, type or dtype than forward's
    is refused in one line rather than broadcast into a gradient of its shape (hostile34b #3).
    Each array's dtype is checked as forward checks its data (``dtype_check``, the module's
    function: ``_floating``), as a cache may be edited by hand (review35 #6: a big-endian one
    was told ``np.>f8``; hostile50a #4: a float32 h1 beside float64 ones was torch's own error
    from a product, and NumPy computed on, as only the first array was checked).
    ``per_example``: the parameters' shapes hold m, read from the cache before."""
    m = ", m" if per_example else ""
    if not cached:
        return [f"    _check_params(params, None{m})"]
    if len(cached) == 1:
        return [
            f'    _first = {dtype_check}("cache[\'{cached[0]}\']", cache["{cached[0]}"], None)',
            f"    _check_params(params, _first{m})",
        ]
    names = ", ".join(f'"{name}"' for name in cached)
    loop = [f"    for _name in ({names}):"]
    if len(loop[0]) > LINE:  # one name a line, as ruff format writes it
        loop = ["    for _name in (", *(f'        "{name}",' for name in cached), "    ):"]
    return [
        "    _first = None  # every cached array of one floating dtype, as forward made them",
        *loop,
        f'        _first = {dtype_check}(f"cache[{{_name!r}}]", cache[_name], _first)',
        f"    _check_params(params, _first{m})",
    ]


def work_check(call: str) -> list[str]:
    """The lines that open a function whose ``work`` is positional (``call``, its signature as
    the message shows it): a type check only, as this is the hot path of a training loop."""
    return [
        "    if work is not None and not isinstance(work, dict):  # a data array, say",
        f'        _not_a_workspace("{call}", work)',
    ]


def cache_check(names: list[str]) -> list[str]:
    """The lines that open ``backward`` after its workspace check: ``cache`` must be the dict
    forward returned, holding every name it reads (``names``); each failure is a ValueError
    that says so (None, the cost, or a dict without ``"X"`` failed on indexing)."""
    reads = ", ".join(f'"{name}"' for name in names) + ("," if len(names) == 1 else "")
    loop = [f"    for name in ({reads}):"]
    if len(loop[0]) > LINE:  # one name a line, as ruff format writes it (hostile48b #4)
        loop = ["    for name in (", *(f'        "{name}",' for name in names), "    ):"]
    return [
        '    if not hasattr(cache, "keys"):  # None, or the (cost, cache) pair forward returns',
        '        got = "None" if cache is None else f"a {type(cache).__name__}"',
        '        raise ValueError(f"cache must be the dict forward returned, got {got}")',
        *loop,
        "        if name not in cache:",
        '            raise ValueError(f"cache has no {name!r}: pass the cache forward returned")',
    ]


__all__ = [
    "JAX_FLOATS",
    "STDS",
    "WORK_HELPER",
    "LATEST_CACHE_HELPER",
    "keep_latest_cache",
    "latest_cache_check",
    "CACHE_SHAPE_HELPER",
    "cache_shape_check",
    "params_check",
    "array_kind_check",
    "cache_check",
    "check_helper",
    "float16_check",
    "floating_helper",
    "init_params",
    "kinks_constant",
    "stds",
    "work_check",
]


#: a function of m alone is Python's math on a number (see the printer's NUMBER_FUNCTIONS and
#: raises_in_python): where math raises, NumPy, torch and JAX arrays give inf or nan
MATH_HELPER = '''
def _math(f, *x):
    """f(*x) on Python numbers (math.log, math.sqrt, math.exp, math.pow, ... of a function of
    m), or where math raises, the IEEE value NumPy, torch and JAX give: +-inf past the float
    range (exp(710)) or at a pole (log(0), pow(0, -1)), else nan (sqrt(-1), pow(-1, 0.5)).
    """
    try:
        return f(*x)
    except OverflowError:
        odd = f is math.sinh or (f is math.pow and x[1] % 2 == 1)
        return math.copysign(math.inf, x[0]) if odd else math.inf
    except (ValueError, ZeroDivisionError):
        if x[0] == 0 and f is math.log:
            return -math.inf
        if x[0] == 0 and f is math.pow:
            return math.copysign(math.inf, x[0]) if x[1] % 2 == 1 else math.inf
        return math.nan
'''


def array_kind_check(accepted: str, noun: str, indent: str = "    ") -> str:
    """Lines refusing ``value`` (named ``name``) that is not ``noun`` (``accepted``: the
    isinstance test's types) with a one-line ValueError: a torch tensor handed to a NumPy
    module was told "has dtype torch.float64; expected a floating-point array", and a masked
    array passed with its mask ignored (hostile tester 23); an array in the other byte order
    (``>f8``) was told to convert the others to ``np.>f8`` (hostile34b #4). ``value`` may be
    None (no Y)."""
    lines = [
        "if isinstance(value, np.ma.MaskedArray):  # its mask would be ignored",
        "    raise ValueError(",
        '        f"{name} is a masked array, whose mask the gradients would ignore: "',
        '        f"{name}.filled(0) fills the masked entries, np.asarray({name}) drops the mask"',
        "    )",
        f"if value is not None and not isinstance(value, {accepted}):",
        "    raise ValueError(  # another library's array (a torch tensor), a list, a number",
        "        f\"{name} is a {type(value).__module__.split('.')[0]}.\"",
        f'        f"{{type(value).__qualname__}}, not {noun}: "',
        '        f"np.asarray({name}) converts it"',
        "    )",
        "# big-endian on this machine, as a FITS file's arrays are: NumPy's results are in",
        "# this machine's order (a cache of two orders), and JAX takes no other",
        "# (a floating one: another kind is told the float to convert to just below)",
        'dtype = getattr(value, "dtype", None)',
        'if getattr(dtype, "kind", None) == "f" and not dtype.isnative:',
        "    raise ValueError(",
        '        f"{name} has dtype {value.dtype.str}, whose byte order is not this "',
        '        f"machine\'s: {name}.astype(np.{value.dtype.name}) converts it"',
        "    )",
    ]
    return "".join(f"{indent}{text}\n" for text in lines)


#: what JAX's modules tell a refused dtype was expected (NumPy's float128 is floating-point,
#: and was told "expected a floating-point array": hostile23). Not its dtypes by name: with
#: x64 off JAX has no float64, and advice to use it would loop (hostile14 #6)
JAX_FLOATS = (
    "a floating-point array of at most 64 bits, with an infinity (not float8_e4m3fn: exp "
    "overflows to NaN there)"
)


def jax_one_float(ours: str, theirs: str, accept: str, indent: str = "    ") -> str:
    """JAX's lines where two arrays' dtypes (``ours``, ``theirs``: their names in the generated
    function) differ: with x64 off JAX computes float64 in float32 (jnp.asarray does, and
    jax.jit and jax.grad hand the function float32 tracers), so float64 beside float32 is one
    dtype to it and ``accept`` (a statement) takes the array. The call without jit refused
    what the same call under jit or grad ran (hostile34b #12); before that, its advice to
    convert to float64 looped (hostile14 #6)."""
    lines = [
        "# x64 off: float64 is computed in float32, as under jax.jit and jax.grad",
        f"if jax.dtypes.canonicalize_dtype({ours}) == jax.dtypes.canonicalize_dtype({theirs}):",
        f"    {accept}",
    ]
    return "".join(f"{indent}{text}\n" for text in lines)


def floating_helper(
    refused: str,
    ns: str,
    default: str = "np.dtype(np.float64)",
    mixed: str = "",
    kinds: str = "",
    expected: str = "a floating-point array",
) -> str:
    """The text of ``_floating``, the models' dtype rule: ``refused`` is the test that
    ``dtype`` (None for a value without one) is not floating-point, ``ns`` the namespace of
    the dtype the message names (``np``; ``jnp``, whose bfloat16 NumPy's ``kind`` calls "V").
    ``default`` is the dtype advised for the first array (JAX's default float: float32 unless
    x64 is enabled, where float64 advice would only warn and give float32). Both backends
    that take NumPy arrays refuse a ``np.matrix``, whose ``*`` multiplies matrices.
    ``mixed``: lines run first once two dtypes differ (JAX's: float64 without x64), indented
    for the body of that test; ``kinds``: lines refusing another library's array or a masked
    one (:func:`array_kind_check`); ``expected``: what a refused dtype is told was expected."""
    refusal = continued_literal('f"{name} has dtype {dtype}; expected ', expected, " " * 12)
    return f'''
def _floating(name, value, first):
    """``first``, the name and dtype of the first array checked (``(name, value.dtype)`` when
    ``first`` is None), once ``value`` is a floating-point array of that one dtype.

    Otherwise a one-line ValueError naming ``value``: an integer array cannot take a gradient
    step, and arrays of two dtypes would give gradients of two dtypes (NumPy promotes a
    product of both, while a workspace array, a zero gradient or an in-place update keeps one).
    A ``np.matrix`` is refused: its ``*`` is a matrix product, so every element-wise product
    would compute something else.
    """
    if isinstance(value, np.matrix):
        raise ValueError(
            f"{{name}} is a numpy.matrix, whose * multiplies matrices; "
            f"np.asarray({{name}}) converts it"
        )
{kinds}    dtype = getattr(value, "dtype", None)
    wanted = {default} if first is None else first[1]
    if {refused}:
        raise ValueError(
{refusal}
            f"({{name}}.astype({ns}.{{wanted}}) converts it)"
        )
    if first is None:
        return name, dtype
    if dtype != wanted:
{mixed}        raise ValueError(
            f"{{name}} has dtype {{dtype}} but {{first[0]}} has {{wanted}}: every array must have "
            f"one floating-point dtype ({{name}}.astype({ns}.{{wanted}}) converts it)"
        )
    return first
'''


def kinks_constant(
    kinks: Mapping[str, tuple[float, ...]], parameters: Collection[str] = ()
) -> list[str]:
    """The module's ``KINKS``: each cached value at a kink (relu, leaky_relu, abs, a custom
    activation's), or parameter among ``parameters`` (``abs(W)``), and the values where its
    kinks lie. ``sb.gradcheck`` reads it to skip the
    finite steps that cross one; a module loaded from its file watched every cached array
    instead, and skipped the steps of a smooth model whose cached W^T held zeros, passing a
    wrong entry (hostile38a #3)."""
    entries = [
        f'"{name}": ({", ".join(repr(float(v)) for v in values)},)'
        for name, values in kinks.items()
    ]
    if not any(name in parameters for name in kinks):
        head = "# the cached values at a kink and where it lies: a finite-difference check skips"
        lines = [head, "# the steps that cross one"]
    else:  # abs(W): W is read from the params
        head = "# the cached values and parameters at a kink and where it lies: a finite"
        lines = [head, "# difference check skips the steps that cross one"]
    if not entries:
        return [*lines, "KINKS: dict[str, tuple[float, ...]] = {}"]
    opened = "KINKS: dict[str, tuple[float, ...]] = {"
    return [*lines, opened, *(f"    {e}," for e in entries), "}"]


def log_softmax_helper(body: str) -> str:
    """The text of the module function ``log_softmax(Z)`` (each column's log softmax, (n, m)
    in and out), with a backend's ``body``: its spelling of one algorithm (the column max
    subtracted, log1p of the sum of the other terms), under one docstring."""
    return f'''
def log_softmax(Z):
    """log softmax of each column, z - logsumexp(z): finite and warning-free for any z.

    The column max is subtracted first, so that exp cannot overflow; the log of the sum is
    log1p of the sum without one largest term (that term is e^0 = 1): exact where the loss of a
    confident right answer is tiny.
    """
{body.strip(chr(10))}
'''
