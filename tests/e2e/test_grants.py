"""Browser journey: applicant drafts over two sessions and submits; reviewer declares no conflict and scores;
manager approves from the ranking table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.models import Application, ApplicationStatus, Review, ReviewStatus
from grants.services.applications import application_transition
from grants.services.reviews import review_assign
from relais.actor import Actor
from relais.models import Role
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory, TenantFactory
from tests.grants.factories import (
    BudgetCategoryFactory,
    BudgetLineFactory,
    CallFactory,
    RubricCriterionFactory,
    TimelineActivityFactory,
)

pytestmark = pytest.mark.e2e


def logout(page, live_server):
    page.goto(f"{live_server.url}/")
    page.click("form[action='/accounts/logout/'] button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_application_journey(page, live_server):
    tenant = TenantFactory(slug="journey", name="Bailleur du parcours", reference_prefix="PD")
    organisation = OrganisationFactory(tenant=tenant)
    applicant = MembershipFactory(tenant=tenant, role=Role.APPLICANT, organisation=organisation,
                                  user__email="applicant@journey.test")
    reviewer = MembershipFactory(tenant=tenant, role=Role.REVIEWER, user__email="reviewer@journey.test")
    manager = MembershipFactory(tenant=tenant, role=Role.MANAGER, user__email="manager@journey.test")
    call = CallFactory(tenant=tenant, title_fr="Appel du parcours", reviewers_per_application=1,
                       closes_at=timezone.now() + dt.timedelta(days=10))
    criterion = RubricCriterionFactory(tenant=tenant, call=call, name_fr="Pertinence")
    # Everything but the project section is already drafted.
    app = Application.objects.create(
        tenant=tenant, call=call, organisation=organisation, context="Contexte", objectives="Objectifs",
        activities="Activités", communes="Mopti", start_date=timezone.localdate(),
        end_date=timezone.localdate() + dt.timedelta(days=300), women=10, men=10, youth=5, risks="Risques",
        do_no_harm="Ne pas nuire", requested_amount=Decimal("5000000"))
    app.regions.add(organisation.region)
    TimelineActivityFactory(tenant=tenant, application=app)
    BudgetLineFactory(tenant=tenant, application=app, category=BudgetCategoryFactory(tenant=tenant))
    base = f"{live_server.url}/journey"

    # Session 1: the applicant types the project section and saves it.
    login(page, live_server, applicant.user.email, TEST_PASSWORD)
    page.goto(f"{base}/applications/{app.pk}/edit/?section=project")
    page.fill("#id_s-title", "Paix durable à Mopti")
    page.fill("#id_s-summary", "Un résumé écrit en deux sessions.")
    page.click("button[name=go][value=project]")
    page.wait_for_selector(".msg-success")
    logout(page, live_server)

    # Session 2: the text is still there; submit with confirmation.
    login(page, live_server, applicant.user.email, TEST_PASSWORD)
    page.goto(f"{base}/applications/{app.pk}/edit/?section=project")
    assert page.input_value("#id_s-title") == "Paix durable à Mopti"
    assert page.input_value("#id_s-summary") == "Un résumé écrit en deux sessions."
    page.goto(f"{base}/applications/{app.pk}/submit/")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".msg-success")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and app.reference.startswith("PD-")
    logout(page, live_server)

    # Screening and assignment (covered by their own tests) happen through the services here.
    application_transition(application=app, target=ApplicationStatus.SCREENING, actor=Actor.of(manager))
    application_transition(application=app, target=ApplicationStatus.IN_REVIEW, actor=Actor.of(manager))
    review = review_assign(application=app, reviewer=reviewer.user, actor=Actor.of(manager))

    # The reviewer declares no conflict, then scores and submits.
    login(page, live_server, reviewer.user.email, TEST_PASSWORD)
    page.goto(f"{base}/reviews/{review.pk}/")
    assert page.locator("text=Paix durable à Mopti").count() == 0  # hidden until the declaration
    page.check("input[name=has_conflict][value=no]")
    page.click("main form button[type=submit]")
    page.wait_for_selector(f"#id_score_{criterion.pk}")
    page.select_option(f"#id_score_{criterion.pk}", "4")
    page.select_option("#id_recommendation", "fund")
    page.click("button[name=submit]")
    page.wait_for_selector(".msg-success")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DECISION_PENDING
    logout(page, live_server)

    # The manager approves from the ranking table.
    login(page, live_server, manager.user.email, TEST_PASSWORD)
    page.goto(f"{base}/calls/{call.pk}/ranking/")
    page.check(f"input[name=applications][value='{app.pk}']")
    page.click("button[name=decision][value=approved]")
    page.click("button[name=confirm]")  # the confirmation page lists what will be approved
    page.wait_for_selector(".msg-success")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED and app.awarded_amount == app.requested_amount
    assert Review.objects.filter(application=app, status=ReviewStatus.SUBMITTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_leaving_a_section_by_a_menu_link_saves_it(page, live_server):
    import time

    tenant = TenantFactory(slug="autosave", name="Bailleur autosave")
    organisation = OrganisationFactory(tenant=tenant)
    applicant = MembershipFactory(tenant=tenant, role=Role.APPLICANT, organisation=organisation,
                                  user__email="applicant@autosave.test")
    app = Application.objects.create(tenant=tenant, call=CallFactory(tenant=tenant), organisation=organisation)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, live_server, applicant.user.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/autosave/applications/{app.pk}/edit/?section=context")
    page.fill("#id_s-context", "Texte sauvé en quittant la page")
    page.click("header nav a[href='/autosave/calls/']")  # not a form button: the beacon saves
    page.wait_for_url("**/autosave/calls/")
    from django.db import OperationalError

    for _ in range(50):
        try:
            app.refresh_from_db()
        except OperationalError:  # SQLite: the live server thread is writing the row right now
            pass
        if app.context:
            break
        time.sleep(0.1)
    assert app.context == "Texte sauvé en quittant la page"
    assert not [e for e in errors if "Content Security Policy" in e]


@pytest.mark.django_db(transaction=True)
def test_one_section_saved_in_two_tabs_the_second_is_refused_with_the_other_tabs_change(page, live_server):
    tenant = TenantFactory(slug="two-tabs", name="Bailleur deux onglets")
    organisation = OrganisationFactory(tenant=tenant)
    applicant = MembershipFactory(tenant=tenant, role=Role.APPLICANT, organisation=organisation,
                                  user__email="applicant@two-tabs.test")
    app = Application.objects.create(tenant=tenant, call=CallFactory(tenant=tenant), organisation=organisation,
                                     title="Titre initial", summary="Résumé initial")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login(page, live_server, applicant.user.email, TEST_PASSWORD)
    url = f"{live_server.url}/two-tabs/applications/{app.pk}/edit/?section=project"
    page.goto(url)
    second = page.context.new_page()  # the same browser, a second tab
    second.goto(url)
    page.fill("#id_s-summary", "Résumé du premier onglet")
    page.click(".actions button[value=project]")
    page.wait_for_load_state()
    assert "Section enregistrée" in page.content() or "enregistr" in page.inner_text(".messages")
    second.fill("#id_s-title", "Titre du second onglet")
    second.click(".actions button[value=project]")
    second.wait_for_load_state()
    notice = second.inner_text(".stale")
    assert "Quelqu'un d'autre a enregistré cette fiche" in notice and "Résumé du premier onglet" in notice
    assert second.input_value("#id_s-title") == "Titre du second onglet"  # the typed text is kept
    assert second.input_value("#id_s-summary") == "Résumé du premier onglet"  # with the other tab's change
    app.refresh_from_db()
    assert (app.title, app.summary) == ("Titre initial", "Résumé du premier onglet")
    second.click(".actions button[value=project]")  # checked: save again
    second.wait_for_load_state()
    assert second.locator(".stale").count() == 0
    app.refresh_from_db()
    assert (app.title, app.summary) == ("Titre du second onglet", "Résumé du premier onglet")
    assert not [e for e in errors if "Content Security Policy" in e]


HIDE_TAB = ("Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});"
            "document.dispatchEvent(new Event('visibilitychange'))")


@pytest.mark.django_db(transaction=True)
def test_autosave_takes_back_its_version_and_a_stale_autosave_writes_nothing(page, live_server):
    from playwright.sync_api import expect

    tenant = TenantFactory(slug="autosave-version", name="Bailleur autosave")
    organisation = OrganisationFactory(tenant=tenant)
    applicant = MembershipFactory(tenant=tenant, role=Role.APPLICANT, organisation=organisation,
                                  user__email="applicant@autosave-version.test")
    app = Application.objects.create(tenant=tenant, call=CallFactory(tenant=tenant), organisation=organisation)
    login(page, live_server, applicant.user.email, TEST_PASSWORD)
    url = f"{live_server.url}/autosave-version/applications/{app.pk}/edit/?section=context"
    page.goto(url)
    second = page.context.new_page()
    second.goto(url)
    # Leaving the first tab saves it in the background; the page takes back the version it saved...
    page.fill("#id_s-context", "Début du texte")
    page.evaluate(HIDE_TAB)
    expect(page.locator("input[name=_version]")).to_have_value("2")
    # ...so its own next save is not mistaken for someone else's.
    page.fill("#id_s-context", "Début du texte, et la suite")
    page.click(".actions button[value=context]")
    page.wait_for_load_state()
    assert page.locator(".stale").count() == 0
    app.refresh_from_db()
    assert app.context == "Début du texte, et la suite"
    # The second tab still shows version 1: its background save is refused and says so.
    second.fill("#id_s-context", "Texte du second onglet")
    second.evaluate(HIDE_TAB)
    second.wait_for_selector(".autosave-status:not([hidden])")
    assert "quelqu'un d'autre a enregistré cette demande" in second.inner_text(".autosave-status")
    app.refresh_from_db()
    assert app.context == "Début du texte, et la suite"
