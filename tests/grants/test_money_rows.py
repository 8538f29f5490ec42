"""The award list and the finance page write their filter form and rows in one pass (grants.tables,
throughput at scale, issue 10): the pages must show exactly what the template loops they replaced
showed, in both languages, odd values included; and read only the columns their rows show."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from grants.models import AwardStatus, DisbursementStatus, Tranche
from grants.selectors.finance import FINANCE_ROW_FIELDS, AwardFilters, awaiting_approval, filtered_awards
from relais.models import Role
from relais.money import Currency
from tests.factories import OrganisationFactory, RegionFactory
from tests.grants.factories import CallFactory, DisbursementFactory
from tests.grants.test_views_finance import award_with_money, populate

pytestmark = pytest.mark.django_db

FILTERS = """{% load i18n %}<form method="get" class="filters">
<div class="field"><label for="q">{% translate "Search" %}</label><input type="search" name="q" id="q" value="{{ filters.q }}" maxlength="200" placeholder="{% translate 'Reference or organisation' %}"></div>
{% if calls %}<div class="field"><label for="call">{% translate "Call" %}</label><select name="call" id="call"><option value="">{% translate "All" %}</option>{% for call in calls %}<option value="{{ call.pk }}"{% if call.pk == filters.call %} selected{% endif %}>{{ call.title|truncatechars:60 }}</option>{% endfor %}</select></div>{% endif %}
{% if regions %}<div class="field"><label for="region">{% translate "Region" %}</label><select name="region" id="region"><option value="">{% translate "All" %}</option>{% for region in regions %}<option value="{{ region.pk }}"{% if region.pk == filters.region %} selected{% endif %}>{{ region.name }}</option>{% endfor %}</select></div>{% endif %}
<div class="field"><label for="currency">{% translate "Currency" %}</label><select name="currency" id="currency"><option value="">{% translate "All" %}</option>{% for value, label in currencies %}<option value="{{ value }}"{% if value == filters.currency %} selected{% endif %}>{{ value }}</option>{% endfor %}</select></div>
<div class="field"><label for="status">{% translate "Status" %}</label><select name="status" id="status"><option value="">{% translate "All" %}</option>{% for value, label in statuses %}<option value="{{ value }}"{% if value == filters.status %} selected{% endif %}>{{ label }}</option>{% endfor %}</select></div>
<button type="submit" class="secondary">{% translate "Filter" %}</button></form>
"""  # noqa: E501 - templates/grants/_award_filters.html as it was

AWARD_LOOP = """{% load relais_money %}{% for award in page %}<tr>
<td class="key"><a href="{% url 'grants:award_detail' tenant_slug=current_tenant.slug award_pk=award.pk %}">{{ award.reference }}</a></td>
<td>{{ award.organisation.short_name }}</td><td class="secondary-col">{{ award.call.title }}</td>
<td class="num">{{ award.amount|money:award.currency }}</td><td class="num secondary-col">{{ award.paid|money:award.currency }}</td><td><span class="badge">{{ award.get_status_display }}</span></td></tr>
{% endfor %}"""  # noqa: E501 - the loop as templates/grants/award_list.html held it

FINANCE_AWARD_LOOP = """{% load relais_money %}{% for award in page %}<tr><td class="key"><a href="{% url 'grants:award_detail' tenant_slug=current_tenant.slug award_pk=award.pk %}">{{ award.reference }}</a></td><td>{{ award.organisation.short_name }}</td><td class="secondary-col">{{ award.organisation.region.name|default:"—" }}</td>
<td class="num secondary-col">{{ award.amount|money:award.currency }}</td><td class="num secondary-col">{{ award.committed|money:award.currency }}</td><td class="num">{{ award.paid|money:award.currency }}</td><td class="num">{{ award.remaining|money:award.currency }}</td><td class="secondary-col"><span class="badge">{{ award.get_status_display }}</span></td></tr>
{% endfor %}"""  # noqa: E501 - the loop as templates/grants/finance.html held it

TRANCHE_LOOP = """{% load i18n relais relais_money %}{% for row in tranches %}{% with tranche=row.tranche award=row.tranche.award %}<tr>
<td class="key"><a href="{% url 'grants:award_detail' tenant_slug=current_tenant.slug award_pk=award.pk %}#tranches">{{ award.reference }}</a></td><td class="secondary-col">{{ award.organisation.short_name }}</td>
<td>{{ tranche.number }}{% if tranche.due_date %} <span class="muted">{{ tranche.due_date|date:"d/m/Y" }}</span>{% endif %}</td><td class="num">{{ tranche.remaining|money:award.currency }}</td>
<td>{% if row.ready %}<span class="badge ok">{% translate "Ready to pay" %}</span>{% else %}<span class="badge warn">{% translate "Not ready" %}</span><ul class="conditions">{% for c in row.problems %}<li>{{ c.label }}{% colon %} <span class="muted">{{ c.problem }}</span></li>{% endfor %}</ul>{% endif %}</td></tr>{% endwith %}
{% endfor %}"""  # noqa: E501 - the loop as templates/grants/finance.html held it

AWAITING_LOOP = """{% load i18n relais_money %}{% for payment in awaiting %}<tr><td class="key"><a href="{% url 'grants:award_detail' tenant_slug=current_tenant.slug award_pk=payment.award_id %}#payments">{{ payment.award.reference }}</a> <span class="muted">{{ payment.award.organisation.short_name }}</span></td>
<td>{{ payment.tranche.number }}</td><td class="num">{{ payment.amount|money:payment.currency }}</td>
<td class="secondary-col">{% if payment.recorded_by_id == request.user.pk %}{% translate "You (another finance member approves)" %}{% else %}{{ payment.recorded_by.display_name|default:"—" }}{% endif %}</td></tr>
{% endfor %}"""  # noqa: E501 - the loop as templates/grants/finance.html held it

PROCESSING_LOOP = """{% load i18n relais_money %}{% for row in processing %}{% with payment=row.payment %}<tr><td class="key"><a href="{% url 'grants:award_detail' tenant_slug=current_tenant.slug award_pk=payment.award_id %}#payments">{{ payment.award.reference }}</a></td>
<td>{{ payment.get_rail_display }}{% if row.not_sent %} <span class="badge warn">{% translate "Not sent yet" %}</span>
<br><small class="muted">{% if payment.send_stalled_at %}{% blocktranslate with date=payment.send_stalled_at|date:"d/m/Y H:i" count n=payment.send_attempts trimmed %}Stripe did not answer {{ n }} attempt; Relais stopped trying on {{ date }}.{% plural %}Stripe did not answer {{ n }} attempts; Relais stopped trying on {{ date }}.{% endblocktranslate %}{% elif payment.send_attempts %}{% blocktranslate with n=payment.send_attempts max=max_send_attempts trimmed %}Attempt {{ n }} of {{ max }} failed; Relais will try again.{% endblocktranslate %}{% else %}{% translate "No answer from Stripe yet." %}{% endif %}</small>
{% if can_resend %}<span class="actions"><form method="post" action="{% url 'grants:disbursement_send_again' tenant_slug=current_tenant.slug disbursement_pk=payment.pk %}" class="inline">{% csrf_token %}<button type="submit" class="secondary">{% translate "Try again" %}</button></form>{% if payment.send_stalled_at %} <a class="button secondary" href="{% url 'grants:disbursement_mark_not_sent' tenant_slug=current_tenant.slug disbursement_pk=payment.pk %}">{% translate "Mark failed…" %}</a>{% endif %}</span>{% endif %}{% endif %}</td>
<td class="num">{{ payment.amount|money:payment.currency }}</td><td class="secondary-col">{{ payment.created_at|date:"d/m/Y H:i" }}</td></tr>{% endwith %}
{% empty %}<tr><td colspan="4">{% translate "No payment in progress." %}</td></tr>{% endfor %}"""  # noqa: E501 - the loop as templates/grants/finance.html held it


FINANCE_PAGE = """{% extends "base.html" %}{% load i18n relais relais_money %}
{% block head_title %}{% translate "Finance" %}{% endblock %}
{% block content %}
<h1>{% translate "Finance" %}</h1>
{{ filters_html }}
<form method="post" action="{% url 'grants:finance_export' tenant_slug=current_tenant.slug %}" class="actions">{% csrf_token %}{% for name, value in export_filters.items %}<input type="hidden" name="{{ name }}" value="{{ value }}">{% endfor %}{% translate "Export the filtered awards:" %} <button type="submit" name="format" value="csv" class="secondary">CSV</button> <button type="submit" name="format" value="xlsx" class="secondary">XLSX</button></form>

