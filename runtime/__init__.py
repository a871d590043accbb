"""The recipe language: reading (``lang``) and running (``engine``) recipes."""

__version__ = "0.1.0"
