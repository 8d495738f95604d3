"""The click application behind the ``symbackprop`` console script.

Nothing heavy is imported here at module level (no SymPy, NumPy or rich); commands import what
they need when they run.
"""

from __future__ import annotations

import click

from symbackprop._version import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 99}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(
    __version__, "--version", "-V", prog_name="symbackprop", message="%(prog)s %(version)s"
)
def main() -> None:
    """Derive backpropagation for fully connected networks, step by step.

    A network is written N0-N1[:act]-N2[:act]-..., for example 4-3-2-1 (the CS229 lecture's
    network) or 784-128:relu-10:softmax.
    """


if __name__ == "__main__":
    main(prog_name="symbackprop")