<section class="card" id="totals"><h2>{% translate "Totals per currency" %}</h2>
<p class="muted">{% translate "Each currency is added up on its own: amounts in different currencies are never summed." %}</p>
<div class="table-wrap"><table><thead><tr><th scope="col">{% translate "Currency" %}</th><th scope="col" class="num secondary-col">{% translate "Awards" %}</th><th scope="col" class="num">{% translate "Awarded" %}</th><th scope="col" class="num">{% translate "Committed" %}</th><th scope="col" class="num">{% translate "Paid" %}</th><th scope="col" class="num">{% translate "Remaining" %}</th></tr></thead><tbody>
{% for row in totals %}<tr><th scope="row">{{ row.currency }}</th><td class="num secondary-col">{{ row.awards }}</td><td class="num">{{ row.amount|money:row.currency }}</td><td class="num">{{ row.committed|money:row.currency }}</td><td class="num">{{ row.paid|money:row.currency }}</td><td class="num">{{ row.remaining|money:row.currency }}</td></tr>
{% empty %}<tr><td colspan="6">{% translate "No award matches these filters." %}</td></tr>{% endfor %}
</tbody></table></div></section>

<section class="card" id="to-pay"><h2>{% translate "Tranches to pay" %}</h2>
<p class="muted">{% translate "Tranches of active awards with money left on them, soonest due first; a tranche is ready when all its conditions are met." %}</p>
<div class="table-wrap"><table><thead><tr><th scope="col" class="key">{% translate "Award" %}</th><th scope="col" class="secondary-col">{% translate "Organisation" %}</th><th scope="col">{% translate "Tranche" %}</th><th scope="col" class="num">{% translate "Left to pay" %}</th><th scope="col">{% translate "Ready?" %}</th></tr></thead><tbody>
{{ tranche_rows }}{% if not tranches %}<tr><td colspan="5">{% translate "No tranche to pay." %}</td></tr>{% endif %}
</tbody></table></div>{% if more_tranches %}<p class="muted">{% translate "More tranches are waiting: narrow the filters to see them." %}</p>{% endif %}</section>

