"""Application e-mails through the outbox: the receipt to the submitter, decisions and refusal reasons to the
organisation's members and consenting contacts, a warning on the spot when nobody can be told, and the
application's history showing to whom each e-mail went."""

from __future__ import annotations

import pytest

from grants.models import ApplicationStatus
from grants.services.applications import application_transition
from relais.models import OutboundEmail, Role
from tests.factories import OrganisationFactory, OutboundEmailFactory
from tests.grants.conftest import complete_application
from tests.grants.factories import CallFactory
from tests.orgs.factories import ContactPersonFactory

S = ApplicationStatus
pytestmark = pytest.mark.django_db
NOBODY = "Personne n'a pu être prévenu : l'organisation n'a ni membre ni contact ayant accepté les e-mails."


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_rejection_reaches_the_members_and_the_consenting_contacts(world_a, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    app = complete_application(world_a, status=S.DECISION_PENDING)
    ContactPersonFactory(tenant=world_a.tenant, organisation=world_a.organisation, email="pres@osc.example.org",
                         email_consent=True)
    ContactPersonFactory(tenant=world_a.tenant, organisation=world_a.organisation, email="no@osc.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=app, actor=world_a.actor(Role.MANAGER), target=S.REJECTED,
                               reason="Budget insuffisant")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world_a.user(Role.APPLICANT).email, "pres@osc.example.org"])
    assert all("Budget insuffisant" in m.body for m in mailoutbox)
    rows = OutboundEmail.objects.filter(tenant=world_a.tenant, target_type="grants.application", target_id=str(app.pk))
    assert sorted(rows.values_list("kind", "status")) == [("application_rejected", "sent")] * 2


def test_the_receipt_goes_to_the_person_who_submitted_only(world_a, mailoutbox, django_capture_on_commit_callbacks):
    app = complete_application(world_a)
    ContactPersonFactory(tenant=world_a.tenant, organisation=world_a.organisation, email="pres@osc.example.org",
                         email_consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=app, actor=world_a.actor(Role.APPLICANT), target=S.SUBMITTED)
    assert [m.to for m in mailoutbox] == [[world_a.user(Role.APPLICANT).email]]
    assert OutboundEmail.objects.get(tenant=world_a.tenant, kind="application_receipt").status == "sent"


def test_a_manager_is_warned_when_a_decision_reaches_nobody(world_a):
    organisation = OrganisationFactory(tenant=world_a.tenant)  # no member, no contact
    app = complete_application(world_a, status=S.SCREENING, organisation=organisation)
    response = world_a.client_for(Role.MANAGER).post(
        world_a.url(f"applications/{app.pk}/status/"),
        {"target": S.INELIGIBLE, "reason": "Hors zone", "confirmed": "yes"},
        follow=True)
    app.refresh_from_db()
    assert app.status == S.INELIGIBLE
    assert NOBODY in _messages(response)


def test_no_warning_when_a_contact_is_told(world_a):
    organisation = OrganisationFactory(tenant=world_a.tenant)
    ContactPersonFactory(tenant=world_a.tenant, organisation=organisation, email="pres@osc.example.org",
                         email_consent=True)
    app = complete_application(world_a, status=S.SCREENING, organisation=organisation)
    response = world_a.client_for(Role.MANAGER).post(
        world_a.url(f"applications/{app.pk}/status/"),
        {"target": S.INELIGIBLE, "reason": "Hors zone", "confirmed": "yes"},
        follow=True)
    assert NOBODY not in _messages(response)
    assert OutboundEmail.objects.get(tenant=world_a.tenant, kind="application_ineligible").recipient == (
        "pres@osc.example.org")


def test_a_batch_decision_names_the_applications_nobody_hears_of(world_a):
    call = CallFactory(tenant=world_a.tenant)
    reached = complete_application(world_a, status=S.DECISION_PENDING, call=call)
    alone = complete_application(world_a, status=S.DECISION_PENDING, call=call,
                                 organisation=OrganisationFactory(tenant=world_a.tenant))
    for app in (reached, alone):
        app.reference = f"PD-2026-{app.pk:03d}"
        app.save(update_fields=["reference"])
    response = world_a.client_for(Role.MANAGER).post(
        world_a.url(f"calls/{call.pk}/decide/"),
        {"applications": [reached.pk, alone.pk], "decision": S.REJECTED, "reason": "Budget insuffisant",
         "confirm": "1"}, follow=True)
    warnings = [m for m in _messages(response) if NOBODY in m]
    assert warnings == [f"{alone.reference} : {NOBODY}"]


# --- the history of the application -------------------------------------------------------------------------


def _history(world, role, app) -> str:
    html = world.client_for(role).get(world.url(f"applications/{app.pk}/")).content.decode()
    return html[html.index('class="timeline"'):]


def test_the_history_shows_the_receipt_sent_and_a_failed_decision_with_its_reason(world_a, mailoutbox,
                                                                                  django_capture_on_commit_callbacks):
    app = complete_application(world_a)
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=app, actor=world_a.actor(Role.APPLICANT), target=S.SUBMITTED)
    OutboundEmailFactory(tenant=world_a.tenant, target_type="grants.application", target_id=str(app.pk),
                         kind="application_changes_requested", subject="Demande : modifications demandées",
                         recipient="pres@osc.example.org", status="failed", failure_reason="Connection refused")
    applicant_email = world_a.user(Role.APPLICANT).email
    for role in (Role.MANAGER, Role.APPLICANT):
        history = _history(world_a, role, app)
        assert f"Accusé de réception envoyé à {applicant_email}" in history
        assert ("E-mail « Demande : modifications demandées » non envoyé à pres@osc.example.org : "
                "Connection refused") in history


def test_reviewers_do_not_see_to_whom_emails_went(world_a, django_capture_on_commit_callbacks):
    from tests.grants.conftest import review_of_organisation

    review = review_of_organisation(world_a)
    app = review.application
    OutboundEmailFactory(tenant=world_a.tenant, target_type="grants.application", target_id=str(app.pk),
                         kind="application_receipt", recipient="pres@osc.example.org", status="sent")
    response = world_a.client_for(Role.REVIEWER).get(world_a.url(f"applications/{app.pk}/"))
    assert response.status_code == 200 and "pres@osc.example.org" not in response.content.decode()
