"""The click application behind the ``symbackprop`` console script.

Nothing heavy is imported here at module level (no SymPy, NumPy or rich); commands import what
they need when they run. Every failure leaves through :func:`symbackprop.cli.errors.report`:
one line on stderr and the exit codes of DESIGN.md.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import io
import os
import re
import select
import shlex
import signal
import sys
from typing import Any

import click

from symbackprop._version import __version__
from symbackprop.cli import ascii_output
from symbackprop.cli.cmd_code import check_cmd, codegen_cmd
from symbackprop.cli.cmd_derive import derive_cmd, shapes_cmd
from symbackprop.cli.cmd_draw import draw_cmd
from symbackprop.cli.cmd_latex import latex_cmd
from symbackprop.cli.cmd_shapecheck import shapecheck_cmd
from symbackprop.cli.errors import EXIT_OK, EXIT_USAGE, report
from symbackprop.cli.lecture_commands import register as register_lecture_commands
from symbackprop.cli.options import strict_numbers
from symbackprop.cli.output import RENAMED, written_text
from symbackprop.cli.repeated import refuse_repeated_options
from symbackprop.errors import quote_user_text

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 99}

MAIN_EPILOG = """\b
Examples:
  symbackprop derive 4-3-2-1            the lecture's network, step by step
  symbackprop latex n-3-2-1 -o notes.tex --pdf
  symbackprop check 784-128:relu-10:softmax --loss ce
