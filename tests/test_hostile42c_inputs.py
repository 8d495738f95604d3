"""Inputs refused in words that contradicted themselves or not at all (hostile42c #5, #6)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sympy as sp

import symbackprop as sb
from symbackprop.errors import SpecError
from symbackprop.model import Model

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


def test_a_null_loss_in_a_spec_file_is_refused(tmp_path: Path) -> None:
    """#5: JSON's null read as the default bce, where a null activation is refused."""
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"input": 4, "layers": [{"units": 1}], "loss": None}))
    with pytest.raises(SpecError, match="'loss' must be a name .* got null; leave it out"):
        sb.Network.from_file(path)
    path.write_text(json.dumps({"input": 4, "layers": [{"units": 1}]}))
    assert sb.Network.from_file(path).loss == "bce"


@pytest.mark.parametrize("source", ["n-3-1", "model"])
def test_sizes_keyed_by_a_symbol_are_refused_as_such(source: str) -> None:
    """#6: sizes={Symbol('n'): 4} was told "no width named 'n'; its named widths: n"."""
    if source == "model":
        found: object = Model.from_file(MODELS / "residual_mlp.model")
        key = sp.Symbol("n0")
    else:
        found, key = source, sp.Symbol("n")
    for call in (sb.codegen, sb.compile):
        with pytest.raises(SpecError, match="keyed by a .* name as a string .* not a Symbol"):
            call(found, sizes={key: 4})  # type: ignore[arg-type,dict-item]


@pytest.mark.slow  # over 1 s of the default suite (2026-12-07)
def test_a_formula_with_too_many_inverses_is_refused_at_the_first_past_the_limit() -> None:
    """#2: 99 nested inv(...) took the exact comparison 46 s, 49 nested inv(X + ...) 106 s."""
    from symbackprop.apps.shapecheck.check import FORMULA_MAX_MATRIX_CALLS

    model = Model.from_file(MODELS / "logdet_inv.model")
    deep = "inv(" * 99 + "X" + ")" * 99
    report = sb.check_formula(model, "X", deep)
    assert report.exit_code == 2
    assert "calls inv, det and logdet 99 times; at most 16" in str(report.error)
    assert report.error is not None and report.error.position == 4 * FORMULA_MAX_MATRIX_CALLS
    at_limit = "inv(" * FORMULA_MAX_MATRIX_CALLS + "X" + ")" * FORMULA_MAX_MATRIX_CALLS
    assert sb.check_formula(model, "X", at_limit).exit_code == 1  # compared: not the gradient


@pytest.mark.slow  # over 1 s of the default suite (2026-12-07)
def test_a_model_of_too_many_operations_is_refused_at_the_line_past_the_limit() -> None:
    """#3: 95 equations of 90 tanh terms each (17,000 operations in 142 KB, within the
    character, line and equation limits) took derive 42 s and codegen 74 s."""
    from symbackprop.core.model_graph import MAX_OPERATIONS

    lines = ["x : 3 x 1", "W : 3 x 3", "h0 = W x"]
    lines += [
        f"h{i} = " + " + ".join(f"tanh(h{i - 1} * {k})" for k in range(1, 41))
        for i in range(1, 60)
    ]
    lines += ["J = sum(h59)", "data: x"]
    with pytest.raises(
        SpecError,
        match=f"line .*: the model's equations make more than {MAX_OPERATIONS:,} operations",
    ):
        sb.derive(Model.parse("\n".join(lines)))


@pytest.mark.slow  # over 1 s of the default suite (2026-12-07)
def test_a_factor_of_the_input_width_is_compared_at_the_network_own_width() -> None:
    """hostile42d #1: N = sum(1{exp(x) > 0}) is n0; a factor 1 + (N - 2)...(N - 7) is 1 at
    every small size compared (2, 3, 4, 7) and 20161 at 10-2-1's own n0 = 10: compared there
    now (its own widths were taken up to 8 only), it fails."""
    n = "sum(1{exp(x) > 0})"
    factor = "(1 + " + "".join(f"({n} - {k})" for k in (3, 2, 4, 5, 6, 7)) + ")"
    right = "((W2^T delta2) * a1 * (1 - a1)) x^T"
    report = sb.check_formula("10-2-1", "W1", f"{factor} {right}")
    assert report.exit_code == 1, report.error
    assert sb.check_formula("10-2-1", "W1", right).ok


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ('input = 4\n[[layers]]\nunits = "3"\n', "layers entry 1 (layer 1): 'units'"),
        ('input = "4"\n[[layers]]\nunits = 3\n', "'input'"),
    ],
)
def test_a_width_written_as_a_string_of_digits_is_refused(
    tmp_path: Path, text: str, part: str
) -> None:
    """hostile42b #4: units = "3" was taken as 3 where 3.0 is refused; a name stays a name."""
    path = tmp_path / "net.toml"
    path.write_text(text)
    with pytest.raises(
        SpecError, match=re.escape(part) + r" is the string .*; write [34] \(a number\)"
    ):
        sb.Network.from_file(path)
    path.write_text('input = "n"\n[[layers]]\nunits = 3\n')
    assert sb.Network.from_file(path).widths == ("n", 3)
