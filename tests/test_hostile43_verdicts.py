"""Verdicts of the formula checker and gradcheck that session 43's testers found wrong or
missing (hostile43b, hostile43c)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import symbackprop as sb

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


@pytest.mark.parametrize(
    ("source", "wrt", "formula", "batch"),
    [
        ("4-3-2-1", "W3", "(A3 * sum(X) / m) A2^T", True),
        (MODELS / "logistic_l2.model", "w", "X (p * sum(Y) / m - Y)^T / m + lam w", None),
    ],
)
def test_a_matrix_times_a_sum_over_a_bare_m_gets_a_verdict(
    source: object, wrt: str, formula: str, batch: bool | None
) -> None:
    """hostile43c #5: a bare m at its size was a Python int with no .replace: an internal
    error (exit 3) in place of "not the gradient"."""
    net = sb.Model.from_file(source) if isinstance(source, Path) else source
    kwargs = {} if batch is None else {"batch": batch}
    report = sb.check_formula(net, wrt, formula, **kwargs)
    assert report.exit_code == 1 and report.equal is False


L1_MODELS = [
    "X : n x n\nY : n x n\nW : n x n\nsizes: n = 2\n"
    "J = sum((W X - Y) ⊙ (W X - Y)) + 0.1 norm1(W)\ndata: X, Y\n",
    "X : n x n\nW : n x n\nsizes: n = 2\nJ = sum(abs(W) ⊙ X)\ndata: X\n",
    "X : n x n\nW : n x n\nsizes: n = 2\nJ = sum(abs(W) ⊙ abs(W) ⊙ X) + norm1(W)\ndata: X\n",
]


def _l1_point(module: object) -> tuple[dict[str, np.ndarray], tuple[np.ndarray, ...]]:
    rng = np.random.default_rng(0)
    X, W, Y = (rng.standard_normal((2, 2)) for _ in range(3))
    W[0, 0] = 3e-7  # within eps of abs's kink: a central step crosses it
    return {"W": W}, (X, Y) if "Y" in module.DATA else (X,)  # type: ignore[attr-defined]


class _Scaled:
    """``module`` with its gradient of ``name`` times ``factor`` (1% off): a wrong gradient,
    the kinks as the module's."""

    def __init__(self, module: object, factor: float = 1.01, name: str = "W") -> None:
        self.module, self.factor, self.name = module, factor, name
        self.DATA, self.SHAPES = module.DATA, module.SHAPES  # type: ignore[attr-defined]
        self.KINKS = module.KINKS  # type: ignore[attr-defined]
        self.forward = module.forward  # type: ignore[attr-defined]

    def loss_and_grads(self, params: dict, *data: object) -> tuple[object, dict]:
        cost, grads = self.module.loss_and_grads(params, *data)  # type: ignore[attr-defined]
        return cost, {**grads, self.name: grads[self.name] * self.factor}


