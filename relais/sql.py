"""Plain SQL for a list page's small reads of values (issue 10, throughput).

Measured on the organisation list: a ``values_list`` query joined by ``union()`` took 1.4 to 1.9 ms
of Python to build and compile on every view, against 0.4 to 0.7 ms to run its SQL. A read whose
shape never changes (the same columns, a tenant and a list of ids as parameters) is cheaper written
once as SQL. Use it only for such reads: filters, sorting and anything a user composes stay in the
ORM. The SQL is plain SQL that PostgreSQL and SQLite both accept (identifiers in double quotes, no
parentheses around the parts of a UNION, booleans tested as they are); every read still names its
tenant or ids read through a tenant-scoped query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def table(model: type[Model]) -> str:
    """The model's table name, quoted for the database."""
    return connection.ops.quote_name(model._meta.db_table)


def placeholders(count: int) -> str:
    """``%s, %s, ...`` for an ``IN (...)`` of ``count`` values (at least one)."""
    if count < 1:
        raise ValueError("IN () is not SQL: read nothing instead.")
    return ", ".join(["%s"] * count)


def fetch_rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
