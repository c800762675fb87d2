"""Understanding a petition: pure text functions (no Flask, database or Redis).

classify() gives every label of LABELS.md with the reasons behind it;
warm_up() loads the dictionary and model at worker or web start.
"""
from .classifier import Classification, classify, warm_up

__all__ = ["Classification", "classify", "warm_up"]
