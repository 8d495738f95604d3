"""A log, root or division of a value that is 0 by an identity of functions (hostile31 F8, F9).

``J = sum(w) + 0 * sum(log(sigmoid(w) + sigmoid(-w) - 1))`` has no value anywhere, yet
``check`` said "all checks passed": the exact check reads each function as a table of random
rationals (sigmoid(w) and sigmoid(-w) independent), and the generated code folds ``0 * ...``
away. The true functions at 30 and 60 digits show the argument is rounding noise around 0.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.cli.main import main

IDENTITIES = [
    ("w : 2 x 2", "sum(w) + 0 * sum(log(sigmoid(w) + sigmoid(-w) - 1))"),
    ("w : 2 x 2", "sum(w) + 0 * sum(log(exp(w) ⊙ exp(-w) - 1))"),
    ("w : 2 x 1", "sum(w) + 0 * log(sum(w ⊙ w) - norm2(w)^2)"),
    ("w : 2 x 2", "sum(w) + 0 * sum(sqrt(tanh(w) + tanh(-w)))"),
]


@pytest.mark.parametrize(("shape", "cost"), IDENTITIES)
def test_a_zero_by_an_identity_of_functions_is_no_value(
    shape: str, cost: str, tmp_path: Path
) -> None:
    model = sb.Model.parse(f"{shape}\nJ = {cost}\ndata:\n")
    result = sb.check_exact(model)
    assert not result.ok and result.cost_undefined, result
    assert "its argument is 0 to 60 digits (an identity of its functions)" in result.undecided
    spec = tmp_path / "identity.model"
    spec.write_text(f"{shape}\nJ = {cost}\ndata:\n")
    done = CliRunner().invoke(main, ["check", str(spec)])
    assert done.exit_code == 2 and "cannot decide" in done.output, done.output


@pytest.mark.parametrize(
    "cost",
    [
        "sum(log(exp(-50 (w ⊙ w))))",  # tiny, but the same at 30 and 60 digits: a value
        "sum(log(relu(w) + 1))",
        "sum(w) + 0 * sum(log(relu(w)))",  # 0 where w < 0 only: the exact check redraws
        "sum(log(sigmoid(w) + sigmoid(-w)))",  # 1, not 0
    ],
)
def test_a_value_that_is_not_zero_everywhere_is_checked_as_before(cost: str) -> None:
    model = sb.Model.parse(f"w : 2 x 2\nJ = {cost}\ndata:\n")
    result = sb.check_exact(model)
    assert result.ok and not result.cost_undefined, result
