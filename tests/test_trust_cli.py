"""Issue 9, the command line's part: files are never lost, options are strict, errors are short.

Each test names the item of issue 9 it guards (test_1_1_..., test_4_5_...). File-safety tests
run the real ``python -m symbackprop`` process, as a user would; the in-process ones (CliRunner)
simulate what a process cannot easily: a full disk in the middle of a write, an interrupt.
"""

from __future__ import annotations

import errno
import json
import os
import pty
import re
import resource
import select
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from symbackprop.cli import output
from symbackprop.cli.errors import MESSAGE_LIMIT, one_line
from symbackprop.cli.main import main
from symbackprop.cli.options import FiniteFloat, IntRange
from symbackprop.errors import quote_user_text

ROOT = Path(__file__).resolve().parent.parent
SPEC_TOML = 'input = 4\nloss = "mse"\n[[layers]]\nunits = 3\n[[layers]]\nunits = 1\n'
OLD = b"the user's precious notes\n"


def run(
    *args: str, cwd: Path | None = None, limit_file_size: int | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m symbackprop ARGS`` as a real process (stdout and stderr are pipes)."""
    env = {k: v for k, v in os.environ.items() if k != "SYMBACKPROP_DEBUG"}
    if limit_file_size is not None:
        # a process that cannot write past limit_file_size must not cache bytecode either: it
        # would leave truncated .pyc files that break every later import of the package
        env["PYTHONDONTWRITEBYTECODE"] = "1"

    def limit() -> None:  # a "disk" that is full after limit_file_size bytes (EFBIG)
        if limit_file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run(
        [sys.executable, "-m", "symbackprop", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=cwd or ROOT,
        env=env,
        preexec_fn=limit if limit_file_size is not None else None,
    )


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args))


def assert_one_line_error(stderr: str, *needles: str) -> None:
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr
    assert len(stderr) < MESSAGE_LIMIT + 150, len(stderr)
    for needle in needles:
        assert needle in stderr, stderr


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- 1.1 -o is atomic ---------------------------------------------------------------------------


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize("command", [pytest.param("latex", marks=pytest.mark.slow), "codegen"])
def test_1_1_full_disk_keeps_the_old_file(tmp_path: Path, command: str) -> None:
    """A real process whose writes fail after 2 KiB (RLIMIT_FSIZE: EFBIG, like a full disk):
    the old file is byte-identical, no temporary file is left, one line, exit 2."""
    target = tmp_path / ("notes.tex" if command == "latex" else "m.py")
    target.write_bytes(OLD)
    proc = run(command, "4-3-2-1", "-o", str(target), "--force", limit_file_size=2048)
    assert proc.returncode == 2, proc.stderr
    assert_one_line_error(proc.stderr, "cannot write", "nothing was changed")
    assert target.read_bytes() == OLD
    assert listing(tmp_path) == [target.name]


def test_1_1_no_space_left_mid_write_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC after the first chunk (os.write patched): old file intact, no temporary file."""
    target = tmp_path / "m.py"
    target.write_bytes(OLD)
    real_write = os.write
    calls = []

    def full_disk(fd: int, data: bytes) -> int:
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data)[:100])  # a partial write first
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    result = invoke("codegen", "4-3-2-1", "-o", str(target), "--force")
    monkeypatch.undo()
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.stderr
    assert len(calls) == 2
    assert target.read_bytes() == OLD
    assert listing(tmp_path) == ["m.py"]


def test_1_1_interrupt_mid_write_leaves_nothing(tmp_path: Path) -> None:
    """An interrupt inside the write (any exception, not only OSError) removes the temp file."""
    target = output.target(str(tmp_path / "a.txt"), force=False)
    assert target is not None
    with pytest.raises(KeyboardInterrupt), output.atomic(target) as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert listing(tmp_path) == []


