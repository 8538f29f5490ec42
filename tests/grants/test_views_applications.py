"""Applicant side: open calls, drafting by section (nothing lost), submission, withdraw, versions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grants.models import Application, ApplicationStatus, CallStatus, Review
from grants.services.applications import application_transition
from relais.actor import Actor
from relais.models import DraftRescue, Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.grants.conftest import complete_application
from tests.grants.factories import ApplicationFactory, CallFactory

S = ApplicationStatus


def section_url(world, app, section):
    return reverse("grants:application_section", kwargs={"tenant_slug": world.tenant.slug,
                                                  "application_pk": app.pk}) + f"?section={section}"


@pytest.mark.django_db
def test_applicant_sees_open_calls_with_days_left(world_a, world_b):
    CallFactory(tenant=world_a.tenant, title_fr="Appel ouvert",
                closes_at=timezone.now() + dt.timedelta(days=5, hours=1))
    CallFactory(tenant=world_a.tenant, title_fr="Appel brouillon", status=CallStatus.DRAFT)
    CallFactory(tenant=world_b.tenant, title_fr="Appel de B")
    response = world_a.client_for(Role.APPLICANT).get(world_a.url("calls/"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Appel ouvert" in body and "5 jours restants" in body
    assert "Appel brouillon" not in body and "Appel de B" not in body


@pytest.mark.django_db
def test_apply_creates_one_application_per_organisation(world_a):
    call = CallFactory(tenant=world_a.tenant)
    client = world_a.client_for(Role.APPLICANT)
    url = world_a.url(f"calls/{call.pk}/apply/")
    first = client.post(url)
    second = client.post(url)
    assert first.status_code == second.status_code == 302
    assert Application.objects.filter(call=call).count() == 1
    app = Application.objects.get(call=call)
    assert app.organisation == world_a.organisation and app.status == S.DRAFT


@pytest.mark.django_db
def test_applicant_sees_only_their_organisation_applications(world_a):
    own = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, title="Le nôtre")
    other = ApplicationFactory(tenant=world_a.tenant, title="Celui des autres", status=S.SUBMITTED)
    client = world_a.client_for(Role.APPLICANT)
    body = client.get(world_a.url("applications/")).content.decode()
    assert "Le nôtre" in body and "Celui des autres" not in body
    assert client.get(world_a.url(f"applications/{other.pk}/")).status_code == 404
    assert client.get(world_a.url(f"applications/{own.pk}/")).status_code == 200
    assert client.get(section_url(world_a, other, "project")).status_code == 404


@pytest.mark.django_db
def test_section_saves_incomplete_draft_and_keeps_invalid_input(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, title="")
    client = world_a.client_for(Role.APPLICANT)
    response = client.post(section_url(world_a, app, "beneficiaries"),
                           {"s-women": "150", "s-men": "beaucoup", "s-youth": "", "go": "beneficiaries"})
    assert response.status_code == 200  # re-rendered with the error, typed value kept
    body = response.content.decode()
    assert 'value="beaucoup"' in body
    app.refresh_from_db()
    assert app.women == 150 and app.men is None
    response = client.post(section_url(world_a, app, "project"), {"s-title": "Paix à Gao", "go": "context"})
    assert response.status_code == 302 and response["Location"].endswith("?section=context")
    app.refresh_from_db()
    assert app.title == "Paix à Gao" and app.summary == ""


@pytest.mark.django_db
def test_budget_lines_compute_requested_amount(world_a):
    from tests.grants.factories import BudgetCategoryFactory

    category = BudgetCategoryFactory(tenant=world_a.tenant)
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    data = {"lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-category": category.pk, "lines-0-description": "Animateurs", "lines-0-quantity": "3",
            "lines-0-unit_cost": "250000", "lines-1-description": "Transport", "lines-1-quantity": "2.5",
            "lines-1-unit_cost": "100001", "s-cofunding_amount": "", "s-cofunding_source": "", "go": "budget"}
    response = world_a.client_for(Role.APPLICANT).post(section_url(world_a, app, "budget"), data)
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.budget_lines.count() == 2
    assert str(app.requested_amount) == "1000003.00"  # 750 000 + 250 002,5 rounded half up in XOF


@pytest.mark.django_db
def test_autosave_post_answers_the_new_version(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    response = world_a.client_for(Role.APPLICANT).post(section_url(world_a, app, "context"),
                                                       {"s-context": "Texte en cours", "autosave": "1"})
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.context == "Texte en cours"
    # The page keeps editing on top of its own save: it takes back the version saved.
    assert response.json()["version"] == app.version == 2 and response.json()["loaded"].startswith("s-context:")


@pytest.mark.django_db
def test_text_typed_when_session_expired_is_restored_after_login(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, context="ancien")
    url = section_url(world_a, app, "context")
    client = Client()
    client.force_login(world_a.user(Role.APPLICANT))
    client.get(url)  # the applicant opened the section...
    del client.cookies[settings.SESSION_COOKIE_NAME]  # ...and the session expired: anonymous
    response = client.post(url, {"s-context": "Long texte tapé pendant une heure", "csrfmiddlewaretoken": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    app.refresh_from_db()
    assert app.context == "ancien"  # nothing written anonymously
    assert list(DraftRescue.objects.get(path=url).data) == ["s-context"]  # the CSRF token is not kept
    client.force_login(world_a.user(Role.APPLICANT))
    response = client.get(url)
    body = response.content.decode()
    assert "Long texte tapé pendant une heure" in body
    assert "restauré" in body or "restored" in body
    # Restored once: a second visit shows the saved value again.
    assert "Long texte tapé" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_rescued_text_is_not_shown_to_someone_who_cannot_edit(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    client = Client()
    url = section_url(world_a, app, "context")
    client.post(url, {"s-context": "Secret"})
    client.force_login(world_a.user(Role.MANAGER))
    assert client.get(url).status_code in (403, 404)


@pytest.mark.django_db
def test_submit_page_lists_missing_items_with_links(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, title="")
    body = world_a.client_for(Role.APPLICANT).get(world_a.url(f"applications/{app.pk}/submit/")).content.decode()
    assert "?section=project#field-s-title" in body
    assert "?section=budget#field-s-lines" in body


@pytest.mark.django_db
def test_submit_confirm_locks_and_sends_receipt(world_a, mailoutbox, django_capture_on_commit_callbacks):
    app = complete_application(world_a)
    client = world_a.client_for(Role.APPLICANT)
    page = client.get(world_a.url(f"applications/{app.pk}/submit/"))
    assert "Confirmer" in page.content.decode() or "Confirm" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(world_a.url(f"applications/{app.pk}/submit/"))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == S.SUBMITTED and app.reference
    assert len(mailoutbox) == 1 and app.reference in mailoutbox[0].subject
    # Locked: editing is refused with a reason, never a 500.
    response = client.post(section_url(world_a, app, "project"), {"s-title": "changé dans un autre onglet"})
    assert response.status_code == 409
    assert "changé dans un autre onglet" in response.content.decode()  # shown back, not lost
    # Reopening the section (back button) goes to the record with a word why, not to a 403 page.
    response = client.get(section_url(world_a, app, "project"))
    assert response.status_code == 302 and response.url == world_a.url(f"applications/{app.pk}/")
    app.refresh_from_db()
    assert app.title == "Dialogue à Mopti"


@pytest.mark.django_db
def test_withdraw_before_decision(world_a):
    app = complete_application(world_a, status=S.IN_REVIEW)
    response = world_a.client_for(Role.APPLICANT).post(world_a.url(f"applications/{app.pk}/status/"),
                                                       {"target": S.WITHDRAWN, "confirmed": "yes"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == S.WITHDRAWN


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_refused_transition_through_view_is_a_message_not_a_500(world_a, role):
    app = complete_application(world_a, status=S.APPROVED)
    client = world_a.client_for(role)
    response = client.post(world_a.url(f"applications/{app.pk}/status/"), {"target": S.WITHDRAWN}, follow=True)
    assert response.status_code in (200, 404)
    app.refresh_from_db()
    assert app.status == S.APPROVED


@pytest.mark.django_db
def test_changes_requested_resubmit_keeps_both_versions_and_shows_diff(world_a, django_capture_on_commit_callbacks):
    app = complete_application(world_a)
    applicant, manager = world_a.members[Role.APPLICANT], world_a.members[Role.MANAGER]
    application_transition(application=app, target=S.SUBMITTED, actor=Actor.of(applicant))
    client = world_a.client_for(Role.MANAGER)
    client.post(world_a.url(f"applications/{app.pk}/status/"),
                {"target": S.CHANGES_REQUESTED, "reason": "Précisez les objectifs"})
    app.refresh_from_db()
    assert app.status == S.CHANGES_REQUESTED and app.changes_requested_message == "Précisez les objectifs"
    world_a.client_for(Role.APPLICANT).post(section_url(world_a, app, "objectives"),
                                            {"s-objectives": "Objectifs précisés et mesurables"})
    application_transition(application=app, target=S.SUBMITTED, actor=Actor.of(applicant))
    app.refresh_from_db()
    assert app.versions.count() == 2
    body = client.get(world_a.url(f"applications/{app.pk}/versions/")).content.decode()
    assert "Objectifs précisés et mesurables" in body
    assert manager.user  # the manager read the diff


@pytest.mark.django_db
def test_applicant_of_another_org_in_same_tenant_cannot_edit(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    other = MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT,
                              organisation=OrganisationFactory(tenant=world_a.tenant))
    client = Client()
    client.force_login(other.user)
    assert client.post(section_url(world_a, app, "project"), {"s-title": "x"}).status_code == 404


@pytest.mark.django_db
def test_pdf_renders_and_title_is_extractable(world_a):
    import io

    from pypdf import PdfReader

    app = complete_application(world_a)
    response = world_a.client_for(Role.APPLICANT).get(world_a.url(f"applications/{app.pk}/pdf/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Dialogue à Mopti" in text
    assert "5 000 000" in text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.django_db
def test_transitions_are_shown_on_the_application_timeline(world_a):
    app = complete_application(world_a)
    applicant, manager = world_a.members[Role.APPLICANT], world_a.members[Role.MANAGER]
    application_transition(application=app, target=S.SUBMITTED, actor=Actor.of(applicant))
    application_transition(application=app, target=S.SCREENING, actor=Actor.of(manager))
    application_transition(application=app, target=S.CHANGES_REQUESTED, actor=Actor.of(manager),
                           reason="Ajoutez le budget détaillé")
    body = world_a.client_for(Role.APPLICANT).get(world_a.url(f"applications/{app.pk}/")).content.decode()
    history = body[body.index('class="timeline"'):]
    for label in ("Déposer", "Commencer la vérification", "Demander des modifications", "Ajoutez le budget détaillé"):
        assert label in history


@pytest.mark.django_db
@pytest.mark.parametrize(("reference", "disposition"), [
    ('W"M-2026-001', 'inline; filename="W\\"M-2026-001.pdf"'),
    ("W\r\nX: 1-2026-001", "inline; filename*=utf-8\'\'W%0D%0AX%3A%201-2026-001.pdf"),
    ("MÉ-2026-001", "inline; filename*=utf-8\'\'M%C3%89-2026-001.pdf"),
])
def test_the_pdf_file_name_cannot_break_its_header(world_a, reference, disposition):
    """References made from a prefix saved before it was restricted: the header is built by Django's helper."""
    app = complete_application(world_a)
    Application.objects.filter(pk=app.pk).update(reference=reference)
    response = world_a.client_for(Role.APPLICANT).get(world_a.url(f"applications/{app.pk}/pdf/"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == disposition


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "1.5", "²", "0x10", "99999999999999999999999"])
def test_assigning_a_reviewer_with_a_garbage_id_is_refused_with_a_message(world_a, value):
    app = complete_application(world_a, status=S.SCREENING)
    client = world_a.client_for(Role.MANAGER)
    client.raise_request_exception = False
    response = client.post(world_a.url(f"applications/{app.pk}/assign/"), {"reviewer": value}, follow=True)
    assert response.status_code == 200
    assert "Choisissez un évaluateur" in response.content.decode()
    assert not Review.objects.filter(application=app).exists()


