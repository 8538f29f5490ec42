"""The append-only ledger's database trigger exists on both backends. On PostgreSQL the migration's
plpgsql body holds a literal "%" that was once parsed as a query placeholder, so the migration failed
and no PostgreSQL database could be built: run this file on PostgreSQL (DATABASE_URL) to check it."""

import pytest
from django.db import DatabaseError, transaction

from grants.models import LedgerEntry
from tests.grants.factories import LedgerEntryFactory

pytestmark = pytest.mark.django_db


def test_the_database_refuses_to_rewrite_a_ledger_entry(world_a):
    entry = LedgerEntryFactory(tenant=world_a.tenant)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    entry.refresh_from_db()
    assert entry.reason == ""
