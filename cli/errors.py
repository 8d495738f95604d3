"""Exit codes and the one-line error messages of the command line.

0 ok; 1 a check failed; 2 a usage, spec, file or parse error (one line on stderr, never a
traceback); 3 an internal error (one line saying it is a bug and how to report it; the
traceback with ``--debug`` or ``SYMBACKPROP_DEBUG=1``). Only click is imported here.
"""

from __future__ import annotations

import io
import os
import re
import sys
import traceback
from collections.abc import Collection

import click

from symbackprop.cli import ascii_output
from symbackprop.errors import elide

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

#: an error line never grows with the input: longer messages are cut in the middle (after
#: the quoted values are: 300 cut the advice out of a model's refusal, hostile38a #7)
MESSAGE_LIMIT = 500
#: a quoted value longer than this inside a message keeps only its start and end
QUOTED_LIMIT = 60
#: a value in quotes: the opening quote after no letter and the closing one before none (the
#: apostrophe of "a parameter's" opened a 'value' that ran to the next quote, and the prose
#: between them was cut: hostile38a #7)
_QUOTED = re.compile(
    "|".join(rf"(?<!\w){q}[^{q}\n]{{{QUOTED_LIMIT + 1},}}{q}(?!\w)" for q in ("'", '"'))
)


class CliError(click.ClickException):
    """A user error found by the CLI itself (a file it cannot write, pdflatex missing, ...)."""

    exit_code = EXIT_USAGE


class CheckFailed(click.ClickException):
    """A check ran and failed: exit 1 (the report has already been printed)."""

    exit_code = EXIT_CHECK_FAILED


def one_line(message: str) -> str:
    """Collapse a message to one line (errors must be exactly one line on stderr), cut to a
    readable length: long quoted values keep their start and end, and the whole line stays
    under about :data:`MESSAGE_LIMIT` characters (see :func:`shorten`)."""
    return shorten("; ".join(part.strip() for part in str(message).splitlines() if part.strip()))


def debug_requested(args: list[str] | None) -> bool:
    """Whether an internal error shows its traceback: ``--debug`` before the command's name
    (the group's option, which click has parsed by then; read here because the error may come
    before or outside click's context), or SYMBACKPROP_DEBUG set. A ``--debug`` after the
    command's name is the command's own argument (a formula after ``--``, say)."""
    argv = sys.argv[1:] if args is None else list(args)
    for arg in argv:
        if arg == "--debug":
            return True
        if not arg.startswith("-"):  # the command's name: the group's options end here
            break
    return os.environ.get("SYMBACKPROP_DEBUG", "") not in ("", "0")


