"""Every file the command line writes goes through here.

DESIGN.md: ``-o FILE`` is written atomically, never over an existing file without ``--force``,
never over the command's own input, never through a symbolic link; ``-o -`` is stdout.

:func:`target` checks a path *before* any work is done (so a refusal costs nothing and writes
nothing); :func:`write` and :func:`atomic` then write it: a temporary file in the same folder,
flushed to disk with ``fsync``, then renamed over the target in one step. On any error (a full
disk, an interrupt, a bug) the temporary file is removed and an existing target is untouched.
Only the standard library and click are imported here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from symbackprop.cli.errors import CliError, tell
from symbackprop.errors import quote_user_text

#: ``-o -``: the result goes to stdout
STDOUT = "-"
#: a temporary file keeps the target's suffix (matplotlib picks the format from it) up to this
_MAX_SUFFIX = 16


@dataclass(frozen=True)
class Target:
    """A checked output path: ``path`` and whether ``--force`` allows replacing it."""

    path: Path
    force: bool
    option: str = "-o"

    def __str__(self) -> str:
        return str(self.path)


def shown(path: str | os.PathLike[str]) -> str:
    """A path for a message: quoted and cut to a readable length."""
    return quote_user_text(os.fspath(path))


def tell_wrote(path: object) -> None:
    """Say on stderr that ``path`` was written (:func:`~symbackprop.cli.errors.tell`: a
    stderr that cannot take the line loses it, not the command's exit code)."""
    tell(wrote(path))


def wrote(path: object) -> str:
    """The line saying a file was written: the path as it is, or quoted and escaped where it
    holds a character a terminal would act on (an escape sequence that sets the window's
    title went through: hostile tester 23)."""
    return f"wrote {written_text(path)}"


def written_text(path: object) -> str:
    """A written file's path for a message: whole, and quoted and escaped where it holds a
    character a terminal would act on."""
    text = os.fspath(path) if isinstance(path, os.PathLike) else str(path)
    # quoted too where a space at either end would not show ("wrote x.py " named x.py:
    # hostile48c #11)
    plain = text.isprintable() and text == text.strip()
    return text if plain else quote_user_text(text)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "the file name is too long"
    return exc.strerror or type(exc).__name__


#: what a file named with each suffix holds (a name that promises another format is refused)
SUFFIX_FORMATS = {
    ".pdf": "PDF",
    ".png": "PNG",
    ".svg": "SVG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".tex": "LaTeX",
    ".md": "Markdown",
    ".markdown": "Markdown",
    ".json": "JSON",
    ".html": "HTML",
    ".htm": "HTML",
    ".py": "Python",
    ".toml": "TOML",
    ".model": "a model",
    # Python's binary and notebook files: the module's source there would not load
    # (``python m.pyc``: "bad magic number"; hostile42a #4)
    ".pyc": "compiled Python bytecode",
    ".pyo": "compiled Python bytecode",
    ".so": "a compiled extension",
    ".pyd": "a compiled extension",
    ".ipynb": "a Jupyter notebook",
}
#: the suffix a file of each format is named with (the first of SUFFIX_FORMATS); .txt, which
#: any of these text formats may be saved as, is never refused
FORMAT_SUFFIX = {fmt: suffix for suffix, fmt in reversed(SUFFIX_FORMATS.items())}
FORMAT_SUFFIX["text"] = ".txt"


def target(
    value: str | None,
    *,
    force: bool,
    inputs: Iterable[str | os.PathLike[str]] = (),
    option: str = "-o",
    writes: str | None = None,
    hint: str = "",
) -> Target | None:
    """Check an output path given on the command line; ``None`` means stdout.

    Refused (``CliError``, exit 2) whatever ``--force`` says: a symbolic link (even a dangling
    one), a folder or any other non-regular file, one of the command's own ``inputs``, a name
    the system cannot use, a folder that does not exist, a name whose suffix promises another
    format than ``writes`` (one of :data:`SUFFIX_FORMATS`' formats; ``hint`` ends that
    refusal). An existing regular file is refused unless ``force``.
    """
    if value is None or value == STDOUT:
        if force:  # accepted and ignored, it would read as having replaced something
            raise click.UsageError(
                f"--force replaces the file {option} FILE names, and no file is named here"
            )
        return None
    if not value.strip():
        raise CliError(f"{option}: expected a file name (or '-' for stdout), got {value!r}")
    if "\x00" in value:
        raise CliError(f"{option} {shown(value)}: a file name cannot contain a NUL character")
    if value.startswith("--"):
        # `codegen 4-3-1 -o --force` wrote a file named --force (hostile43a #7): an option
        # read as the file name; ./--force still names that file
        raise CliError(
            f"{option} {shown(value)}: that reads as an option, not a file name ({option} "
            f"takes the file name next; write ./{value} to mean a file of that name)"
        )
    if os.path.basename(value) in ("", ".", ".."):
        # Path() drops a last '/' or '/.': 'newdir/' wrote a file newdir, 'a.txt/.' replaced
        # a.txt (hostile35a #6, review35 #2)
        raise CliError(f"{option} {shown(value)} names a folder; expected a file name")
    path = Path(value)
    try:
        info: os.stat_result | None = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise CliError(f"cannot write {shown(path)}: {_reason(exc)}") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise CliError(
                f"{option} {shown(path)} is a symbolic link; symbackprop never writes through a "
                "link: give the real path"
            )
        if stat.S_ISDIR(info.st_mode):
            raise CliError(f"{option} {shown(path)} is a folder; expected a file name")
        if not stat.S_ISREG(info.st_mode):
            # '-o -' writes text to stdout; a PDF has no such place (hostile45a #6)
            instead = "use '-o -' to write to stdout" if option == "-o" else "name another file"
            raise CliError(
                f"{option} {shown(path)} is not a regular file (a device, pipe or socket); "
                f"{instead}"
            )
        for source in inputs:
            if _same_file(path, Path(source)):
                raise CliError(
                    f"{option} {shown(path)} is the command's own input; refusing to overwrite "
                    "it (even with --force)"
                )
    if writes is not None:
        _same_format(value, option, writes, hint)
    if info is not None and not force:
        raise CliError(f"{option} {shown(path)} exists; add --force to replace it")
    folder = path.parent
    try:
        folder_info = folder.stat()
    except FileNotFoundError:
        raise CliError(f"cannot write {shown(path)}: its folder does not exist") from None
    except OSError as exc:
        raise CliError(f"cannot write {shown(path)}: {_reason(exc)}") from None
    if not stat.S_ISDIR(folder_info.st_mode):
        raise CliError(f"cannot write {shown(path)}: {shown(folder)} is not a folder")
    return Target(path, force, option)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        try:
            return a.resolve() == b.resolve()
        except (OSError, RuntimeError, ValueError):
            return False


def _new_file_mode(existing: Path) -> int:
    """The mode the file gets: the replaced file's, else what ``open`` would give (umask)."""
    try:
        return stat.S_IMODE(existing.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _temp_name_parts(path: Path) -> tuple[str, str]:
    stem = path.name[:24] or "out"
    suffix = path.suffix if 0 < len(path.suffix) <= _MAX_SUFFIX else ""
    return f".{stem}.", f".tmp{suffix}"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


@contextlib.contextmanager
def atomic(out: Target) -> Iterator[Path]:
    """Yield a temporary path beside ``out``; when the block ends without an error, it replaces
    ``out`` in one step. On any error the temporary file is removed and ``out`` is untouched.

    The temporary file keeps the target's suffix, so a writer that picks the format from the
    extension (matplotlib) writes the right one.
    """
    tmp = _new_temp(out)
    try:
        yield tmp
        _commit(tmp, out)
    except BaseException as exc:
        _discard([tmp], exc, out.path)
        raise


def _discard(temps: Iterable[Path], exc: BaseException | None, path: Path) -> None:
    """Remove the temporary files ``temps``; an OSError ``exc`` (a full disk) then becomes
    the one line saying ``path`` was not written and nothing changed. Any other error is the
    caller's to raise again."""
    for tmp in temps:
        with contextlib.suppress(OSError):
            tmp.unlink()
    cause = _os_error(exc)
    if cause is not None:
        raise CliError(
            f"cannot write {shown(path)}: {_reason(cause)}; nothing was changed"
        ) from None


def _same_format(value: str, option: str, writes: str, hint: str) -> None:
    """Refuse ``value`` where its suffix names a format other than ``writes`` (``latex -o
    notes.pdf`` wrote LaTeX source into notes.pdf, and said it wrote it: hostile38c #5)."""
    suffix = os.path.splitext(value)[1].lower()
    holds = SUFFIX_FORMATS.get(suffix)
    if holds is None or holds == writes:
        return
    stem, wanted = os.path.splitext(value)[0], FORMAT_SUFFIX[writes]
    # in its folder (review38 #7); x.py.tex is x.py, not x.py.py (hostile39b #4)
    better = stem if stem.lower().endswith(wanted) else stem + wanted
    raise CliError(
        f"{option} {shown(value)}: this writes {writes}, but a file named *{suffix} holds "
        f"{holds}; name it {shown(better)}{hint}"
    )


def _os_error(exc: BaseException | None) -> OSError | None:
    """``exc`` where it is an OSError, else the OSError it was raised while handling (a full
    disk in matplotlib's PDF writer raised AttributeError from its clean-up after the
    OSError, and exited 3: hostile38c #2), else None."""
    if not isinstance(exc, Exception):  # an interrupt stays one
        return None
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OSError):
            return exc
        seen.add(id(exc))
        # a message already said (raised "from None") ends the chain
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return None


def _new_temp(out: Target) -> Path:
    """A new empty temporary file beside ``out`` (its name keeps the target's suffix)."""
    prefix, suffix = _temp_name_parts(out.path)
    try:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=out.path.parent)
    except OSError as exc:
        if exc.errno == errno.ENOENT and out.path.parent.is_dir():
            # /proc and /sys: the folder is there but makes no new files ("No such file or
            # directory" named neither the folder nor why)
            raise CliError(
                f"cannot write {shown(out.path)}: its folder {shown(out.path.parent)} takes no "
                "new files"
            ) from None
        raise CliError(f"cannot write {shown(out.path)}: {_reason(exc)}") from None
    os.close(fd)
    return Path(name)


