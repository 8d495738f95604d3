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


def _kept(work: Callable[[], sb.Derivation], into: list[sb.Derivation]) -> None:
    into.append(work())


def _network(depth: int) -> sb.Network:
    return sb.Network.parse("-".join(["3"] * depth) + "-1")


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_work_is_linear_in_depth() -> None:
    """Three times the layers, about three times the calls (a quadratic stage gives ~9), for
    derive and each printer; one derivation per depth serves all four (each stage apart
    derived the two networks again: four times the work for the same counts)."""
    warm = sb.derive(_network(2), batch=True)  # imports and first-use caches are not the work
    printers = {"to_text": sb.to_text, "to_latex": sb.to_latex, "to_markdown": sb.to_markdown}
    for render in printers.values():
        render(warm)
    counts: dict[str, list[int]] = {stage: [] for stage in ("derive", *printers)}
    for depth in (8, 24):
        network = _network(depth)
        found: list[sb.Derivation] = []
        derive = functools.partial(sb.derive, network, batch=True)
        counts["derive"].append(_calls(functools.partial(_kept, derive, found)))
        for stage, render in printers.items():
            counts[stage].append(_calls(functools.partial(render, found[0])))
    for stage, (shallow, deep) in counts.items():
        assert deep < 4 * shallow, (stage, shallow, deep)


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


def test_every_printer_and_derive_run_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """review35 #3: a helper inserted between ``@without_cyclic_gc`` and ``def to_text`` took
    the decorator, and to_text lost its pause (33% slower at 400 layers)."""
    from symbackprop.core import textprint

    seen: list[bool] = []
    real = textprint.text

    def recording(expr: object) -> str:
        seen.append(gc.isenabled())
        return real(expr)

    d = sb.derive("4-3-2-1")
    for module in ("symbackprop.render.text", "symbackprop.render.jsondoc"):
        monkeypatch.setattr(f"{module}.text", recording)
    sb.to_text(d)
    sb.to_json(d)
    assert seen and not any(seen), seen
