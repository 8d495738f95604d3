"""Issue 12's must-show outputs: the LaTeX document (PDF), the slides and the Markdown of the
lecture's network, a relu/softmax network, an L2 batch network and a model with a skip
connection, with no ASCII math outside code (the HTML pages: tests/test_html.py and, in a
browser, tests/test_html_browser.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from latex_support import run_pdflatex

import symbackprop as sb
from symbackprop.render.slides import to_slides

ROOT = Path(__file__).resolve().parent.parent
#: ASCII math that must not appear in typeset output (issue 12's list); ``\\sum_k`` is LaTeX
#: and ``**bold**`` Markdown, so a power is ``**`` between operands
ASCII_MATH = {
    "*log(": r"\*log\(",
    "ˆ": "ˆ",
    "sum_k": r"(?<!\\)sum_k",
    "lambda/": "lambda/",
    "1{": r"1\{",
    "**": r"[\w)]\*\*[\w(]",
}

CASES: dict[str, Callable[[], sb.Derivation]] = {
    "lecture_4-3-2-1": lambda: sb.derive("4-3-2-1"),
    "relu_softmax": lambda: sb.derive(
        sb.Network.parse("784-128:relu-10:softmax", loss="ce"), batch=True
    ),
    "l2_batch": lambda: sb.derive(sb.Network.parse("4-3:tanh-2", loss="mse", l2=0.5), batch=True),
    "skip_model": lambda: sb.derive(ROOT / "examples" / "models" / "residual_mlp.model"),
}


def _outside_code(text: str) -> str:
    """Markdown or LaTeX without its code blocks (verbatim and fenced), where code belongs."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    return re.sub(r"\\begin\{verbatim\}.*?\\end\{verbatim\}", " ", text, flags=re.S)


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_ascii_math_in_latex_or_markdown(name: str) -> None:
    d = CASES[name]()
    outputs = {"latex": sb.to_latex(d), "markdown": sb.to_markdown(d)}
    if getattr(d, "model", None) is None:  # slides are for dense networks
        outputs["slides"] = to_slides(d)
    for kind, text in outputs.items():
        rest = _outside_code(text)
        found = [name for name, pattern in ASCII_MATH.items() if re.search(pattern, rest)]
        assert not found, (kind, found)


def _compile(tex: str, folder: Path) -> Path:
    proc = run_pdflatex(folder, tex)
    errors = [line for line in proc.stdout.splitlines() if line.startswith("!")]
    assert proc.returncode == 0, errors or proc.stdout[-2000:]
    return folder / "doc.pdf"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_each_document_and_deck_builds_a_pdf(name: str, tmp_path: Path) -> None:
    d = CASES[name]()
    assert _compile(sb.to_latex(d), tmp_path).stat().st_size > 1000
    if getattr(d, "model", None) is None:
        deck = tmp_path / "deck"
        deck.mkdir()
        assert _compile(to_slides(d), deck).stat().st_size > 1000


def test_the_scan_catches_ascii_math() -> None:
    for bad in ("-y*log(a)", "a ˆT", "sum_k W", "(lambda/2m)", "1{z > 0}", "x**2", "(z)**(-1)"):
        assert any(re.search(pattern, bad) for pattern in ASCII_MATH.values()), bad
    for fine in (r"\sum_k y_k", "**Forward propagation**", r"\mathbb{1}\{z > 0\}"):
        assert not any(re.search(pattern, fine) for pattern in ASCII_MATH.values()), fine
