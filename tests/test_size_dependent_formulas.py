"""Formulas whose dependence on the sizes agrees with the gradient's at two sizes (hostile22).

The formula checker compared at the first sizes (m = 2, widths up to 3) and at one setting
with every dimension changed (m = 3): a factor of degree 2 in a size, right at both, passed
"exactly" (``(5 - m)/6`` for ``1/m``, wrong by 600x at m = 64), and so did Cayley-Hamilton
written for 3 x 3 matrices, which holds for every n <= 3 (off by 0.57 at n = 4). A third
setting with every free dimension at 4 catches them; right formulas still pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop import Model

ROOT = Path(__file__).resolve().parents[1]
TRUE_W2 = "((W3^T (A3 - Y)/m) ⊙ A2 ⊙ (1 - A2)) A1^T"
QUADRATIC = "x : n x 1\nA : n x n\nJ = 0.5 x^T A x\ndata:\n"
#: A^3 x - tr(A) A^2 x + e2 A x - det(A) x: zero for every n <= 3 (Newton's identities)
CAYLEY_HAMILTON_3 = (
    "A A A x - tr(A) * A A x + ((tr(A)^2 - tr(A A))/2) * A x"
    " - ((tr(A)^3 - 3 * tr(A) * tr(A A) + 2 * tr(A A A))/6) * x"
)


@pytest.mark.parametrize(
    ("wrt", "formula"),
    [
        ("W3", "(A3 - Y) A2^T / (m^2 - 4 m + 6)"),
        ("W3", "((5 - m)/6) (A3 - Y) A2^T"),
        ("W2", f"(1 + (m - 3)*(m - 2)) {TRUE_W2}"),
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_batch_factor_right_at_m_2_and_3_only_is_wrong(wrt: str, formula: str) -> None:
    report = sb.check_formula("4-3-2-1", wrt, formula, batch=True)
    assert report.exit_code == 1 and report.equal is False, report


def test_a_width_factor_right_at_two_widths_only_is_not_the_gradient() -> None:
    count = "sum(0 x + 1)"  # n0, the number of inputs
    formula = f"(1 + ({count} - 3)*({count} - 2)) ((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T"
    assert sb.check_formula("5-3-2-1", "W2", formula).exit_code == 1


def test_a_model_factor_right_at_two_batch_sizes_only_is_not_the_gradient() -> None:
    model = Model.from_file(ROOT / "examples" / "models" / "logistic_sum.model")
    formula = "(1 + (m - 2)*(m - 3)) X^T (sigmoid(-y ⊙ (X w)) ⊙ (-y))"
    assert sb.check_formula(model, "w", formula).exit_code == 1
    assert sb.check_formula(model, "w", "X^T (sigmoid(-y ⊙ (X w)) ⊙ (-y))").ok


def test_an_identity_of_3_x_3_matrices_is_not_one_of_every_size() -> None:
    model = Model.parse(QUADRATIC)
    assert sb.check_formula(model, "x", "0.5 (A + A^T) x").ok
    report = sb.check_formula(model, "x", f"0.5 (A + A^T) x + {CAYLEY_HAMILTON_3}")
    assert report.exit_code == 1 and report.equal is False, report


def test_right_formulas_pass_and_say_where_they_were_compared() -> None:
    report = sb.check_formula("4-3-2-1", "W2", TRUE_W2, batch=True)
    assert report.ok and report.points is not None
    # the second, third and fourth settings, every width 1, and 4-3-2-1's own widths (n0 = 4)
    assert "3 random points, 5 at other sizes" in report.points


#: no sizes: line, so p and k (and m) change; they were equal in every setting compared
RECTANGULAR = "W : p x k\nx : k x 1\ny : p x 1\nJ = y^T W x\ndata: x, y\n"
BATCH = "X : n x m\nY : 1 x m\nW : 1 x n\nJ = sum(Y * (W X)) / m\ndata: X, Y\n"


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize(
    ("text", "formula", "right"),
    [
        (RECTANGULAR, "(1 + det(W W^T) - det(W^T W)) y x^T", "y x^T"),
        (BATCH, "(1/m)(1 + det(X X^T) - det(X^T X)) Y X^T", "(1/m) Y X^T"),
        (RECTANGULAR, "(1 + sum(x^0) - sum(y^0)) y x^T", "y x^T"),  # 1 + k - p
    ],
)
def test_a_formula_right_only_where_two_dimensions_are_equal_is_wrong(
    text: str, formula: str, right: str
) -> None:
    """det(W W^T) - det(W^T W) is 0 for a square W only: every setting gave the undeclared
    dimensions (p and k, or n and m) one size, 2, 3, then 4, and the formula passed exactly
    (hostile31 F1). The third setting gives them distinct sizes now."""
    model = Model.parse(text)
    report = sb.check_formula(model, "W", formula)
    assert report.exit_code == 1 and report.equal is False, report
    assert sb.check_formula(model, "W", right).ok


def test_the_third_setting_of_a_model_gives_each_free_dimension_its_own_size() -> None:
    from symbackprop.apps.shapecheck.model import size_settings

    derivation = sb.derive(Model.parse(RECTANGULAR))
    sizes = [{str(d): n for d, n in setting.items()} for setting, _ in size_settings(derivation)]
    assert sizes == [
        {"p": 2, "k": 2},
        {"p": 3, "k": 3},
        {"p": 4, "k": 5},
        {"p": 7, "k": 6},
        {"p": 1, "k": 1},
    ]


@pytest.mark.parametrize(
    "formula",
    [
        # 0 correction where W is wide (p < k: W^T W is singular), not where it is tall
        "(1 + det(W^T W) (det(W^T W) - det(W W^T))) y x^T",
        # and the reverse: the third setting (p = 4, k = 5) caught this one already
        "(1 + det(W W^T) (det(W W^T) - det(W^T W))) y x^T",
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_formula_right_only_where_one_dimension_is_at_least_another_is_wrong(
    formula: str,
) -> None:
    """hostile31 F1b: the third setting put p before k (4 < 5) only, so a formula right for
    every p <= k passed; the fourth mirrors it (p = 7, k = 6)."""
    report = sb.check_formula(Model.parse(RECTANGULAR), "W", formula)
    assert report.exit_code == 1 and report.equal is False, report


#: declared sizes above what a formula is compared at (5), in this order: r < c
WIDE = (
    "A : r x c\nw : c x 1\nb : r x 1\nsizes: r = 5, c = 6\n"
    "J = (1/2) norm2(A w - b)^2\ndata: A, b\n"
)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_declared_sizes_too_large_to_compare_at_keep_their_order() -> None:
    """hostile31 F6: r = 5 was kept and c = 6 became 2, 3, 4, so the model was compared with c
    < r only, and a formula wrong wherever A A^T is invertible (r <= c, as declared) passed.
    Every declared size is ranked now (r = 2, c = 3), and grows keeping that order."""
    from symbackprop.apps.shapecheck.model import size_settings

    model = Model.parse(WIDE)
    derivation = sb.derive(model)
    sizes = [{str(d): n for d, n in setting.items()} for setting, _ in size_settings(derivation)]
    assert all(setting["r"] < setting["c"] for setting in sizes), sizes
    assert len({(s["r"], s["c"]) for s in sizes}) >= 3  # each takes three sizes
    report = sb.check_formula(model, "w", "(1 + det(A A^T)) A^T (A w - b)")
    assert report.exit_code == 1 and report.equal is False, report
    assert sb.check_formula(model, "w", "A^T (A w - b)").ok


def test_a_networks_third_setting_gives_each_width_its_own_size() -> None:
    """4-3-2-1 is compared first at n0 = n1 = 3 (its small widths), then at 2, 2, 3, 3: the
    third setting gives each width its own size, in layer order (4 to 7, then again), the
    fourth mirrors it (7 to 4), so two widths of different sizes come in both orders; the
    last is its own widths."""
    from symbackprop.apps.shapecheck.check import _settings

    settings = _settings(sb.derive(sb.Network.parse("4-3-2-1")))
    third, fourth, ones, own = ({str(d): n for d, n in s.items()} for s, _ in settings[2:])
    assert third == {"n0": 4, "n1": 5, "n2": 6, "n3": 7}
    assert fourth == {"n0": 7, "n1": 6, "n2": 5, "n3": 4}
    assert ones == {"n0": 1, "n1": 1, "n2": 1, "n3": 1}  # hostile48d #1
    assert own == {"n0": 4, "n1": 3, "n2": 2, "n3": 1}
    for deep, expected in zip(
        _settings(sb.derive(sb.Network.parse("-".join(["3"] * 12))))[2:],  # own: the first
        ([4, 5, 6, 7] * 3, [7, 6, 5, 4] * 3, [1] * 12),
        strict=True,
    ):
        widths = [deep[0][d] for d in sorted(deep[0], key=lambda d: int(str(d)[1:]))]
        assert widths == expected  # a layer's two widths differ; all stay small


#: Cayley-Hamilton for a 3 x 3 A: A^3 - tr(A) A^2 + c1 A - det(A) I = 0, times x
CAYLEY_HAMILTON_3 = (
    " + A A A x - tr(A) * A A x + ((tr(A)^2 - tr(A A))/2) * A x"
    " - ((tr(A)^3 - 3 * tr(A) * tr(A A) + 2 * tr(A A A))/6) * x"
)


@pytest.mark.parametrize("n", [1, 3, 6])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_declared_size_is_not_the_only_one_compared(n: int) -> None:
    """hostile32 #1, #2: a dimension the model's sizes: line declares was compared at that size
    only (or, above 5, at 2, 3, 4 only), so the README's own example of an identity true only
    for n = 3 passed on quadratic.model (n = 3), and at n = 1 A^T x passed for (A + A^T) x / 2.
    Declared dimensions move now, keeping their order: n, n + 1, then 7."""
    model = Model.parse(f"x : n x 1\nA : n x n\nsizes: n = {n}\nJ = 0.5 x^T A x\ndata:\n")
    for wrong in ("A^T x", "0.5 (A + A^T) x" + CAYLEY_HAMILTON_3):
        report = sb.check_formula(model, "x", wrong)
        assert report.exit_code == 1 and report.equal is False, (wrong, report)
    assert sb.check_formula(model, "x", "0.5 (A + A^T) x").ok


def test_an_undeclared_dimension_is_compared_above_a_declared_one_too() -> None:
    """hostile32b #3: k undeclared, n = 4 declared: k < n in every setting, so a formula
    right only where k <= n passed. The mirrored setting lifts k above the declared n."""
    model = Model.parse("W : k x n\nx : n x 1\ny : k x 1\nsizes: n = 4\nJ = y^T W x\ndata: x, y\n")
    report = sb.check_formula(model, "W", "(1 + 1{(y^0)^T y^0 > (x^0)^T x^0}) y x^T")
    assert report.exit_code == 1 and report.equal is False, report


@pytest.mark.parametrize(
    "text",
    [
        # inv(A^T A) needs r >= k = 5: r = 2 first had no value (a tall A, r undeclared)
        "A : r x k\nb : r x 1\nw : k x 1\nsizes: k = 5\nP = inv(A^T A)\n"
        "J = sum(P ⊙ P) + b^T A w\ndata: b\n",
        # both inverses: r = k; the distinct third setting has no value
        "A : r x k\nb : r x 1\nw : k x 1\nP = inv(A^T A)\nQ = inv(A A^T)\n"
        "J = sum(P ⊙ P) + sum(Q) + b^T A w\ndata: b\n",
    ],
)
def test_settings_where_the_model_has_no_value_by_its_shapes_are_left_out(text: str) -> None:
    """hostile32b #6: "cannot check: the model has no value at any of the 60 points drawn"
    for a right formula: the check compared at sizes where the model's inverse is singular."""
    report = sb.check_formula(Model.parse(text), "w", "A^T b")
    assert report.ok, report
    assert sb.check_formula(Model.parse(text), "w", "2 A^T b").exit_code == 1


