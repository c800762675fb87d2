"""Understanding a petition: pure text functions (no Flask, database or Redis).

classify() gives every label of LABELS.md with the reasons behind it;
warm_up() loads the dictionary and model at worker or web start.

The classifier (and numpy and the dictionary's code with it) is imported on
first use, not with the package: a worker restarted under load sends the
waiting pushes while it loads, and the modules beside it (places, personal
data) stay light to import.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Classification", "classify", "warm_up"]

if TYPE_CHECKING:
    from .classifier import Classification, classify, warm_up


def __getattr__(name: str):
    if name in __all__:
        from . import classifier

        return getattr(classifier, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