<section class="card" id="awaiting"><h2>{% translate "Payments awaiting second approval" %}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col" class="key">{% translate "Award" %}</th><th scope="col">{% translate "Tranche" %}</th><th scope="col" class="num">{% translate "Amount" %}</th><th scope="col" class="secondary-col">{% translate "Recorded by" %}</th></tr></thead><tbody>
{{ awaiting_rows }}{% if not awaiting %}<tr><td colspan="4">{% translate "No payment awaits approval." %}</td></tr>{% endif %}
</tbody></table></div>{% if more_awaiting %}<p class="muted">{% translate "More payments are waiting: narrow the filters to see them." %}</p>{% endif %}</section>

<section class="card" id="processing"><h2>{% translate "Automated payments processing" %}</h2>
<p class="muted">{% translate "Sent through Stripe or HUB2 and not confirmed by the provider yet." %}</p>
<div class="table-wrap"><table><thead><tr><th scope="col" class="key">{% translate "Award" %}</th><th scope="col">{% translate "Payment method" %}</th><th scope="col" class="num">{% translate "Amount" %}</th><th scope="col" class="secondary-col">{% translate "Sent on" %}</th></tr></thead><tbody>
{{ processing_rows }}{% if not processing %}<tr><td colspan="4">{% translate "No payment in progress." %}</td></tr>{% endif %}
</tbody></table></div>{% if more_processing %}<p class="muted">{% translate "More payments are in progress: narrow the filters to see them." %}</p>{% endif %}</section>

