"""The layers hold: import-linter's contracts (pyproject.toml), migrations that import nothing
from portal, and the roles that a post_migrate receiver now keeps instead of migrations."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from portal.accounts.roles import ROLE_PERMISSIONS

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_are_kept():
    # Given the contracts in pyproject.toml (layers portal -> services -> integrations; no
    # production import of the simulators or the benchmarks)
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is a dev dependency: make venv installs it"

    # When import-linter checks the source tree
    result = subprocess.run(
        [lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )

    # Then every contract is kept
    assert result.returncode == 0, result.stdout[-4000:]
    assert "0 broken" in result.stdout


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_migration_imports_anything_from_portal():
    # Given every migration of the project's own apps
    migrations = [
        p for top in ("portal", "services", "integrations") for p in (ROOT / top).rglob("*.py")
    ]
    migrations = [p for p in migrations if "migrations" in p.parts]
    assert migrations

    # Then none imports portal: a migration must run the same however the code changes later
    offenders = {
        str(p.relative_to(ROOT)): sorted(
            m for m in _imported_modules(p) if m.split(".")[0] == "portal"
        )
        for p in migrations
    }
    assert {path: names for path, names in offenders.items() if names} == {}


@pytest.fixture
def fresh_database(django_db_blocker):
    """An empty database of its own beside the test database; dropped afterwards."""
    settings = connection.settings_dict
    name = f"{settings['NAME']}_fresh_migrate"[:63]
    dsn = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
    }

    def admin(statement: sql.Composable) -> None:
        server = psycopg2.connect(dbname="postgres", **dsn)
        server.autocommit = True
        with server.cursor() as cursor:
            cursor.execute(statement)
        server.close()

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    admin(drop)
    admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    password = f":{dsn['password']}" if dsn["password"] else ""
    url = f"postgres://{dsn['user']}{password}@{dsn['host']}:{dsn['port']}/{name}"
    yield url, dsn, name
    admin(drop)


def test_a_fresh_migrate_gives_every_role_exactly_its_permissions(fresh_database):
    url, dsn, name = fresh_database

    # When a new portal's database is migrated from nothing
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
    )

    # Then each role's group holds exactly the permissions roles.py lists
    database = psycopg2.connect(dbname=name, **dsn)
    with database.cursor() as cursor:
        cursor.execute(
            "SELECT g.name, ct.app_label || '.' || p.codename FROM auth_group g "
            "LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id "
            "LEFT JOIN auth_permission p ON p.id = gp.permission_id "
            "LEFT JOIN django_content_type ct ON ct.id = p.content_type_id"
        )
        rows = cursor.fetchall()
    database.close()
    have: dict[str, set[str]] = {}
    for group, permission in rows:
        have.setdefault(group, set())
        if permission:
            have[group].add(permission)
    assert have == {role: set(wanted) for role, wanted in ROLE_PERMISSIONS.items()}
