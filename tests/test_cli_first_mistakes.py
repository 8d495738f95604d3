"""First-try mistakes on the command line get one line that says what to type instead
(newcomer 4.13): a spec where the command belongs, a parameter name in the wrong case."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from symbackprop.cli.main import main
from tests.test_cli import run


def test_a_spec_without_a_command_suggests_derive() -> None:
    proc = run("4-3-2-1", "--batch")
    assert proc.returncode == 2
    assert proc.stderr == (
        "symbackprop: error: missing command before the spec '4-3-2-1': try "
        "'symbackprop derive 4-3-2-1 --batch' (see 'symbackprop --help')\n"
    )


@pytest.mark.parametrize(
    "spec", ["784-128:relu-10:softmax", "n-3-2-1", "examples/models/quadratic.model"]
)
def test_every_kind_of_spec_without_a_command_suggests_derive(spec: str) -> None:
    result = CliRunner().invoke(main, [spec])
    assert result.exit_code == 2
    assert f"try 'symbackprop derive {spec}'" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("word", "command"),
    [
        ("shape-check", "shapecheck"),
        ("shape_check", "shapecheck"),  # click offered 'check' beside it
        ("code-gen", "codegen"),
        ("Code_Gen", "codegen"),
        ("deriv", "derive"),
        ("check-grad", "check"),
    ],
)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_hyphenated_misspelling_names_the_command_not_a_missing_one(
    word: str, command: str
) -> None:
    # review13 R8: any hyphenated word was taken for a spec ("try 'symbackprop derive
    # shape-check 4-3-2-1 ...'"), though the user had only misspelled the command
    proc = run(word, "4-3-2-1", "--wrt", "W1", "0")
    assert proc.returncode == 2
    assert proc.stderr == (
        f"symbackprop: error: No such command '{word}'. Did you mean '{command}'? "
        "(see 'symbackprop --help')\n"
    )


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize(
    "spec",
    ["4-3-2-1", "n-h:relu-1", "n-h-1", "n-h-k", "examples/models/rnn_3.model", "code-gen.model"],
)
def test_a_real_spec_still_gets_the_missing_command_advice(spec: str) -> None:
    proc = run(spec, "--batch")
    assert proc.returncode == 2
    assert proc.stderr == (
        f"symbackprop: error: missing command before the spec '{spec}': try "
        f"'symbackprop derive {spec} --batch' (see 'symbackprop --help')\n"
    )


def test_a_hyphenated_word_far_from_every_command_is_no_command() -> None:
    proc = run("foo-bar", "4-3-2-1")
    assert proc.returncode == 2
    assert (
        proc.stderr
        == "symbackprop: error: No such command 'foo-bar'. (see 'symbackprop --help')\n"
    )


def test_a_misspelled_command_still_gets_clicks_suggestion() -> None:
    result = CliRunner().invoke(main, ["derv", "4-3-2-1"])
    assert result.exit_code == 2
    assert "Did you mean 'derive'?" in result.stderr


@pytest.mark.parametrize(
    ("args", "close"),
    [
        (["derive", "4-3-2-1", "--wrt", "w2"], "W2"),
        (["latex", "4-3-2-1", "--wrt", "B1"], "b1"),
        (["shapecheck", "4-3-2-1", "--wrt", "w2", "delta2 a1^T"], "W2"),
        (["derive", "examples/models/quadratic.model", "--wrt", "a"], "A"),
        (["shapecheck", "examples/models/rnn_3.model", "--wrt", "u", "U"], "U"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else v,
)
def test_wrt_in_the_wrong_case_suggests_the_parameter(args: list[str], close: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert f"(did you mean '{close}'?)" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "no such parameter" not in result.stderr  # it repeated "not a parameter"


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_a_loss_in_capitals_suggests_the_name() -> None:
    proc = run("shapes", "4-3-1", "--loss", "BCE")
    assert proc.returncode == 2
    assert proc.stderr == (
        "symbackprop: error: loss 'BCE': unknown loss (did you mean 'bce'?); known: bce, ce, mse\n"
    )


def test_an_unknown_activation_says_how_the_command_line_adds_one() -> None:
    result = CliRunner().invoke(main, ["shapes", "4-3-1", "--hidden", "swish"])
    assert result.exit_code == 2
    assert "(or add one with --define NAME=FORMULA, in Python define=" in result.stderr
    result = CliRunner().invoke(main, ["shapes", "4-3:Softplus-1"])
    assert "(did you mean 'softplus'?)" in result.stderr


def test_no_arguments_is_one_line_naming_a_first_command() -> None:
    # it was the whole --help squeezed onto one error line
    result = CliRunner().invoke(main, [])
    assert result.exit_code == 2
    assert result.stderr == (
        "symbackprop: error: missing command: try 'symbackprop derive 4-3-2-1' (the lecture's "
        "network) (see 'symbackprop --help')\n"
    )


def test_derive_text_to_a_file_says_how(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["derive", "4-3-2-1", "-o", "out.txt"])
    assert result.exit_code == 2
    assert "the default text goes to stdout: write '> out.txt' instead of '-o out.txt'" in (
        result.stderr
    )
    assert not (tmp_path / "out.txt").exists()


def test_shapecheck_counterexample_sizes_read_as_elsewhere() -> None:
    # they printed as a Python dict: "sizes {'n0': 3, 'n1': 3, ...}" (newcomer 4.5)
    argv = ["shapecheck", "4-3-2-1", "--batch", "--wrt", "W2", "(1/m) delta2 A1^T"]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 1
    text = " ".join(result.stdout.replace("│", " ").split())
    assert "at sizes n0=3, n1=3, n2=2, n3=1, m=2)" in text
    assert "{'n0'" not in text


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_pi_in_a_model_is_refused_not_made_a_parameter(tmp_path: Path) -> None:
    # `c = pi` made a 1 x 1 parameter named pi, and `check` passed on it
    path = tmp_path / "pi.model"
    path.write_text("x : 3 x 1\nW : 2 x 3\ndata: x\nc = pi\nJ = sum(W x) * c\n", encoding="utf-8")
    proc = run("check", str(path))
    assert proc.returncode == 2
    assert proc.stderr == (
        f"symbackprop: error: model file '{path}': line 4: 'pi' would be a parameter, but it "
        "reads as a constant (for the number write 3.141592653589793); declare it "
        "('pi : 1 x 1') if it is one\n"
    )


def test_a_dash_for_standard_input_is_told_it_is_not_read() -> None:
    """``symbackprop derive - < net.model`` said "part 1 is empty" (hostile25 #7)."""
    result = CliRunner().invoke(main, ["derive", "-"], input="X : 3 x m\n")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "standard input is not read; pass a file (.model, .toml or .json)" in result.stderr


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--define", "SHAPES=", "'SHAPES=': nothing after '='; expected a formula, e.g. swish="),
        ("--size", "n0=", "'n0=': nothing after '='; expected a size, e.g. n=4"),
        ("--define", "=z", "'=z': expected NAME=FORMULA, e.g. swish=z*sigmoid(z)"),
    ],
)
def test_an_assignment_with_nothing_after_its_equals_sign_says_so(
    option: str, value: str, words: str
) -> None:
    result = CliRunner().invoke(main, ["derive", "4-3-1", option, value])
    assert result.exit_code == 2
    assert words in result.stderr and result.stderr.count("\n") == 1
