"""benchmarks/torch_w2_parts.py: its bare calls are the generated torch module's gradient."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import symbackprop as sb

# torch is imported inside the tests: at collection every xdist worker would import it
# (4 s of CPU each), not only the one that runs these tests
pytestmark = pytest.mark.usefixtures("needs_torch")

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "torch_w2_parts.py"


def load_parts():
    spec = importlib.util.spec_from_file_location("torch_w2_parts", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_full_and_fold_are_the_generated_modules_gradient() -> None:
    """``full`` (the module's calls, bare) and ``fold`` (db folded into dW) give the gradients
    of the generated module with a workspace, float64, on the same data."""
    import torch

    parts = load_parts()
    full = parts.variant("full", torch.float64)
    # the harness's data: the same seed and draws as variant() makes
    gen = torch.Generator().manual_seed(0)
    n0, n1, n2, n3 = parts.SIZES
    m = parts.M

    def draw(*shape, scale=1.0):
        return torch.randn(*shape, generator=gen, dtype=torch.float64) * scale

    params = {"W1": draw(n1, n0, scale=n0**-0.5), "W2": draw(n2, n1, scale=n1**-0.5)}
    params["W3"] = draw(n3, n2)
    params |= {"b1": draw(n1, 1), "b2": draw(n2, 1), "b3": draw(n3, 1)}
    X = draw(n0, m)
    Y = torch.zeros(n3, m, dtype=torch.float64)
    Y[torch.randint(0, n3, (m,), generator=gen), torch.arange(m)] = 1.0
    net = sb.Network.parse(f"{n0}-{n1}:relu-{n2}:relu-{n3}:softmax", loss="ce")
    module = sb.compile(net, backend="torch")
    work: dict = {}
    _, cache = module.forward(params, X, work)
    want = module.backward(params, cache, Y, work)
    for name, got in (("full", full()), ("fold", parts.variant("fold", torch.float64)())):
        for key, value in want.items():
            assert torch.allclose(got[key], value, rtol=1e-12, atol=1e-15), (name, key)


def test_repeated_parts_keep_the_gradient_and_left_out_ones_change_it() -> None:
    """A part run twice (relu', the head: each idempotent) gives ``full``'s gradients; a part
    left out does not (the variants that time it are wrong on purpose)."""
    import torch

    parts = load_parts()
    want = parts.variant("full", torch.float64)()
    for name in ("twice-tb", "twice-head"):
        got = parts.variant(name, torch.float64)()
        assert all(torch.equal(got[key], want[key]) for key in want), name
    got = parts.variant("no-tb", torch.float64)()
    assert not torch.allclose(got["W1"], want["W1"])
    with pytest.raises(SystemExit, match="unknown variant"):
        parts.variant("twice-bias", torch.float64)
