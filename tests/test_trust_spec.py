"""Issue 9, items 4.2, 4.4 and 5.7 (API part): spec values, width names, entry points.

4.2  spec values: l2 is a finite real in [0, MAX_L2] whatever its type or size; integers too
     long for Python's int-from-text; duplicate JSON keys; NaN, -0.0, bools and floats.
4.4  width names never clash with a name the derivation, LaTeX, code or formulas use: one
     predicate (``spec.width_name_problem``), checked against the names really produced.
5.7  every API entry point takes a compact spec (or a spec file); ``collapse`` needs no loss;
     the loss/output and ``784x128x10`` messages say what to type.
"""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from cli_process import run_cli
from click.testing import CliRunner
from hypothesis import strategies as st
from hypothesis_twins import twins

import symbackprop as sb
from symbackprop.apps.collapse import collapse
from symbackprop.cli.main import main
from symbackprop.errors import SpecError
from symbackprop.spec import MAX_L2, MAX_NAME_LENGTH, Layer, Network, width_name_problem

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, timeout=60)


def _cli_in_process(*args: str) -> subprocess.CompletedProcess[str]:
    """:func:`_cli`'s result from the CLI in this process (for messages that other tests
    already see from a real process)."""
    result = CliRunner().invoke(main, list(args), env={"NO_COLOR": "1"})
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def _one_line_exit_2(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert len(lines[0]) < 400, lines[0]
    return lines[0]


def _spec_error(make: object) -> str:
    with pytest.raises(SpecError) as info:
        make()  # type: ignore[operator]
    message = str(info.value)
    assert "\n" not in message
    assert len(message) < 400, message
    return message


# --------------------------------------------------------------------------------------------
# 4.2 l2: any size, any numeric type, one rule


@pytest.mark.parametrize(
    "l2",
    [10**400, -(10**400), 1e400, -1e400, math.inf, math.nan, MAX_L2 * 1.0000001, MAX_L2 + 1],
    ids=["int-10^400", "int--10^400", "1e400", "-1e400", "inf", "nan", "above", "above-int"],
)
def test_4_2_l2_out_of_range_is_a_spec_error_from_the_python_api(l2: object) -> None:
    # 10**400 once raised OverflowError from math.isfinite
    message = _spec_error(lambda: Network.parse("4-3-1", l2=l2))  # type: ignore[arg-type]
    assert "finite, non-negative number at most 1,000,000" in message


@pytest.mark.parametrize(
    ("l2", "value"),
    [
        (0, 0.0),
        (-0.0, 0.0),
        (MAX_L2, MAX_L2),
        (10**6, 1e6),
        (Fraction(1, 10), 0.1),
        (np.float32(0.5), 0.5),
        (np.int64(2), 2.0),
    ],
)
def test_4_2_l2_accepted_values_become_a_plain_float(l2: object, value: float) -> None:
    net = Network.parse("4-3-1", l2=l2)  # type: ignore[arg-type]
    assert type(net.l2) is float and net.l2 == value
    assert math.copysign(1.0, net.l2) == 1.0  # -0.0 is stored as 0.0


def test_4_2_negative_zero_l2_gives_the_same_network_and_code() -> None:
    plain, negative = Network.parse("4-3-1"), Network.parse("4-3-1", l2=-0.0)
    assert plain == negative
    assert sb.codegen(plain) == sb.codegen(negative)


@pytest.mark.parametrize("l2", [True, False, "0.1", None, [0.1], 1j, Decimal("0.25")])
def test_4_2_l2_must_be_a_real_number(l2: object) -> None:
    assert "expected a non-negative number" in _spec_error(
        lambda: Network.parse("4-3-1", l2=l2)  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------------------------
# 4.2 spec files: huge numbers, over-long integers, duplicate keys, NaN, bools, floats

LAYERS_TOML = "\n[[layers]]\nunits = 1\n"
LONG = "1" * 5000  # over Python's 4,300-digit int-from-text limit

BAD_FILES: list[tuple[str, str, str]] = [
    ("big-l2.toml", "input = 4\nl2 = 1e400" + LAYERS_TOML, "finite"),
    ("nan-l2.toml", "input = 4\nl2 = nan" + LAYERS_TOML, "finite"),
    ("inf-l2.toml", "input = 4\nl2 = inf" + LAYERS_TOML, "finite"),
    ("int-l2.toml", "input = 4\nl2 = " + "9" * 400 + LAYERS_TOML, "at most 1,000,000"),
    ("long-l2.toml", "input = 4\nl2 = " + LONG + LAYERS_TOML, "more than 4,300 digits"),
    ("long-units.toml", "input = 4\n[[layers]]\nunits = " + LONG + "\n", "more than 4,300"),
    ("bool-l2.toml", "input = 4\nl2 = true" + LAYERS_TOML, "expected a non-negative number"),
    ("bool-units.toml", "input = 4\n[[layers]]\nunits = true\n", "width True"),
    ("float-units.toml", "input = 4\n[[layers]]\nunits = 3.0\n", "got a float (write 3)"),
    ("float-input.toml", "input = 4.0" + LAYERS_TOML, "got a float (write 4)"),
    ("dup.toml", "input = 4\ninput = 5" + LAYERS_TOML, "invalid TOML"),
    ("big-l2.json", '{"input": 4, "l2": 1e400, "layers": [{"units": 1}]}', "finite"),
    ("int-l2.json", '{"input": 4, "l2": ' + "9" * 400 + ', "layers": [{"units": 1}]}', "at most"),
    ("long-l2.json", '{"input": 4, "l2": ' + LONG + ', "layers": [{"units": 1}]}', "4,300"),
    ("long-in.json", '{"input": ' + LONG + ', "layers": [{"units": 1}]}', "4,300 digits"),
    ("nan.json", '{"input": 4, "l2": NaN, "layers": [{"units": 1}]}', "NaN is not a finite"),
    ("inf.json", '{"input": 4, "l2": -Infinity, "layers": [{"units": 1}]}', "-Infinity is not"),
    ("nan-units.json", '{"input": 4, "layers": [{"units": NaN}]}', "NaN is not a finite"),
    ("dup.json", '{"input": 4, "input": 5, "layers": [{"units": 1}]}', "key 'input' appears"),
    ("dup-layer.json", '{"input": 4, "layers": [{"units": 1, "units": 2}]}', "key 'units'"),
    ("dup-define.json", '{"input": 4, "define": {"s": "z", "s": "2*z"}, "layers": []}', "'s'"),
    ("bool-l2.json", '{"input": 4, "l2": true, "layers": [{"units": 1}]}', "got bool"),
    ("bool-units.json", '{"input": 4, "layers": [{"units": true}]}', "width True"),
    ("float-units.json", '{"input": 4, "layers": [{"units": 3.0}]}', "got a float (write 3)"),
    ("float-units2.json", '{"input": 4, "layers": [{"units": 3.5}]}', "got a float"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_4_2_bad_spec_file_values_are_one_line_spec_errors(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    found = _spec_error(lambda: Network.from_file(path))
    assert message in found
    assert found.startswith(f"spec file '{path}'")


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("name", ["long-l2.json", "int-l2.toml", "dup.json", "nan.json"])
def test_4_2_bad_spec_file_values_exit_2_from_the_cli(tmp_path: Path, name: str) -> None:
    _, text, message = next(b for b in BAD_FILES if b[0] == name)
    (tmp_path / name).write_text(text)
    assert message in _one_line_exit_2(_cli("derive", name, cwd=tmp_path))


@pytest.mark.parametrize("value", ["1e400", "1e308", "1" * 5000, "nan", "-0.1"])
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_4_2_huge_l2_on_the_command_line_exits_2(value: str) -> None:
    assert "l2" in _one_line_exit_2(_cli("shapes", "4-3-1", "--l2", value))


def test_4_2_integral_widths_of_other_types_are_accepted() -> None:
    net = Network(np.int64(4), (Layer(np.int32(3)), Layer(1)))  # type: ignore[arg-type]
    assert net.widths == (4, 3, 1)
    assert all(type(w) is int for w in net.widths)


def test_4_2_json_spec_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"input": 4, "l2": 0.5, "layers": [{"units": 3}, {"units": 1}]}))
    assert Network.from_file(path) == Network.parse("4-3-1", l2=0.5)


# --------------------------------------------------------------------------------------------
# 4.4 width names

CLASHES = [
    "x", "y", "X", "Y", "yhat", "W1", "b2", "z1", "a1", "Z1", "A1", "delta2", "dW1", "db3",
    "dZ2", "W", "b", "z", "a", "delta", "lambda", "m", "J", "L", "T", "n0", "n12", "exp",
    "log", "sqrt", "sum", "sigmoid", "relu", "softmax", "tanh", "bce", "mse", "ce", "class",
    "for", "_h", "__x", "np", "params", "cache", "grads", "L2", "SHAPES", "forward",
]  # fmt: skip


@pytest.mark.parametrize("name", CLASHES)
def test_4_4_width_names_that_clash_are_refused_everywhere(tmp_path: Path, name: str) -> None:
    reason = width_name_problem(name)
    assert reason is not None
    for make in (
        lambda: Network.parse(f"4-{name}-1"),
        lambda: Network.parse(f"{name}-3-1"),
        lambda: Network(name, (Layer(3), Layer(1))),
    ):
        assert name in _spec_error(make)
    path = tmp_path / "net.json"
    path.write_text(json.dumps({"input": name, "layers": [{"units": 1}]}))
    assert "choose another name" in reason
    assert reason in _spec_error(lambda: Network.from_file(path))


@pytest.mark.parametrize("name", ["n", "h", "k", "p", "d", "n_in", "hidden", "width2", "nx"])
def test_4_4_ordinary_width_names_are_accepted(name: str) -> None:
    assert width_name_problem(name) is None
    assert Network.parse(f"{name}-3-1").named_widths == (name,)


def test_4_4_long_width_names_are_refused_with_a_short_message() -> None:
    assert width_name_problem("h" * MAX_NAME_LENGTH) is None
    message = _spec_error(lambda: Network.parse("4-" + "h" * 900_000 + "-1"))
    assert f"at most {MAX_NAME_LENGTH} characters" in message


def test_4_4_width_name_equal_to_a_custom_activation_is_refused() -> None:
    message = _spec_error(lambda: Network.parse("4-sw-1", define={"sw": "z*sigmoid(z)"}))
    assert "'sw' is also a custom activation" in message


def test_4_4_the_rule_covers_every_name_the_network_itself_produces() -> None:
    """The predicate is checked against what the stages really produce, not a copied list."""
    from symbackprop.formula import FUNCTIONS
    from symbackprop.records.activations import ACTIVATIONS
    from symbackprop.records.losses import LOSSES

    produced: set[str] = set(FUNCTIONS) | set(ACTIVATIONS) | set(LOSSES)
    for spec, loss in (("4-3-2-1", "bce"), ("4-3:relu-2:softmax", "ce")):
        for batch in (False, True):
            d = sb.derive(Network.parse(spec, loss=loss, l2=0.1), batch=batch)
            produced |= set(d.symbols) | {s.name for s in d.delta_symbols.values()}
            produced |= {str(s) for s in d.graph.dims} | {str(d.graph.m)}
            produced |= {str(s) for expr in d.gradients.values() for s in expr.free_symbols}
        module = sb.compile(Network.parse(spec, loss=loss, l2=0.1))
        produced |= {name for name in vars(module.module) if not name.startswith("__")}
        params = module.init_params(seed=0)
        X = np.zeros((4, 2))
        _, cache = module.forward(params, X)
        produced |= set(params) | set(cache)
        produced |= {f"d{name}" for name in params}
    produced -= {"1", "2", "3", "4"}  # concrete dimensions
    allowed = {name for name in produced if width_name_problem(name) is None}
    assert not allowed, f"names the network uses but a width may take: {sorted(allowed)}"


# --------------------------------------------------------------------------------------------
# 5.7 entry points take a compact spec (and a spec file); collapse needs no loss


def test_5_7_every_entry_point_takes_a_compact_spec() -> None:
    net = Network.parse("4-3-1")
    d = sb.derive("4-3-1")
    assert d.network == net and not d.batch
    assert sb.derive("4-3-1", batch=True).gradients == sb.derive(net, batch=True).gradients
    assert sb.codegen("4-3-1") == sb.codegen(net) == sb.codegen(d)
    assert sb.compile("4-3-1").source == sb.codegen(net)
    assert sb.cache_plan("4-3-1") == sb.cache_plan(net)
    assert sb.check_formula("4-3-1", "W2", "(a2 - y) a1^T").ok
    assert sb.check_exact("4-3-1", trials=1).ok and sb.check_exact(d, trials=1).ok
    named = Network.parse("n-3-1")
    assert sb.codegen("n-3-1", sizes={"n": 4}) == sb.codegen(named, sizes={"n": 4})


def test_5_7_entry_points_take_a_spec_file(tmp_path: Path) -> None:
    path = tmp_path / "net.toml"
    path.write_text("input = 4\n[[layers]]\nunits = 3\n[[layers]]\nunits = 1\n")
    net = Network.parse("4-3-1")
    for source in (path, str(path)):
        assert sb.derive(source).network == net
    assert sb.codegen(path) == sb.codegen(net)
    assert sb.check_formula(str(path), "W2", "(a2 - y) a1^T").ok


def test_5_7_entry_points_refuse_other_types_with_a_spec_error() -> None:
    for call in (
        lambda: sb.derive(4321),  # type: ignore[arg-type]
        lambda: sb.codegen(None),  # type: ignore[arg-type]
        lambda: sb.compile([4, 3, 1]),  # type: ignore[arg-type]
        lambda: sb.check_formula(3.0, "W1", "x"),  # type: ignore[arg-type]
    ):
        message = _spec_error(call)
        assert "a Network, a Model, a compact spec string" in message
        assert "model file path" in message
    # the entry points that take a derivation name it too (derive does not take one)
    assert "expected a Derivation, a Network, a Model" in _spec_error(lambda: sb.codegen(None))  # type: ignore[arg-type]
    assert "expected a Derivation, a Network, a Model" in _spec_error(lambda: sb.to_html(2.5))  # type: ignore[arg-type]
    assert "Derivation" not in _spec_error(lambda: sb.derive(3.5))  # type: ignore[arg-type]
    assert "no layers" in _spec_error(lambda: sb.derive("4"))


def test_5_7_collapse_needs_no_loss() -> None:
    expected = collapse(Network.parse("4-3-2-1", activation="identity", loss="mse"))
    for result in (
        collapse(Network.parse("4-3-2-1", activation="identity", loss=None)),
        collapse("4-3-2-1", activation="identity"),
        collapse("4-3:identity-2:identity-1:identity"),
        collapse("4-3-2-1", hidden="identity", output="identity"),
    ):
        assert result.text() == expected.text()
        assert result.verify().ok
    assert Network.parse("4-3-2-1", activation="identity", loss=None).loss is None


def test_5_7_collapse_takes_a_spec_file_and_refuses_keywords_for_it(tmp_path: Path) -> None:
    path = tmp_path / "id.toml"
    path.write_text(
        'input = 4\n[[layers]]\nunits = 3\nactivation = "identity"\n'
        '[[layers]]\nunits = 1\nactivation = "identity"\n'
    )
    assert collapse(path).verify().ok
    assert collapse(str(path)).verify().ok
    assert "applies to a compact spec" in _spec_error(
        lambda: collapse(path, activation="identity")
    )
    assert "not written as the identity" in _spec_error(lambda: collapse("4-3-1"))
    # a chosen loss is still validated
    assert "needs a sigmoid output" in _spec_error(
        lambda: collapse("4-3-1", activation="identity", loss="bce")
    )


def test_5_7_a_network_without_a_loss_says_which_to_choose_when_derived() -> None:
    net = Network.parse("4-3-1", activation="identity", loss=None)
    assert "--loss mse" in _spec_error(lambda: sb.derive(net))
    softmax = Network.parse("4-3:relu-2:softmax", loss=None)
    assert (
        "with a softmax output use loss 'ce' (--loss ce, or loss='ce' in Python)"
        in _spec_error(lambda: sb.codegen(softmax))
    )
    # the default loss (bce, DESIGN.md's signature) says the same at once
    assert (
        "with a softmax output use loss 'ce' (--loss ce, or loss='ce' in Python)"
        in _spec_error(lambda: Network.parse("4-3:relu-2:softmax"))
    )
    assert dataclasses.replace(softmax, loss="ce").loss == "ce"
    assert Network.parse("4-3-1").loss == "bce"  # sigmoid output: the default still applies


def test_5_7_cli_missing_loss_with_softmax_suggests_ce() -> None:
    # derive exits 2 with one line as a process in test_4_2_bad_spec_file_values_exit_2_*
    line = _one_line_exit_2(_cli_in_process("derive", "784-128:relu-10:softmax"))
    assert "bce' needs a sigmoid output" in line
    assert "with a softmax output use loss 'ce' (--loss ce, or loss='ce' in Python)" in line


@pytest.mark.parametrize(
    ("spec", "joined"),
    [("784x128x10", "784-128-10"), ("784X10", "784-10"), ("4 3 1", "4-3-1"), ("4,3", "4-3")],
)
def test_5_7_compact_spec_with_other_separators_says_use_dashes(spec: str, joined: str) -> None:
    run = _cli if spec == "784x128x10" else _cli_in_process  # one real process is enough
    line = _one_line_exit_2(run("derive", spec))
    assert f"widths are joined by '-', e.g. '{joined}'" in line


def test_5_7_a_zero_width_gets_no_example_that_is_no_spec() -> None:
    """hostile40b #7: 0x4-3-1 was told "e.g. '0-4'", itself refused (width 0)."""
    line = _one_line_exit_2(_cli_in_process("derive", "0x4-3-1"))
    assert "widths are joined by '-', each a positive integer" in line and "'0-4'" not in line


# --------------------------------------------------------------------------------------------
# 4.2 / 4.4 as a class: whatever the input, a Network or a one-line SpecError, nothing else

JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**500), max_value=10**500)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["n", "h", "x", "W1", "relu", "identity", "softmax", "bce", "mse", "ce"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["input", "layers", "loss", "l2", "define", "units", "activation"])
            | st.text(max_size=6),
            inner,
            max_size=5,
        )
    ),
    max_leaves=12,
)


