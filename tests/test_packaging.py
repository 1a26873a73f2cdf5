"""What the bundle recipe and the Linux desktop entry point at exists and agrees."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import desktop_helpdesk

ROOT = Path(desktop_helpdesk.__file__).resolve().parents[1]
SPEC = (ROOT / "build.spec").read_text(encoding="utf-8")


def test_every_file_the_bundle_recipe_names_exists():
    named = re.findall(r'\(\s*"([^"]+)",\s*"[^"]+"\s*\)', SPEC)
    named += re.findall(r'"(resources/icons/app\.\w+)"', SPEC)
    assert "resources" in named and "pyproject.toml" in named
    assert [path for path in named if not (ROOT / path).exists()] == []


def test_the_bundle_takes_the_postgresql_driver():
    # A bundled workstation joins the team's shared server; peewee imports psycopg2 lazily.
    assert '"psycopg2"' in SPEC
    assert "psycopg2" not in re.search(r"excludes=\[(.*?)\]", SPEC, re.S).group(1)


def test_the_linux_desktop_entry_starts_the_bundle_with_its_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(ROOT / "packaging" / "linux" / "desktop-helpdesk.desktop", encoding="utf-8")
    fields = entry["Desktop Entry"]
    assert fields["Type"] == "Application"
    assert fields["Name"] == "Desktop Helpdesk"
    executable = re.search(r'name="(\w+)"', SPEC).group(1)
    assert fields["Exec"].split()[0] == executable == "DesktopHelpdesk"
    assert fields["Icon"] == "desktop-helpdesk"  # scripts/build-bundle installs app.svg as it
    assert fields["Categories"].endswith(";") and fields["Terminal"] == "false"
    build_bundle = (ROOT / "scripts" / "build-bundle").read_text(encoding="utf-8")
    assert '"desktop-helpdesk.svg"' in build_bundle