@pytest.mark.django_db
def test_timeline_hides_staff_notes_from_applicants_and_all_reasons_from_blind_reviewers(world_a):
    from grants.models import ReviewStatus
    from grants.services.applications import application_transition
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=S.SUBMITTED)
    app.call.blind_review = True
    app.call.save()
    manager = world_a.members[Role.MANAGER]
    application_transition(application=app, target=S.SCREENING, actor=Actor.of(manager))
    application_transition(application=app, target=S.CHANGES_REQUESTED, actor=Actor.of(manager),
                           reason=f"{world_a.organisation.acronym}, ajoutez le budget")
    application_transition(application=app, target=S.SUBMITTED, actor=world_a.actor(Role.APPLICANT))
    application_transition(application=app, target=S.SCREENING, actor=Actor.of(manager))
    application_transition(application=app, target=S.IN_REVIEW, actor=Actor.of(manager),
                           reason="Note interne : gouvernance fragile")
    ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                  status=ReviewStatus.DRAFT, coi="none")

    def history(role):
        body = world_a.client_for(role).get(world_a.url(f"applications/{app.pk}/")).content.decode()
        return body[body.index('class="timeline"'):]

    staff = history(Role.MANAGER)
    assert "Note interne" in staff and "ajoutez le budget" in staff
    applicant = history(Role.APPLICANT)
    assert "ajoutez le budget" in applicant  # written for them
    assert "Note interne" not in applicant  # a screening note is for staff
    reviewer = history(Role.REVIEWER)
    assert world_a.organisation.acronym not in reviewer and "Note interne" not in reviewer
    # The message block on the page itself, too, while changes are requested.
    Application.objects.filter(pk=app.pk).update(
        status=S.CHANGES_REQUESTED, changes_requested_message=f"{world_a.organisation.acronym}, ajoutez le budget")
    body = world_a.client_for(Role.REVIEWER).get(world_a.url(f"applications/{app.pk}/")).content.decode()
    assert world_a.organisation.acronym not in body


