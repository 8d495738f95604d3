"""Session 44's torch cases: a workspace dict first filled under torch.inference_mode() made
every later call outside it raise torch's "Inplace update to inference tensor outside
InferenceMode" (hostile44a #3); the module keeps a second set of tensors for that mode."""

from __future__ import annotations

from framework_support import import_framework

import symbackprop as sb


def _setup() -> tuple[object, object, dict[str, object], object, object]:
    torch = import_framework("torch")
    module = sb.compile("4-3-2-1", backend="torch")
    params = module.init_params(seed=0)
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(4, 5, dtype=torch.float64, generator=generator)
    Y = (torch.rand(1, 5, generator=generator) > 0.5).double()
    return torch, module, params, X, Y


def test_a_workspace_filled_under_inference_mode_serves_calls_outside_it() -> None:
    torch, module, params, X, Y = _setup()
    cost, grads = module.loss_and_grads(params, X, Y)  # no workspace: the reference
    work: dict[str, object] = {}
    for inference in (True, False, True, False):
        if inference:
            with torch.inference_mode():
                got = module.loss_and_grads(params, X, Y, work=work)
        else:
            got = module.loss_and_grads(params, X, Y, work=work)
        assert got[0] == cost
        for name, value in grads.items():
            assert torch.equal(got[1][name], value), (inference, name)
    # forward under inference mode, backward outside it, into the same dict
    with torch.inference_mode():
        _, cache = module.forward(params, X, work=work)
    for name, value in module.backward(params, cache, Y, work=work).items():
        assert torch.equal(value, grads[name]), name


def test_a_cache_overwritten_in_one_set_is_refused_after_a_forward_in_the_other() -> None:
    """review44 #4: both workspace sets kept their latest cache under one key, so after a
    forward under inference mode a stale cache of the other set passed backward's check and
    gave a gradient off by 5e-4."""
    import pytest

    torch, module, params, X, Y = _setup()
    X2 = X + 1.0
    work: dict[str, object] = {}
    _, stale = module.forward(params, X, work=work)
    module.forward(params, X2, work=work)  # writes over stale's tensors
    with torch.inference_mode():
        module.forward(params, X2, work=work)
    with pytest.raises(ValueError, match="not the latest forward's"):
        module.backward(params, stale, Y, work=work)
