"""A Model is a value: equal models hash alike, so they key a dict or a cache (hostile41c #11)."""

from __future__ import annotations

import symbackprop as sb


def test_equal_models_hash_alike_and_key_a_dict() -> None:
    text = "w : n x 1\nx : n x 1\nsizes: n = 3\nJ = w^T x\ndata: x\n"
    first, second = sb.Model.parse(text), sb.Model.parse(text)
    assert first == second and first is not second
    assert hash(first) == hash(second)
    assert {first: "kept"}[second] == "kept"
    assert len({first, second}) == 1


def test_different_models_are_different_keys() -> None:
    one = sb.Model.parse("w : n x 1\nx : n x 1\nJ = w^T x\ndata: x\n")
    two = sb.Model.parse("w : n x 1\nx : n x 1\nJ = x^T w\ndata: x\n")
    assert one != two
    assert len({one, two}) == 2
