"""Stripe transfers (issue 11): the real `stripe` library against a local transport, never the network,
and webhook deliveries signed with Stripe's scheme (`t=…,v1=HMAC-SHA256(secret, "t.payload")`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from decimal import Decimal
from itertools import count
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grants.models import (
    AwardStatus,
    Disbursement,
    DisbursementStatus,
    GrantSettings,
    LedgerEntry,
    LedgerKind,
    PaymentEvent,
    Rail,
)
from grants.services.disbursements import disbursement_approve, disbursement_record
from grants.services.stripe import stripe_settings_update, stripe_transfer_create
from grants.stripe_rail import stripe_amount
from orgs.models import PaymentDetails, PaymentDetailsStatus
from orgs.services.organisations import payment_details_update
from relais.errors import Refused
from relais.models import AuditEvent, OutboundEmail, Role
from tests.grants.factories import AwardFactory, DisbursementFactory, TrancheFactory
from tests.harness import stored_state
from tests.orgs.factories import PaymentDetailsFactory

pytestmark = pytest.mark.django_db

SECRET_KEY = "sk_test_51RelaisSecretKeyForTests"
WEBHOOK_SECRET = "whsec_relaisWebhookSecretForTests"
ACCOUNT = "acct_1MTfjCQ9PRzxEwkZ"
_ids = count(1)


# --- the local transport: answers as Stripe's API documents it ------------------------------------------


class StripeTransport(stripe.HTTPClient):
    """Records every request; creates one transfer per idempotency key and answers a repeated key with
    the same transfer, as Stripe does. `lose` connection errors are raised before the request reaches
    "Stripe"; `lose_after` after Stripe created the transfer (the answer is lost on the way back)."""

    name = "relais-test"

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[dict] = []
        self.transfers: dict[str, dict] = {}  # by idempotency key
        self.lose = 0
        self.lose_after = 0
        self.refuse: dict | None = None

    def _sleep_time_seconds(self, num_retries: int) -> float:
        return 0.0

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        params = dict(parse_qsl(post_data or ""))
        self.requests.append({"method": method, "url": url, "headers": dict(headers or {}), "params": params})
        if self.lose:
            self.lose -= 1
            raise stripe.APIConnectionError("Network is unreachable", should_retry=True)
        if method == "get" and urlsplit(url).path == "/v1/transfers":  # list, by transfer group
            group = dict(parse_qsl(urlsplit(url).query)).get("transfer_group")
            data = [t for t in self.transfers.values() if t["transfer_group"] == group]
            return json.dumps({"object": "list", "data": data, "has_more": False, "url": "/v1/transfers"}), 200, {
                "Request-Id": f"req_{next(_ids)}"}
        if self.refuse is not None:
            return json.dumps({"error": self.refuse}), 400, {"Request-Id": "req_refused"}
        assert method == "post" and url.endswith("/v1/transfers")
        key = headers["Idempotency-Key"]
        if key not in self.transfers:
            n = next(_ids)
            metadata = {k[len("metadata["):-1]: v for k, v in params.items() if k.startswith("metadata[")}
            self.transfers[key] = {
                "id": f"tr_1Relais{n:08d}", "object": "transfer", "amount": int(params["amount"]),
                "amount_reversed": 0, "balance_transaction": f"txn_1Relais{n:08d}", "created": int(time.time()),
                "currency": params["currency"], "description": params.get("description"),
                "destination": params["destination"], "destination_payment": f"py_1Relais{n:08d}",
                "livemode": False, "metadata": metadata,
                "reversals": {"object": "list", "data": [], "has_more": False, "total_count": 0,
                              "url": f"/v1/transfers/tr_1Relais{n:08d}/reversals"},
                "reversed": False, "source_transaction": None, "source_type": "card",
                "transfer_group": params.get("transfer_group"),
            }
        if self.lose_after:
            self.lose_after -= 1
            raise stripe.APIConnectionError("Connection reset by peer", should_retry=True)
        return json.dumps(self.transfers[key]), 200, {"Request-Id": f"req_{next(_ids)}"}

    def close(self) -> None:
        pass

    @property
    def transfer_posts(self) -> list[dict]:
        return [r for r in self.requests if r["method"] == "post" and r["url"].endswith("/v1/transfers")]


@pytest.fixture
def transport(monkeypatch, settings):
    local = StripeTransport()
    monkeypatch.setattr(stripe, "default_http_client", local)
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_MAX_NETWORK_RETRIES = 2
    return local


def enable_stripe(world, *, secret=WEBHOOK_SECRET) -> GrantSettings:
    row, _ = GrantSettings.objects.get_or_create(tenant=world.tenant)
    row.stripe_enabled, row.stripe_secret_key, row.stripe_webhook_secret = True, SECRET_KEY, secret
    row.approval_thresholds = {"XOF": "10000000", "EUR": "100000"}  # below: no second approval
    row.save()
    return row


def payable_tranche(world, *, currency="XOF", amount=Decimal("5000000"), account=ACCOUNT, verified=True):
    award = AwardFactory(tenant=world.tenant, organisation=world.organisation, status=AwardStatus.ACTIVE,
                         currency=currency, amount=amount * 2,
                         application__organisation=world.organisation)
    PaymentDetailsFactory(tenant=world.tenant, organisation=world.organisation, stripe_account=account,
                          status=PaymentDetailsStatus.VERIFIED if verified else PaymentDetailsStatus.UNVERIFIED,
                          verified_by=world.user(Role.MANAGER) if verified else None,
                          verified_at=timezone.now() if verified else None)
    return TrancheFactory(tenant=world.tenant, award=award, number=1, amount=amount, conditions=[])


def pay(world, tranche, amount, django_capture_on_commit_callbacks) -> Disbursement:
    with django_capture_on_commit_callbacks(execute=True):
        disbursement = disbursement_record(tranche=tranche, actor=world.actor(Role.FINANCE), rail=Rail.STRIPE,
                                           amount=amount, paid_on=timezone.localdate())
    disbursement.refresh_from_db()
    return disbursement


def event_for(disbursement: Disbursement, kind: str, transport: StripeTransport, **changes) -> dict:
    transfer = dict(transport.transfers[disbursement.idempotency_key], **changes)
    return {"id": f"evt_1Relais{next(_ids):08d}", "object": "event", "api_version": "2024-06-20",
            "created": int(time.time()), "data": {"object": transfer}, "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None}, "type": kind}


def signed(payload: str, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    t = int(time.time()) if at is None else at
    v1 = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={v1}"


def deliver(world, event: dict | str, *, secret: str = WEBHOOK_SECRET, at: int | None = None, header=None):
    payload = event if isinstance(event, str) else json.dumps(event)
    url = reverse("stripe_webhook", kwargs={"workspace_slug": world.tenant.slug})
    return Client(enforce_csrf_checks=True).post(
        url, data=payload, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed(payload, secret, at) if header is None else header)


def snapshot(disbursement: Disbursement) -> tuple:
    disbursement.refresh_from_db()
    award = disbursement.award
    award.refresh_from_db()
    return (disbursement.status, disbursement.external_id, award.committed, award.paid,
            LedgerEntry.objects.filter(disbursement=disbursement).count(), PaymentEvent.objects.count(),
            AuditEvent.objects.count())


# --- amounts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "currency", "units"), [
    ("5000000", "XOF", 5000000), ("12.50", "EUR", 1250), ("0.01", "USD", 1), ("1500", "GBP", 150000),
])
def test_amounts_in_stripe_units(amount, currency, units):
    assert stripe_amount(Decimal(amount), currency) == units


@pytest.mark.parametrize(("amount", "currency"), [("12.505", "EUR"), ("10.5", "XOF"), ("10", "JPY")])
def test_amounts_stripe_cannot_take_are_refused_not_rounded(amount, currency):
    with pytest.raises(ValueError):
        stripe_amount(Decimal(amount), currency)


# --- sending -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("currency", "amount", "units"), [("XOF", Decimal("5000000"), "5000000"),
                                                           ("EUR", Decimal("12.50"), "1250")])
def test_happy_path_transfer_then_webhook_marks_paid(world_a, transport, django_capture_on_commit_callbacks,
                                                     currency, amount, units):
    enable_stripe(world_a)
    tranche = payable_tranche(world_a, currency=currency, amount=amount)
    disbursement = pay(world_a, tranche, amount, django_capture_on_commit_callbacks)

    [post] = transport.requests
    assert post["params"]["amount"] == units
    assert post["params"]["currency"] == currency.lower()
    assert post["params"]["destination"] == ACCOUNT
    assert post["params"]["metadata[relais_tenant]"] == str(world_a.tenant.pk)
    assert post["params"]["metadata[relais_award]"] == str(tranche.award_id)
    assert post["params"]["metadata[relais_disbursement]"] == str(disbursement.pk)
    assert post["headers"]["Idempotency-Key"] == disbursement.idempotency_key
    assert post["headers"]["Authorization"] == f"Bearer {SECRET_KEY}"
    # Sent, not yet confirmed: the payment waits for Stripe's word.
    assert disbursement.status == DisbursementStatus.PROCESSING
    assert disbursement.external_id == transport.transfers[disbursement.idempotency_key]["id"]
    assert AuditEvent.objects.filter(action="disbursement.stripe_sent", target_id=str(disbursement.pk)).count() == 1
    assert not LedgerEntry.objects.filter(disbursement=disbursement).exists()

    response = deliver(world_a, event_for(disbursement, "transfer.created", transport))

    assert response.status_code == 200
    disbursement.refresh_from_db()
    assert disbursement.status == DisbursementStatus.PAID
    [entry] = LedgerEntry.objects.filter(disbursement=disbursement)
    assert (entry.kind, entry.amount, entry.currency) == (LedgerKind.PAYMENT, amount, currency)
    tranche.award.refresh_from_db()
    assert tranche.award.paid == amount
    assert AuditEvent.objects.filter(action="disbursement.confirm", target_id=str(disbursement.pk)).count() == 1
    assert PaymentEvent.objects.get().disbursement == disbursement
    assert OutboundEmail.objects.filter(tenant=world_a.tenant).exists()  # the grantee hears of the payment


def test_the_library_retries_a_network_error_with_the_same_key_one_transfer(
        world_a, transport, django_capture_on_commit_callbacks):
    enable_stripe(world_a)
    tranche = payable_tranche(world_a)
    transport.lose = 1
    disbursement = pay(world_a, tranche, Decimal("5000000"), django_capture_on_commit_callbacks)

    keys = [r["headers"]["Idempotency-Key"] for r in transport.transfer_posts]
    assert keys == [disbursement.idempotency_key] * 2
    assert len(transport.transfers) == 1
    assert disbursement.external_id == transport.transfers[disbursement.idempotency_key]["id"]
    assert disbursement.status == DisbursementStatus.PROCESSING


def test_a_lost_answer_then_the_task_again_gives_one_transfer(world_a, transport, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    enable_stripe(world_a)
    tranche = payable_tranche(world_a)
    transport.lose_after = 1  # Stripe made the transfer; its answer never came back
    disbursement = pay(world_a, tranche, Decimal("5000000"), django_capture_on_commit_callbacks)
    assert disbursement.external_id == ""
    assert disbursement.status == DisbursementStatus.PROCESSING  # not failed: it may have gone through

    assert stripe_transfer_create(disbursement_id=disbursement.pk, attempt=2) == "sent"

    keys = [r["headers"]["Idempotency-Key"] for r in transport.transfer_posts]
    assert keys == [disbursement.idempotency_key] * 2
    assert len(transport.transfers) == 1
    disbursement.refresh_from_db()
    assert disbursement.external_id == transport.transfers[disbursement.idempotency_key]["id"]
    # Once the id is kept, running the task again sends nothing.
    assert stripe_transfer_create(disbursement_id=disbursement.pk) == "already sent"
    assert len(transport.transfer_posts) == 2


def test_stripe_refusing_the_transfer_fails_the_payment_and_frees_the_amount(
        world_a, transport, django_capture_on_commit_callbacks):
    enable_stripe(world_a)
    tranche = payable_tranche(world_a)
    transport.refuse = {"type": "invalid_request_error", "code": "balance_insufficient",
                        "message": "You have insufficient available funds in your Stripe account."}
    disbursement = pay(world_a, tranche, Decimal("5000000"), django_capture_on_commit_callbacks)

    assert disbursement.status == DisbursementStatus.FAILED
    assert "balance_insufficient" in disbursement.reason
    tranche.refresh_from_db()
    assert tranche.committed == 0 and tranche.paid == 0


def test_a_second_approval_sends_the_transfer(world_a, transport, django_capture_on_commit_callbacks):
    row = enable_stripe(world_a)
    row.approval_thresholds = {"XOF": "1000"}
    row.save()
    tranche = payable_tranche(world_a)
    disbursement = pay(world_a, tranche, Decimal("5000000"), django_capture_on_commit_callbacks)
    assert disbursement.status == DisbursementStatus.AWAITING_APPROVAL
    assert transport.requests == []
    from tests.factories import MembershipFactory

    second = MembershipFactory(tenant=world_a.tenant, role=Role.FINANCE)
    from relais.actor import Actor

    with django_capture_on_commit_callbacks(execute=True):
        disbursement_approve(disbursement=disbursement, actor=Actor.of(second))
    disbursement.refresh_from_db()
    assert len(transport.transfer_posts) == 1
    assert disbursement.status == DisbursementStatus.PROCESSING and disbursement.external_id


@pytest.mark.parametrize("case", ["no account", "unverified", "disabled"])
def test_what_blocks_a_stripe_payment_before_anything_is_recorded(world_a, transport, case):
    row = enable_stripe(world_a)
    if case == "disabled":
        row.stripe_enabled = False
        row.save()
    tranche = payable_tranche(world_a, account="" if case == "no account" else ACCOUNT,
                              verified=case != "unverified")
    with pytest.raises(Refused):
        disbursement_record(tranche=tranche, actor=world_a.actor(Role.FINANCE), rail=Rail.STRIPE,
                            amount=Decimal("5000000"), paid_on=timezone.localdate())
    assert not Disbursement.objects.exists()
    assert transport.requests == []


# --- the webhook ---------------------------------------------------------------------------------------------


@pytest.fixture
def sent(world_a, transport, django_capture_on_commit_callbacks):
    enable_stripe(world_a)
    tranche = payable_tranche(world_a)
    return pay(world_a, tranche, Decimal("5000000"), django_capture_on_commit_callbacks)


def test_a_duplicate_webhook_changes_nothing_more(world_a, transport, sent):
    event = event_for(sent, "transfer.created", transport)
    assert deliver(world_a, event).status_code == 200
    assert PaymentEvent.objects.filter(provider="stripe", event_id=event["id"], disbursement=sent).count() == 1
    after_first = snapshot(sent)
    assert after_first[0] == DisbursementStatus.PAID

    again = deliver(world_a, event)

    assert again.status_code == 200
    assert snapshot(sent) == after_first
    assert LedgerEntry.objects.filter(disbursement=sent).count() == 1
    assert AuditEvent.objects.filter(action="disbursement.confirm").count() == 1


@pytest.mark.parametrize("how", ["wrong secret", "tampered", "no header", "garbage header"])
def test_a_bad_signature_is_refused_and_changes_nothing(world_a, transport, sent, how):
    event = event_for(sent, "transfer.created", transport)
    before, stored = snapshot(sent), stored_state()
    payload = json.dumps(event)
    if how == "wrong secret":
        response = deliver(world_a, payload, secret="whsec_someoneElsesSecret")
    elif how == "tampered":
        response = deliver(world_a, payload, header=signed(payload.replace("transfer.created", "transfer.paid")))
    elif how == "no header":
        response = deliver(world_a, payload, header="")
    else:
        response = deliver(world_a, payload, header="t=abc,v1=nothex")
    assert response.status_code == 400
    assert snapshot(sent) == before
    assert stored_state() == stored  # no row of any table, no cache entry (docs/architecture.md)
    assert before[0] == DisbursementStatus.PROCESSING


def test_a_stale_timestamp_is_refused(world_a, transport, sent):
    before = snapshot(sent)
    response = deliver(world_a, event_for(sent, "transfer.created", transport), at=int(time.time()) - 600)
    assert response.status_code == 400
    assert snapshot(sent) == before


def test_an_event_about_another_workspaces_payment_changes_nothing(worlds, transport,
                                                                    django_capture_on_commit_callbacks):
    world_a, world_b = worlds
    enable_stripe(world_a)
    enable_stripe(world_b, secret="whsec_workspaceBSecretForTests")
    theirs = pay(world_b, payable_tranche(world_b), Decimal("5000000"), django_capture_on_commit_callbacks)
    before = snapshot(theirs)

    # Signed with A's secret to A's address, naming B's payment: ignored.
    assert deliver(world_a, event_for(theirs, "transfer.created", transport)).status_code == 200
    # B's address with A's secret: refused.
    assert deliver(world_b, event_for(theirs, "transfer.created", transport)).status_code == 400
    # A's address, A's metadata forged onto B's payment id: not A's payment.
    forged = event_for(theirs, "transfer.created", transport)
    forged["data"]["object"]["metadata"]["relais_tenant"] = str(world_a.tenant.pk)
    assert deliver(world_a, forged).status_code == 200

    assert snapshot(theirs) == before
    assert theirs.status == DisbursementStatus.PROCESSING


def test_an_event_whose_transfer_does_not_match_the_payment_is_ignored(world_a, transport, sent):
    before = snapshot(sent)
    response = deliver(world_a, event_for(sent, "transfer.created", transport, amount=1))
    assert response.status_code == 200
    assert snapshot(sent) == before


def test_a_reversal_before_the_creation_is_applied_in_order(world_a, transport, sent):
    reversed_ = event_for(sent, "transfer.reversed", transport, reversed=True, amount_reversed=5000000)
    created = event_for(sent, "transfer.created", transport)

    assert deliver(world_a, reversed_).status_code == 200
    sent.refresh_from_db()
    assert sent.status == DisbursementStatus.REVERSED
    assert sorted(LedgerEntry.objects.filter(disbursement=sent).values_list("kind", flat=True)) == [
        LedgerKind.PAYMENT, LedgerKind.REVERSAL]
    after = snapshot(sent)

    assert deliver(world_a, created).status_code == 200  # late: changes nothing but its own record
    status, external_id, committed, paid, entries, events, audits = snapshot(sent)
    assert (status, external_id, committed, paid, entries, audits) == (after[0], after[1], after[2], after[3],
                                                                       after[4], after[6])
    sent.award.refresh_from_db()
    assert sent.award.paid == 0 and sent.award.committed == 0


def test_a_partial_reversal_is_kept_but_changes_nothing(world_a, transport, sent):
    deliver(world_a, event_for(sent, "transfer.created", transport))
    partial = event_for(sent, "transfer.reversed", transport, reversed=False, amount_reversed=1000)
    assert deliver(world_a, partial).status_code == 200
    sent.refresh_from_db()
    assert sent.status == DisbursementStatus.PAID
    assert PaymentEvent.objects.filter(kind="transfer.reversed").count() == 1


def test_legacy_transfer_failed_fails_the_payment(world_a, transport, sent):
    assert deliver(world_a, event_for(sent, "transfer.failed", transport)).status_code == 200
    sent.refresh_from_db()
    assert sent.status == DisbursementStatus.FAILED
    sent.tranche.refresh_from_db()
    assert sent.tranche.committed == 0


def test_the_webhook_needs_no_session_and_no_csrf_and_refuses_get(world_a, transport, sent):
    url = reverse("stripe_webhook", kwargs={"workspace_slug": world_a.tenant.slug})
    assert url == f"/webhooks/stripe/{world_a.tenant.slug}/"
    assert Client().get(url).status_code == 405
    unknown = reverse("stripe_webhook", kwargs={"workspace_slug": "nobody"})
    payload = json.dumps(event_for(sent, "transfer.created", transport))
    assert Client().post(unknown, data=payload, content_type="application/json",
                         HTTP_STRIPE_SIGNATURE=signed(payload)).status_code == 400


def test_a_webhook_for_a_payment_whose_id_is_not_yet_kept_keeps_it(world_a, transport, sent):
    """The creation event can arrive before the task stored the transfer's id."""
    transfer_id = sent.external_id
    Disbursement.objects.filter(pk=sent.pk).update(external_id="")
    assert deliver(world_a, event_for(sent, "transfer.created", transport)).status_code == 200
    sent.refresh_from_db()
    assert (sent.external_id, sent.status) == (transfer_id, DisbursementStatus.PAID)


