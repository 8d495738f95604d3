"""`shapes --format json` and `latex --wrt`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from symbackprop.cli.main import main


def test_shapes_json_has_every_name_and_gradient() -> None:
    result = CliRunner().invoke(main, ["shapes", "4-3-2-1", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["W2"] == {"shape": "n2 x n1", "size": "2 x 3"}
    assert data["dJ/dW1"] == {"shape": "n1 x n0", "size": "3 x 4"}
    assert data["y"]["shape"] == "n3 x 1"


def test_latex_wrt_keeps_only_one_parameter() -> None:
    result = CliRunner().invoke(main, ["latex", "4-3-2-1", "--wrt", "W2", "--snippet"])
    assert result.exit_code == 0, result.output
    assert r"\partial W^{[2]}" in result.output
    assert r"\partial W^{[1]}" not in result.output
    assert r"\odot" in result.output and r"\circ" not in result.output


def test_latex_wrt_unknown_parameter_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["latex", "4-3-2-1", "--wrt", "W9"])
    assert result.exit_code == 2
