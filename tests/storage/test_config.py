"""Choosing the database: --db, then HELPDESK_DATABASE, then the user's data folder."""

from pathlib import Path

from desktop_helpdesk.config import DATABASE_ENV, database_target, default_data_dir


def test_command_line_wins_over_environment(tmp_path):
    target = database_target(str(tmp_path / "a.sqlite3"), {DATABASE_ENV: str(tmp_path / "b.db")})
    assert target.sqlite_path == tmp_path / "a.sqlite3"


def test_environment_accepts_a_postgresql_url():
    target = database_target(None, {DATABASE_ENV: "postgresql://desk@127.0.0.1/helpdesk"})
    assert not target.is_sqlite
    assert target.url == "postgresql://desk@127.0.0.1/helpdesk"


def test_default_is_a_file_in_the_users_data_folder():
    target = database_target(None, {})
    assert target.sqlite_path == default_data_dir() / "helpdesk.sqlite3"
    assert Path(target.sqlite_path).is_absolute()
