"""Malformed and ill-shaped models: each a one-line SpecError naming the line and the reason."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import strategies as st
from hypothesis_twins import twins

import symbackprop.records.activations  # noqa: F401 - fills the function table
from symbackprop.errors import SpecError
from symbackprop.model import Model

OK_TAIL = "J = sum(W x)"  # a valid last line for cases whose fault is earlier

# (model text, line number in the message, a key word of the reason)
CASES: list[tuple[str, int, str]] = [
    # undefined / order / duplicates
    ("x : n x 1\nJ = sum(z)\nz = W x", 2, "before its definition"),
    ("x : n x 1\nh = W h\nJ = sum(h)", 2, "its own definition"),
    ("x : n x 1\nz = W x\nz = V x\nJ = sum(z)", 3, "defined twice"),
    ("x : n x 1\nx : n x 1\nJ = sum(x)", 2, "declared twice"),
    ("z = 2\nz : 1 x 1\nJ = z", 2, "after its definition"),
    ("x : n x 1\nq : n x 1\nJ = sum(W x)", 2, "never used"),
    ("x : n x 1\nJ = sum(W x)\ndata: x, q", 3, "never used"),
    ("x : n x 1\nz = W x\nJ = sum(z)\ndata: x, z", 4, "defined by an equation"),
    ("x : n x 1\nJ = sum(W x)\ndata: x, x", 3, "twice"),
    ("x : n x 1\nJ = sum(W x)\ndata: x\ndata: x", 4, "second 'data:'"),
    ("sizes: n = 2\nsizes: k = 3\nx : n x 1\nW : k x n\nJ = sum(W x)", 2, "second 'sizes:'"),
    # cost not 1 x 1
    ("x : n x 1\nJ = W x", 2, "must be 1 x 1"),
    ("X : n x m\nJ = sigmoid(w^T X)", 2, "must be 1 x 1"),
    ("x : n x 1\nJ = x", 2, "must be 1 x 1"),
    ("A : n x n\nJ = inv(A)", 2, "must be 1 x 1"),
    ("x : n x 1\nJ = rowsum(x x^T)", 2, "must be 1 x 1"),
    ("x : n x 1\nJ = x^T", 2, "must be 1 x 1"),
    ("X : n x m\nJ = softmax(X)", 2, "must be 1 x 1"),
    # shape conflicts
    ("x : n x 1\nW : k x k\nJ = sum(W x)", 3, "matrix product"),
    ("x : n x 1\nW : k x k\nJ = sum(W @ x)", 3, "'@'"),
    ("x : n x 1\ny : k x 1\nJ = sum(x + y)", 3, "'+'"),
    ("x : n x 1\ny : k x 1\nJ = sum(x - y)", 3, "'-'"),
    ("x : n x 1\ny : k x 1\nJ = sum(x ⊙ y)", 3, "'⊙'"),
    ("x : n x 1\ny : k x 1\nJ = sum(x * y)", 3, "'*'"),
    ("x : n x 1\ny : k x 1\nJ = sum(x / y)", 3, "'/'"),
    ("X : n x m\nY : n x k\nJ = sum(X + Y)", 3, "equal shapes"),
    ("X : n x m\nr : 1 x m\nJ = sum(X + r^T)", 3, "equal shapes"),
    ("x : n x 1\ny : n x 2\nJ = sum(x + y)", 3, "equal shapes"),
    ("A : n x k\nJ = tr(A)", 2, "square"),
    ("A : n x k\nJ = det(A)", 2, "square"),
    ("A : n x k\nJ = logdet(A)", 2, "square"),
    ("A : n x k\nJ = sum(inv(A))", 2, "square"),
    ("a : n x 1\ny : k x 1\nJ = bce(a, y)", 3, "one shape"),
    ("a : n x 1\ny : n x 2\nJ = ce(a, y)", 3, "one shape"),
    ("a : n x 1\ny : 1 x n\nJ = mse(a, y)", 3, "one shape"),
    ("x : n x 1\nJ = sum(x^x)", 2, "number exponent"),
    ("x : n x 1\nJ = sum(x^(x^T x))", 2, "number exponent"),
    # w^Tx reads as w ^ Tx: the error is on its line, not "x is declared but never used"
    ("w : 3 x 1\nx : 3 x 1\nJ = w^Tx\ndata: x", 3, "write 'w^T x'"),
    ("w : 3 x 1\nx : 3 x 1\nJ = (2 w)^Tx\ndata: x", 3, "write '(2 w)^T x'"),
    ("x : n x 1\nJ = sum(x^q)", 2, "unknown name 'q' after '^'"),
    # hostile33 #3: m is a number in a batch-form expression, but not an exponent
    ("X : 2 x m\nW : 2 x 2\nJ = sum(W^m) + sum(W X)", 3, "not the batch size m"),
    ("x : n x 1\nz : k x 1\nz = 2 x\nJ = sum(z)", 3, "declared k x 1"),
    ("x : n x 1\nz : n x 2\nz = x\nJ = sum(z)", 3, "declared"),
    ("X : n x m\ny : k x 1\nJ = sum(X P y)", 3, "shape has m only when declared so"),
    ("X : n x m\nh = W X\nJ = sum(h + h^T)", 3, "declare 'W : m x n' for one per example"),
    ("x : n x 1\nW : k x n\nJ = sum(W x + W)", 3, "'+'"),
    ("x : n x 1\nJ = sum(x x)", 2, "matrix product"),
    ("X : n x m\nJ = sum(X X)", 2, "matrix product"),
    # undetermined dimensions
    ("J = sum(W x)", 1, "undetermined"),
    # hostile37a #3: a parameter of m rows was told to declare 'w : m x n', then refused for m
    ("X : m x m\nJ = sum(X w)\ndata: X", 2, "has m only when declared so: declare it, e.g."),
    ("x : n x 1\nJ = sum(W x)", 2, "undetermined"),
    ("J = tr(A)", 1, "undetermined"),
    ("x : n x 1\nJ = norm2(A x)", 2, "undetermined"),
    ("J = sum(x)\ndata: x", 1, "undetermined"),
    ("X : n x k\nJ = tr(A X^T B X C)", 2, "undetermined"),
    ("y : 1 x 1\nJ = mse(a, y) + sum(b)", 2, "undetermined"),
    # unknown functions
    ("z1 : n x 1\nJ = sum(sigmod(z1))", 2, "did you mean 'sigmoid'"),
    ("x : n x 1\nJ = sum(relux(x))", 2, "unknown function"),
    ("x : n x 1\nJ = sum(sofmax(x))", 2, "did you mean 'softmax'"),
    ("x : n x 1\nJ = trace(x x^T)", 2, "unknown function"),
    ("x : n x 1\nJ = nrom2(x)", 2, "did you mean 'norm2'"),
    ("x : n x 1\nJ = sum(foo(x))", 2, "unknown function"),
    ("x : n x 1\nJ = sum(exec(x))", 2, "unknown function"),
    ("x : n x 1\nJ = sum(x) + bcee(x, x)", 2, "unknown function"),
    ("x : n x 1\nJ = sum(sigmoid'(x))", 2, "derivative"),
    ("x : n x 1\nJ = sum(1{x > 0})", 2, "indicator"),
    # reserved and bad names
    ("x : n x 1\nm = sum(x)\nJ = m", 2, "reserved"),
    ("x : n x 1\nT = sum(x)\nJ = T", 2, "reserved"),
    ("x : n x 1\ndata = sum(x)\nJ = data", 2, "reserved"),
    ("x : n x 1\n_z = sum(x)\nJ = _z", 2, "identifier"),
    ("x : n x 1\nlambda = sum(x)\nJ = lambda", 2, "keyword"),
    ("x : n x 1\nclass = sum(x)\nJ = class", 2, "keyword"),
    ("x : n x 1\nsum = sum(x)\nJ = sum", 2, "function"),
    ("x : n x 1\nsigmoid = sum(x)\nJ = 2", 2, "function"),
    ("x : n x 1\ntr = sum(x)\nJ = 2", 2, "function"),
    ("x : n x 1\nz.1 = sum(x)\nJ = 2", 2, "identifier"),
    ("x : n x 1\nz-1 = sum(x)\nJ = 2", 2, "identifier"),
    ("x : n x 1\nzé = sum(x)\nJ = 2", 2, "identifier"),
    ("x : n x 1\n" + "z" * 40 + " = sum(x)\nJ = 2", 2, "at most"),
    ("x : n x 1\nJ = sum(x T)", 2, "reserved"),
    ("x : n x 1\nz = 2 x\nJ = sum(z) + n", 3, "dimension name"),
    ("x : n x 1\nn = 2\nJ = sum(x) * n", 2, "dimension name"),
    ("m : 1 x 1\nJ = m", 1, "reserved"),
    ("x : n x 1\n = sum(x)", 2, "identifier"),
    ("x : n x 1\nJ = sum(lambda x)", 2, "keyword"),
    ("x : n x 1\nJ = sum(_w x)", 2, "identifier"),
    ("x : n x 1\nJ = sum(" + "w" * 40 + " x)", 2, "at most"),
    ("x : n x 1\nJ = sum(sizes x)", 2, "reserved"),
    # a leaf that reads as a constant the language does not have (it was a parameter named pi)
    ("x : n x 1\nW : 2 x n\nc = pi\nJ = sum(W x) * c", 3, "write 3.141592653589793"),
    ("x : n x 1\nJ = sum(e * x)", 2, "write exp(1)"),
    ("x : n x 1\nJ = sum(x) * E", 2, "write exp(1)"),
    ("x : n x 1\nc = nan\nJ = sum(x) * c", 2, "numbers are finite"),
    ("x : n x 1\nJ = sum(x) + inf", 2, "numbers are finite"),
    ("x : n x 1\nJ = sum(x) * oo", 2, "numbers are finite"),
    ("x : n x 1\nJ = sum(x) * zoo", 2, "numbers are finite"),
    ("x : 2 x 1\nJ = sum(I x)", 2, "no identity matrix"),
    ("x : n x 1\nJ = sum(x)", 2, "no parameter"),
    ("J = 2", 1, "no parameter"),
    ("x : n x 1\nJ = sum(x)\ndata: x", 2, "no parameter"),
    # bad declarations
    ("x : n by 1\nJ = sum(x)", 1, "rows x cols"),
    ("x : n\nJ = sum(x)", 1, "rows x cols"),
    ("x : \nJ = sum(x)", 1, "rows x cols"),
    ("x : n x 1 x 2\nJ = sum(x)", 1, "rows x cols"),
    ("x : 0 x 1\nJ = sum(x)", 1, "integer 1 to"),
    ("x : n x -1\nJ = sum(x)", 1, "dimension"),
    ("x : n x 1.5\nJ = sum(x)", 1, "dimension"),
    ("x : n x 1000001\nJ = sum(x)", 1, "integer 1 to"),
    ("x : n x " + "9" * 400 + "\nJ = sum(x)", 1, "positive integer"),
    ("x : n x _k\nJ = sum(x)", 1, "dimension"),
    ("x : n x for\nJ = sum(x)", 1, "reserved"),
    ("x : n x exp\nJ = sum(x)", 1, "reserved"),
    ("x : n x T\nJ = sum(x)", 1, "reserved"),
    ("1x : n x 1\nJ = sum(x)", 1, "identifier"),
    ("x y : n x 1\nJ = sum(x)", 1, "identifier"),
    ("x : n x (1)\nJ = sum(x)", 1, "dimension"),
    # bad sizes
    ("sizes: n = 0\nx : n x 1\nJ = sum(x)", 1, "integer 1 to"),
    # a long digit string is too large, not "no positive integer" (hostile17)
    ("sizes: n = 99999999999999999999\nx : n x 1\nJ = sum(x)", 1, "integer 1 to 100,000"),
    ("sizes: n = -2\nx : n x 1\nJ = sum(x)", 1, "positive integer"),
    ("sizes: n = 2.5\nx : n x 1\nJ = sum(x)", 1, "positive integer"),
    ("sizes: n = x\nx : n x 1\nJ = sum(x)", 1, "positive integer"),
    # the cost prints as J: a value J beside a cost L read dJ/dJ for its adjoint
    ("x : n x 1\nW : n x n\nJ = tanh(W x)\nL = sum(J)\ndata: x", 3, "'J' is not the cost"),
    ("x : n x 1\nJ : n x n\nL = sum(J x)\ndata: x", 2, "name the cost J"),
    # str.isdigit takes these; a full-width 3 was read as 3, a superscript 2 crashed int()
    ("sizes: n = \uff13\nx : n x 1\nW : n x n\nJ = sum(W x)", 1, "ASCII digits 0-9"),
    ("sizes: n = \u00b2\nx : n x 1\nW : n x n\nJ = sum(W x)", 1, "ASCII digits 0-9"),
    ("sizes: n\nx : n x 1\nJ = sum(x)", 1, "name = integer"),
    ("sizes:\nx : n x 1\nJ = sum(x)", 1, "name = integer"),
    ("sizes: n = 2, n = 3\nx : n x 1\nJ = sum(x)", 1, "twice"),
    ("sizes: m = 5\nX : n x m\nJ = sum(X)", 1, "batch size"),
    ("sizes: 3 = 5\nx : n x 1\nJ = sum(x)", 1, "dimension name"),
    ("sizes: k = 5\nx : n x 1\nJ = sum(x)", 1, "no dimension"),
    ("sizes: n = " + "9" * 50 + "\nx : n x 1\nJ = sum(x)", 1, "integer 1 to 100,000"),
    ("sizes: n = 2,\nx : n x 1\nJ = sum(x)", 1, "name = integer"),
    ("sizes: n == 2\nx : n x 1\nJ = sum(x)", 1, "positive integer"),
    # statements that are no statement; formula errors
    ("x : n x 1\nJ sum(x)", 2, "expected 'name : R x C'"),
    ("x : n x 1\nsum(x)", 2, "expected 'name : R x C'"),
    ("x : n x 1\nJ = ", 2, "expected an expression"),
    ("x : n x 1\nJ = sum(x", 2, "unclosed"),
    ("x : n x 1\nJ = sum(x))", 2, "unmatched"),
    ("x : n x 1\nJ = sum(x) +", 2, "operand"),
    ("x : n x 1\nJ = sum(x) $", 2, "character"),
    ("x : n x 1\nJ = sum(x)[0]", 2, "square brackets"),
    ("x : n x 1\nJ = sum(x); import os", 2, "one expression"),
    ("x : n x 1\nJ = __import__(x)", 2, "unknown function"),
    ("x : n x 1\nJ = sum(x) + __class__", 2, "'__'"),
    ("x : n x 1\nJ = sum(x) + 1" + "0" * 40, 2, "digits"),
    ("x : n x 1\nJ = sum(x) * 1e99999", 2, "exponent"),
    ("x : n x 1\nJ = " + "(" * 150 + "x" + ")" * 150, 2, "nested"),
    ("x : n x 1\nJ = sum(" + "-" * 300 + "x)", 2, "nested"),
    ("x : n x 1\nJ = bce(x)", 2, "2 arguments"),
    ("x : n x 1\nJ = bce(x, x, x)", 2, "2 arguments"),
    ("x : n x 1\nJ = sum(x, x)", 2, "1 argument"),
    ("x : n x 1\nJ = 'x'", 2, "prime"),
    ("x : n x 1\nJ = sum(x) = 2", 2, "'='"),
    # hostile text
    ("x : n x 1\nJ = sum(x)\x00", 2, "control character"),
    ("x : n x 1\x1b[2J\nJ = sum(x)", 1, "control character"),
    ("x : n x 1\nJ = sum(x)\u202e", 2, "invisible format character U+202E"),
    ("x : n x 1\nJ = sum(x\u200b)", 2, "invisible format character U+200B"),
    ("x : n x 1\nJ = sum(x)\x0b", 2, "control character"),
    ("x : n x 1\nJ = sum(x)" + " " * 3000, 2, "per line"),
    ("x : n x 1\nJ = sum(x) + " + "+".join(["x^T x"] * 600), 2, "characters"),
    ("x : n x 1\nJ = sum(x) ＋ 1", 2, "character"),
    ("x : n x 1\nJ = sum(x) <= 2", 2, "comparison"),
]


def _id(case: tuple[str, int, str]) -> str:
    return case[0].splitlines()[-1][:30] + "|" + case[2]


@pytest.mark.parametrize(("text", "line", "word"), CASES, ids=[_id(c) for c in CASES])
def test_bad_model(text: str, line: int, word: str) -> None:
    start = time.process_time()  # CPU time: a loaded machine cannot fail it, a blow-up can
    with pytest.raises(SpecError) as info:
        Model.parse(text)
    assert time.process_time() - start < 1.0
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"line {line}:"), message
    assert word in message, message


UNDETERMINED = [text for text, _, word in CASES if word == "undetermined"] + [
    "X : n x m\nJ = sum(tanh(p^T X))\ndata: X",  # p is n x ?: rows n, not n1
]


@pytest.mark.parametrize("text", UNDETERMINED)
def test_an_undetermined_shape_hint_is_a_declaration_that_fits(text: str) -> None:
    """Declared as the hint says, the leaf is determined; the hint names the dimensions the
    model fixed by the model's own names, and a free one by a name the model does not use, said
    to be free (never 1, which reads as a 1 x 1 scalar: 'W : 1 x 1')."""
    with pytest.raises(SpecError) as info:
        Model.parse(text)
    hint = re.search(r"e\.g\. '((\w+) : (\w+) x (\w+))' \(([^)]*)\)", str(info.value))
    assert hint is not None, str(info.value)
    declaration, name, rows, cols, said = hint.groups()
    own = set(re.findall(r"\b[A-Za-z]\w*\b", text))
    free = set(re.findall(r"\b(\w+)(?: and | (?:is|are) free)", said))
    assert free and free.isdisjoint(own) and "1" not in (rows, cols), str(info.value)
    assert {rows, cols} <= own | free, declaration
    try:
        Model.parse(f"{declaration}\n{text}")
    except SpecError as again:  # another leaf may still be undetermined, never this one
        assert f"shape of '{name}'" not in str(again) and "declared" not in str(again), again


def test_at_least_100_cases() -> None:
    assert len(CASES) >= 100


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("", "no equation"),
        ("# only a comment\n\n", "no equation"),
        ("x : n x 1", "no equation"),
        ("x : n x 1\n" * 6000, "lines"),
        ("x" * 300_000, "characters long"),
    ],
)
def test_bad_model_without_a_line(text: str, word: str) -> None:
    start = time.process_time()  # CPU time: a loaded machine cannot fail it, a blow-up can
    with pytest.raises(SpecError, match=word):
        Model.parse(text)
    assert time.process_time() - start < 1.0


def test_not_text() -> None:
    with pytest.raises(SpecError, match="must be text"):
        Model.parse(b"J = 1")  # type: ignore[arg-type]


def test_bad_define() -> None:
    with pytest.raises(SpecError, match="define"):
        Model.parse("x : n x 1\nJ = sum(x)", define={"sigmoid": "z"})
    with pytest.raises(SpecError, match="custom activation"):
        Model.parse("x : n x 1\nswish = 2\nJ = sum(x)", define={"swish": "z"})


_PIECES = st.sampled_from(
    [
        "x",
        "W",
        "b",
        "J",
        " = ",
        " : ",
        " x ",
        "n",
        "m",
        "1",
        "(",
        ")",
        "^T",
        "+",
        "⊙",
        "\n",
        "sum(",
        "bce(",
        ",",
        "data:",
        "sizes:",
        "#",
        "2",
        "@",
        "tr(",
        "inv(",
        "\x00",
        "é",
        "-",
    ]
)


@twins(st.lists(_PIECES, max_size=40).map("".join), examples=300)
def test_random_text_is_a_model_or_a_spec_error(text: str) -> None:
    try:
        Model.parse(text)
    except SpecError as err:
        assert "\n" not in str(err)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("J = sum(W x)", "'W : n x k' (n and k are free: any sizes)"),
        ("J = tr(A)", "'A : n x n' (n is free: any size)"),  # rows and columns agree
        ("x : n x 1\nJ = norm2(A x)", "'A : k x n' (k is free: any size)"),  # n is taken
    ],
)
def test_an_undetermined_shape_hint_names_its_free_dimensions(text: str, hint: str) -> None:
    with pytest.raises(SpecError, match=re.escape(f"declare it, e.g. {hint}")):
        Model.parse(text)


def test_a_size_with_leading_zeros_is_its_number() -> None:
    """000003 is 3: only the digits after the zeros count toward "too large" (hostile17)."""
    model = Model.parse("sizes: n = 000003\nW : n x 1\nJ = sum(W)")
    assert dict(model.sizes) == {"n": 3}


def test_a_double_underscore_name_is_refused_where_it_is_declared() -> None:
    """``w__a : n x 1`` was taken, and refused only at its first use two lines on (hostile29):
    the declaration's own line is the one at fault."""
    text = "x : n x 1\nw__a : n x 1\nsizes: n = 3\nJ = sum(w__a ⊙ x)\ndata: x\n"
    with pytest.raises(SpecError, match=r"line 2: declared name 'w__a': names containing '__'"):
        Model.parse(text)


@pytest.mark.parametrize(
    ("line", "column"),
    [("J = sum(W x) $ 2", 14), ("  J =   sum(W x) $ 2", 18), ("J=sum(W ⊙ x) $", 14)],
)
def test_an_expression_errors_column_counts_from_the_start_of_the_line(
    line: str, column: int
) -> None:
    """The column was counted within the right side (column 10 for the '$' at 14), unlike an
    editor's; it is the character's column in the line as written."""
    assert line[column - 1] == "$"
    with pytest.raises(SpecError, match=rf"line 2: 'J = \.\.\.' at column {column}: "):
        Model.parse(f"x : n x 1\n{line}\ndata: x\n")


def test_a_long_flat_sum_is_said_to_be_a_chain_not_brackets() -> None:
    """A sum of 121 terms was "too deeply nested", with no bracket in it (hostile29): the
    message says a chain's every operator is a level."""
    from symbackprop.errors import FormulaError
    from symbackprop.formula.parser import parse

    with pytest.raises(FormulaError, match=r"each operator of a chain such as a \+ b \+ c"):
        parse(" + ".join(["x"] * 121))
    with pytest.raises(FormulaError) as nested:
        parse("(" * 120 + "x" + ")" * 120)
    assert "chain" not in nested.value.message
