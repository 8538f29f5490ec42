"""HUB2 mobile money: limits, sending once, signed webhooks and polling, against a local transport that
answers in HUB2's documented formats (grants.hub2_rail's docstring) through the real `requests` library."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import json
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.core.management import call_command
from django.test import Client

from grants import hub2_rail
from grants.models import AwardStatus, Disbursement, DisbursementStatus, GrantSettings, LedgerEntry, PaymentEvent
from grants.services.disbursements import disbursement_approve, disbursement_record
from grants.services.hub2 import hub2_poll, hub2_send, hub2_settings_update
from orgs.models import MobileOperator, PaymentDetailsStatus
from relais.actor import Actor
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.factories import MembershipFactory
from tests.grants.factories import AwardFactory, GrantSettingsFactory, TrancheFactory
from tests.orgs.factories import PaymentDetailsFactory

D = DisbursementStatus
TODAY = dt.date(2026, 3, 2)
SECRET, OLD_SECRET = "whsec-current-5257a869", "whsec-old-0c1d"


class FakeHub2(requests.adapters.BaseAdapter):
    """HUB2's transfers API as documented: POST /transfers, GET /transfers/{id}, GET /transfers?reference=."""

    def __init__(self) -> None:
        super().__init__()
        self.transfers: dict[str, dict] = {}
        self.calls: list[tuple[str, str, dict, dict | None]] = []
        self.timeout_after_create = 0  # answer this many creations with a read timeout, after storing them
        self.refuse_create_with: tuple[int, dict] | None = None
        # HUB2's documentation does not say a reused reference is refused: by default it is not, so a
        # second creation would be a second payment (what the tests must show never happens).
        self.unique_references = False

    def _answer(self, request, status: int, data) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(data).encode()
        response.headers["Content-Type"] = "application/json"
        response.url, response.request = request.url, request
        return response

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = urlparse(request.url)
        body = json.loads(request.body) if request.body else None
        self.calls.append((request.method, url.path, dict(request.headers), body))
        if not (request.headers.get("ApiKey") and request.headers.get("MerchantId")
                and request.headers.get("Environment") in ("sandbox", "live")):
            return self._answer(request, 401, {"statusCode": 401, "message": "Unauthorized"})
        if request.method == "POST" and url.path == "/transfers":
            if self.refuse_create_with:
                return self._answer(request, *self.refuse_create_with)
            if self.unique_references and any(t["reference"] == body["reference"] for t in self.transfers.values()):
                return self._answer(request, 409, {"statusCode": 409, "message": "reference already used"})
            transfer_id = f"tr_{len(self.transfers) + 1:04d}"
            self.transfers[transfer_id] = {
                "id": transfer_id, "merchantId": request.headers["MerchantId"], "createdAt": "2026-03-02T10:00:00Z",
                "updatedAt": "2026-03-02T10:00:00Z", "reference": body["reference"],
                "description": body.get("description", ""), "status": "created", "amount": body["amount"],
                "currency": body["currency"], "destination": body["destination"],
            }
            if self.timeout_after_create:
                self.timeout_after_create -= 1
                raise requests.exceptions.ReadTimeout("read timed out")
            return self._answer(request, 201, self.transfers[transfer_id])
        if request.method == "GET" and url.path == "/transfers":
            reference = parse_qs(url.query).get("reference", [""])[0]
            return self._answer(request, 200, [t for t in self.transfers.values() if t["reference"] == reference])
        if request.method == "GET" and url.path.startswith("/transfers/"):
            transfer = self.transfers.get(url.path.rsplit("/", 1)[1])
            if transfer is None:
                return self._answer(request, 404, {"statusCode": 404, "message": "Transfer not found"})
            return self._answer(request, 200, transfer)
        return self._answer(request, 404, {"statusCode": 404, "message": "Not found"})

    def close(self) -> None:
        pass

    def posts(self) -> list[dict]:
        return [body for method, path, _h, body in self.calls if method == "POST" and path == "/transfers"]


@pytest.fixture
def hub2(world_a, monkeypatch, settings):
    settings.HUB2_API_URL = "https://hub2.test"
    fake = FakeHub2()

    def session():
        s = requests.Session()
        s.mount("https://", fake)
        return s

    monkeypatch.setattr(hub2_rail, "session_factory", session)
    GrantSettingsFactory(tenant=world_a.tenant, hub2_enabled=True, hub2_api_key="key-a", hub2_merchant_id="MERCH-A",
                         hub2_environment="sandbox", hub2_webhook_secret=SECRET,
                         hub2_webhook_secret_previous=OLD_SECRET)
    PaymentDetailsFactory(tenant=world_a.tenant, organisation=world_a.organisation, mobile_number="+223 70 12 34 56",
                          mobile_operator=MobileOperator.ORANGE, mobile_holder="Mariam Cissé",
                          status=PaymentDetailsStatus.VERIFIED)
    return fake


