"""A model's sqrt of a square is abs: its edge is a kink the formula checker must search.

review38: ``J = sum(sqrt((w - 20) ⊙ (w - 20)))`` has the gradient sign(w - 20). The model names
the two factors apart (_t1 = _t2 = w - 20), so the product was no square to the kink search,
and sqrt has no kink of its own: every point had w < 20, and ``-w^0`` passed "to 35 digits".
A root's edge is now a switch, and names defined as one value are one base. A difference the
exact comparison saw with a table for sqrt (which forgets sqrt(u)^2 = u) is shown with the
true functions' values: it said "the gradient is -590/111", which no gradient here is.
"""

from __future__ import annotations

import sympy as sp

import symbackprop as sb
from symbackprop.check.switches import one_name_each

MODEL = "w : n x 1\nJ = sum(sqrt((w - 20) ⊙ (w - 20)))\n"


def test_a_formula_right_only_below_the_edge_is_caught_beyond_it() -> None:
    model = sb.Model.parse(MODEL)
    report = sb.check_formula(model, "w", "-w^0")
    assert report.exit_code == 1, str(report)
    shown = str(report.counterexample)
    assert "your formula gives -1, the gradient is 1.0" in shown and "numerically" in shown


def test_the_right_formula_passes_both_ways_of_writing_it() -> None:
    model = sb.Model.parse(MODEL)
    for formula in ("(w - 20) ⊙ abs(w - 20)^(-1)", "abs(w - 20) ⊙ (w - 20)^(-1)"):
        report = sb.check_formula(model, "w", formula)
        assert report.ok, str(report)


def test_a_counterexample_gives_the_true_gradient_not_a_table_value() -> None:
    report = sb.check_formula(sb.Model.parse(MODEL), "w", "w^0")
    assert report.exit_code == 1
    shown = str(report.counterexample)
    assert "the gradient is -1.0" in shown and "random rational function values" not in shown


def test_names_defined_as_one_value_become_one_name() -> None:
    w = sp.MatrixSymbol("w", 3, 1)
    t1, t2, t3 = (sp.MatrixSymbol(f"_t{k}", 3, 1) for k in (1, 2, 3))
    shift = w - 20 * sp.OneMatrix(3, 1)
    definitions = {"_t1": shift, "_t2": shift, "_t3": sp.HadamardProduct(t1, t2)}
    (expr,), merged = one_name_each((sp.HadamardProduct(t2, t3),), definitions)
    assert merged["_t3"] == sp.HadamardProduct(t1, t1)
    assert expr == sp.HadamardProduct(t1, t3)
    # nothing to merge: the same objects back
    alone = {"_t1": shift}
    assert one_name_each((t1,), alone) == ((t1,), alone)
