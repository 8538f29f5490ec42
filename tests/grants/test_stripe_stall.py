"""A Stripe payment that could not be sent (issue 11 follow-up): after the last attempt it stays processing
(the transfer may exist at Stripe, its answer lost) but finance is told, sees it on the finance page and
either tries again (same idempotency key: one transfer whatever happens) or, after checking Stripe's
dashboard, marks it failed with a reason. The real `stripe` library against test_stripe's local transport,
never the network; the task queue is the dummy backend, worked through by hand like a worker would."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.models import Disbursement, DisbursementStatus, Rail
from grants.services.disbursements import disbursement_mark_not_sent
from grants.services.stripe import MAX_SEND_ATTEMPTS, stripe_transfer_create, stripe_transfer_retry
from relais.errors import Refused
from relais.models import AuditEvent, Membership, OutboundEmail, Role
from tests.factories import MembershipFactory
from tests.grants.factories import DisbursementFactory
from tests.grants.test_stripe import StripeTransport, enable_stripe, pay, payable_tranche
from tests.grants.test_stripe import transport as transport  # noqa: PLC0414 (the local Stripe, as a fixture)
from tests.harness import stored_state

pytestmark = pytest.mark.django_db

D = DisbursementStatus
AMOUNT = Decimal("5000000")


@pytest.fixture
def queue(settings):
    """A task backend that defers (like the database one in production) and runs nothing by itself."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.STRIPE_MAX_NETWORK_RETRIES = 0  # each task run is one request: attempts are countable
    from django_tasks import default_task_backend

    return default_task_backend


def sends(queue) -> list:
    return [r for r in queue.results if r.task.name == "stripe_transfer_send"]


def work(queue, limit: int = 1) -> list[str]:
    """Run the queued Stripe sends, `limit` of them, oldest first, as the worker would (ignoring run_after)."""
    done = []
    for _ in range(limit):
        pending = sends(queue)
        if not pending:
            break
        result = pending[0]
        queue.results.remove(result)
        done.append(result.task.call(*result.args, **result.kwargs))
    return done


def finance_url(world) -> str:
    return reverse("grants:finance", kwargs={"tenant_slug": world.tenant.slug})


def retry_url(world, disbursement) -> str:
    return reverse("grants:disbursement_send_again", kwargs={"tenant_slug": world.tenant.slug,
                                                              "disbursement_pk": disbursement.pk})


def mark_url(world, disbursement) -> str:
    return reverse("grants:disbursement_mark_not_sent", kwargs={"tenant_slug": world.tenant.slug,
                                                                 "disbursement_pk": disbursement.pk})


def stalled_payment(world, transport, queue, django_capture_on_commit_callbacks) -> Disbursement:
    """A Stripe payment whose every attempt met a network error, until Relais stopped trying."""
    enable_stripe(world)
    transport.lose = 1000
    disbursement = pay(world, payable_tranche(world), AMOUNT, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        work(queue, MAX_SEND_ATTEMPTS)
    transport.lose = 0
    disbursement.refresh_from_db()
    return disbursement


def stall_emails(disbursement) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind="payment_send_stalled", target_id=str(disbursement.pk))
                .order_by("recipient"))


# --- the stall -------------------------------------------------------------------------------------------


