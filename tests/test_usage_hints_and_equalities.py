"""Two first mistakes get a message that says what to do (hostile16 #4 d, e): an option
given no value names the command's help like every other usage error, and an equality
inside 1{...} is named as such, not as a stray '='."""

from __future__ import annotations

import pytest

from symbackprop.cli.main import main
from symbackprop.errors import FormulaError
from symbackprop.formula.parser import parse


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (["derive", "4-3-2-1", "--format"], "symbackprop derive"),
        (["shapecheck", "4-3-1", "--wrt"], "symbackprop shapecheck"),
        (["--debug2"], "symbackprop"),
    ],
)
def test_an_option_without_its_value_names_the_commands_help(
    args: list[str], path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(args, prog_name="symbackprop")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symbackprop: error: ")
    assert err.rstrip().endswith(f"(see '{path} --help')"), err


@pytest.mark.parametrize("comparison", ["==", "!=", "≠"])
def test_an_equality_in_an_indicator_is_named(comparison: str) -> None:
    with pytest.raises(FormulaError, match=r"a comparison inside 1\{\.\.\.\} is one of >, >="):
        parse(f"1{{z1 {comparison} 0}}")


def test_an_assignment_still_says_to_write_the_right_hand_side() -> None:
    with pytest.raises(FormulaError, match="write only the right-hand side"):
        parse("dW1 = x")