# --- settings: keys stay secret -----------------------------------------------------------------------------


def test_settings_page_never_shows_a_key_and_saves_write_only(world_a, transport, caplog):
    client = world_a.client_for(Role.FINANCE)
    url = reverse("grants:stripe_settings", kwargs={"tenant_slug": world_a.tenant.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert "non définie" in page.content.decode()
    from tests.page_forms import form_data

    data = form_data(page.content)
    assert data["secret_key"] == [""]  # a write-only input
    data.update({"stripe_enabled": ["on"], "secret_key": [SECRET_KEY], "webhook_secret": [WEBHOOK_SECRET]})
    with caplog.at_level(logging.DEBUG):
        response = client.post(url, data)
    assert response.status_code == 302
    # An error report of this request would show the keys as stars.
    from django.views.debug import SafeExceptionReporterFilter

    cleansed = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
    assert SECRET_KEY not in str(dict(cleansed)) and WEBHOOK_SECRET not in str(dict(cleansed))
    row = GrantSettings.objects.get(tenant=world_a.tenant)
    assert (row.stripe_enabled, row.stripe_secret_key, row.stripe_webhook_secret) == (True, SECRET_KEY,
                                                                                      WEBHOOK_SECRET)
    again = client.get(url).content.decode()
    assert SECRET_KEY not in again and WEBHOOK_SECRET not in again
    assert "définie (propre à cet espace)" in again
    audit = AuditEvent.objects.get(action="grant_settings.stripe_changed")
    assert SECRET_KEY not in json.dumps([audit.before, audit.after], default=str)
    assert WEBHOOK_SECRET not in json.dumps([audit.before, audit.after], default=str)
    assert SECRET_KEY not in caplog.text and WEBHOOK_SECRET not in caplog.text

    # A blank key keeps the one stored.
    data = form_data(client.get(url).content)
    assert data["secret_key"] == [""] and data["stripe_enabled"] == ["on"]
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.stripe_secret_key == SECRET_KEY


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.REVIEWER, Role.TRAINER])
def test_only_finance_and_managers_reach_the_settings(world_a, role):
    url = reverse("grants:stripe_settings", kwargs={"tenant_slug": world_a.tenant.slug})
    assert world_a.client_for(role).get(url).status_code == 403
    assert world_a.client_for(Role.MANAGER).get(url).status_code == 200


