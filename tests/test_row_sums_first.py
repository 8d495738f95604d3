"""The NumPy module writes each bias gradient (db = dZ 1_m) right after its delta, ahead of
dW = dZ A^T, while dZ is still in the CPU cache (speed15): the same numbers as the plan's order,
bit for bit, with and without a workspace."""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.lowering.executor import load_source
from symbackprop.lowering.numpy.emitter import _NumPyModule


def _backward_lines(source: str) -> list[str]:
    body = source[source.index("def backward(") : source.index("def loss_and_grads(")]
    return [text.strip() for text in body.splitlines() if not text.strip().startswith("#")]


def test_each_row_sum_follows_its_delta() -> None:
    net = sb.Network.parse("5-4:relu-3:tanh-2:softmax", loss="ce", l2=0.1)
    lines = _backward_lines(sb.codegen(net))

    def at(prefix: str) -> int:
        return next(i for i, text in enumerate(lines) if text.startswith(prefix))

    for layer in (1, 2, 3):
        db, dW = at(f"db{layer} = dZ{layer}.dot(ones_m)"), at(f"dW{layer} = ")
        assert db < dW
        # right after dZ's own lines: no other gradient in between
        assert not any(
            text.startswith(("dW", "db")) for text in lines[at(f"dZ{layer} = ") + 1 : db]
        )
    assert "ahead of dW2 [step" in sb.codegen(net)
    # torch and JAX keep the plan's order
    torch_lines = _backward_lines(sb.codegen(net, backend="torch"))
    first = next(i for i, t in enumerate(torch_lines) if t.startswith(("dW3", "db3")))
    assert torch_lines[first].startswith("dW3")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m", [1, 7])
def test_row_sums_first_give_the_plans_numbers_bit_for_bit(
    monkeypatch: pytest.MonkeyPatch, dtype: type, m: int
) -> None:
    net = sb.Network.parse("6-5:relu-4:sigmoid-3:softmax", loss="ce", l2=0.05)
    moved = load_source(sb.codegen(net), "moved")
    monkeypatch.setattr(_NumPyModule, "backward_order", lambda self, statements: statements)
    plain_source = sb.codegen(net)
    assert "ahead of" not in plain_source
    plain = load_source(plain_source, "plain")
    rng = np.random.default_rng(3)
    params = moved.init_params(seed=1, dtype=dtype)
    for name in params:
        params[name] += rng.standard_normal(params[name].shape).astype(dtype)
    X = rng.standard_normal((6, m)).astype(dtype)
    Y = np.eye(3, dtype=dtype)[:, rng.integers(0, 3, m)]
    for work in (None, {}):
        for _ in range(2):  # the second call reuses the workspace's arrays
            cost, grads = moved.loss_and_grads(params, X, Y, work)
            cost_plain, grads_plain = plain.loss_and_grads(params, X, Y, None)
            assert cost == cost_plain
            for name, value in grads_plain.items():
                assert grads[name].dtype == value.dtype
                assert np.array_equal(grads[name], value), name
