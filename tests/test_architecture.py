"""The structure issue 10 asks for, held by tests: no stage parses another stage's text.

A derivation reaches the printers and the lowering as data (symbols, segments, candidates);
none of them may take a step's plain-text views apart again (``target``, ``reason``, ``stores``,
labels), and regular expressions are used only where user input or a stage's own output is
read.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "symbackprop"

#: modules that may use ``re``, and what for (nothing else may)
REGEX_ALLOWED = {
    "spec.py": "parses the user's compact spec strings and validates names",
    "model/statements.py": "parses the user's model text (one statement per line)",
    "render/latexprint.py": "measures its own LaTeX to break long formulas into lines",
    "render/prose.py": "escapes words for Markdown",
    "render/mathml_tex.py": "reads the render stage's own LaTeX names to write them in MathML",
    "render/mathml.py": "sizes the brackets of the MathML SymPy printed for the stage itself",
    "lowering/array_printer.py": "decides parentheses around its own array code",
    "core/textprint.py": "decides brackets around its own text as the base of a power",
    "core/segments.py": "sets the letter m of a rule's own phrase as math (words_with_m)",
    "render/names.py": "sets the letter m of a view's own phrase as math in LaTeX",
}
#: the plain-text views of derivation data, and the string methods that would take them apart
VIEWS = {"target", "reason", "stores", "label", "note", "algebra_text", "text"}
TAKING_APART = {
    "split",
    "rsplit",
    "partition",
    "removeprefix",
    "removesuffix",
    "startswith",
    "endswith",
    "replace",
    "find",
    "index",
    "strip",
}


#: modules that handle the user's own text (a formula's caret line), not derivation data
USER_TEXT = {"errors.py"}


def _modules() -> list[Path]:
    return sorted(
        p
        for p in LIBRARY.rglob("*.py")
        if "__pycache__" not in p.parts and p.relative_to(LIBRARY).as_posix() not in USER_TEXT
    )


@pytest.mark.slow  # reads every source file
def test_regular_expressions_only_where_input_or_own_output_is_read() -> None:
    users = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else []) + (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )
            if "re" in names:
                users.append(path.relative_to(LIBRARY).as_posix())
    assert users, "the scan must see the modules"
    unexpected = sorted(set(users) - set(REGEX_ALLOWED))
    assert not unexpected, f"regular expressions in {unexpected}: read data, not text"


@pytest.mark.slow  # reads every source file
def test_no_stage_takes_a_steps_text_apart() -> None:
    found = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in TAKING_APART
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr in VIEWS
            ):
                where = f"{path.relative_to(LIBRARY)}:{node.lineno}"
                found.append(f"{where} .{node.func.value.attr}.{node.func.attr}()")
    assert not found, "text views taken apart: " + ", ".join(found)
