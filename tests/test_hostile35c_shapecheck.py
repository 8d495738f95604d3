"""What hostile35c found in the hand-formula check (shapecheck, sb.check_formula).

#2: relu' written 1{z1 > 0} (the README's own spelling) beside the derivation's 1{a1 > 0}:
every wrong formula using it was told "the derivation has '1{a1 > 0}' as a factor, which your
formula does not" and "your formula has '1{z1 > 0}', which the derivation does not", both
false (a1 = relu(z1) is > 0 exactly where z1 is), in place of the real difference.
"""

from __future__ import annotations

import pytest

import symbackprop as sb

NET = sb.Network.parse("4-5:relu-3:softmax", loss="ce")


def _notes(formula: str, *, batch: bool = False) -> list[str]:
    report = sb.check_formula(sb.derive(NET, batch=batch), "W1", formula)
    return list(report.notes)


def test_relu_prime_written_on_z_is_the_derivations_factor() -> None:
    assert _notes("((W2^T delta2) * 1{z1 > 0}) (2 x)^T") == [
        "the factors match, but your formula is the gradient times 2"
    ]
    assert _notes("((W2^T delta2) * 1{Z1 > 0}) (2 X)^T", batch=True) == [
        "the factors match, but your formula is the gradient times 2"
    ]
    # y - a2 for a2 - y: the factors match, times -1 (hostile43b #1: said once as factors)
    assert _notes("((W2^T (y - a2)) * 1{z1 > 0}) x^T") == [
        "the factors match, but your formula is the gradient times -1"
    ]
    report = sb.check_formula(sb.derive(NET), "W1", "((W2^T delta2) * 1{z1 > 0}) x^T")
    assert report.equal


def test_zero_times_a_part_with_no_value_somewhere_is_not_passed() -> None:
    """#3: ``... + 0 * (1/a1) x^T`` passed ("✓ exactly at every point compared") beside a note
    that no compared point made a1 zero, where the points with pre-activations at -1/2 did
    (NumPy's 0 * inf is NaN there): SymPy folds 0 * ... to 0 before any point is taken."""
    right = "((W2^T delta2) * 1{z1 > 0}) x^T"
    for term in ("0 * (1/a1) x^T", "0 * log(a1) x^T"):
        report = sb.check_formula(sb.derive(NET), "W1", f"{right} + {term}")
        assert not report.ok and report.equal is None
        assert report.error is not None and "is 0 only where" in report.error.message
    # a written 0 times a part with a value everywhere is only a zero term
    assert sb.check_formula(sb.derive(NET), "W1", f"{right} + 0 * a1 x^T").ok
    # sigmoid's a1 is > 0 everywhere: a division by it has a value at every point
    sigmoid = sb.derive(sb.Network.parse("4-5-3:softmax", loss="ce"))
    assert sb.check_formula(
        sigmoid, "W1", "((W2^T delta2) * a1 * (1 - a1)) x^T + 0 * (1/a1) x^T"
    ).ok


@pytest.mark.parametrize(
    ("formula", "hint"),
    [
        ("delta^[3] a^[2]^T", "delta3 for delta^[3], W2 for W^[2]"),
        ("\u03b43 a2^T", "write delta for \u03b4 (delta3 for \u03b43)"),
        ("\u03c3(z3) a2^T", "write sigmoid for \u03c3"),
        ("sigmod(z3) a2^T", "unknown name 'sigmod' (did you mean 'sigmoid'?)"),
        # review36 #10
        ("delta^{[3]} a2^T", "delta3 for delta^[3]"),
        ("sigmoid_prime(z3) a2^T", "(write sigmoid'(...) for its derivative)"),
        ("dW3", "(dW3 is the gradient itself: write it from the values here)"),
    ],
)
def test_the_lectures_spellings_are_told_how_to_write_them(formula: str, hint: str) -> None:
    """hostile35c #5: the lecture's delta^[3], a Greek delta or sigma, and a misspelt sigmoid
    were refused with no word on what to write instead."""
    report = sb.check_formula("4-3-2-1", "W3", formula)
    assert not report.ok and report.error is not None
    assert hint in str(report.error)


def test_print_of_a_report_is_its_verdict_not_its_fields() -> None:
    """hostile35c #5: ``print(report)`` printed the dataclass's fields."""
    right = str(sb.check_formula("4-3-2-1", "W3", "delta3 a2^T"))
    assert right.startswith(
        "dJ/dW3 = delta3 a2^T: equals the gradient exactly at every point compared (3 random"
    )
    assert "FormulaReport(" not in right and "  the gradient: (a3 - y) a2^T" in right
    swapped = str(sb.check_formula("4-3-2-1", "W3", "a2 delta3^T"))
    assert swapped.startswith("dJ/dW3 = a2 delta3^T: shapes do not fit\n")
    assert "  repair: delta3 a2^T" in swapped
    doubled = str(sb.check_formula("4-3-2-1", "W3", "2 delta3 a2^T"))
    assert doubled.startswith("dJ/dW3 = 2 delta3 a2^T: not the gradient\n")
    assert "  note: the factors match, but your formula is the gradient times 2" in doubled
    unread = str(sb.check_formula("4-3-2-1", "W3", "delta3 +"))
    assert unread.startswith("dJ/dW3 = delta3 +: refused, not checked\n")
    # review36 #7: a numeric check says it proved nothing, as the command line does
    numeric = str(sb.check_formula("4-3:softplus-1", "W1", "((W2^T delta2) * sigmoid(z1)) x^T"))
    assert "equals the gradient to 35 digits at random points (not proved)" in numeric
