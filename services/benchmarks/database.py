"""The benchmarks' own PostgreSQL database (`portal_bench` from the Makefile): made if missing."""

from __future__ import annotations

from urllib.parse import urlsplit


def create_database(url: str) -> None:
    """Create the database DATABASE_URL names if it does not exist yet (PostgreSQL only)."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()
