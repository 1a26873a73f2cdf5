"""Work-arounds for defects of the Qt binding that would otherwise crash the app or the tests."""

from __future__ import annotations

import ctypes
import sys

# Added to each singleton's reference count once: at ten million lost references a second
# it would take over three thousand years to use up, and it stays below the counter's
# 2**63 limit. Python 3.12 gives these objects an immortal count of its own.
_SPARE_REFERENCES = 1 << 60
_protected = False


def protect_singletons() -> None:
    """Make ``None``, ``True`` and ``False`` immortal in effect (Python 3.11 only).

    PySide6 6.12.0 returns ``None`` from every method declared ``void`` in C++
    (``QPainter.drawText``, ``setPen``, ``setFont``, ``QObject.setObjectName`` ...) without
    taking a new reference, so each call removes one reference to ``None`` the interpreter
    still counts on; it also hands back ``True``/``False`` from ``SignalInstance.disconnect()``
    the same way. A long enough session aborts with "Fatal Python error: none_dealloc" (or
    ``bool_dealloc``), usually while the interpreter shuts down: a PDF report of more than
    about nine pages makes tens of thousands of such calls, so the headless export died with
    exit 134 after writing its file. Measured with ``sys.getrefcount(None)`` around 1,000
    calls of each method: 6.12.0 loses one per call, 6.11.3 none. We keep 6.12 (pinning below
    it would downgrade Qt under every workstation and the shared test machine) and instead
    give the three singletons a count no session can exhaust, which is what Python 3.12's
    immortal objects do. Called when ``desktop_helpdesk.ui`` is imported, so every path that
    reaches Qt through our code (window, headless PDF export, tests, benchmarks) is covered.
    """
    global _protected
    if _protected or sys.version_info >= (3, 12):
        return
    _protected = True
    for singleton in (None, True, False):
        # ob_refcnt is the object's first field (a Py_ssize_t) in CPython 3.11; the GIL is
        # held, so this read-modify-write cannot race another thread's Py_INCREF.
        count = ctypes.c_ssize_t.from_address(id(singleton))
        count.value += _SPARE_REFERENCES


# The earlier name, still used by some callers: it protected True and False only.
protect_bool_singletons = protect_singletons
