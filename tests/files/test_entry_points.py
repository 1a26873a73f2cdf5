"""Bad files through both entry points in a subprocess (the window with --screenshot and the
export command): the message, the exit code, no traceback, and the file's bytes unchanged."""

from __future__ import annotations

import pytest

from tests.files.conftest import (
    build_desk_file,
    damage_middle_pages,
    digest,
    make_read_only,
    side_files,
)


@pytest.fixture
def desk_file(tmp_path):
    return build_desk_file(tmp_path / "desk.sqlite3", cases=60)


def _window(run_entry_point, path, tmp_path, *extra):
    return run_entry_point("--db", str(path), "--user", "dana", "--screenshot", str(tmp_path / "shot.png"), *extra)


def _export(run_entry_point, path, tmp_path):
    return run_entry_point("export", "--report", "cases", "--queue", "all_open", "--db", str(path),
                           "-o", str(tmp_path / "cases.csv"))


def _one_clean_line(ran):
    assert "Traceback" not in ran.err
    lines = ran.err.strip().splitlines()
    assert len(lines) == 1, ran.err
    return lines[0]


def test_an_empty_file_is_refused_by_the_window_unless_new_is_asked_for(run_entry_point, tmp_path):
    empty = tmp_path / "desk.sqlite3"
    empty.touch()
    ran = _window(run_entry_point, empty, tmp_path)
    assert ran.code == 1
    assert _one_clean_line(ran) == (f"The database cannot be opened: {empty}: the file is empty (0 bytes), "
                                    "not a Desktop Helpdesk database; open another file, or ask for a new "
                                    "database with --new")
    assert empty.read_bytes() == b"" and side_files(empty) == []
    assert not (tmp_path / "shot.png").exists()

    # --new is the explicit way to make it a database (then the --user is unknown: a usage error).
    ran = _window(run_entry_point, empty, tmp_path, "--new")
    assert ran.code == 2 and "dana" in ran.err and "Traceback" not in ran.err
    assert empty.stat().st_size > 0


def test_the_default_database_is_created_on_first_start_but_an_empty_one_is_refused(run_entry_point, tmp_path):
    default = tmp_path / "home" / "data" / "DesktopHelpdesk" / "helpdesk.sqlite3"
    shot = str(tmp_path / "shot.png")
    first = run_entry_point("--user", "dana", "--screenshot", shot)
    # A new, empty team: the database exists now and "dana" is not a member (a usage error).
    assert first.code == 2 and "Traceback" not in first.err and default.stat().st_size > 0

    default.unlink()
    default.touch()
    ran = run_entry_point("--user", "dana", "--screenshot", shot)
    assert ran.code == 1
    assert _one_clean_line(ran).startswith(f"The database cannot be opened: {default}: the file is empty (0 bytes)")
    assert default.read_bytes() == b""


def test_an_empty_file_is_refused_by_export(run_entry_point, tmp_path):
    empty = tmp_path / "desk.sqlite3"
    empty.touch()
    ran = _export(run_entry_point, empty, tmp_path)
    assert ran.code == 1
    assert _one_clean_line(ran) == (f"desktop-helpdesk export: error: {empty}: the file is empty (0 bytes), "
                                    "not a Desktop Helpdesk database; open another file, or ask for a new "
                                    "database with --new")
    assert empty.read_bytes() == b"" and not (tmp_path / "cases.csv").exists()


def test_a_damaged_file_is_one_line_naming_it_and_the_way_out(run_entry_point, desk_file, tmp_path):
    damage_middle_pages(desk_file)
    before = digest(desk_file)

    window = _window(run_entry_point, desk_file, tmp_path)
    assert window.code == 1
    line = _one_clean_line(window)
    assert line.startswith(f"The database file is damaged: {desk_file}: the database file is damaged (")
    assert line.endswith("open a backup or another file, or quit")
    assert "failed its integrity check" in window.log

    export = _export(run_entry_point, desk_file, tmp_path)
    assert export.code == 1
    line = _one_clean_line(export)
    assert line.startswith(f"desktop-helpdesk export: error: {desk_file}: the database file is damaged (")
    assert "failed its integrity check" in export.log

    assert digest(desk_file) == before and side_files(desk_file) == []
    assert not (tmp_path / "cases.csv").exists() and not (tmp_path / "shot.png").exists()


def test_a_read_only_file_opens_for_reading_in_both_entry_points(run_entry_point, desk_file, tmp_path):
    make_read_only(desk_file)
    before = digest(desk_file)

    window = _window(run_entry_point, desk_file, tmp_path)
    assert window.code == 0
    # The offscreen platform's own notice is the only thing on stderr.
    assert set(window.err.splitlines()) <= {"This plugin does not support propagateSizeHints()"}
    assert (tmp_path / "shot.png").stat().st_size > 10_000
    assert "opened read-only" in window.log

    export = _export(run_entry_point, desk_file, tmp_path)
    assert (export.code, export.err) == (0, "")
    assert export.out.startswith("Wrote ") and (tmp_path / "cases.csv").read_text().count("Printer") == 60

    assert digest(desk_file) == before and side_files(desk_file) == []


def test_a_postgresql_url_without_the_driver_is_one_line(run_entry_point, without_psycopg2, tmp_path):
    url = "postgresql://desk:secret@127.0.0.1:1/helpdesk"
    expected = ("postgresql://desk@127.0.0.1:1/helpdesk: PostgreSQL support is not installed (the psycopg2 "
                "driver is missing); install it with: pip install psycopg2-binary")
    window = run_entry_point("--db", url, "--user", "dana", "--screenshot", str(tmp_path / "x.png"),
                             extra_path=without_psycopg2)
    assert window.code == 1
    assert _one_clean_line(window) == f"The database cannot be opened: {expected}"
    export = run_entry_point("export", "--report", "sla", "--db", url, "-o", str(tmp_path / "sla.csv"),
                             extra_path=without_psycopg2)
    assert export.code == 1
    assert _one_clean_line(export) == f"desktop-helpdesk export: error: {expected}"
