"""Hostile test 12, finding 11: a long model (an N-step chain sharing one W).

It has a documented limit on its equations, refused in one line before any work (exit 2),
and deriving and printing it is linear in N: the step of the shared W sums N contributions,
and neither its reasons' deduplication nor the printer's dropping of restatements compares
each contribution with all before it any more.
"""

from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner

import symbackprop as sb
import symbackprop.render as render
from cli.main import main
from symbackprop.core import segments
from symbackprop.model.statements import MAX_EQUATIONS


def chain(steps: int) -> str:
    """``h{i+1} = tanh(W h{i})`` for ``steps`` steps: ``steps + 2`` equations."""
    lines = ["X : n0 x m", "W : n0 x n0", "sizes: n0 = 3", "h0 = X"]
    lines += [f"h{i + 1} = tanh(W h{i})  # step {i + 1}" for i in range(steps)]
    return "\n".join([*lines, f"J = sum(h{steps})", "data: X"])


def test_a_model_over_the_equation_limit_is_refused_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = chain(MAX_EQUATIONS - 1)  # MAX_EQUATIONS + 1 equations
    with pytest.raises(sb.SpecError) as caught:
        sb.Model.parse(text)
    message = str(caught.value)
    assert f"model has {MAX_EQUATIONS + 1:,} equations; at most {MAX_EQUATIONS:,}" in message
    assert "\n" not in message
    path = tmp_path / "long.model"
    path.write_text(text)
    result = CliRunner().invoke(main, ["derive", str(path)])
    assert result.exit_code == 2
    assert f"at most {MAX_EQUATIONS:,}" in result.output
    assert "Traceback" not in result.output


def test_the_limit_counts_equations_not_lines_declarations_or_comments() -> None:
    text = chain(MAX_EQUATIONS - 2)  # exactly MAX_EQUATIONS equations
    text = text.replace("data: X", "data: X\n# a = b\n# c == d\n")
    from symbackprop.model.statements import read

    assert len(read(text).equations) == MAX_EQUATIONS


@pytest.mark.slow  # a speed property; the equation limit's refusal runs by default
def test_the_shared_weights_step_compares_its_contributions_linearly(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Segment comparisons while deriving and printing a chain grow linearly with N."""
    counts = {"eq": 0}

    def counting(cls: type) -> None:
        original = cls.__eq__

        def eq(self, other):  # type: ignore[no-untyped-def]
            counts["eq"] += 1
            return original(self, other)

        monkeypatch.setattr(cls, "__eq__", eq)

    for cls in (segments.Text, segments.Math, segments.Rel):
        assert dataclasses.is_dataclass(cls)
        counting(cls)
    used = []
    for steps in (100, 200):
        counts["eq"] = 0
        d = sb.derive(sb.Model.parse(chain(steps)))
        render.text.to_text(d)
        used.append(counts["eq"])
    # quadratic was 5,050 then 20,100 comparisons in the deduplication alone
    assert used[1] < 2.3 * used[0] + 100, used
