"""The ledger's append-only triggers exist in the database (grants migration 0009). The PostgreSQL
migration used to fail: the `%` of its RAISE was read as a query placeholder."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.db.utils import DatabaseError

from grants.models import LedgerEntry
from tests.grants.factories import LedgerEntryFactory

pytestmark = pytest.mark.django_db


def test_the_database_refuses_to_update_a_ledger_entry(world_a):
    entry = LedgerEntryFactory(tenant=world_a.tenant, disbursement__tenant=world_a.tenant)
    with pytest.raises((DatabaseError, IntegrityError, InternalError)), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    entry.refresh_from_db()
    assert entry.reason == ""


@pytest.mark.postgres
def test_postgresql_also_refuses_to_delete_a_ledger_entry(world_a):
    assert connection.vendor == "postgresql"
    entry = LedgerEntryFactory(tenant=world_a.tenant, disbursement__tenant=world_a.tenant)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
