"""``symbackprop check`` of a model where points are undefined (leftovers of round 11).

- A seed whose gradient check has a row undefined a step away was discarded whole, also when
  another row had compared finite numbers and found them different: with such rows at every
  seed the verdict was exit 2 "nothing to compare" instead of the failure (exit 1).
- ``tr(inv(A - A^T))`` at n = 3 is singular at every point, but NumPy "inverts" A - A^T into
  1e23-sized entries (rounding leaves a pivot of 1e-17): the finite differences compared noise
  and reported a FAIL (exit 1). The check's module refuses a numerically singular inverse, so
  the point is undefined and, at every seed, the verdict is exit 2.
- Only numpy's LinAlgError (a singular inverse, the logdet helper's determinant <= 0) makes an
  undefined point; another ValueError of a module is a bug, raised, not read as a NaN.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import symbackprop as sb
from symbackprop.check.finite_diff import (
    NOT_FINITE_DIFFERENCE,
    GradCheck,
    GradCheckRow,
    cost_or_nan,
    settles,
)
from symbackprop.check.singular import _inverse
from symbackprop.cli.cmd_code import _cost_at
from symbackprop.cli.main import main

QUADRATIC = "examples/models/quadratic.model"
_FAILED = GradCheckRow("x", 0.5, 0.25, False, 3, 0, 3, "relative error > 1.0e-06")
_UNDEFINED = GradCheckRow("A", math.nan, math.nan, False, 9, 0, 9, NOT_FINITE_DIFFERENCE)
_PASSED = GradCheckRow("x", 1e-12, 1e-12, True, 3, 0, 3, "relative error <= 1.0e-06")


def test_a_seed_with_a_failed_finite_row_settles() -> None:
    assert settles(GradCheck([_FAILED, _UNDEFINED]))
    assert not settles(GradCheck([_PASSED, _UNDEFINED]))
    assert settles(GradCheck([_PASSED, _FAILED]))
    assert settles(GradCheck([_PASSED]))


def test_a_failure_beside_an_undefined_row_is_reported_as_a_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seeds: list[int] = []

    def gradcheck(*args: Any, seed: int, **kwargs: Any) -> GradCheck:
        seeds.append(seed)
        return GradCheck([_FAILED, _UNDEFINED], "full", 1e-6, 1.0)

    monkeypatch.setattr(sb, "gradcheck", gradcheck)
    done = CliRunner().invoke(main, ["check", QUADRATIC, "--no-exact"])
    assert done.exit_code == 1, done.output
    assert "nothing to compare" not in done.output
    assert seeds == [0]  # the first seed's failure is the verdict


def test_a_numerically_singular_inverse_is_an_undefined_point() -> None:
    nearly = np.array([[1.0, 1.0], [1.0, 1.0 + 2.0**-52]])  # det eps, condition 1.8e16
    assert np.all(np.isfinite(np.linalg.inv(nearly)))  # numpy inverts it
    with pytest.raises(np.linalg.LinAlgError):
        _inverse(nearly)
    well = np.array([[2.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(_inverse(well) @ well, np.eye(2), atol=1e-15)


def test_the_inverse_of_a_skew_matrix_at_odd_n_is_not_compared(tmp_path: Path) -> None:
    model = tmp_path / "skew.model"
    model.write_text("A : n x n\nsizes: n = 3\nJ = tr(inv(A - A^T))\ndata:\n", encoding="utf-8")
    done = CliRunner().invoke(main, ["check", str(model), "--no-exact"])
    assert done.exit_code == 2, done.output
    assert "nothing to compare" in done.output and "FAIL" not in done.output


def test_only_a_linalg_error_is_an_undefined_point() -> None:
    def singular() -> float:
        raise np.linalg.LinAlgError("Singular matrix")

    def bug() -> float:
        raise ValueError("operands could not be broadcast together")

    assert math.isnan(cost_or_nan(singular))
    with pytest.raises(ValueError, match="broadcast"):
        cost_or_nan(bug)

    class Broken:
        def forward(self, params: Any, *data: Any) -> Any:
            raise ValueError("operands could not be broadcast together")

    with pytest.raises(ValueError, match="broadcast"):
        _cost_at(Broken(), {}, ())


def test_the_logdet_helper_raises_a_linalg_error() -> None:
    module = sb.compile(sb.Model.parse("A : 3 x 3\nJ = logdet(A)\ndata:\n"))
    with pytest.raises(np.linalg.LinAlgError, match="positive determinant"):
        module.forward({"A": -np.eye(3)})
    cost, _ = module.forward({"A": 2.0 * np.eye(3)})
    assert cost == pytest.approx(3.0 * math.log(2.0), rel=1e-15)
