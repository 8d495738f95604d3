"""A model step's reason does not restate an internal value as what it already shows."""

from __future__ import annotations

import re
from pathlib import Path

import symbackprop as sb

BATCH_NORM = Path(__file__).resolve().parents[1] / "examples" / "models" / "batch_norm.model"

MODEL = """X : n x m
W : k x n
sizes: n = 3, k = 2
H = (W X)^3 + exp(W)^2 X + W^-2 X
J = sum(H ⊙ H) / m + sum(abs(W)^1.5)
data: X
"""


def _restatements(markdown: str) -> list[str]:
    loose = re.compile(r"[{}()\s]|\\bigl|\\bigr|\\left|\\right|\\,")
    return [
        m.group(0)
        for m in re.finditer(r"\$([^$]*?) = ([^$]*?)\$", markdown)
        if loose.sub("", m.group(1)) == loose.sub("", m.group(2))
    ]


def test_no_reason_restates_a_value_as_itself() -> None:
    # before: "(H ⊙ H) = H ⊙ H", "(W^-2 X) = (W^-2) X", "exp(W) = exp(W)" opened clauses
    markdown = sb.to_markdown(sb.derive(sb.Model.parse(MODEL)))
    assert markdown.count("why:") == 16
    assert _restatements(markdown) == []


def test_a_definition_that_says_something_stays() -> None:
    # a broadcast or a row sum as a product with ones is the fact the step's rule reads
    text = sb.to_markdown(sb.derive(sb.Model.from_file(BATCH_NORM)))
    assert r"\beta \, \mathbf{1}_{m}^{\top}" in text
    assert r"\operatorname{rowsum}{(D \odot D)} = {(D \odot D)} \, \mathbf{1}_{m}" in text
    assert r"\operatorname{rowsum}{(Z)} = Z \, \mathbf{1}_{m}" in text  # plain: rowsum(Z)


def test_plain_text_drops_a_clause_it_would_print_as_a_tautology() -> None:
    """hostile11 #9: the clauses LaTeX keeps (``(gamma 1_m^T) ⊙ N``, ``Z 1_m``) printed as
    "(gamma ⊙ N) = gamma ⊙ N" and "rowsum(Z) = rowsum(Z)" in plain text."""
    text = " ".join(sb.to_text(sb.derive(sb.Model.from_file(BATCH_NORM))).split())
    loose = re.compile(r"[()\s]")
    clauses = re.findall(r"(?:why: |: |; )([^;:=]+?) = ([^;:=]+?)(?=; )", text)
    assert [c for c in clauses if loose.sub("", c[0]) == loose.sub("", c[1])] == []
    assert "why: gamma is broadcast over the m columns" in text


def test_a_rewrite_that_prints_as_written_is_not_restated() -> None:
    """log(sum(exp(U))) is one node (its max-shifted form); its step opened with
    "log(sum(exp(U))) = log(sum(exp(U)))" in Markdown and LaTeX (plain text dropped it). The
    identity it is computed by stays, and a rewrite that says something (softplus) stays."""
    model = "W : 3 x 2\nX : 2 x m\n{}J = {}\ndata: X\n"
    for named, cost in [
        ("U = W X\n", "log(sum(exp(U))/m)"),
        ("", "log(sum(exp(W X))/m)"),
        ("U = W X\n", "log(sum(exp(U))) + sum(W)"),
    ]:
        derivation = sb.derive(sb.Model.parse(model.format(named, cost)))
        markdown = sb.to_markdown(derivation)
        assert _restatements(markdown) == [], cost
        assert r"why: $\log(\operatorname{sum}(e^{u})) = c + \log(" in markdown, cost
        assert "why: log(sum(exp(u))) = c + log(sum(exp(u - c))), c = max(u);" in " ".join(
            sb.to_text(derivation).split()
        )
    softplus = sb.derive(sb.Model.parse(model.format("", "sum(log(1 + exp(W X)))")))
    assert r"\bigr) = \operatorname{softplus}{(W \, X)}$ (as $" in sb.to_markdown(softplus)
