"""The application and review lists write their rows in one pass (grants.tables, throughput at scale,
issue 10): the pages must show exactly what the template loops they replaced showed, to every role,
blind views included."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from grants.models import ApplicationStatus, ReviewStatus
from relais.models import Role
from tests.factories import OrganisationFactory
from tests.grants.conftest import review_of_organisation
from tests.grants.factories import ApplicationFactory, CallFactory, ReviewFactory

pytestmark = pytest.mark.django_db

APPLICATION_LOOP = """{% load i18n relais_money %}{% for app in page %}<tr>
<td class="key"><a href="{% url 'grants:application_detail' tenant_slug=current_tenant.slug application_pk=app.pk %}">{{ app.reference|default:_("draft") }}</a></td>
<td>{{ app.title|default:"—" }}</td>{% if organisation_column %}<td>{{ app.organisation.short_name }}</td>{% endif %}<td class="secondary-col">{{ app.call.title }}</td>
<td class="num">{{ app.requested_amount|money:app.call.currency }}</td><td><span class="badge">{{ app.get_status_display }}</span></td></tr>
{% endfor %}"""  # noqa: E501 - the loop as templates/grants/application_list.html held it

REVIEW_LOOP = """{% for r in page %}<tr><td><a href="{% url 'grants:review_detail' tenant_slug=current_tenant.slug review_pk=r.pk %}">{{ r.application.reference|default:r.application.pk }}</a> {{ r.application.title }}</td><td class="secondary-col">{{ r.application.call.title }}</td>{% if reviewer_column %}<td>{{ r.reviewer.display_name }}</td>{% endif %}<td><span class="badge">{{ r.get_status_display }}</span></td><td>{{ r.application.call.review_deadline|date:"SHORT_DATE_FORMAT"|default:"—" }}</td></tr>
{% endfor %}"""  # noqa: E501 - the loop as templates/grants/review_list.html held it


def _tbody(html: str) -> str:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def _odd_rows(world):
    tricky = OrganisationFactory(tenant=world.tenant, name="Femmes & <paix>", acronym="")
    call = CallFactory(tenant=world.tenant, title_fr="Appel « A&B »", title_en="Call <A&B>", currency="EUR",
                       review_deadline=dt.date(2026, 3, 31))
    ApplicationFactory(tenant=world.tenant, call=call, organisation=tricky, reference="PD-2026-001",
                       title='Dialogue "entre" <voisins>', status=ApplicationStatus.SUBMITTED,
                       requested_amount=Decimal("12500.5"))
    ApplicationFactory(tenant=world.tenant, call=call, reference="", title="",
                       status=ApplicationStatus.SCREENING, requested_amount=Decimal("1000000"))
    return call


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", [Role.MANAGER, Role.REVIEWER, Role.APPLICANT])
def test_application_rows_are_the_rows_of_the_template_loop(world_a, role, language):
    call = _odd_rows(world_a)
    for blind in (False, True):  # a reviewer's blind rows are views that hide the organisation
        review = review_of_organisation(world_a, blind=blind)
        review.application.reference = f"PD-2026-01{int(blind)}"
        review.application.save()
    ApplicationFactory(tenant=world_a.tenant, call=call, organisation=world_a.organisation,
                       status=ApplicationStatus.SUBMITTED)
    client = world_a.client_for(role)
    with translation.override(language):
        response = client.get(world_a.url("applications/"), HTTP_ACCEPT_LANGUAGE=language)
        context = response.context
        expected = engines["django"].from_string(APPLICATION_LOOP).render({
            "page": context["page"], "organisation_column": context["organisation_column"],
            "current_tenant": world_a.tenant})
    body = _tbody(response.content.decode())
    assert context["page"] and expected in body
    assert body.count("<tr>") == len(context["page"])
    if role == Role.MANAGER:
        assert "Femmes &amp; &lt;paix&gt;" in body


@pytest.mark.parametrize("role", [Role.MANAGER, Role.REVIEWER])
def test_review_rows_are_the_rows_of_the_template_loop(world_a, role):
    call = _odd_rows(world_a)
    for app in call.applications.all():
        ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER),
                      status=ReviewStatus.ASSIGNED)
    review_of_organisation(world_a, blind=True)
    review_of_organisation(world_a, OrganisationFactory(tenant=world_a.tenant))
    response = world_a.client_for(role).get(world_a.url("reviews/"))
    context = response.context
    expected = engines["django"].from_string(REVIEW_LOOP).render({
        "page": context["page"], "reviewer_column": context["reviewer_column"], "current_tenant": world_a.tenant})
    body = _tbody(response.content.decode())
    assert len(context["page"]) >= 4 and expected in body
    assert len(re.findall(r"<tr>", body)) == len(context["page"])
    assert "31/03/2026" in body and "—" in body  # a deadline, and none


@pytest.mark.parametrize(("path", "wide"), [
    ("applications/", ('"grants_application"."summary"', '"grants_application"."objectives"',
                       '"orgs_organisation"."description"')),
    ("reviews/", ('"grants_application"."summary"', '"grants_review"."comment"', '"relais_user"."password"')),
    ("organisations/", ('"orgs_organisation"."description"', '"orgs_organisation"."search_name"',
                        '"orgs_paymentdetails"')),
    ("members/", ('"relais_user"."password"', '"orgs_organisation"."description"')),
    ("due-diligence/", ('"orgs_organisation"."description"', '"orgs_organisation"."search_name"')),
])
def test_list_pages_read_only_the_columns_their_rows_show(world_a, path, wide):
    """A page of 25 rows read every column (narrative texts, JSON answers, payment details): more bytes from
    the database and more fields built per row than the rest of the page query (issue 10, throughput)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _odd_rows(world_a)
    review_of_organisation(world_a, blind=False)
    with CaptureQueriesContext(connection) as queries:
        response = world_a.client_for(Role.MANAGER).get(world_a.url(path))
    assert response.status_code == 200
    # The list's own queries (the kernel's session, user and membership reads are not the list's).
    sql = "\n".join(q["sql"] for q in queries.captured_queries
                    if any(f'FROM "{table}"' in q["sql"] for table in ("grants_application", "grants_review",
                                                                         "orgs_organisation"))
                    or ('FROM "relais_membership"' in q["sql"] and "LIMIT 1" not in q["sql"]))
    assert sql
    for column in wide:
        assert column not in sql, column
