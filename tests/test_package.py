"""Packaging and import-cost contracts: lazy exports, a light CLI, the installed layout."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def test_import_is_lazy() -> None:
    """`import symbackprop` must not import SymPy or NumPy (PEP 562 lazy exports)."""
    proc = run_python(
        "import sys, symbackprop\n"
        "heavy = sorted(m for m in ('sympy', 'numpy', 'rich') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        "print(symbackprop.__version__)\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0.1.0"


def test_lazy_names_are_declared() -> None:
    import symbackprop

    assert set(symbackprop._LAZY) | {"__version__"} == set(symbackprop.__all__)
    assert set(symbackprop.__all__) <= set(dir(symbackprop))
    # not the names the package imports for itself (hostile38c #13)
    assert not {"Any", "TYPE_CHECKING", "annotations", "importlib"} & set(dir(symbackprop))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = symbackprop.nope  # type: ignore[attr-defined]


def test_lazy_export_resolves() -> None:
    import symbackprop
    from symbackprop.errors import SpecError
    from symbackprop.spec import Network

    assert symbackprop.SpecError is SpecError
    assert symbackprop.Network is Network


def test_cli_help_does_not_import_sympy() -> None:
    proc = run_python(
        "import sys\n"
        "from symbackprop.cli.main import main\n"
        "try:\n"
        "    main(['--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('sympy', 'numpy') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout


def test_cli_version() -> None:
    for argv in (
        [sys.executable, "-m", "symbackprop", "--version"],
        [sys.executable, "-m", "symbackprop.cli.main", "--version"],
        [sys.executable, "-m", "symbackprop.cli", "--version"],  # cli/__main__.py
    ):
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == "symbackprop 0.1.0"


def test_pyproject_lists_every_package() -> None:
    """pyproject lists packages explicitly (``cli/`` maps to ``symbackprop.cli``); keep in sync."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = set()
    for init in (ROOT / "symbackprop").rglob("__init__.py"):
        rel = init.parent.relative_to(ROOT)
        on_disk.add(".".join(rel.parts))
    for init in (ROOT / "cli").rglob("__init__.py"):
        rel = init.parent.relative_to(ROOT)
        on_disk.add(".".join(("symbackprop", *rel.parts)))
    assert listed == on_disk, "update [tool.setuptools] packages in pyproject.toml"
    assert config["package-dir"]["symbackprop.cli"] == "cli"


@pytest.mark.slow  # over 0.5 s of the default suite's time (2026-12-07)
def test_no_user_text_can_reach_eval_exec_sympify_or_parse_expr() -> None:
    """DESIGN.md's safety rule, held by the source itself: ``exec`` only in executor.py (on
    the generated module, built from validated names), ``sympify`` only with ``strict=True``
    (which refuses strings), no ``eval(``/``parse_expr`` calls at all (``def eval`` is SymPy's
    Function hook in formula/functions.py)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found: list[str] = []
    seen: list[str] = []
    for source in sorted([*root.glob("symbackprop/**/*.py"), *root.glob("cli/*.py")]):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            where = f"{source.relative_to(root)}:{node.lineno} {name}"
            strict = any(
                k.arg == "strict" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in node.keywords
            )
            if name in ("exec", "sympify"):
                seen.append(name)
            if (
                name in ("eval", "parse_expr")
                or (name == "exec" and source.name != "executor.py")
                or (name == "sympify" and not strict)
            ):
                found.append(where)
    assert found == []
    assert seen.count("exec") == 1 and seen.count("sympify") >= 3  # the scan sees the calls
