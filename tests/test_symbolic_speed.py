"""Symbolic work grows linearly with the depth (counted in function calls, not seconds)."""

from __future__ import annotations

import cProfile
import functools
import gc
import io
import pstats
from collections.abc import Callable

import pytest

import symbackprop as sb
from symbackprop.core.collector import without_cyclic_gc


def _calls(work: Callable[[], object]) -> int:
    profile = cProfile.Profile()
    profile.enable()
    work()
    profile.disable()
    return pstats.Stats(profile, stream=io.StringIO()).total_calls  # type: ignore[attr-defined,no-any-return]


def _network(depth: int) -> sb.Network:
    return sb.Network.parse("-".join(["3"] * depth) + "-1")


@pytest.mark.parametrize("stage", ["derive", "to_text", "to_latex", "to_markdown"])
def test_work_is_linear_in_depth(stage: str) -> None:
    """Three times the layers, about three times the calls (a quadratic stage gives ~9)."""
    warm = sb.derive(_network(2), batch=True)  # imports and first-use caches are not the work
    for render in (sb.to_text, sb.to_latex, sb.to_markdown):
        render(warm)
    counts = []
    for depth in (8, 24):
        network = _network(depth)
        if stage == "derive":
            counts.append(_calls(functools.partial(sb.derive, network, batch=True)))
        else:
            d = sb.derive(network, batch=True)
            counts.append(_calls(functools.partial(getattr(sb, stage), d)))
    assert counts[1] < 4 * counts[0], counts


def test_collector_paused_only_during_the_call() -> None:
    seen = []

    @without_cyclic_gc
    def work(fail: bool) -> None:
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("boom")

    assert gc.isenabled()
    work(False)
    with pytest.raises(ValueError, match="boom"):
        work(True)
    assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:
        work(False)  # a caller's own pause is left alone
        assert not gc.isenabled()
    finally:
        gc.enable()