def test_five_retryable_failures_stall_the_payment_audited_and_emailed_once_per_finance_member(
        world_a, transport, queue, django_capture_on_commit_callbacks):
    MembershipFactory(tenant=world_a.tenant, role=Role.FINANCE, user__email="finance2@tenant-a.test",
                      user__language="en")
    enable_stripe(world_a)
    transport.lose = 1000
    disbursement = pay(world_a, payable_tranche(world_a), AMOUNT, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        assert work(queue, MAX_SEND_ATTEMPTS - 1) == ["retry"] * (MAX_SEND_ATTEMPTS - 1)
    assert stall_emails(disbursement) == []  # still trying: nobody is bothered yet
    with django_capture_on_commit_callbacks(execute=True):
        assert work(queue) == ["stalled"]
    assert sends(queue) == []  # nothing more is scheduled

    keys = {r["headers"]["Idempotency-Key"] for r in transport.transfer_posts}
    assert len(transport.transfer_posts) == MAX_SEND_ATTEMPTS and keys == {disbursement.idempotency_key}
    disbursement.refresh_from_db()
    assert disbursement.status == D.PROCESSING and disbursement.external_id == ""  # never failed by itself
    assert disbursement.send_attempts == MAX_SEND_ATTEMPTS and disbursement.send_stalled_at is not None
    disbursement.award.refresh_from_db()
    assert disbursement.award.committed == AMOUNT
    [event] = AuditEvent.objects.filter(action="disbursement.send_stalled", target_id=str(disbursement.pk))
    assert event.actor is None and event.after == {"attempts": MAX_SEND_ATTEMPTS}
    emails = {e.recipient: e for e in stall_emails(disbursement)}
    assert set(emails) == {"finance2@tenant-a.test", world_a.user(Role.FINANCE).email}
    french, english = emails[world_a.user(Role.FINANCE).email], emails["finance2@tenant-a.test"]
    assert "n'a pas pu être envoyé" in french.subject and "could not be sent" in english.subject
    assert finance_url(world_a) in english.body and disbursement.award.reference in english.body
    assert english.link == finance_url(world_a) + "#processing"
    assert not OutboundEmail.objects.filter(kind="payment_send_stalled", recipient__startswith="manager@").exists()

    # The last task delivered twice (a worker crash) tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        transport.lose = 1
        assert stripe_transfer_create(disbursement_id=disbursement.pk, attempt=MAX_SEND_ATTEMPTS) == "stalled"
    assert len(stall_emails(disbursement)) == 2
    assert AuditEvent.objects.filter(action="disbursement.send_stalled").count() == 1

    page = world_a.client_for(Role.FINANCE).get(finance_url(world_a)).content.decode()
    assert "Pas encore envoyé" in page and retry_url(world_a, disbursement) in page
    assert mark_url(world_a, disbursement) in page
    manager_page = world_a.client_for(Role.MANAGER).get(finance_url(world_a)).content.decode()
    assert "Pas encore envoyé" in manager_page and retry_url(world_a, disbursement) not in manager_page


def test_managers_are_told_when_the_workspace_has_no_finance_member(
        world_a, transport, queue, django_capture_on_commit_callbacks):
    disbursement = stalled_payment(world_a, transport, queue, django_capture_on_commit_callbacks)
    OutboundEmail.objects.all().delete()
    Membership.objects.filter(tenant=world_a.tenant, role=Role.FINANCE).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        stripe_transfer_retry(disbursement=disbursement, actor=world_a.actor(Role.FINANCE))
    transport.lose = 1000
    with django_capture_on_commit_callbacks(execute=True):
        work(queue, MAX_SEND_ATTEMPTS)
    assert [e.recipient for e in stall_emails(disbursement)] == [world_a.user(Role.MANAGER).email]


def test_a_send_the_backend_cannot_defer_stalls_at_once(world_a, transport, settings,
                                                        django_capture_on_commit_callbacks):
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    enable_stripe(world_a)  # the tests' immediate backend cannot schedule a later attempt
    transport.lose = 1
    disbursement = pay(world_a, payable_tranche(world_a), AMOUNT, django_capture_on_commit_callbacks)
    assert disbursement.status == D.PROCESSING and disbursement.send_stalled_at is not None
    assert disbursement.send_attempts == 1
    assert len(stall_emails(disbursement)) == 1


def test_a_second_stall_after_a_retry_tells_finance_again(world_a, transport, queue,
                                                          django_capture_on_commit_callbacks):
    disbursement = stalled_payment(world_a, transport, queue, django_capture_on_commit_callbacks)
    assert len(stall_emails(disbursement)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        stripe_transfer_retry(disbursement=disbursement, actor=world_a.actor(Role.FINANCE))
    disbursement.refresh_from_db()
    assert disbursement.send_stalled_at is None and disbursement.send_attempts == 0
    transport.lose = 1000
    with django_capture_on_commit_callbacks(execute=True):
        assert work(queue, MAX_SEND_ATTEMPTS) == ["retry"] * (MAX_SEND_ATTEMPTS - 1) + ["stalled"]
    assert len(stall_emails(disbursement)) == 2
    assert AuditEvent.objects.filter(action="disbursement.send_stalled", target_id=str(disbursement.pk)).count() == 2


# --- trying again -----------------------------------------------------------------------------------------


def test_two_clicks_on_try_again_make_one_transfer_with_the_payments_key(
        world_a, transport, queue, django_capture_on_commit_callbacks):
    disbursement = stalled_payment(world_a, transport, queue, django_capture_on_commit_callbacks)
    key = disbursement.idempotency_key
    client = world_a.client_for(Role.FINANCE)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(retry_url(world_a, disbursement))
        second = client.post(retry_url(world_a, disbursement))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == finance_url(world_a) + "#processing"
    assert [(r.args, r.kwargs) for r in sends(queue)] == [([disbursement.pk, 1], {"send_round": 1}),
                                                          ([disbursement.pk, 1], {"send_round": 2})]

    with django_capture_on_commit_callbacks(execute=True):
        assert work(queue, 2) == ["superseded", "sent"]  # the first click's round gave way to the second's

    disbursement.refresh_from_db()
    assert len(transport.transfers) == 1 and list(transport.transfers) == [key]
    assert disbursement.idempotency_key == key
    assert disbursement.external_id == transport.transfers[key]["id"]
    assert disbursement.status == D.PROCESSING  # Stripe's webhook confirms it, as for any transfer
    assert AuditEvent.objects.filter(action="disbursement.send_retried", target_id=str(disbursement.pk),
                                     actor=world_a.user(Role.FINANCE)).count() == 2
    assert AuditEvent.objects.filter(action="disbursement.stripe_sent").count() == 1
    page = client.get(finance_url(world_a)).content.decode()
    assert retry_url(world_a, disbursement) not in page  # sent: nothing to try again

    refused = client.post(retry_url(world_a, disbursement), follow=True)
    assert "Stripe a déjà créé le virement" in refused.content.decode()
    assert sends(queue) == []


class RacingTransport(StripeTransport):
    """While "Stripe" handles one request, another worker sends the same payment (and its answer is lost
    on the way back to the first): both requests carry the same idempotency key."""

    def __init__(self, race) -> None:
        super().__init__()
        self.race = race

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        race = self.race if method == "post" else None
        if race is not None:
            self.race = None
            race()
        return super().request(method, url, headers, post_data, _usage=_usage)


def test_a_retry_while_a_scheduled_attempt_runs_makes_one_transfer(
        world_a, transport, queue, monkeypatch, django_capture_on_commit_callbacks):
    import stripe

    enable_stripe(world_a)
    transport.lose = 1  # the first attempt never reached Stripe: attempt 2 is scheduled
    disbursement = pay(world_a, payable_tranche(world_a), AMOUNT, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert work(queue) == ["retry"]
    [scheduled] = sends(queue)
    assert scheduled.args == [disbursement.pk, 2] and scheduled.kwargs == {"send_round": 0}
    with django_capture_on_commit_callbacks(execute=True):
        stripe_transfer_retry(disbursement=disbursement, actor=world_a.actor(Role.FINANCE))

    # Both run at the same moment and both reach Stripe before either keeps the transfer's id.
    racing = RacingTransport(lambda: stripe_transfer_create(disbursement_id=disbursement.pk, attempt=1,
                                                            send_round=1))
    racing.transfers = transport.transfers
    monkeypatch.setattr(stripe, "default_http_client", racing)
    assert stripe_transfer_create(disbursement_id=disbursement.pk, attempt=1, send_round=1) == "sent"

    disbursement.refresh_from_db()
    assert len(transport.transfers) == 1
    assert disbursement.external_id == transport.transfers[disbursement.idempotency_key]["id"]
    assert {r["headers"]["Idempotency-Key"] for r in transport.transfer_posts + racing.transfer_posts} == {
        disbursement.idempotency_key}
    assert len(racing.transfer_posts) == 2
    assert AuditEvent.objects.filter(action="disbursement.stripe_sent").count() == 1
    # The attempt scheduled before the retry and the retry's own task find the transfer kept.
    assert work(queue, 2) == ["already sent", "already sent"]
    assert len(racing.transfer_posts) == 2


def test_a_retry_after_stripe_forgot_the_key_finds_the_lost_transfer_and_makes_no_second(
        world_a, transport, queue, django_capture_on_commit_callbacks):
    enable_stripe(world_a)
    transport.lose_after = 1  # Stripe made the transfer; its answer was lost
    disbursement = pay(world_a, payable_tranche(world_a), AMOUNT, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert work(queue) == ["retry"]
    made = transport.transfers.pop(disbursement.idempotency_key)
    transport.transfers["forgotten after 24 hours"] = made  # Stripe no longer knows the key
    with django_capture_on_commit_callbacks(execute=True):
        stripe_transfer_retry(disbursement=disbursement, actor=world_a.actor(Role.FINANCE))
    posts = len(transport.transfer_posts)

    with django_capture_on_commit_callbacks(execute=True):
        assert work(queue, 2) == ["superseded", "found"]

    assert len(transport.transfer_posts) == posts and len(transport.transfers) == 1
    disbursement.refresh_from_db()
    assert disbursement.external_id == made["id"] and disbursement.status == D.PROCESSING
    assert AuditEvent.objects.filter(action="disbursement.stripe_sent", target_id=str(disbursement.pk)).count() == 1


def test_an_older_rounds_attempt_gives_way_to_the_retry(world_a, transport, queue,
                                                        django_capture_on_commit_callbacks):
    enable_stripe(world_a)
    transport.lose = 1
    disbursement = pay(world_a, payable_tranche(world_a), AMOUNT, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert work(queue) == ["retry"]  # attempt 2 of round 0 is scheduled
        stripe_transfer_retry(disbursement=disbursement, actor=world_a.actor(Role.FINANCE))
    posts = len(transport.transfer_posts)
    with django_capture_on_commit_callbacks(execute=True):
        assert work(queue, 2) == ["superseded", "sent"]
    assert len(transport.transfer_posts) == posts + 1  # the old round did not even ask Stripe


@pytest.mark.parametrize("role", [Role.MANAGER, Role.APPLICANT])
def test_try_again_is_refused_to_others_than_finance(world_a, transport, queue, role,
                                                     django_capture_on_commit_callbacks):
    disbursement = stalled_payment(world_a, transport, queue, django_capture_on_commit_callbacks)
    client = world_a.client_for(role)
    before = stored_state()
    response = client.post(retry_url(world_a, disbursement))
    assert response.status_code == 403
    assert stored_state() == before and sends(queue) == []
    with pytest.raises(Refused):
        stripe_transfer_retry(disbursement=disbursement, actor=world_a.actor(role))


def test_try_again_on_another_workspaces_payment_is_not_found(worlds, transport, queue,
                                                              django_capture_on_commit_callbacks):
    world_a, world_b = worlds
    disbursement = stalled_payment(world_a, transport, queue, django_capture_on_commit_callbacks)
    client = world_b.client_for(Role.FINANCE)
    before = stored_state()
    assert client.post(retry_url(world_b, disbursement)).status_code == 404
    assert client.get(mark_url(world_b, disbursement)).status_code == 404
    assert stored_state() == before
    with pytest.raises(Refused):
        stripe_transfer_retry(disbursement=disbursement, actor=world_b.actor(Role.FINANCE))


@pytest.mark.parametrize(("status", "rail", "external_id", "message"), [
    (D.PAID, Rail.STRIPE, "tr_1", "rien à renvoyer"),
    (D.FAILED, Rail.STRIPE, "", "rien à renvoyer"),
    (D.PROCESSING, Rail.STRIPE, "tr_1", "Stripe a déjà créé le virement"),
    (D.PROCESSING, Rail.HUB2, "", "Seul un paiement Stripe"),
])
def test_try_again_on_a_payment_with_nothing_to_send_says_why(world_a, transport, queue, status, rail,
                                                              external_id, message):
    enable_stripe(world_a)
    tranche = payable_tranche(world_a)
    disbursement = DisbursementFactory(tenant=world_a.tenant, award=tranche.award, tranche=tranche, rail=rail,
                                       status=status, external_id=external_id)
    client = world_a.client_for(Role.FINANCE)
    before = stored_state()
    response = client.post(retry_url(world_a, disbursement), follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert stored_state() == before and sends(queue) == []


# --- marking failed ------------------------------------------------------------------------------------------


def test_mark_failed_needs_the_check_and_a_reason_then_frees_the_amount(
        world_a, transport, queue, django_capture_on_commit_callbacks):
    disbursement = stalled_payment(world_a, transport, queue, django_capture_on_commit_callbacks)
    client = world_a.client_for(Role.FINANCE)
    url = mark_url(world_a, disbursement)

    before = stored_state()
    page = client.get(url)
    assert page.status_code == 200 and 'name="checked"' in page.content.decode()
    for data in ({}, {"confirmed": "yes", "checked": "yes"}, {"confirmed": "yes", "reason": "Absent de Stripe"}):
        again = client.post(url, data)
        assert again.status_code == 200  # the page again: nothing done
    assert "Cochez la case" in again.content.decode()
    assert stored_state() == before

    response = client.post(url, {"confirmed": "yes", "checked": "yes", "reason": "Aucun virement dans Stripe"})

    assert response.status_code == 302 and response["Location"] == finance_url(world_a) + "#processing"
    disbursement.refresh_from_db()
    assert disbursement.status == D.FAILED and disbursement.reason == "Aucun virement dans Stripe"
    disbursement.tranche.refresh_from_db()
    disbursement.award.refresh_from_db()
    assert disbursement.tranche.committed == 0 and disbursement.award.committed == 0
    [event] = AuditEvent.objects.filter(action="disbursement.mark_not_sent", target_id=str(disbursement.pk))
    assert event.actor == world_a.user(Role.FINANCE)
    assert event.after["reason"] == "Aucun virement dans Stripe" and event.after["status"] == D.FAILED
    # Failed: a late attempt sends nothing.
    assert stripe_transfer_create(disbursement_id=disbursement.pk, send_round=disbursement.send_round) == "skipped"


def test_mark_failed_is_refused_while_relais_still_tries_or_once_stripe_made_the_transfer(
        world_a, transport, queue, django_capture_on_commit_callbacks):
    enable_stripe(world_a)
    transport.lose = 1
    disbursement = pay(world_a, payable_tranche(world_a), AMOUNT, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        work(queue)  # a retry is scheduled: not stalled
    with pytest.raises(Refused, match="essaie encore"):
        disbursement_mark_not_sent(disbursement=disbursement, actor=world_a.actor(Role.FINANCE), reason="x")
    Disbursement.objects.filter(pk=disbursement.pk).update(send_stalled_at=timezone.now(), external_id="tr_9")
    disbursement.refresh_from_db()
    with pytest.raises(Refused, match="Stripe a créé le virement"):
        disbursement_mark_not_sent(disbursement=disbursement, actor=world_a.actor(Role.FINANCE), reason="x")
    disbursement.refresh_from_db()
    assert disbursement.status == D.PROCESSING


def test_mark_failed_is_finances_alone(world_a, transport, queue, django_capture_on_commit_callbacks):
    disbursement = stalled_payment(world_a, transport, queue, django_capture_on_commit_callbacks)
    assert world_a.client_for(Role.MANAGER).get(mark_url(world_a, disbursement)).status_code == 403
    with pytest.raises(Refused):
        disbursement_mark_not_sent(disbursement=disbursement, actor=world_a.actor(Role.MANAGER), reason="x")
    disbursement.refresh_from_db()
    assert disbursement.status == D.PROCESSING


# --- reading never writes; the page's cost does not grow -------------------------------------------------------


def test_get_never_writes(world_a, transport, queue, django_capture_on_commit_callbacks):
    disbursement = stalled_payment(world_a, transport, queue, django_capture_on_commit_callbacks)
    client = world_a.client_for(Role.FINANCE)
    client.get(finance_url(world_a))  # the session's first refresh stamp is written here
    before = stored_state()
    assert client.get(finance_url(world_a)).status_code == 200
    assert client.get(retry_url(world_a, disbursement)).status_code == 405
    assert client.get(mark_url(world_a, disbursement)).status_code == 200
    assert stored_state() == before and sends(queue) == []
    disbursement.refresh_from_db()
    assert disbursement.send_round == 0 and disbursement.send_stalled_at is not None


def stalled_rows(world, n: int) -> None:
    for _ in range(n):  # each of its own award
        DisbursementFactory(tenant=world.tenant, rail=Rail.STRIPE, status=D.PROCESSING,
                            send_attempts=MAX_SEND_ATTEMPTS, send_stalled_at=timezone.now())


def test_the_finance_page_costs_the_same_queries_with_1_or_20_stalled_payments(world_a):
    client = world_a.client_for(Role.FINANCE)
    client.get(finance_url(world_a))
    stalled_rows(world_a, 1)
    with CaptureQueriesContext(connection) as one:
        first = client.get(finance_url(world_a))
    stalled_rows(world_a, 19)
    with CaptureQueriesContext(connection) as twenty:
        many = client.get(finance_url(world_a))
    assert len(twenty.captured_queries) == len(one.captured_queries), [q["sql"] for q in twenty.captured_queries]
    assert first.content.decode().count("Pas encore envoyé") == 1
    assert many.content.decode().count("Pas encore envoyé") == 10  # the section's first rows
