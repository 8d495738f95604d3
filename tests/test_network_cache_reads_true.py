"""hostile43b #4, lecturer43 #8: every network step said it reused y (Y) "from the forward
cache", and the LaTeX document that the backward pass read y from it; the module's forward
never sees Y, which backward is given (``backward(params, cache, Y)``)."""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb


@pytest.mark.parametrize(
    "network",
    [
        sb.Network.parse("4-3-2-1"),
        sb.Network.parse("3-4:relu-3:softmax", loss="ce"),
        sb.Network.parse("3-2:tanh-2", loss="mse", l2=0.1),
    ],
)
def test_what_a_step_reuses_from_the_cache_is_in_the_modules_cache(network: sb.Network) -> None:
    derivation = sb.derive(network, batch=True)
    module = sb.compile(derivation)
    params = module.init_params(0)
    _, cache = module.forward(params, np.ones((network.widths[0], 3)))
    cached = {name for step in derivation.steps for name in step.cached}
    assert cached and cached <= set(cache), (cached, set(cache))
    targets = {name for step in derivation.steps for name in step.targets_read}
    assert targets == {"Y"} and "Y" not in cache
    text = sb.to_text(derivation)
    assert "reuses from the forward cache: A" in text and "reads the target Y" in text
    assert not any("forward cache" in line and "Y" in line for line in text.splitlines())
    latex = sb.to_latex(sb.derive(network))
    assert "from the forward cache, and the target $y$." in latex
    assert "$y$ from the forward cache" not in latex
