"""Files that are not a healthy database: builders for a small desk file and its damaged,
empty and read-only variants, and a runner for the real entry points in a subprocess."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

import desktop_helpdesk
from desktop_helpdesk.domain.clock import ManualClock
from desktop_helpdesk.services.contacts import NewContact
from desktop_helpdesk.services.container import Services
from desktop_helpdesk.storage.db import close_database, database, open_database

REPOSITORY = Path(desktop_helpdesk.__file__).resolve().parent.parent
NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def side_files(path: Path) -> list[str]:
    """The SQLite journal files beside ``path`` (there must be none after a clean run)."""
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))


def build_desk_file(path: Path, cases: int = 120) -> Path:
    """A closed desk file: dana (admin) and ``cases`` cases with long descriptions (many pages)."""
    open_database(path)
    try:
        services = Services.create(ManualClock(NOW))
        dana = services.team.bootstrap_admin("dana", "Dana Desk")
        for number in range(cases):
            services.cases.log_case(
                dana.id, subject=f"Printer {number} offline", channel="email",
                description="The printer on the third floor shows an error. " * 40,
                new_contact=NewContact(name="Carol Client", email="carol@acme.example", client_name="Acme"),
            )
    finally:
        close_database()
        database.initialize(None)
    return path


def damage_middle_pages(path: Path) -> None:
    """Overwrite a few pages in the middle of the file, as a failing disk or a bad copy would."""
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    for offset in range(middle, middle + 3 * page, page):
        data[offset + 8: offset + 2000] = bytes((i * 37 + 11) % 251 for i in range(1992))
    path.write_bytes(bytes(data))


def make_read_only(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


@dataclass
class Ran:
    code: int
    out: str
    err: str
    log: str


@pytest.fixture
def database_unbound_after():
    """Tests that open the database themselves (as the app does) leave it closed and unbound."""
    yield
    close_database()
    database.initialize(None)


@pytest.fixture
def run_entry_point(tmp_path):
    """Runs ``python -m desktop_helpdesk ARGS`` from this checkout with its own home folder
    (so the data and log folders are the test's own) and returns code, output and log."""
    home = tmp_path / "home"
    home.mkdir()

    def run(*args: str, extra_path: Path | None = None) -> Ran:
        python_path = str(REPOSITORY) if extra_path is None else f"{extra_path}{os.pathsep}{REPOSITORY}"
        env = {**os.environ, "PYTHONPATH": python_path, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen",
               "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
               "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache")}
        env.pop("HELPDESK_DATABASE", None)
        done = subprocess.run([sys.executable, "-m", "desktop_helpdesk", *args], capture_output=True,
                              text=True, env=env, timeout=120, cwd=tmp_path)
        logs = list(home.rglob("desktop-helpdesk.log"))
        return Ran(done.returncode, done.stdout, done.stderr, logs[0].read_text() if logs else "")

    return run


@pytest.fixture
def without_psycopg2(tmp_path):
    """A folder that, put first on PYTHONPATH, makes ``import psycopg2`` fail as on a
    workstation where the driver was never installed."""
    folder = tmp_path / "no-driver"
    (folder / "psycopg2").mkdir(parents=True)
    (folder / "psycopg2" / "__init__.py").write_text(
        'raise ImportError("No module named \'psycopg2\'")\n')
    return folder
