"""An option given twice is a usage error, unless it collects values (``--size``, ``--define``).

click keeps the last of a repeated option: ``derive 4-3-1 --wrt W1 --wrt W2`` printed W2's
path alone and dropped W1 without a word, and ``-o a.json -o b.json`` wrote b.json only
(hostile41b #3), while a repeated ``--size n`` was refused. One rule for every command here:
an option that takes one value (or a flag, with its ``--batch/--single`` pair) appears once.
"""

from __future__ import annotations

import click


def refuse_repeated_options(
    command: click.Command, args: list[str], help_names: list[str]
) -> None:
    """Raise ``click.UsageError`` naming the first option of ``command`` that ``args`` (the
    words after the command's name) give twice, or two spellings of one option (``--batch``
    and ``--single``, ``--expanded`` and ``--compact``); options that collect values
    (``multiple=True``) and counters may repeat. Words after ``--`` and option values are not
    read as options; ``help_names`` (the context's ``-h``, ``--help``) print the help before
    any value is read, so nothing is refused then."""
    takes_value: dict[str, bool] = {}
    owner: dict[str, str] = {}
    once: set[str] = set()  # the parameters that take one value
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        for spelling in (*param.opts, *param.secondary_opts):
            owner[spelling] = param.name or spelling
            takes_value[spelling] = not param.is_flag and not param.count
        if not (param.multiple or param.count):
            once.add(param.name or "")
    words = args[: args.index("--")] if "--" in args else args
    if any(word in help_names for word in words):
        return
    seen: dict[str, str] = {}  # parameter -> the spelling that gave it first
    iterator = iter(words)
    for word in iterator:
        found = _spelling(word, owner)
        if found is None:
            continue
        spelling, name = found, owner[found]
        attached = "=" in word or (not word.startswith("--") and len(word) > 2)
        if takes_value[spelling] and not attached:
            next(iterator, None)  # its value, whatever it looks like (--l2 -1, --size --x)
        if name not in once:
            continue
        if name in seen:
            first = seen[name]
            raise click.UsageError(
                f"{spelling} is given twice: give it once"
                if first == spelling
                else f"{first} and {spelling} are given together: give one of them"
            )
        seen[name] = spelling


def _spelling(word: str, owner: dict[str, str]) -> str | None:
    """The option spelling ``word`` gives (``--wrt``, ``--wrt=W1``, ``-o``, ``-ofile``), or
    None for an argument or an option this check does not track."""
    if not word.startswith("-") or word == "-":
        return None
    if word.startswith("--"):
        name = word.split("=", 1)[0]
        return name if name in owner else None
    short = word[:2]
    return short if short in owner else None
