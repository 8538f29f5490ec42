"""Nothing is done by accident (issue 9): final negative steps on applications ask for confirmation,
a withdrawn application does not block a new one, and pages that only make sense before a step
redirect to the record afterwards."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from grants.models import Application, ApplicationStatus
from grants.services.applications import application_create, application_transition
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.grants.conftest import complete_application
from tests.grants.factories import ApplicationFactory, ReviewFactory

S = ApplicationStatus
pytestmark = pytest.mark.django_db

# target, who takes it, from which state, the reason it needs ("" for none)
FINAL_STEPS = [
    (S.WITHDRAWN, Role.APPLICANT, S.SUBMITTED, ""),
    (S.REJECTED, Role.MANAGER, S.DECISION_PENDING, "Budget hors de la fourchette"),
    (S.INELIGIBLE, Role.MANAGER, S.SCREENING, "Hors des régions éligibles"),
]


def _status_url(world, app) -> str:
    return world.url(f"applications/{app.pk}/status/")


def _app_in(world, status):
    app = complete_application(world, status=status)
    if status == S.DECISION_PENDING:
        ReviewFactory(tenant=world.tenant, application=app, status="submitted")
    return app


@pytest.mark.parametrize("target, role, source, reason", FINAL_STEPS)
def test_the_confirmation_page_says_what_will_happen_and_links_back(world_a, target, role, source, reason):
    app = _app_in(world_a, source)
    response = world_a.client_for(role).get(_status_url(world_a, app) + f"?target={target}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Cette action est irréversible." in body
    assert app.title in body and app.organisation.name in body  # to which record
    assert 'class="danger"' in body and 'name="confirmed" value="yes"' in body
    assert f'name="target" value="{target}"' in body
    assert f'href="{world_a.url(f"applications/{app.pk}/")}"' in body and "Annuler" in body  # the way back
    assert ('name="reason"' in body) == bool(reason)
    app.refresh_from_db()
    assert app.status == source


@pytest.mark.parametrize("target, role, source, reason", FINAL_STEPS)
def test_a_post_without_the_confirmation_only_shows_the_page(world_a, target, role, source, reason):
    app = _app_in(world_a, source)
    response = world_a.client_for(role).post(_status_url(world_a, app), {"target": target, "reason": reason})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="confirmed" value="yes"' in body
    if reason:
        assert reason in body  # the typed reason is kept on the page
    app.refresh_from_db()
    assert app.status == source
    assert not AuditEvent.objects.filter(action__startswith="application.", target_id=str(app.pk)).exists()


@pytest.mark.parametrize("target, role, source, reason", FINAL_STEPS)
def test_the_confirmed_post_takes_the_step(world_a, target, role, source, reason):
    app = _app_in(world_a, source)
    response = world_a.client_for(role).post(_status_url(world_a, app),
                                             {"target": target, "reason": reason, "confirmed": "yes"})
    assert response.status_code == 302 and response.url == world_a.url(f"applications/{app.pk}/")
    app.refresh_from_db()
    assert app.status == target


@pytest.mark.parametrize("target, role, source, reason", [step for step in FINAL_STEPS if step[3]])
def test_a_confirmation_without_the_required_reason_stays_on_the_page(world_a, target, role, source, reason):
    app = _app_in(world_a, source)
    response = world_a.client_for(role).post(_status_url(world_a, app),
                                             {"target": target, "reason": "  ", "confirmed": "yes"})
    assert response.status_code == 200
    assert "Indiquez le motif avant de confirmer." in response.content.decode()
    app.refresh_from_db()
    assert app.status == source


def test_other_steps_still_act_on_post_and_get_only_redirects(world_a):
    app = complete_application(world_a, status=S.SUBMITTED)
    client = world_a.client_for(Role.MANAGER)
    assert client.get(_status_url(world_a, app) + f"?target={S.SCREENING}").status_code == 302
    app.refresh_from_db()
    assert app.status == S.SUBMITTED
    client.post(_status_url(world_a, app), {"target": S.SCREENING})
    app.refresh_from_db()
    assert app.status == S.SCREENING


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.FINANCE, Role.TRAINER])
def test_no_confirmation_page_for_who_may_not_take_the_step(world_a, role):
    app = complete_application(world_a, status=S.SUBMITTED)
    client = world_a.client_for(role)
    for response in (client.get(_status_url(world_a, app) + f"?target={S.WITHDRAWN}"),
                     client.post(_status_url(world_a, app), {"target": S.WITHDRAWN, "confirmed": "yes"})):
        assert response.status_code in (302, 404)
        assert b"confirmed" not in response.content
    app.refresh_from_db()
    assert app.status == S.SUBMITTED


def test_another_organisation_s_applicant_gets_404(world_a):
    app = complete_application(world_a, status=S.SUBMITTED)
    other = MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT,
                              organisation=OrganisationFactory(tenant=world_a.tenant))
    client = world_a.client_for(Role.APPLICANT)
    client.force_login(other.user)
    assert client.get(_status_url(world_a, app) + f"?target={S.WITHDRAWN}").status_code == 404
    assert client.post(_status_url(world_a, app), {"target": S.WITHDRAWN, "confirmed": "yes"}).status_code == 404


def test_withdraw_is_a_link_away_from_submit(world_a):
    app = complete_application(world_a)
    body = world_a.client_for(Role.APPLICANT).get(world_a.url(f"applications/{app.pk}/")).content.decode()
    submit = body.index(f"applications/{app.pk}/submit/")
    withdraw = body.index(f"applications/{app.pk}/status/?target=withdrawn")
    assert 'name="target" value="withdrawn"' not in body  # no one-tap form
    assert "Actions définitives" in body[submit:withdraw]  # its own section, further down


def test_back_to_the_confirmation_after_the_step_goes_to_the_record(world_a):
    app = complete_application(world_a, status=S.WITHDRAWN)
    response = world_a.client_for(Role.APPLICANT).get(_status_url(world_a, app) + f"?target={S.WITHDRAWN}",
                                                      follow=True)
    assert response.redirect_chain[-1][0] == world_a.url(f"applications/{app.pk}/")
    assert "Cette étape n’est plus possible" in response.content.decode()


def test_screening_page_links_ineligible_to_its_confirmation(world_a):
    app = complete_application(world_a, status=S.SCREENING)
    client = world_a.client_for(Role.MANAGER)
    body = client.get(world_a.url(f"applications/{app.pk}/screening/")).content.decode()
    assert f"status/?target={S.INELIGIBLE}&amp;back=screening" in body
    assert f'name="target" value="{S.INELIGIBLE}"' not in body
    page = client.get(_status_url(world_a, app) + f"?target={S.INELIGIBLE}&back=screening").content.decode()
    assert f'href="{world_a.url(f"applications/{app.pk}/screening/")}"' in page  # cancel goes back to screening
    assert 'name="back" value="screening"' in page


# --- withdrawn, then apply again ---------------------------------------------------------------


def test_service_a_withdrawn_application_does_not_block_a_new_one(world_a):
    actor = world_a.actor(Role.APPLICANT)
    first = application_create(call=complete_application(world_a).call, actor=actor)
    assert application_create(call=first.call, actor=actor) == first  # still one live application
    application_transition(application=first, actor=actor, target=S.WITHDRAWN)
    second = application_create(call=first.call, actor=actor)
    assert second.pk != first.pk and second.status == S.DRAFT
    assert application_create(call=first.call, actor=actor) == second
    first.refresh_from_db()
    assert first.status == S.WITHDRAWN  # kept, with its history


def test_the_database_still_allows_one_live_application_per_organisation_and_call(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, status=S.WITHDRAWN)
    ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, call=app.call,
                       status=S.WITHDRAWN)
    ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, call=app.call)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, call=app.call,
                           status=S.SUBMITTED)


@pytest.mark.parametrize("final", [S.REJECTED, S.INELIGIBLE])
def test_a_decided_application_still_blocks_a_new_one(world_a, final):
    app = complete_application(world_a, status=final)
    assert application_create(call=app.call, actor=world_a.actor(Role.APPLICANT)) == app


def test_withdraw_then_apply_again_through_the_pages(world_a):
    app = complete_application(world_a, status=S.SUBMITTED)
    client = world_a.client_for(Role.APPLICANT)
    response = client.post(_status_url(world_a, app), {"target": S.WITHDRAWN, "confirmed": "yes"}, follow=True)
    assert "Tant que l’appel est ouvert, votre organisation peut en commencer une nouvelle." in \
        response.content.decode()
    call_page = client.get(world_a.url(f"calls/{app.call.pk}/")).content.decode()
    assert f"calls/{app.call.pk}/apply/" in call_page  # "Start an application" again
    response = client.post(world_a.url(f"calls/{app.call.pk}/apply/"))
    new = Application.objects.exclude(pk=app.pk).get(call=app.call, organisation=world_a.organisation)
    assert response.status_code == 302 and response.url.startswith(world_a.url(f"applications/{new.pk}/edit/"))
    assert new.status == S.DRAFT
    body = client.get(world_a.url("applications/")).content.decode()
    assert body.count(f"applications/{app.pk}/") and body.count(f"applications/{new.pk}/")  # both listed


def test_service_refuses_withdrawing_twice(world_a):
    app = complete_application(world_a, status=S.SUBMITTED)
    actor = world_a.actor(Role.APPLICANT)
    application_transition(application=app, actor=actor, target=S.WITHDRAWN)
    with pytest.raises(Refused):
        application_transition(application=app, actor=actor, target=S.WITHDRAWN)


# --- after a step: to the record, with a message -------------------------------------------


@pytest.mark.parametrize("status, message", [
    (S.SUBMITTED, "Cette demande a été déposée ; elle ne peut plus être modifiée."),
    (S.IN_REVIEW, "Cette demande a été déposée ; elle ne peut plus être modifiée."),
    (S.WITHDRAWN, "Cette demande a été retirée ; elle ne peut plus être modifiée."),
])
@pytest.mark.parametrize("path", ["edit/?section=project", "edit/?section=budget", "submit/"])
def test_applicant_pages_before_submission_redirect_to_the_record(world_a, status, message, path):
    app = complete_application(world_a, status=status)
    response = world_a.client_for(Role.APPLICANT).get(world_a.url(f"applications/{app.pk}/{path}"), follow=True)
    assert response.redirect_chain == [(world_a.url(f"applications/{app.pk}/"), 302)]
    assert message in response.content.decode()


def test_submitting_twice_goes_to_the_record(world_a):
    app = complete_application(world_a)
    client = world_a.client_for(Role.APPLICANT)
    assert client.post(world_a.url(f"applications/{app.pk}/submit/")).status_code == 302
    response = client.post(world_a.url(f"applications/{app.pk}/submit/"), follow=True)
    assert response.redirect_chain == [(world_a.url(f"applications/{app.pk}/"), 302)]
    assert "Cette demande a été déposée ; elle ne peut plus être modifiée." in response.content.decode()
    assert AuditEvent.objects.filter(action="application.submit", target_id=str(app.pk)).count() == 1


@pytest.mark.parametrize("role", [Role.MANAGER, Role.REVIEWER, Role.FINANCE, Role.TRAINER])
def test_who_has_no_access_to_the_section_still_gets_403_or_404(world_a, role):
    app = complete_application(world_a, status=S.SUBMITTED)
    client = world_a.client_for(role)
    for path in ("edit/?section=project", "submit/"):
        assert client.get(world_a.url(f"applications/{app.pk}/{path}")).status_code in (403, 404)


def test_a_post_to_a_locked_section_still_shows_the_typed_text(world_a):
    app = complete_application(world_a, status=S.SUBMITTED)
    response = world_a.client_for(Role.APPLICANT).post(world_a.url(f"applications/{app.pk}/edit/?section=project"),
                                                       {"s-title": "Tapé dans un autre onglet"})
    assert response.status_code == 409 and "Tapé dans un autre onglet" in response.content.decode()


@pytest.mark.parametrize("status", [S.IN_REVIEW, S.INELIGIBLE, S.CHANGES_REQUESTED, S.APPROVED])
def test_screening_page_after_screening_redirects_to_the_record(world_a, status):
    app = complete_application(world_a, status=status)
    response = world_a.client_for(Role.MANAGER).get(world_a.url(f"applications/{app.pk}/screening/"), follow=True)
    assert response.redirect_chain == [(world_a.url(f"applications/{app.pk}/"), 302)]
    assert "La vérification de l’éligibilité de cette demande est terminée" in response.content.decode()


@pytest.mark.parametrize("status", [S.SUBMITTED, S.SCREENING])
def test_screening_page_before_screening_ends_renders(world_a, status):
    app = complete_application(world_a, status=status)
    assert world_a.client_for(Role.MANAGER).get(world_a.url(f"applications/{app.pk}/screening/")).status_code == 200


def test_screening_step_from_the_screening_page_lands_on_the_record_once_screening_is_over(world_a):
    app = complete_application(world_a, status=S.SCREENING)
    response = world_a.client_for(Role.MANAGER).post(_status_url(world_a, app),
                                                     {"target": S.IN_REVIEW, "back": "screening"})
    assert response.url == world_a.url(f"applications/{app.pk}/")
