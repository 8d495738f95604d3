"""A random point with a difference on a switch (review16 T1) and a repeated factor in the
spelling fold (hostile16 #5).

A point where some base lies exactly on a switch value is drawn again (a difference there
may be on a set of measure zero: review15 N11), but it reaches no region, and where every
redraw lies on a switch too its difference is the verdict: a factor that is 1 everywhere
with round switches on abs(W1) (random leaves are small fractions, often on them) hid the
wrong 1{z1 > 0.5} and passed "exactly"."""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.spec import Network

ONE = " ⊙ ".join(
    f"(1{{abs(W1) > {c}}} + 1{{abs(W1) <= {c}}})"
    for c in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0.5", "1.5", "2.5", "3.5", "4.5")
)


@pytest.mark.slow
@pytest.mark.parametrize(("threshold", "code"), [("0.5", 1), ("0", 0)])
def test_a_factor_with_round_switches_hides_no_difference(threshold: str, code: int) -> None:
    formula = f"((W2^T delta2) ⊙ 1{{z1 > {threshold}}}) x^T ⊙ {ONE}"
    report = sb.check_formula(Network.parse("4-3:relu-1"), "W1", formula)
    assert report.exit_code == code, str(report)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_repeated_affine_factor_is_folded_without_recursion() -> None:
    formula = "((W2^T delta2) ⊙ a1 ⊙ (1 - a1) ⊙ (W1 x + 2 b1) ⊙ (W1 x + 2 b1)) x^T"
    report = sb.check_formula(Network.parse("4-3-2-1"), "W1", formula)
    assert report.exit_code == 1, str(report)  # wrong, and said so (it was exit 3)
