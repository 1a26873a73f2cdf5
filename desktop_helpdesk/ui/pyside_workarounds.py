"""Work-arounds for defects of the Qt binding that would otherwise crash the app or the tests."""

from __future__ import annotations

import ctypes

# Each spare reference outlives everything, so True/False can never reach a zero count.
_SPARE_REFERENCES = 100_000
_protected = False


def protect_bool_singletons() -> None:
    """Give ``True`` and ``False`` spare references that are never released.

    PySide6 6.12 hands back ``True``/``False`` from ``SignalInstance.disconnect()`` without
    taking a new reference, so every disconnect (pytest-qt's ``waitSignal`` does one each
    time, a report export does one when cancelled) removes a reference the interpreter still
    counts on. Enough of them abort the process with "Fatal Python error: bool_dealloc:
    deallocating True or False", typically while the interpreter shuts down. Reproduced with
    a bare ``QObject`` signal connected and disconnected 1,000 times. Python 3.12 makes the
    bools immortal, after which this is a no-op in effect.
    """
    global _protected
    if _protected:
        return
    _protected = True
    increment = ctypes.pythonapi.Py_IncRef
    increment.argtypes = [ctypes.py_object]
    increment.restype = None
    for singleton in (True, False):
        # One call per reference: Py_IncRef has no "add n" form.
        for _ in range(_SPARE_REFERENCES):
            increment(singleton)
