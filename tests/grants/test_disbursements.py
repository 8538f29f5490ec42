"""Disbursements: what finance may record, who approves, what the ledger says, and what is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import DatabaseError, connection, transaction

from grants.models import (
    Award,
    AwardStatus,
    Disbursement,
    DisbursementStatus,
    LedgerEntry,
    LedgerKind,
    Rail,
    Tranche,
)
from grants.models.awards import LedgerIsAppendOnly
from grants.services.disbursements import (
    Conversion,
    disbursement_approve,
    disbursement_record,
    disbursement_refuse,
    disbursement_reverse,
)
from orgs.models import DueDiligenceItem, OrganisationDocument, ReviewStatus
from orgs.services.organisations import payment_details_update, payment_details_verify
from relais.actor import Actor
from relais.errors import Refused
from relais.models import OutboundEmail, Role
from tests.factories import MembershipFactory
from tests.grants.payables import TODAY, payable_award
from tests.orgs.factories import ContactPersonFactory

D = DisbursementStatus
PAID_ON = dt.date(2026, 3, 5)
UN_SAMPLE = Path(django_settings.BASE_DIR) / "orgs" / "fixtures" / "sanctions_sample_un.xml"


def record(p, amount, *, tranche=None, actor=None, **kwargs):
    kwargs.setdefault("rail", Rail.BANK)
    kwargs.setdefault("paid_on", PAID_ON)
    kwargs.setdefault("today", TODAY)
    return disbursement_record(tranche=tranche or p.tranche(1), actor=actor or p.finance, amount=Decimal(amount),
                               **kwargs)


def refusal(exc_info) -> str:
    """The refusal's messages, with the no-break spaces of amounts as plain spaces."""
    return " ".join(exc_info.value.messages).replace("\xa0", " ").replace("\u202f", " ")


def balance(award: Award) -> Decimal:
    """Awarded − paid + reversed, from the ledger alone."""
    entries = LedgerEntry.objects.filter(award=award)
    paid = sum((e.amount for e in entries if e.kind == LedgerKind.PAYMENT), Decimal(0))
    reversed_ = sum((e.amount for e in entries if e.kind == LedgerKind.REVERSAL), Decimal(0))
    return award.amount - paid + reversed_


@pytest.fixture
def p(world_a, world_b):
    payable_award(world_b)  # the other tenant has money moving too
    return payable_award(world_a)


# --- recording and four eyes ----------------------------------------------------------------------

def test_below_the_threshold_a_payment_is_paid_at_once_with_its_ledger_entry(p):
    d = record(p, "1000000", reference="VIR-2026-001")  # the XOF threshold is 1 000 000: not above it
    assert d.status == D.PAID and not d.needs_approval and d.recorded_by == p.finance.user
    entry = LedgerEntry.objects.get(disbursement=d)
    assert (entry.kind, entry.amount, entry.currency) == (LedgerKind.PAYMENT, Decimal("1000000"), "XOF")
    p.refresh()
    assert (p.tranche(1).committed, p.tranche(1).paid) == (Decimal("1000000"), Decimal("1000000"))
    assert (p.award.committed, p.award.paid) == (Decimal("1000000"), Decimal("1000000"))
    assert d.payee["account"] == "ML13 0001 2345 6789 0123"  # the verified numbers, kept on the payment
    assert OutboundEmail.objects.filter(tenant=p.award.tenant).exists()  # the grantee hears of it


def test_above_the_threshold_the_recorder_cannot_approve_and_another_finance_member_can(p):
    d = record(p, "1500000")
    assert d.status == D.AWAITING_APPROVAL and d.needs_approval
    assert not LedgerEntry.objects.filter(disbursement=d).exists()
    p.refresh()
    assert (p.tranche(1).committed, p.tranche(1).paid) == (Decimal("1500000"), Decimal("0"))
    with pytest.raises(Refused) as exc:
        disbursement_approve(disbursement=d, actor=p.finance)
    assert "Vous avez enregistré ce paiement" in refusal(exc)
    d.refresh_from_db()
    assert d.status == D.AWAITING_APPROVAL
    disbursement_approve(disbursement=d, actor=p.finance2)
    d.refresh_from_db()
    assert d.status == D.PAID and d.approved_by == p.finance2.user and d.approved_at is not None
    assert LedgerEntry.objects.get(disbursement=d).kind == LedgerKind.PAYMENT
    p.refresh()
    assert p.award.paid == Decimal("1500000")


