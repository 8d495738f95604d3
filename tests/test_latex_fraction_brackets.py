"""A model's value written as a division is a fraction in LaTeX, bracketed by its bar: ``2
\\frac{1}{A^{\\odot 2}}``, not ``2 (\\frac{1}{A^{\\odot 2}})``; a power of it and the
denominator of a derivative keep their brackets (``\\left(\\frac{1}{A}\\right)^{\\odot 2}``,
``\\partial J / \\partial (\\frac{1}{A})``)."""

from __future__ import annotations

import symbackprop as sb


def test_a_fraction_value_needs_no_brackets_in_latex() -> None:
    latex = sb.to_latex(sb.derive(sb.Model.parse("A : 2 x 3\nJ = sum((1/A^2)^2)\n")))
    assert r"2 \frac{1}{A^{\odot 2}}" in latex
    assert r"2 (\frac{1}{A^{\odot 2}})" not in latex
    assert r"\partial (\frac{1}{A^{\odot 2}})" in latex
    assert r"\left(\frac{1}{A^{\odot 2}}\right)^{\odot 2}" in latex
    markdown = sb.to_markdown(sb.derive(sb.Model.parse("A : 2 x 3\nJ = sum((1/A)^2)\n")))
    assert r"\partial J / \partial (\frac{1}{A})" in markdown
    assert r"\partial \frac" not in markdown
