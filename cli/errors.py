"""Exit codes and the one-line error messages of the command line.

0 ok; 1 a check failed; 2 a usage, spec, file or parse error (one line on stderr, never a
traceback); 3 an internal error (one line saying it is a bug and how to report it; the
traceback with ``--debug`` or ``SYMBACKPROP_DEBUG=1``). Only click is imported here.
"""

from __future__ import annotations

import os
import sys
import traceback

import click

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class CliError(click.ClickException):
    """A user error found by the CLI itself (a file it cannot write, pdflatex missing, ...)."""

    exit_code = EXIT_USAGE


class CheckFailed(click.ClickException):
    """A check ran and failed: exit 1 (the report has already been printed)."""

    exit_code = EXIT_CHECK_FAILED


def one_line(message: str) -> str:
    """Collapse a message to one line (errors must be exactly one line on stderr)."""
    return "; ".join(part.strip() for part in str(message).splitlines() if part.strip())


def debug_requested(args: list[str] | None) -> bool:
    argv = sys.argv[1:] if args is None else list(args)
    return "--debug" in argv or os.environ.get("SYMBACKPROP_DEBUG", "") not in ("", "0")


def report(exc: BaseException, args: list[str] | None) -> int:
    """Print the one-line message for ``exc`` on stderr and return the exit code."""
    from symbackprop.errors import InternalError, SymbackpropError

    if isinstance(exc, click.exceptions.UsageError):
        ctx = exc.ctx
        where = ctx.command_path if ctx is not None else "symbackprop"
        hint = f" (see '{where} --help')" if ctx is not None else ""
        click.echo(f"{where}: error: {one_line(exc.format_message())}{hint}", err=True)
        return EXIT_USAGE
    if isinstance(exc, CheckFailed):
        click.echo(f"symbackprop: {one_line(exc.format_message())}", err=True)
        return EXIT_CHECK_FAILED
    if isinstance(exc, click.ClickException):
        click.echo(f"symbackprop: error: {one_line(exc.format_message())}", err=True)
        return EXIT_USAGE
    if isinstance(exc, SymbackpropError) and not isinstance(exc, InternalError):
        click.echo(f"symbackprop: error: {one_line(str(exc))}", err=True)
        return EXIT_USAGE
    if debug_requested(args):
        traceback.print_exception(exc)
    kind = type(exc).__name__
    click.echo(
        f"symbackprop: internal error ({kind}: {one_line(str(exc)) or 'no message'}); this is a "
        "bug: please report it on the symbackprop issue tracker with the command line and the "
        "traceback that --debug or SYMBACKPROP_DEBUG=1 prints",
        err=True,
    )
    return EXIT_INTERNAL