def _tranche(world, currency: str = "XOF", amount: str = "2000000"):
    award = AwardFactory(tenant=world.tenant, application__organisation=world.organisation, status=AwardStatus.ACTIVE,
                         currency=currency, amount=Decimal(amount) * 2)
    return TrancheFactory(tenant=world.tenant, award=award, number=1, amount=Decimal(amount), conditions=[])


def _plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


def _record(world, tranche, amount, capture, operator: str = ""):
    with capture(execute=True):
        return disbursement_record(tranche=tranche, actor=world.actor(Role.FINANCE), rail="hub2",
                                   amount=Decimal(amount), paid_on=TODAY, today=TODAY, operator=operator)


def _webhook(world, transfer: dict, *, event_id: str = "evt_1", kind: str = "transfer.succeeded",
             secrets: tuple[str, ...] = (SECRET,), header: str | None = None):
    body = json.dumps({"id": event_id, "type": kind, "data": transfer}).encode()
    signatures = [f"s{1 - i}={hmac.new(s.encode(), body, hashlib.sha256).hexdigest()}" for i, s in enumerate(secrets)]
    return Client().post(f"/webhooks/hub2/{world.tenant.slug}/", data=body, content_type="application/json",
                         HTTP_HUB2_SIGNATURE=header if header is not None else ",".join(signatures))


# --- limits ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "currency", "expected"), [
    ("499", "XOF", "HUB2 pays at least 500 FCFA per transfer; 499 FCFA is less."),
    ("1500005", "XOF", "HUB2 pays at most 1,500,000 FCFA per transfer; 1,500,005 FCFA is more"),
    ("1002", "XOF", "multiples of 5 francs CFA; 1,002 FCFA is not (1,000 FCFA or 1,005 FCFA would be)"),
    ("1000", "EUR", "HUB2 pays in francs CFA (XOF) only; this award is in EUR."),
])
def test_amounts_outside_hubs_documented_limits_are_refused_with_the_reason(
        world_a, hub2, english, django_capture_on_commit_callbacks, amount, currency, expected):
    tranche = _tranche(world_a, currency=currency)
    with pytest.raises(Refused) as refused:
        _record(world_a, tranche, amount, django_capture_on_commit_callbacks)
    assert any(expected in _plain(message) for message in refused.value.messages), refused.value.messages
    assert not Disbursement.objects.exists()
    assert hub2.calls == []


def test_the_limits_read_in_french_by_default(world_a, hub2, django_capture_on_commit_callbacks):
    with pytest.raises(Refused) as refused:
        _record(world_a, _tranche(world_a), "499", django_capture_on_commit_callbacks)
    assert [_plain(m) for m in refused.value.messages] == [
        "HUB2 paie au moins 500 FCFA par transfert ; 499 FCFA est inférieur."]


def test_unverified_details_a_foreign_number_or_another_operator_are_refused(
        world_a, hub2, english, django_capture_on_commit_callbacks):
    details = world_a.organisation.payment_details
    details.status, details.mobile_number = PaymentDetailsStatus.UNVERIFIED, "+225 07 00 00 00 00"
    details.save()
    with pytest.raises(Refused) as refused:
        _record(world_a, _tranche(world_a), "10000", django_capture_on_commit_callbacks, operator="wave")
    text = " ".join(refused.value.messages)
    assert "must be verified by finance" in text
    assert "Malian numbers only (+223" in text
    assert "Orange Money and Mobicash" in text
    assert hub2.calls == []


def test_number_forms_and_operators():
    assert hub2_rail.mali_number("+223 76 12 34 56") == "+22376123456"
    assert hub2_rail.mali_number("00223 76-12-34-56") == "+22376123456"
    assert hub2_rail.mali_number("76123456") == "+22376123456"
    assert hub2_rail.mali_number("+225 0700000000") is None
    assert hub2_rail.mali_number("+223 7612345") is None
    assert hub2_rail.hub2_provider(MobileOperator.MOOV) == "mobicash"
    assert hub2_rail.hub2_provider("orange_money") == "orange"
    assert hub2_rail.hub2_provider("wave") is None


# --- sending and the webhook -------------------------------------------------------------------------

