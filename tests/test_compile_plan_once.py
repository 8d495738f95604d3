"""``sb.compile`` of a model builds its lowering plan once (hostile14 #9: ``check`` of a
95-deep nested model took 18.8 s of CPU against the README's "about 6 s").

compile built the plan twice, once for the kinked values it hands the gradient check and again
inside codegen: building it settles and proves every backward step, a quarter of that
``check`` (cProfile). The text is now written from the one plan, and is codegen's text.
"""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.lowering import emit, executor


def test_compile_builds_a_models_plan_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = executor.build_model_plan

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(executor, "build_model_plan", counted)
    monkeypatch.setattr(emit, "build_model_plan", counted)
    model = sb.Model.parse("x : n x 1\nW : n x n\nsizes: n = 3\nJ = sum(tanh(tanh(W x)))")
    module = sb.compile(model)
    assert len(calls) == 1
    monkeypatch.undo()
    assert module.source == sb.codegen(model)
