"""An indicator that counts its boundary (1{z1 >= 0} for relu'(z1)) gets a note: no point
compared lies on the kink, where it and the derivation's relu'(0) = 0 differ."""

from __future__ import annotations

import pytest

import symbackprop as sb


def test_counting_relus_kink_as_1_is_noted_with_the_derivations_value() -> None:
    report = sb.check_formula("4-3:relu-1", "W1", "(W2^T delta2 ⊙ 1{z1 >= 0}) x^T")
    assert report.ok and report.exit_code == 0
    (note,) = [n for n in report.notes if "1{z1 >= 0}" in n]
    assert note.startswith("1{z1 >= 0} is 1 where z1 = 0, which no compared point reaches")
    assert "any value in [0, 1] is a subgradient there" in note
    assert "the derivation takes relu'(0) = 0, as PyTorch and JAX do" in note


def test_the_strict_indicator_gets_no_note() -> None:
    report = sb.check_formula("4-3:relu-1", "W1", "(W2^T delta2 ⊙ 1{z1 > 0}) x^T")
    assert report.ok and not any("subgradient" in n for n in report.notes)


def test_no_note_without_a_kinked_activation_or_for_a_wrong_formula() -> None:
    smooth = sb.check_formula("4-3-1", "W1", "(W2^T delta2 ⊙ a1 ⊙ (1 - a1) ⊙ 1{a1 >= 0}) x^T")
    assert smooth.ok and not any("subgradient" in n for n in smooth.notes)
    wrong = sb.check_formula("4-3:relu-1", "W1", "(W2^T delta2 ⊙ 1{z1 >= 0}) x^T * 2")
    assert not wrong.ok and not any("subgradient" in n for n in wrong.notes)


def test_each_kinked_activation_says_its_own_subgradients() -> None:
    """leaky_relu'(0) = 1/100 in the derivation; jax.nn's takes 1 there: no framework claim."""
    report = sb.check_formula("4-3:leaky_relu-2:relu-1", "W2", "(W3^T delta3 ⊙ 1{z2 >= 0}) a1^T")
    assert report.ok, report
    (note,) = [n for n in report.notes if "subgradient" in n]
    assert "if z2 feeds leaky_relu or relu, that is a kink" in note
    assert (
        "leaky_relu: any value in [0.01, 1] is a subgradient there; the derivation takes "
        "leaky_relu'(0) = 0.01;" in note
    )
    assert "relu: any value in [0, 1]" in note and note.count("PyTorch") == 1


def test_a_models_relu_is_found_too() -> None:
    model = sb.Model.parse("x : n x 1\nw : n x 1\nJ = sum(relu(w ⊙ x))\nsizes: n = 3\ndata: x")
    report = sb.check_formula(model, "w", "x ⊙ 1{w ⊙ x >= 0}")
    assert report.ok, report
    assert any(n.startswith("1{w ⊙ x >= 0} is 1 where w ⊙ x = 0") for n in report.notes)


@pytest.mark.slow  # the frameworks' imports take seconds (12 s of the default suite)
def test_the_records_claim_about_the_frameworks_holds() -> None:
    """``kink_as_frameworks``: torch's and JAX's autograd take the record's derivative at 0."""

    from symbackprop.records import scalars
    from symbackprop.records.activations import ACTIVATIONS

    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    claimed = [rec for rec in ACTIVATIONS.values() if rec.kink_as_frameworks]
    assert [rec.name for rec in claimed] == ["relu"]
    for rec in claimed:
        assert rec.derivative_in_a is not None
        ours = float(rec.derivative_in_a.xreplace({scalars.a: 0}))
        z = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        getattr(torch, rec.name)(z).sum().backward()
        assert z.grad is not None and float(z.grad[0]) == ours
        assert float(jax.grad(getattr(jax.nn, rec.name))(0.0)) == ours


NORM1 = "examples/models/norm1.model"


def test_a_models_abs_kink_gets_the_note_with_the_frameworks_choice() -> None:
    """hostile31 F11: a model's ``1{A x - y >= 0}`` for abs' passed with no word on A x - y = 0,
    where it takes 1 and the derivation sign(0) = 0 (PyTorch 0 too, JAX 1)."""
    report = sb.check_formula(NORM1, "x", "A^T (1{A x - y >= 0} - 1{A x - y < 0})")
    assert report.ok, report
    (note,) = [n for n in report.notes if "no compared point reaches" in n]
    assert "abs'(0) = sign(0) = 0, as PyTorch does (JAX takes 1)" in note
    strict = sb.check_formula(NORM1, "x", "A^T (1{A x - y > 0} - 1{A x - y < 0})")
    assert strict.ok and not any("no compared point" in n for n in strict.notes)


@pytest.mark.slow  # the frameworks' imports take seconds
def test_the_frameworks_choice_at_abs_kink_is_as_said() -> None:
    torch = pytest.importorskip("torch")
    jax = pytest.importorskip("jax")
    t = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    torch.abs(t).sum().backward()
    assert t.grad.tolist() == [0.0, 0.0]
    assert float(jax.grad(jax.numpy.abs)(0.0)) == 1.0


@pytest.mark.parametrize(
    ("formula", "said"),
    [
        ("((W2^T delta2) ⊙ (a1 / z1)) x^T", "a1 / z1 divides by z1"),
        ("((W2^T delta2) ⊙ (a1 ⊙ z1^(-1))) x^T", "z1^-1 divides by z1"),
    ],
)
def test_a_passing_formula_that_divides_by_a_value_says_where_it_has_none(
    formula: str, said: str
) -> None:
    """hostile31 F5: relu(z1)/z1 for relu'(z1) passed with no word on z1 = 0."""
    report = sb.check_formula("4-3:relu-2:relu-1", "W1", formula)
    assert report.ok, report
    (note,) = [n for n in report.notes if "divides by" in n]
    assert note.startswith(said) and "where an entry of z1 is 0 the formula has no value" in note


def test_a_division_by_a_size_gets_no_note() -> None:
    report = sb.check_formula("4-3-2-1", "W3", "(A3 - Y) A2^T / m", batch=True)
    assert report.ok and not any("divides by" in n for n in report.notes)
