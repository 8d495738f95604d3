"""The exact check on models (issue 11, item 5): every gradient entry of every parameter
against SymPy's ``diff`` of the cost, in exact rational arithmetic, at small sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp
from test_model_derive import DEFINE, LOGDET_INV, MODELS, NORM2_SQUARED, SOFTMAX_L2, TRACE

import symbackprop as sb
from symbackprop.check.model_exact import (
    EVALUATIONS_PER_UNIT,
    EXACT_BUDGET,
    ModelCheck,
    model_sizes,
    oracle_work,
)
from symbackprop.model import Model
from symbackprop.records.activations import ACTIVATIONS
from symbackprop.records.kinks import breakpoints
from symbackprop.records.nodes import T

EXAMPLES = sorted(Path(__file__).parent.parent.glob("examples/models/*.model"))

#: measured over 1 s each (the defaults: every dimension 2, m = 2, three points), and two
#: near 0.5 s, to keep this file's share of the default suite near 3 s
SLOW_EXAMPLES = {
    "batch_norm",
    "dropout",
    "logdet_inv",
    "logistic_l2",
    "norm2_squared",
    "residual_mlp",
    "rnn_3",
    "softmax_l2",
    "tied_autoencoder",
    "trace",
    "two_heads",
}
#: the test models the examples repeat run in the slow suite only, as do those over 1 s
SLOW_MODELS = (SLOW_EXAMPLES | {p.stem for p in EXAMPLES} | {"kitchen_sink", "edge_cases"}) - {
    "logdet"
}


def _params(names: list[str], slow: set[str]) -> list[object]:
    return [pytest.param(n, marks=pytest.mark.slow) if n in slow else n for n in names]


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("name", _params([p.stem for p in EXAMPLES], SLOW_EXAMPLES))
def test_every_example_model_passes(name: str) -> None:
    model = Model.from_file(Path(__file__).parent.parent / "examples" / "models" / f"{name}.model")
    result = sb.check_exact(model)
    assert result.ok, result.mismatches

    def entries(at: dict[str, int]) -> int:
        sizes = {sp.Symbol(k, integer=True, positive=True): v for k, v in at.items()}
        return sum(
            int(sp.sympify(rows).xreplace(sizes)) * int(sp.sympify(cols).xreplace(sizes))
            for rows, cols in (model.shapes[p] for p in model.parameters)
        )

    # every other trial at the other sizes (hostile36d #1), where the model has a size to vary
    settings = [result.sizes, result.other_sizes or result.sizes]
    assert result.entries == sum(entries(settings[t % 2]) for t in range(result.trials))


@pytest.mark.parametrize("key", _params(sorted(MODELS), SLOW_MODELS))
def test_every_test_model_passes(key: str) -> None:
    result = sb.check_exact(Model.parse(MODELS[key][0], define=DEFINE))
    assert result.ok, result.mismatches


def test_a_wrong_gradient_is_caught_with_the_parameter_named() -> None:
    # -inv(X)^T is the gradient of log(det(inv(X))); without the transpose it has the same shape
    d = sb.derive(Model.parse(LOGDET_INV))
    d.gradients["X"] = d.gradients["X"].T
    result = sb.check_exact(d, trials=1)
    assert not result.ok
    assert {m.parameter for m in result.mismatches} == {"X"}
    assert "SymPy's diff gives" in str(result.mismatches[0])


def test_a_wrong_factor_is_caught_and_the_right_parameters_pass() -> None:
    d = sb.derive(Model.parse(TRACE))
    d.gradients["B"] = 2 * d.gradients["B"]
    result = sb.check_exact(d, trials=1)
    assert {m.parameter for m in result.mismatches} == {"B"}


def test_a_gradient_of_the_wrong_shape_is_a_mismatch_not_an_exception() -> None:
    d = sb.derive(Model.parse(NORM2_SQUARED))
    d.gradients["x"] = d.gradients["x"].T
    result = sb.check_exact(d, trials=1, sizes={"k": 3, "n": 2})
    assert not result.ok
    assert "shape" in str(result.mismatches[0]) or "cannot be evaluated" in str(
        result.mismatches[0]
    )


def test_a_derivation_and_sizes_are_accepted() -> None:
    d = sb.derive(Model.parse(MODELS["quadratic"][0]))
    result = sb.check_exact(d, trials=1, sizes={"n": 3})
    assert result.ok and result.entries == 3 + 9
    assert result.sizes == {"n": 3}


def test_default_sizes_are_small_and_keep_a_width_of_one() -> None:
    model = Model.parse("x : n x 1\ny : 1 x 1\nsizes: n = 7\nJ = mse(w^T x, y)\ndata: x, y")
    d = sb.derive(model)
    assert {str(k): v for k, v in model_sizes(d, None).items()} == {"n": 2}
    batch = sb.derive(Model.parse(SOFTMAX_L2))
    assert set(model_sizes(batch, None).values()) == {2}


def test_targets_are_valid_for_their_loss() -> None:
    d = sb.derive(Model.parse(SOFTMAX_L2))
    check = ModelCheck(d, model_sizes(d, None), seed=3)
    assert check.targets == {"Y": "one-hot"}
    env = check.point()
    y = env["Y"]
    assert all(sum(y[:, j]) == 1 and set(y[:, j]) <= {0, 1} for j in range(y.shape[1]))


def test_kinks_are_found_in_activations_and_abs() -> None:
    relu = ACTIVATIONS["relu"]
    assert breakpoints(relu.function(T), T) == frozenset({0})
    assert breakpoints(sp.Abs(T - sp.Rational(1, 2)), T) == frozenset({sp.Rational(1, 2)})
    assert breakpoints(sp.exp(T), T) == frozenset()


def test_logdet_points_have_a_positive_determinant() -> None:
    d = sb.derive(Model.parse(MODELS["logdet"][0]))
    check = ModelCheck(d, model_sizes(d, None), seed=0)
    for _ in range(3):
        assert check.point()["X"].det() > 0


#: hostile8 item 7: `check` spent 20-37 s of CPU in the oracle's symbolic inverses of these
COSTLY_INVERSES = {
    "inv3d": "W : 3 x 3\nJ = det(inv(inv(inv(W))))\ndata:\n",
    "inv5": "W : 3 x 3\nJ = det(inv(inv(inv(inv(inv(W))))) W W W)\ndata:\n",
    "ld": "W : 3 x 3\nJ = logdet(inv(W W^T + 1) W W^T + 1)\ndata:\n",
}


@pytest.mark.parametrize("key", sorted(COSTLY_INVERSES))
def test_the_oracles_inverses_are_budgeted_before_anything_runs(key: str) -> None:
    work = oracle_work(sb.derive(Model.parse(COSTLY_INVERSES[key])))
    reason = work.over()
    assert work.units > EXACT_BUDGET and reason is not None
    assert "up to 3 x 3" in reason and f"{work.inversions:,} times" in reason


def test_a_few_small_inverses_stay_within_the_budget() -> None:
    # log(det(inv(X))) at n = 2 (its sizes: n = 3 is checked at 2): 12 inverses of a 2 x 2 leaf
    logdet_inv = oracle_work(sb.derive(Model.parse(LOGDET_INV)))
    # (and 72 entries evaluated in e: 12 per parameter entry and trial, in X^-1, det and log)
    assert (logdet_inv.inversions, logdet_inv.evaluations, logdet_inv.over()) == (12, 72, None)
    assert logdet_inv.units == 48 + -(-72 // EVALUATIONS_PER_UNIT)
    # one inverse of a 3 x 3 leaf (about 5 s measured) is run; of inv(W) it is not
    leaf = oracle_work(sb.derive(Model.parse("W : 3 x 3\nJ = sum(inv(W))\ndata:\n")))
    assert leaf.units == 3 * 9 * 9 + -(-27 * 10 // EVALUATIONS_PER_UNIT) and leaf.over() is None
    product = oracle_work(sb.derive(Model.parse("W : 3 x 3\nJ = det(W W)\ndata:\n")))
    assert (product.inversions, product.evaluations) == (0, 27 * 10)


def _rnn(steps: int) -> str:
    """examples/models/rnn_3.model unrolled over ``steps`` steps."""
    lines = [f"X{t} : n0 x m" for t in range(1, steps + 1)]
    lines += ["Y : 1 x m", "W : n1 x n1", "U : n1 x n0", "sizes: n0 = 3, n1 = 4"]
    lines += ["h1 = tanh(U X1 + b)"]
    lines += [f"h{t} = tanh(W h{t - 1} + U X{t} + b)" for t in range(2, steps + 1)]
    data = ", ".join(f"X{t}" for t in range(1, steps + 1))
    return "\n".join([*lines, f"J = mse(v^T h{steps} + c, Y)", f"data: {data}, Y"])


def test_the_entries_the_oracle_differentiates_are_budgeted() -> None:
    """hostile9 item 6: the exact check of the RNN unrolled over 10 steps took ~16 s of CPU,
    under the former cap of 12 equations, with no inverse to count: every entry evaluated in
    e (and differentiated) is work. rnn_3 at its check sizes (width 2, m = 2: about 3 s) is
    run; at width 3 and m = 3 (4,368 entries, about 10 s) it is over the budget."""
    rnn = sb.derive(Model.parse(_rnn(3)))
    assert oracle_work(rnn).evaluations == 1209 and oracle_work(rnn).over() is None
    wide = oracle_work(rnn, {"n1": 3, "m": 3})
    reason = wide.over()
    assert wide.evaluations == 4368 and wide.units > EXACT_BUDGET and reason is not None
    assert "evaluate 4,368 entries" in reason and "invert" not in reason


@pytest.mark.slow
def test_an_rnn_over_ten_steps_is_over_the_budget() -> None:
    ten = oracle_work(sb.derive(Model.parse(_rnn(10))))
    assert ten.evaluations == 4065 and ten.over() is not None


@pytest.mark.slow
def test_a_skipped_exact_check_says_how_to_run_it_on_this_file(tmp_path: Path) -> None:
    """The skip line spells the Python call for the file checked, not a placeholder."""
    from click.testing import CliRunner

    from symbackprop.cli.main import main

    path = tmp_path / "rnn10.model"
    path.write_text(_rnn(10))
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output
    said = "".join(result.output.split())  # the console wraps a long path anywhere
    assert f"sb.check_exact(sb.derive({str(path)!r}))inPythonrunsitanyway" in said


# -- custom activations: the oracle reads a custom as its formula (hostile10 #5) -------------
#: bce of a custom sigmoid: the derivation cancels sg' = sg (1 - sg) into sg - Y
CUSTOM_BCE = "X : n x m\nY : 1 x m\nsizes: n = 1\nJ = bce(sg(w^T X), Y)\n"


@pytest.mark.parametrize(
    ("formula", "cost"),
    [
        ("sigmoid(z)", "bce(sg(w^T X), Y)"),
        # its derivative is written sigmoid(z): it keeps its own table (written out as
        # log(1 + exp(z)), the tables would not know sigmoid = exp / (1 + exp))
        ("log(1+exp(z))", "sum(sg(w^T X) ⊙ Y)/m"),
        pytest.param("log(1+exp(-z))", "sum(sg(w^T X) ⊙ Y)/m", marks=pytest.mark.slow),
        pytest.param("sigmoid(2*z)", "bce(1 - sg(w^T X), Y)", marks=pytest.mark.slow),
        pytest.param("sigmoid(z)", "mse(sg(w^T X), Y)", marks=pytest.mark.slow),
        pytest.param("1/(1+exp(-z))", "bce(sigmoid(sg(w^T X)), Y)", marks=pytest.mark.slow),
        pytest.param("tanh(z)", "sum(sg(w^T X) ⊙ Y)/m", marks=pytest.mark.slow),
        # its derivative holds exp(2 z), which the tables read as exp(z)^2
        pytest.param("exp(z)/(2+exp(z))", "sum(sg(w^T X) ⊙ Y)/m", marks=pytest.mark.slow),
    ],
)
def test_a_custom_activation_is_checked_as_its_formula(formula: str, cost: str) -> None:
    """A custom's own random table forgot sg' = sg (1 - sg) (which the derivation used to
    cancel bce) and drew sg outside (0, 1): a right gradient was a mismatch."""
    text = CUSTOM_BCE.replace("bce(sg(w^T X), Y)", cost)
    result = sb.check_exact(Model.parse(text, define={"sg": formula}), trials=1)
    assert result.ok, result.mismatches
    assert result.entries == 1


@pytest.mark.slow
def test_a_wrong_gradient_of_a_custom_activation_is_still_caught() -> None:
    d = sb.derive(Model.parse(CUSTOM_BCE, define={"sg": "sigmoid(z)"}))
    d.gradients["w"] = 2 * d.gradients["w"]
    result = sb.check_exact(d, trials=1)
    assert not result.ok and {m.parameter for m in result.mismatches} == {"w"}


def test_a_skipped_exact_check_says_how_long_it_would_take() -> None:
    """hostile33: residual_mlp at m = 100000 was told 'sb.check_exact(...) in Python runs it
    anyway', 4,125,007 units at 0.02 s each, about 23 hours, which it did not say."""
    from symbackprop.check.model_exact import OracleWork

    assert OracleWork(10, 0, 0, 300).over() is None
    assert "(about 25 s of CPU)" in str(OracleWork(9_951, 0, 0, 1_244).over())
    assert "(about 12 min of CPU)" in str(OracleWork(10**5, 0, 0, 36_000).over())
    assert "(about 23 h of CPU)" in str(OracleWork(10**7, 0, 0, 4_125_007).over())
