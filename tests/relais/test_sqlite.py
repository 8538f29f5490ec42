"""SQLite (the laptop default) makes concurrent writers wait instead of answering "database is locked".

The suite's own SQLite database is in memory, so these tests open file databases of their own
through Django's SQLite backend, once with the project's options and once with Django's defaults.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.db.utils import ConnectionHandler

from config.settings import SQLITE_OPTIONS

WRITERS = 6


@pytest.fixture
def file_database(tmp_path, django_db_blocker):
    """Register a file SQLite database under a temporary alias; each thread gets its own connection."""
    aliases: list[str] = []

    def register(name: str, options: dict) -> str:
        alias = f"sqlite_{name}"
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / f"{name}.sqlite3"),
                  "OPTIONS": options}
        connections.settings[alias] = ConnectionHandler().configure_settings({"default": config})["default"]
        aliases.append(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE counter (n integer NOT NULL)")
            cursor.execute("INSERT INTO counter (n) VALUES (0)")
        return alias

    with django_db_blocker.unblock():
        yield register
        for alias in aliases:
            connections[alias].close()
            del connections.settings[alias]


def _concurrent_increments(alias: str) -> tuple[int, list[BaseException]]:
    """WRITERS threads each read the counter inside a transaction, then write it back plus one."""
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write():
        try:
            barrier.wait()
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                (value,) = cursor.fetchone()
                time.sleep(0.2)  # the others start their transaction meanwhile
                cursor.execute("UPDATE counter SET n = %s", [value + 1])
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=write) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        (final,) = cursor.fetchone()
    return final, errors


def test_concurrent_writes_wait_for_each_other_with_the_project_options(file_database):
    final, errors = _concurrent_increments(file_database("project", SQLITE_OPTIONS))
    assert errors == []
    assert final == WRITERS  # serialised: no lost update either


def test_the_same_writes_fail_with_django_defaults(file_database):
    """The test above can fail: without the options most writers get "database is locked"."""
    final, errors = _concurrent_increments(file_database("defaults", {}))
    assert errors and all("database is locked" in str(exc) for exc in errors)
    assert final < WRITERS


def test_sqlite_database_uses_the_project_options():
    default = settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.sqlite3":
        assert "transaction_mode" not in default.get("OPTIONS", {})  # PostgreSQL has row locks
        return
    assert default["OPTIONS"] == SQLITE_OPTIONS
    assert SQLITE_OPTIONS["transaction_mode"] == "IMMEDIATE" and SQLITE_OPTIONS["timeout"] >= 5