def probe(out: Target) -> None:
    """Make and remove a temporary file beside ``out``: a folder that takes no new files
    (``/proc``, a read-only mount) is refused before a long computation, not after it
    (hostile36c #9: ``gradients --plot /proc/x.png`` printed its table, then refused)."""
    with contextlib.suppress(OSError):
        _new_temp(out).unlink()


def _commit(tmp: Path, out: Target) -> None:
    """fsync ``tmp``, give it the right mode, and move it to ``out.path`` atomically."""
    fd = os.open(tmp, os.O_RDWR)
    try:
        os.fchmod(fd, _new_file_mode(out.path))
        os.fsync(fd)
    finally:
        os.close(fd)
    _rename(tmp, out)


#: the files this command has renamed into place so far, for the line an interrupt prints
#: (a Ctrl-C after one was written said only "aborted", exit 130, though the new file was
#: there: hostile45a #5)
RENAMED: list[Path] = []


def _rename(tmp: Path, out: Target) -> None:
    """Move the written and synced ``tmp`` to ``out.path`` in one step: over an existing
    file only with ``--force``, never through a link."""
    _move(tmp, out)
    RENAMED.append(out.path)
    _sync_folder(out.path.parent)


def _move(tmp: Path, out: Target) -> None:
    if out.force:
        _refuse_link(out)
        os.replace(tmp, out.path)
    else:
        # a hard link fails if the name appeared meanwhile: never replaces a file by accident
        try:
            os.link(tmp, out.path)
        except FileExistsError:
            raise CliError(
                f"{out.option} {shown(out.path)} exists; add --force to replace it"
            ) from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            # no hard links on this file system: check once more, then rename
            if os.path.lexists(out.path):
                raise CliError(
                    f"{out.option} {shown(out.path)} exists; add --force to replace it"
                ) from None
            os.replace(tmp, out.path)
        else:
            tmp.unlink()


