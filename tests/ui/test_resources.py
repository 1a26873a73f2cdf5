"""Icons and the stylesheet are found and shipped, and every one the code asks for exists."""

from __future__ import annotations

import ast
import fnmatch
import tomllib
from pathlib import Path

import pytest

import desktop_helpdesk
from desktop_helpdesk.domain.cases import InteractionChannel
from desktop_helpdesk.services.case_queries import Queue
from desktop_helpdesk.ui import resources
from desktop_helpdesk.ui.models import timeline_model
from desktop_helpdesk.ui.resources import MissingResourceWarning, icon, resource_path, stylesheet

PACKAGE = Path(desktop_helpdesk.__file__).resolve().parent
RESOURCES = PACKAGE.parent / "resources"  # the checkout's top-level folder


def _literal_icon_names() -> set[str]:
    """Every ``icon("name")`` call with a literal name anywhere in the package."""
    names = set()
    for source in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "icon"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                names.add(node.args[0].value)
    return names


def test_every_icon_the_code_asks_for_is_shipped():
    literal = _literal_icon_names()
    assert {"app", "phone", "search", "export"} <= literal  # the scan finds the calls
    # Names built at run time: queues in the left panel, channels, timeline entry kinds.
    dynamic = ({q.value for q in Queue} | {c.value for c in InteractionChannel}
               | set(timeline_model._KIND_ICONS.values()) | {"note"})
    missing = sorted(n for n in literal | dynamic
                     if not resource_path("icons", f"{n}.svg").is_file())
    assert missing == []
    for name in sorted(literal | dynamic):
        assert not icon(name).isNull(), name


def test_a_checkout_reads_the_top_level_resources_folder():
    # The installed wheel reads the copy inside the package instead;
    # scripts/check-installed-wheel runs it outside the checkout and compares screenshots.
    assert not (PACKAGE / "resources").exists()
    assert resources.resources_dir() == RESOURCES
    assert "QMainWindow" in stylesheet()
    assert (RESOURCES / "icons" / "app.ico").is_file()  # bundle icon (Windows)


def test_the_wheel_ships_every_resource_file():
    """pyproject's package-data globs cover every file in the folder (a new kind of file,
    say a .png, would otherwise be left out of the wheel without anyone noticing)."""
    with (PACKAGE.parent / "pyproject.toml").open("rb") as stream:
        package_data = tomllib.load(stream)["tool"]["setuptools"]["package-data"]
    patterns = package_data["desktop_helpdesk.resources"]
    shipped = [p.relative_to(RESOURCES).as_posix() for p in RESOURCES.rglob("*") if p.is_file()]
    assert len(shipped) > 20
    assert [f for f in shipped if not any(fnmatch.fnmatch(f, p) for p in patterns)] == []


def test_a_missing_icon_fails_loudly(qapp):
    with pytest.warns(MissingResourceWarning, match="icon 'no_such_icon' is missing"):
        assert icon("no_such_icon").isNull()
