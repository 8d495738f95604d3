"""Attaching a sub- or superscript to LaTeX that may already carry one.

TeX refuses ``A^{-1}^{\\top}`` ("Double superscript") and ``\\rVert_{1}_{\\#2}`` ("Double
subscript"). Every printer that appends a script to printed LaTeX goes through
:func:`attach`, which braces the base when its trailing scripts already hold one of that kind:
``{A^{-1}}^{\\top}``. A base with a script of the other kind stays as it is
(``\\lVert r \\rVert_{2}^{2}`` is valid TeX).
"""

from __future__ import annotations


def trailing_scripts(tex: str) -> set[str]:
    """The kinds (``^``, ``_``) of the scripts ``tex`` ends with: ``x_{1}^{2}`` -> {^, _}."""
    kinds: set[str] = set()
    end = len(tex.rstrip())
    while end > 0:
        if tex[end - 1] == "}":
            depth, i = 0, end - 1
            while i >= 0:  # the matching open brace
                if tex[i] == "}" and (i == 0 or tex[i - 1] != "\\"):
                    depth += 1
                elif tex[i] == "{" and (i == 0 or tex[i - 1] != "\\"):
                    depth -= 1
                    if depth == 0:
                        break
                i -= 1
            start = i - 1
        else:
            start = end - 2  # a one-character script: x^2
        if start < 0 or tex[start] not in "^_" or (start > 0 and tex[start - 1] == "\\"):
            break
        kinds.add(tex[start])
        end = start
    return kinds


def attach(base: str, script: str) -> str:
    """``base`` followed by ``script`` (``^{...}`` or ``_{...}``), the base braced if it
    already ends in a script of the same kind."""
    if script[0] in trailing_scripts(base):
        return "{" + base + "}" + script
    return base + script
