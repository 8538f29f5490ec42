"""The audit log reads like a history: sentences, links, filters, CSV export, flat query count (issues 9, 10)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from grants.models import ApplicationStatus
from orgs.models import OrganisationStatus
from orgs.services.organisations import organisation_change_status
from relais.audit import audit_record
from relais.audit_describe import describe_events
from relais.audit_labels import audit_actions, audit_sentence
from relais.models import AuditEvent, Role
from relais.money import format_money
from tests.grants.factories import ApplicationFactory, CallFactory

pytestmark = pytest.mark.django_db


def _approve_event(world, *, reference="PD-2026-004", amount="6000000", actor=None):
    manager = world.user(Role.MANAGER)
    if actor is None:
        manager.full_name = "Aminata Traoré"
        manager.save()
        actor = manager
    call = CallFactory(tenant=world.tenant, currency="XOF")
    app = ApplicationFactory(tenant=world.tenant, call=call, organisation=world.organisation, reference=reference,
                             status=ApplicationStatus.APPROVED)
    event = audit_record(tenant=world.tenant, actor=actor, action="application.approve", target=app,
                         before={"status": "decision_pending"},
                         after={"status": "approved", "awarded_amount": Decimal(amount)})
    return app, event


def _describe(world, *events):
    return describe_events(list(AuditEvent.objects.filter(pk__in=[e.pk for e in events]).select_related("actor")),
                           tenant=world.tenant)


# --- sentences -------------------------------------------------------------------------------------

def test_an_approval_reads_as_a_french_sentence_with_states_and_amount(world_a):
    app, event = _approve_event(world_a)
    [row] = _describe(world_a, event)
    amount = format_money(Decimal("6000000"), "XOF", locale="fr")
    assert row.text == (f"Aminata Traoré a approuvé la demande PD-2026-004 "
                        f"de « En attente de décision » à « Approuvée » : {amount}")
    assert "FCFA" in amount
    url = f"/{world_a.tenant.slug}/applications/{app.pk}/"
    assert f'la demande <a href="{url}">PD-2026-004</a>' in row.html
    assert row.changes == []  # status and amount are in the sentence, nothing left as raw data


def test_an_approval_reads_as_an_english_sentence(world_a, english):
    _, event = _approve_event(world_a)
    [row] = _describe(world_a, event)
    amount = format_money(Decimal("6000000"), "XOF", locale="en")
    assert row.text == ("Aminata Traoré approved the application PD-2026-004 "
                        f"from “Decision pending” to “Approved”: {amount}")


def test_an_organisation_state_change_names_both_states_and_the_reason(world_a):
    manager = world_a.user(Role.MANAGER)
    manager.full_name = "Moussa Keïta"
    manager.save()
    organisation = world_a.organisation
    organisation_change_status(organisation=organisation, actor=world_a.actor(Role.MANAGER),
                               status=OrganisationStatus.SUSPENDED, reason="Rapport financier manquant")
    [row] = _describe(world_a, AuditEvent.objects.get(action="organisation.suspend"))
    assert row.text == (f"Moussa Keïta a suspendu l'organisation {organisation.short_name} "
                        f"de « {OrganisationStatus.PENDING.label} » à « {OrganisationStatus.SUSPENDED.label} »")
    assert row.reason_line == "Motif : Rapport financier manquant"
    assert [c.line for c in row.changes] == []  # the kept reason is the reason, not a raw key
    assert f"/organisations/{organisation.pk}/" in row.html


def test_a_membership_change_names_the_person_and_the_roles(world_a):
    target = world_a.members[Role.TRAINER]
    target.user.full_name = "Fatoumata Diarra"
    target.user.save()
    event = audit_record(tenant=world_a.tenant, actor=world_a.user(Role.MANAGER), action="membership.role_changed",
                         target=target, before={"role": "trainer", "organisation": None},
                         after={"role": "applicant", "organisation": world_a.organisation.pk})
    [row] = _describe(world_a, event)
    assert "a attribué un autre rôle à Fatoumata Diarra" in row.text
    lines = [c.line for c in row.changes]
    assert f"rôle : {Role.TRAINER.label} → {Role.APPLICANT.label}" in lines
    assert any(line.endswith(f"→ {world_a.organisation.short_name}") or
               line.endswith(world_a.organisation.short_name) for line in lines), lines
    assert "{" not in row.text + " ".join(lines)


def test_the_system_acts_as_relais(world_a):
    call = CallFactory(tenant=world_a.tenant)
    event = audit_record(tenant=world_a.tenant, actor=None, action="call.close", target=call,
                         before={"status": "open"}, after={"status": "closed"})
    [row] = _describe(world_a, event)
    assert row.text.startswith(f"Relais a clôturé l'appel « {call.title_fr} » de « ")


def test_unknown_keys_actions_and_objects_fall_back_to_readable_text(world_a):
    manager = world_a.user(Role.MANAGER)
    call = CallFactory(tenant=world_a.tenant)
    unknown_key = audit_record(tenant=world_a.tenant, actor=manager, action="call.updated", target=call,
                               before={"max_grant": "1", "obscure_flag": True},
                               after={"max_grant": "2", "obscure_flag": False, "tags": ["a", "b"]})
    unknown_action = audit_record(tenant=world_a.tenant, actor=manager, action="call.teleported", target=call)
    deleted = AuditEvent.objects.create(tenant=world_a.tenant, actor=manager, action="contact.deleted",
                                        target_type="orgs.contactperson", target_id="999999")
    foreign = AuditEvent.objects.create(tenant=world_a.tenant, actor=manager, action="call.updated",
                                        target_type="grants.budgetline", target_id="12")
    rows = {row.event.pk: row for row in _describe(world_a, unknown_key, unknown_action, deleted, foreign)}
    lines = [c.line for c in rows[unknown_key.pk].changes]
    assert "obscure flag : oui → non" in lines and "tags : a, b" in lines
    assert any(line.startswith("subvention maximale") or "→ 2" in line for line in lines), lines
    assert rows[unknown_action.pk].text.startswith(manager.display_name + " : call.teleported, l'appel")
    assert rows[deleted.pk].text == f"{manager.display_name} a retiré l'objet « personne de contact » n° 999999"
    assert rows[foreign.pk].text.endswith("a modifié l'objet « ligne budgétaire » n° 12")
    for row in rows.values():
        assert "{'" not in row.text and " #" not in row.text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_rows_are_written_as_the_template_loop_wrote_them(world_a, language):
    """events_html writes the page's <li> in one pass (throughput, issue 10): the same markup as the
    template loop it replaced, dates in the workspace's time zone, sentences, reasons and changes."""
    from django.template import engines

    from relais.audit_describe import events_html

    _, approve = _approve_event(world_a)
    organisation_change_status(organisation=world_a.organisation, actor=world_a.actor(Role.MANAGER),
                               status=OrganisationStatus.SUSPENDED, reason="Rapport <financier> & co")
    changed = audit_record(tenant=world_a.tenant, actor=world_a.user(Role.MANAGER), action="membership.role_changed",
                           target=world_a.members[Role.TRAINER], before={"role": "trainer", "note": "a<b"},
                           after={"role": "applicant", "note": "c&d"})
    loop = engines["django"].from_string(
        "{% for row in rows %}<li><time datetime=\"{{ row.event.created_at|date:'c' }}\">"
        "{{ row.event.created_at|date:\"SHORT_DATETIME_FORMAT\" }}</time> {{ row.html }}"
        "{% if row.reason or row.changes %}<ul>{% if row.reason %}<li>{{ row.reason_line }}</li>{% endif %}"
        "{% for c in row.changes %}<li>{{ c.line }}</li>{% endfor %}</ul>{% endif %}</li>{% endfor %}")
    suspended = AuditEvent.objects.get(action="organisation.suspend")
    with translation.override(language):
        rows = _describe(world_a, approve, suspended, changed)
        assert any(row.reason for row in rows) and any(row.changes for row in rows)
        assert str(events_html(rows)) == loop.render({"rows": rows})
    assert "&lt;financier&gt; &amp; co" in str(events_html(rows))


