"""Session 45's verdicts: a pass that was not one, a fail that was not one."""

from __future__ import annotations

import types

import numpy as np
import pytest

import symbackprop as sb


def _tanh_module(
    offset: float, scale: float, k: float = 2.2e-4, shape: tuple[int, int] = (3, 4)
) -> types.SimpleNamespace:
    """A hand-written module: J = offset + k sum(tanh(W X)), its gradient times ``scale``."""

    def forward(params: dict, X: np.ndarray, work: object = None) -> tuple:
        Z = params["W"] @ X
        return offset + k * np.sum(np.tanh(Z)), {"Z": Z, "X": X}

    def loss_and_grads(params: dict, X: np.ndarray, work: object = None) -> tuple:
        J, cache = forward(params, X)
        return J, {"W": scale * k * (1 - np.tanh(cache["Z"]) ** 2) @ X.T}

    return types.SimpleNamespace(
        SHAPES={"W": shape}, DATA=("X",), forward=forward, loss_and_grads=loss_and_grads
    )


@pytest.mark.parametrize(("scale", "passes"), [(1.0, True), (0.5, False), (2.0, False)])
def test_a_gradient_off_by_half_under_a_large_cost_fails(scale: float, passes: bool) -> None:
    """hostile45c #4: at J = 1e6 the floor (4 ulps of J over eps, 8.9e-4) is above a gradient
    of 1.7e-3, and one half its value passed "within the noise floor"; a step 100 times larger
    resolves the differences 100 times more finely, and there it is 8.6e-4 off against a
    resolution of 1e-6. The right gradient still passes."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 20))
    params = {"W": rng.standard_normal((3, 4)) * 0.3}
    result = sb.gradcheck(_tanh_module(1e6, scale), params, X)  # type: ignore[arg-type]
    assert result.ok is passes, str(result)
    if scale == 0.5:  # twice the gradient is above the floor at eps already
        (row,) = result.rows
        assert result.failed and "steps 1e-04 and 2e-04" in row.reason, row.reason


@pytest.mark.parametrize(
    ("model", "wrt", "formula"),
    [
        ("v : 1 x 1\nJ = log(v + 1)\ndata:\n", "v", "1/(v+1)"),
        (
            "W : n x k\nV : n x k\nsizes: n = 3, k = 2\nJ = sum(log(W ⊙ W + V))\ndata:\n",
            "V",
            "1 / (W ⊙ W + V)",
        ),
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_right_formula_is_not_failed_where_its_pole_lies_outside_the_models_domain(
    tmp_path: object, model: str, wrt: str, formula: str
) -> None:
    """hostile45c #1: the checker placed v + 1 at -1/2 beside the formula's pole, where the
    model's log(v + 1) has no value; "your formula gives cannot be evaluated (no point found
    in 60 draws), the gradient is None" failed a right 1 / (v + 1), exit 1. That side has no
    gradient to compare with: never a difference."""
    from pathlib import Path

    path = Path(str(tmp_path)) / "m.model"
    path.write_text(model, encoding="utf-8")
    report = sb.check_formula(str(path), wrt, formula)
    assert report.equal is not False, str(report)
    assert "cannot be evaluated" not in str(report)


@pytest.mark.parametrize("product", ["x x^T", pytest.param("x^T x", marks=pytest.mark.slow)])
def test_a_repair_is_not_said_to_equal_the_gradient_at_sizes_the_verdict_refutes(
    product: str,
) -> None:
    """hostile45c #3: a formula that writes n as a number (it agrees at n = 3, 4, 7 only) is
    wrong at n = 8; its repair, the same factors regrouped, was checked without that size
    check and offered as "equals the gradient"."""
    from pathlib import Path

    model = str(Path(__file__).resolve().parent.parent / "examples" / "models" / "quadratic.model")
    factor = "(1 + (sum(x/x) - 3)(sum(x/x) - 4)(sum(x/x) - 7))"
    report = sb.check_formula(model, "A", f"{factor} * 0.5 {product}")
    assert report.equal is not True
    assert report.repair is None or not report.repair.equal, report.repair


SLOW = pytest.mark.slow  # 2 s each
GAUSSIAN = (
    "x : n x 1\nmu : n x 1\ns : n x 1\nsizes: n = 3\n"
    "J = 0.5 sum((x - mu) ⊙ (x - mu) / s) + 0.5 sum(log(s))\ndata: x\n"
)
BARRIER = (
    "A : k x n\nx : n x 1\nb : k x 1\nsizes: n = 2, k = 3\nJ = -sum(log(b - A x))\ndata: A, b\n"
)
NMF = (
    "X : n x c\nW : n x k\nH : k x c\nsizes: n = 4, k = 2, c = 3\n"
    "J = sum(W H - X ⊙ log(W H))\ndata: X\n"
)


@pytest.mark.parametrize(
    ("model", "wrt", "right", "wrong", "edge"),
    [
        ("v : 1 x 1\nJ = log(v + 1)\ndata:\n", "v", "1/(v+1)", "2/(v+1)", "v below -1"),
        pytest.param(GAUSSIAN, "mu", "(mu - x) / s", "(mu - x) / (2 s)", "s below 0", marks=SLOW),
        pytest.param(
            GAUSSIAN,
            "s",
            "0.5 / s - 0.5 (x - mu) ⊙ (x - mu) / (s ⊙ s)",
            "0.5 / s - (x - mu) ⊙ (x - mu) / (s ⊙ s)",
            "s below 0",
            marks=SLOW,
        ),
        (BARRIER, "x", "A^T (1 / (b - A x))", "A^T (2 / (b - A x))", "b - A x below 0"),
        pytest.param(
            NMF, "W", "(1 - X / (W H)) H^T", "(1 - 2 X / (W H)) H^T", "W H below 0", marks=SLOW
        ),
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_side_where_the_model_has_no_value_needs_no_comparison(
    model: str, wrt: str, right: str, wrong: str, edge: str
) -> None:
    """hostile45c #2 (and the NMF formula of notes 42-44): a right formula with a pole at the
    edge of the model's own log was "cannot decide", for no point with s below 0 was found:
    none can be, the model has no value there. That side is known from the model's equations
    and left out, and said so; a wrong formula still fails."""
    parsed = sb.Model.parse(model)
    report = sb.check_formula(parsed, wrt, right)
    assert report.exit_code == 0, str(report)
    assert report.points is not None and f"none with {edge} (the model's log(" in report.points
    # a point placed where the model has no value was left out, and is not counted
    # (review45 #3: "2 with ... at -1/2, 1/2" of which -1/2 was never compared)
    assert "at -1/2" not in report.points
    assert sb.check_formula(parsed, wrt, wrong).exit_code == 1


def test_only_a_function_with_no_value_below_zero_marks_such_a_side() -> None:
    """Only a function with no real value at every negative argument marks a side the model
    has no value on: log(s) does; a custom log(z^2 + 1), real everywhere, does not."""
    from symbackprop.apps.shapecheck.model_domain import _own_domain_parts

    text = "s : n x 1\nx : n x 1\nsizes: n = 2\nJ = sum(lg(s) ⊙ x) + sum(log(s))\ndata: x\n"
    model = sb.Model.parse(text, define={"lg": "log(z*z + 1)"})
    parts = [str(part) for part, _arg in _own_domain_parts(sb.derive(model))]
    assert len(parts) == 1 and parts[0].startswith("log"), parts


DEAD = "X : 2 x m\nW : 3 x 2\nJ = sum(relu(W X - 100))\ndata: X\n"


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_an_exact_check_of_zeros_alone_verifies_nothing(tmp_path: object) -> None:
    """hostile45b #1: relu(W X - 100) is 0 at every point drawn, so both checks compared 0
    with 0 (a gradient 7 times the right one too), and `check` said "all checks passed"."""
    from pathlib import Path

    from click.testing import CliRunner

    from symbackprop.cli.main import main

    d = sb.derive(sb.Model.parse(DEAD))
    exact = sb.check_exact(d)
    assert exact.all_zero and not exact.ok and not exact.mismatches
    path = Path(str(tmp_path)) / "dead.model"
    path.write_text(DEAD, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert "exact check: cannot decide (every one of its" in result.output
    assert "all checks passed" not in result.output


def test_a_parameter_both_checks_saw_only_as_zero_is_named() -> None:
    """hostile45b #1: three of four rows 0 at every point, by both checks: "all checks
    passed" said nothing of them."""
    from click.testing import CliRunner

    from symbackprop.cli.main import main

    args = ["check", "3-4:hs-1", "--define", "hs=relu(z-100)"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "W1, b1, W2 were 0 at every point compared" in " ".join(result.output.split())
    assert "passed for every parameter but W1, b1, W2, which nothing verified" in " ".join(
        result.output.split()
    )


@pytest.mark.parametrize(
    ("spec", "factor"),
    [("3-2:tanh-1", "(1-tanh(z1)^2)"), ("3-2:softplus-1", "sigmoid(z1)")],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_right_repair_written_with_other_functions_equals_the_gradient(
    spec: str, factor: str
) -> None:
    """hostile45b #2: the repair of a missing ^T, written with 1 - tanh(z1)^2 for tanh'(z1),
    was "fits, but not the gradient": its exact difference (the tables forget how tanh and
    tanh' relate) was taken as the verdict, which the true functions overturn."""
    report = sb.check_formula(spec, "W1", f"((W2^T (a2 - y)) * {factor}) x")
    assert report.repair is not None and report.repair.equal, report.repair


@pytest.mark.parametrize(("scale", "passes"), [(1.0, True), (0.5, False)])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_large_row_is_measured_again_at_some_of_its_entries(scale: float, passes: bool) -> None:
    """review45 #4: a row of 1,600 entries measured again whole at up to seven steps tripled
    the check's time; 32 of its entries climb (the furthest from the differences and as many
    drawn), and a gradient half its value under J = 1e6 still fails."""
    import symbackprop.check.finite_diff as fd

    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 30))
    params = {"W": rng.standard_normal((40, 40)) * 0.05}
    measured: list[int] = []
    full = fd._full

    def counted(*args: object, **kwargs: object) -> object:
        result = full(*args, **kwargs)  # type: ignore[arg-type]
        measured.append(len(result[0]))
        return result

    module = _tanh_module(1e6, scale, k=1e-4, shape=(40, 40))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fd, "_full", counted)
        result = sb.gradcheck(module, params, X)  # type: ignore[arg-type]
    assert result.ok is passes, str(result)
    # the first measurement whole, then the sample alone, and more than once
    assert measured[0] == 1600 and len(measured) > 2, str(measured)
    assert all(n <= fd.FLOOR_ENTRIES for n in measured[1:]), str(measured)


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_hand_written_cross_entropy_gradient_is_right() -> None:
    """review45 #6: with log(1 - p) written out, the derivation reads sigmoid at -(w^T X + c)
    too; negated, its terms came in another order than w^T X + c's, so the two were taken for
    unrelated tables and the exact difference for the verdict: the right (1/m) X (p - Y)^T
    failed, exit 1."""
    model = sb.Model.parse(
        "X : n x m\nY : 1 x m\nsizes: n = 4\np = sigmoid(w^T X + c)\n"
        "J = -(1/m) sum(Y ⊙ log(p) + (1 - Y) ⊙ log(1 - p))\ndata: X, Y\n"
    )
    assert sb.check_formula(model, "w", "(1/m) X (p - Y)^T").exit_code == 0
    assert sb.check_formula(model, "w", "(2/m) X (p - Y)^T").exit_code == 1


