"""Capacity assessments: the seeded framework, scoring and completion, domain means and the SVG chart,
who reads and writes what, two tabs, page weight and query counts."""

from __future__ import annotations

import datetime as dt
import gzip
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.actor import Actor
from relais.errors import Refused
from relais.models import AuditEvent, Role
from relais.services.tenancy import tenant_create
from tests.factories import OrganisationFactory
from tests.page_forms import form_data
from tests.training.factories import ActionItemFactory, AssessmentFactory
from training.charts import progress_svg
from training.models import (
    ActionItem,
    Assessment,
    AssessmentDomain,
    AssessmentKind,
    AssessmentScore,
    AssessmentStatus,
    AssessmentSubArea,
    LevelDescriptor,
)
from training.selectors.assessments import organisation_progress
from training.services.assessments import (
    action_plan_save,
    assessment_complete,
    assessment_create,
    assessment_save_scores,
    framework_ensure,
)

pytestmark = pytest.mark.django_db


def _sub_areas(tenant):
    return list(AssessmentSubArea.objects.filter(tenant=tenant).select_related("domain"))


def _scored(world, *, date, kind=AssessmentKind.BASELINE, score=2, complete=True, organisation=None):
    actor = world.actor(Role.TRAINER)
    assessment = assessment_create(actor=actor, organisation=organisation or world.organisation, date=date,
                                   kind=kind, facilitator=world.user(Role.TRAINER))
    scores = {sa.pk: (score if not callable(score) else score(sa), "") for sa in _sub_areas(world.tenant)}
    assessment_save_scores(actor=actor, assessment=assessment, scores=scores)
    if complete:
        assessment_complete(actor=actor, assessment=assessment)
    return assessment


def _url(world, name, **kwargs):
    return reverse(f"training:{name}", kwargs={"tenant_slug": world.tenant.slug, **kwargs})


# --- the framework ------------------------------------------------------------------------------

def test_a_new_workspace_starts_with_the_seven_domains_in_french_and_english(db):
    tenant = tenant_create(name="Fonds de la paix", slug="fonds-paix")
    domains = list(AssessmentDomain.objects.filter(tenant=tenant).prefetch_related("sub_areas__descriptors"))
    assert [d.name_en for d in domains] == [
        "Governance and legal structure", "Financial management and internal control",
        "Administration and procurement", "Human resources", "Programme management",
        "Performance management (M&E)", "Organisational sustainability (strategy, advocacy, fundraising)"]
    for domain in domains:
        assert domain.name_fr and 2 <= domain.sub_areas.count() <= 4
        for sub_area in domain.sub_areas.all():
            levels = {d.level: d for d in sub_area.descriptors.all()}
            assert sorted(levels) == [1, 2, 3, 4]
            assert all(d.text_fr and d.text_en and d.text_fr != d.text_en for d in levels.values())
    # Idempotent: a second run (or a workspace that edited its framework) creates nothing.
    before = (AssessmentSubArea.objects.filter(tenant=tenant).count(), LevelDescriptor.objects.count())
    assert framework_ensure(actor=Actor.system(tenant)) == 0
    assert (AssessmentSubArea.objects.filter(tenant=tenant).count(), LevelDescriptor.objects.count()) == before


def test_names_follow_the_readers_language(framework_a):
    from django.utils import translation

    domain = AssessmentDomain.objects.filter(tenant=framework_a.tenant).first()
    with translation.override("en"):
        assert domain.name == "Governance and legal structure"
    with translation.override("fr"):
        assert domain.name == "Gouvernance et structure juridique"


# --- scoring and completion ---------------------------------------------------------------------

