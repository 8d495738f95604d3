"""A model step's stored adjoint has one name: ``Step.stores`` (through the graph's
``symbol_text``), which every printer shows (text, JSON, Markdown); the render stage had a second
computation of the same name, which could drift from the first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.apps.displays import step_markdown
from symbackprop.core.model_graph import ModelGraph

MODEL = Path(__file__).resolve().parent.parent / "examples" / "models" / "residual_mlp.model"


def test_every_printer_shows_the_steps_own_stored_name(monkeypatch: pytest.MonkeyPatch) -> None:
    derivation = sb.derive(sb.Model.from_file(MODEL))
    stored = [step for step in derivation.steps if step.delta is not None]
    assert stored and stored[0].stores == "dJ/d(w^T h + c)"
    original = ModelGraph.symbol_text

    def marked(graph: ModelGraph, name: str) -> str:
        shown = original(graph, name)
        return "MARK" + shown if shown.startswith("dJ/d") else shown

    # the step's name is the one source: change it there, and every printer follows
    monkeypatch.setattr(ModelGraph, "symbol_text", marked)
    first = stored[0]
    assert first.stores == "MARKdJ/d(w^T h + c)"
    assert f"=: {first.stores}" in sb.to_text(derivation)
    document = json.loads(sb.to_json(derivation))
    assert [step["stores"] for step in document["steps"] if step["stores"]] == [
        step.stores for step in stored
    ]
    assert [row["symbol"] for row in document["adjoints"]] == [step.stores for step in stored]
    assert f"`{first.stores}`" in step_markdown(first) or first.stores in step_markdown(first)
