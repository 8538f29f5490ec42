"""The outbox: one row per recipient, sent or failed with the reason, resent by a manager, shown to the
workspace's managers only."""

from __future__ import annotations

import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from relais.errors import Refused
from relais.models import AuditEvent, OutboundEmail, Role
from relais.outbox import Recipient
from relais.services.outbox import email_enqueue, outbox_deliver, outbox_resend
from tests.factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses the recipient."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"5.1.1 Mailbox unavailable")})


class UnreachableBackend(BaseEmailBackend):
    """No SMTP server answers."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


def _enqueue(world, recipients):
    return email_enqueue(actor=world.actor(Role.MANAGER), kind="test", target=world.organisation,
                         recipients=recipients, template="relais/email/invitation",
                         context={"invitation": None, "url": "https://relais.example.org/x/", "role": "Évaluateur"},
                         link="/somewhere/")


def test_one_row_per_distinct_recipient_each_sent_after_commit(world_a, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = _enqueue(world_a, [Recipient(email="awa@example.org"), Recipient(email="Awa@Example.org"),
                                  Recipient(email="sekou@example.org", language="en"), Recipient(email="")])
    assert [row.recipient for row in rows] == ["awa@example.org", "sekou@example.org"]
    assert sorted(m.to[0] for m in mailoutbox) == ["awa@example.org", "sekou@example.org"]
    for row in rows:
        row.refresh_from_db()
        assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None and not row.failure_reason
        assert row.tenant == world_a.tenant and row.target_type == "orgs.organisation"
        assert row.target_id == str(world_a.organisation.pk) and row.link == "/somewhere/"
    by_address = {row.recipient: row for row in rows}
    assert "Invitation" in by_address["awa@example.org"].subject  # French: the workspace's language
    assert "Invitation to join" in by_address["sekou@example.org"].subject  # English: the recipient's
    assert AuditEvent.objects.filter(tenant=world_a.tenant, action="outbound_email.sent").count() == 2


def test_nothing_leaves_when_the_step_is_rolled_back(world_a, mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            _enqueue(world_a, [Recipient(email="awa@example.org")])
            transaction.set_rollback(True)
    assert callbacks == [] and mailoutbox == []
    assert not OutboundEmail.objects.filter(tenant=world_a.tenant).exists()


@pytest.mark.parametrize(("backend", "reason"), [
    ("RefusingBackend", "SMTPRecipientsRefused"), ("UnreachableBackend", "Connection refused")])
def test_a_mail_error_marks_the_row_failed_with_its_reason_and_the_worker_goes_on(world_a, settings, backend, reason):
    settings.EMAIL_BACKEND = f"tests.relais.test_outbox.{backend}"
    [row] = _enqueue(world_a, [Recipient(email="x@example.org")])
    outbox_deliver(email_id=row.pk)  # does not raise
    row.refresh_from_db()
    assert row.status == "failed" and reason in row.failure_reason and row.attempts == 1 and row.sent_at is None
    event = AuditEvent.objects.get(tenant=world_a.tenant, action="outbound_email.failed", target_id=str(row.pk))
    assert reason in event.after["failure"]


def test_a_row_already_sent_is_not_sent_twice(world_a, mailoutbox):
    [row] = _enqueue(world_a, [Recipient(email="x@example.org")])
    outbox_deliver(email_id=row.pk)
    outbox_deliver(email_id=row.pk)  # the task run again
    assert len(mailoutbox) == 1


def test_a_manager_resends_a_failed_email_as_a_new_attempt(world_a, settings, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.relais.test_outbox.UnreachableBackend"
    [row] = _enqueue(world_a, [Recipient(email="x@example.org")])
    outbox_deliver(email_id=row.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        outbox_resend(actor=world_a.actor(Role.MANAGER), email=row)
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2 and row.failure_reason == ""
    assert [m.to for m in mailoutbox] == [["x@example.org"]]
    event = AuditEvent.objects.get(tenant=world_a.tenant, action="outbound_email.resend", target_id=str(row.pk))
    assert event.actor == world_a.user(Role.MANAGER) and "Connection refused" in event.after["previous_failure"]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.FINANCE, Role.TRAINER, Role.APPLICANT])
def test_only_a_manager_resends(world_a, role):
    row = OutboundEmailFactory(tenant=world_a.tenant, status="failed")
    with pytest.raises(Refused):
        outbox_resend(actor=world_a.actor(role), email=row)


def test_a_manager_of_another_workspace_cannot_resend(worlds):
    world_a, world_b = worlds
    row = OutboundEmailFactory(tenant=world_a.tenant, status="failed")
    with pytest.raises(Refused):
        outbox_resend(actor=world_b.actor(Role.MANAGER), email=row)
    row.refresh_from_db()
    assert row.status == "failed"


def test_the_target_must_belong_to_the_actors_workspace(worlds):
    world_a, world_b = worlds
    with pytest.raises(Refused):
        email_enqueue(actor=world_b.actor(Role.MANAGER), kind="test", target=world_a.organisation,
                      recipients=[Recipient(email="x@example.org")], template="relais/email/invitation")


# --- the page ---------------------------------------------------------------------------------------------


def test_the_outbox_page_lists_the_workspaces_emails_newest_first_with_failures_and_their_reason(
        worlds, django_assert_max_num_queries):
    world_a, world_b = worlds
    OutboundEmailFactory(tenant=world_a.tenant, recipient="old@osc.example.org", status="sent", subject="Premier")
    OutboundEmailFactory(tenant=world_a.tenant, recipient="bad@osc.example.org", status="failed",
                         failure_reason="SMTPRecipientsRefused: 550 Mailbox unavailable", subject="Second")
    OutboundEmailFactory(tenant=world_b.tenant, recipient="secret@wanep.example.org", subject="Autre espace")
    client = world_a.client_for(Role.MANAGER)
    with django_assert_max_num_queries(12):
        response = client.get(world_a.url("outbox/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Boîte d’envoi" in html or "Boîte d'envoi" in html
    assert html.index("bad@osc.example.org") < html.index("old@osc.example.org")  # newest first
    assert "550 Mailbox unavailable" in html and "Renvoyer" in html
    assert "secret@wanep.example.org" not in html and "Autre espace" not in html


def test_the_outbox_is_in_the_managers_navigation_only(world_a):
    link = f'href="{world_a.url("outbox/")}"'
    assert link in world_a.client_for(Role.MANAGER).get(world_a.url()).content.decode()
    assert link not in world_a.client_for(Role.FINANCE).get(world_a.url()).content.decode()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.FINANCE, Role.TRAINER, Role.APPLICANT])
def test_other_roles_do_not_see_the_outbox(world_a, role):
    OutboundEmailFactory(tenant=world_a.tenant, recipient="x@osc.example.org")
    response = world_a.client_for(role).get(world_a.url("outbox/"))
    assert response.status_code == 403 and b"x@osc.example.org" not in response.content


def test_the_outbox_filters_by_status_and_recipient(world_a):
    OutboundEmailFactory(tenant=world_a.tenant, recipient="awa@osc.example.org", status="sent")
    OutboundEmailFactory(tenant=world_a.tenant, recipient="sekou@osc.example.org", status="failed")
    OutboundEmailFactory(tenant=world_a.tenant, recipient="fatou@autre.example.org", status="failed")
    client = world_a.client_for(Role.MANAGER)
    html = client.get(world_a.url("outbox/"), {"status": "failed"}).content.decode()
    assert "sekou@" in html and "fatou@" in html and "awa@" not in html
    html = client.get(world_a.url("outbox/"), {"status": "failed", "q": "OSC.example"}).content.decode()
    assert "sekou@" in html and "fatou@" not in html and "awa@" not in html
    assert 'value="OSC.example"' in html  # the search stays in the box


def test_the_outbox_pages_without_counting(world_a, django_assert_num_queries):
    for n in range(55):
        OutboundEmailFactory(tenant=world_a.tenant, recipient=f"r{n:02d}@osc.example.org")
    client = world_a.client_for(Role.MANAGER)
    first = client.get(world_a.url("outbox/"), {"status": "queued"}).content.decode()
    assert "r54@" in first and "r04@" not in first and "status=queued&amp;page=2" in first
    second = client.get(world_a.url("outbox/"), {"status": "queued", "page": "2"}).content.decode()
    assert "r04@" in second and "r54@" not in second


def test_the_resend_button_queues_the_email_again_and_keeps_the_filters(world_a, mailoutbox,
                                                                       django_capture_on_commit_callbacks):
    row = OutboundEmailFactory(tenant=world_a.tenant, recipient="bad@osc.example.org", status="failed",
                               failure_reason="Connection refused")
    client = world_a.client_for(Role.MANAGER)
    back = world_a.url("outbox/") + "?status=failed"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(world_a.url(f"outbox/{row.pk}/resend/"), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    row.refresh_from_db()
    assert row.status == "sent" and [m.to for m in mailoutbox] == [["bad@osc.example.org"]]
    response = client.post(world_a.url(f"outbox/{row.pk}/resend/"), {"next": "https://evil.example.org/"})
    assert response["Location"] == world_a.url("outbox/")


def test_the_resend_button_of_another_workspace_is_a_404(worlds):
    world_a, world_b = worlds
    row = OutboundEmailFactory(tenant=world_a.tenant, status="failed")
    response = world_b.client_for(Role.MANAGER).post(world_b.url(f"outbox/{row.pk}/resend/"))
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == "failed"


def test_a_queued_email_cannot_be_resent_and_the_refusal_is_a_message(world_a):
    row = OutboundEmailFactory(tenant=world_a.tenant, status="queued")
    response = world_a.client_for(Role.MANAGER).post(world_a.url(f"outbox/{row.pk}/resend/"), follow=True)
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])


# --- the invitation's link to copy ---------------------------------------------------------------------------


def _link_on_page(html: str, invitation) -> str | None:
    import re

    match = re.search(rf'id="invitation-link-{invitation.pk}" value="([^"]+)" readonly', html)
    return match.group(1) if match else None


def test_a_manager_can_copy_a_pending_invitations_link_and_it_works(world_a):
    from relais.services import tenancy
    from tests.factories import UserFactory

    invitation, token = tenancy.invitation_create(actor=world_a.actor(Role.MANAGER), email="lost@example.org",
                                                  role=Role.REVIEWER)
    response = world_a.client_for(Role.MANAGER).get(world_a.url("members/"))
    html = response.content.decode()
    link = _link_on_page(html, invitation)
    assert link is not None and link.endswith(f"/invitations/{token}/") and link.startswith("http")
    assert f'data-copy="invitation-link-{invitation.pk}"' in html and "relais/copy.js" in html  # the button, with JS
    assert "no-store" in response["Cache-Control"]  # never kept by a cache
    membership = tenancy.invitation_accept(token=link.rsplit("/", 2)[-2], user=UserFactory(email="lost@example.org"))
    assert membership.role == Role.REVIEWER


def test_no_link_for_a_cancelled_or_expired_invitation(world_a):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import InvitationFactory

    expired = InvitationFactory(tenant=world_a.tenant, expires_at=timezone.now() - timedelta(days=1))
    unrebuildable = InvitationFactory(tenant=world_a.tenant, token_salt="")  # made before links were derived
    html = world_a.client_for(Role.MANAGER).get(world_a.url("members/")).content.decode()
    assert _link_on_page(html, expired) is None and _link_on_page(html, unrebuildable) is None
    unrebuildable.refresh_from_db()
    assert unrebuildable.token_salt == ""  # showing the page changed nothing


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.FINANCE, Role.TRAINER, Role.APPLICANT])
def test_only_managers_see_invitation_links(world_a, role):
    from relais.services import tenancy

    _invitation, token = tenancy.invitation_create(actor=world_a.actor(Role.MANAGER), email="lost@example.org",
                                                   role=Role.REVIEWER)
    response = world_a.client_for(role).get(world_a.url("members/"))
    assert response.status_code == 403 and token not in response.content.decode()


def test_another_workspaces_manager_never_sees_the_link(worlds):
    from relais.services import tenancy

    world_a, world_b = worlds
    _invitation, token = tenancy.invitation_create(actor=world_a.actor(Role.MANAGER), email="lost@example.org",
                                                   role=Role.REVIEWER)
    assert token not in world_b.client_for(Role.MANAGER).get(world_b.url("members/")).content.decode()