@pytest.mark.django_db
@pytest.mark.parametrize("lines", [1, 3])
def test_budget_total_beyond_the_money_column_is_refused_and_the_typed_lines_shown_back(world_a, lines):
    from decimal import Decimal

    from tests.grants.factories import BudgetCategoryFactory

    app = complete_application(world_a)
    category = BudgetCategoryFactory(tenant=world_a.tenant)
    client = world_a.client_for(Role.APPLICANT)
    client.raise_request_exception = False
    # One line whose total overflows, or three lines that fit alone but not together.
    quantity, unit_cost = ("9999999999.99", "999999999999") if lines == 1 else ("1", "400000000000")
    data = {"lines-TOTAL_FORMS": str(lines), "lines-INITIAL_FORMS": "0", "go": "budget"}
    for i in range(lines):
        data.update({f"lines-{i}-category": str(category.pk), f"lines-{i}-description": f"Ligne {i}",
                     f"lines-{i}-quantity": quantity, f"lines-{i}-unit_cost": unit_cost})
    response = client.post(world_a.url(f"applications/{app.pk}/edit/?section=budget"), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "trop élevé" in body and "Ligne 0" in body  # readable message, typed text kept on screen
    app.refresh_from_db()  # the row still loads: nothing absurd was stored
    assert app.requested_amount == Decimal("5000000")
    assert client.get(world_a.url(f"applications/{app.pk}/")).status_code == 200


@pytest.mark.django_db
def test_a_recused_reviewer_no_longer_sees_the_application(world_a):
    from grants.models import ReviewStatus
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=S.IN_REVIEW)
    app.title = "Projet confidentiel de Mopti"
    app.save()
    ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                  status=ReviewStatus.RECUSED, coi="declared", coi_text="Mon cousin")
    client = world_a.client_for(Role.REVIEWER)
    assert "Projet confidentiel" not in client.get(world_a.url("applications/")).content.decode()
    assert client.get(world_a.url(f"applications/{app.pk}/")).status_code == 404
    assert client.get(world_a.url(f"applications/{app.pk}/pdf/")).status_code == 404


