"""A throw-away PostgreSQL server on 127.0.0.1 for the tests, and one fresh database per test."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if found:
        return Path(found[-1])
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """initdb + pg_ctl in a temporary folder; as root it runs under the postgres account."""

    def __init__(self) -> None:
        bindir = _bindir()
        if bindir is None:
            raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self._bindir = bindir
        self._folder = Path(tempfile.mkdtemp(prefix="helpdesk-pg-"))
        self._port = _free_port()
        self._runas: list[str] = []
        if os.geteuid() == 0:
            account = "postgres" if _has_account("postgres") else "nobody"
            shutil.chown(self._folder, account)
            self._runas = ["runuser", "-u", account, "--"]
        self.url = f"postgresql://helpdesk@127.0.0.1:{self._port}/postgres"

    def start(self) -> str:
        data = self._folder / "data"
        self._run("initdb", "-D", str(data), "-U", "helpdesk", "--auth=trust", "-E", "UTF8")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self._port} "
            f"-c unix_socket_directories={self._folder} -c fsync=off"
        )
        self._run("pg_ctl", "-D", str(data), "-l", str(self._folder / "server.log"), "-w",
                  "-o", options, "start")
        return self.url

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self._folder / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self._folder, ignore_errors=True)

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self._runas, str(self._bindir / tool), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _has_account(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def fresh_postgres_database(server_url: str) -> str:
    """Create an empty database on the server at ``server_url`` and return its URL."""
    name = f"helpdesk_test_{uuid.uuid4().hex[:12]}"
    connection = psycopg2.connect(server_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))
