"""Session 44's verdicts of sb.gradcheck: a row whose finite differences are not finite (a step
from the point leaves where the cost has a value) compared nothing; it was a FAIL of a right
gradient (hostile43c #6), and is 'not resolved' now, with 0 entries checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import symbackprop as sb
from symbackprop.check.finite_diff import UNRESOLVED

LOG_MODEL = "sizes: n=2\nx : n x 1\nw : n x 1\nJ = sum(log(w) ⊙ x)\ndata: x\n"


@pytest.fixture(scope="module")
def log_module(tmp_path_factory: pytest.TempPathFactory) -> object:
    path = Path(tmp_path_factory.mktemp("log")) / "log.model"
    path.write_text(LOG_MODEL, encoding="utf-8")
    return sb.compile(str(path))


@pytest.mark.parametrize("mode", ["full", "directional"])
def test_a_step_out_of_the_domain_is_not_resolved_not_failed(
    log_module: object, mode: str
) -> None:
    # every entry below eps: each step to w - eps takes the log of a negative number
    params = {"w": np.array([[1e-7], [2e-7]])}
    x = np.array([[1.0], [2.0]])
    result = sb.gradcheck(log_module, params, x, mode=mode)  # type: ignore[arg-type]
    (row,) = result.rows
    assert not result.ok and not result.failed
    assert result.verdict == "not resolved"
    assert row.unresolved and row.reason.startswith(UNRESOLVED)
    assert row.checked == 0 and "0 of" in row.coverage
    assert "a step leaves where the cost has a value" in row.cause
    assert "FAIL" not in str(result)


def _log_module_with(factor: float) -> object:
    """J = sum(log(w) ⊙ x), hand-written, with the gradient ``factor`` x / w (1 is right)."""
    import types

    def forward(params, x):  # type: ignore[no-untyped-def]
        with np.errstate(all="ignore"):
            return float(np.sum(np.log(params["w"]) * x)), {}

    def loss_and_grads(params, x):  # type: ignore[no-untyped-def]
        with np.errstate(all="ignore"):
            return float(np.sum(np.log(params["w"]) * x)), {"w": factor * x / params["w"]}

    return types.SimpleNamespace(
        SHAPES={"w": (3, 1)}, DATA=("x",), forward=forward, loss_and_grads=loss_and_grads
    )


@pytest.mark.parametrize(("factor", "fails"), [(1.0, False), (2.0, True), (-1.0, True)])
def test_entries_whose_step_leaves_the_domain_are_left_out_the_rest_judged(
    factor: float, fails: bool
) -> None:
    """review44 #3: one entry's step out of the domain made the whole row "not resolved, 0
    entries checked", and a gradient twice the true one was not failed by the two entries
    that show it."""
    params = {"w": np.array([[1e-7], [1.0], [2.0]])}
    x = np.array([[1.0], [2.0], [3.0]])
    result = sb.gradcheck(_log_module_with(factor), params, x)  # type: ignore[arg-type]
    (row,) = result.rows
    assert row.checked == 2 and result.failed is fails and result.ok is not fails
    assert "1 of 3 differences not finite" in row.reason


def test_the_same_gradient_passes_inside_the_domain(log_module: object) -> None:
    params = {"w": np.array([[0.5], [1.0]])}
    x = np.array([[1.0], [2.0]])
    result = sb.gradcheck(log_module, params, x)  # type: ignore[arg-type]
    assert result.ok and result.rows[0].checked == 2


RIGHT_W2 = "(W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)"
#: exp(201 - sigmoid(-z2)) is exp(200 + a2): the two terms cancel, each near 1e87
CANCELLING = "exp(200 + 1 - sigmoid(-z2)) - exp(200 + a2)"


@pytest.mark.parametrize(
    ("extra", "power"),
    [
        ("0.5 a2", 200),
        pytest.param("0.001 a2", 200, marks=pytest.mark.slow),
        pytest.param("0.5 a2", 300, marks=pytest.mark.slow),  # 1e130: review44 #5
    ],
)
def test_a_term_under_a_huge_cancelling_pair_is_not_rounded_away(extra: str, power: int) -> None:
    """hostile44c #1: 50-digit values of 1e87 keep no digit of a2 / 2 beside them, so the
    formula rounded to the gradient there and passed 'to 35 digits'. An agreement now counts
    only where the formula holds its digits at the next precision, as a difference does."""
    cancelling = CANCELLING.replace("200", str(power))
    wrong = sb.check_formula("4-3-2-1", "W2", f"({RIGHT_W2} + {cancelling} + {extra}) a1^T")
    assert wrong.exit_code == 1 and wrong.equal is False
    right = sb.check_formula("4-3-2-1", "W2", f"({RIGHT_W2} + {cancelling}) a1^T")
    assert right.ok


def _least_squares(factor: float, *, cached: bool = False, offset: float = 2e-10) -> tuple:
    """A hand-written module for J = ||A x - y||^2 near a perfect fit (J about 2e-19), whose
    gradient is ``factor`` A^T r (2 is right); ``cached``: its forward caches r."""
    import types

    A = np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.25]])
    x = np.array([[0.3], [-0.7]])
    y = A @ x + offset * np.array([[1.0], [-2.0], [0.5]])

    def forward(params, y):  # type: ignore[no-untyped-def]
        r = A @ params["x"] - y
        return float(np.sum(r * r)), ({"r": r} if cached else {})

    def loss_and_grads(params, y):  # type: ignore[no-untyped-def]
        r = A @ params["x"] - y
        return float(np.sum(r * r)), {"x": factor * (A.T @ r)}

    module = types.SimpleNamespace(
        SHAPES={"x": (2, 1)}, DATA=("y",), forward=forward, loss_and_grads=loss_and_grads
    )
    return module, {"x": x}, y


@pytest.mark.parametrize("factor", [1.0, 1.2, 3.0])
def test_a_wrong_gradient_of_a_tiny_cost_does_not_pass_within_the_noise_floor(
    factor: float,
) -> None:
    """hostile44c #3: the floor is a few ulps of max(1, |J|), 8.9e-10 at eps = 1e-6, and at
    J = 2e-19 it passed gradients 20-50% wrong ('error within the noise floor'), though the
    differences resolve the gradient to 1e-11. Differences at eps and 2 eps agreeing 100 times
    more closely than the floor, and the gradient far from them, are no rounding."""
    module, params, y = _least_squares(factor)
    result = sb.gradcheck(module, params, y)
    assert result.failed, str(result)
    assert "they resolve it far below the noise floor" in result.rows[0].reason
    right = sb.gradcheck(_least_squares(2.0)[0], params, y)
    assert right.ok, str(right)


def test_a_hand_written_modules_sign_change_is_not_called_a_kink() -> None:
    """hostile44c #5: every cached array of a module naming no kinks is watched; a residual
    near 0 changed sign at every step, and the reason said "a value sits on a kink"."""
    module, params, y = _least_squares(2.0, cached=True, offset=1e-10)
    result = sb.gradcheck(module, params, y)
    (row,) = result.rows
    assert row.unresolved and row.checked == 0  # every step changed the residual's sign
    assert "changed the sign of a cached value" in row.reason
    assert "sits on a kink" not in row.reason
    assert row.cause == "every step changed the sign of a cached value"


GRADIENT_W2 = "((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2))"


@pytest.mark.parametrize(
    ("factor", "part"),
    [
        pytest.param(
            "(sqrt(z2 - 1) ⊙ sqrt(z2 - 1) - z2 + 2)", "sqrt(z2 - 1)", marks=pytest.mark.slow
        ),
        ("(exp(log(sum(W2))) - sum(W2) + 1)", "log(sum(W2))"),
        ("(log(sum(W2)) - log(sum(W2)) + 1)", "log(sum(W2))"),
    ],
)
def test_a_formula_with_no_real_value_on_part_of_the_domain_says_so(
    factor: str, part: str
) -> None:
    """hostile44c #2: complex arithmetic makes sqrt(z2 - 1) ⊙ sqrt(z2 - 1) agree where z2 < 1,
    and SymPy folds exp(log(x)) and log(x) - log(x) away: these passed with no note, though
    the formula has no value wherever the argument is negative, and the gradient has one."""
    report = sb.check_formula("4-3-2-1", "W2", f"({GRADIENT_W2} ⊙ {factor}) a1^T")
    assert report.ok
    notes = [note for note in report.notes if note.startswith(f"{part} has a real value only")]
    assert notes, report.notes


def test_a_zero_times_a_log_that_may_have_no_value_gets_the_note() -> None:
    """0 log(sum(W2)) folds to 0; the log's domain is said in the note (review44 #7: refusing
    it refused 0 log(det(X) - det(X^T) + 1), whose argument is 1 by an identity)."""
    report = sb.check_formula("4-3-2-1", "W2", f"({GRADIENT_W2} ⊙ (1 + 0 log(sum(W2)))) a1^T")
    assert report.ok
    assert [note for note in report.notes if note.startswith("log(sum(W2)) has a real value only")]


@pytest.mark.parametrize(
    "formula",
    [
        f"({GRADIENT_W2} ⊙ sqrt(a2 ⊙ a2) / a2) a1^T",  # a2 > 0 (sigmoid): real everywhere
        f"({GRADIENT_W2} ⊙ sqrt(z2 ⊙ z2 + 1) / sqrt(z2 ⊙ z2 + 1)) a1^T",
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_no_domain_note_where_the_argument_is_never_negative(formula: str) -> None:
    report = sb.check_formula("4-3-2-1", "W2", formula)
    assert report.ok
    assert not [note for note in report.notes if "has a real value only" in note]


def test_a_module_loaded_from_its_file_with_every_step_on_a_kink_is_not_resolved(
    tmp_path: Path,
) -> None:
    """review44 #1: the watcher of a module with a KINKS table returned before it set what the
    sign-change reason reads, and gradcheck raised AttributeError there."""
    import importlib.util

    path = tmp_path / "relu_mod.py"
    path.write_text(
        sb.codegen(sb.Network.parse("2-3:relu-1", output="identity", loss="mse")), "utf-8"
    )
    spec = importlib.util.spec_from_file_location("relu_mod_44", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    params = module.init_params(seed=0)
    result = sb.gradcheck(module, params, np.zeros((2, 4)), np.ones((1, 4)))
    b1 = next(row for row in result.rows if row.parameter == "b1")
    assert b1.unresolved and b1.checked == 0
    assert "crossed a kink" in b1.reason and "changed the sign" not in b1.reason


def test_a_right_gradient_with_rounding_of_order_one_still_passes_within_the_floor() -> None:
    """hostile44d #1: A - Y at A = sigmoid(24.4) carries the rounding of A near 1, 1e-14 on a
    gradient of 5e-9; the differences resolved the cost far more finely, and the first spread
    test called that "not rounding" and failed a right gradient."""
    module = sb.compile(sb.Network.parse("1-1", loss="bce"))
    params = {"W1": np.array([[0.12195979899497487]]), "b1": np.zeros((1, 1))}
    result = sb.gradcheck(module, params, np.array([[200.0]]), np.array([[1.0]]))
    w1 = next(row for row in result.rows if row.parameter == "W1")
    assert w1.ok and not result.failed, str(result)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3])
def test_a_deep_sigmoid_networks_right_gradients_pass_where_differences_are_quantised(
    seed: int,
) -> None:
    """hostile44d #1: at 11 layers a bias gradient of 7e-11 moves the cost by less than an ulp
    a step; the differences at eps and 2 eps came out identical (spread 0) and the right
    gradient failed as "not rounding". An ulp of the cost over eps bounds the resolution."""
    from tests.test_cli import run

    result = run("check", "4-3-3-3-3-3-3-3-3-3-3-1", "--seed", str(seed), "--no-exact")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("spec", "hidden", "output", "loss", "formula"),
    [
        ("4-3-2-1", "relu", None, None, "((W3^T (a3 - y)) ⊙ 1{z2 > 0}) (sqrt(a1) ⊙ sqrt(a1))^T"),
        (
            "4-3-2-1",
            "tanh",
            None,
            None,
            "((W3^T (a3 - y)) ⊙ sqrt(1 - a2 ⊙ a2) ⊙ sqrt(1 - a2 ⊙ a2)) a1^T",
        ),
        ("4-3-2-1", None, None, None, "((W3^T (a3 - y)) ⊙ exp(log(a2) + log(1 - a2))) a1^T"),
        ("4-3-3", None, "softmax", "ce", "(exp(log(a2)) - y) a1^T"),
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_no_domain_note_where_an_activations_range_keeps_the_argument_inside(
    spec: str, hidden: str | None, output: str | None, loss: str | None, formula: str
) -> None:
    """hostile44d #2, review44 #7: relu's a >= 0, sigmoid's 0 < a < 1, tanh's |a| < 1 and
    softmax's a > 0 were unknown to the domain rules, and sqrt(a1), log(1 - a2), sqrt(1 - a2 ⊙
    a2) and log(a2) got a note that the formula has no value somewhere."""
    options = {k: v for k, v in (("hidden", hidden), ("output", output), ("loss", loss)) if v}
    report = sb.check_formula(sb.Network.parse(spec, **options), "W2", formula)
    assert report.ok, report.error
    assert not [note for note in report.notes if "has a real value only" in note]


@pytest.mark.parametrize("factor", [1.95, 2.05])
def test_a_gradient_five_percent_off_at_a_tiny_cost_fails(factor: float) -> None:
    """review44b #3: an error under a tenth of the floor passed at once, though the
    differences resolve the gradient to 3e-17; the share is a thousandth now."""
    module, params, y = _least_squares(factor, offset=5e-10)
    assert sb.gradcheck(module, params, y).failed


def _least_squares_with_a_log(factor: float) -> tuple:
    """_least_squares plus 1e-30 log(x3) at x3 = 1e-7: that entry's step leaves the domain."""
    import types

    module, params, y = _least_squares(factor)
    base_forward, base_grads = module.forward, module.loss_and_grads

    def forward(params, y):  # type: ignore[no-untyped-def]
        cost, cache = base_forward({"x": params["x"][:2]}, y)
        with np.errstate(all="ignore"):
            return cost + 1e-30 * float(np.log(params["x"][2, 0])), cache

    def loss_and_grads(params, y):  # type: ignore[no-untyped-def]
        cost, grads = base_grads({"x": params["x"][:2]}, y)
        extra = np.array([[1e-30 / params["x"][2, 0]]])
        with np.errstate(all="ignore"):
            cost += 1e-30 * float(np.log(params["x"][2, 0]))
        return cost, {"x": np.vstack([grads["x"], extra])}

    x = np.vstack([params["x"], [[1e-7]]])
    return (
        types.SimpleNamespace(
            SHAPES={"x": (3, 1)}, DATA=("y",), forward=forward, loss_and_grads=loss_and_grads
        ),
        {"x": x},
        y,
    )