def test_happy_path_creates_one_transfer_then_the_webhook_pays_and_writes_the_ledger(
        world_a, hub2, django_capture_on_commit_callbacks):
    tranche = _tranche(world_a)
    disbursement = _record(world_a, tranche, "150000", django_capture_on_commit_callbacks)
    disbursement.refresh_from_db()
    [body] = hub2.posts()
    method, path, headers, _body = hub2.calls[0]
    assert (headers["ApiKey"], headers["MerchantId"], headers["Environment"]) == ("key-a", "MERCH-A", "sandbox")
    assert body == {
        "reference": disbursement.idempotency_key, "amount": 150000, "currency": "XOF",
        "description": f"{tranche.award.reference} T1",
        "destination": {"type": "mobile_money", "country": "ML", "recipientName": "Mariam Cissé",
                        "msisdn": "+22370123456", "provider": "orange"},
    }
    assert type(body["amount"]) is int
    assert disbursement.status == D.PROCESSING and disbursement.external_id == "tr_0001"
    assert AuditEvent.objects.filter(action="disbursement.hub2_sent").count() == 1

    transfer = {**hub2.transfers["tr_0001"], "status": "successful"}
    assert _webhook(world_a, transfer).status_code == 200
    disbursement.refresh_from_db()
    tranche.refresh_from_db()
    assert disbursement.status == D.PAID
    assert [(e.kind, e.amount) for e in LedgerEntry.objects.filter(disbursement=disbursement)] == [
        ("payment", Decimal("150000"))]
    assert tranche.paid == Decimal("150000") and tranche.award.__class__.objects.get(pk=tranche.award_id).paid == 150000


def test_a_payment_above_the_threshold_is_sent_only_once_approved(world_a, hub2, django_capture_on_commit_callbacks):
    disbursement = _record(world_a, _tranche(world_a), "1200000", django_capture_on_commit_callbacks)
    assert disbursement.status == D.AWAITING_APPROVAL and hub2.posts() == []
    second = MembershipFactory(tenant=world_a.tenant, role=Role.FINANCE, user__email="finance2@tenant-a.test")
    with django_capture_on_commit_callbacks(execute=True):
        disbursement_approve(disbursement=disbursement, actor=Actor.of(second))
    assert [body["amount"] for body in hub2.posts()] == [1200000]


def test_a_webhook_signed_with_the_previous_secret_is_accepted(world_a, hub2, django_capture_on_commit_callbacks):
    disbursement = _record(world_a, _tranche(world_a), "5000", django_capture_on_commit_callbacks)
    transfer = {**hub2.transfers["tr_0001"], "status": "successful"}
    old_only = hmac.new(OLD_SECRET.encode(), json.dumps({"id": "evt_9", "type": "transfer.succeeded",
                                                         "data": transfer}).encode(), hashlib.sha256).hexdigest()
    response = _webhook(world_a, transfer, event_id="evt_9", header=f"s0={old_only}")
    assert response.status_code == 200
    disbursement.refresh_from_db()
    assert disbursement.status == D.PAID


def test_a_bad_signature_is_refused_with_400_and_nothing_is_stored(world_a, hub2, django_capture_on_commit_callbacks):
    disbursement = _record(world_a, _tranche(world_a), "5000", django_capture_on_commit_callbacks)
    events_before = PaymentEvent.objects.count()
    transfer = {**hub2.transfers["tr_0001"], "status": "successful"}
    assert _webhook(world_a, transfer, secrets=("not-our-secret",)).status_code == 400
    assert _webhook(world_a, transfer, header="").status_code == 400
    assert _webhook(world_a, transfer, header="s1=zz,s0=").status_code == 400
    unknown = Client().post("/webhooks/hub2/no-such-workspace/", data=b"{}", content_type="application/json",
                            HTTP_HUB2_SIGNATURE="s1=00")
    assert unknown.status_code == 400
    assert Client().get(f"/webhooks/hub2/{world_a.tenant.slug}/").status_code == 405
    disbursement.refresh_from_db()
    assert disbursement.status == D.PROCESSING
    assert PaymentEvent.objects.count() == events_before
    assert not LedgerEntry.objects.exists()


