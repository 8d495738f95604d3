"""A corpus of hostile and careless command lines, built deterministically.

Each case is a command line (``argv`` after ``symbackprop``) plus, optionally, files it needs
written first (a spec file given by name). ``tests/test_hostile_corpus.py`` runs every case as a
real process and asserts the trust contract of issue 9: exit 0, 1 or 2 within 60 s, peak RSS
under 4 GiB, never exit 3, never a traceback, exit 2 always exactly one line on stderr.

The corpus is data, not a test: ``python tests/hostile_corpus.py`` prints its size by kind.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """One command line; ``files`` maps a file name (in the run's folder) to its text."""

    kind: str
    argv: tuple[str, ...]
    files: tuple[tuple[str, str], ...] = field(default=())

    def label(self) -> str:
        shown = " ".join(self.argv)
        return f"[{self.kind}] symbackprop {shown[:160]}{'...' if len(shown) > 160 else ''}"


def _specs() -> list[Case]:
    """Compact specs: valid, malformed, oversized, odd characters, clashing names."""
    specs = [
        "4-3-2-1",
        "n-3-2-1",
        "1-1",
        "2-2:softmax",
        "4-3:relu-2:relu-1",
        "3-3:tanh-2:softmax",
        "784-128:relu-10:softmax",
        "",
        "-",
        "--",
        "4",
        "4-",
        "-4",
        "4--3",
        "4-3-",
        "4-0-1",
        "4-(-3)-1",
        "4-3.5-1",
        "4-1e3-1",
        "4-3-2-1-",
        "784x128x10",
        "4,3,2,1",
        "4 3 2 1",
        "4-3:-1",
        "4-3:relu:tanh-1",
        "4-3:RELU-1",
        "4-3:sigmoid-1:softmax",
        "4-3:softmax-1",
        "4-3:foo-1",
        "4-3:relu-1:relu",
        "n-n-1",
        "x-3-1",
        "y-3-1",
        "W1-3-1",
        "b2-3-1",
        "delta2-3-1",
        "m-3-1",
        "n0-3-1",
        "n1-3-1",
        "lambda-3-1",
        "J-3-1",
        "exp-3-1",
        "sigmoid-3-1",
        "for-3-1",
        "_n-3-1",
        "n-_k-1",
        "é-3-1",
        "ｎ-3-1",
        "٣-3-1",
        "³-3-1",
        "4-3-2-1\x7f",
        "4-3\n-1",
        "4-3\t-1",
        "4-99999999999999999999-1",
        "4-100000-1",
        "4-" + "-".join(["3"] * 60) + "-1",
        "n" * 300 + "-3-1",
        "4-3:" + "r" * 500 + "-1",
        "4-3-2-1" * 50,
        "a" * 5000,
        "4-3-2-1.toml",
        "4-3-2-1.json",
        "/dev/null",
        "/",
        ".",
        "..",
        "~",
        "$HOME",
        "4-3-2-1;rm -rf /",
        "__import__('os')-3-1",
        "4-3:z*sigmoid(z)-1",
        "4-3:swish-1",
        "4-3:leaky_relu-1",
        "4-3:identity-1",
        "2-2:softmax-2:softmax",
        "1-1:softmax",
        "4-3:softplus-1",
        "4-3:relu-1:sigmoid",
    ]
    cases: list[Case] = []
    for spec in specs:
        cases.append(Case("spec", ("derive", spec)))
    for spec in specs[:40]:
        cases.append(Case("spec", ("shapes", spec, "--batch")))
    for spec in ("4-3-2-1", "784x128x10", "4-3:softmax-2", "2-2:softmax", "4-3:relu-2:tanh"):
        for loss in ("bce", "mse", "ce", "BCE", "hinge", ""):
            cases.append(Case("spec", ("derive", spec, "--loss", loss)))
    return cases


def _files() -> list[Case]:
    """Spec files, TOML and JSON: huge numbers, deep nesting, duplicates, wrong types."""
    toml = {
        "ok.toml": 'input = 4\nloss = "bce"\n[[layers]]\nunits = 3\nactivation = "sigmoid"\n'
        '[[layers]]\nunits = 1\nactivation = "sigmoid"\n',
        "l2big.toml": 'input = 4\nl2 = 1e400\n[[layers]]\nunits = 1\nactivation = "sigmoid"\n',
        "l2nan.toml": 'input = 4\nl2 = nan\n[[layers]]\nunits = 1\nactivation = "sigmoid"\n',
        "l2neg.toml": 'input = 4\nl2 = -1.0\n[[layers]]\nunits = 1\nactivation = "sigmoid"\n',
        "l2str.toml": 'input = 4\nl2 = "0.1"\n[[layers]]\nunits = 1\nactivation = "sigmoid"\n',
        "l2bool.toml": 'input = 4\nl2 = true\n[[layers]]\nunits = 1\nactivation = "sigmoid"\n',
        "bigint.toml": f"input = {'9' * 5000}\n[[layers]]\nunits = 1\n",
        "units0.toml": 'input = 4\n[[layers]]\nunits = 0\nactivation = "sigmoid"\n',
        "unitsfloat.toml": 'input = 4\n[[layers]]\nunits = 3.0\nactivation = "sigmoid"\n',
        "unitsbool.toml": 'input = 4\n[[layers]]\nunits = true\nactivation = "sigmoid"\n',
        "nolayers.toml": "input = 4\n",
        "emptylayers.toml": "input = 4\nlayers = []\n",
        "dupkey.toml": "input = 4\ninput = 5\n[[layers]]\nunits = 1\n",
        "unknownkey.toml": 'input = 4\ncolour = "red"\n[[layers]]\nunits = 1\n',
        "badsyntax.toml": "input = = 4\n",
        "binary.toml": "\x00\x01\x02\xff",
        "empty.toml": "",
        "define.toml": 'input = 4\n[define]\nsw = "z*sigmoid(z)"\n[[layers]]\nunits = 3\n'
        'activation = "sw"\n[[layers]]\nunits = 1\nactivation = "sigmoid"\n',
        "defineevil.toml": "input = 4\n[define]\nsw = \"__import__('os').system('id')\"\n"
        '[[layers]]\nunits = 1\nactivation = "sw"\n',
        "deep.toml": "input = 4\nx = " + "[" * 3000 + "]" * 3000 + "\n",
        "namedinput.toml": 'input = "n"\n[[layers]]\nunits = 1\nactivation = "sigmoid"\n',
        "clashinput.toml": 'input = "W1"\n[[layers]]\nunits = 1\nactivation = "sigmoid"\n',
        "softmaxhidden.toml": 'input = 4\nloss = "ce"\n[[layers]]\nunits = 3\n'
        'activation = "softmax"\n[[layers]]\nunits = 2\nactivation = "softmax"\n',
    }
    jsons = {
        "ok.json": json.dumps({"input": 4, "loss": "bce", "layers": [{"units": 3}, {"units": 1}]}),
        "dup.json": '{"input": 4, "input": 5, "layers": [{"units": 1}]}',
        "bigint.json": '{"input": ' + "9" * 5000 + ', "layers": [{"units": 1}]}',
        "l2big.json": '{"input": 4, "l2": 1e400, "layers": [{"units": 1}]}',
        "l2intbig.json": '{"input": 4, "l2": 1' + "0" * 400 + ', "layers": [{"units": 1}]}',
        "nan.json": '{"input": 4, "l2": NaN, "layers": [{"units": 1}]}',
        "inf.json": '{"input": 4, "l2": Infinity, "layers": [{"units": 1}]}',
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "list.json": "[1, 2, 3]",
        "null.json": "null",
        "string.json": '"4-3-2-1"',
        "layersobj.json": '{"input": 4, "layers": {"units": 1}}',
        "layersnull.json": '{"input": 4, "layers": [null]}',
        "unitsneg.json": '{"input": 4, "layers": [{"units": -3}]}',
        "unitsstr.json": '{"input": 4, "layers": [{"units": "3"}]}',
        "actint.json": '{"input": 4, "layers": [{"units": 1, "activation": 3}]}',
        "lossnull.json": '{"input": 4, "loss": null, "layers": [{"units": 1}]}',
        "badutf8.json": "\udcff",
        "trailing.json": '{"input": 4, "layers": [{"units": 1}]} trailing',
        "bom.json": "\ufeff" + json.dumps({"input": 4, "layers": [{"units": 1}]}),
        "huge_width.json": '{"input": 100000000, "layers": [{"units": 100000000}]}',
    }
    cases: list[Case] = []
    for name, text in itertools.chain(toml.items(), jsons.items()):
        files = ((name, text),)
        cases.append(Case("file", ("derive", name), files))
        cases.append(Case("file", ("codegen", name, "--size", "n=3"), files))
    cases.append(Case("file", ("derive", "missing.toml")))
    cases.append(Case("file", ("derive", "nodir/missing.json")))
    cases.append(
        Case("file", ("derive", "ok.toml", "--hidden", "relu"), (("ok.toml", toml["ok.toml"]),))
    )
    return cases


def _activations() -> list[Case]:
    """Custom activations with ``--define``: unsafe, non-real, singular, explosive."""
    formulas = [
        "z*sigmoid(z)",
        "z*tanh(softplus(z))",
        "z^2",
        "z^3 - z",
        "abs(z)",
        "exp(-z^2)",
        "sqrt(-1)*z",
        "log(-1)*z",
        "(-1)^z",
        "0^z",
        "relu(z - 1{z>0})",
        "(-8)^(1/3)*z",
        "log(z)",
        "1/z",
        "sqrt(z)",
        "z^(1/2)",
        "exp(z)",
        "exp(exp(z))",
        "exp(exp(exp(z)))",
        "(1+z)^999*(2+z)^999",
        "z^999999",
        "z^(10^30)",
        "2^(2^(2^(2^z)))",
        "z/0",
        "0/0*z",
        "1e400*z",
        "1" + "0" * 40 + "*z",
        "z" + "+z" * 900,
        "(" * 150 + "z" + ")" * 150,
        "__import__('os')",
        "z.__class__",
        "lambda: z",
        "z if z else 0",
        "z; import os",
        "",
        " ",
        "z z",
        "zz",
        "x",
        "y",
        "a",
        "W1",
        "sigmoid",
        "sigmoid(z",
        "sigmoid z)",
        "z**2",
        "z^^2",
        "z @ z",
        "z^T",
        "sum(z)",
        "softmax(z)",
        "sw(z)",
        "exp(log(z))",
        "1{z > 0}",
        "1{z}",
        "tanh(z)^2",
        "pi*z",
        "E*z",
        "I*z",
        "oo*z",
        "nan*z",
        "zoo",
        "\u03c3(z)",
        "z\u00b2",
        "z\u2212 1",
        "\x1bz",
        "z" * 3000,
        "sin(z)",
        "max(z, 0)",
    ]
    nested = "z"
    for _ in range(12):
        nested = f"relu({nested} - 1{{z>0}})"
    formulas += [nested, "abs(" * 30 + "z" + ")" * 30, "leaky_relu(" * 20 + "z" + ")" * 20]
    cases: list[Case] = []
    for f in formulas:
        cases.append(
            Case("activation", ("derive", "4-3:sw-1", "--define", f"sw={f}", "--loss", "mse"))
        )
    for f in formulas[:24]:
        cases.append(
            Case("activation", ("codegen", "3-2:sw-1", "--define", f"sw={f}", "--loss", "mse"))
        )
    for bad in (
        "sw",
        "=z",
        "sw=",
        "1sw=z",
        "relu=z",
        "sigmoid=z",
        "W1=z",
        "x=z",
        "sw==z",
        "sw=z",
        "sw=z",
    ):
        cases.append(Case("activation", ("derive", "4-3:relu-1", "--define", bad)))
    return cases


def _formulas() -> list[Case]:
    """Hand-written gradient formulas for ``shapecheck``: right, wrong, hostile."""
    w3 = [
        "(a3 - y) a2^T",
        "(a3 - y) @ a2.T",
        "a2^T (a3 - y)",
        "(a3 - y) a2",
        "delta3 a2^T",
        "-(a3 - y) a2^T",
        "(y - a3) a2^T",
        "2 (a3 - y) a2^T",
        "(a3 - y) ⊙ a2^T",
        "exp(exp(exp(exp(exp(exp(a3)))))) a2^T",
        "exp(" * 40 + "a3" + ")" * 40 + " a2^T",
        "(a3 - y)^999 a2^T",
        "(a3 - y)^(10^29) a2^T",
        "99999999999999999999999999999 a2^T",
        "1" + "0" * 40 + " a2^T",
        "(" * 120 + "a3" + ")" * 120 + " a2^T",
        "a3" + " + a3" * 700 + " a2^T",
        "a2^T" * 50,
        "a2 ^T ^T ^T ^T ^T ^T",
        "W3^T^T^T",
        "",
        " ",
        "(",
        ")",
        "a3 -",
        "@",
        "a3 @@ a2",
        "a3 a2^",
        "a2^TT",
        "a2.T.T.T",
        "__import__('os')",
        "a3.__class__",
        "lambda x: x",
        "a3; import os",
        "`id`",
        "$(id)",
        "a3\x1b[31m",
        "a3\n- y",
        "σ(z3) a2^T",
        "sigmoid'(z3) a2^T",
        "relu'(z3) a2^T",
        "1{z3 > 0} a2^T",
        "sum(a3) a2^T",
        "rowsum(a3) a2^T",
        "lambda W3",
        "λ W3",
        "m a2^T",
        "(1/m) delta3 a2^T",
        "a4 a2^T",
        "W9",
        "foo(a3) a2^T",
        "sigmoid(a3, y) a2^T",
        "(a3 - y) a2^T + 0",
        "(a3 - y) a2^T - 0 W3",
        "0",
        "0 W3",
        "W3 - W3",
        "a3 ⊙ ⊙ a2",
        "ｗ3",
        "a3 − y",
        "(a3 - y) a₂ᵀ",
        "exp(1000) a2^T",
        "log(0) a2^T",
        "log(-1) a2^T",
        "sqrt(-1) a2^T",
        "(a3 - y) a2^T / 0",
        "0/0 a2^T",
        "(a3 - y)^(1/2) a2^T",
        "(-1)^(1/3) a2^T",
        "abs(a3 - y) a2^T",
        "tanh(a3) a2^T",
        "a3 " * 200,
    ]
    w2 = [
        "(a3 - y) W3^T a2(1 - a2) a1^T",
        "((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T",
        "((W3^T delta3) * a2 * (1 - a2)) @ a1.T",
        "W3^T delta3 * a2 * (1 - a2) a1^T",
        "delta2 a1^T",
        "delta2^T a1",
        "((W3 (a3 - y)) ⊙ a2) a1^T",
    ]
    cases: list[Case] = []
    for f in w3:
        cases.append(Case("formula", ("shapecheck", "4-3-2-1", "--wrt", "W3", "--", f)))
    for f in w3[:30]:
        cases.append(
            Case(
                "formula",
                (
                    "shapecheck",
                    "4-3-2-1",
                    "--wrt",
                    "W3",
                    "--batch",
                    "--",
                    f.replace("a3", "A3").replace("a2", "A2").replace("y", "Y"),
                ),
            )
        )
    for f in w2:
        cases.append(Case("formula", ("shapecheck", "n-3-2-1", "--wrt", "W2", "--", f)))
        cases.append(Case("formula", ("shapecheck", "4-4-4-1", "--wrt", "W2", "--", f)))
    square = [
        "((W2 @ ((W3.T @ (a3 - y)) * a2 * (1 - a2))) * a1 * (1 - a1)) @ x.T",
        "((W2^T ((W3^T (a3 - y)) * a2 * (1 - a2))) * a1 * (1 - a1)) x^T",
        "(W2 W3 (a3 - y) a2 (1 - a2) a1 (1 - a1)) x^T",
        "W2 W3 W2 W3 W2 W3 W2 W3 (a3 - y) x^T",
    ]
    for f in square:
        cases.append(Case("formula", ("shapecheck", "4-4-4-1", "--wrt", "W1", "--", f)))
        cases.append(Case("formula", ("shapecheck", "3-3-3-3-3", "--wrt", "W1", "--", f)))
    cases.append(Case("formula", ("shapecheck", "4-3-2-1", "--wrt", "W3", "-(a3 - y) a2^T")))
    cases.append(Case("formula", ("shapecheck", "4-3-2-1", "--wrt", "W9", "a2")))
    cases.append(Case("formula", ("shapecheck", "4-3-2-1", "--wrt", "x", "a2")))
    cases.append(Case("formula", ("shapecheck", "4-3-2-1", "a2")))
    cases.append(
        Case(
            "formula",
            (
                "shapecheck",
                "4-3-2-1",
                "--wrt",
                "W3",
                "--l2",
                "0.5",
                "--",
                "(a3 - y) a2^T + lambda W3",
            ),
        )
    )
    cases.append(Case("formula", ("shapecheck", "4-3-2-1", "--wrt", "W3", "--", "x" * 2001)))
    return cases


def _options() -> list[Case]:
    """Sizes, steps, seeds, budgets and depths at and past their limits."""
    cases: list[Case] = []
    for size in (
        "n=4",
        "n=0",
        "n=-1",
        "n=²",
        "n=٣",
        "n=4.0",
        "n=1e3",
        "n=",
        "=4",
        "n",
        "n=99999999999",
        "m=0",
        "m=100000",
        "x=4",
        "n=4 ",
        " n = 4",
        "n=0x10",
    ):
        cases.append(Case("option", ("derive", "n-3-2-1", "--size", size)))
    for eps in (
        "1e-6",
        "0",
        "-1e-6",
        "inf",
        "nan",
        "1e-300",
        "1e300",
        "1000",
        "1e-11",
        "1e-2",
        "0.5",
        "abc",
        "",
        "1e-6.5",
    ):
        cases.append(Case("option", ("check", "4-3-1", "--no-exact", "--eps", eps)))
    for seed in ("0", "-1", "1.5", "99999999999999999999999", "abc", "4294967296"):
        cases.append(Case("option", ("check", "4-3-1", "--no-exact", "--seed", seed)))
    for l2 in ("0", "0.5", "-1", "1e308", "1e309", "inf", "nan", "abc", "1e-320"):
        cases.append(Case("option", ("check", "4-3-1", "--no-exact", "--l2", l2)))
        cases.append(Case("option", ("derive", "4-3-1", "--l2", l2)))
    for args in (
        ("--width", "4096", "--m", "10000", "--depth", "3", "--seeds", "1"),
        ("--depth", "500", "--width", "4096", "--seeds", "1"),
        (
            "--depth",
            "0",
        ),
        ("--depth", "100000"),
        ("--width", "0"),
        ("--m", "0"),
        ("--init", "scaled-identity:abc"),
        ("--init", "scaled-identity:1e400"),
        ("--init", "bogus"),
        ("--activation", "softmax"),
        ("--activation", "foo"),
        ("--depth", "3", "--width", "2", "--seeds", "1", "--m", "1"),
        (
            "--depth",
            "3",
            "--width",
            "3",
            "--init",
            "scaled-identity:1.5",
            "--activation",
            "identity",
        ),
    ):
        cases.append(Case("option", ("gradients", *args)))
    for spec in ("30000-30000-1", "100000-100000-1", "4-3-1", "4-" + "-".join(["3"] * 500) + "-1"):
        cases.append(Case("option", ("check", spec, "--no-exact")))
    for depth in (200, 800, 1000, 5000):
        deep = "3-" + "-".join(["3"] * (depth - 1)) + "-1"
        cases.append(Case("option", ("derive", deep)))
    cases.append(
        Case(
            "option", ("collapse", "3-" + "-".join(["3"] * 199) + "-1", "--activation", "identity")
        )
    )
    cases.append(Case("option", ("codegen", "4-3-2-1", "--single")))
    cases.append(Case("option", ("latex", "n" * 3000 + "-3-1", "-o", "x.tex", "--pdf")))
    cases.append(Case("option", ("latex", "4-3-1", "-o", "n" * 3000 + ".tex")))
    cases.append(Case("option", ("latex", "4-3-1", "-o", "notes.pdf", "--pdf")))
    cases.append(Case("option", ("codegen", "4-3-1", "-o", "nodir/out.py")))
    cases.append(Case("option", ("codegen", "4-3-1", "-o", "")))
    cases.append(Case("option", ("codegen", "4-3-1", "-o", ".")))
    cases.append(Case("option", ("codegen", "4-3-1", "-o", "-")))
    cases.append(Case("option", ("derive", "4-3-1", "--wrt", "W9")))
    cases.append(Case("option", ("derive", "4-3-1", "--format", "pdf")))
    cases.append(Case("option", ("nosuchcommand",)))
    cases.append(Case("option", ()))
    cases.append(Case("option", ("--version",)))
    return cases


def corpus() -> list[Case]:
    """Every case, in a fixed order."""
    return [*_specs(), *_files(), *_activations(), *_formulas(), *_options()]


if __name__ == "__main__":  # pragma: no cover - a summary for people
    from collections import Counter

    cases = corpus()
    print(len(cases), dict(Counter(case.kind for case in cases)))