@pytest.mark.parametrize(
    ("formula", "at"),
    [("1/(z-0.025)", "1/40"), ("1/(z*z-2)", "-1.41421"), ("log((z-0.01)^2)", "1/100")],
)
def test_a_custom_activation_with_a_pole_between_the_probe_points_is_refused(
    formula: str, at: str
) -> None:
    """hostile45b #6: the probe steps by 1/20, and 1/(z - 0.025) between two of its points
    passed every check; a denominator's or a log's real roots are found exactly now."""
    from symbackprop.errors import SpecError

    with pytest.raises(SpecError, match=rf"not finite at z = {at} \(a pole, or log\(0\)\)"):
        sb.Network.parse("3-2:k2-1", define={"k2": formula})


@pytest.mark.parametrize("formula", ["z/(1+z*z)", "log(z*z+1)", "z*sigmoid(z)", "1/(1+exp(-z))"])
def test_a_custom_activation_with_no_real_pole_is_accepted(formula: str) -> None:
    sb.Network.parse("3-2:k2-1", define={"k2": formula})


class _Linear:
    """A hand-written module: J = 1e5 + g . w, returning ``returned`` as its gradient."""

    def __init__(self, g: np.ndarray, returned: np.ndarray) -> None:
        self.g, self.returned = g, returned
        self.SHAPES = {"w": g.shape}
        self.DATA = ()

    def forward(self, params: dict) -> tuple:
        return None, {}

    def loss_and_grads(self, params: dict) -> tuple:
        return 1e5 + float(np.sum(self.g * params["w"])), {"w": self.returned}


