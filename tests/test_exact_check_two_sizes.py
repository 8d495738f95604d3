"""The exact check compares at two size settings (hostile36d #1).

It compared at one setting only (widths capped at 3, m = 2): a derivation whose 1/m was
written 1/2, or with a factor n0 - 2, passed there, as did a model's gradient times (m - 1).
Every other trial is now at a second setting, each size one larger.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

import symbackprop as sb

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


def _symbol(expr: sp.Basic, name: str) -> sp.Symbol:
    return next(s for s in expr.free_symbols if getattr(s, "name", "") == name)


def test_a_network_gradient_right_at_one_size_only_fails() -> None:
    d = sb.derive("4-3-2-1", batch=True)
    right = sb.check_exact(d)
    assert right.ok and right.other_sizes == {"n0": 4, "n1": 4, "n2": 3, "n3": 2, "m": 3}
    d.deltas[3] = d.deltas[3].subs(_symbol(d.deltas[3], "m"), 2)  # 1/m written as 1/2
    assert not sb.check_exact(d).ok
    single = sb.derive("4-3-2-1")
    n0 = single.graph.dims[0]
    single.gradients["W1"] = (n0 - 2) * single.gradients["W1"]  # right at n0 = 3 only
    assert not sb.check_exact(single).ok


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_model_gradient_right_at_one_size_only_fails() -> None:
    d = sb.derive(sb.Model.from_file(MODELS / "logistic_l2.model"))
    right = sb.check_exact(d)
    assert right.ok and right.other_sizes == {"n": 3, "m": 3}
    assert d.model is not None
    m = next(dim for shape in d.model.shapes.values() for dim in shape if str(dim) == "m")
    d.gradients["w"] = (m - 1) * d.gradients["w"]  # right at m = 2 only
    wrong = sb.check_exact(d)
    assert not wrong.ok and all(mismatch.trial % 2 == 1 for mismatch in wrong.mismatches)
    assert all(not mismatch.note for mismatch in wrong.mismatches)  # values, not errors


def test_every_size_given_keeps_one_setting() -> None:
    d = sb.derive("4-3-2-1")
    given = sb.check_exact(d, sizes={"n0": 3, "n1": 3, "n2": 2, "n3": 1})
    assert given.ok and given.other_sizes == {}
    assert "and" not in given.settings
