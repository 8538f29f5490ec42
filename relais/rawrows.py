"""Model instances from a hand-written SELECT, for the one query every workspace page runs.

The membership of the signed-in person in the workspace of the URL is read on every page under
/<tenant_slug>/. Built with the ORM (three tables, a subquery for the workspace count) it cost about
2 ms of Python to construct and compile, several times its database time, on every page (issue 10).
The statement itself never changes, so it is written once per database vendor; ``RowReader`` turns
each model's slice of the row into an instance with the converters the ORM applies to its fields
(booleans and dates on SQLite, JSON on both), so the instance is the one the ORM would have built.
tests/relais/test_rawrows.py checks that, field by field, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


class RowReader(Generic[M]):
    """One model's concrete columns in a SELECT under ``alias``, and its instance from their values."""

    def __init__(self, model: type[M], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.width = len(self.fields)
        self.attnames = [f.attname for f in self.fields]
        self._converters: dict[str, list[tuple[int, list[Converter], Any]]] = {}

    def columns(self, connection: BaseDatabaseWrapper) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{quote(self.alias)}.{quote(str(f.column))}" for f in self.fields)

    def converters(self, connection: BaseDatabaseWrapper) -> list[tuple[int, list[Converter], Any]]:
        """(position, converters, expression) for each field that has any: what SQLCompiler.get_converters
        gives the ORM for these columns."""
        if connection.alias not in self._converters:
            found = []
            for position, field in enumerate(self.fields):
                expression = field.get_col(self.alias)
                chain = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
                if chain:
                    found.append((position, chain, expression))
            self._converters[connection.alias] = found
        return self._converters[connection.alias]

    def instance(self, connection: BaseDatabaseWrapper, values: Sequence[Any]) -> M:
        row = list(values)
        for position, chain, expression in self.converters(connection):
            value = row[position]
            for converter in chain:
                value = converter(value, expression, connection)
            row[position] = value
        return self.model.from_db(connection.alias, self.attnames, row)


def fetch_one(using: str, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