def test_a_refusal_needs_a_reason_and_frees_the_amount(p):
    d = record(p, "2000000")
    with pytest.raises(Refused):
        disbursement_refuse(disbursement=d, actor=p.finance2, reason="  ")
    with pytest.raises(Refused):
        disbursement_refuse(disbursement=d, actor=p.finance, reason="Mon propre paiement")
    disbursement_refuse(disbursement=d, actor=p.finance2, reason="Mauvais compte")
    d.refresh_from_db()
    assert d.status == D.REJECTED and d.reason == "Mauvais compte"
    p.refresh()
    assert p.tranche(1).committed == 0 and p.award.committed == 0
    assert not LedgerEntry.objects.filter(award=p.award).exists()
    record(p, "800000")  # the whole tranche is free again


def test_a_reversal_writes_a_reversal_entry_with_its_reason_and_frees_the_amount(p):
    d = record(p, "900000")
    with pytest.raises(Refused):
        disbursement_reverse(disbursement=d, actor=p.finance, reason="")
    disbursement_reverse(disbursement=d, actor=p.finance, reason="Virement rejeté par la banque")
    entries = list(LedgerEntry.objects.filter(disbursement=d).order_by("id"))
    assert [e.kind for e in entries] == [LedgerKind.PAYMENT, LedgerKind.REVERSAL]
    assert entries[1].reason == "Virement rejeté par la banque" and entries[1].amount == Decimal("900000")
    p.refresh()
    assert (p.tranche(1).committed, p.tranche(1).paid, p.award.paid) == (0, 0, 0)
    assert balance(p.award) == p.award.amount
    with pytest.raises(Refused):  # only once
        disbursement_reverse(disbursement=d, actor=p.finance, reason="Encore")


def test_the_balance_is_awarded_minus_paid_plus_reversed(p):
    first = record(p, "1000000")
    record(p, "600000")
    record(p, "1000000", tranche=p.tranche(2))
    disbursement_reverse(disbursement=first, actor=p.finance2, reason="Doublon")
    p.refresh()
    assert balance(p.award) == Decimal("5000000") - Decimal("2600000") + Decimal("1000000")
    assert p.award.amount - p.award.paid == balance(p.award)


# --- amounts ----------------------------------------------------------------------------------------

def test_more_than_the_tranche_has_left_is_refused_with_what_is_left(p):
    record(p, "1000000")
    with pytest.raises(Refused) as exc:
        record(p, "1000001")
    assert "Il reste 1 000 000 FCFA à payer sur la tranche 1" in refusal(exc)
    p.refresh()
    assert p.tranche(1).committed == Decimal("1000000")


def test_more_than_the_award_has_left_is_refused(p):
    # A tranche bigger than what the award has left (its plan was changed): the award's limit holds.
    Tranche.objects.filter(pk=p.tranche(3).pk).update(amount=Decimal("6000000"))
    with pytest.raises(Refused) as exc:
        record(p, "5000001", tranche=p.tranche(3))
    assert "Il reste 5 000 000 FCFA à payer sur la subvention" in refusal(exc)
    assert not Disbursement.objects.filter(award=p.award).exists()


@pytest.mark.parametrize("amount", ["1000.5", "0", "-5"])
def test_xof_decimals_zero_and_negative_are_refused(p, amount):
    with pytest.raises(Refused) as exc:
        record(p, amount)
    assert refusal(exc)
    assert not Disbursement.objects.filter(award=p.award).exists()


def test_a_future_payment_date_is_refused(p):
    with pytest.raises(Refused) as exc:
        record(p, "1000", paid_on=TODAY + dt.timedelta(days=1))
    assert "futur" in refusal(exc)


# --- another currency -------------------------------------------------------------------------------

def test_an_award_in_gbp_paid_in_xof_keeps_both_amounts_the_rate_and_a_ledger_in_gbp(world_a):
    p = payable_award(world_a, currency="GBP", amount=Decimal("10000.00"))
    conversion = Conversion(currency="XOF", amount=Decimal("762000"), rate=Decimal("762.00"),
                            rate_date=dt.date(2026, 3, 4), source="BCEAO")
    d = record(p, "1000.00", conversion=conversion)
    d.refresh_from_db()
    assert (d.amount, d.currency, d.paid_amount, d.paid_currency) == (Decimal("1000.00"), "GBP",
                                                                      Decimal("762000"), "XOF")
    assert (d.rate, d.rate_date, d.rate_source) == (Decimal("762.00"), dt.date(2026, 3, 4), "BCEAO")
    entry = LedgerEntry.objects.get(disbursement=d)
    assert (entry.amount, entry.currency) == (Decimal("1000.00"), "GBP")