def test_a_size_written_through_a_power_0_reads_as_the_size() -> None:
    """hostile32b #3: ``(x^0)^T x^0`` is n, as ``sum(x^0)`` is, but was not read as the size,
    so a factor 1 at every size compared, ``1 + (n - 3)(n - 4)(n - 7)`` written through it,
    passed; ``tr(x^0 (x^0)^T)`` likewise. A matrix to the power 0 is the ones matrix now."""
    model = Model.parse("A : n x n\nx : n x 1\nsizes: n = 3\nJ = x^T A x\ndata: x\n")
    n = "(x^0)^T x^0"
    wrong = sb.check_formula(model, "A", f"(1 + ({n} - 1)*({n} - 3)*({n} - 4)*({n} - 7)) x x^T")
    assert wrong.exit_code == 1
    assert any("writes n as a number" in note for note in wrong.notes)
    traced = "tr(x^0 (x^0)^T)"
    refused = sb.check_formula(model, "A", f"(1 + ({traced} - 3)*({traced} - 7)) x x^T")
    assert refused.exit_code == 2 and "constant matrix" in str(refused.error)
    # right formulas with a power 0 still pass
    assert sb.check_formula(model, "A", "x x^T ⊙ A^0").ok
    assert sb.check_formula(model, "A", f"({n} / sum(x^0)) x x^T").ok