Exit status: 0 ok, 1 a check failed, 2 usage/spec/file error, 3 internal error.
"""


#: a first word that is a spec, not a command: a compact network (``4-3-2-1``,
#: ``784-128:relu-10:softmax``, ``n-3-2-1``: a width that is a number or a layer with its
#: ``:activation``, so that a hyphenated word such as ``shape-check`` is not one) or a spec or
#: model file
_FILE = r".+\.(?:model|toml|json)"
_LOOKS_LIKE_A_FILE = re.compile(_FILE, re.ASCII)
_LOOKS_LIKE_A_SPEC = re.compile(r"(?=.*(?:^|-)\d|.*:)\w+(?:-\w+(?::[\w.]+)?)+|" + _FILE, re.ASCII)
#: widths that are all names (``n-h-k``): a spec too, unless the next word is the spec
_NAMED_WIDTHS = re.compile(r"\w+(?:-\w+)+", re.ASCII)


class SymbackpropGroup(click.Group):
    """A group whose errors are one line on stderr with the documented exit codes."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """No arguments at all is one line naming a first command, not the whole help squeezed
        onto one error line (click raises its help as a usage error)."""
        if not args and not ctx.resilient_parsing:
            raise click.UsageError(
                "missing command: try 'symbackprop derive 4-3-2-1' (the lecture's network)", ctx
            )
        return super().parse_args(ctx, args)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """The command ``args[0]`` names; a word close to a command (``shape-check``) is a usage
        error naming the command, in click's words; a spec where the command belongs
        (``symbackprop 4-3-2-1``) is one that says the command is missing and suggests
        ``derive``."""
        name = args[0] if args else ""
        known = self.get_command(ctx, name) is not None
        close = None if known or _LOOKS_LIKE_A_FILE.fullmatch(name) else _close_command(name, ctx)
        if close is not None:  # before the spec test: shape-check is a spec of two named widths
            raise click.UsageError(
                f"No such command {quote_user_text(name)}. Did you mean {close!r}?", ctx
            )
        spec = _LOOKS_LIKE_A_SPEC.fullmatch(name) or (
            _NAMED_WIDTHS.fullmatch(name)
            and not (len(args) > 1 and _LOOKS_LIKE_A_SPEC.fullmatch(args[1]))
        )
        if not known and spec:
            suggestion = shlex.join(["symbackprop", "derive", *args])
            raise click.UsageError(
                f"missing command before the spec {quote_user_text(name)}: try '{suggestion}'",
                ctx,
            )
        resolved = super().resolve_command(ctx, args)
        if resolved[1] is not None and not ctx.resilient_parsing:
            refuse_repeated_options(resolved[1], resolved[2], ctx.help_option_names)
        return resolved

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:  # a caller that handles exceptions itself
            return super().main(args, prog_name, complete_var, False, **extra)
        _write_stdout_whole()
        _replace_unencodable_characters()
        _exit_on_termination()
        if sys.stdout is None:  # started with stdout closed (>&-): print() would drop it all
            sys.stdout = _ClosedOutput()
        before = sys.stdout
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
            sys.stdout.flush()  # a full disk shows here, not at exit (which would say exit 120)
        except click.exceptions.Abort as exc:
            if isinstance(exc.__cause__, EOFError):
                # no command reads a prompt, so this is no ^D: click wraps any EOFError
                # (a truncated cache file, say) as an abort, which would hide the failure
                sys.exit(report(exc.__cause__, args))
            written = ", ".join(written_text(path) for path in RENAMED)
            # what is on disk: a file renamed into place before the interrupt is the new one
            after = f" after writing {written}; nothing else was written" if written else ""
            ascii_output.echo(f"symbackprop: aborted{after}", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # the reader went away (symbackprop derive ... | head): not an error of ours
            sys.stderr.close()
            sys.exit(EXIT_OK)
        except SystemExit as exc:
            # click's own Command.main catches a broken pipe (output past the 64 KiB a pipe
            # holds: derive --format html | head) and exits 1, "a check failed", with stdout
            # caught as the exit's context; the reader went away there too (hostile49a #2)
            # click exits after its handler: the pipe shows only as stdout replaced by its
            # wrapper during this call (review49 #4: not a wrapper left by an earlier one)
            wrapped = (
                sys.stdout is not before and "PacifyFlushWrapper" in type(sys.stdout).__name__
            )
            if exc.code == 1 and wrapped:
                sys.exit(EXIT_OK)
            raise
        except OSError as exc:
            if exc.errno not in _OUTPUT_ERRNOS and not isinstance(exc, _StdoutClosed):
                sys.exit(report(exc, args, self.commands))
            # stdout cannot take the output (symbackprop derive ... > /dev/full): the
            # user's disk, not our bug
            with contextlib.suppress(OSError):
                ascii_output.echo(
                    f"symbackprop: error: cannot write the output: {exc.strerror or exc}",
                    err=True,
                )
            os._exit(EXIT_USAGE)  # flushing the broken stdout at exit would fail again
        except Exception as exc:  # every failure becomes one line and an exit code
            sys.exit(report(exc, args, self.commands))
        sys.exit(code if isinstance(code, int) else EXIT_OK)


def _close_command(name: str, ctx: click.Context) -> str | None:
    """The command ``name`` most likely means: the one it equals once '-', '_' and case are
    ignored (``shape-check``, ``Code_Gen``), else the closest by ``difflib`` (``check-grad``,
    ``drive``), else None. click's own suggestion compares the word as typed, so it offered
    ``check`` beside ``shapecheck`` for ``shape_check``."""
    if not name or name.startswith("-"):
        return None
    commands = ctx.command.list_commands(ctx) if isinstance(ctx.command, click.Group) else []
    plain = name.replace("-", "").replace("_", "").casefold()
    if plain in commands:
        return plain
    found = difflib.get_close_matches(plain, commands, n=1)
    return found[0] if found else None


#: errors of the output stream itself (a full disk or quota, an I/O error, a file too large)
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG})


class _StdoutClosed(OSError):
    """A write to the standard output the command started without (only
    :class:`_ClosedOutput` raises it: an EBADF of our own is still a bug, exit 3)."""


class _ClosedOutput(io.TextIOBase):
    """Standard output when the command started without one (``symbackprop derive 4-3-1
    >&-``): Python's sys.stdout is then None, click drops what it echoes and the flush at the
    end raised AttributeError (an exit 3). A command that writes to it fails as a full disk
    does, exit 2; one that writes only its ``-o`` file goes on."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise _StdoutClosed(errno.EBADF, "standard output is closed")