class _Kinked(_Linear):
    """J = 1e5 + g . w + 1e-5 sum(|w - k|), its right gradient; it caches nothing."""

    def __init__(self, g: np.ndarray, k: np.ndarray) -> None:
        super().__init__(g, g)
        self.k = k

    def loss_and_grads(self, params: dict) -> tuple:
        w = params["w"]
        J = 1e5 + float(np.sum(self.g * w)) + 1e-5 * float(np.sum(np.abs(w - self.k)))
        return J, {"w": self.g + 1e-5 * np.sign(w - self.k)}


@pytest.mark.parametrize("seed", range(3))
def test_a_module_with_nothing_to_watch_is_not_measured_at_larger_steps(seed: int) -> None:
    """review45c #2: a hand-written module that names no kinks and caches nothing has
    entries 2e-6 from their kinks: clear of them at eps, across them at 1e-3, where the
    secant read as an error far above the differences' spread, and a right gradient FAILED.
    Such a module is measured at eps and 2 eps only."""
    rng = np.random.default_rng(seed)
    n = 24  # every entry in the sample that climbs, the three beside their kinks too
    g = 1e-5 * (1 + rng.random(n))
    g[:1] = 1e-4 * (1 + rng.random(1))
    w = rng.standard_normal(n)
    k = w + rng.choice([-1, 1], n) * (0.1 + rng.random(n))
    near = rng.choice(n, 3, replace=False)
    k[near] = w[near] - 2e-6
    result = sb.gradcheck(_Kinked(g, k), {"w": w}, mode="full")  # type: ignore[arg-type]
    assert not result.failed, str(result)