def test_1_1_a_writer_failing_in_its_clean_up_after_a_full_disk_is_the_disk_error(
    tmp_path: Path,
) -> None:
    """hostile38c #2: matplotlib's PDF writer, on a full disk, raised AttributeError from its
    clean-up while handling the OSError, and the command exited 3."""

    def pdf_writer(path: Path) -> None:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError:
            raise AttributeError("'Stream' object has no attribute 'pos'")  # noqa: B904

    target = output.target(str(tmp_path / "g.pdf"), force=False)
    assert target is not None
    full = r"No space left on device; nothing was changed"
    with pytest.raises(output.CliError, match=full), output.atomic(target) as tmp:
        pdf_writer(tmp)
    assert listing(tmp_path) == []
    with pytest.raises(KeyError), output.atomic(target):  # no OSError in its chain: raised
        raise KeyError("x")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("latex", "4-3-1", "-o", "{tmp}/notes.pdf"), "(--pdf builds the PDF beside it)"),
        (("latex", "4-3-1", "-o", "{tmp}/notes.md"), "holds Markdown; name it '"),
        (("derive", "4-3-1", "--format", "markdown", "-o", "{tmp}/d.json"), "/d.md'"),
        (("derive", "4-3-1", "--indices", "-o", "{tmp}/d.html"), "writes text, but"),
        (("codegen", "4-3-1", "-o", "{tmp}/m.tex"), "writes Python, but a file named *.tex"),
    ],
)
def test_1_1_a_file_named_for_another_format_is_refused(
    tmp_path: Path, args: tuple[str, ...], needle: str
) -> None:
    """hostile38c #5: ``latex -o notes.pdf`` wrote LaTeX source into notes.pdf, exit 0."""
    result = invoke(*(arg.format(tmp=tmp_path) for arg in args))
    assert result.exit_code == 2, result.output
    assert_one_line_error(result.stderr, needle)
    assert listing(tmp_path) == []


def test_1_1_a_file_named_for_its_format_or_none_is_written(tmp_path: Path) -> None:
    for name in ("notes.tex", "notes.txt", "notes"):
        assert invoke("latex", "4-3-1", "-o", str(tmp_path / name)).exit_code == 0
    assert (
        invoke("derive", "4-3-1", "--format", "html", "-o", str(tmp_path / "p.htm")).exit_code == 0
    )
    assert listing(tmp_path) == ["notes", "notes.tex", "notes.txt", "p.htm"]


def test_1_1_new_file_mode_and_replaced_file_mode(tmp_path: Path) -> None:
    """A new file gets the usual mode (0666 minus the umask), a replaced one keeps its mode."""
    mask = os.umask(0o022)
    try:
        fresh = output.target(str(tmp_path / "new.py"), force=False)
        assert fresh is not None
        output.write(fresh, "x = 1\n")
        assert (tmp_path / "new.py").stat().st_mode & 0o777 == 0o644
        old = tmp_path / "old.py"
        old.write_text("old")
        old.chmod(0o600)
        again = output.target(str(old), force=True)
        assert again is not None
        output.write(again, "new")
        assert old.read_text() == "new" and old.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(mask)


def test_1_1_name_appearing_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    """Without --force the final step cannot replace a file created after the first check."""
    path = tmp_path / "race.txt"
    target = output.target(str(path), force=False)
    assert target is not None
    path.write_bytes(OLD)  # appears between the check and the write
    with pytest.raises(click.ClickException, match="exists"):
        output.write(target, "new")
    assert path.read_bytes() == OLD
    assert listing(tmp_path) == ["race.txt"]


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="no /proc")
def test_a_system_folder_that_makes_no_files_is_named(tmp_path: Path) -> None:
    """/proc makes no new files: mkstemp's ENOENT said "No such file or directory" of a file
    that exists, in a folder that exists."""
    for name in ("/proc/version", "/proc/new.py"):
        proc = run("codegen", "4-3-1", "-o", name, "--force")
        assert proc.returncode == 2
        assert_one_line_error(proc.stderr, "its folder '/proc' takes no new files")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_1_1_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "m.py").write_bytes(OLD)
    folder.chmod(0o555)
    try:
        proc = run("codegen", "4-3-1", "-o", str(folder / "m.py"), "--force")
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr, "cannot write")
    assert (folder / "m.py").read_bytes() == OLD and listing(folder) == ["m.py"]


