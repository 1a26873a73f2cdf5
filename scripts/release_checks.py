"""What the release checks share: running steps, a clean environment, comparing screenshots."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = "1200x760"
# Pixels whose colour differs by more than this (0-255, any channel) count as different.
CHANNEL_TOLERANCE = 24
MAX_DIFFERENT_SHARE = 0.03  # the SLA countdowns tick between the two screenshots
# style.qss: the window (#f8fafc), the queue panel (#f1f5f9) and white panels; an unstyled
# Fusion window is grey (#efefef) and has none of the first two.
STYLE_COLOURS = {(0xF8, 0xFA, 0xFC), (0xF1, 0xF5, 0xF9)}
MIN_STYLE_SHARE = 0.05


def copy_checkout(destination: Path) -> Path:
    """The checkout's files in ``destination``, so builds never write build/ or *.egg-info
    into the working tree."""
    shutil.copytree(ROOT, destination, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache"))
    return destination


def app_environment(work: Path) -> dict[str, str]:
    """The environment for running the app as a user would, but headless and with its data,
    settings and log folders inside ``work`` (never the engineer's own)."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("PYTHONPATH", "PYTHONHOME")}
    environment.update(QT_QPA_PLATFORM="offscreen", HOME=str(work / "home"),
                       XDG_DATA_HOME=str(work / "data"), XDG_STATE_HOME=str(work / "state"),
                       XDG_CONFIG_HOME=str(work / "config"), XDG_CACHE_HOME=str(work / "cache"))
    return environment


def checkout_screenshot(database: Path, png: Path, environment: dict[str, str]) -> None:
    """The checkout's window on (a copy of) ``database``, saved as ``png``."""
    step("checkout: --demo --screenshot",
         [sys.executable, "-m", "desktop_helpdesk", "--demo", "--db", str(database),
          "--screenshot", str(png), "--screenshot-size", SIZE],
         cwd=ROOT, env={**environment, "PYTHONPATH": str(ROOT)})


def compare_screenshots(installed_png: Path, checkout_png: Path, report=print) -> list[str]:
    """Whether two screenshots of the same database look alike; the reasons they do not.

    Same styling: at most ``MAX_DIFFERENT_SHARE`` of the pixels differ noticeably, and the
    stylesheet's own colours cover at least ``MIN_STYLE_SHARE`` of the window. Measured:
    0.0% different against the checkout for the installed wheel; a window without the
    stylesheet differs on 21.5% of its pixels and shows 0.0% of the stylesheet's colours.
    """
    from PySide6.QtGui import QImage

    installed = QImage(str(installed_png)).convertToFormat(QImage.Format.Format_RGB888)
    checkout = QImage(str(checkout_png)).convertToFormat(QImage.Format.Format_RGB888)
    if installed.size() != checkout.size() or installed.isNull():
        return [f"screenshots differ in size: {installed.size()} vs {checkout.size()}"]
    width, height = installed.width(), installed.height()
    different = styled = 0
    for y in range(height):
        # constScanLine: rows may be padded past width * 3 bytes.
        a = bytes(installed.constScanLine(y))[: width * 3]
        b = bytes(checkout.constScanLine(y))[: width * 3]
        for x in range(0, width * 3, 3):
            pixel = (a[x], a[x + 1], a[x + 2])
            if pixel in STYLE_COLOURS:
                styled += 1
            if a[x:x + 3] != b[x:x + 3] and max(
                    abs(a[x] - b[x]), abs(a[x + 1] - b[x + 1]), abs(a[x + 2] - b[x + 2])
            ) > CHANNEL_TOLERANCE:
                different += 1
    total = width * height
    report(f"  screenshots {width}x{height}: {different / total:.2%} of pixels differ "
           f"(limit {MAX_DIFFERENT_SHARE:.0%}); stylesheet colours cover {styled / total:.1%} "
           f"(at least {MIN_STYLE_SHARE:.0%})")
    failures = []
    if different / total > MAX_DIFFERENT_SHARE:
        failures.append(f"the installed app looks different from the checkout "
                        f"({different / total:.1%} of pixels)")
    if styled / total < MIN_STYLE_SHARE:
        failures.append("the installed app's window lacks the stylesheet's colours")
    return failures


def step(label: str, command: list[str], *, allowed_codes: tuple[int, ...] = (0,),
         capture_stderr: bool = False, **options) -> str:
    """Run ``command``; print how long it took; stop the check if it fails.

    Returns:
        Its standard output (standard error with ``capture_stderr``).

    Raises:
        SystemExit: an exit code not in ``allowed_codes``, or a traceback on stderr.
    """
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, **options)
    took = time.perf_counter() - started
    print(f"  {label:<44} {took:6.1f} s  exit {finished.returncode}", flush=True)
    if finished.returncode not in allowed_codes or "Traceback" in finished.stderr:
        sys.stdout.write(finished.stdout[-3000:])
        sys.stdout.write(finished.stderr[-3000:])
        raise SystemExit(f"release check FAILED at: {label}")
    return finished.stderr if capture_stderr else finished.stdout