def test_a_duplicate_webhook_changes_things_once(world_a, hub2, django_capture_on_commit_callbacks):
    disbursement = _record(world_a, _tranche(world_a), "5000", django_capture_on_commit_callbacks)
    transfer = {**hub2.transfers["tr_0001"], "status": "successful"}
    assert _webhook(world_a, transfer, event_id="evt_dup").status_code == 200
    assert _webhook(world_a, transfer, event_id="evt_dup").status_code == 200
    # The same news in a new event (HUB2 retried with another id) changes nothing either.
    assert _webhook(world_a, transfer, event_id="evt_dup_2").status_code == 200
    assert LedgerEntry.objects.filter(disbursement=disbursement).count() == 1
    assert AuditEvent.objects.filter(action="disbursement.confirm").count() == 1
    assert PaymentEvent.objects.filter(provider="hub2", kind="transfer.succeeded").count() == 2


def test_a_failed_webhook_frees_the_amount(world_a, hub2, django_capture_on_commit_callbacks):
    tranche = _tranche(world_a)
    disbursement = _record(world_a, tranche, "5000", django_capture_on_commit_callbacks)
    transfer = {**hub2.transfers["tr_0001"], "status": "failed"}
    assert _webhook(world_a, transfer, kind="transfer.failed").status_code == 200
    disbursement.refresh_from_db()
    tranche.refresh_from_db()
    assert disbursement.status == D.FAILED and tranche.committed == 0
    assert not LedgerEntry.objects.exists()


# --- never twice ---------------------------------------------------------------------------------------

def test_a_timeout_then_a_retry_makes_one_transfer(world_a, hub2, django_capture_on_commit_callbacks):
    hub2.timeout_after_create = 1  # HUB2 created it, but the answer never came back
    disbursement = _record(world_a, _tranche(world_a), "25000", django_capture_on_commit_callbacks)
    disbursement.refresh_from_db()
    assert disbursement.status == D.PROCESSING and disbursement.external_id == ""
    assert PaymentEvent.objects.filter(event_id=f"request:{disbursement.idempotency_key}").exists()

    assert hub2_send(disbursement_id=disbursement.pk) == "found"  # asked by reference, not created again
    disbursement.refresh_from_db()
    assert disbursement.external_id == "tr_0001"
    assert hub2_send(disbursement_id=disbursement.pk) == "nothing to do"
    call_command("hub2_poll")
    assert len(hub2.posts()) == 1 and len(hub2.transfers) == 1
    lookups = [c for c in hub2.calls if c[0] == "GET" and c[1] == "/transfers"]
    assert len(lookups) == 1


def test_a_reference_hub2_already_knows_is_taken_not_created_again(world_a, hub2, django_capture_on_commit_callbacks):
    hub2.unique_references = True
    hub2.timeout_after_create = 1
    disbursement = _record(world_a, _tranche(world_a), "25000", django_capture_on_commit_callbacks)
    # The marker is lost (say, restored from a backup): the create answers 409 and the lookup finds it.
    PaymentEvent.objects.filter(event_id=f"request:{disbursement.idempotency_key}").delete()
    assert hub2_send(disbursement_id=disbursement.pk) == "found"
    assert Disbursement.objects.get(pk=disbursement.pk).external_id == "tr_0001"
    assert len(hub2.transfers) == 1


def test_a_retry_after_a_timeout_before_hub2_stored_anything_creates_it_then(
        world_a, hub2, django_capture_on_commit_callbacks, monkeypatch):
    def unreachable():
        s = requests.Session()
        s.mount("https://", requests.adapters.HTTPAdapter())  # hub2.test does not resolve: no network call lands
        return s

    monkeypatch.setattr(hub2_rail, "session_factory", unreachable)
    monkeypatch.setattr(hub2_rail.requests.adapters.HTTPAdapter, "send",
                        lambda *a, **k: (_ for _ in ()).throw(requests.exceptions.ConnectTimeout("no route")))
    disbursement = _record(world_a, _tranche(world_a), "25000", django_capture_on_commit_callbacks)
    assert Disbursement.objects.get(pk=disbursement.pk).external_id == ""
    monkeypatch.undo()
    monkeypatch.setattr(hub2_rail, "session_factory", lambda: _mounted(hub2))
    counts = hub2_poll()
    assert counts["sent"] == 1 and len(hub2.posts()) == 1
    assert Disbursement.objects.get(pk=disbursement.pk).external_id == "tr_0001"


def _mounted(fake):
    s = requests.Session()
    s.mount("https://", fake)
    return s


def test_a_refusal_by_hub2_marks_the_payment_failed_with_its_message(
        world_a, hub2, english, django_capture_on_commit_callbacks):
    hub2.refuse_create_with = (400, {"statusCode": 400, "message": ["destination.msisdn must be a valid number"]})
    disbursement = _record(world_a, _tranche(world_a), "5000", django_capture_on_commit_callbacks)
    disbursement.refresh_from_db()
    assert disbursement.status == D.FAILED
    assert "destination.msisdn must be a valid number" in disbursement.reason