@pytest.mark.django_db
def test_screening_page_shows_answers_against_rules(world_a):
    app = complete_application(world_a, status=S.SCREENING)
    answer = app.answers.get()
    answer.answer = "no"  # the disqualifying answer of the factory question
    answer.save()
    body = world_a.client_for(Role.MANAGER).get(world_a.url(f"applications/{app.pk}/screening/")).content.decode()
    assert 'class="badge bad"' in body
    for role in (Role.APPLICANT, Role.REVIEWER, Role.FINANCE):
        assert world_a.client_for(role).get(world_a.url(f"applications/{app.pk}/screening/")).status_code in (403, 404)


@pytest.mark.django_db
def test_mark_ineligible_with_reason_through_view(world_a, mailoutbox, django_capture_on_commit_callbacks):
    app = complete_application(world_a, status=S.SCREENING)
    client = world_a.client_for(Role.MANAGER)
    client.post(world_a.url(f"applications/{app.pk}/status/"),
                {"target": S.INELIGIBLE, "reason": "", "confirmed": "yes"})
    app.refresh_from_db()
    assert app.status == S.SCREENING  # reason required
    with django_capture_on_commit_callbacks(execute=True):
        client.post(world_a.url(f"applications/{app.pk}/status/"),
                    {"target": S.INELIGIBLE, "reason": "Hors des régions éligibles", "confirmed": "yes"})
    app.refresh_from_db()
    assert app.status == S.INELIGIBLE and app.screening_reason == "Hors des régions éligibles"
    assert len(mailoutbox) == 1 and "Hors des régions éligibles" in mailoutbox[0].body


