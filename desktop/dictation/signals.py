"""Emitting signals safely under PySide6 6.12 on Python 3.11.

FIXME(qt): PySide6 6.12.0's `SignalInstance.emit()` and `disconnect()` return Python's True
without taking a reference to it. Each call then costs True one reference, and after a few
thousand (dictation emits dozens a second) the interpreter aborts with "Fatal Python error:
bool_dealloc: deallocating True or False", often at exit, sometimes mid-run. Python 3.12 made
True immortal, which hides it. `emit` and `disconnect` here give the reference back; if a
PySide6 release fixes the bug, the extra reference is harmless (True is never freed).
"""

from __future__ import annotations

import ctypes
from typing import Any


def _give_back(result: object) -> None:
    if result is True or result is False:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))


def emit(signal: Any, *args: Any) -> None:
    """`signal.emit(*args)` without the lost reference."""
    _give_back(signal.emit(*args))


def disconnect(signal: Any, slot: Any) -> None:
    """`signal.disconnect(slot)` without the lost reference."""
    _give_back(signal.disconnect(slot))