<section class="card" id="awards"><h2>{% translate "Awards" %}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col" class="key">{% translate "Reference" %}</th><th scope="col">{% translate "Organisation" %}</th><th scope="col" class="secondary-col">{% translate "Region" %}</th><th scope="col" class="num secondary-col">{% translate "Awarded" %}</th><th scope="col" class="num secondary-col">{% translate "Committed" %}</th><th scope="col" class="num">{% translate "Paid" %}</th><th scope="col" class="num">{% translate "Remaining" %}</th><th scope="col" class="secondary-col">{% translate "Status" %}</th></tr></thead><tbody>
{{ award_rows }}{% if not page %}<tr><td colspan="8">{% translate "No award matches these filters." %}</td></tr>{% endif %}
</tbody></table></div>
{% include "relais/pagination.html" %}</section>
{% endblock %}
"""  # noqa: E501 - templates/grants/finance.html as it was, its sections a template


def _odd_money(world):
    """Awards whose texts need escaping, a long call title, a region or none, two currencies, unmet
    conditions, payments recorded by the viewer, by someone without a name and by nobody."""
    from tests.factories_dd import DueDiligenceItemFactory

    DueDiligenceItemFactory(tenant=world.tenant, required=True)  # nobody has sent it: not ready
    region = RegionFactory(tenant=world.tenant, name="Ségou & <Bla>")
    tricky = OrganisationFactory(tenant=world.tenant, name="Femmes & <paix> d'Ansongo", acronym="", region=region)
    plain = OrganisationFactory(tenant=world.tenant, acronym="AJP", region=None)
    call = CallFactory(tenant=world.tenant, title_fr="Appel « A&B » " + "très long " * 8,
                       title_en="Call <A&B> " + "very long " * 8, status="decided")
    first, tranche = award_with_money(world, organisation=tricky, call=call, currency="EUR", amount=Decimal("12000.5"),
                                      committed=Decimal("2000.25"), paid=Decimal("1000"), reference="PD<1>&2")
    Tranche.objects.filter(pk=tranche.pk).update(due_date=dt.date(2026, 3, 31))
    second, other = award_with_money(world, organisation=plain, committed=Decimal("300000"))
    award_with_money(world, status=AwardStatus.SIGNED)
    finance = world.user(Role.FINANCE)
    nameless = world.user(Role.MANAGER)
    nameless.full_name = ""
    nameless.save()
    for recorder, award, paid_from in ((finance, first, tranche), (nameless, second, other), (None, second, other)):
        DisbursementFactory(tenant=world.tenant, award=award, tranche=paid_from, amount=Decimal("100"),
                            currency=award.currency, status=DisbursementStatus.AWAITING_APPROVAL, recorded_by=recorder)
    return call, region


def _render(source: str, context: dict) -> str:
    return engines["django"].from_string(source).render(context)


def filter_choices(*, actor):
    """The querysets the award list's and the finance page's drop-downs were read with."""
    from django.db.models import Exists, OuterRef

    from grants.models import Award, Call
    from orgs.models import Region

    with_awards = Exists(Award.objects.filter(tenant=actor.tenant, call=OuterRef("pk")))
    calls = Call.objects.filter(with_awards, tenant=actor.tenant).order_by("-id").only("pk", "title_fr", "title_en")
    return {"calls": list(calls[:200]),
            "regions": list(Region.objects.filter(tenant=actor.tenant).order_by("ordering", "name").only("pk", "name"))}


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE, Role.APPLICANT])
def test_the_award_list_is_what_its_template_loops_wrote(world_a, role, language):
    call, region = _odd_money(world_a)
    award_with_money(world_a, organisation=world_a.organisation)
    client = world_a.client_for(role)
    params = {"call": call.pk, "region": region.pk, "currency": "EUR", "status": "active", "q": "pd<1>"}
    with translation.override(language):
        for query in ({}, params):
            response = client.get(world_a.url("awards/"), query, HTTP_ACCEPT_LANGUAGE=language)
            page = response.content.decode()
            context = response.context
            staff = role != Role.APPLICANT
            choices = filter_choices(actor=world_a.actor(role)) if staff else {}
            filters = _render(FILTERS, {"filters": context["filters"], "currencies": Currency.choices,
                                        "statuses": AwardStatus.choices, **choices})
            rows = _render(AWARD_LOOP, {"page": context["page"], "current_tenant": world_a.tenant})
            assert filters in page
            assert ("très long" in filters or "very long" in filters) == staff
            assert rows in page.split("<tbody>", 1)[1]
            assert page.split("<tbody>", 1)[1].count("<tr>") == max(len(context["page"]), 1)
            assert len(context["page"]) == ((1 if query else 4) if staff else (0 if query else 1))
            assert ("selected" in filters) == bool(query)


def finance_awards(*, actor, query):
    """The award instances the finance page's table was read as (the view now reads values: FinanceAwardRow)."""
    return list(filtered_awards(actor=actor, filters=AwardFilters.from_query(query)).select_related(None)
                .select_related("organisation__region").only(*FINANCE_ROW_FIELDS)[:25])


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE])
@pytest.mark.parametrize("filtered", [False, True])
def test_the_finance_page_is_what_its_template_loops_wrote(world_a, role, language, filtered):
    call, region = _odd_money(world_a)
    client = world_a.client_for(role)
    query = {"q": "pd<1>"} if filtered else {}
    awards = finance_awards(actor=world_a.actor(role), query=query)
    awaiting = list(awaiting_approval(actor=world_a.actor(role), filters=AwardFilters.from_query(query))[:10])
    with translation.override(language):
        response = client.get(world_a.url("finance/"), query, HTTP_ACCEPT_LANGUAGE=language)
        page = response.content.decode()
        context = response.context
        base = {"current_tenant": world_a.tenant, "request": response.wsgi_request}
        expected = [
            _render(FILTERS, {"filters": context["filters"], "currencies": Currency.choices,
                              "statuses": AwardStatus.choices, **filter_choices(actor=world_a.actor(role))}),
            _render(FINANCE_AWARD_LOOP, {**base, "page": awards}),
            _render(TRANCHE_LOOP, {**base, "tranches": context["tranches"]}),
            _render(AWAITING_LOOP, {**base, "awaiting": awaiting}),
        ]
    assert [award.pk for award in context["page"]] == [award.pk for award in awards]
    assert [payment.pk for payment in context["awaiting"]] == [payment.pk for payment in awaiting]
    assert len(context["page"]) == (1 if filtered else 3) and len(context["awaiting"]) == (1 if filtered else 3)
    assert any(row.problems for row in context["tranches"]) and context["tranches"]
    for html in expected:
        assert html in page
    assert "Femmes &amp; &lt;paix&gt;" in page and "PD&lt;1&gt;&amp;2" in page and "31/03/2026" in page


