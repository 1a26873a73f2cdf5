"""Finds the icons and the stylesheet, in a checkout, an installed wheel and the bundle."""

from __future__ import annotations

import logging
import warnings
from functools import cache
from importlib.resources import files
from pathlib import Path

from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)

# The files live in the repository's top-level resources/ folder. The wheel (setup.py maps
# the folder into the package) and the bundle (build.spec copies it there) carry them inside
# the package; a checkout, run in place or installed editable, has them beside the package.
_PACKAGE = "desktop_helpdesk"
_FOLDER = "resources"
_CHECKOUT_FOLDER = Path(__file__).resolve().parents[2] / _FOLDER


class MissingResourceWarning(UserWarning):
    """An icon or the stylesheet the code asks for is not shipped.

    A warning, not an exception: the desk keeps working with a blank icon, while the test
    suite (warnings are errors there) fails on it.
    """


def resources_dir() -> Path:
    """The resources folder: inside the installed package (found with ``importlib.resources``),
    else the checkout's top-level ``resources/``.

    Raises:
        RuntimeError: the package is imported from a zip, where Qt cannot open the files.
    """
    installed = files(_PACKAGE) / _FOLDER
    if not isinstance(installed, Path):
        raise RuntimeError(f"{_PACKAGE} must be installed as plain files, not from {installed}")
    if installed.is_dir():
        return installed
    return _CHECKOUT_FOLDER


def resource_path(*parts: str) -> Path:
    """A file under the resources folder (see ``resources_dir``)."""
    return resources_dir().joinpath(*parts)


def _missing(what: str, path: Path) -> None:
    log.error("%s is missing: %s", what, path)
    warnings.warn(f"{what} is missing: {path}", MissingResourceWarning, stacklevel=3)


@cache
def icon(name: str) -> QIcon:
    """The SVG icon ``resources/icons/<name>.svg``; a missing one warns (see
    ``MissingResourceWarning``) and gives an empty icon."""
    path = resource_path("icons", f"{name}.svg")
    if not path.is_file():
        _missing(f"icon {name!r}", path)
        return QIcon()
    return QIcon(str(path))


def stylesheet() -> str:
    """The application stylesheet; a missing file warns and gives an empty string."""
    path = resource_path("style.qss")
    if not path.is_file():
        _missing("the stylesheet", path)
        return ""
    return path.read_text(encoding="utf-8")