def test_completing_requires_every_sub_area_scored(framework_a):
    world = framework_a
    actor = world.actor(Role.TRAINER)
    assessment = assessment_create(actor=actor, organisation=world.organisation, date=dt.date(2026, 3, 1),
                                   kind=AssessmentKind.BASELINE, facilitator=world.user(Role.MANAGER))
    sub_areas = _sub_areas(world.tenant)
    assessment_save_scores(actor=actor, assessment=assessment,
                           scores={sa.pk: (3, "Bien") for sa in sub_areas[:-1]})
    with pytest.raises(Refused, match="1"):
        assessment_complete(actor=actor, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT
    assessment_save_scores(actor=actor, assessment=assessment, scores={sub_areas[-1].pk: (1, "")})
    assessment_complete(actor=actor, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert AuditEvent.objects.filter(action="assessment.complete", target_id=str(assessment.pk)).exists()
    with pytest.raises(Refused):
        assessment_save_scores(actor=actor, assessment=assessment, scores={sub_areas[0].pk: (4, "")})
    assert AssessmentScore.objects.get(assessment=assessment, sub_area=sub_areas[0]).score == 3


def test_scores_out_of_range_or_of_another_workspace_are_refused(frameworks):
    world_a, world_b = frameworks
    actor = world_a.actor(Role.MANAGER)
    assessment = AssessmentFactory(tenant=world_a.tenant, organisation=world_a.organisation,
                                   facilitator=world_a.user(Role.MANAGER))
    mine, theirs = _sub_areas(world_a.tenant)[0], _sub_areas(world_b.tenant)[0]
    with pytest.raises(Refused):
        assessment_save_scores(actor=actor, assessment=assessment, scores={theirs.pk: (2, "")})
    with pytest.raises(Refused):
        assessment_save_scores(actor=actor, assessment=assessment, scores={mine.pk: (5, "")})
    assert not AssessmentScore.objects.filter(assessment=assessment).exists()


def test_the_facilitator_is_a_manager_or_trainer_of_the_workspace(framework_a):
    world = framework_a
    with pytest.raises(Refused):
        assessment_create(actor=world.actor(Role.MANAGER), organisation=world.organisation, date=dt.date(2026, 1, 1),
                          kind=AssessmentKind.BASELINE, facilitator=world.user(Role.REVIEWER))


# --- domain means and the chart ------------------------------------------------------------------

def test_domain_means_are_the_mean_of_the_scored_sub_areas(framework_a):
    world = framework_a
    first_domain = AssessmentDomain.objects.filter(tenant=world.tenant).order_by("order").first()
    firsts = [sa.pk for sa in _sub_areas(world.tenant) if sa.domain_id == first_domain.pk]
    # Governance: 1, 2, 4 → 2.33 at the baseline; everything else 2.
    _scored(world, date=dt.date(2026, 1, 10),
            score=lambda sa: (1, 2, 4)[firsts.index(sa.pk)] if sa.pk in firsts else 2)
    _scored(world, date=dt.date(2026, 6, 10), kind=AssessmentKind.FOLLOW_UP, score=3)
    _scored(world, date=dt.date(2026, 9, 10), kind=AssessmentKind.FOLLOW_UP, score=4, complete=False)  # a draft
    progress = organisation_progress(actor=world.actor(Role.MANAGER), organisation=world.organisation)
    assert progress.dates == (dt.date(2026, 1, 10), dt.date(2026, 6, 10))
    assert progress.domains[0].means == (Decimal("2.33"), Decimal("3.00"))
    assert all(p.means == (Decimal("2.00"), Decimal("3.00")) for p in progress.domains[1:])


def test_the_chart_has_one_point_per_assessment_per_domain(framework_a):
    world = framework_a
    for month, score in ((1, 1), (5, 2), (9, 3)):
        _scored(world, date=dt.date(2026, month, 1), score=score)
    progress = organisation_progress(actor=world.actor(Role.TRAINER), organisation=world.organisation)
    svg = str(progress_svg(progress))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="point"') == 3 * 7
    assert svg.count("<polyline") == 7
    # Higher scores are drawn higher: the last point of domain 1 is above its first.
    ys = [float(y) for y in re.findall(r'class="point" cx="[\d.]+" cy="([\d.]+)"', svg)[:3]]
    assert ys[0] > ys[1] > ys[2]


def test_the_progress_page_shows_the_chart_and_a_table_for_screen_readers(framework_a):
    world = framework_a
    _scored(world, date=dt.date(2026, 1, 1), score=1)
    _scored(world, date=dt.date(2026, 7, 1), kind=AssessmentKind.FOLLOW_UP, score=3)
    response = world.client_for(Role.APPLICANT).get(
        _url(world, "organisation_progress", organisation_pk=world.organisation.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="point"') == 14 and 'aria-hidden="true"' in body
    assert "<caption>" in body and body.count("<td class=\"num\">3,00</td>") == 7


# --- who sees and does what ---------------------------------------------------------------------

@pytest.mark.parametrize("role,list_status,detail_status", [
    (Role.MANAGER, 200, 200), (Role.TRAINER, 200, 200), (Role.APPLICANT, 200, 200),
    (Role.REVIEWER, 403, 404), (Role.FINANCE, 403, 404),
])
def test_roles_reading_assessments(framework_a, role, list_status, detail_status):
    world = framework_a
    assessment = _scored(world, date=dt.date(2026, 2, 2), complete=False)
    client = world.client_for(role)
    assert client.get(_url(world, "assessment_list")).status_code == list_status
    assert client.get(_url(world, "assessment_detail", assessment_pk=assessment.pk)).status_code == detail_status
    assert client.get(_url(world, "action_plan", assessment_pk=assessment.pk)).status_code == detail_status
    assert client.get(_url(world, "organisation_progress",
                           organisation_pk=world.organisation.pk)).status_code == detail_status


ASSESSMENT_LOOP = """{% for a in page %}<tr><td><a href="{% url 'training:organisation_assessments' tenant_slug=current_tenant.slug organisation_pk=a.organisation_id %}">{{ a.organisation.acronym|default:a.organisation.name }}</a></td><td><a href="{% url 'training:assessment_detail' tenant_slug=current_tenant.slug assessment_pk=a.pk %}">{{ a.date|date:"SHORT_DATE_FORMAT" }}</a></td><td>{{ a.get_kind_display }}</td><td>{{ a.get_status_display }}</td><td>{{ a.facilitator.display_name }}</td></tr>
{% empty %}<tr><td colspan="5">{% translate "No capacity assessment yet." %}</td></tr>{% endfor %}"""  # noqa: E501 - the loop as templates/training/assessment_list.html held it


@pytest.mark.parametrize("language", ["fr", "en"])
def test_assessment_rows_are_the_rows_of_the_template_loop(world_a, world_b, language):
    """training.tables.assessment_rows_html writes the assessment lists' rows in one pass (throughput, issue 10):
    the markup of the loop it replaced, on the workspace's list and an organisation's, for both kinds and
    states, a CSO without an acronym, a facilitator without a name, values that need escaping."""
    from django.template import engines
    from django.utils import translation

    from tests.factories import UserFactory

    odd = OrganisationFactory(tenant=world_a.tenant, name="Femmes <unies> & paix", acronym="")
    AssessmentFactory(tenant=world_a.tenant, organisation=odd, facilitator=UserFactory(full_name="", email="f@x.org"))
    AssessmentFactory(tenant=world_a.tenant, organisation=world_a.organisation, kind=AssessmentKind.FOLLOW_UP,
                      status=AssessmentStatus.COMPLETED, facilitator=UserFactory(full_name="Awa \"Sidibé\" <T>"))
    for path in (_url(world_a, "assessment_list"),
                 _url(world_a, "organisation_assessments", organisation_pk=world_a.organisation.pk)):
        with translation.override(language):
            response = world_a.client_for(Role.MANAGER).get(path, HTTP_ACCEPT_LANGUAGE=language)
            page = response.context["page"]
            expected = engines["django"].from_string("{% load i18n %}" + ASSESSMENT_LOOP).render(
                {"page": page, "current_tenant": world_a.tenant})
        assert len(page) >= 1
        assert f"<tbody>\n{expected}\n</tbody>" in response.content.decode()
    html = world_a.client_for(Role.MANAGER).get(_url(world_a, "assessment_list")).content.decode()
    assert "Femmes &lt;unies&gt; &amp; paix" in html and "f@x.org" in html
    empty = world_b.client_for(Role.MANAGER).get(_url(world_b, "assessment_list")).content.decode()
    assert '<tbody>\n<tr><td colspan="5">' in empty


def test_an_applicant_reads_only_its_own_organisation(framework_a):
    world = framework_a
    other = OrganisationFactory(tenant=world.tenant, name="Autre association")
    theirs = _scored(world, date=dt.date(2026, 2, 2), organisation=other)
    mine = _scored(world, date=dt.date(2026, 2, 3))
    client = world.client_for(Role.APPLICANT)
    listing = client.get(_url(world, "assessment_list")).content.decode()
    assert f"/assessments/{mine.pk}/" in listing and f"/assessments/{theirs.pk}/" not in listing
    assert client.get(_url(world, "assessment_detail", assessment_pk=theirs.pk)).status_code == 404
    assert client.get(_url(world, "organisation_progress", organisation_pk=other.pk)).status_code == 404
    # Read-only scores: no score form for the CSO.
    page = client.get(_url(world, "assessment_detail", assessment_pk=mine.pk)).content.decode()
    assert 'type="radio"' not in page


def test_other_workspaces_assessments_are_404(frameworks):
    world_a, world_b = frameworks
    theirs = _scored(world_b, date=dt.date(2026, 2, 2))
    for role in (Role.MANAGER, Role.TRAINER, Role.APPLICANT):
        client = world_a.client_for(role)
        assert client.get(_url(world_a, "assessment_detail", assessment_pk=theirs.pk)).status_code == 404
        assert client.get(_url(world_a, "organisation_assessments",
                               organisation_pk=world_b.organisation.pk)).status_code == 404


def test_the_applicant_moves_its_action_items_but_does_not_rewrite_them(framework_a):
    world = framework_a
    assessment = _scored(world, date=dt.date(2026, 2, 2))
    item = ActionItemFactory(tenant=world.tenant, assessment=assessment, item="Adopter un manuel")
    client = world.client_for(Role.APPLICANT)
    url = _url(world, "action_plan", assessment_pk=assessment.pk)
    data = form_data(client.get(url).content)
    data["items-0-status"] = ["in_progress"]
    data["items-0-item"] = ["Texte réécrit"]  # a disabled field: ignored
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.item) == ("in_progress", "Adopter un manuel")
    event = AuditEvent.objects.get(action="action_item.mark_in_progress", target_id=str(item.pk))
    assert event.before == {"status": "open"} and event.actor == world.user(Role.APPLICANT)
    with pytest.raises(Refused):
        action_plan_save(actor=world.actor(Role.APPLICANT), assessment=assessment,
                         rows=[{"id": None, "delete": False, "item": "Nouvelle", "status": "open"}])
    assert ActionItem.objects.filter(assessment=assessment).count() == 1


def test_the_applicant_cannot_score(framework_a):
    world = framework_a
    assessment = AssessmentFactory(tenant=world.tenant, organisation=world.organisation,
                                   facilitator=world.user(Role.MANAGER))
    sub_area = _sub_areas(world.tenant)[0]
    response = world.client_for(Role.APPLICANT).post(
        _url(world, "assessment_detail", assessment_pk=assessment.pk), {f"score_{sub_area.pk}": "4"})
    assert response.status_code == 403
    assert not AssessmentScore.objects.filter(assessment=assessment).exists()


def test_a_trainer_scores_and_completes_in_the_browser(framework_a):
    world = framework_a
    client = world.client_for(Role.TRAINER)
    response = client.post(_url(world, "assessment_create"), {
        "organisation": world.organisation.acronym, "date": "2026-04-01", "kind": "baseline",
        "facilitator": world.user(Role.TRAINER).pk})
    assessment = Assessment.objects.get(tenant=world.tenant)
    assert response.status_code == 302
    url = _url(world, "assessment_detail", assessment_pk=assessment.pk)
    data = form_data(client.get(url).content)
    for sa in _sub_areas(world.tenant):
        data[f"score_{sa.pk}"] = ["3"]
    data[f"note_{_sub_areas(world.tenant)[0].pk}"] = ["Statuts à jour"]
    assert client.post(url, data).status_code == 302
    assert client.post(_url(world, "assessment_complete", assessment_pk=assessment.pk)).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert AssessmentScore.objects.get(assessment=assessment, sub_area=_sub_areas(world.tenant)[0]).note == \
        "Statuts à jour"


def test_only_managers_edit_the_framework(framework_a):
    world = framework_a
    sub_area = _sub_areas(world.tenant)[0]
    for role in (Role.TRAINER, Role.APPLICANT, Role.REVIEWER, Role.FINANCE):
        client = world.client_for(role)
        assert client.get(_url(world, "assessment_framework")).status_code == 403
        assert client.get(_url(world, "assessment_sub_area_edit", assessmentsubarea_pk=sub_area.pk)).status_code \
            == 404
    assert world.client_for(Role.MANAGER).get(_url(world, "assessment_framework")).status_code == 200


# --- two tabs --------------------------------------------------------------------------------------

def test_scores_in_two_tabs_the_second_save_of_the_same_sub_area_is_refused(framework_a):
    world = framework_a
    assessment = AssessmentFactory(tenant=world.tenant, organisation=world.organisation,
                                   facilitator=world.user(Role.TRAINER))
    first, second = _sub_areas(world.tenant)[:2]
    client = world.client_for(Role.TRAINER)
    url = _url(world, "assessment_detail", assessment_pk=assessment.pk)
    tab1, tab2 = form_data(client.get(url).content), form_data(client.get(url).content)
    tab1[f"score_{first.pk}"] = ["2"]
    assert client.post(url, tab1).status_code == 302
    tab2[f"score_{first.pk}"] = ["4"]
    response = client.post(url, tab2)
    assert response.status_code == 409
    assert AssessmentScore.objects.get(assessment=assessment, sub_area=first).score == 2
    # Checked and saved again: it goes through.
    again = form_data(response.content)
    assert again[f"score_{first.pk}"] == ["4"]
    assert client.post(url, again).status_code == 302
    assert AssessmentScore.objects.get(assessment=assessment, sub_area=first).score == 4
    # A tab left open while the action plan (same record, another page) was saved still saves its scores:
    # the plan changed nothing this page shows.
    tab3 = form_data(client.get(url).content)
    plan_url = _url(world, "action_plan", assessment_pk=assessment.pk)
    plan = form_data(client.get(plan_url).content)
    plan["items-0-item"], plan["items-0-status"] = ["Tenir un registre des biens"], ["open"]
    assert client.post(plan_url, plan).status_code == 302
    tab3[f"score_{second.pk}"] = ["3"]
    assert client.post(url, tab3).status_code == 302
    scores = {s.sub_area_id: s.score for s in AssessmentScore.objects.filter(assessment=assessment)}
    assert scores == {first.pk: 4, second.pk: 3}
    assert ActionItem.objects.get(assessment=assessment).item == "Tenir un registre des biens"


def test_the_action_plan_in_two_tabs(framework_a):
    world = framework_a
    assessment = _scored(world, date=dt.date(2026, 2, 2))
    ActionItemFactory(tenant=world.tenant, assessment=assessment, item="Recruter un comptable")
    client = world.client_for(Role.MANAGER)
    url = _url(world, "action_plan", assessment_pk=assessment.pk)
    tab1, tab2 = form_data(client.get(url).content), form_data(client.get(url).content)
    tab1["items-0-owner"] = ["Présidente"]
    assert client.post(url, tab1).status_code == 302
    tab2["items-0-owner"] = ["Trésorier"]
    assert client.post(url, tab2).status_code == 409
    assert ActionItem.objects.get(assessment=assessment).owner == "Présidente"


def test_a_sub_area_in_two_tabs(framework_a):
    world = framework_a
    sub_area = _sub_areas(world.tenant)[0]
    client = world.client_for(Role.MANAGER)
    url = _url(world, "assessment_sub_area_edit", assessmentsubarea_pk=sub_area.pk)
    tab1, tab2 = form_data(client.get(url).content), form_data(client.get(url).content)
    tab1["text_fr_4"] = ["Statuts revus chaque année"]
    assert client.post(url, tab1).status_code == 302
    tab2["text_fr_4"] = ["Autre texte"]
    assert client.post(url, tab2).status_code == 409
    assert LevelDescriptor.objects.get(sub_area=sub_area, level=4).text_fr == "Statuts revus chaque année"


def test_the_domain_page_adds_a_sub_area_with_empty_descriptors(framework_a):
    world = framework_a
    domain = AssessmentDomain.objects.filter(tenant=world.tenant).first()
    client = world.client_for(Role.MANAGER)
    url = _url(world, "assessment_domain_edit", assessmentdomain_pk=domain.pk)
    data = form_data(client.get(url).content)
    extra = int(data["sub-TOTAL_FORMS"][0]) - 1
    data[f"sub-{extra}-name_fr"], data[f"sub-{extra}-order"] = ["Éthique"], ["9"]
    assert client.post(url, data).status_code == 302
    added = AssessmentSubArea.objects.get(tenant=world.tenant, name_fr="Éthique")
    assert added.domain_id == domain.pk and added.descriptors.count() == 4


# --- page weight and queries -------------------------------------------------------------------------

def test_the_scoring_page_fits_the_budget(framework_a):
    world = framework_a
    assessment = _scored(world, date=dt.date(2026, 2, 2), complete=False)
    response = world.client_for(Role.TRAINER).get(_url(world, "assessment_detail", assessment_pk=assessment.pk))
    assert response.status_code == 200
    size = len(gzip.compress(response.content, compresslevel=6))
    assert size <= 14 * 1024, size


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["assessment_list", "organisation_assessments", "organisation_progress"])
def test_lists_cost_the_same_queries_for_few_or_many_assessments(framework_a, name):
    world = framework_a
    client = world.client_for(Role.MANAGER)
    kwargs = {} if name == "assessment_list" else {"organisation_pk": world.organisation.pk}
    url = _url(world, name, **kwargs)
    client.get(url)
    for day in (1, 2):
        _scored(world, date=dt.date(2026, 1, day))
    few = _queries(client, url)
    for day in range(3, 20):
        _scored(world, date=dt.date(2026, 1, day), organisation=OrganisationFactory(tenant=world.tenant)
                if day % 2 else None)
    assert _queries(client, url) == few