@pytest.mark.parametrize(("role", "path", "wide"), [
    (Role.MANAGER, "awards/", ('"grants_award"."end_reason"', '"orgs_organisation"."description"',
                               '"grants_call"."description_fr"')),
    (Role.APPLICANT, "awards/", ('"grants_award"."end_reason"', '"orgs_organisation"."description"')),
    (Role.FINANCE, "finance/", ('"grants_award"."end_reason"', '"grants_call"."description_fr"')),
])
def test_the_money_lists_read_only_the_columns_their_rows_show(world_a, role, path, wide):
    _odd_money(world_a)
    award_with_money(world_a, organisation=world_a.organisation)
    with CaptureQueriesContext(connection) as queries:
        response = world_a.client_for(role).get(world_a.url(path))
    assert response.status_code == 200
    # The ORM's page query, or the finance page's hand-written one (grants.selectors.finance.WorkspaceAwardRows,
    # its tables under aliases, the totals first: the columns are looked for by their own names).
    pages = [q["sql"] for q in queries.captured_queries
             if q["sql"].startswith(('SELECT "grants_award"."id"', 'SELECT 0, a."currency"'))
             and "ORDER BY" in q["sql"]
             and 'FROM "grants_award"' in q["sql"]]
    assert len(pages) == 1, pages
    for column in wide:
        assert column not in pages[0] and column.split(".")[1] not in pages[0], column