def shorten(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message that echoes user input, cut so that it never grows with the input.

    Each quoted value longer than :data:`QUOTED_LIMIT` keeps its start and end around ``...``
    (and says its length); if the message is still longer than ``limit``, its middle goes.
    The library quotes user text with :func:`symbackprop.errors.quote_user_text` to the same
    effect; this is the last line of defence for every message the command line prints.
    """
    if len(message) <= limit:
        return message

    def cut(match: re.Match[str]) -> str:
        quoted = match.group(0)
        inner = quoted[1:-1]
        mark = quoted[0]
        return f"{mark}{elide(inner, QUOTED_LIMIT)}{mark} ({len(inner):,} characters)"

    message = _QUOTED.sub(cut, message)
    return elide(message, limit)


def _formula_hint(exc: click.exceptions.UsageError) -> str:
    """shapecheck reads a formula that starts with '-' as an unknown option: say to use '--';
    a formula not in quotes is several arguments: say to quote it."""
    ctx = exc.ctx
    if ctx is None or ctx.command is None or ctx.command.name != "shapecheck":
        return ""
    if not isinstance(exc, click.exceptions.NoSuchOption):
        extra = re.search(r"unexpected extra arguments? \((.*)\)", exc.message)
        options = {o for p in ctx.command.params for o in getattr(p, "opts", [])}
        # one of the command's options (not -a1^T, a piece of an unquoted formula: review50)
        misplaced = extra is not None and extra.group(1).split()[0] in options
        if misplaced and extra is not None and "--" in sys.argv[1:]:
            # an option after '--' is an argument (hostile50b #10: told to quote the formula)
            return (
                f"; everything after '--' is the formula, so {extra.group(1).split()[0]} there "
                "is no option: put options before '--'"
            )
        if "unexpected extra argument" in exc.message:
            # delta2 a1^T unquoted: "Got unexpected extra argument (a1^T)" (newcomer45 #4)
            return (
                f"; a formula with spaces goes in quotes: {ctx.command_path} SPEC --wrt PARAM "
                "'delta2 a1^T'"
            )
        return ""
    if re.fullmatch(r"--[A-Za-z][A-Za-z0-9-]*", exc.option_name):
        return ""  # a mistyped long option, not a formula
    # conditional: -o after a formula is an option shapecheck has not (hostile48c #7)
    return (
        f"; if {exc.option_name} begins the formula, a formula that starts with '-' goes after "
        f"'--': {ctx.command_path} SPEC --wrt PARAM -- '-(a3 - y) a2^T'"
    )


def _command_path(args: list[str] | None, commands: Collection[str]) -> str:
    """``symbackprop CMD`` for the first word of the command line that names a command
    (``symbackprop`` alone when none does): click's parser leaves the context out of some
    usage errors ("Option '--format' requires an argument.")."""
    words = sys.argv[1:] if args is None else args
    first = next((word for word in words if not word.startswith("-")), None)
    return f"symbackprop {first}" if first in commands else "symbackprop"


def tell(line: str) -> None:
    """Print ``line`` on stderr; a stderr that cannot take it (``2>/dev/full``) loses the
    line, not the exit code: the failed write raised out of the report, and exit 1, a
    failed check, came out of a usage error (hostile35a #7); a written file's "wrote" line
    exited 2 (review35 #4)."""
    try:
        ascii_output.echo(line, err=True)
    except OSError:
        # what is left in stderr's buffer would fail again at exit (exit 120): drop it
        sys.stderr = io.StringIO()


def report(exc: BaseException, args: list[str] | None, commands: Collection[str] = ()) -> int:
    """Print the one-line message for ``exc`` on stderr and return the exit code; ``args``
    is the command line (``sys.argv[1:]`` when None), ``commands`` the group's command
    names."""
    from symbackprop.errors import InternalError, SizeMissing, SymbackpropError

    if isinstance(exc, click.exceptions.UsageError):
        # one prefix for every error, "symbackprop: error:" (click's own would be the command
        # path, "symbackprop latex: error:", beside the library's and the CLI's errors'
        # "symbackprop: error:" for the same kind of mistake); the hint names the command
        ctx = exc.ctx
        path = ctx.command_path if ctx is not None else _command_path(args, commands)
        hint = f" (see '{path} --help')"
        message = one_line(exc.format_message())
        hint_text = _formula_hint(exc)
        if hint_text:
            message = message.rstrip(".") + hint_text
        tell(f"symbackprop: error: {message}{hint}")
        return EXIT_USAGE
    if isinstance(exc, CheckFailed):
        tell(f"symbackprop: {one_line(exc.format_message())}")
        return EXIT_CHECK_FAILED
    if isinstance(exc, click.ClickException):
        tell(f"symbackprop: error: {one_line(exc.format_message())}")
        return EXIT_USAGE
    if isinstance(exc, SymbackpropError) and not isinstance(exc, InternalError):
        # a missing size names the flag that gives it, not the library's sizes= argument
        text = exc.spelled("cli") if isinstance(exc, SizeMissing) else str(exc)
        tell(f"symbackprop: error: {one_line(text)}")
        return EXIT_USAGE
    if debug_requested(args):
        traceback.print_exception(exc)
    kind = type(exc).__name__
    tell(
        f"symbackprop: internal error ({kind}: {one_line(str(exc)) or 'no message'}); this is a "
        "bug: please report it on the symbackprop issue tracker with the command line and the "
        "traceback that --debug or SYMBACKPROP_DEBUG=1 prints",
    )
    return EXIT_INTERNAL