@pytest.mark.django_db
def test_screening_requires_every_chosen_region_to_be_eligible(world_a):
    from grants.selectors import screening_rows
    from tests.factories import RegionFactory

    mopti = RegionFactory(tenant=world_a.tenant, name="Mopti")
    segou = RegionFactory(tenant=world_a.tenant, name="Ségou")
    bamako = RegionFactory(tenant=world_a.tenant, name="Bamako (District)")
    app = complete_application(world_a, status=S.SCREENING)
    app.call.eligible_regions.set([mopti, segou])
    app.regions.set([segou, bamako])
    rows = screening_rows(application=app)
    assert rows["regions_ok"] is False and rows["regions_outside"] == [bamako]
    body = world_a.client_for(Role.MANAGER).get(world_a.url(f"applications/{app.pk}/screening/")).content.decode()
    assert "Bamako (District)" in body and body.count('class="badge bad"') == 1
    app.regions.set([segou, mopti])
    assert screening_rows(application=app)["regions_ok"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("status", [CallStatus.OPEN, CallStatus.CLOSED, CallStatus.DECIDED])
def test_applicant_reads_a_closed_call_as_closed(world_a, status):
    closes = timezone.now() - dt.timedelta(days=2)
    call = CallFactory(tenant=world_a.tenant, title_fr="Appel passé", status=status, closes_at=closes)
    draft = CallFactory(tenant=world_a.tenant, status=CallStatus.DRAFT)
    client = world_a.client_for(Role.APPLICANT)
    response = client.get(world_a.url(f"calls/{call.pk}/"))
    body = response.content.decode()
    assert response.status_code == 200 and "Appel passé" in body
    assert "Cet appel a été clôturé le " + timezone.localtime(closes).strftime("%d/%m/%Y") in body
    assert ("Clôturé" in body) == (status != CallStatus.DECIDED) and "jours restants" not in body
    assert "Commencer une demande" not in body and f"calls/{call.pk}/apply/" not in body
    assert "Appel passé" not in client.get(world_a.url("calls/")).content.decode()  # the list keeps open calls
    assert client.post(world_a.url(f"calls/{call.pk}/apply/")).status_code == 302
    assert not Application.objects.filter(call=call).exists()
    assert client.get(world_a.url(f"calls/{draft.pk}/")).status_code == 404


@pytest.mark.django_db
def test_timeline_beyond_the_project_and_dates_backwards_warn_at_save_but_save(world_a):
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation,
                             start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 6, 30))
    client = world_a.client_for(Role.APPLICANT)
    response = client.post(section_url(world_a, app, "activities"), {
        "s-activities": "Ateliers", "timeline-TOTAL_FORMS": "1", "timeline-INITIAL_FORMS": "0",
        "timeline-0-activity": "Forum final", "timeline-0-start_month": "5", "timeline-0-end_month": "9",
        "go": "activities"}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "Section enregistrée" in body
    assert "« Forum final » va jusqu’au mois 9, mais le projet dure 6 mois" in body
    assert app.timeline.get().end_month == 9  # saved all the same
    response = client.post(section_url(world_a, app, "location"), {
        "s-start_date": "2026-06-01", "s-end_date": "2026-01-31", "s-communes": "Mopti", "go": "location"},
        follow=True)
    assert "La date de fin est antérieure à la date de début." in response.content.decode()
    app.refresh_from_db()
    assert app.end_date == dt.date(2026, 1, 31)


@pytest.mark.django_db
def test_timeline_beyond_the_project_blocks_submission(world_a):
    from grants.completeness import completeness_problems
    from relais.errors import Refused

    app = complete_application(world_a)
    app.start_date, app.end_date = dt.date(2026, 1, 15), dt.date(2026, 2, 14)  # one month; the row runs to month 3
    app.save()
    assert [p.section for p in completeness_problems(app)] == ["activities"]
    with pytest.raises(Refused, match="mois 3"):
        application_transition(application=app, actor=world_a.actor(Role.APPLICANT), target=S.SUBMITTED)
    app.refresh_from_db()
    assert app.status == S.DRAFT
    app.end_date = dt.date(2026, 4, 14)
    app.save()
    assert completeness_problems(app) == []


# --- two tabs (optimistic concurrency) -----------------------------------------------------------

def _stale_notice(body: str) -> bool:
    return "Quelqu'un d'autre a enregistré cette fiche" in body


@pytest.mark.django_db
def test_two_tabs_on_one_section_the_second_save_is_refused_and_nothing_is_lost(world_a):
    from tests.page_forms import form_data

    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, title="Titre initial",
                             summary="Résumé initial")
    client = world_a.client_for(Role.APPLICANT)
    url = section_url(world_a, app, "project")
    tab1 = form_data(client.get(url).content)
    tab2 = form_data(client.get(url).content)
    tab1["s-summary"] = ["Résumé écrit dans le premier onglet"]
    assert client.post(url, {**tab1, "go": "project"}).status_code == 302
    tab2["s-title"] = ["Titre écrit dans le second onglet"]
    response = client.post(url, {**tab2, "go": "project"})
    body = response.content.decode()
    assert response.status_code == 409 and _stale_notice(body)
    assert "Résumé initial" in body and "Résumé écrit dans le premier onglet" in body  # old → new
    app.refresh_from_db()
    assert (app.title, app.summary) == ("Titre initial", "Résumé écrit dans le premier onglet")
    # The form keeps the typed title, shows the other tab's summary and carries the new version.
    again = form_data(body)
    assert again["s-title"] == ["Titre écrit dans le second onglet"]
    assert again["s-summary"] == ["Résumé écrit dans le premier onglet"]
    assert client.post(url, {**again, "go": "project"}).status_code == 302
    app.refresh_from_db()
    assert (app.title, app.summary) == ("Titre écrit dans le second onglet", "Résumé écrit dans le premier onglet")


