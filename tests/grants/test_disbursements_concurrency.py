"""Twenty payments at once on one tranche: the locks let exactly what the tranche holds through
(PostgreSQL only: SQLite locks the whole file; the CI runs this module on PostgreSQL)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from grants.models import Disbursement, DisbursementStatus, LedgerEntry, Rail
from grants.services import disbursements as service
from relais.errors import Refused
from tests.grants.payables import TODAY, payable_award

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


def test_twenty_payments_at_once_record_exactly_what_the_tranche_holds(world_a, monkeypatch):
    p = payable_award(world_a)
    tranche = p.tranche(1)
    assert tranche.amount == Decimal("2000000")
    amount = Decimal("250000")  # below the approval threshold: each counts as paid at once; 8 fit exactly
    original_audit = service.audit_record

    def slow_audit(**kwargs):
        # Widen the race: each payment is written, not yet committed, while the others wait or check.
        event = original_audit(**kwargs)
        time.sleep(0.05)
        return event

    monkeypatch.setattr(service, "audit_record", slow_audit)
    barrier = threading.Barrier(THREADS)
    recorded: list[int] = []
    refusals: list[str] = []
    errors: list[BaseException] = []

    def pay(i: int) -> None:
        try:
            barrier.wait()
            d = service.disbursement_record(tranche=tranche, actor=p.finance, rail=Rail.BANK, amount=amount,
                                            paid_on=TODAY, reference=f"VIR-{i}", today=TODAY)
            recorded.append(d.pk)
        except Refused as exc:
            refusals.append(" ".join(exc.messages))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(THREADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    print(f"\n{THREADS} concurrent payments: {len(recorded)} recorded, {len(refusals)} refused in {elapsed:.2f}s")
    assert errors == []
    assert len(recorded) == 8 and len(refusals) == THREADS - 8
    assert all("Il reste" in r and "tranche 1" in r for r in refusals), refusals[:2]
    p.refresh()
    payments = Disbursement.objects.filter(tranche=tranche)
    total = sum(d.amount for d in payments)
    assert payments.count() == 8 and all(d.status == DisbursementStatus.PAID for d in payments)
    assert tranche.committed == tranche.paid == total == tranche.amount
    assert p.award.committed == p.award.paid == total
    assert sum(e.amount for e in LedgerEntry.objects.filter(award=p.award)) == total


def test_the_same_form_posted_five_times_at_once_records_one_payment(world_a):
    p = payable_award(world_a)
    tranche = p.tranche(1)
    barrier = threading.Barrier(5)
    pks: list[int] = []
    errors: list[BaseException] = []

    def pay() -> None:
        try:
            barrier.wait()
            d = service.disbursement_record(tranche=tranche, actor=p.finance, rail=Rail.BANK,
                                            amount=Decimal("300000"), paid_on=TODAY, today=TODAY,
                                            submission="same-form-token-0001")
            pks.append(d.pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(pks) == 5 and len(set(pks)) == 1
    p.refresh()
    assert Disbursement.objects.filter(tranche=tranche).count() == 1
    assert p.tranche(1).committed == Decimal("300000")