def test_a_model_size_polynomial_with_a_root_at_every_size_tried_is_not_the_gradient() -> None:
    """hostile37c #1: a width written as sum(x^0), in a polynomial of degree 8 that is 1 at the
    sizes compared (3, 4, 7) and at the five past them, passed; a formula of degree d in a size
    is now compared at d + 1 sizes at least."""
    n = "sum(x^0)"
    roots = "".join(f"({n} - {k})" for k in (1, 3, 4, 7, 8, 9, 10, 11, 12))
    model = Model.parse("x : n x 1\nA : n x n\nsizes: n = 3\nJ = 0.5 x^T A x\ndata:\n")
    report = sb.check_formula(model, "x", f"(1 + {roots}) ((1/2) A x + (1/2) A^T x)")
    assert report.exit_code == 1, str(report)
    assert report.counterexample is not None and "n=13" in str(report.counterexample)


def test_the_degree_of_a_formula_in_a_written_size() -> None:
    from sympy import MatrixSymbol, Symbol, exp

    from symbackprop.apps.shapecheck.written_sizes import degree

    u, A = Symbol("u"), MatrixSymbol("A", 3, 3)
    assert degree((1 + (u - 3) * (u - 4)) * A, {u}) == 2
    assert degree(A / u**3 + A.T, {u}) == 3
    assert degree(2 * A, {u}) == 0
    assert degree(exp(u) * A, {u}) is None  # no polynomial: the larger sizes decide alone


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_size_factor_that_cancels_to_1_is_of_degree_0() -> None:
    """review38 #5: ``((n + 1)^2 - n^2 - 2n)^10`` is exactly 1, but its parts' degrees bounded
    it at 20, more sizes than are compared, and the right formula was "cannot decide"; a
    number of the sizes is cancelled before its degree is read. One that does not cancel (a
    root at each of nine sizes, squared) still fails."""
    from sympy import MatrixSymbol, Symbol

    from symbackprop.apps.shapecheck.written_sizes import degree

    u, A = Symbol("u"), MatrixSymbol("A", 3, 3)
    assert degree(((u + 1) ** 2 - u**2 - 2 * u) ** 10 * A, {u}) == 0
    n = "sum(x^0)"
    model = Model.parse("x : n x 1\nA : n x n\nsizes: n = 3\nJ = 0.5 x^T A x\ndata:\n")
    truth = "((1/2) A x + (1/2) A^T x)"
    one = f"(({n} + 1)^2 - {n}^2 - 2 {n})^10"
    assert sb.check_formula(model, "x", f"{one} {truth}").ok
    roots = "".join(f"({n} - {k})" for k in (1, *range(3, 12)))
    wrong = sb.check_formula(model, "x", f"({one} + {roots})^2 {truth}")
    assert wrong.exit_code == 1 and "n=12" in str(wrong.counterexample)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_factor_right_at_every_setting_but_the_network_s_own_width_is_wrong() -> None:
    """hostile40b #1: s = sum(1{x > -100}) is n0 at every point; (s-2)(s-3)(s-4)(s-7) is 0 at
    every width the four settings give n0, and passed for 5-3-1, whose own n0 = 5 makes the
    formula -11 times the gradient. The network's own widths are compared at too."""
    s = "sum(1{x > -100})"
    factor = f"(1 + ({s} - 1)*({s} - 2)*({s} - 3)*({s} - 4)*({s} - 7))"
    formula = f"{factor} ((W2^T (a2 - y) ⊙ a1 ⊙ (1 - a1)) x^T)"
    report = sb.check_formula("5-3-1", "W1", formula)
    assert report.exit_code == 1 and report.equal is False, report
    assert report.counterexample is not None and report.counterexample.sizes["n0"] == 5
    assert sb.check_formula("5-3-1", "W1", "(W2^T (a2 - y) ⊙ a1 ⊙ (1 - a1)) x^T").ok


