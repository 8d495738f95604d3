"""Review of round 11, F1: when a later trial of a model's exact check found no point inside
every function's domain, the check said "undecided" (the CLI: "exact check: not run") and the
entries, and any mismatch, of the earlier trials were dropped: a wrong gradient could pass.
What earlier trials compared stands; "undecided" means nothing was compared at all."""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.check import model_exact
from symbackprop.model import Model

NARROW = "W : 3 x 2\nJ = sum(sqrt(W - 0.5))\ndata:\n"  # seed 3: trial 1 draws no point


def _second_point_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second trial draws no point (the seed 3 case before the positive draws of
    session 43 found one there)."""
    point = model_exact.ModelCheck.point
    calls = []

    def once(self: model_exact.ModelCheck, *args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise model_exact.OutsideDomain("no point found (simulated)")
        return point(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(model_exact.ModelCheck, "point", once)


def test_a_later_trial_without_a_point_keeps_what_the_first_compared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _second_point_outside(monkeypatch)
    result = sb.check_exact(sb.derive(Model.parse(NARROW)), seed=3)
    assert not result.undecided, result
    assert result.entries == 6 and result.ok and result.trials == 1


def test_a_mismatch_of_an_earlier_trial_fails_when_a_later_trial_finds_no_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    derivation = sb.derive(Model.parse(NARROW))
    (name,) = derivation.gradients
    derivation.gradients[name] = 2 * derivation.gradients[name]  # a wrong gradient
    _second_point_outside(monkeypatch)
    result = sb.check_exact(derivation, seed=3)
    assert result.mismatches and not result.ok and not result.undecided, result


def test_no_point_at_the_first_trial_is_undecided(monkeypatch: pytest.MonkeyPatch) -> None:
    def nowhere(self: object) -> None:
        raise model_exact.OutsideDomain("no point found (simulated)")

    monkeypatch.setattr(model_exact.ModelCheck, "point", nowhere)
    result = sb.check_exact(sb.derive(Model.parse(NARROW)), seed=3)
    assert result.undecided and result.entries == 0 and not result.mismatches