@pytest.mark.parametrize(("change", "expected"), [
    ({"rate": Decimal("0")}, "taux"),
    ({"source": " "}, "taux"),
    ({"amount": Decimal("762000.5")}, "XOF"),
    ({"currency": "GBP"}, "devise de la subvention"),
    ({"amount": Decimal("700000")}, "762 000"),  # the amount does not match the rate
    ({"rate_date": dt.date(2026, 4, 1)}, "taux"),  # a rate from the future
])
def test_a_conversion_that_does_not_hold_together_is_refused(world_a, change, expected):
    p = payable_award(world_a, currency="GBP", amount=Decimal("10000.00"))
    values = {"currency": "XOF", "amount": Decimal("762000"), "rate": Decimal("762"),
              "rate_date": dt.date(2026, 3, 4), "source": "BCEAO", **change}
    with pytest.raises(Refused) as exc:
        record(p, "1000.00", conversion=Conversion(**values))
    assert expected in refusal(exc)
    assert not Disbursement.objects.filter(award=p.award).exists()


# --- conditions -------------------------------------------------------------------------------------

def test_unverified_payment_details_block_until_another_finance_member_verifies_them(world_a):
    p = payable_award(world_a)
    details = payment_details_update(organisation=world_a.organisation, actor=p.finance, data={
        "bank_name": "BDM", "bank_account": "ML13 9999 0000 1111 2222", "bank_account_holder": "AJP"})
    with pytest.raises(Refused) as exc:
        record(p, "1000")
    assert "ne sont pas vérifiées" in refusal(exc)
    with pytest.raises(Refused):
        payment_details_verify(details=details, actor=p.finance)  # who changed them cannot verify them
    payment_details_verify(details=details, actor=p.finance2)
    assert record(p, "1000").payee["account"] == "ML13 9999 0000 1111 2222"


def test_a_rail_the_payment_details_do_not_have_is_refused(world_a):
    p = payable_award(world_a)
    details = payment_details_update(organisation=world_a.organisation, actor=world_a.actor(Role.APPLICANT),
                                     data={"bank_name": "BDM", "bank_account": "ML13 1", "bank_account_holder": "AJP"})
    payment_details_verify(details=details, actor=p.finance)
    with pytest.raises(Refused) as exc:
        record(p, "1000", rail=Rail.MOBILE_MONEY)
    assert "mobile money" in refusal(exc).lower()
    assert record(p, "1000", rail=Rail.BANK).status == D.PAID


def test_incomplete_due_diligence_blocks_the_tranche_until_the_file_is_complete(world_a):
    p = payable_award(world_a, keep_conditions=True)
    Tranche.objects.filter(award=p.award).update(conditions=["due_diligence"])
    item = DueDiligenceItem.objects.create(tenant=world_a.tenant, name="Statuts", required=True)
    with pytest.raises(Refused) as exc:
        record(p, "1000")
    assert "diligence" in refusal(exc)
    OrganisationDocument.objects.create(
        tenant=world_a.tenant, organisation=world_a.organisation, item=item, file="x.pdf", original_name="x.pdf",
        content_type="application/pdf", size=1, sha256="0" * 64, review_status=ReviewStatus.ACCEPTED)
    assert record(p, "1000").status == D.PAID


def test_a_missing_screening_blocks_the_tranche_until_a_clear_one(world_a):
    from orgs.services.screening import sanctions_list_import, screening_run

    p = payable_award(world_a, keep_conditions=True)
    Tranche.objects.filter(award=p.award).update(conditions=["screening"])
    with pytest.raises(Refused) as exc:
        record(p, "1000")
    assert "criblé" in refusal(exc) or "sanctions" in refusal(exc)
    sanctions_list_import(actor=Actor.system(world_a.tenant), data=UN_SAMPLE.read_bytes(), name="ONU",
                          source_format="un_xml")
    screening_run(actor=p.manager, organisation=world_a.organisation)
    assert record(p, "1000").status == D.PAID


