"""The fixed text every backend's network module shares: the init schemes (``STDS``, read
by each backend's ``init_params``, which draws with NumPy's ``default_rng``) and the shape
check ``_invalid``, which reads only shapes (static under ``jax.jit``) and differs between
backends only in its floating-point test (:func:`invalid_helper`). A model's module has its
own: :mod:`symbackprop.lowering.model_template`.
"""

from __future__ import annotations

from symbackprop.lowering.model_template import (
    INIT_CHECKS,
    array_kind_check,
    float16_check,
    stds,
)
from symbackprop.lowering.python_text import continued_literal

__all__ = [
    "INVALID_SHAPES",
    "JAX_KIND_CHECK",
    "MATRIX_CHECK",
    "INIT_CHECKS",
    "STDS",
    "init_draws",
    "invalid_helper",
    "invalid_shapes",
]

#: the shape checks of ``_invalid`` (the backend fills in its words: :func:`invalid_shapes`)
_INVALID_SHAPES = '''
def _invalid(params, X=..., Y=..., cache=...):
    """<DOC>"""
    n0, n_out = SHAPES["W1"][1], SHAPES[f"W{DEPTH}"][0]
    # ... marks an argument the caller has not got; None passed in its place is named
    wanted = {
        "X": f"<A> <NOUN> of shape ({n0}, m)",
        "Y": f"<A> <NOUN> of shape ({n_out}, m)",
        "cache": "the cache dict that forward returned",
    }
    for name, value in (("X", X), ("Y", Y), ("cache", cache)):
        if value is None:
            raise ValueError(f"{name} is None; expected {wanted[name]}")
    X, Y, cache = (None if value is ... else value for value in (X, Y, cache))

    def shape(value):
        got = getattr(value, "shape", None)
        return <GOT> if isinstance(got, tuple) else f"a {type(value).__name__}, not <A> <NOUN>"

    if cache is not None:
        if not hasattr(cache, "keys"):  # a number, or the (output, cache) pair forward returns
            raise ValueError(
                f"cache must be the dict forward returned, got a {type(cache).__name__}"
            )
        for name in CACHE_READS:
            if name not in cache:
                raise ValueError(f"cache has no {name!r}: pass the cache that forward returned")
        X = cache["X"]
    # backward's X is the cache's: named so, as the cache's other entries are
    x_name = "X" if cache is None else "cache['X']"
    if X is not None:
        got = shape(X)
        if not (isinstance(got, tuple) and len(got) == 2 and got[0] == n0 and got[1] >= 1):
            raise ValueError(
                f"{x_name} has shape {got}, expected ({n0}, m): one example per column, m >= 1"
            )
    if not hasattr(params, "keys"):
        raise ValueError(f"params must be a dict of <NOUN>s, got a {type(params).__name__}")
    for name, expected in SHAPES.items():
        if name not in params:
            raise ValueError(f"params has no {name!r}: expected <A> <NOUN> of shape {expected}")
        if shape(params[name]) != expected:
            raise ValueError(f"{name} has shape {shape(params[name])}, expected {expected}")
    if Y is not None and X is not None:
        expected = (n_out, X.shape[1])
        if shape(Y) != expected:
            raise ValueError(
                f"Y has shape {shape(Y)}, expected {expected}: a column per example of {x_name}"
            )
    # the cache's other <NOUN>s have forward's shapes (not so in a cache edited by hand)
    cached = {}
    for name in CACHE_READS if cache is not None else ():
        if name != "X":
            value = cached[f"cache[{name!r}]"] = cache[name]
            expected = (SHAPES[f"W{name[1:]}"][0], X.shape[1])
            if shape(value) != expected:
                raise ValueError(
                    f"cache[{name!r}] has shape {shape(value)}, expected {expected}: pass the "
                    "cache that forward returned"
                )
'''


def invalid_shapes(doc: str, noun: str, article: str, got: str) -> str:
    """The text of ``_invalid`` up to its dtype rule, which each backend writes after it:
    ``doc`` its docstring, ``noun`` with its ``article`` what the module calls its values
    (``an array``, ``a tensor``), ``got`` the shape as a tuple (``got``; ``tuple(got)`` for
    torch's Size)."""
    words = {"<DOC>": doc, "<NOUN>": noun, "<A>": article, "<GOT>": got}
    text = _INVALID_SHAPES
    for token, word in words.items():
        text = text.replace(token, word)
    return text


#: NumPy's and JAX's ``_invalid`` up to its dtype rule (:func:`invalid_helper`)
INVALID_SHAPES = invalid_shapes(
    """Raise the ValueError that names the array of the wrong shape (its shape and the expected
    one), X if not floating-point, or an array of another dtype than X (both dtypes); or a
    batch of more than 65504 examples in float16. Called only after the cheap checks on entry
    have failed; returns when every array fits (an equal dtype that is another object than
    X's, as after unpickling, fails the entry's identity compare only; so does any m over
    65504).""",
    "array",
    "an",
    "got",
)


