"""Finds the icons and the stylesheet shipped inside the package, the same way everywhere."""

from __future__ import annotations

import logging
import warnings
from functools import cache
from importlib.resources import files
from pathlib import Path

from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)

# The folder's place inside the package; pyproject's package-data ships it in the wheel and
# build.spec copies it into the bundle, so checkout, wheel and bundle all find it here.
_PACKAGE = "desktop_helpdesk"
_FOLDER = "resources"


class MissingResourceWarning(UserWarning):
    """An icon or the stylesheet the code asks for is not shipped.

    A warning, not an exception: the desk keeps working with a blank icon, while the test
    suite (warnings are errors there) fails on it.
    """


def resources_dir() -> Path:
    """The ``desktop_helpdesk/resources`` folder, found with ``importlib.resources``.

    Raises:
        RuntimeError: the package is imported from a zip, where Qt cannot open the files.
    """
    root = files(_PACKAGE) / _FOLDER
    if not isinstance(root, Path):
        raise RuntimeError(f"{_PACKAGE} must be installed as plain files, not from {root}")
    return root


def resource_path(*parts: str) -> Path:
    """A file under ``desktop_helpdesk/resources/``."""
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
