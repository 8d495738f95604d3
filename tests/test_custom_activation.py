"""A custom activation end to end: defined inline, derived, checked exactly and numerically."""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.errors import SpecError


@pytest.mark.parametrize("formula", ["z*sigmoid(z)", "z/(1+abs(z))", "log(1+exp(z))"])
def test_inline_custom_activation_derives_checks_and_passes_finite_differences(
    formula: str,
) -> None:
    net = sb.Network.parse("4-3-2-1", activation=f"act={formula}", output="sigmoid")
    assert net.activations == ("act", "act", "sigmoid")
    d = sb.derive(net, batch=True)
    assert sb.check_exact(d, trials=1).ok
    module = sb.compile(net)
    params = module.init_params(seed=1)
    rng = np.random.default_rng(2)
    X = rng.standard_normal((4, 6))
    Y = (rng.random((1, 6)) > 0.5).astype(float)
    result = sb.gradcheck(module, params, X, Y)
    assert result.ok, result.rows
    assert max(row.relative_error for row in result.rows) < 1e-6


@pytest.mark.parametrize(
    "bad",
    [
        "act=w*z",  # not a function of z alone
        "act=z @ z",  # not element-wise
        "act=z.T",
        "act=__import__('os').system('true')",
        "act=1",  # constant
        "=z",
    ],
)
def test_non_elementwise_or_hostile_definitions_are_refused(bad: str) -> None:
    with pytest.raises(SpecError):
        sb.Network.parse("4-3-1", activation=bad, output="sigmoid")


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_nested_piecewise_activation_is_bounded() -> None:
    """Issue 9, 3 (nothing hangs): SymPy's Piecewise folding doubles with each nesting, so a
    formula with more than MAX_PIECEWISE relu/abs/1{...} parts is refused, not derived for
    minutes; five nestings (ten parts) still derive."""
    from symbackprop.formula.scalar import MAX_PIECEWISE

    formula = "z"
    for _ in range(MAX_PIECEWISE // 2):
        formula = f"relu({formula} - 1{{z>0}})"
    net = sb.Network.parse("2-2:f-1", define={"f": formula}, output="sigmoid")
    assert sb.derive(net).gradients
    deeper = f"relu({formula} - 1{{z>0}})"
    with pytest.raises(SpecError, match="piecewise parts"):
        sb.Network.parse("2-2:f-1", define={"f": deeper}, output="sigmoid")