REPORT_FILTERS = """{% load i18n %}<form method="get" class="filters">
<div class="field"><label for="f-status">{% translate "Status" %}</label><select name="status" id="f-status"><option value="">{% translate "All" %}</option>{% for value, label in statuses %}<option value="{{ value }}"{% if value == filters.status %} selected{% endif %}>{{ label }}</option>{% endfor %}</select></div>
<div class="field"><label for="f-timing">{% translate "Timing" %}</label><select name="timing" id="f-timing"><option value="">{% translate "All" %}</option><option value="overdue"{% if filters.overdue %} selected{% endif %}>{% translate "Overdue" %}</option></select></div>
<div class="field"><label for="f-call">{% translate "Call" %}</label><select name="call" id="f-call"><option value="">{% translate "All" %}</option>{% for c in calls %}<option value="{{ c.pk }}"{% if c.pk == filters.call_id %} selected{% endif %}>{{ c.title }}</option>{% endfor %}</select></div>
<div class="field"><label for="f-region">{% translate "Region" %}</label><select name="region" id="f-region"><option value="">{% translate "All" %}</option>{% for r in regions %}<option value="{{ r.pk }}"{% if r.pk == filters.region_id %} selected{% endif %}>{{ r.name }}</option>{% endfor %}</select></div>
<button type="submit" class="secondary">{% translate "Filter" %}</button></form>
"""  # noqa: E501 - the form as templates/grants/report_list.html held it

REPORT_LOOP = """{% load i18n %}{% for report, timing in rows %}<tr><td class="key"><a href="{% url 'grants:report_detail' tenant_slug=current_tenant.slug progressreport_pk=report.pk %}">{{ report.get_kind_display }} {{ report.number }}</a></td>
<td>{{ report.award.organisation.short_name }}{% if report.award.organisation.region %} <span class="muted">{{ report.award.organisation.region.name }}</span>{% endif %}</td><td class="secondary-col">{{ report.award.reference|default:report.award.title }}</td><td>{{ report.due_date|date:"d/m/Y" }}</td>
<td><span class="badge">{{ report.get_status_display }}</span> {% include "grants/report/_timing.html" %}</td></tr>
{% endfor %}"""  # noqa: E501 - the loop as templates/grants/report_list.html held it


def _odd_reports(world):
    from grants.models import Award, ReportKind, ReportStatus
    from tests.grants.factories import ProgressReportFactory

    call, region = _odd_money(world)
    today = timezone.localdate()
    awards = list(Award.objects.filter(tenant=world.tenant).order_by("id"))
    Award.objects.filter(pk=awards[1].pk).update(reference="")  # the title stands in for it
    statuses = [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.CHANGES_REQUESTED, ReportStatus.APPROVED]
    dues = [today - dt.timedelta(days=3), today + dt.timedelta(days=10), today + dt.timedelta(days=90), today]
    for i, award in enumerate(awards):
        for k, (status, due) in enumerate(zip(statuses, dues, strict=True)):
            ProgressReportFactory(tenant=world.tenant, award=award, number=k + 1, status=status,
                                  due_date=due + dt.timedelta(days=i),
                                  kind=ReportKind.FINAL if k == 3 else ReportKind.INTERIM)
    return call, region


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE])
def test_the_report_list_is_what_its_template_loops_wrote(world_a, role, language):
    from grants import selectors
    from grants.models import ReportStatus
    from grants.selectors.reports import report_search

    call, region = _odd_reports(world_a)
    client = world_a.client_for(role)
    actor = world_a.actor(role)
    with translation.override(language):
        for query in ({}, {"status": "draft", "timing": "overdue", "call": call.pk, "region": region.pk}):
            response = client.get(world_a.url("reports/"), query, HTTP_ACCEPT_LANGUAGE=language)
            page = response.content.decode()
            context = response.context
            today = timezone.localdate()
            expected_filters = _render(REPORT_FILTERS, {
                "filters": context["filters"], "statuses": ReportStatus.choices,
                "calls": list(selectors.call_list(actor=actor).order_by("-id")[:200]),
                "regions": list(selectors.region_list(actor=actor))})
            # The page's rows as the view read them before: report instances with their award, organisation
            # and region.
            reports = list(report_search(actor=actor, filters=context["filters"], today=today)[:25])
            assert [r.pk for r in reports] == [row.pk for row in context["page"]]
            rows = _render(REPORT_LOOP, {"rows": [(r, r.timing(today)) for r in reports],
                                         "current_tenant": world_a.tenant})
            assert expected_filters in page
            assert rows in page.split("<tbody>", 1)[1]
            assert page.split("<tbody>", 1)[1].count("<tr>") == max(len(context["page"]), 1)
            assert ("selected" in expected_filters) == bool(query)
            assert len(context["page"]) == (1 if query else 12)
    assert "badge warn" in rows


