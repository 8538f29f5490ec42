"""Plain SQL for a list page's small reads of values (issue 10, throughput).

Measured on the organisation list: a ``values_list`` query joined by ``union()`` took 1.4 to 1.9 ms
of Python to build and compile on every view, against 0.4 to 0.7 ms to run its SQL. A read whose
shape never changes (the same columns, a tenant and a list of ids as parameters) is cheaper written
once as SQL. Use it only for such reads: filters, sorting and anything a user composes stay in the
ORM. The SQL is plain SQL that PostgreSQL and SQLite both accept (identifiers in double quotes, no
parentheses around the parts of a UNION, booleans tested as they are); every read still names its
tenant or ids read through a tenant-scoped query.

``RowReader`` goes one step further for the one statement every workspace page runs (the membership
of the signed-in person, with its workspace and organisation: relais.selectors.workspace_membership):
it turns each model's slice of a row into the instance the ORM would build, with the converters the
ORM applies to its fields (booleans and dates on SQLite, JSON on both). tests/relais/test_workspace_membership.py
checks that, field by field, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, Generic, TypeVar, cast

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

M = TypeVar("M", bound=Model)
T = TypeVar("T")
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


def table(model: type[Model]) -> str:
    """The model's table name, quoted for the database."""
    return connection.ops.quote_name(model._meta.db_table)


def written_once(write: Callable[..., T]) -> Callable[..., T]:
    """A statement written once per database vendor (and per value of the writer's other arguments,
    which must be hashable): ``@written_once def _sql(connection, ...) -> str``. The statements of
    this module's callers never change at run time; writing them again on every view was what their
    hand-written form avoids."""
    written: dict[tuple[Any, ...], T] = {}

    @wraps(write)
    def statement(connection: BaseDatabaseWrapper, *args: Any, **kwargs: Any) -> T:
        key = (connection.vendor, *args, *sorted(kwargs.items()))
        if key not in written:
            written[key] = write(connection, *args, **kwargs)
        return written[key]

    return statement


def placeholders(count: int) -> str:
    """``%s, %s, ...`` for an ``IN (...)`` of ``count`` values (at least one)."""
    if count < 1:
        raise ValueError("IN () is not SQL: read nothing instead.")
    return ", ".join(["%s"] * count)


def fetch_rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _starts(readers: Sequence[RowReader[Any]], start: int) -> list[int]:
    """Where each reader's columns begin in a row selecting the readers' ``columns()`` one after the other."""
    starts = []
    for reader in readers:
        starts.append(start)
        start += reader.width
    return starts


def split_row(row: Sequence[Any], readers: Sequence[RowReader[Any]], start: int = 0) -> list[Sequence[Any]]:
    """The slice of ``row`` each reader reads, in order, from column ``start``: a statement selecting
    several readers' ``columns()`` one after the other."""
    return [row[at:at + reader.width] for at, reader in zip(_starts(readers, start), readers, strict=True)]


def positions(readers: Sequence[RowReader[Any]], columns: Sequence[tuple[RowReader[Any], str]],
              start: int = 0) -> list[int]:
    """Where each (reader, field name) of ``columns`` is in such a row: a list that shows a few columns reads
    them by position (``operator.itemgetter``) into a row of values rather than building instances."""
    at = {id(reader): first for first, reader in zip(_starts(readers, start), readers, strict=True)}
    return [at[id(reader)] + reader.attnames.index(cast("Field[Any, Any]", reader.model._meta.get_field(name)).attname)
            for reader, name in columns]


def row_converters(connection: BaseDatabaseWrapper, readers: Sequence[RowReader[Any]],
                   start: int = 0) -> list[tuple[int, list[Converter], Any]]:
    """Each reader's converters (``RowReader.converters``) at their place in such a row: ``convert()`` then reads
    the whole row's values as the ORM's ``values_list()`` would, without cutting it."""
    return [(first + position, chain, expression)
            for first, reader in zip(_starts(readers, start), readers, strict=True)
            for position, chain, expression in reader.converters(connection)]


def converters_of(connection: BaseDatabaseWrapper, columns: Sequence[tuple[Field, str]]
                  ) -> list[tuple[int, list[Converter], Any]]:
    """(position, converters, expression) for each (field, table alias) of a SELECT that has any: what
    SQLCompiler.get_converters gives the ORM for those columns (dates on SQLite, JSON on both)."""
    found = []
    for position, (field, alias) in enumerate(columns):
        expression = field.get_col(alias)
        chain = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        if chain:
            found.append((position, chain, expression))
    return found


def convert(connection: BaseDatabaseWrapper, values: Sequence[Any],
            converters: list[tuple[int, list[Converter], Any]]) -> list[Any]:
    """A raw row's values as the ORM reads them (``converters`` from ``converters_of``)."""
    row = list(values)
    for position, chain, expression in converters:
        value = row[position]
        for converter in chain:
            value = converter(value, expression, connection)
        row[position] = value
    return row


class RowReader(Generic[M]):
    """One model's concrete columns in a SELECT under ``alias``, and its instance from their values."""

    def __init__(self, model: type[M], alias: str, only: Sequence[str] | None = None) -> None:
        """``only``: the names of the columns to read (the primary key always is), as ``.only()`` takes
        them; the instance then defers the others, as the ORM's would."""
        self.model = model
        self.alias = alias
        wanted = None if only is None else {cast("Field[Any, Any]", model._meta.get_field(name)).attname
                                             for name in only}
        self.fields = [f for f in model._meta.concrete_fields
                       if wanted is None or f.primary_key or f.attname in wanted]
        self.width = len(self.fields)
        self.attnames = [f.attname for f in self.fields]
        self._converters: dict[str, list[tuple[int, list[Converter], Any]]] = {}
        self._plain: bool | None = None  # decided at the first instance, once every receiver is connected

    def columns(self, connection: BaseDatabaseWrapper) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{quote(self.alias)}.{quote(str(f.column))}" for f in self.fields)

    def converters(self, connection: BaseDatabaseWrapper) -> list[tuple[int, list[Converter], Any]]:
        """(position, converters, expression) for each field that has any: what SQLCompiler.get_converters
        gives the ORM for these columns."""
        if connection.alias not in self._converters:
            self._converters[connection.alias] = converters_of(connection, [(f, self.alias) for f in self.fields])
        return self._converters[connection.alias]

    def values(self, connection: BaseDatabaseWrapper, values: Sequence[Any]) -> list[Any]:
        """The row's values as the ORM's ``values_list()`` of these fields gives them (converted)."""
        return convert(connection, values, self.converters(connection))

    def instance(self, connection: BaseDatabaseWrapper, values: Sequence[Any]) -> M:
        """What ``Model.from_db`` builds. For a model that changes neither ``from_db`` nor ``__init__`` and
        that no ``pre_init``/``post_init`` receiver listens to, the instance is written directly (its loaded
        values in its ``__dict__``, the others deferred, its state saved in ``db``): ``__init__`` walking every
        field of the model cost ~10 µs an instance, and a list page builds a hundred or two (issue 10)."""
        row = self.values(connection, values)
        if self._plain is None:
            mro = self.model.__mro__
            self._plain = (not any("from_db" in vars(k) or "__init__" in vars(k) for k in mro[:mro.index(Model)])
                           and not pre_init.has_listeners(self.model) and not post_init.has_listeners(self.model))
        if not self._plain:
            return self.model.from_db(connection.alias, self.attnames, row)
        instance = self.model.__new__(self.model)
        instance.__dict__.update(zip(self.attnames, row, strict=True))
        state = instance._state = ModelState()
        state.adding = False
        state.db = connection.alias
        return instance
