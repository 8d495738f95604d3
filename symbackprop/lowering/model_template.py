"""The fixed text every backend's model module shares: the init schemes (``STDS``) and
``init_params``, which draws with NumPy's ``default_rng`` on every backend (a seed gives the
same parameters in the NumPy, torch and JAX modules) and differs only in how it hands the
drawn NumPy arrays back (:func:`init_params`).
"""

from __future__ import annotations

STDS = """
# init scheme -> standard deviation of a parameter with fan_in columns and fan_out rows
STDS = {
    "xavier": lambda fan_in, fan_out: np.sqrt(1.0 / fan_in),
    "he": lambda fan_in, fan_out: np.sqrt(2.0 / fan_in),
    "glorot": lambda fan_in, fan_out: np.sqrt(2.0 / (fan_in + fan_out)),
    "normal": lambda fan_in, fan_out: 1.0,
}
"""

_INIT_HEAD = '''
def init_params(seed=0, scheme="xavier", {signature}):
    """Every parameter, in SHAPES order: those only ever added (ADDED) start at zero; every
    other is ``rng.standard_normal(shape) * std``, with fan-in its column count.

    ``scheme``: "xavier" std sqrt(1/fan_in), "he" sqrt(2/fan_in), "glorot"
    sqrt(2/(fan_in + fan_out)), "normal" std 1, or "scaled-identity:c" (c times the identity,
'''
_INIT_BODY = """    rng = np.random.default_rng(seed)
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
"""


def init_params(signature: str, returns: str, store: str, prelude: str = "") -> str:
    """A model module's ``init_params`` text.

    ``signature``: its keyword parameters after ``seed`` and ``scheme``; ``returns``: the end of
    its docstring, from ``square parameters only).`` on (what the arrays are handed back as),
    indented lines each ending in a newline; ``prelude``: lines run before drawing (may be
    empty); ``store``: the expression that turns the drawn NumPy array ``value`` into the
    backend's parameter.
    """
    head = _INIT_HEAD.replace("{signature}", signature)
    return (
        f'{head}{returns}    """\n{prelude}{_INIT_BODY}'
        f"        params[name] = {store}\n    return params\n"
    )


__all__ = ["STDS", "init_params"]
