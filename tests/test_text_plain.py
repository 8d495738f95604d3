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
from symbackprop.render.lines import cells

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
        (MODELS / "residual_mlp.model", None),
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