def test_the_report_list_reads_only_the_columns_its_rows_show(world_a):
    _odd_reports(world_a)
    with CaptureQueriesContext(connection) as queries:
        response = world_a.client_for(Role.MANAGER).get(world_a.url("reports/"))
    assert response.status_code == 200
    pages = [q["sql"] for q in queries.captured_queries if 'FROM "grants_progressreport"' in q["sql"]
             or 'FROM "grants_award"' in q["sql"]]
    assert len(pages) == 2, pages  # the window's reports, their awards' names
    for column in ('activities', 'safety_incidents', 'end_reason', 'description', '"grants_progressreport".*'):
        assert column not in "\n".join(pages), column


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE])
def test_the_filter_choices_statement_answers_what_the_querysets_did(worlds, role):
    """grants.selectors.choices: the calls (with awards, or published) and regions, in the querysets' order."""
    from grants import selectors
    from grants.models import CallStatus
    from grants.selectors.choices import filter_calls_and_regions

    world_a, world_b = worlds
    _odd_money(world_a)
    _odd_money(world_b)
    CallFactory(tenant=world_a.tenant, status=CallStatus.DRAFT, title_fr="Brouillon", title_en="")
    CallFactory(tenant=world_a.tenant, status=CallStatus.OPEN, title_fr="", title_en="Only English")
    for name, ordering in (("Tombouctou", 2), ("Bamako", 2), ("Éclair", 1), ("Zinder", 0)):
        RegionFactory(tenant=world_a.tenant, name=name, ordering=ordering)
    actor = world_a.actor(role)
    expected = filter_choices(actor=actor)
    calls, regions = filter_calls_and_regions(tenant_id=world_a.tenant.pk, with_awards=True)
    assert [(c.pk, c.title) for c in calls] == [(c.pk, c.title) for c in expected["calls"]] and calls
    assert [(r.pk, r.name) for r in regions] == [(r.pk, r.name) for r in expected["regions"]] and len(regions) > 4
    every = list(selectors.call_list(actor=actor).order_by("-id")[:200])
    calls, _regions = filter_calls_and_regions(tenant_id=world_a.tenant.pk, published=not actor.is_manager)
    for language in ("fr", "en"):
        with translation.override(language):
            assert [(c.pk, c.title) for c in calls] == [(c.pk, c.title) for c in every]
    assert len(every) > len(expected["calls"])
    assert any(c.title_fr == "Brouillon" for c in calls) == (role == Role.MANAGER)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE])
def test_the_report_list_pages_are_report_searchs_windows(worlds, role):
    """Unfiltered, the list's window is a hand-written statement: each page holds report_search's rows for it
    (reports to review first for managers, then by due date and id, ties included), never another workspace's."""
    from grants.models import ReportStatus
    from grants.selectors.reports import ReportFilters, report_search
    from tests.grants.factories import ProgressReportFactory

    world_a, world_b = worlds
    for world in worlds:
        award, _tranche = award_with_money(world)
        for k in range(30):
            ProgressReportFactory(tenant=world.tenant, award=award, number=k + 1,
                                  due_date=dt.date(2026, 1, 1) + dt.timedelta(days=k // 3),
                                  status=ReportStatus.SUBMITTED if k % 4 == 0 else ReportStatus.DRAFT)
    client = world_a.client_for(role)
    expected = [r.pk for r in report_search(actor=world_a.actor(role), filters=ReportFilters(),
                                            today=timezone.localdate())]
    shown = []
    for number in (1, 2):
        page = client.get(world_a.url("reports/"), {"page": number}).context["page"]
        shown += [row.pk for row in page]
    assert shown == expected and len(shown) == 30
    first = client.get(world_a.url("reports/")).context["page"].object_list[:8]
    assert all(row.status == ReportStatus.SUBMITTED for row in first) == (role == Role.MANAGER)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE])
