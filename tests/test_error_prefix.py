"""Every command's errors share one prefix and the same condition one wording (hostile14 #9).

click's usage errors used to say "symbackprop latex: error: ..." (the command path) where the
library's and the CLI's own said "symbackprop: error: ...", and ``--indices`` on a model said
"a model's steps have no index view yet" in derive but "not yet for a model" in latex. Now
every error line starts "symbackprop: error: " (a usage error's hint still names the command's
help), and a network-only view refused for a model reads the same in every command.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from symbackprop.cli.main import main

MODEL = str(Path(__file__).resolve().parents[1] / "examples" / "models" / "trace.model")
COMMANDS = main.list_commands(click.Context(main))
#: command -> its arguments before an unknown option (gradients takes no spec)
SPEC = {"gradients": [], "shapecheck": ["3-2-1", "--wrt", "W1"]}


def _stderr(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2, (args, result.output)
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_the_commands_are_the_ones_looped_over() -> None:
    assert set(COMMANDS) >= {"check", "codegen", "derive", "latex", "shapes", "gradients"}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_usage_error_and_a_spec_error_have_one_prefix_in_every_command(command: str) -> None:
    spec = SPEC.get(command, ["3-2-1"])
    unknown = _stderr(command, *spec, "--no-such-flag")
    assert unknown.startswith("symbackprop: error: No such option '--no-such-flag'")
    assert unknown.rstrip().endswith(f"(see 'symbackprop {command} --help')")
    if command == "gradients":
        bad = _stderr(command, "--activation", "nosuch")
    else:
        bad = _stderr(command, "3-2:nosuch-1", *spec[1:])
    assert bad.startswith("symbackprop: error: "), bad


@pytest.mark.parametrize(
    ("command", "flag"), [("derive", "--indices"), ("latex", "--indices"), ("latex", "--slides")]
)
def test_a_network_only_view_is_refused_for_a_model_in_one_wording(
    command: str, flag: str
) -> None:
    said = _stderr(command, MODEL, flag)
    assert said == (
        f"symbackprop: error: {flag} is for dense networks; not yet for a model "
        f"(see 'symbackprop {command} --help')\n"
    )
