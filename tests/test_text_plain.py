"""sb.to_text (and a console without colour) join the text blocks themselves: the same text
rich prints from the styled pieces, without rich's work."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

import symbackprop as sb
from symbackprop.render import text as text_render
from symbackprop.render.lines import Lines, cells

MODELS = Path(__file__).parent.parent / "examples" / "models"


def _through_rich(d: object, width: int, **options: object) -> str:
    """What rich prints of the styled pieces (a colour terminal, its text without styles)."""
    console = Console(
        file=io.StringIO(), width=width, color_system="truecolor", force_terminal=True, record=True
    )
    for block in text_render.render(d, **options):  # type: ignore[arg-type]
        console.print(block, crop=False)
    text = console.export_text(styles=False)
    return "\n".join(line.rstrip() for line in text.split("\n"))


@pytest.mark.parametrize(
    ("source", "batch"),
    [
        ("4-3-2-1", False),
        ("5-4:relu-3:softmax", True),
        (MODELS / "rnn_3.model", None),
        # a second model through the same printers (rnn_3 stays)
        pytest.param(MODELS / "residual_mlp.model", None, marks=pytest.mark.slow),
    ],
    ids=str,
)
def test_to_text_is_what_rich_prints(source: object, batch: bool | None) -> None:
    if isinstance(source, str):
        network = sb.Network.parse(source, loss="ce" if "softmax" in source else "bce")
        d = sb.derive(network, batch=bool(batch))
    else:
        d = sb.derive(source)
    for width, options in ((100, {"expanded": True}), (40, {})):
        assert sb.to_text(d, width=width, **options) == _through_rich(d, width, **options)


def test_cells_is_richs_cell_len() -> None:
    for text in ("dJ/dW1", "a\tb", "x\x01", "⊙ a", "", " ~\x7f", "δ × λ"):
        assert cells(text) == cell_len(text)


# -- hostile8 item 8e: a gradient too wide for the terminal wraps like every other section --


def _rnn(steps: int) -> str:
    """An RNN unrolled over ``steps`` steps (examples/models/rnn_3.model, longer)."""
    xs = [f"X{t}" for t in range(1, steps + 1)]
    lines = [f"{x} : n0 x m" for x in xs] + ["Y : 1 x m", "W : n1 x n1", "U : n1 x n0"]
    lines += ["sizes: n0 = 3, n1 = 4", "h1 = tanh(U X1 + b)"]
    lines += [f"h{t} = tanh(W h{t - 1} + U X{t} + b)" for t in range(2, steps + 1)]
    return "\n".join([*lines, f"J = mse(v^T h{steps} + c, Y)", f"data: {', '.join(xs)}, Y"])


def test_a_wide_table_row_wraps_at_top_level_plus_and_the_others_stay_aligned() -> None:
    # the Gradients table of a 30-step RNN printed lines of 847 characters at width 80
    long = " + ".join(f"dJ/d(W h{t} + U X{t + 1} + b) 1_m" for t in range(1, 30))
    out = Lines()
    out.table(
        [(("dJ/db = " + long, ""), ("n1 x 1", "")), (("dJ/dc = c", ""), ("1 x 1", ""))],
        indent=2,
        gap=4,
    )
    lines = out.plain(80).splitlines()
    assert max(cells(line) for line in lines) <= 80
    assert lines[0].startswith("  dJ/db = dJ/d(W h1 + U X2 + b) 1_m")
    assert all(line.startswith("      + dJ/d(W h") for line in lines[1:-2])  # whole terms
    assert lines[-2].endswith("n1 x 1") or lines[-2].strip() == "n1 x 1"
    assert lines[-1] == "  dJ/dc = c    1 x 1"  # not padded to the wide row's width
    assert "".join(lines[:-1]).replace(" ", "").startswith(("dJ/db=" + long).replace(" ", ""))


@pytest.mark.slow
def test_derive_text_of_a_30_step_rnn_stays_within_the_width() -> None:
    d = sb.derive(sb.Model.parse(_rnn(30)))
    gradients = sb.to_text(d, width=80).split("\nGradients\n")[1]
    assert max(cells(line) for line in gradients.splitlines()) <= 80