def test_an_agreement_not_countersigned_blocks_payments(world_a):
    p = payable_award(world_a, keep_conditions=True)
    Tranche.objects.filter(award=p.award).update(conditions=["agreement_signed"])
    Award.objects.filter(pk=p.award.pk).update(status=AwardStatus.SIGNED)
    with pytest.raises(Refused) as exc:
        record(p, "1000")
    assert "contresign" in refusal(exc)
    Award.objects.filter(pk=p.award.pk).update(status=AwardStatus.ACTIVE)
    assert record(p, "1000").status == D.PAID


# --- who ----------------------------------------------------------------------------------------

def test_a_manager_cannot_record_a_payment(p, world_a):
    with pytest.raises(Refused) as exc:
        record(p, "1000", actor=world_a.actor(Role.MANAGER))
    assert "finances" in refusal(exc)


def test_a_finance_member_linked_to_the_cso_can_neither_record_nor_approve(p, world_a):
    d = record(p, "1500000", actor=p.finance2)
    ContactPersonFactory(tenant=world_a.tenant, organisation=world_a.organisation, email=p.finance.user.email)
    with pytest.raises(Refused) as exc:
        record(p, "1000")
    assert "Conflit d’intérêts" in refusal(exc) or "Conflit d'intérêts" in refusal(exc)
    with pytest.raises(Refused):
        disbursement_approve(disbursement=d, actor=p.finance)
    d.refresh_from_db()
    assert d.status == D.AWAITING_APPROVAL


def test_the_other_tenants_finance_cannot_touch_the_payment(p, world_b):
    d = record(p, "1500000")
    other = Actor.of(MembershipFactory(tenant=world_b.tenant, role=Role.FINANCE))
    with pytest.raises(Exception):  # noqa: B017,PT011 - same_tenant or the lock's tenant filter
        disbursement_approve(disbursement=d, actor=other)
    d.refresh_from_db()
    assert d.status == D.AWAITING_APPROVAL


# --- the ledger cannot change ---------------------------------------------------------------------

def test_a_ledger_entry_cannot_be_changed_or_deleted_through_the_model(p):
    entry = LedgerEntry.objects.get(disbursement=record(p, "1000"))
    entry.reason = "changé"
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    assert LedgerEntry.objects.get(pk=entry.pk).reason == ""


def test_the_database_refuses_a_raw_update_of_the_ledger(p):
    entry = LedgerEntry.objects.get(disbursement=record(p, "1000"))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE grants_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("1000")


@pytest.mark.postgres
def test_postgresql_refuses_a_raw_update_or_delete_of_the_ledger(p):
    entry = LedgerEntry.objects.get(disbursement=record(p, "1000"))
    for sql in ("UPDATE grants_ledgerentry SET reason = 'x' WHERE id = %s",
                "DELETE FROM grants_ledgerentry WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.filter(pk=entry.pk, reason="").exists()


# --- what the approver re-checks -------------------------------------------------------------------

def test_the_approver_is_stopped_when_the_payment_details_changed_since_the_recording(p, world_a):
    d = record(p, "1500000")
    details = payment_details_update(organisation=world_a.organisation, actor=world_a.actor(Role.APPLICANT), data={
        "bank_name": "BDM", "bank_account": "ML13 7777 0000 1111 2222", "bank_account_holder": "AJP"})
    with pytest.raises(Refused) as exc:
        disbursement_approve(disbursement=d, actor=p.finance2)
    assert "ne sont pas vérifiées" in refusal(exc)
    payment_details_verify(details=details, actor=p.finance)
    with pytest.raises(Refused) as exc:
        disbursement_approve(disbursement=d, actor=p.finance2)
    assert "ont changé" in refusal(exc) or "changed" in refusal(exc)
    d.refresh_from_db()
    assert d.status == D.AWAITING_APPROVAL and not LedgerEntry.objects.filter(disbursement=d).exists()
    disbursement_refuse(disbursement=d, actor=p.finance2, reason="Coordonnées changées")
    assert record(p, "1500000").payee["account"] == "ML13 7777 0000 1111 2222"


def test_the_approver_is_stopped_when_a_condition_lapsed_since_the_recording(p, world_a):
    Tranche.objects.filter(pk=p.tranche(1).pk).update(conditions=["due_diligence"])
    d = record(p, "1500000")
    DueDiligenceItem.objects.create(tenant=world_a.tenant, name="Statuts", required=True)
    with pytest.raises(Refused) as exc:
        disbursement_approve(disbursement=d, actor=p.finance2)
    assert "diligence" in refusal(exc)
    d.refresh_from_db()
    assert d.status == D.AWAITING_APPROVAL