def test_the_processing_payments_are_what_their_template_loop_wrote(world_a, role, language):
    """Payments at a provider: HUB2, Stripe sent, and Stripe not sent yet (never tried, failed attempts, stopped
    after one attempt or several, one on an award whose reference needs escaping); finance may try again."""
    import re

    from grants.models import Disbursement, Rail
    from grants.selectors.finance import processing_payments
    from grants.services.stripe import MAX_SEND_ATTEMPTS
    from grants.views.finance import processing_rows

    award, tranche = award_with_money(world_a, committed=Decimal("900000"), reference="PD<1>&2")
    stalled = dt.datetime(2026, 3, 31, 12, 45, tzinfo=dt.UTC)
    for rail, external_id, attempts, stalled_at in ((Rail.HUB2, "h2", 0, None), (Rail.STRIPE, "tr_1", 0, None),
                                                    (Rail.STRIPE, "", 0, None), (Rail.STRIPE, "", 2, None),
                                                    (Rail.STRIPE, "", 1, stalled), (Rail.STRIPE, "", 3, stalled)):
        payment = DisbursementFactory(tenant=world_a.tenant, award=award, tranche=tranche, rail=rail,
                                      amount=Decimal("1234.5"), currency=award.currency,
                                      status=DisbursementStatus.PROCESSING, external_id=external_id)
        Disbursement.objects.filter(pk=payment.pk).update(send_attempts=attempts, send_stalled_at=stalled_at)
    client = world_a.client_for(role)
    # The payment instances the section was read as (the view now reads values: PaymentRow).
    processing = processing_rows(list(processing_payments(actor=world_a.actor(role))[:10]))
    with translation.override(language):
        response = client.get(world_a.url("finance/"), HTTP_ACCEPT_LANGUAGE=language)
        page = response.content.decode()
        section = page.split('id="processing"', 1)[1].split("</section>", 1)[0]
        tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', section))
        assert len(tokens) == (1 if role == Role.FINANCE else 0)
        rows = _render(PROCESSING_LOOP, {"current_tenant": world_a.tenant, "processing": processing,
                                         "can_resend": role == Role.FINANCE, "max_send_attempts": MAX_SEND_ATTEMPTS,
                                         "csrf_token": next(iter(tokens), "")})
    assert [row.payment.pk for row in response.context["processing"]] == [row.payment.pk for row in processing]
    assert len(response.context["processing"]) == 6
    assert rows in section and section.count("<tr>") == 7  # the header's and the six payments'
    assert section.count("/mark-failed/") == (2 if role == Role.FINANCE else 0)
    assert "31/03/2026" in rows and "PD&lt;1&gt;&amp;2" in rows


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE])
@pytest.mark.parametrize("query", [{}, {"page": "2"}, {"currency": "EUR"}, {"currency": "GBP"}])
def test_the_finance_page_is_what_its_template_wrote(world_a, role, language, query):
    """The finance page's sections (grants.tables.finance_sections_html, relais.pagination.pagination_html) are
    what the template wrote around the same rows, byte for byte, the whole page compared: every section full with
    its note for more, a second page, a filtered view, and every section empty, in both languages."""
    import re

    _odd_money(world_a)
    populate(world_a, 23)  # more than a section shows, more awards than a page (26)
    response = world_a.client_for(role).get(world_a.url("finance/"), query, HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # one per render of the page
    with translation.override(language):
        expected = _render(FINANCE_PAGE, {**response.context[0].flatten(), "csrf_token": token})
    assert page == expected
    context = response.context
    if not query:
        assert context["more_tranches"] and context["more_awaiting"] and context["more_processing"]
        assert context["page"].has_next and 'rel="next"' in page and "badge warn" in page
    if query.get("currency") == "GBP":
        assert not (context["totals"] or context["tranches"] or context["awaiting"] or context["page"])


@pytest.mark.parametrize("text", ["", "Appel 6 : initiatives locales de paix", "Se\u0301gou", "x" * 60, "é" * 61,
                                  "Appel « A&B » " + "très long " * 8, "e\u0301" * 60, "e\u0301" * 61])
def test_a_call_title_is_shortened_as_truncatechars_shortens_it(text):
    """The filter form leaves a short title already in NFC as it is, without a Truncator (issue 10)."""
    from django.utils.text import Truncator

    from grants.tables import _truncated

    assert _truncated(text, 60) == Truncator(text).chars(60)