@pytest.mark.parametrize("source", L1_MODELS)
def test_a_step_across_a_parameters_own_kink_is_skipped(source: str, tmp_path: Path) -> None:
    """hostile43c #1: abs(W) and norm1(W) (an L1 penalty) watched nothing (KINKS was {}), and
    a step across W = 0 failed a right gradient with the secant's error (0.07)."""
    module = sb.compile(sb.Model.parse(source))
    assert module.KINKS == {"W": (0.0,)}
    params, data = _l1_point(module)
    result = sb.gradcheck(module, params, *data)
    assert result.ok, result
    (row,) = result.rows
    assert row.checked == 3  # the entry at the kink is skipped, the others compared
    assert not sb.gradcheck(_Scaled(module), params, *data).ok
    # the module loaded from its file reads its KINKS table the same way
    path = tmp_path / "l1_module.py"
    path.write_text(sb.codegen(sb.Model.parse(source)))
    spec = importlib.util.spec_from_file_location("l1_module", path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    assert sb.gradcheck(loaded, params, *data).ok


@pytest.mark.parametrize(
    ("formula", "note"),
    [
        ("2 (a3 - y) a2^T", "the factors match, but your formula is the gradient times 2"),
        ("(2 a3 - 2 y) a2^T", "the factors match, but your formula is the gradient times 2"),
        ("-2 (a3 - y) a2^T", "the factors match, but your formula is the gradient times -2"),
        ("(y - a3) a2^T", "the factors match, but your formula is the gradient times -1"),
    ],
)
def test_a_number_times_a_sum_is_a_factor_of_the_coefficient(formula: str, note: str) -> None:
    """hostile43b #1: SymPy spreads 2 (a3 - y) into 2 a3 - 2 y, and the notes said the formula
    lacked 'a3 - y' and had '2 a3 - 2 y', which the student never wrote."""
    assert sb.check_formula("4-3-2-1", "W3", formula).notes == [note]


def test_a_factor_repeated_is_counted_and_the_batch_mean_is_a_coefficient() -> None:
    """hostile43b #1: a2 ⊙ a2 (SymPy's a2^2) was told it lacked 'a2'; (1/2) (A2 - Y) A1^T,
    (m/2) times the batch gradient (1/m)(A2 - Y) A1^T, was told it lacked 'A2 - Y'."""
    mse = sb.Network.parse("3-2-2", loss="mse")
    notes = sb.check_formula(mse, "W2", "((a2 - y) * (1 - a2) * a2 * a2) a1^T").notes
    assert notes == ["your formula has 'a2' as a factor twice where the derivation has it once"]
    notes = sb.check_formula(mse, "W2", "((a2 - y) * (1 - a2)) a1^T").notes
    assert notes == ["the derivation has 'a2' as a factor, which your formula does not"]
    for formula in ("(1/2) (A2 - Y) A1^T", "0.5 (A2 - Y) A1^T", "(A2 - Y) A1^T / 2"):
        report = sb.check_formula("3-2-2", "W2", formula, batch=True)
        assert report.notes == ["the factors match, but your formula is the gradient times m/2"]


CURVED = "W : n x k\nX : k x m\nsizes: n = 2, k = 3\nJ = sum(exp(10 W X)) / 1000\ndata: X\n"


@pytest.mark.parametrize("mode", ["full", "directional"])
@pytest.mark.parametrize(
    "source", [MODELS / "batch_norm.model", MODELS / "logdet_inv.model", CURVED]
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_large_step_truncation_is_extrapolated_away(source: object, mode: str) -> None:
    """hostile43c #2: at eps = 1e-2 the truncation error eps^2 J'''/6 is no bounded share of the
    gradient (batch_norm: 3.5e-3 relative), and right gradients failed (exit 1, "check
    failed" beside a passing exact check). A failing row is measured again at eps / 2 and
    extrapolated; a gradient 0.1% off still fails."""
    model = sb.Model.from_file(source) if isinstance(source, Path) else sb.Model.parse(source)
    module = sb.compile(model)
    params = module.init_params(3)
    rng = np.random.default_rng(3)
    shapes = {name: module.DATA_SHAPES[name] for name in module.DATA}
    data = [
        rng.standard_normal(tuple(4 if d == "m" else d for d in shapes[name])) for name in shapes
    ]
    if "logdet" in str(source):  # log det(inv(X)): a positive determinant, near singular
        params = {"X": np.eye(3) * 0.2 + 0.02 * rng.standard_normal((3, 3))}
    result = sb.gradcheck(module, params, *data, eps=1e-2, mode=mode)
    assert result.ok, result
    assert any("Richardson" in row.reason for row in result.rows), result
    wrong = _Scaled(module, 1.001, next(iter(params)))
    assert not sb.gradcheck(wrong, params, *data, eps=1e-2, mode=mode).ok


NMF = (
    "X : n x c\nW : n x k\nH : k x c\nsizes: n = 4, k = 2, c = 3\n"
    "J = sum(W H - X ⊙ log(W H))\ndata: X\n"
)
LOG_DATA = "X : n x k\nW : n x k\nsizes: n = 3, k = 2\nJ = sum(W ⊙ log(X))\ndata: X\n"


def test_leaves_under_a_log_or_a_root_are_found_through_definitions() -> None:
    assert sb.Model.parse(NMF).positive_leaves == ("W", "H")
    assert sb.Model.parse(LOG_DATA).positive_leaves == ("X",)
    rooted = "W : n x k\nsizes: n = 2, k = 2\nP = W ⊙ W\nJ = sum(P^0.5)\ndata:\n"
    assert sb.Model.parse(rooted).positive_leaves == ("W",)
    assert (
        sb.Model.parse("w : n x 1\nsizes: n = 2\nJ = sum(exp(w))\ndata:\n").positive_leaves == ()
    )


@pytest.mark.slow  # 4 s: two `check` processes
def test_a_model_defined_only_for_positive_leaves_is_checked_there(tmp_path: Path) -> None:
    """hostile43c #4: log(X) of a data leaf, NMF's log(W H): the signed draws never gave the
    model a value (2^-6 of them do, 2^-12 for 12 entries), and `check` gave up ("nothing to
    compare"). Those leaves are drawn positive then, and the output says so."""
    for text, name in ((NMF, "nmf"), (LOG_DATA, "log_data")):
        path = tmp_path / f"{name}.model"
        path.write_text(text)
        done = subprocess.run(
            [sys.executable, "-m", "symbackprop", "check", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        out = " ".join(done.stdout.split())
        assert done.returncode == 0, done.stdout + done.stderr
        assert "drawn positive: the model has no value at the signed draws" in out
        assert "all checks passed" in out


def test_a_formula_of_a_model_defined_only_for_positive_leaves_is_decided() -> None:
    """hostile43c #4: the formula checker said "the model has no value at any of the 60 points
    drawn" for right and wrong formulas alike; it compares at positive draws of those leaves
    now, and says so."""
    model = sb.Model.parse(LOG_DATA)
    right = sb.check_formula(model, "W", "log(X)")
    assert right.exit_code == 0
    assert any("X drawn positive" in note for note in right.notes), right.notes
    assert sb.check_formula(model, "W", "X").exit_code == 1
    assert sb.check_formula(sb.Model.parse(NMF), "W", "(1 - X / (W H)) H^T + W").exit_code == 1


CUBES = "4-" + "3:f-" * 9 + "1:identity"


@pytest.mark.slow  # 1 s: three ten-layer derivations
def test_polynomial_activations_past_the_exact_degree_are_skipped_and_said() -> None:
    """hostile43a #3: ten layers of a custom z^3 kept `check`'s exact check and `shapecheck`
    running past two minutes; six take two seconds."""
    from symbackprop.check.exact import exact_degree_refusal

    net = sb.Network.parse(CUBES, define={"f": "z^3"}, loss="mse")
    refused = exact_degree_refusal(sb.derive(net))
    assert refused is not None and "9 layers of polynomial activations" in refused
    with pytest.raises(sb.SpecError, match="layers of polynomial activations compound"):
        sb.check_exact(sb.derive(net))
    report = sb.check_formula(net, "W1", "delta1 x^T")
    assert report.exit_code == 2 and "polynomial activations compound" in str(report.error)
    six = sb.Network.parse("4-" + "3:f-" * 5 + "1:identity", define={"f": "z^3"}, loss="mse")
    assert exact_degree_refusal(sb.derive(six)) is None
    swish = sb.Network.parse("4-" + "3:f-" * 9 + "1", define={"f": "z*sigmoid(z)"})
    assert exact_degree_refusal(sb.derive(swish)) is None  # a table's value: no growth


def test_a_power_of_a_sum_and_nested_softmax_are_answered_quickly() -> None:
    """hostile43a #1, #2: (a3 + sum(x))^100 was multiplied out (176,851 terms, 107 s); each
    softmax level doubled the typed entry (8 levels past two minutes)."""
    assert sb.check_formula("4-3-2-1", "W3", "(a3 + sum(x))^100 a2^T").exit_code == 1
    nested = "z2"
    for _ in range(8):
        nested = f"softmax({nested})"
    ce = sb.Network.parse("4-3-3:softmax", loss="ce")
    report = sb.check_formula(ce, "W2", f"({nested} - y) a1^T")
    assert report.exit_code == 2 and "nests softmax 5 deep" in str(report.error)


def test_a_models_polynomial_activation_counts_in_its_exact_degree() -> None:
    """hostile43a #3: f(f(...f(w ⊙ x))) 25 deep with f = z^2 + z ran past two minutes (the
    budget counted a function call's degree as its argument's)."""
    from symbackprop.check.model_exact import oracle_work

    nested = "w ⊙ x"
    for _ in range(25):
        nested = f"f({nested})"
    model = sb.Model.parse(
        f"x : n x 1\nw : n x 1\nsizes: n = 2\nJ = sum({nested})\ndata: x\n",
        define={"f": "z^2 + z"},
    )
    assert oracle_work(sb.derive(model)).degree == 2**25


def test_a_sum_without_a_common_number_factor_is_shown_as_written() -> None:
    """review43 #3: (2 a3 - y) was noted as 'a3 - (1/2) y', a form the student never wrote."""
    notes = sb.check_formula("4-3-2-1", "W3", "(2 a3 - 3 y) a2^T").notes
    assert "your formula has '2 a3 - 3 y', which the derivation does not" in notes


def test_a_leaf_the_model_takes_at_either_sign_is_drawn_signed() -> None:
    """review43 #1: with X under log(X), every leaf under a log or root was drawn positive,
    W of sqrt(W ⊙ W + 1) too, and |W| / sqrt(W ⊙ W + 1), wrong for W < 0, passed."""
    model = sb.Model.parse(
        "X : n x k\nW : n x k\nsizes: n = 2, k = 2\n"
        "J = sum(log(X)) + sum(sqrt(W ⊙ W + 1))\ndata: X\n"
    )
    assert model.positive_leaves == ("W", "X")
    wrong = sb.check_formula(model, "W", "sqrt(W ⊙ W) / sqrt(W ⊙ W + 1)")
    assert wrong.exit_code == 1
    assert any("have X drawn positive" in note for note in wrong.notes), wrong.notes
    assert sb.check_formula(model, "W", "W / sqrt(W ⊙ W + 1)").exit_code == 0


@pytest.mark.parametrize(
    "columns",
    ["0", pytest.param("1", marks=pytest.mark.slow), pytest.param("20", marks=pytest.mark.slow)],
)
@pytest.mark.slow  # over 1 s of the default suite (2026-12-07)
def test_a_narrow_or_zero_width_terminal_still_gets_the_verdict(columns: str) -> None:
    """hostile43a #5: COLUMNS=0 printed nothing and exited 0 (a silent pass of `check`);
    COLUMNS=20 cut the table's names and verdicts to "…"."""
    import os

    env = {**os.environ, "COLUMNS": columns}
    done = subprocess.run(
        [sys.executable, "-m", "symbackprop", "check", "3-2-1", "--no-exact"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0 and "finite differences passed" in done.stdout
    assert "│ W1 " in done.stdout and "│ ok │" in done.stdout, done.stdout


@pytest.mark.parametrize(
    "source", ["3-2-1", "w : n x 1\nx : n x 1\nsizes: n = 2\nJ = w^T x\ndata: x\n"]
)
def test_init_params_refuses_a_bool_seed(source: str) -> None:
    """hostile43a #7: init_params(seed=True) seeded 1, where every other seed refuses a bool."""
    module = sb.compile(sb.Model.parse(source) if "\n" in source else source)
    with pytest.raises(TypeError, match="seed must be a non-negative int or None, got True"):
        module.init_params(seed=True)


def test_an_option_read_as_the_output_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """hostile43a #7: `codegen 4-3-1 -o --force` wrote a file named --force."""
    from click.testing import CliRunner

    from symbackprop.cli.main import main

    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(main, ["codegen", "4-3-1", "-o", "--force"])
    assert done.exit_code == 2 and "reads as an option, not a file name" in done.stderr
    assert not (tmp_path / "--force").exists()
    assert CliRunner().invoke(main, ["codegen", "4-3-1", "-o", "./--force"]).exit_code == 0
    assert (tmp_path / "--force").exists()


@pytest.mark.slow  # 1.5 s: the finer steps of two rows
def test_a_cost_curving_faster_than_the_step_is_measured_at_finer_steps() -> None:
    """hostile43a #6: sin(10^6 z) failed a right gradient at the default eps ("check failed"
    beside a passing exact check): a failing row is measured again at eps / 100 down to
    1e-10, and passes there; a gradient 0.1% off still fails."""
    net = sb.Network.parse("2-2:f-1", define={"f": "sin(1000000*z)"}, loss="mse")
    module = sb.compile(net)
    params = module.init_params(0)
    X = np.random.default_rng(0).standard_normal((2, 3))
    Y = np.random.default_rng(1).standard_normal((1, 3))
    result = sb.gradcheck(module, params, X, Y)
    assert result.ok, result
    assert "at the finer step 1e-10" in result.rows[0].reason
    assert not sb.gradcheck(_Scaled(module, 1.001, "W1"), params, X, Y).ok
