"""Session 44's hostile cases on inputs: a formula real where two names differ refused as real
nowhere, the message for a source of another type, and the words for unprintable characters."""

from __future__ import annotations

import pytest

import symbackprop as sb
from symbackprop.errors import SpecError


def test_a_root_of_a_difference_of_two_names_is_compared_not_refused() -> None:
    """(a3 - y)^(1/3) is real wherever a3 > y; with every name near one value the difference had
    the sign of the drawn offsets alone, and the formula was refused as 'not a real number in
    any entry' (exit 2). It is a wrong gradient, and the checker says so."""
    report = sb.check_formula("4-3-2-1", "W3", "(a3-y)^(1/3) a2^T")
    assert report.error is None
    assert report.exit_code == 1 and report.equal is False


@pytest.mark.parametrize(
    ("formula", "names"),
    [("log(-exp(a3)) a2^T", 1), ("log(-exp(a3) - y ⊙ y) a2^T", 2)],
)
def test_a_function_real_nowhere_is_still_refused(formula: str, names: int) -> None:
    report = sb.check_formula("4-3-2-1", "W3", formula)
    assert report.exit_code == 2
    assert "is not a real number in any entry" in str(report.error)
    # the values are described as they were drawn: apart only where there are two names
    assert ("each near another" in str(report.error)) is (names > 1)


@pytest.mark.parametrize("bad", [3.5, None, [4, 3, 1]])
def test_every_entry_point_names_a_model_among_the_sources_it_takes(bad: object) -> None:
    for call, takes_derivation in (
        (sb.derive, False),
        (sb.check_exact, True),
        (sb.codegen, True),
        (sb.compile, True),
        (sb.to_html, True),
    ):
        with pytest.raises(SpecError) as caught:
            call(bad)  # type: ignore[operator]
        message = str(caught.value)
        assert "a Model" in message and "model file path" in message, (call, message)
        assert ("a Derivation" in message) is takes_derivation, (call, message)
        assert type(bad).__name__ in message


@pytest.mark.parametrize(
    "formula",
    [
        "softplus(100*z)/100",  # PyTorch's Softplus(beta=100)
        "softplus(71*z)",
        "log(1+exp(100*z))/100",
        "log(sigmoid(100*z))",
    ],
)
def test_a_custom_activation_is_not_refused_for_an_overflow_of_the_probe(formula: str) -> None:
    """hostile44c #4: the probe computes in float64, where exp(710) overflows, and refused
    softplus(100 z)/100 as 'not finite at z = 7.1' (its value there is 7.1); the generated code
    computes it with np.logaddexp, and the probe now evaluates softplus as the code does."""
    from symbackprop import Network

    net = Network.parse("4-3-1", hidden="sp", define={"sp": formula})
    assert sb.derive(net).gradients  # and the generated code checks (CLI test below)


@pytest.mark.parametrize(
    ("formula", "said"),
    [
        ("1/z", "not finite at z = 0"),
        ("log(z)", "not finite at z = 0"),
        ("exp(z^5)", "not finite at z = 3.75"),  # exp(741) is past float64 itself
        ("sqrt(z)", "not real at z = -0.05"),
        ("exp(exp(exp(z)))", "not finite"),
        ("0*log(z)+z", "its part log(z) is not finite"),
        # finite everywhere, but the code computes e^(40 z) and overflows (review44 #2)
        ("exp(40*z)/(2+exp(40*z))", "is not finite at z = 8.9"),
    ],
)
def test_a_pole_an_overflow_of_the_function_or_a_root_is_still_refused(
    formula: str, said: str
) -> None:
    from symbackprop import Network

    with pytest.raises(SpecError, match=said.replace("(", r"\(").replace(")", r"\)")):
        Network.parse("4-3-1", hidden="sp", define={"sp": formula})


@pytest.mark.slow
def test_a_steep_softplus_checks_from_the_command_line() -> None:
    from tests.test_cli import run

    result = run("check", "4-3-1", "--hidden", "sp=softplus(100*z)/100")
    assert result.returncode == 0, result.stderr
    assert "all checks passed" in result.stdout


def _skips_model(n: int) -> str:
    """h_{i+1} = tanh(h_0 + ... + h_i): every value skips to every later one."""
    lines = ["x : 2 x 1", "W : 2 x 2", "h0 = W x"]
    lines += [
        f"h{i + 1} = tanh(" + " + ".join(f"h{j}" for j in range(i + 1)) + ")" for i in range(n)
    ]
    return "\n".join([*lines, f"J = sum(h{n})", "data: x"]) + "\n"


@pytest.mark.slow
def test_a_png_past_the_pixel_limit_is_refused_before_matplotlib_draws_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """hostile44a #1: 75 skip connections rasterised 16,304 x 21,745 pixels in 70 s and 2 GB;
    the PNG is refused by its size, in one line, and SVG still draws it."""
    from tests.test_cli import run

    path = tmp_path / "skips.model"
    path.write_text(_skips_model(40), encoding="utf-8")
    png = tmp_path / "skips.png"
    result = run("draw", str(path), "-o", str(png))
    assert result.returncode == 2
    assert "megapixels" in result.stderr and "SVG" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not png.exists()
    svg = tmp_path / "skips.svg"
    assert run("draw", str(path), "-o", str(svg)).returncode == 0 and svg.stat().st_size > 0


def test_many_inits_are_refused_together_by_their_work() -> None:
    """hostile44a #2: each --init was checked alone, and a layer's own cost (its Python and
    NumPy calls) was not counted: sixty inits of a 500-layer width-1 network ran 2 minutes."""
    from symbackprop.apps.gradients import analyze

    with pytest.raises(SpecError, match=r"60 inits would take .* or fewer --init"):
        analyze(500, 1, "relu", "he", seeds=100, m=1, runs=60)
    # one init of it is within the limit (about 5 s; not run here)
    from symbackprop.core.memory import MAX_MULTIPLY_ADDS, check_work

    assert check_work("one", [1] * 501, 1, passes=100, drawn=True) < MAX_MULTIPLY_ADDS


@pytest.mark.parametrize(
    ("content", "said"),
    [
        # a model file: a float where a width belongs, a null define
        ({"equations": "w : n x 1\nJ = sum(w)\nsizes: n = 4", "sizes": {"n": 4.0}}, "4.0"),
        ({"equations": "w : n x 1\nJ = sum(w)", "define": None}, "'define': expected a table"),
        # a network file: define as a list of pairs (the README's is a table)
        (
            {
                "input": 4,
                "layers": [{"units": 3, "activation": "sw"}, {"units": 1}],
                "define": [["sw", "z*sigmoid(z)"]],
            },
            "'define' must be a table",
        ),
    ],
)
def test_spec_and_model_files_take_what_the_readme_says_only(
    tmp_path, content: dict[str, object], said: str
) -> None:  # type: ignore[no-untyped-def]
    """hostile44a #5: each of these was read (a float width, define as null in a model file,
    define as a list in a network file), where the README and the other file kind refuse it."""
    import json

    path = tmp_path / "spec.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(SpecError, match=said.replace("(", r"\(")):
        sb.derive(str(path))
