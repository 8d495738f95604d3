"""The printers' True/False keywords take True or False, and ``batch=`` beside a Derivation
must be its form (hostile36a #2, #3).

``sb.to_latex(d, standalone="no")`` printed the standalone document (any non-empty string is
true), ``indices="no"`` added the index view, ``to_text(d, expanded="no")`` the expanded
gradients; ``sb.to_html(d, batch=True)`` of a single-example derivation gave its single-example
page, and ``batch="garbage"`` was accepted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import symbackprop as sb
from symbackprop.errors import SpecError

DOT = str(Path(__file__).resolve().parents[1] / "examples" / "models" / "dot.model")
PRINTER_FLAGS = [
    ("to_latex", "standalone"),
    ("to_latex", "expanded"),
    ("to_latex", "figure"),
    ("to_latex", "indices"),
    ("to_text", "expanded"),
    ("to_markdown", "expanded"),
    ("to_json", "expanded"),
]


# the index view is for dense networks only
CASES = [
    (printer, flag, source)
    for printer, flag in PRINTER_FLAGS
    for source in ("4-3-1", DOT)
    if not (flag == "indices" and source == DOT)
]


@pytest.mark.parametrize(("printer", "flag", "source"), CASES)
def test_a_printer_flag_that_is_no_bool_is_refused(printer: str, flag: str, source: str) -> None:
    d = sb.derive(source)
    print_it = getattr(sb, printer)
    for value in ("no", 0, None, "False"):
        with pytest.raises(SpecError, match=rf"^{printer}: {flag} must be True or False, got"):
            print_it(d, **{flag: value})
    assert print_it(d, **{flag: False}) != print_it(d, **{flag: True}) or flag == "figure"


def test_to_html_batch_must_be_the_derivations_form() -> None:
    single = sb.derive("4-3-1")
    with pytest.raises(SpecError, match=r"^batch=True, but this is a single-example derivation"):
        sb.to_html(single, batch=True)
    with pytest.raises(SpecError, match=r"^batch must be True, False or None, got 'garbage'"):
        sb.to_html(single, batch="garbage")  # type: ignore[arg-type]
    assert sb.to_html(single, batch=False) == sb.to_html(single)
    model = sb.derive(DOT)
    with pytest.raises(SpecError, match=r"^batch= is for networks"):
        sb.to_html(model, batch=True)
