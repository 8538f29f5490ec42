"""relais.sql: plain SQL for a list page's fixed-shape reads of values."""

from __future__ import annotations

import pytest

from relais import sql
from relais.models import Tenant


def test_placeholders_refuse_an_empty_in_list():
    assert sql.placeholders(3) == "%s, %s, %s"
    with pytest.raises(ValueError, match="IN"):
        sql.placeholders(0)


@pytest.mark.django_db
def test_rows_are_read_with_their_parameters(world_a, world_b):
    rows = sql.fetch_rows(f"SELECT id, slug FROM {sql.table(Tenant)} WHERE id IN ({sql.placeholders(1)})",
                          [world_a.tenant.pk])
    assert rows == [(world_a.tenant.pk, world_a.tenant.slug)]
    assert sql.table(Tenant) in ('"relais_tenant"', "`relais_tenant`")


def test_a_statement_is_written_once_per_vendor_and_arguments():
    from types import SimpleNamespace

    from relais.sql import written_once

    calls = []

    @written_once
    def statement(connection, count, *, first=False):
        calls.append((connection.vendor, count, first))
        return f"{connection.vendor}:{count}:{first}"

    sqlite, postgres = SimpleNamespace(vendor="sqlite"), SimpleNamespace(vendor="postgresql")
    assert [statement(sqlite, 2), statement(sqlite, 2), statement(postgres, 2), statement(sqlite, 3),
            statement(sqlite, 2, first=True), statement(sqlite, 2, first=True)] == [
        "sqlite:2:False", "sqlite:2:False", "postgresql:2:False", "sqlite:3:False", "sqlite:2:True", "sqlite:2:True"]
    assert calls == [("sqlite", 2, False), ("postgresql", 2, False), ("sqlite", 3, False), ("sqlite", 2, True)]


@pytest.mark.django_db
def test_a_row_read_by_position_is_what_the_readers_read_of_their_slices(world_a):
    """positions() and row_converters() read a hand-written row without cutting it: each column where
    split_row puts it, each value as RowReader.values converts it (dates, booleans and JSON on SQLite)."""
    from django.db import connection

    from relais.selectors import _READERS, _workspace_sql

    membership = world_a.members[next(iter(world_a.members))]
    row = sql.fetch_one(_workspace_sql(connection), [world_a.tenant.slug, membership.user_id])
    assert row is not None
    row = ("marker", *row)
    parts = sql.split_row(row, _READERS, start=1)
    whole = sql.convert(connection, row, sql.row_converters(connection, _READERS, start=1))
    for reader, part in zip(_READERS, parts, strict=True):
        names = [f.name for f in reader.fields]
        at = sql.positions(_READERS, [(reader, name) for name in names], start=1)
        assert [row[i] for i in at] == list(part)
        assert [whole[i] for i in at] == reader.values(connection, part)
    assert whole[0] == "marker"
    if connection.vendor == "sqlite":  # its booleans and dates come as numbers and text: converted
        assert any(whole[i] != row[i] for i in range(len(row)))