def test_every_action_with_a_label_has_a_sentence_in_french_and_english():
    with open(settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po", "rb") as handle:
        french = {(m.context, m.id): m.string for m in read_po(handle) if m.id}
    problems = []
    for code in audit_actions():
        with translation.override("en"):
            english = audit_sentence(code)
        if english is None or "%(actor)s" not in english:
            problems.append(f"{code}: no sentence (relais.audit_labels.register_audit_sentences)")
            continue
        with translation.override("fr"):
            if audit_sentence(code) == english:
                problems.append(f"{code}: {english!r} has no French translation")
    assert problems == []
    assert french  # the catalogue was read


# --- the page ---------------------------------------------------------------------------------------

def test_the_page_shows_sentences_with_links_and_no_raw_data(world_a):
    app, _ = _approve_event(world_a)
    page = world_a.client_for(Role.MANAGER).get(world_a.url("audit/")).content.decode()
    events = html.unescape(page[page.index('<ol class="audit">'):])
    assert "Aminata Traoré a approuvé la demande" in events
    assert f'href="/{world_a.tenant.slug}/applications/{app.pk}/"' in events
    assert "grants.application" not in events and "{'status" not in events and "decision_pending" not in events


def test_the_workspace_itself_is_named_without_a_query(world_a):
    """An event about the workspace (its settings) names it from the request's tenant, already read."""
    audit_record(tenant=world_a.tenant, actor=world_a.user(Role.MANAGER), action="tenant.updated",
                 target=world_a.tenant, before={"name": "Avant"}, after={"name": world_a.tenant.name})
    client = world_a.client_for(Role.MANAGER)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(world_a.url("audit/")).content.decode()
    settings_url = f'href="/{world_a.tenant.slug}/settings/"'
    assert settings_url in page
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "relais_tenant"')]


def _mixed_events(world, n, batch):
    manager = world.user(Role.MANAGER)
    calls = CallFactory.create_batch(2, tenant=world.tenant)
    apps = [ApplicationFactory(tenant=world.tenant, call=CallFactory(tenant=world.tenant),
                               organisation=world.organisation, reference=f"T-2026-{batch}{i:02}") for i in range(3)]
    targets = [*calls, *apps, world.organisation, world.members[Role.TRAINER]]
    for i in range(n):
        audit_record(tenant=world.tenant, actor=manager, action="call.updated", target=targets[i % len(targets)],
                     after={"call": calls[1].pk, "organisation": world.organisation.pk})


def test_the_page_query_count_does_not_grow_with_events(world_a):
    client = world_a.client_for(Role.MANAGER)
    client.get(world_a.url())  # the session's refresh stamp is written on the first view, not measured below
    _mixed_events(world_a, 10, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(world_a.url("audit/")).status_code == 200
    _mixed_events(world_a, 190, 2)
    AuditEvent.objects.filter(tenant=world_a.tenant).exclude(action="call.updated").delete()
    with CaptureQueriesContext(connection) as many:
        response = client.get(world_a.url("audit/?page=2"))
    assert response.status_code == 200 and response.content.decode().count("<time ") == 50
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    counts = [q["sql"] for q in many.captured_queries if "COUNT(" in q["sql"].upper() and "auditevent" in q["sql"]]
    assert not counts, counts


def test_non_managers_are_refused_the_page_and_the_export(world_a):
    for role in (Role.REVIEWER, Role.FINANCE, Role.TRAINER, Role.APPLICANT):
        client = world_a.client_for(role)
        assert client.get(world_a.url("audit/")).status_code == 403
        assert client.post(world_a.url("audit/export.csv")).status_code == 403
    assert not AuditEvent.objects.filter(action="audit_log.exported").exists()


# --- filters -----------------------------------------------------------------------------------------

def _texts(response) -> str:
    """The page with entities decoded (French apostrophes are escaped in HTML)."""
    return html.unescape(response.content.decode())


def test_filter_by_actor_name_or_email(world_a):
    _approve_event(world_a)
    finance = world_a.user(Role.FINANCE)
    finance.full_name = "Oumar Sangaré"
    finance.save()
    audit_record(tenant=world_a.tenant, actor=finance, action="call.updated", target=CallFactory(tenant=world_a.tenant))
    client = world_a.client_for(Role.MANAGER)
    page = _texts(client.get(world_a.url("audit/"), {"who": "sangar"}))
    assert "Oumar Sangaré a modifié" in page and "Aminata" not in page
    page = _texts(client.get(world_a.url("audit/"), {"who": finance.email.upper()}))
    assert "Oumar Sangaré a modifié" in page and "Aminata" not in page


def test_filter_by_action(world_a):
    _approve_event(world_a)
    audit_record(tenant=world_a.tenant, actor=world_a.user(Role.MANAGER), action="call.updated",
                 target=CallFactory(tenant=world_a.tenant))
    page = _texts(world_a.client_for(Role.MANAGER).get(world_a.url("audit/"), {"action": "call.updated"}))
    assert "a modifié l'appel" in page and "a approuvé" not in page
    # A bounded list, grouped by object: "Approuver" means an application, not a request to join.
    group = re.search(r'<optgroup label="Demande">(.*?)</optgroup>', page, re.S).group(1)
    assert 'value="application.approve"' in group and 'value="join_request.approve"' not in group


def test_filter_by_object_id_or_reference(world_a):
    app, _ = _approve_event(world_a, reference="PD-2026-004")
    other, _ = _approve_event(world_a, reference="PD-2026-005")
    client = world_a.client_for(Role.MANAGER)
    by_ref = _texts(client.get(world_a.url("audit/"), {"target_type": "grants.application", "target": "pd-2026-005"}))
    assert ">PD-2026-005<" in by_ref and ">PD-2026-004<" not in by_ref
    by_id = _texts(client.get(world_a.url("audit/"), {"target_type": "grants.application", "target": str(app.pk)}))
    assert ">PD-2026-004<" in by_id and ">PD-2026-005<" not in by_id
    by_type = _texts(client.get(world_a.url("audit/"), {"target_type": "grants.call"}))
    assert "PD-2026-00" not in by_type


def test_filter_by_dates_in_the_workspace_time_zone(world_a):
    _, old = _approve_event(world_a, reference="PD-2025-001")
    _, new = _approve_event(world_a, reference="PD-2026-002")
    bamako = ZoneInfo("Africa/Bamako")
    AuditEvent.objects.filter(pk=old.pk).update(created_at=dt.datetime(2026, 1, 10, 23, 30, tzinfo=bamako))
    AuditEvent.objects.filter(pk=new.pk).update(created_at=dt.datetime(2026, 1, 11, 0, 30, tzinfo=bamako))
    client = world_a.client_for(Role.MANAGER)
    page = _texts(client.get(world_a.url("audit/"), {"date_from": "2026-01-11", "date_to": "2026-01-11"}))
    assert ">PD-2026-002<" in page and ">PD-2025-001<" not in page
    page = _texts(client.get(world_a.url("audit/"), {"date_to": "2026-01-10"}))
    assert ">PD-2025-001<" in page and ">PD-2026-002<" not in page


@pytest.mark.parametrize("query", [
    {"date_from": "2026-02-30"},
    {"date_from": "demain"},
    {"date_from": "2026-03-02", "date_to": "2026-03-01"},
    {"action": "nothing.real"},
    {"target_type": "auth.permission"},
    {"target": "PD-2026-004"},  # an object without its type
    {"who": "x" * 300},
])
def test_invalid_filters_give_a_form_error_not_a_500(world_a, query):
    _approve_event(world_a)
    response = world_a.client_for(Role.MANAGER).get(world_a.url("audit/"), query)
    assert response.status_code == 200
    assert 'class="errorlist' in _texts(response) and "a approuvé" not in _texts(response)
    export = world_a.client_for(Role.MANAGER).post(world_a.url("audit/export.csv?") + _urlencode(query))
    assert export.status_code == 400 and not AuditEvent.objects.filter(action="audit_log.exported").exists()


def _urlencode(query: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(query)


def test_filters_are_kept_across_pages(world_a):
    manager = world_a.user(Role.MANAGER)
    call = CallFactory(tenant=world_a.tenant)
    for _ in range(51):
        audit_record(tenant=world_a.tenant, actor=manager, action="call.updated", target=call)
    page = _texts(world_a.client_for(Role.MANAGER).get(world_a.url("audit/"), {"action": "call.updated"}))
    assert re.search(r'href="\?[^"]*action=call\.updated[^"]*page=2" rel="next"', page), page[-1500:]


# --- tenants apart -------------------------------------------------------------------------------------

def test_other_tenants_events_are_never_shown_or_exported(worlds):
    world_a, world_b = worlds
    app_b, _ = _approve_event(world_b, reference="B-2026-001")
    _approve_event(world_a, reference="A-2026-001")
    client = world_a.client_for(Role.MANAGER)
    page = _texts(client.get(world_a.url("audit/")))
    assert "A-2026-001" in page and "B-2026-001" not in page
    by_id = _texts(client.get(world_a.url("audit/"), {"target_type": "grants.application", "target": str(app_b.pk)}))
    assert "B-2026-001" not in by_id and "a approuvé" not in by_id
    body = b"".join(client.post(world_a.url("audit/export.csv")).streaming_content).decode()
    assert "A-2026-001" in body and "B-2026-001" not in body and world_b.tenant.name not in body


# --- the CSV export ------------------------------------------------------------------------------------

def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_export_streams_filtered_sentences_and_is_audited(world_a):
    app, event = _approve_event(world_a)
    audit_record(tenant=world_a.tenant, actor=world_a.user(Role.MANAGER), action="call.updated", target=app.call)
    client = world_a.client_for(Role.MANAGER)
    assert client.get(world_a.url("audit/export.csv")).status_code == 405  # GET is safe: exports are POSTed
    response = client.post(world_a.url("audit/export.csv?action=application.approve"))
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:3] == ["Date (ISO 8601)", "Événement", "Acteur"] or len(header) == 9
    assert len(rows) == 1
    row = rows[0]
    assert row[0] == event.created_at.isoformat()
    assert row[1].startswith("Aminata Traoré a approuvé la demande PD-2026-004 de « En attente de décision »")
    assert row[2:7] == ["Aminata Traoré", "application.approve", "grants.application", str(app.pk), "PD-2026-004"]
    assert json.loads(row[7]) == {"status": "decision_pending"}
    assert json.loads(row[8]) == {"status": "approved", "awarded_amount": "6000000"}
    exported = AuditEvent.objects.get(action="audit_log.exported")
    assert exported.after == {"filters": {"action": "application.approve"}}
    assert exported.actor == world_a.user(Role.MANAGER)


def test_the_export_cannot_carry_a_formula(world_a):
    manager = world_a.user(Role.MANAGER)
    manager.full_name = '=HYPERLINK("http://evil.example","x")'
    manager.save()
    _approve_event(world_a, actor=manager)
    rows = _csv(world_a.client_for(Role.MANAGER).post(world_a.url("audit/export.csv?action=application.approve")))
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
        assert row[2].startswith("'=HYPERLINK") and row[1].startswith("'=HYPERLINK")


# --- the page's cost (issue 10) -------------------------------------------------------------------

def test_the_page_reads_names_not_the_people_s_accounts(world_a):
    """The events' actors and the people the events are about are read for their names: not the password
    hash and account columns of each (a page of 50 events read 50 full user rows)."""
    manager = world_a.user(Role.MANAGER)
    membership = world_a.members[Role.TRAINER]
    audit_record(tenant=world_a.tenant, actor=manager, action="membership.role_changed", target=membership,
                 before={"role": "reviewer"}, after={"role": "trainer"})
    client = world_a.client_for(Role.MANAGER)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(world_a.url("audit/")).content.decode()
    assert membership.user.display_name in html.unescape(page)
    # The page's own queries: the events, and the people named (the kernel's reads end with LIMIT 1).
    sql = [q["sql"] for q in queries.captured_queries
           if 'FROM "relais_auditevent"' in q["sql"]
           or ('FROM "relais_membership"' in q["sql"] and "LIMIT 1" not in q["sql"])]
    assert len(sql) == 2, sql
    for query in sql:
        assert '"relais_user"."password"' not in query and '"relais_user"."last_login"' not in query, query


def test_the_filter_choices_are_built_once_per_language(monkeypatch):
    """Some hundred action labels grouped and sorted cost more than a page of events: the form builds
    them once per language, and again only when an app registers more."""
    from relais import audit_describe
    from relais.forms import AuditFilterForm

    built = []
    action_choices = audit_describe.action_choices
    monkeypatch.setattr(audit_describe, "_CHOICES", {})
    monkeypatch.setattr(audit_describe, "action_choices", lambda: built.append(1) or action_choices())
    with translation.override("fr"):
        french = [AuditFilterForm().fields["action"].choices for _ in range(3)][-1]
    with translation.override("en"):
        english = [AuditFilterForm().fields["action"].choices for _ in range(3)][-1]
    assert len(built) == 2
    assert ("application.approve", "Approve") in dict(english[1:])["Application"]
    assert french != english
    with translation.override("fr"):
        assert AuditFilterForm().fields["action"].choices == french
    assert len(built) == 2


def test_objects_are_named_without_their_workspace_and_linked_by_pk(world_a):
    """Applications, reviews, calls and organisations are linked with the request's workspace and their
    pk (one reverse a type): the naming queries join no tenant for its slug, and read no long texts."""
    from tests.grants.factories import ReviewFactory

    app, _ = _approve_event(world_a)
    review = ReviewFactory(tenant=world_a.tenant, application=app, reviewer=world_a.user(Role.REVIEWER))
    manager = world_a.user(Role.MANAGER)
    for target in (review, app.call, world_a.organisation):
        audit_record(tenant=world_a.tenant, actor=manager, action="call.updated", target=target, after={})
    client = world_a.client_for(Role.MANAGER)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(world_a.url("audit/")).content.decode()
    slug = world_a.tenant.slug
    for url in (f"/{slug}/applications/{app.pk}/", f"/{slug}/calls/{app.call.pk}/",
                f"/{slug}/organisations/{world_a.organisation.pk}/"):
        assert f'href="{url}"' in page, url
    assert page.count(f'href="/{slug}/applications/{app.pk}/"') == 2  # the application and its review
    # The four types are named by one statement, a branch each (issue 10: one round trip).
    tables = ("grants_application", "grants_review", "grants_call", "orgs_organisation")
    naming = [q["sql"] for q in queries.captured_queries if any(f'FROM "{table}"' in q["sql"] for table in tables)]
    assert len(naming) == 1, naming
    assert all(f'FROM "{table}"' in naming[0] for table in tables), naming
    assert naming[0].count(" UNION ALL ") == 3, naming
    for sql in naming:
        assert '"relais_tenant"' not in sql and '"orgs_organisation"."description"' not in sql, sql


def test_a_page_looks_each_field_up_once_not_once_per_event(world_a, monkeypatch):
    """Ten status changes of one kind ask the same field's label and choices ten times: the describer
    looks each up (and translates its choices) once a page, and says the same sentences."""
    from grants.models import Application

    app, _ = _approve_event(world_a)
    # Not a step of the application's state machine: the status is a change shown with its label.
    events = [audit_record(tenant=world_a.tenant, actor=world_a.user(Role.MANAGER), action="call.updated",
                           target=app, before={"status": "draft"}, after={"status": "submitted"})
              for _ in range(10)]
    expected = [(view.text, [change.line for change in view.changes]) for view in _describe(world_a, *events)]
    looked_up = []
    get_field = Application._meta.get_field
    monkeypatch.setattr(Application._meta, "get_field", lambda name, **kw: looked_up.append(name) or get_field(
        name, **kw))
    views = _describe(world_a, *events)
    assert [(view.text, [change.line for change in view.changes]) for view in views] == expected
    assert views[0].changes[0].line == "statut : Brouillon → Déposée", views[0].changes[0].line
    assert 0 < looked_up.count("status") <= 2, looked_up  # its label and its choices (the ORM asks others)


def test_every_registered_target_reads_its_columns_and_reverses_its_links(world_a):
    """Each registered type is named from a values query of its own columns and linked by URL names:
    a column or URL name that does not exist fails here, not on a manager's page."""
    from relais.audit_describe import _load, audit_targets

    for target_type in audit_targets():
        assert _load(world_a.tenant, {target_type: {"0"}}) == {}, target_type


@pytest.mark.parametrize("language", ["fr", "en"])
def test_objects_are_named_and_linked_from_their_columns_as_their_models_name_them(world_a, language):
    """Names are read as plain values (no model instantiated, issue 10): the same names and links as
    the models give, in the reader's language, and current (a renamed organisation shows its new name)."""
    from django.urls import reverse

    from relais.audit_describe import _load
    from tests.grants.factories import (
        ApplicationAttachmentFactory,
        AwardFactory,
        DisbursementFactory,
        ProgressReportFactory,
        ReviewFactory,
    )
    from tests.orgs.factories import ContactPersonFactory, ImportBatchFactory
    from tests.training.factories import ActionItemFactory, AssessmentSubAreaFactory, TrainingSessionFactory

    tenant, organisation = world_a.tenant, world_a.organisation
    slug = tenant.slug
    app, _ = _approve_event(world_a)
    draft = ApplicationFactory(tenant=tenant, call=CallFactory(tenant=tenant, currency="EUR"),
                               organisation=organisation, reference="")
    review = ReviewFactory(tenant=tenant, application=app, reviewer=world_a.user(Role.REVIEWER))
    attachment = ApplicationAttachmentFactory(tenant=tenant, application=app, original_name="statuts & co.pdf")
    award = AwardFactory(tenant=tenant, application=app, currency="EUR")
    payment = DisbursementFactory(tenant=tenant, award=award)
    report = ProgressReportFactory(tenant=tenant, award=award)
    contact = ContactPersonFactory(tenant=tenant, organisation=organisation)
    batch = ImportBatchFactory(tenant=tenant, filename="osc.csv")
    sub_area = AssessmentSubAreaFactory(tenant=tenant, name_fr="Gouvernance", name_en="Governance")
    action = ActionItemFactory(tenant=tenant, assessment__organisation=organisation)
    session = TrainingSessionFactory(tenant=tenant)
    membership = world_a.members[Role.TRAINER]
    organisation.name, organisation.acronym = "Nouveau nom", ""
    organisation.save()  # renamed after its events were recorded

    def app_url(pk):
        return reverse("grants:application_detail", kwargs={"tenant_slug": slug, "application_pk": pk})

    award_url = reverse("grants:award_detail", kwargs={"tenant_slug": slug, "award_pk": award.pk})
    assessment_url = reverse("training:assessment_detail", kwargs={"tenant_slug": slug,
                                                                   "assessment_pk": action.assessment_id})
    with translation.override(language):
        expected = {
            ("grants.application", app.pk): (app.reference, app_url(app.pk), app.call.currency),
            ("grants.application", draft.pk): (
                ("Nouveau nom (brouillon)" if language == "fr" else "Nouveau nom (draft)"), app_url(draft.pk),
                draft.call.currency),
            ("grants.call", app.call.pk): (app.call.title, reverse("grants:call_detail", kwargs={
                "tenant_slug": slug, "call_pk": app.call.pk}), app.call.currency),
            ("grants.review", review.pk): (app.reference, app_url(app.pk), None),
            ("grants.applicationattachment", attachment.pk): ("statuts & co.pdf", app_url(app.pk), None),
            ("grants.award", award.pk): (award.reference, award_url, "EUR"),
            ("grants.disbursement", payment.pk): (f"{payment.tranche.number} ({award.reference})", award_url,
                                                  payment.currency),
            ("grants.progressreport", report.pk): (f"{report.number} ({award.reference})", reverse(
                "grants:report_detail", kwargs={"tenant_slug": slug, "progressreport_pk": report.pk}), None),
            ("orgs.organisation", organisation.pk): ("Nouveau nom", reverse(
                "orgs:organisation_detail", kwargs={"tenant_slug": slug, "organisation_pk": organisation.pk}), None),
            ("orgs.contactperson", contact.pk): ("Nouveau nom", reverse(
                "orgs:organisation_detail", kwargs={"tenant_slug": slug, "organisation_pk": organisation.pk}), None),
            ("orgs.importbatch", batch.pk): ("osc.csv", None, None),
            ("training.assessmentsubarea", sub_area.pk): (
                sub_area.name, reverse("training:assessment_framework", kwargs={"tenant_slug": slug}), None),
            ("training.assessment", action.assessment_id): (
                f"Nouveau nom ({action.assessment.date:%d/%m/%Y})", assessment_url, None),
            ("training.actionitem", action.pk): (action.item, assessment_url, None),
            ("training.trainingsession", session.pk): (session.title, reverse(
                "training:session_detail", kwargs={"tenant_slug": slug, "training_session_pk": session.pk}), None),
            ("relais.membership", membership.pk): (membership.user.display_name,
                                                   reverse("relais:members", kwargs={"tenant_slug": slug}), None),
            ("relais.tenant", tenant.pk): (tenant.name, reverse("relais:tenant_settings",
                                                                kwargs={"tenant_slug": slug}), tenant.default_currency),
        }
        wanted: dict[str, set[str]] = {}
        for target_type, pk in expected:
            wanted.setdefault(target_type, set()).add(str(pk))
        found = _load(tenant, wanted)
        assert {key: (d.name, d.url, d.currency) for (key, d) in
                ((k, found[(k[0], str(k[1]))]) for k in expected)} == expected
        assert sub_area.name == ("Gouvernance" if language == "fr" else "Governance")


@pytest.mark.parametrize("query", ["", "who=Ami&action=application.approve&target_type=grants.application&target=PD-1"
                                   "&date_from=2026-01-02&date_to=2026-02-03",
                                   "target=12&date_from=2026-03-01&date_to=2026-01-01&action=nope&who=<b>&x=1",
                                   "date_from=31/12/2026&date_to=pas une date"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_filter_fields_are_the_template_loops_markup(query, language):
    """The filter form is written in one pass (issue 10): the markup of the template loop it replaced
    with Django's own widgets and label template, bound or not, with errors too."""
    from django import forms
    from django.http import QueryDict
    from django.template import engines

    from relais.forms import AuditFilterForm
    from relais.widgets import FastDateInput, FastSelect, FastTextInput

    plain = {FastSelect: forms.Select, FastTextInput: forms.TextInput, FastDateInput: forms.DateInput}
    loop = engines["django"].from_string(
        '{% for field in form %}<div class="field">{{ field.label_tag }}{{ field }}'
        "{% if field.errors %}{{ field.errors }}{% endif %}</div>{% endfor %}")
    with translation.override(language):
        fast, slow = AuditFilterForm(QueryDict(query)), AuditFilterForm(QueryDict(query))  # bound, as the view
        for field in slow.fields.values():
            field.widget.__class__ = plain[type(field.widget)]
        assert fast.is_valid() == slow.is_valid() == (query.startswith("who") or not query)
        assert str(fast.fields_html()) == loop.render({"form": slow})
    assert "&lt;b&gt;" in str(fast.fields_html()) or "<b>" not in query


def test_the_empty_filters_are_written_once_per_language():
    """The log as first opened writes the same filter fields for everyone reading a language: written once, then
    reused (nothing of a request is in them); another language and any filter are written afresh."""
    from unittest import mock

    from django.http import QueryDict

    from relais import forms as relais_forms
    from relais.forms import AuditFilterForm

    with translation.override("fr"):
        first = str(AuditFilterForm(QueryDict("")).fields_html())
        with mock.patch.object(relais_forms, "label_html", side_effect=AssertionError("written again")):
            assert str(AuditFilterForm(QueryDict("")).fields_html()) == first
            with pytest.raises(AssertionError, match="written again"):
                AuditFilterForm(QueryDict("who=Ami")).fields_html()
    with translation.override("en"):
        english = str(AuditFilterForm(QueryDict("")).fields_html())
    assert english != first and "All actions" in english and "Toutes les actions" in first


@pytest.mark.parametrize("format_string", ["d/m/Y H:i", "m/d/Y P", "Y-m-d H:i:s", "d.m.Y à H\\hi", "{d}/m %Y", "j N Y",
                                           "H:i", "SHORT_DATETIME_FORMAT"])
def test_the_rows_dates_are_written_as_the_date_filter_writes_them(format_string):
    """The page's dates are written from one template per format (issue 10): what |date writes."""
    from django.template.defaultfilters import date as date_filter
    from django.utils.formats import get_format

    from relais.audit_describe import datetime_writer

    zone = ZoneInfo("Africa/Bamako")
    for language in ("fr", "en"):
        with translation.override(language):
            fmt = get_format(format_string) if format_string.isupper() else format_string
            for value in (dt.datetime(2026, 3, 1, 0, 5, 9, tzinfo=zone),
                          dt.datetime(2026, 12, 31, 23, 59, tzinfo=zone),
                          dt.datetime(987, 1, 2, 12, 0, tzinfo=dt.UTC)):
                assert datetime_writer(fmt)(value) == date_filter(value, fmt), (fmt, value)


def test_the_form_takes_its_cached_choices_without_walking_them_again(monkeypatch):
    """Some hundred actions: Django normalises a list of choices option by option each time a form is
    built; the audit log's form hands its (cached, already normal) choices over as they are (issue 10)."""
    from django.forms import fields

    from relais.forms import AuditFilterForm

    walked = []
    normalize = fields.normalize_choices
    monkeypatch.setattr(fields, "normalize_choices", lambda value, **kw: walked.append(value) or normalize(value, **kw))
    with translation.override("fr"):
        form = AuditFilterForm({"action": "application.approve"})
        assert form.is_valid(), form.errors
    assert not [value for value in walked if isinstance(value, list) and len(value) > 2], walked
    assert ("application.approve", "Approuver") in dict(list(form.fields["action"].choices)[1:])["Demande"]
    assert not AuditFilterForm({"action": "nope"}).is_valid()


def test_names_and_values_are_escaped_in_the_sentences(world_a):
    """The describer escapes without Django's lazy wrappers (issue 10): names, actors and amounts are
    still escaped once, never twice, and the sentence's own markup is kept."""
    organisation = world_a.organisation
    organisation.name, organisation.acronym = 'Paix <b>"&"</b>', ""
    organisation.save()
    manager = world_a.user(Role.MANAGER)
    manager.full_name = "Awa <i>&</i>"
    manager.save()
    event = audit_record(tenant=world_a.tenant, actor=manager, action="organisation.updated", target=organisation,
                         before={"name": "<old>"}, after={"name": organisation.name})
    [row] = _describe(world_a, event)
    url = f"/{world_a.tenant.slug}/organisations/{organisation.pk}/"
    assert row.html.startswith("Awa &lt;i&gt;&amp;&lt;/i&gt; a mis à jour le profil de l&#x27;organisation "
                               f'<a href="{url}">Paix &lt;b&gt;&quot;&amp;&quot;&lt;/b&gt;</a>'), row.html
    assert row.text.startswith('Awa <i>&</i> a mis à jour le profil de l\'organisation Paix <b>"&"</b>'), row.text


def _objects_of_every_kind(world):
    from tests.grants.factories import (
        ApplicationAttachmentFactory,
        AwardFactory,
        DisbursementFactory,
        ProgressReportFactory,
        ReviewFactory,
    )
    from tests.orgs.factories import ContactPersonFactory, ImportBatchFactory
    from tests.training.factories import ActionItemFactory, AssessmentSubAreaFactory, TrainingSessionFactory

    tenant = world.tenant
    app, _ = _approve_event(world, reference=f"{tenant.slug}-1")
    ApplicationFactory(tenant=tenant, call=CallFactory(tenant=tenant), organisation=world.organisation, reference="")
    ReviewFactory(tenant=tenant, application=app, reviewer=world.user(Role.REVIEWER))
    ApplicationAttachmentFactory(tenant=tenant, application=app, original_name="statuts & co.pdf")
    award = AwardFactory(tenant=tenant, application=app, currency="EUR")
    DisbursementFactory(tenant=tenant, award=award)
    ProgressReportFactory(tenant=tenant, award=award)
    ContactPersonFactory(tenant=tenant, organisation=world.organisation)
    ImportBatchFactory(tenant=tenant, filename="osc.csv")
    AssessmentSubAreaFactory(tenant=tenant, name_fr="Gouvernance", name_en="Governance")
    ActionItemFactory(tenant=tenant, assessment__organisation=world.organisation)
    TrainingSessionFactory(tenant=tenant)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_names_read_with_written_statements_are_the_orm_s(worlds, monkeypatch, language):
    """Types whose rows are the tenant's (``tenant_field``) are named with a statement written once from
    their columns (issue 10): the same names, links and currencies as the values() query of ``objects``,
    for ids of both workspaces (the other's are never named), and ``objects`` is the tenant's rows."""
    import dataclasses

    from relais import audit_describe

    world_a, world_b = worlds
    for world in worlds:
        _objects_of_every_kind(world)
    targets = {label: target for label, target in audit_describe.audit_targets().items() if target.tenant_field}
    assert {"grants.application", "grants.review", "orgs.organisation", "relais.membership"} <= set(targets)
    named = 0
    for label, target in targets.items():
        model = audit_describe._model(label)
        assert str(target.objects(world_a.tenant).query) == str(
            model._default_manager.filter(**{target.tenant_field: world_a.tenant}).query), label
        wanted = {label: {str(pk) for pk in model._default_manager.values_list("pk", flat=True)} | {"0", "x"}}
        with translation.override(language):
            written = audit_describe._load(world_a.tenant, wanted)
            monkeypatch.setitem(audit_describe._TARGETS, label, dataclasses.replace(target, tenant_field=None))
            by_orm = audit_describe._load(world_a.tenant, wanted)
            monkeypatch.setitem(audit_describe._TARGETS, label, target)
        assert written == by_orm, label
        own = {str(pk) for pk in model._default_manager.filter(tenant=world_a.tenant).values_list("pk", flat=True)}
        assert {pk for _, pk in written} == own, label
        named += len(written)
    assert named >= 20
    # Every type at once: one statement, a branch a type, each branch's columns in its own place.
    everything = {label: {str(pk) for pk in audit_describe._model(label)._default_manager.values_list("pk", flat=True)}
                  | {"0"} for label in targets}
    with translation.override(language):
        with CaptureQueriesContext(connection) as queries:
            together = audit_describe._load(world_a.tenant, everything)
        for label, target in targets.items():
            monkeypatch.setitem(audit_describe._TARGETS, label, dataclasses.replace(target, tenant_field=None))
        assert together == audit_describe._load(world_a.tenant, everything)
    assert len(queries) == 1 and queries[0]["sql"].count(" UNION ALL ") == len(targets) - 1
    # PostgreSQL types an untyped NULL column of the first branches as text, then refuses a number below it.
    assert not re.findall(r"(?<!CAST\()NULL", queries[0]["sql"]), queries[0]["sql"]
    assert len(together) == named


def test_the_unfiltered_log_reads_the_orm_s_events_as_values(worlds):
    """The log as first opened reads its window with one written statement as values (issue 10): the same
    events, order (ties on the date by id), actors' names, JSON values, dates and sentences as
    audit_search's model instances, pages 1, 2 and past the end, and never another workspace's events."""
    from relais import selectors
    from relais.audit_describe import events_html
    from relais.pagination import page_of

    world_a, world_b = worlds
    manager = world_a.user(Role.MANAGER)
    trainer = world_a.members[Role.TRAINER]
    trainer.user.full_name = ""
    trainer.user.save()  # named by e-mail
    _approve_event(world_a, actor=manager)
    _approve_event(world_b, reference="B-2026-001")
    for i in range(60):
        audit_record(tenant=world_a.tenant, actor=[manager, trainer.user, None][i % 3], action="call.updated",
                     target=trainer, before={"role": "reviewer", "n": i},
                     after={"role": "trainer", "names": ["a", "b"], "nested": {"k": i, "v": None}})
    same_date = AuditEvent.objects.filter(tenant=world_a.tenant).order_by("pk")[:5]
    AuditEvent.objects.filter(pk__in=[e.pk for e in same_date]).update(created_at=same_date[0].created_at)
    actor = world_a.actor(Role.MANAGER)

    def seen(event):
        return (event.pk, event.actor_id, event.actor.display_name if event.actor else None, event.action,
                event.target_type, event.target_id, event.before, event.after, event.created_at)

    for number in ("1", "2", "9"):
        by_orm = page_of(selectors.audit_search(actor=actor), number, 50)
        as_values = page_of(selectors.audit_recent(actor=actor), number, 50)
        assert (as_values.number, as_values.has_next) == (by_orm.number, by_orm.has_next)
        assert [seen(e) for e in as_values.object_list] == [seen(e) for e in by_orm.object_list]
        for language in ("fr", "en"):
            with translation.override(language):
                views = describe_events(by_orm.object_list, tenant=world_a.tenant)
                values = describe_events(as_values.object_list, tenant=world_a.tenant)
                assert str(events_html(values)) == str(events_html(views))
                assert [v.text for v in values] == [v.text for v in views]
    assert len(page_of(selectors.audit_recent(actor=actor), "1", 50).object_list) == 50
    assert {e.pk for e in selectors.audit_recent(actor=actor)[0:500]} == set(
        AuditEvent.objects.filter(tenant=world_a.tenant).values_list("pk", flat=True))
    client = world_a.client_for(Role.MANAGER)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(world_a.url("audit/")).content.decode()
    assert "B-2026-001" not in page and page.count("<time ") == 50
    events_sql = [q["sql"] for q in queries.captured_queries if '"relais_auditevent"' in q["sql"]]
    assert len(events_sql) == 1 and '"e"."tenant_id"' in events_sql[0], events_sql
