"""Every format numbers a step as the derivation does, and Markdown keeps each step's details
with it (hostile35b #1, #2, #8, #10 and #6).

A ``--wrt W2`` view of 4-3-2-1 shows steps 1, 2, 5, 6, 7: the text said so, as do the
generated code's ``[step 7]`` comments, but the LaTeX and Markdown renumbered them 1-5, a
model's text did too, and the JSON had no step number at all (DESIGN.md's ``Step.number``).
The Markdown wrote each step as an ordered-list item with details indented 3 spaces, one short
of a ``10. `` marker: from step 10 on, CommonMark (GitHub) made the details top-level bullets
and split the list. Each step is now a paragraph "**Step k.**" followed by its details as a
list, which renders the same at any step number.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown_it

import symbackprop as sb
from symbackprop.model import Model

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"


def _shown(text: str, pattern: str) -> list[int]:
    return [int(number) for number in re.findall(pattern, text, flags=re.MULTILINE)]


def test_a_wrt_view_keeps_the_derivations_numbers_in_every_format() -> None:
    d = sb.derive("4-3-2-1")
    want = [1, 2, 5, 6, 7]
    assert _shown(sb.to_text(d, wrt="W2"), r"^ ?(\d+)\. dJ/d") == want
    assert _shown(sb.to_markdown(d, wrt="W2"), r"^\*\*Step (\d+)\.\*\*") == want
    assert _shown(sb.to_latex(d, wrt="W2"), r"\\paragraph\{Step (\d+)\}") == want
    steps = json.loads(sb.to_json(d, wrt="W2"))["steps"]
    assert [step["number"] for step in steps] == want
    # the generated code names the same step 7 for dJ/dW2
    assert re.search(r"# dJ/dW2 .*\[step 7\]", sb.codegen("4-3-2-1"))


def test_a_models_wrt_view_keeps_the_derivations_numbers_in_every_format() -> None:
    model = Model.from_file(MODELS / "rnn_3.model")
    d = sb.derive(model)
    shown_text = _shown(sb.to_text(d, wrt="W"), r"^ ?(\d+)\. dJ/d")
    assert shown_text[0] == 1 and shown_text != list(range(1, len(shown_text) + 1))
    assert _shown(sb.to_markdown(d, wrt="W"), r"^\*\*Step (\d+)\.\*\*") == shown_text
    assert [s["number"] for s in json.loads(sb.to_json(d, wrt="W"))["steps"]] == shown_text
    latex = _shown(sb.to_latex(d, wrt="W"), r"\\paragraph\{Step (\d+)\}")
    assert latex == shown_text


def test_markdown_keeps_every_steps_details_under_it_past_step_9() -> None:
    d = sb.derive("4-3-2-1")
    tokens = markdown_it.MarkdownIt("commonmark").parse(sb.to_markdown(d))
    assert not any(token.type == "ordered_list_open" for token in tokens)
    # each "Step k." paragraph is followed by its own bullet list, ending with its why
    heads = [
        i for i, t in enumerate(tokens) if t.type == "inline" and t.content.startswith("**Step")
    ]
    assert len(heads) == len(d.steps) == 12
    for head in heads:
        after = tokens[head + 2 :]
        assert after[0].type == "bullet_list_open"
        close = next(i for i, t in enumerate(after) if t.type == "bullet_list_close")
        items = [t.content for t in after[:close] if t.type == "inline"]
        assert items[-1].startswith("why:"), items


def test_a_partial_view_says_its_numbers_are_the_whole_derivations() -> None:
    """newcomer36: ``derive residual_mlp.model --wrt W1`` showed "10 steps" numbered 1, 2, 3,
    5, 8, ..., 15, and nothing said why numbers were missing."""
    d = sb.derive("4-3-2-1")
    partial = "5 of 12 steps, numbered as in the whole derivation"
    assert f"Derivation ({partial}, from the loss back to layer 2)" in sb.to_text(d, wrt="W2")
    assert f"**Derivation** ({partial}, from the loss back)" in sb.to_markdown(d, wrt="W2")
    assert "Derivation (12 steps, from the loss back to layer 1)" in sb.to_text(d)
    model = sb.derive(Model.from_file(MODELS / "residual_mlp.model"))
    heading = "(10 of 15 steps, numbered as in the whole derivation, from"
    assert heading in sb.to_text(model, wrt="W1")
    assert heading in sb.to_markdown(model, wrt="W1")
    assert "(15 steps, from" in sb.to_text(model)
