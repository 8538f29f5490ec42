"""Progress report pages (issue 12): the grantee's list and form, two tabs, submission with what is
missing, the manager's review with comments per section, finance's comment, the sensitive section kept
from finance, reviewers, trainers and e-mails, and the tranche its approval releases."""

from __future__ import annotations

import datetime as dt
import gzip
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants.conditions import tranche_conditions
from grants.models import Award, ProgressReport, ReportAttachment, ReportStatus
from grants.services.applications import application_transition
from relais.models import AuditEvent, OutboundEmail, Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.grants.conftest import complete_application
from tests.grants.factories import (
    AwardBudgetLineFactory,
    AwardFactory,
    IndicatorFactory,
    IndicatorTargetFactory,
    ProgressReportFactory,
)
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db

SECRET = "Menace contre une animatrice de Sévaré"


def _award(world) -> Award:
    app = complete_application(world, status="decision_pending")
    application_transition(application=app, target="approved", actor=world.actor(Role.MANAGER), amount="4000000",
                           reason="Oui")
    award = Award.objects.get(application=app)
    Award.objects.filter(pk=award.pk).update(status="active")
    award.refresh_from_db()
    return award


def _report(world) -> ProgressReport:
    """Report 1 of an active award of the world's CSO, which releases tranche 2; two targeted indicators
    (one by sex and age band)."""
    award = _award(world)
    IndicatorTargetFactory(tenant=world.tenant, award=award, target=Decimal("50"),
                           indicator=IndicatorFactory(tenant=world.tenant, name_fr="Sessions de dialogue"))
    IndicatorTargetFactory(tenant=world.tenant, award=award, target=Decimal("400"),
                           indicator=IndicatorFactory(tenant=world.tenant, name_fr="Personnes touchées",
                                                      by_sex_and_age=True))
    return ProgressReport.objects.get(award=award, number=1)


def _url(world, report, tail=""):
    return world.url(f"reports/{report.pk}/{tail}")


def _filled(world, report, client, **extra):
    """The form as the page shows it, filled in completely."""
    data = form_data(client.get(_url(world, report, "edit/")).content)
    data.update({"activities": ["Trois ateliers à Mopti"], "results": ["Comités actifs"],
                 "next_steps": ["Deux forums"], "safety_incidents": [SECRET]})
    for name in list(data):
        if name.startswith("i") and name[1:2].isdigit():
            data[name] = ["0"]
        if name.endswith("_amount"):
            data[name] = ["100000"]
    for key, value in extra.items():
        data[key] = [value]
    return data


