"""``python -m symbackprop.cli``: the same as the ``symbackprop`` command (and as
``python -m symbackprop``)."""

from symbackprop.cli.main import main

if __name__ == "__main__":
    main(prog_name="symbackprop")
