"""Sentences session 43's testers found untrue or misleading (hostile43b, lecturer43)."""

from __future__ import annotations

import symbackprop as sb

CLASH = (
    "W : n x k\nx : k x 1\nc : 1 x 1\nsizes: n = 3, k = 2\nu = W x\n"
    "J = log(sum(exp(u))) + c\ndata: x\n"
)
PLAIN = "W : n x k\nx : k x 1\nsizes: n = 3, k = 2\nJ = log(sum(exp(W x)))\ndata: x\n"


def test_a_stable_identity_is_stated_in_letters_the_model_does_not_use() -> None:
    """hostile43b #3: with a parameter c and a value u, step 4 read "log(sum(exp(u))) = c +
    log(sum(exp(u - c))), c = max(u)": c is no max there, and u is the model's own."""
    text = sb.to_text(sb.derive(sb.Model.parse(CLASH)))
    assert "c = max(u)" not in text and "exp(u - c)" not in text
    assert "log(sum(exp(t))) = s + log(sum(exp(t - s))), s = max(t)" in " ".join(text.split())
    latex = sb.to_latex(sb.derive(sb.Model.parse(CLASH)))
    assert r"s = \max(t)" in latex and r"c = \max(u)" not in latex
    # where the letters are free, the identity keeps them
    plain = " ".join(sb.to_text(sb.derive(sb.Model.parse(PLAIN))).split())
    assert "log(sum(exp(u))) = c + log(sum(exp(u - c))), c = max(u)" in plain
