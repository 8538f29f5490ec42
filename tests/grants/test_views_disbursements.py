"""Payments in the browser: record (with proof and another currency), approve, refuse, reverse, the award's
payments and ledger for finance, managers and the grantee, and the remittance advice."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from grants.models import Disbursement, DisbursementStatus, LedgerEntry, LedgerKind, Rail
from grants.services.disbursements import Conversion, disbursement_record
from relais.models import Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.grants.payables import payable_award

D = DisbursementStatus
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def p(world_a, world_b):
    payable_award(world_b)
    return payable_award(world_a)


def client_of(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


def url(p, name: str, **kwargs) -> str:
    return reverse(f"grants:{name}", kwargs={"tenant_slug": p.award.tenant.slug, **kwargs})


def award_url(p) -> str:
    return url(p, "award_detail", award_pk=p.award.pk)


def new_url(p) -> str:
    return url(p, "disbursement_create", award_pk=p.award.pk)


def form(p, **overrides):
    today = timezone.localdate()
    data = {"tranche": str(p.tranche(1).pk), "rail": Rail.BANK, "amount": "500000", "paid_on": today.isoformat(),
            "reference": "VIR-2026-0042", "operator": "", "submission": secrets.token_urlsafe(18)}
    data.update(overrides)
    return data


def text(response) -> str:
    return response.content.decode().replace("\xa0", " ").replace("\u202f", " ")


def pay(p, amount="500000", *, actor=None, **kwargs):
    kwargs.setdefault("rail", Rail.BANK)
    return disbursement_record(tranche=kwargs.pop("tranche", p.tranche(1)), actor=actor or p.finance,
                               amount=Decimal(amount), paid_on=timezone.localdate(), reference="VIR-1", **kwargs)


# --- recording --------------------------------------------------------------------------------------

def test_finance_records_a_payment_with_its_proof_and_downloads_it(p):
    client = client_of(p.finance)
    page = client.get(new_url(p))
    assert page.status_code == 200 and 'name="amount"' in page.content.decode()
    proof = SimpleUploadedFile("reçu virement.pdf", PDF, content_type="application/pdf")
    response = client.post(new_url(p), {**form(p), "proof": proof})
    assert response.status_code == 302 and response["Location"].endswith("#payments")
    d = Disbursement.objects.get(award=p.award)
    assert (d.status, d.amount, d.reference, d.proof_name) == (D.PAID, Decimal("500000"), "VIR-2026-0042",
                                                               "reçu virement.pdf")
    download = client.get(url(p, "disbursement_proof", disbursement_pk=d.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"


def test_bad_input_shows_a_clear_message_and_keeps_what_was_typed(p):
    client = client_of(p.finance)
    response = client.post(new_url(p), form(p, amount="1000.5", reference="VIR-GARDÉ"))
    assert response.status_code == 200
    assert "pas de décimales" in text(response) or "no decimals" in text(response)
    assert 'value="VIR-GARDÉ"' in response.content.decode()
    assert not Disbursement.objects.filter(award=p.award).exists()


def test_a_refusal_of_the_service_is_shown_on_the_form_with_everything_typed(p):
    client = client_of(p.finance)
    proof = SimpleUploadedFile("recu.pdf", PDF, content_type="application/pdf")
    response = client.post(new_url(p), {**form(p, amount="2000001", reference="VIR-TROP"), "proof": proof})
    assert response.status_code == 200
    assert "Il reste 2 000 000 FCFA à payer sur la tranche 1" in text(response)
    assert 'value="VIR-TROP"' in response.content.decode() and 'value="2000001"' in response.content.decode()
    assert "Choisissez de nouveau" in text(response) or "Choose the proof file again" in text(response)
    assert not Disbursement.objects.filter(award=p.award).exists()


def test_the_same_form_posted_twice_records_one_payment(p):
    client = client_of(p.finance)
    page = client.get(new_url(p)).content.decode()
    token = page.split('name="submission" value="')[1].split('"')[0]
    data = form(p, submission=token)
    assert client.post(new_url(p), data).status_code == 302
    assert client.post(new_url(p), data).status_code == 302  # a double tap, or the browser resending
    assert Disbursement.objects.filter(award=p.award).count() == 1
    p.refresh()
    assert p.tranche(1).committed == Decimal("500000")
    assert client.post(new_url(p), form(p)).status_code == 302  # a new form is a new payment
    assert Disbursement.objects.filter(award=p.award).count() == 2


def test_a_proof_that_is_not_an_accepted_file_is_refused(p):
    client = client_of(p.finance)
    bad = SimpleUploadedFile("recu.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = client.post(new_url(p), {**form(p), "proof": bad})
    assert response.status_code == 200 and 'id="field-proof"' in response.content.decode()
    assert "has-error" in response.content.decode().split('id="field-proof"')[0][-60:]
    assert not Disbursement.objects.filter(award=p.award).exists()


def test_a_payment_sent_in_another_currency_is_recorded_with_its_rate(world_a):
    p = payable_award(world_a, currency="GBP", amount=Decimal("10000.00"))
    client = client_of(p.finance)
    incomplete = client.post(new_url(p), form(p, amount="1000.00", converted="on", paid_currency="XOF"))
    assert incomplete.status_code == 200 and not Disbursement.objects.exists()
    assert 'id="field-rate"' in incomplete.content.decode() and " open" in incomplete.content.decode()
    response = client.post(new_url(p), form(
        p, amount="1000.00", converted="on", paid_currency="XOF", paid_amount="762000", rate="762",
        rate_date=(timezone.localdate() - dt.timedelta(days=1)).isoformat(), rate_source="BCEAO"))
    assert response.status_code == 302
    d = Disbursement.objects.get(award=p.award)
    assert (d.amount, d.currency, d.paid_amount, d.paid_currency, d.rate, d.rate_source) == (
        Decimal("1000.00"), "GBP", Decimal("762000"), "XOF", Decimal("762"), "BCEAO")
    assert LedgerEntry.objects.get(disbursement=d).currency == "GBP"


def test_only_finance_not_linked_to_the_cso_opens_the_payment_form(p, world_a):
    for role in (Role.MANAGER, Role.APPLICANT, Role.REVIEWER):
        assert world_a.client_for(role).get(new_url(p)).status_code in (403, 404), role
    assert world_a.client_for(Role.MANAGER).post(new_url(p), form(p)).status_code == 403
    assert not Disbursement.objects.filter(award=p.award).exists()


# --- approving, refusing, reversing -----------------------------------------------------------------

def test_the_recorder_sees_why_they_cannot_approve_and_another_finance_member_approves(p):
    d = pay(p, "1500000")
    approve = url(p, "disbursement_approve", disbursement_pk=d.pk)
    own = client_of(p.finance).get(award_url(p))
    assert approve not in own.content.decode()
    assert "Vous avez enregistré ce paiement" in text(own)
    other = client_of(p.finance2)
    assert approve in other.get(award_url(p)).content.decode()
    assert other.get(approve).status_code == 405  # GET never changes state
    refused = client_of(p.finance).post(approve, follow=True)
    assert "Vous avez enregistré ce paiement" in text(refused)
    d.refresh_from_db()
    assert d.status == D.AWAITING_APPROVAL
    assert other.post(approve).status_code == 302
    d.refresh_from_db()
    assert d.status == D.PAID and d.approved_by == p.finance2.user


def test_refusing_asks_for_a_reason_on_a_confirmation_page(p):
    d = pay(p, "1500000")
    refuse = url(p, "disbursement_refuse", disbursement_pk=d.pk)
    client = client_of(p.finance2)
    page = client.get(refuse)
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    d.refresh_from_db()
    assert d.status == D.AWAITING_APPROVAL
    no_reason = client.post(refuse, {"confirmed": "yes", "reason": " "})
    assert no_reason.status_code == 200
    d.refresh_from_db()
    assert d.status == D.AWAITING_APPROVAL
    assert client.post(refuse, {"confirmed": "yes", "reason": "Compte erroné"}).status_code == 302
    d.refresh_from_db()
    assert (d.status, d.reason) == (D.REJECTED, "Compte erroné")


def test_reversing_writes_the_reversal_and_the_ledger_shows_the_running_balance(p, world_a):
    d = pay(p, "800000")
    pay(p, "200000")
    reverse_url = url(p, "disbursement_reverse", disbursement_pk=d.pk)
    client = client_of(p.finance)
    assert client.post(reverse_url, {"confirmed": "yes", "reason": "Virement retourné"}).status_code == 302
    d.refresh_from_db()
    assert d.status == D.REVERSED
    assert LedgerEntry.objects.filter(disbursement=d, kind=LedgerKind.REVERSAL, reason="Virement retourné").exists()
    page = text(world_a.client_for(Role.APPLICANT).get(award_url(p)))  # the grantee sees its ledger
    ledger = page.split('id="ledger"')[1]
    for balance in ("4 200 000 FCFA", "4 000 000 FCFA", "4 800 000 FCFA"):
        assert balance in ledger
    assert ledger.index("4 200 000") < ledger.index("4 000 000") < ledger.index("4 800 000")
    assert "Virement retourné" in ledger


def test_a_manager_does_not_get_the_payment_actions(p, world_a):
    d = pay(p, "1500000")
    page = world_a.client_for(Role.MANAGER).get(award_url(p)).content.decode()
    assert url(p, "disbursement_approve", disbursement_pk=d.pk) not in page
    assert url(p, "disbursement_create", award_pk=p.award.pk) not in page
    assert world_a.client_for(Role.MANAGER).post(url(p, "disbursement_approve", disbursement_pk=d.pk)).status_code \
        == 302
    d.refresh_from_db()
    assert d.status == D.AWAITING_APPROVAL


# --- who sees what ----------------------------------------------------------------------------------

def test_payee_numbers_are_masked_for_managers_and_shown_to_finance_and_the_grantee(p, world_a):
    pay(p)
    full, masked = "ML13 0001 2345 6789 0123", "•••• 0123"
    manager_page = world_a.client_for(Role.MANAGER).get(award_url(p)).content.decode()
    assert masked in manager_page and full not in manager_page
    assert full in client_of(p.finance).get(award_url(p)).content.decode()
    assert full in world_a.client_for(Role.APPLICANT).get(award_url(p)).content.decode()


def test_another_cso_and_a_reviewer_see_nothing_of_the_payments(p, world_a):
    d = pay(p)
    other_cso = MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT,
                                  organisation=OrganisationFactory(tenant=world_a.tenant))
    outsiders = [client_of(type(p.finance).of(other_cso)), world_a.client_for(Role.REVIEWER)]
    for client in outsiders:
        assert client.get(award_url(p)).status_code == 404
        for name in ("disbursement_proof", "disbursement_remittance"):
            assert client.get(url(p, name, disbursement_pk=d.pk)).status_code == 404


def test_the_award_page_makes_the_same_number_of_queries_for_one_payment_or_six(p):
    client = client_of(p.finance2)
    pay(p, "1500000")
    pay(p, "100000", tranche=p.tranche(2))
    client.get(award_url(p))
    with CaptureQueriesContext(connection) as few:
        assert client.get(award_url(p)).status_code == 200
    for amount in ("1000", "2000", "1200000"):
        pay(p, amount, tranche=p.tranche(2))
    reversed_one = pay(p, "3000", tranche=p.tranche(3))
    from grants.services.disbursements import disbursement_reverse

    disbursement_reverse(disbursement=reversed_one, actor=p.finance, reason="Doublon")
    with CaptureQueriesContext(connection) as many:
        assert client.get(award_url(p)).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries][-10:]


# --- the remittance advice --------------------------------------------------------------------------

def test_the_remittance_advice_says_who_paid_whom_how_much_with_accents(world_a):
    world_a.organisation.name = "Association Jeunesse et Paix de Ségou"
    world_a.organisation.save()
    p = payable_award(world_a, currency="GBP", amount=Decimal("10000.00"))
    d = pay(p, "1000.00", conversion=Conversion(currency="XOF", amount=Decimal("762000"), rate=Decimal("762"),
                                                rate_date=timezone.localdate(), source="BCEAO"))
    for client in (client_of(p.finance), world_a.client_for(Role.MANAGER), world_a.client_for(Role.APPLICANT)):
        response = client.get(url(p, "disbursement_remittance", disbursement_pk=d.pk))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    content = " ".join(page.extract_text() for page in pdf.pages).replace("\xa0", " ").replace("\u202f", " ")
    for expected in ("Avis de paiement", world_a.tenant.name, "Association Jeunesse et Paix de Ségou",
                     "•••• 0123", p.award.reference, "1 000,00 £", "762 000 FCFA", "762", "BCEAO", "VIR-1",
                     "Tranche", timezone.localdate().strftime("%Y")):
        assert expected in content, expected
    assert "ML13 0001 2345 6789 0123" not in content


def test_no_remittance_advice_before_the_payment_is_paid(p):
    d = pay(p, "1500000")
    response = client_of(p.finance).get(url(p, "disbursement_remittance", disbursement_pk=d.pk))
    assert response.status_code == 302 and "application/pdf" not in response.get("Content-Type", "")


def test_a_finance_member_posting_an_award_step_gets_403_not_a_server_error(p):
    # award_change_status used the service's require() (Refused: 500); a view raises PermissionDenied.
    response = client_of(p.finance).post(url(p, "award_change_status", award_pk=p.award.pk), {"target": "closed"})
    assert response.status_code == 403


def test_the_award_page_with_payments_and_the_payment_form_fit_the_first_load_budget(p):
    from tests.relais.test_page_weight import FIRST_LOAD_BUDGET, first_load

    for amount in ("1500000", "100000", "2000", "3000"):
        pay(p, amount)
    client = client_of(p.finance2)
    for page_url in (award_url(p), new_url(p)):
        html = client.get(page_url).content
        size = first_load(html)
        print(f"\n{page_url}: first load {size} bytes gzip")
        assert size <= FIRST_LOAD_BUDGET, (page_url, size)
        # At 360 px wide tables scroll inside their wrapper instead of widening the page.
        page = html.decode()
        assert page.count("<table") == page.count('<div class="table-wrap"><table')


def test_the_grantee_sees_money_that_moved_not_the_four_eyes_steps(p, world_a):
    from grants.services.disbursements import disbursement_refuse

    waiting = pay(p, "1500000")
    refused = pay(p, "1200000", tranche=p.tranche(2))
    disbursement_refuse(disbursement=refused, actor=p.finance2, reason="Note interne de la finance")
    paid = pay(p, "100000", tranche=p.tranche(3))
    grantee = world_a.client_for(Role.APPLICANT).get(award_url(p)).content.decode()
    assert f'id="payment-{paid.pk}"' in grantee
    assert f'id="payment-{waiting.pk}"' not in grantee and f'id="payment-{refused.pk}"' not in grantee
    assert "Note interne de la finance" not in grantee
    manager = world_a.client_for(Role.MANAGER).get(award_url(p)).content.decode()
    assert all(f'id="payment-{d.pk}"' in manager for d in (waiting, refused, paid))
