"""``sb.check_formula(derivation, ..., batch=...)``: the derivation's form decides, and a
``batch`` that disagrees with it is refused (hostile35c #5: ``batch=False`` beside a batch
derivation was ignored, silently, and the formula checked in the batch form)."""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.errors import SpecError


def test_a_batch_that_disagrees_with_the_derivation_is_refused() -> None:
    batch = sb.derive("4-3-1", batch=True)
    with pytest.raises(SpecError, match=r"^batch=False, but this is a batch derivation"):
        sb.check_formula(batch, "W2", "(A2 - Y) A1^T / m", batch=False)
    single = sb.derive("4-3-1")
    with pytest.raises(SpecError, match=r"^batch=True, but this is a single-example derivation"):
        sb.check_formula(single, "W2", "(a2 - y) a1^T", batch=True)


def test_a_batch_that_agrees_or_is_left_out_checks_in_the_derivations_form() -> None:
    batch = sb.derive("4-3-1", batch=True)
    for given in (None, True):
        assert sb.check_formula(batch, "W2", "(A2 - Y) A1^T / m", batch=given).ok
    single = sb.derive("4-3-1")
    for given in (None, False):
        assert sb.check_formula(single, "W2", "(a2 - y) a1^T", batch=given).ok
    # a network takes either form, the single example by default
    assert sb.check_formula("4-3-1", "W2", "(a2 - y) a1^T").ok
    assert sb.check_formula("4-3-1", "W2", "(A2 - Y) A1^T / m", batch=True).ok


def test_batch_beside_a_model_is_refused_as_derive_refuses_it() -> None:
    """review36 #8: ``check_formula(model, ..., batch=False)`` was accepted where ``derive``
    and ``to_html`` refuse any ``batch=`` for a model."""
    from pathlib import Path

    dot = Path(__file__).resolve().parents[1] / "examples" / "models" / "dot.model"
    model = sb.Model.from_file(dot)
    for source in (model, sb.derive(model)):
        for given in (True, False):
            with pytest.raises(SpecError, match=r"^batch= is for networks"):
                sb.check_formula(source, "v", "x * y", batch=given)
    assert sb.check_formula(model, "v", "x * y").ok