P10 = "(m-1)*(m-2)*(m-3)*(m-4)*(m-5)*(m-6)*(m-7)*(m-8)*(m-9)*(m-10)"


@pytest.mark.parametrize("kinked", [f"relu({P10})", f"1{{{P10} > 0}}", f"sin({P10})"])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_kink_or_sine_of_a_polynomial_in_m_is_read_at_sizes_not_simplified(
    kinked: str,
) -> None:
    """hostile40b #4: relu, an indicator or sin of a degree-10 polynomial in m (0 at every m
    compared) ran for minutes in sp.simplify of the formula's ratio to the gradient; the ratio
    is read at sizes now, and is not 1 at m = 11."""
    formula = f"(1 + {kinked}) (A3 - Y) A2^T / m"
    report = sb.check_formula("4-3-2-1", "W3", formula, batch=True)
    assert report.exit_code == 1 and report.equal is False, report
    assert any("not at every size" in note for note in report.notes), report.notes
    # 0 at every size: the right formula
    assert sb.check_formula(
        "4-3-2-1", "W3", "(1 + relu(-(m-2)^2)) (A3 - Y) A2^T / m", batch=True
    ).ok


def test_a_power_of_the_sizes_past_degree_64_is_refused_not_hung() -> None:
    """hostile39a #9: ((m - 2)(m - 3))^450 ran for minutes in SymPy's sign assumptions (the
    real roots of a degree-900 polynomial); it is refused with its degree, as a formula error."""
    formula = "(1 + ((m - 2)*(m - 3))^450) (A3 - Y) A2^T / m"
    report = sb.check_formula("4-3-2-1", "W3", formula, batch=True)
    assert report.exit_code == 2 and report.error is not None
    assert "of degree 900 in the sizes" in str(report.error)
    report = sb.check_formula("4-3-2-1", "W3", "(1 + (m - 2)^64) (A3 - Y) A2^T / m", batch=True)
    assert report.exit_code == 1 and report.equal is False


def test_a_tiny_size_factor_is_read_exactly_and_lambda_is_no_size() -> None:
    """review40 #1: a ratio read at sizes to 30 digits with a cut-off of 1e-20 passed
    1 + 10^-60 |(m-2)(m-3)(m-4)(m-7)|; its value at a size is a rational, compared exactly.
    review40 #3: lambda^65 / lambda^64 is λ, not a power of degree 65 in the sizes."""
    tiny = "(1 + 10^(-60) * abs((m-2)*(m-3)*(m-4)*(m-7))) (A3 - Y) A2^T / m"
    report = sb.check_formula("4-3-2-1", "W3", tiny, batch=True)
    assert report.exit_code == 1 and report.equal is False, report
    network = sb.Network.parse("3-2-1", l2=0.5)
    right = "(A2 - Y) A1^T / m + (lambda^65/lambda^64) W2 / m"
    assert sb.check_formula(network, "W2", right, batch=True).ok