@pytest.mark.parametrize(("factor", "fails"), [(1.0, True), (2.0, False), (3.0, True)])
def test_a_left_out_entry_does_not_turn_off_the_floor_pass_test(
    factor: float, fails: bool
) -> None:
    """review44b #1: the NaN of the entry left out made the spread NaN, and gradients half and
    1.5 times the true one passed within the noise floor."""
    module, params, y = _least_squares_with_a_log(factor)
    result = sb.gradcheck(module, params, y)
    assert result.failed is fails and result.rows[0].checked == 2, str(result)


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ("(1 + 0 log(a2 - 1))", "log(a2 - 1) has no real value at any point"),
        ("(1 + 0 sqrt(-a2))", "sqrt(-a2) has no real value at any point"),
    ],
)
def test_a_formula_with_no_real_value_anywhere_is_not_passed(extra: str, said: str) -> None:
    """review44b #2: a sigmoid layer's a2 is below 1, so log(a2 - 1) has no value at any
    point; SymPy folded 0 log(a2 - 1) away and the formula passed "exactly"."""
    report = sb.check_formula("4-3-2-1", "W2", f"({GRADIENT_W2} ⊙ {extra}) a1^T")
    assert report.exit_code == 2 and said in str(report.error)


@pytest.mark.parametrize(("formula", "batch"), [("da3 a2^T", False), ("dA3 A2^T", True)])
def test_the_outputs_adjoint_is_pointed_to_the_loss(formula: str, batch: bool) -> None:
    """review44b #6: da3 was told that no parameter reaches the cost through a3."""
    report = sb.check_formula("4-3-2-1", "W3", formula, batch=batch)
    assert "write it from the loss" in str(report.error)
    assert "no parameter reaches" not in str(report.error)


@pytest.mark.slow
def test_a_root_of_huge_cancelling_terms_is_checked_at_the_top_precision() -> None:
    """review44b #5: sqrt(10^260 + a2) - sqrt(10^260 + 1 - sigmoid(-z2)) rounds a term of 2 a2
    away alike at 50 and 100 digits; the top precision is asked for roots too."""
    cancelling = "sqrt(10^260 + a2) - sqrt(10^260 + 1 - sigmoid(-z2))"
    wrong = sb.check_formula("4-3-2-1", "W2", f"({RIGHT_W2} + {cancelling} + 2 a2) a1^T")
    assert wrong.exit_code == 1
    assert sb.check_formula("4-3-2-1", "W2", f"({RIGHT_W2} + {cancelling}) a1^T").ok