# --- polling -----------------------------------------------------------------------------------------

def test_polling_marks_a_failed_transfer_failed(world_a, hub2, django_capture_on_commit_callbacks):
    tranche = _tranche(world_a)
    disbursement = _record(world_a, tranche, "5000", django_capture_on_commit_callbacks)
    call_command("hub2_poll")  # still "created" at HUB2: nothing changes
    disbursement.refresh_from_db()
    assert disbursement.status == D.PROCESSING
    hub2.transfers["tr_0001"]["status"] = "failed"
    call_command("hub2_poll")
    disbursement.refresh_from_db()
    tranche.refresh_from_db()
    assert disbursement.status == D.FAILED and "HUB2" in disbursement.reason
    assert tranche.committed == 0
    assert [c[1] for c in hub2.calls if c[0] == "GET"] == ["/transfers/tr_0001", "/transfers/tr_0001"]


def test_polling_marks_a_successful_transfer_paid(world_a, hub2, django_capture_on_commit_callbacks):
    disbursement = _record(world_a, _tranche(world_a), "5000", django_capture_on_commit_callbacks)
    hub2.transfers["tr_0001"]["status"] = "successful"
    assert hub2_poll()["paid"] == 1
    assert Disbursement.objects.get(pk=disbursement.pk).status == D.PAID
    assert LedgerEntry.objects.filter(disbursement=disbursement).count() == 1


# --- settings ----------------------------------------------------------------------------------------

def test_the_settings_page_never_shows_secrets_and_audits_none(world_a, hub2):
    client = world_a.client_for(Role.FINANCE)
    page = client.get(world_a.url("payments/hub2/"))
    assert page.status_code == 200
    text = page.content.decode()
    assert SECRET not in text and OLD_SECRET not in text and "key-a" not in text
    assert f"/webhooks/hub2/{world_a.tenant.slug}/" in text
    version = GrantSettings.objects.get(tenant=world_a.tenant).version
    response = client.post(world_a.url("payments/hub2/"), {
        "version": version, "enabled": "on", "environment": "live", "merchant_id": "MERCH-A",
        "api_key": "", "webhook_secret": "whsec-rotated"})
    assert response.status_code == 302
    row = GrantSettings.objects.get(tenant=world_a.tenant)
    assert (row.hub2_api_key, row.hub2_environment) == ("key-a", "live")  # an empty field keeps the key
    assert (row.hub2_webhook_secret, row.hub2_webhook_secret_previous) == ("whsec-rotated", SECRET)
    [event] = AuditEvent.objects.filter(action="hub2.settings_changed")
    dumped = json.dumps([event.before, event.after])
    assert "whsec" not in dumped and "key-a" not in dumped
    assert event.after["hub2_secrets_changed"] == ["webhook_secret", "webhook_secret_previous"]


def test_only_managers_and_finance_configure_hub2(world_a, hub2):
    for role in (Role.APPLICANT, Role.REVIEWER, Role.TRAINER):
        assert world_a.client_for(role).get(world_a.url("payments/hub2/")).status_code == 403
    assert world_a.client_for(Role.MANAGER).get(world_a.url("payments/hub2/")).status_code == 200


def test_switching_hub2_on_needs_its_credentials(world_b):
    with pytest.raises(Refused):
        hub2_settings_update(actor=world_b.actor(Role.MANAGER), expected_version=None, enabled=True,
                             environment="sandbox", merchant_id="M")
    assert not hub2_rail.hub2_enabled(world_b.tenant)


def test_a_stale_settings_page_is_refused_and_keeps_what_was_saved(world_a, hub2):
    client = world_a.client_for(Role.MANAGER)
    version = GrantSettings.objects.get(tenant=world_a.tenant).version
    hub2_settings_update(actor=world_a.actor(Role.FINANCE), expected_version=version, enabled=True,
                         environment="sandbox", merchant_id="MERCH-B")
    response = client.post(world_a.url("payments/hub2/"), {
        "version": version, "enabled": "on", "environment": "live", "merchant_id": "MERCH-C", "api_key": "new-key"})
    assert response.status_code == 200
    assert "Quelqu'un a enregistré ces réglages entre-temps" in html.unescape(response.content.decode())
    row = GrantSettings.objects.get(tenant=world_a.tenant)
    assert (row.hub2_merchant_id, row.hub2_environment, row.hub2_api_key) == ("MERCH-B", "sandbox", "key-a")