def _network_or_spec_error(make: object) -> None:
    try:
        net = make()  # type: ignore[operator]
    except SpecError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 600, str(exc)
    else:
        assert isinstance(net, Network)
        assert 0.0 <= net.l2 <= MAX_L2 and math.copysign(1.0, net.l2) == 1.0
        assert all(width_name_problem(w) is None for w in net.named_widths)


@twins(
    st.text(alphabet="0123456789nhxWmz_:-x ,.é\t", max_size=40) | st.text(max_size=40),
    examples=300,
)
def test_4_4_any_compact_spec_text_gives_a_network_or_a_spec_error(spec: str) -> None:
    _network_or_spec_error(lambda: Network.parse(spec))


@twins(JSONISH, examples=300)
@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_4_2_any_file_data_gives_a_network_or_a_spec_error(data: object) -> None:
    _network_or_spec_error(lambda: Network.from_dict(data))  # type: ignore[arg-type]


@twins(
    st.integers(min_value=-(10**500), max_value=10**500)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.fractions()
    | st.booleans()
    | st.decimals(allow_nan=True, allow_infinity=True)
    | st.text(max_size=5),
    examples=300,
)
def test_4_2_any_l2_gives_a_network_or_a_spec_error(l2: object) -> None:
    _network_or_spec_error(lambda: Network.parse("4-3-1", l2=l2))  # type: ignore[arg-type]


@twins(JSONISH, examples=200)
def test_4_2_any_json_file_gives_a_network_or_a_spec_error(data: object) -> None:
    import tempfile

    text = json.dumps({"input": 4, "layers": [{"units": 1}], "l2": data})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.json"
        path.write_text(text)
        _network_or_spec_error(lambda: Network.from_file(path))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("bom.toml", "input = 4\n[[layers]]\nunits = 3\n[[layers]]\nunits = 1\n"),
        ("bom.json", '{"input": 4, "layers": [{"units": 3}, {"units": 1}]}'),
    ],
)
def test_spec_files_with_a_byte_order_mark_read(tmp_path: Path, name: str, text: str) -> None:
    """Review: a TOML file saved with a UTF-8 BOM failed with 'Invalid statement (at line 1,
    column 1)'; editors on Windows write one. Both formats read it."""
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert Network.from_file(path).widths == (4, 3, 1)