def test_1_1_plot_failure_keeps_the_old_plot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gradients --plot goes through the same helper: a failing savefig leaves no trace."""
    import symbackprop.apps.gradients as gradients

    png = tmp_path / "g.png"
    png.write_bytes(OLD)

    def broken_plot(tables: object, path: str) -> None:
        Path(path).write_bytes(b"\x89PNG half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(gradients, "plot", broken_plot)
    result = invoke(
        "gradients", "--depth", "2", "--width", "2", "--seeds", "1", "--plot", str(png), "--force"
    )
    assert result.exit_code == 2, result.output
    assert png.read_bytes() == OLD and listing(tmp_path) == ["g.png"]


def test_1_1_every_file_write_goes_through_the_helper() -> None:
    """No module of the command line writes a file except cli/output.py (the private
    temporary folder of pdflatex is marked and allowed)."""
    pattern = re.compile(r"write_text\(|write_bytes\(|\bopen\(|savefig\(|shutil\.copy")
    offenders = []
    for source in sorted((ROOT / "cli").glob("*.py")):
        if source.name == "output.py":
            continue
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and "private temporary folder" not in line:
                offenders.append(f"{source.name}:{number}: {line.strip()}")
    assert offenders == []


# -- 1.2 refuse existing files, the command's own input, links ---------------------------------


def test_1_2_existing_file_needs_force(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_bytes(OLD)
    proc = run("codegen", "4-3-1", "-o", str(target))
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr, "exists", "--force")
    assert target.read_bytes() == OLD
    # the refusal above is the process; --force writes the same way in process
    forced = invoke("codegen", "4-3-1", "-o", str(target), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert target.read_text(encoding="utf-8").startswith('"""Gradients of 4-3')
    assert listing(tmp_path) == ["m.py"]


@pytest.mark.parametrize("command", ["codegen", pytest.param("latex", marks=pytest.mark.slow)])
def test_1_2_own_input_refused_even_with_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    spec = tmp_path / "net.toml"
    spec.write_text(SPEC_TOML)
    (tmp_path / "sub").mkdir()
    os.link(spec, tmp_path / "hard.toml")
    (tmp_path / "alias.toml").symlink_to(spec)
    monkeypatch.chdir(tmp_path)  # the in-process runs resolve the names where the process does
    for case, (spec_arg, out_arg) in enumerate(
        [
            ("net.toml", "net.toml"),
            ("net.toml", "./sub/../net.toml"),
            (str(spec), "net.toml"),
            ("net.toml", "hard.toml"),  # a hard link is the same file
            ("alias.toml", "net.toml"),  # the spec read through a link
        ]
    ):
        args = (command, spec_arg, "-o", out_arg, "--force")
        if case == 0:  # one real process; the other paths reach the same check in process
            proc = run(*args, cwd=tmp_path)
            code, stderr = proc.returncode, proc.stderr
        else:
            result = invoke(*args)
            code, stderr = result.exit_code, result.stderr
        assert code == 2, (command, spec_arg, out_arg, stderr)
        assert_one_line_error(stderr, "own input")
        assert spec.read_text() == SPEC_TOML
    assert listing(tmp_path) == ["alias.toml", "hard.toml", "net.toml", "sub"]


def test_1_2_links_folders_and_devices_refused(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_bytes(OLD)
    (tmp_path / "live.py").symlink_to(real)
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "folder").mkdir()
    cases = {
        "live.py": "symbolic link",
        "dangling.py": "symbolic link",
        "folder": "folder",
        "/dev/null": "not a regular file",
        "no/such/folder/m.py": "folder does not exist",
        "real.py/m.py": "cannot write",
    }
    for out, needle in cases.items():
        result = invoke(
            "codegen",
            "4-3-1",
            "-o",
            out if out.startswith("/") else str(tmp_path / out),
            "--force",
        )
        assert result.exit_code == 2, (out, result.output)
        assert_one_line_error(result.stderr, needle)
    assert real.read_bytes() == OLD
    assert not (tmp_path / "nowhere.py").exists()


def test_1_2_every_command_with_a_file_option_has_force() -> None:
    writers = []
    for name, command in main.commands.items():
        params = {p.name for p in command.params}
        if params & {"out_path", "plot_path"}:
            writers.append(name)
            assert "force" in params, name
    assert sorted(writers) == ["codegen", "derive", "draw", "gradients", "latex"]


# -- 1.3 --pdf needs FILE.tex, --force covers the PDF, -o - is stdout ---------------------------


def test_1_3_pdf_needs_a_tex_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for out in ("notes.pdf", "notes", "-"):
        if out == "notes.pdf":  # one real process; the other names in process
            proc = run("latex", "4-3-1", "-o", out, "--pdf", cwd=tmp_path)
            code, stderr = proc.returncode, proc.stderr
        else:
            result = invoke("latex", "4-3-1", "-o", out, "--pdf")
            code, stderr = result.exit_code, result.stderr
        assert code == 2, (out, stderr)
        assert_one_line_error(stderr, "--pdf needs -o FILE.tex")
    assert listing(tmp_path) == []