@pytest.mark.django_db
def test_two_tabs_typing_the_same_field_keep_the_typed_text_and_show_the_other(world_a):
    from tests.page_forms import form_data

    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, context="Début")
    client = world_a.client_for(Role.APPLICANT)
    url = section_url(world_a, app, "context")
    tab1, tab2 = form_data(client.get(url).content), form_data(client.get(url).content)
    client.post(url, {**tab1, "s-context": "Version de l'onglet 1", "go": "context"})
    response = client.post(url, {**tab2, "s-context": "Version de l'onglet 2", "go": "context"})
    body = response.content.decode()
    assert response.status_code == 409 and "Version de l&#x27;onglet 1" in body
    assert form_data(body)["s-context"] == ["Version de l'onglet 2"]
    app.refresh_from_db()
    assert app.context == "Version de l'onglet 1"


@pytest.mark.django_db
def test_two_tabs_on_different_sections_both_save(world_a):
    from tests.page_forms import form_data

    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    client = world_a.client_for(Role.APPLICANT)
    project, context = section_url(world_a, app, "project"), section_url(world_a, app, "context")
    tab1, tab2 = form_data(client.get(project).content), form_data(client.get(context).content)
    assert client.post(project, {**tab1, "s-title": "Titre", "go": "project"}).status_code == 302
    assert client.post(context, {**tab2, "s-context": "Contexte", "go": "context"}).status_code == 302
    app.refresh_from_db()
    assert (app.title, app.context, app.version) == ("Titre", "Contexte", 3)