def test_the_grantee_fills_the_form_indicators_by_sex_and_age_and_expenses(world_a):
    report = _report(world_a)
    client = world_a.client_for(Role.APPLICANT)
    page = client.get(_url(world_a, report, "edit/"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "confidenti" in body.lower() and 'class="table-wrap"' in body  # the grids scroll at 360 px
    data = _filled(world_a, report, client)
    grid = next(name for name in data if name.count("_") >= 2 and name.startswith("i"))
    data[grid] = ["12"]
    response = client.post(_url(world_a, report, "edit/"), {**data, "go": "_save"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.activities == "Trois ateliers à Mopti" and report.safety_incidents == SECRET
    values = {(v.indicator_id, v.sex, v.age_band): v.value for v in report.indicator_values.all()}
    indicator_id, sex, band = grid[1:].split("_", 2)
    assert values[(int(indicator_id), sex, band)] == Decimal("12")
    assert {e.amount for e in report.expenses.all()} == {Decimal("100000")}
    # The page shows the table's figures: budget, spent before, cumulative, variance.
    body = client.get(_url(world_a, report, "edit/")).content.decode()
    assert "Dépensé avant" in body and "Écart" in body


def test_a_wrong_value_stays_on_screen_and_the_rest_is_saved(world_a):
    report = _report(world_a)
    client = world_a.client_for(Role.APPLICANT)
    data = _filled(world_a, report, client)
    amount = next(name for name in data if name.endswith("_amount"))
    data[amount] = ["-5"]
    response = client.post(_url(world_a, report, "edit/"), {**data, "go": "_save"})
    assert response.status_code == 200
    assert form_data(response.content)[amount] == ["-5"]  # what was typed is shown again
    report.refresh_from_db()
    assert report.results == "Comités actifs"  # the rest was saved


def test_two_tabs_on_a_report_the_second_save_is_refused_and_nothing_is_lost(world_a):
    report = _report(world_a)
    client = world_a.client_for(Role.APPLICANT)
    url = _url(world_a, report, "edit/")
    tab1, tab2 = form_data(client.get(url).content), form_data(client.get(url).content)
    tab1["activities"] = ["Texte du premier onglet"]
    assert client.post(url, {**tab1, "go": "_save"}).status_code == 302
    tab2["activities"] = ["Texte du second onglet"]
    tab2["lessons"] = ["Leçons du second onglet"]
    response = client.post(url, {**tab2, "go": "_save"})
    body = response.content.decode()
    assert response.status_code == 409 and "Quelqu'un d'autre a enregistré cette fiche" in body
    assert "Texte du premier onglet" in body  # the other side's text is shown
    report.refresh_from_db()
    assert (report.activities, report.lessons) == ("Texte du premier onglet", "")
    again = form_data(body)
    assert again["activities"] == ["Texte du second onglet"] and again["lessons"] == ["Leçons du second onglet"]
    assert client.post(url, {**again, "go": "_save"}).status_code == 302  # saving again after checking works
    report.refresh_from_db()
    assert (report.activities, report.lessons) == ("Texte du second onglet", "Leçons du second onglet")


def test_submit_is_refused_with_the_list_of_what_is_missing(world_a):
    report = _report(world_a)
    client = world_a.client_for(Role.APPLICANT)
    data = form_data(client.get(_url(world_a, report, "edit/")).content)
    data["activities"] = ["Ateliers"]
    response = client.post(_url(world_a, report, "edit/"), {**data, "go": "_submit"}, follow=True)
    body = response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.activities == "Ateliers"
    assert "Remplissez la section" in body and "Sessions de dialogue" in body  # the missing items, listed
    assert not OutboundEmail.objects.filter(kind="report_submitted").exists()


def test_request_changes_resubmit_approve_releases_the_tranche_and_no_email_carries_the_safety_section(world_a):
    report = _report(world_a)
    grantee = world_a.client_for(Role.APPLICANT)
    manager = world_a.client_for(Role.MANAGER)
    response = grantee.post(_url(world_a, report, "edit/"), {**_filled(world_a, report, grantee), "go": "_submit"})
    report.refresh_from_db()
    assert response.status_code == 302 and report.status == ReportStatus.SUBMITTED
    assert OutboundEmail.objects.filter(kind="report_submitted", recipient="manager@tenant-a.test").exists()

    page = manager.get(_url(world_a, report)).content.decode()
    assert SECRET in page and "Demander des modifications" in page
    response = manager.post(_url(world_a, report, "review/"), {
        "target": "changes_requested", "message": "Merci de préciser les résultats.",
        "c_results": "Combien de comités ?", "c_safety_incidents": "Précisez la date de " + SECRET})
    report.refresh_from_db()
    assert response.status_code == 302 and report.status == ReportStatus.CHANGES_REQUESTED
    assert report.review_comments["results"] == "Combien de comités ?"

    # The grantee sees the message and the comment beside its section, and resubmits.
    form_page = grantee.get(_url(world_a, report, "edit/")).content.decode()
    assert "Merci de préciser les résultats." in form_page and "Combien de comités ?" in form_page
    data = _filled(world_a, report, grantee, results="Douze comités actifs")
    assert grantee.post(_url(world_a, report, "edit/"), {**data, "go": "_submit"}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.versions.count() == 2
    page = manager.get(_url(world_a, report)).content.decode()
    assert "Douze comités actifs" in page and "Comités actifs" in page  # what changed between the versions

    tranche = report.gates_tranche
    assert not {c.code: c for c in tranche_conditions(tranche, actor=world_a.actor(Role.FINANCE),
                                                      today=timezone.localdate())}["previous_report"].met
    assert manager.post(_url(world_a, report, "review/"), {"target": "approved"}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert {c.code: c for c in tranche_conditions(tranche, actor=world_a.actor(Role.FINANCE),
                                                  today=timezone.localdate())}["previous_report"].met
    award_page = world_a.client_for(Role.FINANCE).get(world_a.url(f"awards/{report.award_id}/")).content.decode()
    assert "✓ Rapport d’avancement précédent approuvé" in award_page

    kinds = set(OutboundEmail.objects.filter(target_type="grants.progressreport", target_id=str(report.pk))
                .values_list("kind", flat=True))
    assert kinds == {"report_submitted", "report_changes_requested", "report_approved"}
    for email in OutboundEmail.objects.all():
        assert SECRET not in email.body and "Précisez la date" not in email.body
    to_grantee = OutboundEmail.objects.get(kind="report_changes_requested", recipient="applicant@tenant-a.test")
    assert "Merci de préciser les résultats." in to_grantee.body


@pytest.mark.parametrize("role", [Role.FINANCE])
def test_finance_reads_the_report_without_the_safety_section_and_comments_on_the_finances(world_a, role):
    report = _report(world_a)
    grantee = world_a.client_for(Role.APPLICANT)
    grantee.post(_url(world_a, report, "edit/"), {**_filled(world_a, report, grantee), "go": "_submit"})
    finance = world_a.client_for(role)
    page = finance.get(_url(world_a, report))
    assert page.status_code == 200 and SECRET not in page.content.decode()
    assert "Trois ateliers à Mopti" in page.content.decode()
    response = finance.post(_url(world_a, report, "finance/"), {"comment": "Justificatifs de la ligne 2 ?"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.finance_comment == "Justificatifs de la ligne 2 ?"
    assert AuditEvent.objects.filter(action="report.finance_comment").exists()
    # A manager cannot write finance's comment; finance cannot approve.
    assert world_a.client_for(Role.MANAGER).post(_url(world_a, report, "finance/"), {"comment": "x"}).status_code \
        == 403
    assert finance.post(_url(world_a, report, "review/"), {"target": "approved"}).status_code == 403
    # Even in what changed between versions, the safety section stays hidden from finance.
    manager = world_a.client_for(Role.MANAGER)
    manager.post(_url(world_a, report, "review/"), {"target": "changes_requested", "message": "À revoir"})
    grantee_changes = _filled(world_a, report, grantee, safety_incidents=SECRET + " (suite)")
    grantee.post(_url(world_a, report, "edit/"), {**grantee_changes, "go": "_submit"})
    report.refresh_from_db()
    assert report.versions.count() == 2
    assert SECRET not in finance.get(_url(world_a, report)).content.decode()
    assert SECRET + " (suite)" in manager.get(_url(world_a, report)).content.decode()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_reviewers_and_trainers_see_no_report(world_a, role):
    report = ProgressReportFactory(tenant=world_a.tenant, safety_incidents=SECRET,
                                   award__application__organisation=world_a.organisation)
    client = world_a.client_for(role)
    assert client.get(_url(world_a, report)).status_code == 404
    assert client.get(_url(world_a, report, "edit/")).status_code == 404
    assert client.get(world_a.url("reports/")).status_code == 403


def test_another_csos_applicant_gets_404(world_a):
    report = ProgressReportFactory(tenant=world_a.tenant, award__application__organisation=world_a.organisation)
    other = MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT,
                              organisation=OrganisationFactory(tenant=world_a.tenant))
    from django.test import Client

    client = Client()
    client.force_login(other.user)
    assert client.get(_url(world_a, report)).status_code == 404
    assert client.get(_url(world_a, report, "edit/")).status_code == 404
    assert client.post(_url(world_a, report, "edit/"), {"activities": "x"}).status_code == 404
    assert f"reports/{report.pk}/" not in client.get(world_a.url("reports/")).content.decode()


def test_staff_cannot_open_the_grantees_form(world_a):
    report = ProgressReportFactory(tenant=world_a.tenant, award__application__organisation=world_a.organisation)
    for role in (Role.MANAGER, Role.FINANCE):
        assert world_a.client_for(role).get(_url(world_a, report, "edit/")).status_code == 403


def test_attachments_are_checked_and_removed_only_while_editable(world_a):
    report = _report(world_a)
    client = world_a.client_for(Role.APPLICANT)
    data = form_data(client.get(_url(world_a, report, "edit/")).content)
    bad = SimpleUploadedFile("liste.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(_url(world_a, report, "edit/"), {**data, "upload": bad, "go": "_save"})
    assert response.status_code == 200 and not ReportAttachment.objects.exists()
    data = form_data(response.content)
    good = SimpleUploadedFile("presence.pdf", b"%PDF-1.4\n%liste\n", content_type="application/pdf")
    assert client.post(_url(world_a, report, "edit/"), {**data, "upload": good, "go": "_save"}).status_code == 302
    attachment = ReportAttachment.objects.get(report=report)
    assert client.get(world_a.url(f"report-files/{attachment.pk}/")).status_code == 200
    assert world_a.client_for(Role.FINANCE).get(world_a.url(f"report-files/{attachment.pk}/")).status_code == 200
    assert client.post(world_a.url(f"report-files/{attachment.pk}/delete/")).status_code == 302
    assert not ReportAttachment.objects.filter(pk=attachment.pk).exists()
    kept = ReportAttachment.objects.create(tenant=world_a.tenant, report=report, original_name="photo.pdf",
                                           content_type="application/pdf", size=3)
    ProgressReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    assert client.post(world_a.url(f"report-files/{kept.pk}/delete/")).status_code == 403
    assert ReportAttachment.objects.filter(pk=kept.pk).exists()


def test_the_grantee_list_shows_what_is_missing_and_the_past_reports(world_a):
    report = _report(world_a)
    ProgressReport.objects.filter(award=report.award, number=2).update(status=ReportStatus.APPROVED)
    body = world_a.client_for(Role.APPLICANT).get(world_a.url("reports/")).content.decode()
    assert f"reports/{report.pk}/edit/" in body and "Sessions de dialogue" in body
    approved = ProgressReport.objects.get(award=report.award, number=2)
    assert f"reports/{approved.pk}/" in body and "Approuvé" in body


def _reports(world, n, organisation=None):
    award = AwardFactory(tenant=world.tenant, application__organisation=organisation or world.organisation,
                         status="active")
    AwardBudgetLineFactory.create_batch(2, tenant=world.tenant, award=award)
    IndicatorTargetFactory(tenant=world.tenant, award=award)
    start = ProgressReport.objects.filter(award=award).count()
    for k in range(n):
        ProgressReportFactory(tenant=world.tenant, award=award, number=start + k + 1,
                              due_date=dt.date(2026, 1, 1) + dt.timedelta(days=k),
                              status=ReportStatus.SUBMITTED if k % 3 == 0 else ReportStatus.DRAFT)
    return award


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE, Role.APPLICANT])
def test_the_reports_list_costs_the_same_queries_for_3_or_30_reports(world_a, role):
    client = world_a.client_for(role)
    _reports(world_a, 3)
    client.get(world_a.url("reports/"))  # warm the session and the workspace's settings
    with CaptureQueriesContext(connection) as few:
        assert client.get(world_a.url("reports/")).status_code == 200
    for _ in range(9):
        _reports(world_a, 3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(world_a.url("reports/?status=&timing=&call=&region="))
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert not any("COUNT(" in q["sql"].upper() for q in many.captured_queries if "report" in q["sql"])
    assert len(gzip.compress(response.content)) <= 14 * 1024


def test_managers_see_reports_to_review_first_and_filter_overdue_call_and_region(world_a):
    award = _reports(world_a, 6)
    client = world_a.client_for(Role.MANAGER)
    rows = list(client.get(world_a.url("reports/")).context["page"])
    statuses = [r.status for r in rows]
    assert statuses == sorted(statuses, key=lambda s: s != ReportStatus.SUBMITTED)
    overdue = list(client.get(world_a.url("reports/?timing=overdue")).context["page"])
    assert overdue and all(r.status == ReportStatus.DRAFT for r in overdue)
    other_region = OrganisationFactory(tenant=world_a.tenant)
    other = _reports(world_a, 2, organisation=other_region)
    by_call = list(client.get(world_a.url(f"reports/?call={other.call_id}")).context["page"])
    assert {r.award_id for r in by_call} == {other.pk}
    by_region = list(client.get(world_a.url(f"reports/?region={award.organisation.region_id}")).context["page"])
    assert by_region and {r.region_id for r in by_region} == {award.organisation.region_id}


def test_the_report_pages_fit_14_kb(world_a, capsys):
    from tests.relais.test_page_weight import first_load

    report = _report(world_a)
    grantee = world_a.client_for(Role.APPLICANT)
    grantee.post(_url(world_a, report, "edit/"), {**_filled(world_a, report, grantee), "go": "_submit"})
    sizes = {}
    for name, client, url in (("form", grantee, _url(world_a, ProgressReport.objects.get(award=report.award,
                                                                                          number=2), "edit/")),
                              ("review", world_a.client_for(Role.MANAGER), _url(world_a, report))):
        response = client.get(url)
        assert response.status_code == 200
        sizes[name] = first_load(response.content)
        assert sizes[name] <= 14 * 1024
    with capsys.disabled():
        print(f"\nreport pages first load (gzip): {sizes}")


def test_the_lists_missing_items_are_the_submission_rules(world_a):
    """reports_problems (a page of reports in fixed queries) says what report_problems says for each."""
    from grants.reporting import report_problems, reports_problems
    from grants.services.awards import grant_settings
    from grants.services.reports import report_save

    first = _report(world_a)
    lines = list(first.award.budget_lines.all())
    applicant = world_a.actor(Role.APPLICANT)
    # Report 1 overspends line 1 (needs an explanation); report 2 inherits it as "spent before".
    report_save(report=first, actor=applicant, sections={"activities": "A", "results": "R"},
                expenses={lines[0].pk: (lines[0].amount * Decimal("1.5"), "")})
    second = ProgressReport.objects.get(award=first.award, number=2)
    report_save(report=second, actor=applicant, expenses={lines[0].pk: (Decimal("1000"), "")})
    reports = list(ProgressReport.objects.filter(award=first.award).select_related("award"))
    bulk = reports_problems(reports, threshold=grant_settings(world_a.tenant).variance_threshold)
    for report in reports:
        assert bulk[report.pk] == report_problems(report)
    assert any("Justifiez l’écart" in p for p in bulk[first.pk])
    assert any("Justifiez l’écart" in p for p in bulk[second.pk])  # report 1's spending counts before


def test_request_changes_without_a_word_is_refused_and_keeps_the_typed_comments(world_a):
    report = ProgressReportFactory(tenant=world_a.tenant, award__application__organisation=world_a.organisation,
                                   status=ReportStatus.SUBMITTED)
    manager = world_a.client_for(Role.MANAGER)
    response = manager.post(_url(world_a, report, "review/"), {"target": "changes_requested", "message": "  "})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and not OutboundEmail.objects.exists()
    # A manager linked to the grantee CSO reviews nothing.
    linked = MembershipFactory(tenant=world_a.tenant, role=Role.MANAGER, organisation=world_a.organisation)
    from django.test import Client

    client = Client()
    client.force_login(linked.user)
    assert client.post(_url(world_a, report, "review/"), {"target": "approved"}).status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_text_typed_after_the_session_expired_is_given_back(world_a, settings):
    from django.test import Client

    report = ProgressReportFactory(tenant=world_a.tenant, award__application__organisation=world_a.organisation)
    user = world_a.user(Role.APPLICANT)
    url = _url(world_a, report, "edit/")
    client = Client()
    client.force_login(user)
    data = form_data(client.get(url).content)
    del client.cookies[settings.SESSION_COOKIE_NAME]  # the session expired; the recent-user cookie stays
    response = client.post(url, {**data, "activities": "Tapé pendant une heure", "go": "_save"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    report.refresh_from_db()
    assert report.activities == ""  # nothing written until saved
    client.force_login(user)
    again = form_data(client.get(url).content)
    assert again["activities"] == ["Tapé pendant une heure"]
    assert client.post(url, {**again, "go": "_save"}).status_code == 302
    report.refresh_from_db()
    assert report.activities == "Tapé pendant une heure"


def test_a_budget_line_without_category_shows_on_the_form_and_the_report(world_a):
    """An award's budget line may have no category (the terms allow it): the report form and page name it by
    its description, or "—" with neither, instead of failing."""
    report = _report(world_a)
    AwardBudgetLineFactory(tenant=world_a.tenant, award=report.award, category=None,
                           description="Ateliers sans catégorie", amount=Decimal("1000"))
    AwardBudgetLineFactory(tenant=world_a.tenant, award=report.award, category=None, description="",
                           amount=Decimal("2000"))
    for role, tail in ((Role.APPLICANT, "edit/"), (Role.MANAGER, "")):
        page = world_a.client_for(role).get(_url(world_a, report, tail))
        assert page.status_code == 200, role
        assert "Ateliers sans catégorie" in page.content.decode()