def test_a_malformed_key_is_refused_without_echoing_it(world_a):
    with pytest.raises(Refused) as exc:
        stripe_settings_update(actor=world_a.actor(Role.FINANCE), enabled=True, secret_key="pk_test_publishable1")
    assert "pk_test_publishable1" not in str(exc.value)
    assert not GrantSettings.objects.filter(tenant=world_a.tenant, stripe_enabled=True).exists()


def test_switching_on_needs_a_key(world_a, settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(Refused):
        stripe_settings_update(actor=world_a.actor(Role.MANAGER), enabled=True)
    settings.STRIPE_SECRET_KEY = SECRET_KEY  # the server's key is enough
    row = stripe_settings_update(actor=world_a.actor(Role.MANAGER), enabled=True)
    assert row.stripe_enabled and row.stripe_secret_key == ""


def test_send_failures_do_not_log_the_key(world_a, transport, settings, caplog,
                                          django_capture_on_commit_callbacks):
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    enable_stripe(world_a)
    transport.lose = 1
    with caplog.at_level(logging.DEBUG):
        pay(world_a, payable_tranche(world_a), Decimal("5000000"), django_capture_on_commit_callbacks)
    assert "not sent yet" in caplog.text
    assert SECRET_KEY not in caplog.text


# --- the connected account on the payment details --------------------------------------------------------


def test_finance_sets_the_connected_account_and_it_must_be_verified_again(world_a):
    details = PaymentDetailsFactory(tenant=world_a.tenant, organisation=world_a.organisation,
                                    status=PaymentDetailsStatus.VERIFIED, verified_by=world_a.user(Role.MANAGER))
    data = {k: getattr(details, k) for k in ("bank_name", "bank_account", "bank_account_holder", "mobile_operator",
                                             "mobile_number", "mobile_holder")}
    with pytest.raises(Refused):
        payment_details_update(organisation=world_a.organisation, actor=world_a.actor(Role.FINANCE),
                               data={**data, "stripe_account": "acct_12-34"})
    payment_details_update(organisation=world_a.organisation, actor=world_a.actor(Role.FINANCE),
                           data={**data, "stripe_account": ACCOUNT})
    details.refresh_from_db()
    assert details.stripe_account == ACCOUNT
    assert details.status == PaymentDetailsStatus.UNVERIFIED
    # The CSO's own members keep their numbers but cannot change the account finance set.
    payment_details_update(organisation=world_a.organisation, actor=world_a.actor(Role.APPLICANT),
                           data={**data, "stripe_account": "acct_Hijacked1"})
    details.refresh_from_db()
    assert details.stripe_account == ACCOUNT


def test_the_payment_details_page_offers_the_account_to_finance_only(world_a):
    PaymentDetails.objects.create(tenant=world_a.tenant, organisation=world_a.organisation, bank_account="ML1",
                                  bank_account_holder="X")
    url = reverse("orgs:payment_details_edit", kwargs={"tenant_slug": world_a.tenant.slug,
                                                       "organisation_pk": world_a.organisation.pk})
    assert 'name="stripe_account"' in world_a.client_for(Role.FINANCE).get(url).content.decode()
    assert 'name="stripe_account"' not in world_a.client_for(Role.APPLICANT).get(url).content.decode()


def test_factories_keep_stripe_payments_in_one_tenant(world_a):
    disbursement = DisbursementFactory(tenant=world_a.tenant, rail=Rail.STRIPE)
    assert disbursement.award.tenant_id == disbursement.tranche.tenant_id == world_a.tenant.pk


def test_a_send_that_keeps_failing_is_tried_again_later_with_the_same_payment(
        world_a, transport, settings, django_capture_on_commit_callbacks):
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    enable_stripe(world_a)
    transport.lose = 1
    disbursement = pay(world_a, payable_tranche(world_a), Decimal("5000000"), django_capture_on_commit_callbacks)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    transport.lose = 1
    assert stripe_transfer_create(disbursement_id=disbursement.pk, attempt=2) == "retry"
    [later] = default_task_backend.results
    assert later.args == [disbursement.pk, 3]
    assert later.task.run_after > timezone.now()
    disbursement.refresh_from_db()
    assert disbursement.status == DisbursementStatus.PROCESSING
    # The last attempt gives up without failing the payment: it may have gone through (finance is told).
    transport.lose = 1
    assert stripe_transfer_create(disbursement_id=disbursement.pk, attempt=5) == "stalled"
    assert len(default_task_backend.results) == 1


def test_the_award_list_links_to_the_stripe_settings_for_finance_only(world_a):
    url = reverse("grants:stripe_settings", kwargs={"tenant_slug": world_a.tenant.slug})
    awards = reverse("grants:award_list", kwargs={"tenant_slug": world_a.tenant.slug})
    assert url in world_a.client_for(Role.FINANCE).get(awards).content.decode()
    assert url not in world_a.client_for(Role.APPLICANT).get(awards).content.decode()