class _WholeWrites(io.RawIOBase):
    """The standard output's file descriptor, each write taken in whole or an OSError: a
    write that stops part-way (a file-size limit, a disk that fills) leaves Python's own
    writer with a short count it does not report, and ``codegen 4-3-1 > out.py`` under
    ``ulimit -f 4`` left 4 KiB of 23 KiB and exit 0 (hostile47b #3)."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        size = len(view)
        while view:  # os.write raises where the rest cannot be written (EFBIG, ENOSPC)
            try:
                view = view[os.write(self._fd, view) :]
            except BlockingIOError:  # a non-blocking pipe that is full: wait for its reader
                select.select([], [self._fd], [])  # (an exit 3 otherwise: review47b #7)
        return size

    def close(self) -> None:  # the descriptor stays open: it is the process's stdout
        super().close()


def _write_stdout_whole() -> None:
    """Replace the process's own standard output with one over :class:`_WholeWrites`, same
    encoding, errors and line buffering; another stream (a test runner's) is left alone."""
    stream = sys.__stdout__
    if stream is None or sys.stdout is not stream:
        return
    try:
        fd = stream.fileno()
        stream.flush()
    except (OSError, ValueError):
        return
    raw = _WholeWrites(fd)
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
        write_through=False,
    )


def _replace_unencodable_characters() -> None:
    """Print a character the terminal's encoding lacks (✓, ⊙ with PYTHONIOENCODING=ascii, or
    on a Windows code page) in the formula language's ASCII (``*`` for ⊙, ``ok`` for ✓), else
    as its escape, instead of failing with UnicodeEncodeError (:mod:`.ascii_output`)."""
    handler = ascii_output.register()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(Exception):
                reconfigure(errors=handler)


def _exit_on_termination() -> None:
    """SIGTERM (``timeout``, a job runner) and SIGHUP (a closed terminal) end the command as
    Ctrl-C does: an exception, so that a half-written output's temporary file and pdflatex's
    folder are removed on the way out (they were left behind: hostile tester 23); exit
    128 + the signal's number, as the shell reports a killed process. A signal ignored when
    the command starts (``nohup``) is left ignored."""

    def terminated(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)  # no SIGHUP on Windows
        # a signal ignored at start-up stays ignored: nohup (or trap '' TERM) is the user
        # asking the command to outlive the terminal (review23)
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            with contextlib.suppress(ValueError, OSError):  # not the main thread
                signal.signal(number, terminated)


@click.group(
    "symbackprop", cls=SymbackpropGroup, context_settings=CONTEXT_SETTINGS, epilog=MAIN_EPILOG
)
@click.version_option(
    __version__, "--version", "-V", prog_name="symbackprop", message="%(prog)s %(version)s"
)
@click.option(
    "--debug",
    is_flag=True,
    help="Show the traceback of an internal error (or SYMBACKPROP_DEBUG=1).",
)
def main(debug: bool) -> None:
    """Derive backpropagation step by step, for dense networks and for models.

    A network is written N0-N1[:act]-N2[:act]-..., for example 4-3-2-1 (the CS229 lecture's
    network) or 784-128:relu-10:softmax; SPEC may also be a .toml or .json spec file, or a
    model: forward equations in a .model file (see examples/models/).
    """


main.add_command(derive_cmd)
main.add_command(shapes_cmd)
main.add_command(codegen_cmd)
main.add_command(check_cmd)
main.add_command(latex_cmd)
main.add_command(shapecheck_cmd)
main.add_command(draw_cmd)
# ``collapse`` and ``gradients`` (the lecture's later points)
register_lecture_commands(main)
# every int option takes ASCII digits only, every float option finite values only
for _command in main.commands.values():
    strict_numbers(_command)


if __name__ == "__main__":
    main(prog_name="symbackprop")
