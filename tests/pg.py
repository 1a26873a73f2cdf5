"""Helpers for the optional PostgreSQL run: one throw-away database per test."""

import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg2


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
