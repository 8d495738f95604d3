"""docs/questions.md is what docs/build_questions.py writes today: every output on the page is
the real output of its command (slow: it runs ten commands)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _builder():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "build_questions", ROOT / "docs" / "build_questions.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def test_ten_questions_each_with_a_source_and_a_command() -> None:
    builder = _builder()
    assert len(builder.QUESTIONS) == 10
    for q in builder.QUESTIONS:
        assert q.source.startswith("https://") and q.command.startswith("symbackprop ")
    page = (ROOT / "docs" / "questions.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^## \d+\. ", page, flags=re.M)) == 10


@pytest.mark.slow
def test_committed_page_equals_a_fresh_build() -> None:
    page = (ROOT / "docs" / "questions.md").read_text(encoding="utf-8")
    assert page == _builder().build(), "run: python docs/build_questions.py"
