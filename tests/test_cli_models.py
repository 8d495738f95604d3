"""Models on the command line: every SPEC-taking command reads a model file; the options
that describe a network are refused with one line; every bad model is exit 2 with one line
naming its line and reason (the 100+ cases of test_model_errors, through the CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.cli.main import main
from tests.test_cli import run
from tests.test_model_errors import CASES

ROOT = Path(__file__).resolve().parent.parent
MODELS = sorted((ROOT / "examples" / "models").glob("*.model"))
RESIDUAL = str(ROOT / "examples" / "models" / "residual_mlp.model")


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def _one_line_error(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("symbackprop")
    assert "Traceback" not in result.stdout + result.stderr


def test_every_example_model_is_a_valid_spec() -> None:
    assert len(MODELS) >= 15
    for path in MODELS:
        result = invoke("shapes", str(path), "--format", "json")
        assert result.exit_code == 0, (path.name, result.stderr)
        table = json.loads(result.stdout)
        assert any(row["kind"] == "parameter" for row in table.values()), path.name


def test_shapes_say_which_equation_forced_an_inferred_shape() -> None:
    result = invoke("shapes", RESIDUAL, "--format", "json")
    table = json.loads(result.stdout)
    assert table["b1"] == {
        "kind": "parameter",
        "shape": "n1 x 1",
        "size": "3 x 1",
        "from": "line 7: z1 = W1 X + b1",
    }
    assert table["W1"]["from"] == "declared"
    assert table["dJ/dW2"]["shape"] == "n0 x n1"
    assert table["X"]["size"] is None  # m has no size until --size m=...
    sized = json.loads(invoke("shapes", RESIDUAL, "--format", "json", "--size", "m=8").stdout)
    assert sized["X"]["size"] == "4 x 8"
    text = invoke("shapes", RESIDUAL)
    assert text.exit_code == 0
    assert "line 7: z1 = W1 X + b1" in text.stdout


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--hidden", "relu"),
        ("--output", "sigmoid"),
        ("--activation", "tanh"),
        ("--loss", "mse"),
        ("--l2", "0.1"),
        ("--batch", None),
        ("--single", None),
    ],
)
def test_network_options_are_refused_with_a_model(flag: str, value: str | None) -> None:
    args = [flag] if value is None else [flag, value]
    for command in ("derive", "shapes", "latex"):
        result = invoke(command, RESIDUAL, *args)
        _one_line_error(result)
        assert flag in result.stderr and "applies to a network" in result.stderr
        batch_words = "m columns makes it a batch" in result.stderr
        assert batch_words == (flag in ("--batch", "--single")), result.stderr


def test_collapse_refuses_a_model() -> None:
    # (``gradients`` takes no SPEC: it builds its own deep networks)
    result = invoke("collapse", RESIDUAL)
    _one_line_error(result)
    assert "'collapse' takes a network" in result.stderr


def test_wrt_and_size_name_the_model() -> None:
    result = invoke("derive", RESIDUAL, "--wrt", "h")
    _one_line_error(result)
    assert "'h' is defined by an equation, not a parameter" in result.stderr
    assert "W1, b1, W2, w, c" in result.stderr
    result = invoke("shapes", RESIDUAL, "--size", "n9=3")
    _one_line_error(result)
    assert "no dimension named 'n9'" in result.stderr and "n0, n1" in result.stderr
    assert "(and m, the batch size)" in result.stderr  # residual_mlp has a batch


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_size_m_on_a_model_without_a_batch_is_refused() -> None:
    """hostile14 #2: `check trace.model --size m=3` was accepted, and the exact check then
    skipped itself over the irrelevant size ("finished; exact check skipped", exit 0)."""
    trace = str(ROOT / "examples" / "models" / "trace.model")
    for command in ("check", "derive", "codegen", "shapes"):
        result = invoke(command, trace, "--size", "m=3")
        _one_line_error(result)
        assert "no dimension named 'm'; its dimensions: k, n, p\n" in result.stderr, command
    result = invoke("check", trace, "--size", "n=2")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "exact check: ok" in result.stdout


def test_toml_and_json_model_files(tmp_path: Path) -> None:
    text = (ROOT / "examples" / "models" / "quadratic.model").read_text(encoding="utf-8")
    (tmp_path / "q.toml").write_text(f'equations = """\n{text}"""\n', encoding="utf-8")
    (tmp_path / "q.json").write_text(json.dumps({"equations": text}), encoding="utf-8")
    for name in ("q.toml", "q.json"):
        result = invoke("shapes", str(tmp_path / name), "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["A"]["shape"] == "n x n"


@pytest.mark.parametrize(("text", "line", "word"), CASES)
def test_bad_model_files_exit_2_naming_line_and_reason(
    text: str, line: int, word: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.model"
    path.write_text(text, encoding="utf-8")
    result = invoke("shapes", str(path))
    _one_line_error(result)
    assert f"line {line}" in result.stderr, result.stderr
    assert word.lower() in result.stderr.lower(), result.stderr


def test_a_bad_model_as_a_real_process(tmp_path: Path) -> None:
    path = tmp_path / "typo.model"
    path.write_text("X : n x m\nY : 1 x m\nJ = bce(sigmod(w^T X), Y)\n", encoding="utf-8")
    proc = run("derive", str(path))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "line 3" in proc.stderr
    assert "sigmod" in proc.stderr and "sigmoid" in proc.stderr  # the suggestion


def test_define_adds_a_custom_activation_to_a_model(tmp_path: Path) -> None:
    path = tmp_path / "swish.model"
    path.write_text("X : n x m\nY : 1 x m\nJ = mse(swish(w^T X), Y)\n", encoding="utf-8")
    refused = invoke("shapes", str(path))
    _one_line_error(refused)
    assert "swish" in refused.stderr
    result = invoke("shapes", str(path), "--define", "swish=z*sigmoid(z)", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["w"]["shape"] == "n x 1"


def test_codegen_writes_the_apis_module_and_names_a_missing_size(tmp_path: Path) -> None:
    import symbackprop as sb

    result = invoke("codegen", RESIDUAL)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == sb.codegen(sb.Model.from_file(RESIDUAL))
    path = tmp_path / "nosizes.model"
    path.write_text("X : n x m\nY : 1 x m\nJ = bce(sigmoid(w^T X), Y)\n", encoding="utf-8")
    missing = invoke("codegen", str(path))
    _one_line_error(missing)
    assert "'n'" in missing.stderr or " n " in missing.stderr, missing.stderr
    sized = invoke("codegen", str(path), "--size", "n=3")
    assert sized.exit_code == 0 and '"w": (3, 1)' in sized.stdout
    refused = invoke("codegen", RESIDUAL, "--single")
    _one_line_error(refused)


@pytest.mark.parametrize("name", ["quadratic", pytest.param("two_heads", marks=pytest.mark.slow)])
def test_check_passes_on_a_model(name: str) -> None:
    result = invoke("check", str(ROOT / "examples" / "models" / f"{name}.model"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout
    assert "exact check: ok" in result.stdout
    if name == "quadratic":  # x : n x 1, no batch: the title names no m (it said m=3)
        assert "finite differences (full, eps=1e-06)\n" in result.stdout


def test_check_of_a_model_with_numbers_for_every_dimension_names_no_size(tmp_path: Path) -> None:
    """hostile7 #11: "at the small sizes ," (an empty list) and "m=3" for a model with no m."""
    path = tmp_path / "numbers.model"
    path.write_text("W : 3 x 2\nx : 2 x 1\nJ = sum(tanh(W x))\ndata: x\n", encoding="utf-8")
    result = invoke("check", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    text = " ".join(result.stdout.split())  # rich wraps the exact check's line
    assert "finite differences (full, eps=1e-06) " in text
    assert "rational arithmetic at the model's own sizes, 3 trials" in text
    assert "sizes ," not in text and "m=" not in text


def test_check_draws_a_zero_started_parameter_off_a_kink() -> None:
    """hostile7 #13: at m = 1 batch_norm's N is 0, so relu(gamma N + beta) sits on its kink for
    every seed while beta (only ever added) starts at 0: "beta: 0 of 4 checked", exit 1 for a
    right gradient. beta is drawn at random instead, and the output says so."""
    path = ROOT / "examples" / "models" / "batch_norm.model"
    result = invoke("check", str(path), "--size", "m=1", "--no-exact")
    assert result.exit_code == 0, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    # --no-exact: the summary says the exact check did not run (it said "all checks passed")
    assert "exact check: skipped (not asked for: --no-exact)" in text
    assert "finite differences passed for every parameter but W, gamma, which nothing" in text
    assert "verified; exact check skipped" in text
    rows = text.replace("exact check: skipped", "").replace("exact check skipped", "")
    assert "4 of 4" in text and "skipped" not in rows  # no direction of beta left out
    assert "note: beta (only ever added) drawn at random, not at 0" in text


#: models a hostile tester found crashing (exit 3) or hanging, each now one line, exit 2
HOSTILE = [
    # a parameter with a row per example is declared so (W : m x n): only in batch form
    ("x : n x 1\nW : m x n\nJ = sum(W x)\ndata: x", "no data leaf has m columns"),
    ("x : n x 1\nW : k x n\nJ = (1/m) sum(W x)\ndata: x", "single-example form"),
    ("x : n x 1\nW : k x n\nJ = sum(W x) / 0\ndata: x", "infinite"),
    ("x : n x 1\nW : k x n\nJ = sum(W x) + log(-2)\ndata: x", "complex"),
    ("x : n x 1\nW : k x n\nJ = sum(W x) + log(0)\ndata: x", "infinite"),
    ("X : n x m\nY : 1 x m\nW : 1 x n\nJ = ce(softmax(W X), Y)\ndata: X, Y", "1 row"),
    ("x : n x 1\nW : k x n\nJ = sum((W x)^1000000)\ndata: x", "at most 1000"),
    ("x : n x 1\nW : k x n\nJ = sum(((W x)^2)^2^2^2^2)\ndata: x", "at most 1000"),
    ("X : n x m\nY : 1 x m\nW : 1 x n\nJ = bce(Y, sigmoid(W X))\ndata: X, Y", "target"),
    # hostile10 #1: NaN cost and gradients once a softmax entry rounded to 1 (as a network's)
    ("X : n x m\nY : k x m\nW : k x n\nJ = bce(softmax(W X), Y)", "bce of a softmax"),
    ("X : n x m\nY : k x m\nW : k x n\nS = softmax(W X)\nJ = bce(S, Y)", "ce(softmax(...), Y)"),
    # and log(1 - softmax) written out: -inf and NaN gradients once an entry rounded to 1
    ("X : n x m\nY : k x m\nW : k x n\nJ = -sum(Y ⊙ log(1 - softmax(W X)))", "log(1 - softmax"),
    ("X : n x m\nW : k x n\nS = softmax(W X)\nC = 1 - S\nJ = sum(log(C))", "ce(softmax(...)"),
    # hostile11 #7: an alias or an identity in between (R = S, ^T^T, ⊙ 1, + 0) let them through
    ("X : n x m\nY : k x m\nW : k x n\nS = softmax(W X)\nR = S\nJ = bce(R^T^T, Y)", "bce of"),
    ("X : n x m\nY : k x m\nW : k x n\nJ = bce(1 ⊙ softmax(W X) + 0, Y)", "bce of a softmax"),
    ("X : n x m\nW : k x n\nS = softmax(W X) ⊙ 1\nJ = sum(log(1 - S^T^T))", "log(1 - softmax"),
    # review of round 11, F4: one transpose (the same entries) let them through too
    ("X : n x m\nY : m x k\nW : k x n\nP = softmax(W X)\nJ = bce(P^T, Y)", "bce of a softmax"),
    ("X : n x m\nW : k x n\nP = softmax(W X)\nJ = -sum(log(1 - P^T))", "log(1 - softmax"),
    # numbers are exact fractions of at most 30 digits; 1e-300 said "needs more than 30 digits"
    ("x : n x 1\nW : k x n\nJ = 1e-300 sum(W x)\ndata: x", "'1e-300' is too small to keep exact"),
    ("x : n x 1\nW : k x n\nc = 1e30\nJ = c sum(W x)\ndata: x", "'1e30' is too large"),
]


@pytest.mark.parametrize(("text", "word"), HOSTILE)
def test_hostile_models_are_one_line_exit_2(text: str, word: str, tmp_path: Path) -> None:
    path = tmp_path / "hostile.model"
    path.write_text(text + "\n", encoding="utf-8")
    for command in ("derive", "check", "shapes"):  # shapes lists gradients: it refuses too
        result = invoke(command, str(path))
        _one_line_error(result)
        assert word in result.stderr, (command, result.stderr)
        # found while deriving, named like a parse error: the file, then the line
        assert "error: model file '" in result.stderr and "': line " in result.stderr


def test_check_refuses_a_model_over_the_memory_budget_or_too_long(tmp_path: Path) -> None:
    big = tmp_path / "big.model"
    big.write_text(
        "x : n x 1\nW : k x n\nsizes: n = 100000, k = 100000\nJ = sum(tanh(W x))\ndata: x\n",
        encoding="utf-8",
    )
    result = invoke("check", str(big))
    _one_line_error(result)
    assert "GiB" in result.stderr and "--memory" in result.stderr
    lines = ["x : n x 1", "W : n x n", "sizes: n = 2", "h0 = x"]
    lines += [f"h{i} = tanh(W h{i - 1})" for i in range(1, 150)]
    long = tmp_path / "long.model"
    long.write_text("\n".join([*lines, "J = sum(h149)", "data: x"]) + "\n", encoding="utf-8")
    result = invoke("check", str(long))
    _one_line_error(result)
    assert "151 equations; at most 100" in result.stderr


def test_a_double_transpose_typesets() -> None:
    import symbackprop as sb

    model = sb.Model.parse("x : n x 1\nW : k x n\nJ = sum(tanh((W^T)^T x))\ndata: x\n")
    tex = sb.to_latex(sb.derive(model))
    assert r"^{\top}}^{\top}" in tex and r"^{\top}^{\top}" not in tex


@pytest.mark.parametrize(
    ("name", "text"), [("empty.toml", ""), ("comment.toml", "# nothing\n"), ("empty.json", "{}")]
)
def test_an_empty_spec_file_says_it_is_empty(name: str, text: str, tmp_path: Path) -> None:
    """It asked for 'input' only, as if a model file could not be meant."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = invoke("derive", str(path))
    _one_line_error(result)
    assert "the file is empty (no keys)" in result.stderr and "'equations'" in result.stderr
    path.write_text('loss = "mse"\n' if name.endswith(".toml") else '{"loss": "mse"}')
    result = invoke("derive", str(path))
    _one_line_error(result)
    assert "missing key 'input'" in result.stderr and "'equations' for a model" in result.stderr


def test_a_small_constant_within_the_digit_limit_is_accepted() -> None:
    import symbackprop as sb

    model = sb.Model.parse("x : n x 1\nW : k x n\nc = 1e29\nJ = 1e-29 c sum(W x)\ndata: x\n")
    assert "dJ/dW" in sb.to_text(sb.derive(model))


@pytest.mark.slow
def test_check_skips_an_exact_check_over_its_budget_and_says_why(tmp_path: Path) -> None:
    """hostile8 item 7: 20-37 s of CPU in SymPy's inverses of symbolic 3 x 3 matrices; the
    budget is decided from the graph, the finite differences still run."""
    path = tmp_path / "inv3d.model"
    path.write_text("W : 3 x 3\nJ = det(inv(inv(inv(W))))\ndata:\n", encoding="utf-8")
    result = invoke("check", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    # the summary says what ran (hostile11 #17: it said "all checks passed")
    assert "9 of 9" in text and "finite differences passed; exact check skipped" in text
    assert "exact check: skipped (SymPy would evaluate 756 entries" in text
    assert "invert matrices of symbolic entries, up to 3 x 3, 81 times" in text
    assert "over the budget of 300" in text and "sb.check_exact(" in text


def test_check_over_its_exact_budget_still_finds_a_part_with_no_value(tmp_path: Path) -> None:
    """hostile31 F2: over the exact check's budget, nothing judged a log of an argument 0 by
    an identity of functions, which the module folds away (0 * log(0)): finite differences
    passed, exit 0. The exact check's first step (a forward pass) runs at any budget."""
    path = tmp_path / "no_value.model"
    zero = "0 * sum(log(sigmoid(w) + sigmoid(-w) - 1))"
    path.write_text(f"W : 3 x 3\nw : 3 x 1\nJ = det(inv(inv(inv(W)))) + {zero}\ndata:\n")
    result = invoke("check", str(path))
    assert result.exit_code == 2, result.stdout + result.stderr
    text = " ".join((result.stdout + result.stderr).split())
    assert "exact check: not run (the model has no value at any of the 3 points drawn" in text
    assert "its argument is 0 to 60 digits" in text and "cannot decide" in text
    assert "finite differences passed" not in text


#: hostile11 #10-#12: a model undefined at every drawn point (a logdet of a determinant <= 0,
#: an inverse of a singular matrix) was exit 3; one undefined a step away too
UNDEFINED = [
    "A : n x n\nsizes: n = 3\nJ = logdet(-(A A^T))\ndata:",
    # the same product twice is two values to the graph: only a point shows the difference is 0
    "A : n x n\nsizes: n = 3\nJ = logdet(A A^T - A A^T) + sum(A)\ndata:",
    # (tr(inv(x x^T)), x 3 x 1, is refused from its shapes: tests/test_model_singular_at_its_sizes)
    # hostile13 #7: an overflow through a constant, a cause the message now lists
    "X : 3 x m\nY : 1 x m\nJ = mse(exp(700) w^T X, Y)",
    # hostile15 5e: a real cube root of negative entries, a cause the message now names
    # (W^(1/3) alone is checked at W drawn positive since hostile43c #4; this one is negative
    # at every point)
    "W : 2 x 2\nJ = sum((-(W ⊙ W) - 1)^(1/3))\ndata:",
]


@pytest.mark.parametrize("text", UNDEFINED)
def test_check_of_a_model_undefined_near_every_point_is_exit_2(text: str, tmp_path: Path) -> None:
    path = tmp_path / "undefined.model"
    path.write_text(text + "\n", encoding="utf-8")
    result = invoke("check", str(path), "--no-exact")
    _one_line_error(result)
    assert "not finite" in result.stderr and "nothing to compare" in result.stderr
    assert "beyond the float range" in result.stderr
    assert "a log, sqrt or fractional power of a negative number" in result.stderr


#: a function with no value (or no slope) at a number that a value is at every point, as the
#: graph's structure shows: the model has no cost to differentiate, however the value is used
#: afterwards (``0 *`` folded it away, and finite differences of the module passed)
CONSTANT_ARGUMENTS = [
    ("sum(w ⊙ x) + 0 * sum(log(w - w))", "log(w - w) is a log of 0 at every point: w - w is 0"),
    ("sum(w ⊙ x) + 0 * sum(x / (w - w))", "1 / (w - w) is a division by 0 at every point"),
    ("sum(w ⊙ x) + 0 * sum(sqrt(w - w - 1))", "and sqrt(-1) is no real number"),
    ("sum(w ⊙ x) + sum(sqrt(w - w))", "has no derivative at any point"),
    ("sum(w ⊙ x) + 0 * log(sum(w ⊙ (x - x)))", "log(sum(w ⊙ (x - x))) is a log of 0"),
    ("sum(w ⊙ x) + 0 * log(sum(0 ⊙ w^T))", "0 ⊙ w^T) is 0 whatever values"),
    ("sum(w ⊙ x) + sum((2 w - w - w)^(-2))", "(2 w - w - w)^-2 is a division by 0"),
    ("sum(w ⊙ x) + 0 * logdet((w - w) w^T)", "logdet((w - w) w^T) is a log of 0"),
    ("sum(w ⊙ x) + 0 * sum(inv((w - w) w^T))", "is an inverse of a zero matrix"),
    ("bce(0 ⊙ w + 1, x)", "bce(0 ⊙ w + 1, x) takes a log of 0 at every point"),
    # hostile31 F3: terms that cancel through transposes (each w^T is a value of its own)
    ("sum(w ⊙ x) + 0 * sum(log(w^T - w^T))", "log(w^T - w^T) is a log of 0 at every point"),
    ("sum(w ⊙ x) + 0 * sum(log(w - w^T^T))", "log(w - w^T^T) is a log of 0 at every point"),
]


@pytest.mark.parametrize(("cost", "words"), CONSTANT_ARGUMENTS)
@pytest.mark.parametrize("command", ["derive", "check"])
def test_a_function_of_a_value_constant_everywhere_with_no_value_there_is_refused(
    cost: str, words: str, command: str, tmp_path: Path
) -> None:
    path = tmp_path / "constant.model"
    path.write_text(f"x : n x 1\nw : n x 1\nJ = {cost}\nsizes: n = 3\ndata: x\n", "utf-8")
    result = invoke(command, str(path))
    _one_line_error(result)
    assert "line 3: " in result.stderr and words in result.stderr


def test_check_cannot_decide_when_the_model_has_no_value_where_the_code_has_one(
    tmp_path: Path,
) -> None:
    """tr(w w^T) - tr(w^T w) is 0 everywhere, which only a point shows (the graph's structure
    does not): 0 times its log folded away, finite differences of the module passed and
    check said so, exit 0, of a model with no value anywhere."""
    path = tmp_path / "trace0.model"
    cost = "sum(w ⊙ x) + 0 * log(tr(w w^T) - tr(w^T w))"
    path.write_text(f"x : n x 1\nw : n x 1\nJ = {cost}\nsizes: n = 3\ndata: x\n", "utf-8")
    result = invoke("check", str(path))
    _one_line_error(result)
    assert (
        "cannot decide: the model or its derivative has no value at any of the 60 points "
        "drawn (log of 0)" in result.stderr
    )
    assert "yet the generated code's cost was finite" in result.stderr
    exact = sb.check_exact(sb.derive(sb.Model.from_file(path)))
    assert exact.cost_undefined and not exact.ok and exact.mismatches == []


@pytest.mark.parametrize(
    ("cost", "gradient"),
    [
        ("sum(w ⊙ x) + sum(exp(w - w))", "x"),  # exp(0) = 1: a constant, its gradient 0
        ("sum(w ⊙ x) + norm2(w - w)", "x"),  # norm2's slope at 0 is the subgradient 0 in code
        ("mse(0 ⊙ w, x) + sum(w)", "ones"),
        ("sum(w ⊙ x) + 0 * sum(log(w - w + 2))", "x"),
    ],
)
def test_a_function_of_a_constant_value_where_it_is_defined_is_derived(
    cost: str, gradient: str, tmp_path: Path
) -> None:
    """Not refused, and the gradient is right: the constant part adds 0 to it."""
    import numpy as np

    path = tmp_path / "constant.model"
    path.write_text(f"x : n x 1\nw : n x 1\nJ = {cost}\nsizes: n = 3\ndata: x\n", "utf-8")
    module = sb.compile(sb.Model.from_file(path))
    x = np.array([[0.5], [-1.5], [2.0]])
    cost_value, grads = module.loss_and_grads({"w": np.array([[1.0], [2.0], [-3.0]])}, x)
    assert np.isfinite(cost_value)
    np.testing.assert_allclose(grads["w"], x if gradient == "x" else np.ones((3, 1)))


def test_check_says_not_run_when_the_exact_check_finds_no_point(tmp_path: Path) -> None:
    """det(A - A) is 0 at every point: the exact check compared nothing, which is no FAILED
    and no mismatch (it was exit 1 for a right gradient); the finite differences decide."""
    path = tmp_path / "det.model"
    path.write_text("A : n x n\nsizes: n = 3\nJ = det(A - A) + sum(A)\ndata:\n", encoding="utf-8")
    result = invoke("check", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    said = "exact check: not run (the derivation's adjoints have no value at any of the 60 points"
    assert said in text
    assert "mismatch" not in text and "FAILED" not in text
    # hostile11 #17: the summary said "all checks passed" with the exact check not run
    assert "finite differences passed; exact check not run" in text
    assert "all checks passed" not in text
    exact = sb.check_exact(sb.derive(sb.Model.parse(path.read_text(encoding="utf-8"))))
    assert not exact.ok and exact.mismatches == [] and "no value at any" in exact.undecided
    assert not exact.cost_undefined  # the gradient's form had no value, not the model


@pytest.mark.parametrize(
    ("cost", "reason"),
    [
        # hostile12 #13: "(a kink of Abs(_t) at [0])", a SymPy class and an internal name;
        # an argument at its kink at every draw is constant, and compared (hostile48d #3)
        ("norm1(A - A)", None),
        # SymPy's own "Matrix det == 0; not invertible"
        ("det(A - A)", "(an inverse of a singular matrix)"),
    ],
)
def test_check_says_why_no_point_was_found_in_the_models_words(
    cost: str, reason: str | None, tmp_path: Path
) -> None:
    path = tmp_path / "kink.model"
    path.write_text(f"A : n x n\nsizes: n = 3\nJ = {cost} + sum(A)\ndata:\n", encoding="utf-8")
    result = invoke("check", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    if reason is None:
        assert "exact check: ok" in text
    else:  # hostile49c #3: the derivation's adjoints, not the model, had no value
        said = "exact check: not run (the derivation's adjoints have no value at any of the 60"
        assert said in text and f"points drawn {reason})" in text
    assert "_t" not in text and "Abs" not in text and "Matrix" not in text


def test_check_of_a_det_whose_argument_is_singular_everywhere_passes(tmp_path: Path) -> None:
    """hostile27 #1: det(A - A^T) (n = 3) is 0 at every point, its gradient's form
    det(X) inv(X)^T has no value there: the check exited 3 (LinAlgError), then 2 ("the
    gradient code has no value"). The code computes adj(X)^T now, the gradient at every X
    (here adj(S)^T - adj(S) = 0 for the antisymmetric S, and the gradient is 2 A); the
    derivation still says its form holds for an invertible X."""
    path = tmp_path / "detskew.model"
    path.write_text("A : n x n\nsizes: n = 3\nJ = det(A - A^T) + sum(A ⊙ A)\ndata:\n")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "all checks passed" in result.output
    steps = sb.derive(sb.Model.from_file(path)).steps
    assert any("for an invertible (A - A^T)" in step.reason for step in steps)