@pytest.mark.django_db
def test_two_tabs_on_the_budget_lines(world_a):
    from tests.grants.factories import BudgetLineFactory
    from tests.page_forms import form_data

    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    line = BudgetLineFactory(tenant=world_a.tenant, application=app, description="Animateurs")
    client = world_a.client_for(Role.APPLICANT)
    url = section_url(world_a, app, "budget")
    tab1, tab2 = form_data(client.get(url).content), form_data(client.get(url).content)
    tab1["lines-0-description"] = ["Animatrices et animateurs"]
    assert client.post(url, {**tab1, "go": "budget"}).status_code == 302
    tab2["s-cofunding_source"] = ["Mairie de Mopti"]
    response = client.post(url, {**tab2, "go": "budget"})
    body = response.content.decode()
    assert response.status_code == 409 and "Animatrices et animateurs" in body
    line.refresh_from_db()
    app.refresh_from_db()
    assert line.description == "Animatrices et animateurs" and app.cofunding_source == ""
    again = form_data(body)  # the untouched rows show the other tab's lines, the typed source is kept
    assert again["lines-0-description"] == ["Animatrices et animateurs"]
    assert again["s-cofunding_source"] == ["Mairie de Mopti"]
    assert client.post(url, {**again, "go": "budget"}).status_code == 302
    line.refresh_from_db()
    app.refresh_from_db()
    assert line.description == "Animatrices et animateurs" and app.cofunding_source == "Mairie de Mopti"


@pytest.mark.django_db
def test_a_stale_autosave_writes_nothing(world_a):
    from tests.page_forms import form_data

    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, context="Début")
    client = world_a.client_for(Role.APPLICANT)
    url = section_url(world_a, app, "context")
    tab1, tab2 = form_data(client.get(url).content), form_data(client.get(url).content)
    assert client.post(url, {**tab1, "s-context": "Onglet 1", "go": "context"}).status_code == 302
    response = client.post(url, {**tab2, "s-context": "Onglet 2 en arrière-plan", "autosave": "1"})
    assert response.status_code == 409
    app.refresh_from_db()
    assert app.context == "Onglet 1"


@pytest.mark.django_db
def test_autosave_then_explicit_save_of_the_same_page_is_not_stale(world_a):
    from tests.page_forms import form_data

    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    client = world_a.client_for(Role.APPLICANT)
    url = section_url(world_a, app, "context")
    page = form_data(client.get(url).content)
    stamp = client.post(url, {**page, "s-context": "Début du texte", "autosave": "1"}).json()
    page.update({"_version": [str(stamp["version"])], "_loaded": [stamp["loaded"]]})  # as autosave.js does
    assert client.post(url, {**page, "s-context": "Début du texte, et la suite", "go": "context"}).status_code == 302
    app.refresh_from_db()
    assert app.context == "Début du texte, et la suite"


@pytest.mark.django_db
def test_attachment_downloads_are_audited_like_organisation_documents(world_a):
    from grants.models import ReviewStatus
    from relais.models import AuditEvent
    from tests.grants.factories import ReviewFactory

    app = complete_application(world_a, status=ApplicationStatus.IN_REVIEW)
    attachment = app.attachments.get()
    response = world_a.client_for(Role.MANAGER).get(world_a.url(f"documents/{attachment.pk}/"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action="application.attachment_downloaded")
    assert (event.tenant, event.actor, event.target_type, event.target_id) == (
        world_a.tenant, world_a.user(Role.MANAGER), "grants.applicationattachment", str(attachment.pk))
    assert event.after["document"] == attachment.original_name
    # A refused download (blind reviewer) is no download.
    app.call.blind_review = True
    app.call.save()
    ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                  status=ReviewStatus.DRAFT, coi="none")
    assert world_a.client_for(Role.REVIEWER).get(world_a.url(f"documents/{attachment.pk}/")).status_code == 403
    assert AuditEvent.objects.filter(action="application.attachment_downloaded").count() == 1
