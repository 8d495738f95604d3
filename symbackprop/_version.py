"""The version of symbackprop (kept in one place; read by pyproject.toml)."""

__version__ = "0.1.0"
