"""The bench's own database, chosen before Django is set up and recreated on every run.

- SQLite (the default): ``$VAR_DIR/bench.sqlite3`` (``var/bench.sqlite3``), deleted
  with its WAL files and created again by ``migrate``.
- PostgreSQL (``DATABASE_URL=postgres://…/NAME``): the database ``NAME_bench`` on the
  same server, dropped (``WITH (FORCE)``) and created through Django's maintenance
  connection (the ``postgres`` database, as the test runner does), so the role in
  ``DATABASE_URL`` needs the ``CREATEDB`` privilege.

The developer's database and the test database are never opened.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
SQLITE_NAME = "bench.sqlite3"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
POSTGRES_SUFFIX = "_bench"


class BenchDatabaseError(Exception):
    pass


@dataclass(frozen=True)
class BenchDatabase:
    vendor: str  # "sqlite" or "postgresql"
    name: str  # file path or database name
    url: str  # the DATABASE_URL the bench runs with

    def describe(self) -> str:
        if self.vendor == "sqlite":
            return f"SQLite file {self.name}"
        return f"PostgreSQL database {self.name!r}"


def var_dir(environ: MutableMapping[str, str]) -> Path:
    """Where settings put runtime files (the same rule as `cepa_collab.settings`)."""
    return Path(environ.get("VAR_DIR", str(BASE_DIR / "var")))


def point_at_bench_database(environ: MutableMapping[str, str] | None = None) -> BenchDatabase:
    """Rewrite ``DATABASE_URL`` in `environ` to the bench database; call before `django.setup`."""
    environ = os.environ if environ is None else environ
    url = environ.get("DATABASE_URL", "").strip()
    scheme = urlsplit(url).scheme if url else "sqlite"
    if scheme == "sqlite":
        folder = var_dir(environ)
        folder.mkdir(parents=True, exist_ok=True)
        path = (folder / SQLITE_NAME).resolve()
        bench_url = f"sqlite:///{path}"
        environ["DATABASE_URL"] = bench_url
        return BenchDatabase(vendor="sqlite", name=str(path), url=bench_url)
    if scheme in POSTGRES_SCHEMES:
        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        if not name:
            raise BenchDatabaseError("DATABASE_URL names no database; cannot derive NAME_bench.")
        bench_name = f"{name}{POSTGRES_SUFFIX}"
        bench_url = urlunsplit(parts._replace(path=f"/{bench_name}"))
        environ["DATABASE_URL"] = bench_url
        return BenchDatabase(vendor="postgresql", name=bench_name, url=bench_url)
    raise BenchDatabaseError(
        f"DATABASE_URL scheme {scheme!r} is not supported by the bench (SQLite or PostgreSQL)."
    )


def remove_sqlite_files(db: BenchDatabase) -> None:
    """Delete the SQLite bench file and its companions; call before anything connects."""
    path = Path(db.name)
    if path.name != SQLITE_NAME:
        raise BenchDatabaseError(f"refusing to delete {path}: not a bench database")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def recreate(db: BenchDatabase) -> None:
    """Start from an empty bench database (after `django.setup`, before `migrate`)."""
    from django.db import connections

    connection = connections["default"]
    connection.close()
    if db.vendor == "sqlite":
        if connection.vendor != "sqlite" or str(connection.settings_dict["NAME"]) != db.name:
            raise BenchDatabaseError("settings do not point at the SQLite bench database")
        remove_sqlite_files(db)
        return
    if connection.vendor != "postgresql" or connection.settings_dict["NAME"] != db.name:
        raise BenchDatabaseError("settings do not point at the PostgreSQL bench database")
    if not db.name.endswith(POSTGRES_SUFFIX):
        raise BenchDatabaseError(f"refusing to drop {db.name!r}: not a bench database")
    quoted = connection.ops.quote_name(db.name)
    # The maintenance connection (database "postgres") is the one Django's test
    # runner uses to create and destroy test databases.
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}")


def copy_template(db: BenchDatabase, template: Path) -> None:
    """Start the recreated SQLite bench database as a copy of `template`, a migrated
    database (the test suite passes the one its test databases are copied from), so that
    `migrate` has little or nothing left to do."""
    if db.vendor != "sqlite":
        raise BenchDatabaseError("--template is for the SQLite bench database only")
    if not template.is_file():
        raise BenchDatabaseError(f"--template {template}: no such file")
    source = sqlite3.connect(f"file:{template}?mode=ro", uri=True)
    target = sqlite3.connect(db.name)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