def test_an_entry_kept_only_at_a_larger_step_is_lined_up_with_its_own_gradient() -> None:
    """review45b #2: in a row of up to 32 entries, an entry skipped at eps (its step crossed
    a kink) and kept at 10 eps was lined up with another entry's gradient: a right gradient
    failed (or an IndexError)."""
    text = (
        "w : 4 x 1\nk : 4 x 1\nd : 4 x 1\nu = w - 0.5\n"
        "J = 1 + 0.00001 * sum(abs(u ⊙ u - d)) + sum(k ⊙ w)\ndata: k, d\n"
    )
    module = sb.compile(sb.Model.parse(text))
    w = np.array([[0.3], [0.7], [0.5 - 3.5e-6], [0.5 + 3e-4 + 5e-6]])
    k = np.array([[1e-6], [-2e-6], [3e-6], [-5e-6]])
    d = np.array([[1.0], [1.0], [9e-12], [9e-8]])
    result = sb.gradcheck(module, {"w": w}, k, d, mode="full")  # type: ignore[arg-type]
    assert not result.failed, str(result)


def test_an_exact_check_of_a_dead_point_draws_another() -> None:
    """The all-zero rule made a one-unit relu network's exact check 'verified nothing' where
    its one point had the unit dead (hypothesis found it): the check draws further points
    while every entry compared was 0, and passes at a live one."""
    net = sb.Network.parse("1-1:identity-1:relu", loss="mse")
    result = sb.check_exact(sb.derive(net), trials=1)
    assert result.ok and result.trials >= 1 and not result.all_zero


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_log_barrier_with_a_hinge_is_decided() -> None:
    """review45b #1: with a relu beside the log, not every draw with v + 1 placed at -1/2 had
    no value, the placement raised OutsideDomain (not PlacedOutside), and the right formula
    failed with "cannot be evaluated", exit 1."""
    model = sb.Model.parse("v : 3 x 1\nJ = sum(log(v + 1)) + sum(relu(v - 1))\ndata:\n")
    assert sb.check_formula(model, "v", "1 / (v + 1) + 1{v > 1}").exit_code == 0
    assert sb.check_formula(model, "v", "1 / (v + 1) + 1{v > 2}").exit_code == 1


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_repair_found_equal_only_numerically_says_so() -> None:
    """review45b #4: a repair 1e-130 off the gradient (exp(-300) added), equal to the true
    functions' 35 digits, was said to equal the gradient, flat, where the formula's own verdict
    says "to 35 digits (not proved exactly)"."""
    report = sb.check_formula(
        sb.Network.parse("4-3-2-1", hidden="tanh"),
        "W1",
        "(W2^T delta2 ⊙ (1 - tanh(z1)^2 + exp(-300))) x",
    )
    assert report.repair is not None and report.repair.equal and report.repair.numeric
    assert report.repair.verdict == "equals the gradient to 35 digits (not proved exactly)"


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_the_rowsum_note_says_how_its_equality_was_found() -> None:
    """review45c #4: the sum-for-rowsum note said "that equals the gradient" of a rewrite the
    true functions alone found equal, to 35 digits."""
    report = sb.check_formula(
        sb.Network.parse("4-3-2-1", hidden="tanh"),
        "b1",
        "sum((W2^T delta2) ⊙ (1 - tanh(Z1)^2 + exp(-300)))",
        batch=True,
    )
    notes = [n for n in report.notes if "write rowsum(...)" in n]
    assert notes and notes[0].endswith(
        "that equals the gradient to 35 digits (not proved exactly)"
    )
