"""``python -m symbackprop``: the same as the ``symbackprop`` command."""

from symbackprop.cli.main import main

if __name__ == "__main__":
    main(prog_name="symbackprop")