def _refuse_link(out: Target) -> None:
    # checked in target(); again here because the name may have changed since
    if out.path.is_symlink():
        raise CliError(f"{out.option} {shown(out.path)} is a symbolic link; nothing was written")


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (best effort: not every system can fsync a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write(out: Target, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``out`` atomically: a temporary file beside it,
    renamed over it once on disk (:func:`write_together` of one file)."""
    write_together([(out, data)])


def write_together(files: list[tuple[Target, str | bytes]]) -> None:
    """Write several files as one: each ``(target, data)`` (text as UTF-8) goes to a temporary
    file beside its target first, and only when every one is written (and on disk) are they
    renamed over their targets. A full disk, an interrupt or an error while writing any of
    them leaves every target untouched ("nothing was changed" is then true of all of them:
    ``latex --pdf --force`` replaced the .tex and then failed on the PDF, saying so:
    hostile35a #1). A rename cannot fail for room; should a later one fail all the same (the
    target turned into a link meanwhile), the message names what was written and what not.
    """
    temps: list[Path] = []
    failed = files[0][0]  # the target being written when an error comes
    try:
        for out, data in files:
            failed = out
            temps.append(_new_temp(out))
            raw = data.encode("utf-8") if isinstance(data, str) else data
            fd = os.open(temps[-1], os.O_WRONLY | os.O_TRUNC)
            try:
                _write_all(fd, raw)
                os.fchmod(fd, _new_file_mode(out.path))
                os.fsync(fd)
            finally:
                os.close(fd)
    except BaseException as exc:
        _discard(temps, exc, failed.path)
        raise
    for index, ((out, _), tmp) in enumerate(zip(files, temps, strict=True)):
        try:
            _rename(tmp, out)
        except BaseException as exc:
            if index and isinstance(exc, (OSError, CliError)):  # a rename, after others'
                _discard(temps[index:], None, out.path)
                done = ", ".join(shown(done.path) for done, _ in files[:index])
                why = _reason(exc) if isinstance(exc, OSError) else str(exc)  # not a temp name
                raise CliError(f"wrote {done}, but not {shown(out.path)}: {why}") from None
            _discard(temps[index:], exc, out.path)
            raise


def options(help_text: str = "Write to FILE ('-': stdout, the default).") -> Any:
    """``-o/--out FILE`` and ``--force``, for every command that writes a file."""

    def decorate(func: Any) -> Any:
        func = click.option(
            "--force",
            is_flag=True,
            help="Replace FILE if it exists (never the command's own input, never a link).",
        )(func)
        return click.option(
            "-o", "--out", "out_path", metavar="FILE", type=str, default=None, help=help_text
        )(func)

    return decorate
