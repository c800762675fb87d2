"""Reference data a process reads once a minute, not for every notice: department names, the
notice texts an admin edited.

A change made through this process reaches it at once (`forget`); the other processes read it
within the minute. `forget_all` drops everything, for a runtime that points at another database.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Hashable

SECONDS = 60


class Remembered:
    def __init__(self) -> None:
        self._values: dict[Hashable, tuple[float, object]] = {}
        _everything.append(self)

    def get(self, key: Hashable, read: Callable[[], object]):
        """The value of `key`, read with `read()` when this process has none younger than SECONDS."""
        now = time.monotonic()
        kept = self._values.get(key)
        if kept is not None and now - kept[0] < SECONDS:
            return kept[1]
        value = read()
        self._values[key] = (now, value)
        return value

    def forget(self) -> None:
        self._values.clear()


_everything: list[Remembered] = []


def forget_all() -> None:
    for remembered in _everything:
        remembered.forget()
