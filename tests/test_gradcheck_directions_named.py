"""A directional gradient check counts directions, not entries (hostile16 4g: its rows said
"0 of 8 entries checked, 80 skipped" of 8 random directions drawn 80 times)."""

from __future__ import annotations

import numpy as np
import pytest

import symbackprop as sb
from cli import cmd_code


@pytest.fixture(scope="module")
def dead_bias_check() -> sb.GradCheck:
    """2-3:relu-1 with zero biases and a zero data column: every direction on b1 crosses
    relu's kink, each is drawn again, 10 times the 4 asked for."""
    module = sb.compile("2-3:relu-1")
    params = module.init_params(seed=0)
    X = np.array([[1.0, 0.0, -2.0], [0.5, 0.0, 1.5]])
    Y = np.array([[1.0, 0.0, 1.0]])
    return sb.gradcheck(module, params, X, Y, mode="directional", directions=4)


def test_directional_rows_count_directions(dead_bias_check: sb.GradCheck) -> None:
    rows = {row.parameter: row for row in dead_bias_check.rows}
    assert rows["W1"].coverage == "4 of 4 directions checked" and rows["W1"].ok
    assert rows["b1"].coverage == "0 of 4 directions checked" and rows["b1"].skipped == 40
    text = str(dead_bias_check)
    assert "entries" not in text and "40 draws crossed a kink" in text
    full = sb.gradcheck(sb.compile("2-3:relu-1"), sb.compile("2-3:relu-1").init_params(seed=1),
                        np.ones((2, 3)), np.ones((1, 3)), mode="full")  # fmt: skip
    assert full.rows[0].coverage == "6 of 6 entries checked"


def test_the_cli_table_says_directions(
    dead_bias_check: sb.GradCheck, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(Exception, match="cannot decide"):
        cmd_code._report_checks(dead_bias_check, None, 3, "directional", 1e-6, None)
    out = capsys.readouterr().out
    assert "4 of 4 directions" in out and "0 of 4 directions" in out
    assert "entries" not in out and "skipped" not in out