def invalid_helper(
    refused: str,
    advice: str = '"(X.astype(np.float64) converts it)"',
    mixed: str = "",
    types: str = "",
    ns: str = "np",
    expected: str = "a floating-point array",
    cached: str = ", *cached.items()",
) -> str:
    """The text of ``_invalid``: its shape checks, then its dtype rule, ``refused`` being the
    test that X's ``dtype`` (None for a value without one) is not floating-point (the models'
    test: see ``floating_helper``). X's dtype is the one every array must have, so it is
    checked first: an integer X otherwise made the advice to convert the parameters to it.
    ``advice``: the expression of the conversion an integer X is told (JAX's names its
    default float, float32 unless x64 is enabled); ``mixed``: lines run first when an array's
    dtype differs from X's (JAX's: float64 without x64); ``types``: lines run before the
    dtype rule (NumPy's refusal of a ``np.matrix``, :data:`MATRIX_CHECK`). Last, a batch of
    more examples than float16 counts (:func:`float16_check`; ``ns`` names float16's
    namespace). ``expected``: what a refused dtype is told was expected (JAX names its four
    floating dtypes: a float128 is floating-point, but not one of them). ``cached``: the
    cache's arrays in that check (JAX's are the float32 it computes in while a NumPy X stays
    float64, with x64 off: none)."""
    refusal = continued_literal('f"X has dtype {dtype}; expected ', expected, " " * 12)
    return (
        INVALID_SHAPES
        + types
        + f"""    # floating-point (an integer array cannot take a gradient step), and one dtype:
    # mixed, the gradients would come in several (a product promotes, a zero gradient or
    # a workspace array keeps X's)
    dtype = getattr(X, "dtype", None)
    if X is not None and {refused}:
        raise ValueError(
{refusal}
            {advice}
        )
    for name, value in (*((name, params[name]) for name in SHAPES), ("Y", Y){cached}):
        got = getattr(value, "dtype", None)
        if value is not None and X is not None and got != dtype:
{mixed}            raise ValueError(
                f"{{name}} has dtype {{got}} but X has {{dtype}}: every array must have one "
                f"floating-point dtype ({{name}}.astype(np.{{dtype}}) converts it)"
            )
"""
        + float16_check("X.shape[1]", "dtype", guard="X is not None and ", ns=ns)
    )


#: NumPy's ``_invalid`` lines that name a ``np.matrix`` or a subclass of one (forward and
#: backward send every array that is not exactly an ndarray here: ``type(W1) is _ARRAY``,
#: the NumPy template's constant)
MATRIX_CHECK = """\
    for name, value in (
        ("X", X),
        *((name, params[name]) for name in SHAPES),
        ("Y", Y),
        *cached.items(),
    ):
        if isinstance(value, np.matrix):
            raise ValueError(
                f"{name} is a numpy.matrix, whose * multiplies matrices; "
                f"np.asarray({name}) converts it"
            )
""" + array_kind_check("np.ndarray", "a NumPy array", indent=" " * 8)

#: JAX's ``_invalid`` lines naming an array of another library (a torch tensor) or a masked
#: one. Every array float64 with x64 off runs in float32, as JAX runs any float64 input
#: (review14 R9; the README says so)
JAX_KIND_CHECK = """\
    for name, value in (
        ("X", X),
        *((name, params[name]) for name in SHAPES),
        ("Y", Y),
        *cached.items(),
    ):
""" + array_kind_check("(np.ndarray, jax.Array)", "a NumPy or JAX array", indent=" " * 8)

STDS = stds("the weights of a layer with n_prev inputs, n_l units", "n_prev", "n_l")


#: ``init_params``'s draws, layer by layer (:func:`init_draws` fills in the backend's arrays)
_INIT_DRAWS = """    params = {}
    for layer in range(1, DEPTH + 1):
        n_l, n_prev = SHAPES[f"W{layer}"]
        if scheme.startswith("scaled-identity:"):
            if n_l != n_prev:
                raise ValueError(
                    f"scheme {scheme!r} needs square layers, but W{layer} is {n_l} x {n_prev}"
                )
            W = scale * np.eye(n_l)
        elif scheme in STDS:
            W = rng.standard_normal((n_l, n_prev)) * STDS[scheme](n_prev, n_l)
        else:
            known = ", ".join([*STDS, "scaled-identity:c"])
            raise ValueError(f"unknown init scheme {scheme!r}; expected one of {known}")
        params[f"W{layer}"] = <WEIGHT>
        params[f"b{layer}"] = <BIAS>
    return params
"""


def init_draws(weight: str, bias: str) -> str:
    """``init_params``'s draws, layer by layer, in every backend: the weights drawn with NumPy
    (one seed gives the same parameters in each backend), then made the backend's arrays by
    ``weight`` (an expression of ``W``) and ``bias`` (of ``n_l``)."""
    return _INIT_DRAWS.replace("<WEIGHT>", weight).replace("<BIAS>", bias)
