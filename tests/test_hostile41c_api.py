"""hostile41c: the Python API's hang and silent acceptance.

A custom activation of five nested abs took SymPy's solve 74 s to find its kinks in
``sb.gradcheck`` (six: over 4 minutes): abs nests four deep at most at ``define``.
``sb.compile(model, sizes={"n_1": 16})`` kept the model's own sizes where ``sb.codegen``
refuses the typo.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.errors import SpecError

ROOT = Path(__file__).resolve().parents[1]


def test_an_activation_of_five_nested_piecewise_parts_is_refused_at_once() -> None:
    nested = "abs(abs(abs(abs(abs(z-1)-1)-1)-1)-1)"
    with pytest.raises(SpecError, match="nests 5 abs inside one another; at most 4"):
        sb.Network.parse("3-2:sw-1", define={"sw": nested})
    four = "abs(abs(abs(abs(z-1)-1)-1)-1)"
    module = sb.compile(sb.Network.parse("3-2:sw-1", define={"sw": four}))
    assert module.kink_formulas  # its kinks (-2 ... 4) found, in well under a second


def test_compile_refuses_a_size_the_model_does_not_have() -> None:
    model = sb.Model.from_file(ROOT / "examples" / "models" / "rnn_3.model")
    with pytest.raises(SpecError, match="no dimension 'n_1' in this model"):
        sb.compile(model, sizes={"n_1": 16})
    assert sb.compile(model, sizes={"n1": 5}).SHAPES["W"] == (5, 5)


def test_gradcheck_takes_numpy_numbers_and_names_a_progress_that_is_no_callable() -> None:
    """hostile41c #6: eps=np.float32(1e-6) was "must be a number in [1e-10, 0.01]", seed and
    directions of np.int64 "must be an int"; progress=5 failed after the first parameter."""
    import numpy as np

    module = sb.compile("3-2-1")
    params = module.init_params(0)
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 4)), (rng.random((1, 4)) > 0.5) * 1.0
    result = sb.gradcheck(
        module,
        params,
        X,
        Y,
        eps=np.float32(1e-6),
        seed=np.int64(3),
        directions=np.int64(4),
        mode="directional",
    )
    assert result.ok
    with pytest.raises(ValueError, match="progress must be a callable"):
        sb.gradcheck(module, params, X, Y, progress=5)  # type: ignore[arg-type]