def test_1_3_existing_pdf_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import symbackprop.cli.cmd_latex as cmd_latex

    monkeypatch.setattr(cmd_latex.shutil, "which", lambda name: "/bin/false")
    (tmp_path / "notes.pdf").write_bytes(OLD)
    result = invoke("latex", "4-3-1", "-o", str(tmp_path / "notes.tex"), "--pdf")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "notes.pdf", "exists", "--force")
    assert listing(tmp_path) == ["notes.pdf"]  # notes.tex was not written either


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_1_3_dash_is_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proc = run("codegen", "4-3-1", "-o", "-", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == invoke("codegen", "4-3-1").stdout != ""
    assert listing(tmp_path) == []  # no file named '-'
    monkeypatch.chdir(tmp_path)
    result = invoke("latex", "4-3-1", "-o", "-")
    assert result.exit_code == 0 and result.stdout.startswith("% generated by symbackprop")
    assert listing(tmp_path) == []


@pytest.mark.slow
def test_1_3_force_covers_the_pdf(tmp_path: Path) -> None:
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    (tmp_path / "notes.tex").write_bytes(OLD)
    (tmp_path / "notes.pdf").write_bytes(OLD)
    proc = run("latex", "4-3-1", "-o", "notes.tex", "--pdf", "--force", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "notes.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "notes.tex").read_text().startswith("% generated by symbackprop")
    assert listing(tmp_path) == ["notes.pdf", "notes.tex"]


# -- 2.3 --eps in [1e-10, 1e-2] and finite ------------------------------------------------------


@pytest.mark.parametrize(
    "eps", ["0", "-1e-6", "1e-11", "0.1", "nan", "inf", "-inf", "1e300", "1e-300", "1e400", "x"]
)
def test_2_3_eps_outside_the_range_is_a_usage_error(eps: str) -> None:
    result = invoke("check", "4-3-1", "--no-exact", "--eps", eps)
    assert result.exit_code == 2, result.output
    assert_one_line_error(result.stderr, "--eps")


def test_2_3_eps_at_the_bounds_runs() -> None:
    for eps in ("1e-10", "1e-2"):
        assert invoke("check", "4-3-1", "--no-exact", "--eps", eps).exit_code in (0, 1)
    proc = run("check", "4-3-1", "--eps", "nan")
    assert proc.returncode == 2 and proc.stdout == ""
    assert_one_line_error(proc.stderr, "finite")


# -- 2.5 progress on stderr for what may take a while --------------------------------------------


def run_on_terminal(*args: str) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal (stdout a pipe): returns (exit, stdout, stderr)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "symbackprop", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=120)
    os.close(leader)
    return proc.returncode, out.decode(), seen.decode(errors="replace")


def test_2_5_check_shows_progress_on_a_terminal_only() -> None:
    code, out, err = run_on_terminal("check", "4-3-1", "--no-exact")
    assert code == 0
    assert "finite differences (full, 19 parameters)" in err
    # --no-exact: the summary says the exact check did not run (hostile31 F2)
    assert "finite differences passed; exact check skipped" in out and "\x1b[" not in out
    piped = run("check", "4-3-1", "--no-exact")
    assert piped.returncode == 0 and piped.stderr == ""


@pytest.mark.slow
def test_2_5_check_chooses_directional_above_5000_parameters() -> None:
    # the CLI's auto rule (DESIGN.md): every entry up to 5,000 parameters, directions above
    code, out, err = run_on_terminal("check", "2500-2-1", "--no-exact")
    assert code == 0, out
    assert "finite differences (directional, 5,005 parameters)" in err
    assert "finite differences (directional" in out


@pytest.mark.slow  # the progress line of check stays in the default run (above)
def test_2_5_gradients_shows_progress() -> None:
    code, out, err = run_on_terminal("gradients", "--depth", "3", "--width", "4", "--seeds", "1")
    assert code == 0
    assert "gradient norms, init he" in err
    assert "gradient norms" not in out


@pytest.mark.slow
def test_2_5_other_commands_show_a_spinner_and_user_text_is_not_markup() -> None:
    code, out, err = run_on_terminal("derive", "4-3-1")
    assert code == 0 and "deriving 4-3:sigmoid-1:sigmoid" in err and "dJ/dW1" in out
    # user text in a progress line is shown as typed, never read as rich markup
    code, out, err = run_on_terminal("shapecheck", "4-3-1", "--wrt", "[/x]", "a")
    assert code == 2 and "dJ/d[/x]" in err and "internal error" not in err


# -- 4.3 hostile numbers and names: exit 2, one line, never 3 ------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("derive", "n-3-1", "--size", "n=²"),
        ("derive", "n-3-1", "--size", "n=٣"),
        ("derive", "4-3-1", "--size", "m=²"),
        ("check", "4-3-1", "--seed", "-1"),
        ("check", "4-3-1", "--seed", "4294967296"),
        ("check", "4-3-1", "--seed", "١"),
        ("check", "4-3-1", "--seed", "1_0"),
        ("check", "4-3-1", "--seed", "9" * 5000),
        ("gradients", "--depth", "١"),
        ("gradients", "--width", "²"),
        ("derive", "4-3-1", "--l2", "١"),
        ("derive", "4-3-1", "--l2", "nan"),
        ("derive", "4-3-1", "--l2", "1e400"),
        ("derive", "4-3-1", "--wrt", "W١"),
        ("codegen", "4-3-1", "-o", "a" * 3000 + ".py"),
        ("latex", "4-3-1", "-o", "a" * 3000 + ".tex"),
        ("gradients", "--depth", "2", "--width", "2", "--plot", "a" * 3000 + ".png"),
        ("gradients", "--depth", "2", "--width", "2", "--plot", "grads.xyz"),
        ("gradients", "--depth", "2", "--width", "2", "--plot", "-"),
    ],
    ids=lambda a: " ".join(x[:12] for x in a),
)
def test_4_3_hostile_numbers_and_names(args: tuple[str, ...], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert_one_line_error(result.stderr)
    assert listing(tmp_path) == []


def test_4_3_seed_and_long_names_as_processes(tmp_path: Path) -> None:
    for args in (
        ("check", "4-3-1", "--seed", "-1"),
        ("derive", "n-3-1", "--size", "n=²"),
        ("latex", "4-3-1", "-o", "b" * 3000 + ".tex", "--pdf"),
    ):
        proc = run(*args, cwd=tmp_path)
        if "--pdf" in args and shutil.which("pdflatex") is None:
            assert "pdflatex" in proc.stderr
        assert proc.returncode == 2, proc.stderr
        assert_one_line_error(proc.stderr)
    assert listing(tmp_path) == []


def test_4_3_every_number_option_is_strict() -> None:
    """main() gives every int option ASCII digits only and every float option finite values,
    so a command or option added later cannot forget it."""
    for command in main.commands.values():
        for param in command.params:
            if isinstance(param.type, click.types.IntParamType):
                assert isinstance(param.type, IntRange), (command.name, param.name)
            if isinstance(param.type, click.types.FloatParamType):
                pytest.fail(f"{command.name} {param.name}: a float option without FiniteFloat")
            if param.name in ("eps", "l2"):
                assert isinstance(param.type, FiniteFloat)


def test_an_integer_option_out_of_range_says_its_range_not_that_it_is_no_integer() -> None:
    """hostile31 F13: a 33-digit --seed was "not an integer (ASCII digits)"."""
    from click.testing import CliRunner

    runner = CliRunner()
    done = runner.invoke(main, ["check", "3-2-1", "--seed", "1" * 33])
    assert done.exit_code == 2 and "is not in the range 0<=x<=4294967295" in done.output
    done = runner.invoke(main, ["check", "3-2-1", "--seed", "9" * 5000])
    assert done.exit_code == 2, done.output
    assert "an integer of 5,000 digits; expected one from 0 to 4294967295" in done.output
    done = runner.invoke(main, ["check", "3-2-1", "--seed", "\u00b2"])
    assert done.exit_code == 2 and "is not an integer (ASCII digits)" in done.output


@pytest.mark.slow
def test_4_3_long_width_name_with_pdf(tmp_path: Path) -> None:
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    name = "w" * 3000
    proc = run("latex", f"{name}-3-1", "--size", f"{name}=4", "-o", "n.tex", "--pdf", cwd=tmp_path)
    # 3,000 'w' are wider than TeX's largest dimension (16384 pt); width names are now at
    # most 32 characters (item 4.4), so the spec refuses it first: exit 2, nothing written.
    # A TeX size failure itself is exit 2 too (test_4_3_tex_limits_are_usage_errors).
    assert proc.returncode == 2, proc.stderr[:400]
    assert_one_line_error(proc.stderr, "at most 32 characters")
    assert listing(tmp_path) == []
    longest = "w" * 32
    proc = run("latex", f"{longest}-3-1", "-o", "n.tex", "--pdf", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[:400]
    assert sorted(listing(tmp_path)) == ["n.pdf", "n.tex"]


def test_4_3_tex_limits_are_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pdflatex refusing a document for its size (a 3,000-character name is wider than TeX's
    largest dimension) is exit 2 with nothing written; invalid LaTeX stays our bug (exit 3)."""
    import symbackprop.cli.cmd_latex as cmd_latex

    def fake_pdflatex(message: str) -> object:
        def fake_run(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
            return subprocess.CompletedProcess([], 1, stdout=f"x\n{message}\n", stderr="")

        return fake_run

    monkeypatch.setattr(cmd_latex.shutil, "which", lambda name: "/bin/false")
    out = str(tmp_path / "n.tex")
    monkeypatch.setattr(cmd_latex.subprocess, "run", fake_pdflatex("! Dimension too large."))
    result = invoke("latex", "4-3-1", "-o", out, "--pdf")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "cannot typeset", "nothing was written")
    monkeypatch.setattr(
        cmd_latex.subprocess, "run", fake_pdflatex("! Undefined control sequence.")
    )
    monkeypatch.delenv("SYMBACKPROP_DEBUG", raising=False)
    result = invoke("latex", "4-3-1", "-o", out, "--pdf")
    assert result.exit_code == 3 and "internal error" in result.stderr
    assert listing(tmp_path) == []


@pytest.mark.slow  # over 0.7 s of the default suite's time (2026-12-06)
def test_4_3_huge_exact_example_is_skipped_not_exit_3() -> None:
    result = invoke(
        "gradients", "--depth", "120", "--width", "2", "--seeds", "1", "--m", "2",
        # a C of 26 digits (1e29 is out of range since hostile11 16): C^120 has ~3,100 digits
        "--init", "scaled-identity:1.2345678901234567890123457",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Exact example skipped" in result.stdout


# -- 4.5 errors echo user input cut to a readable length ----------------------------------------


def test_4_5_quote_user_text() -> None:
    assert quote_user_text("abc") == "'abc'"
    long = quote_user_text("a" * 900_000)
    assert len(long) < 100 and long.endswith("(900,000 characters)") and "..." in long
    assert "\n" not in quote_user_text("x\ny" * 1000)
    assert quote_user_text("a/b", quotes=False) == "a/b"


def test_4_5_one_line_caps_every_message() -> None:
    message = "spec 'x': layer 1 ('" + "q" * 900_000 + "'): unknown activation"
    line = one_line(message)
    assert len(line) <= MESSAGE_LIMIT
    assert line.startswith("spec 'x': layer 1 ('qqq") and "(900,000 characters)" in line
    assert line.endswith("unknown activation")
    assert len(one_line("z" * 10**6)) == MESSAGE_LIMIT


@pytest.mark.parametrize(
    "spec",
    [
        {"input": "a" * 900_000, "layers": [{"units": 3}, {"units": 1}]},
        {"input": 4, "layers": [{"units": 3, "activation": "b" * 900_000}, {"units": 1}]},
        pytest.param(
            {
                "input": 4,
                "layers": [{"units": 1, "activation": "sw"}],
                "define": {"sw": "c" * 900_000},
            },
            marks=pytest.mark.slow,
        ),
    ],
)
def test_4_5_huge_names_give_a_short_error_line(spec: dict[str, object], tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps(spec))
    if "define" in spec:  # one real process; the other two in process (the same code path)
        proc = run("codegen", str(path), "--size", "zz=3")
        assert proc.returncode == 2, proc.stderr[:300]
        assert_one_line_error(proc.stderr)
    else:
        result = invoke("codegen", str(path), "--size", "zz=3")
        assert result.exit_code == 2, result.stderr[:300]
        assert_one_line_error(result.stderr)


def test_4_5_formula_starting_with_minus_gets_a_hint() -> None:
    proc = run("shapecheck", "4-3-2-1", "--wrt", "W3", "-(a3 - y) a2^T")
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr, "goes after '--'")
    # the hint above is the process; the same arguments after '--' parse the same in process
    fixed = invoke("shapecheck", "4-3-2-1", "--wrt", "W3", "--", "-(a3 - y) a2^T")
    assert fixed.exit_code in (0, 1), fixed.stderr
    plain = invoke("derive", "4-3-1", "--bogus")  # other commands: no formula hint
    assert plain.exit_code == 2 and "formula" not in plain.stderr
    typo = invoke("shapecheck", "4-3-1", "--wrt", "W2", "--bogus", "a")  # a long option typo
    assert typo.exit_code == 2 and "formula" not in typo.stderr
    short = invoke("shapecheck", "4-3-1", "--wrt", "W2", "-x")
    assert short.exit_code == 2 and "goes after '--'" in short.stderr


# -- 5.7 codegen --single, compact spec and loss hints -------------------------------------------


def test_5_7_codegen_single_is_refused() -> None:
    result = invoke("codegen", "4-3-1", "--single")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "--single", "batch")
    assert invoke("codegen", "4-3-1", "--batch").exit_code == 0
    assert invoke("codegen", "4-3-1").exit_code == 0


@pytest.mark.parametrize("spec", ["784x128x10", "784 x 128 x 10", "784,128,10", "4×3×1"])
def test_5_7_widths_are_joined_by_dashes(spec: str) -> None:
    result = invoke("derive", spec)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "joined by '-'")


def test_5_7_softmax_without_loss_suggests_ce() -> None:
    result = invoke("derive", "784-128:relu-10:softmax")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "--loss ce")
    assert result.stderr.count("--loss ce") == 1  # said once, by the library
    explicit = invoke("derive", "784-128:relu-10:softmax", "--loss", "bce")
    assert explicit.exit_code == 2 and explicit.stderr.count("--loss ce") == 1
    assert invoke("derive", "4-3-1:softmax").exit_code == 2  # ce needs 2 units: no false hint
    assert "--loss ce" not in invoke("derive", "4-3-1:softmax").stderr


@pytest.mark.parametrize(
    ("raised", "code", "needle"),
    [
        (EOFError("marshal data too short"), 3, "internal error (EOFError"),
        (KeyboardInterrupt(), 130, "aborted"),
    ],
)
def test_4_an_eof_error_is_a_failure_not_an_abort(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    raised: BaseException,
    code: int,
    needle: str,
) -> None:
    """click turns any EOFError into "Aborted!" (meant for ^D at a prompt); no command prompts,
    so an EOFError (a truncated bytecode cache, say) is reported as the failure it is, while ^C
    stays an abort."""
    import symbackprop

    def fail(*args: object, **kwargs: object) -> str:
        raise raised

    monkeypatch.setattr(symbackprop, "codegen", fail)
    with pytest.raises(SystemExit) as exit_info:
        main(["codegen", "4-3-1"])
    assert exit_info.value.code == code
    assert needle in capsys.readouterr().err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def _with_stdout_closed(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a process whose file descriptor 1 is closed, as the shell's ``>&-`` does."""
    return subprocess.run(
        [sys.executable, "-m", "symbackprop", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize(
    "args",
    [("derive", "4-3-1"), ("--help",), ("shapecheck", "4-3-1", "--wrt", "W1", "delta1 x^T")],
)
def test_a_closed_stdout_is_exit_2_not_an_internal_error(args: tuple[str, ...]) -> None:
    """``symbackprop derive 4-3-1 >&-`` was exit 3: sys.stdout is None then, click dropped
    the output, and the final flush raised AttributeError."""
    proc = _with_stdout_closed(*args)
    assert proc.returncode == 2, proc.stderr
    assert (
        proc.stderr.strip()
        == "symbackprop: error: cannot write the output: standard output is closed"
    )


def test_a_bad_file_descriptor_of_our_own_is_still_a_bug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the stand-in for a closed stdout makes EBADF the user's (exit 2): an EBADF raised
    anywhere else (a file the code closed too early) stays an internal error, exit 3."""
    import symbackprop

    def fail(*args: object, **kwargs: object) -> str:
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setattr(symbackprop, "codegen", fail)
    with pytest.raises(SystemExit) as exit_info:
        main(["codegen", "4-3-1"])
    assert exit_info.value.code == 3
    assert "internal error" in capsys.readouterr().err


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_a_closed_stdout_still_writes_the_output_file(tmp_path: Path) -> None:
    """A command whose output goes to ``-o`` needs no stdout: the file is written, exit 0."""
    out = tmp_path / "net.py"
    proc = _with_stdout_closed("codegen", "4-3-1", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "def loss_and_grads" in out.read_text()


@pytest.mark.parametrize(
    "args",
    [
        ("derive", "4-3-2-1"),
        ("--help",),
        pytest.param(("codegen", "4-3-1"), marks=pytest.mark.slow),
    ],
)
def test_4_full_stdout_is_exit_2_not_an_internal_error(args: tuple[str, ...]) -> None:
    """Review: ``symbackprop derive 4-3-2-1 > /dev/full`` was exit 3 ("this is a bug")."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "symbackprop", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == (
        "symbackprop: error: cannot write the output: No space left on device"
    )


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
@pytest.mark.parametrize(
    "args",
    [
        ("derive", "4-3-2-1"),
        ("shapecheck", "4-3-2-1", "--wrt", "W2", "--", "((W3^T (a3 - y)) ⊙ a2 ⊙ (1 - a2)) a1^T"),
    ],
)
def test_4_a_terminal_without_unicode_gets_ascii_not_exit_3(
    args: tuple[str, ...],
) -> None:
    """Review: PYTHONIOENCODING=ascii made every ✓ and ⊙ an internal error (exit 3); then
    '?' for each, which read as ⊙ and anything else alike (hostile tester 23); then the
    character's escape, \u2299: now the formula language's ASCII (``*``, ``ok``), and the
    shapecheck verdict's box keeps its right edge (its mark chosen before the layout)."""
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run(
        [sys.executable, "-m", "symbackprop", *args],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert b"\\u" not in proc.stdout and b" * " in proc.stdout and not proc.stderr
    boxed = [line for line in proc.stdout.decode().splitlines() if line.startswith(("|", "+"))]
    assert len({len(line) for line in boxed}) <= 1, boxed


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_an_explicit_exact_runs_past_the_default_depth() -> None:
    """hostile38c #7: ``check <26 layers> --exact`` printed "exact check: skipped" and exit 0."""
    deep = "4-" + "-".join(["3:tanh"] * 25) + "-1"
    asked = invoke("check", deep, "--exact")
    assert asked.exit_code == 0, asked.output
    assert "exact check: skipped" not in asked.output and "all checks passed" in asked.output
    default = invoke("check", deep)
    assert "exact check: skipped (depth 26 > 20; --exact runs it)" in default.output


def test_an_explicit_exact_past_its_limit_is_refused() -> None:
    """Past 100 layers no check runs: said so, not "drop --exact", which would not help
    (hostile48c #2)."""
    too_deep = invoke("check", "4-" + "-".join(["3:tanh"] * 101) + "-1", "--exact")
    assert too_deep.exit_code == 2
    assert_one_line_error(too_deep.stderr, "check: 102 layers", "at most 100")
    assert "drop --exact" not in too_deep.stderr


def test_an_apostrophe_in_the_prose_opens_no_quoted_value() -> None:
    """hostile38a #7: the apostrophe of "a parameter's" paired with the next quote, and the
    prose between them was cut as if it were a long quoted value."""
    from symbackprop.cli.errors import shorten

    prose = "a parameter's shape never has m (its size is fixed while m changes from call to call)"
    message = f"parameter 'c' would be m x 1, but {prose}: list 'c' under 'data:' " + "x" * 400
    assert prose in shorten(message)
    # a quoted value is still cut to its start and end
    assert "' (200 characters)" in shorten(f"value '{'y' * 200}'" + " z" * 300)


def test_unresolved_rows_are_grouped_by_cause() -> None:
    """hostile38c #8: a 40-layer check named "(the gradient is under the noise floor)" once per
    parameter, a line of thousands of characters cut in its middle."""
    from types import SimpleNamespace

    from symbackprop.cli.cmd_code import _unresolved_text

    floor = "the gradient is under the noise floor"
    rows = [
        SimpleNamespace(parameter=f"{k}{layer}", cause=floor)
        for layer in range(1, 28)
        for k in "Wb"
    ]
    assert _unresolved_text(rows) == f"W1, b1, W2, ..., W27, b27 (54 parameters: {floor})"
    few = [SimpleNamespace(parameter="W1", cause=floor), SimpleNamespace(parameter="b1", cause="")]
    assert _unresolved_text(few) == f"W1 ({floor}); b1"


@pytest.mark.slow  # over 1 s of the default suite's time (2026-12-06)
def test_a_deep_network_that_cannot_be_decided_says_so_in_one_short_line() -> None:
    done = invoke("check", "4-" + "-".join(["3"] * 39) + "-1")
    assert done.exit_code == 2
    assert_one_line_error(done.stderr, "(54 parameters: the gradient is under", "--exact runs it")
