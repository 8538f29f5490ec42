"""Sanctions lists and screening: parsing, matching, decisions, expiry, permissions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from orgs.models import OrganisationStatus, SanctionsEntry, SanctionsListVersion, Screening, ScreeningDecision
from orgs.sanctions import DEFAULT_THRESHOLD, find_matches, fold_name, parse_csv, parse_un_xml, similarity
from orgs.selectors.due_diligence import screening_status
from orgs.services.screening import names_to_screen, sanctions_list_import, screening_decide, screening_run
from relais.actor import Actor
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.factories_dd import ScreeningFactory
from tests.grants.conftest import review_of_organisation

FIXTURES = Path(django_settings.BASE_DIR) / "orgs" / "fixtures"
UN_SAMPLE = FIXTURES / "sanctions_sample_un.xml"
CSV_SAMPLE = FIXTURES / "sanctions_sample.csv"


# --- matching -------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["Ag-Alwali", "AG ALOUALI", "ag alwaly", "Ag Alwalî", "Âg Al-Waly"])
def test_transliteration_variants_fold_together(variant):
    assert fold_name(variant) == fold_name("Ag Alwaly")


@pytest.mark.parametrize(
    ("screened", "listed"),
    [
        ("Ag Alwaly", "Ag-Alwali"),
        ("Ag Alwaly", "AG ALOUALI"),
        ("Mohamed Ag Alwaly", "MOHAMED AG ALWALI"),
        ("Alwaly Mohamed Ag", "Mohamed Ag Alwali"),  # word order
        ("Oumar Ould Bahana", "Oumarou Ould Bahanna"),  # one letter and a double letter
        ("Hamadou Koufaye", "Hamadoun Kouffaye"),
        ("Youssouf Ag Acherif", "Yusuf Ag Asherif"),
        ("Sidi Mohamed Ag Intalla", "Sidi Mohamed Ag Entallah"),
        ("Katiba El-Wahat", "Katibat al Wahat"),
        ("Mariam Cissé", "Mariem CISSE"),
    ],
)
def test_spelling_variants_score_above_the_threshold(screened, listed):
    assert similarity(fold_name(screened), fold_name(listed)) >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("screened", "listed"),
    [
        ("Association des femmes pour les initiatives de paix", "Association Al-Baraka Al-Khayriya du Sahel"),
        ("Association des femmes pour la paix", "Katibat Al-Wahat Al-Sahrawiya"),
        ("Réseau national pour l'éveil démocratique et patriotique", "Mouvement des combattants du Liptako"),
        ("Aminata Traoré", "Ahmadou Ould Deddah"),
        ("Moussa Coulibaly", "Moussa Ag Elkhorchi"),
        ("AJCET", "FFLG"),
        ("Ibrahim Keïta", "Issa Ag Ghallah"),
    ],
)
def test_unrelated_names_stay_below_the_threshold(screened, listed):
    assert similarity(fold_name(screened), fold_name(listed)) < DEFAULT_THRESHOLD


def test_find_matches_reports_the_alias_that_matched():
    entries = [(["Mohamed Ag Alwaly", "Abou Alouali"], [fold_name("Mohamed Ag Alwaly"), fold_name("Abou Alouali")]),
               (["Boubacar Tamboura"], [fold_name("Boubacar Tamboura")])]
    matches = find_matches(["Abu Aluali", "Association Benkadi"], entries)
    assert [(m.screened_name, m.entry_index, m.matched_name) for m in matches] == [
        ("Abu Aluali", 0, "Abou Alouali")
    ]


# --- parsing --------------------------------------------------------------------------

def test_un_xml_sample_is_parsed():
    entries = parse_un_xml(UN_SAMPLE.read_bytes())
    assert len(entries) == 15
    first = entries[0]
    assert first.primary_name == "MOHAMED AG ALWALY"
    assert first.aliases == ["Mohamed Ag-Alwali", "Abou Alouali"]
    assert first.reference == "FIC.001" and first.list_name == "Al-Qaida" and not first.is_entity
    four_parts = next(e for e in entries if e.reference == "FIC.004")
    assert four_parts.primary_name == "ALHASSANE OULD MOKHTAR EL-KHALIFA"
    entity = next(e for e in entries if e.reference == "FIC.E01")
    assert entity.is_entity and "Katiba el Wahat" in entity.aliases


def test_un_xml_refuses_entity_expansion():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&b;</FIRST_NAME></INDIVIDUAL>"
            b"</INDIVIDUALS></CONSOLIDATED_LIST>")
    with pytest.raises(ValidationError):
        parse_un_xml(bomb)


def test_un_xml_without_entries_is_refused():
    with pytest.raises(ValidationError):
        parse_un_xml(b"<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>")


def test_csv_sample_is_parsed():
    entries = parse_csv(CSV_SAMPLE.read_bytes())
    assert len(entries) == 4
    assert entries[0].primary_name == "Hamma Ould Sidi Lamine"
    assert entries[0].aliases == ["Hama Ould Sidy Lamine", "Ahmed Hamma"]
    assert entries[0].list_name == "EU (fictional sample)" and entries[0].reference == "FIC-EU-101"


def test_csv_with_semicolons_and_bom():
    data = "\ufeffname;aliases;list;reference\nAli Dicko;Aly Diko,Ali Dikko;UN;X1\n".encode()
    entries = parse_csv(data)
    assert entries[0].primary_name == "Ali Dicko"


def test_csv_without_a_name_column_is_refused():
    with pytest.raises(ValidationError):
        parse_csv(b"nom,alias\nA,B\n")


# --- import -----------------------------------------------------------------------------

def test_import_command_imports_into_all_tenants_once(worlds):
    out = StringIO()
    call_command("import_sanctions_list", str(UN_SAMPLE), stdout=out)
    call_command("import_sanctions_list", str(UN_SAMPLE), stdout=out)
    for world in worlds:
        assert SanctionsListVersion.objects.filter(tenant=world.tenant).count() == 1
        assert SanctionsEntry.objects.filter(tenant=world.tenant).count() == 15
    assert "already present" in out.getvalue()
    entry = SanctionsEntry.objects.filter(reference="FIC.001").first()
    # the primary name and its spelling variant fold to one key; the other alias keeps its own
    assert entry.folded_names == [fold_name("Mohamed Ag-Alouali"), fold_name("Abu Aluali")]
    assert AuditEvent.objects.filter(action="sanctions_list.imported").count() == 2


def test_import_command_for_one_tenant_csv(worlds):
    world_a, world_b = worlds
    call_command("import_sanctions_list", str(CSV_SAMPLE), "--tenant", world_a.tenant.slug, stdout=StringIO())
    assert SanctionsEntry.objects.filter(tenant=world_a.tenant).count() == 4
    assert not SanctionsEntry.objects.filter(tenant=world_b.tenant).exists()


def test_manager_imports_a_list_in_the_ui(world_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = world_a.client_for(Role.MANAGER)
    url = reverse("orgs:sanctions_lists", kwargs={"tenant_slug": world_a.tenant.slug})
    response = client.post(url, {"name": "ONU", "source": "un", "source_format": "un_xml",
                                 "file": SimpleUploadedFile("un.xml", UN_SAMPLE.read_bytes())})
    assert response.status_code == 302
    version = SanctionsListVersion.objects.get(tenant=world_a.tenant)
    assert version.entry_count == 15 and version.imported_by == world_a.user(Role.MANAGER)
    bad = client.post(url, {"name": "X", "source": "un", "source_format": "un_xml",
                            "file": SimpleUploadedFile("x.xml", b"<nope")})
    assert bad.status_code == 200 and "XML" in bad.content.decode()
    for role in (Role.FINANCE, Role.APPLICANT, Role.REVIEWER):
        assert world_a.client_for(role).get(url).status_code == 403


@pytest.mark.parametrize(("content", "message"), [
    # More cells than header columns: DictReader files them under the key None, as a list.
    (b"name,aliases\nAg Alwaly,Ag-Alwali,extra,cells\n", None),
    (b"name,aliases\nAg Alwaly," + b"a" * 200_000 + b"\n", "ne peut pas être lu"),
])
def test_odd_csv_lists_get_a_message_not_a_500(world_a, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = world_a.client_for(Role.MANAGER)
    url = reverse("orgs:sanctions_lists", kwargs={"tenant_slug": world_a.tenant.slug})
    response = client.post(url, {"name": "Liste", "source": "other", "source_format": "csv",
                                 "file": SimpleUploadedFile("list.csv", content)})
    if message is None:
        assert response.status_code == 302
        assert SanctionsEntry.objects.get(tenant=world_a.tenant).aliases == ["Ag-Alwali"]
    else:
        assert response.status_code == 200 and message in response.content.decode()
        assert not SanctionsListVersion.objects.exists()


# --- screening ----------------------------------------------------------------------------

@pytest.fixture
def un_list(world_a):
    version, _ = sanctions_list_import(actor=Actor.system(world_a.tenant), data=UN_SAMPLE.read_bytes(), name="ONU",
                                       source_format="un_xml")
    return version


def test_names_to_screen_are_name_acronym_contacts_and_members(world_a):
    from tests.orgs.factories import ContactPersonFactory

    contact = ContactPersonFactory(tenant=world_a.tenant, organisation=world_a.organisation, name="Hama Ag Alwaly")
    names = names_to_screen(world_a.organisation)
    assert names[:2] == [world_a.organisation.name, world_a.organisation.acronym]
    assert contact.name in names
    assert world_a.user(Role.APPLICANT).full_name in names


def test_an_unrelated_organisation_is_clear_at_once(world_a, un_list):
    organisation = OrganisationFactory(tenant=world_a.tenant, name="Association des femmes pour la paix",
                                       acronym="AFP")
    screening = screening_run(actor=world_a.actor(Role.MANAGER), organisation=organisation)
    assert screening.decision == ScreeningDecision.CLEAR
    assert screening.version == un_list and not screening.candidates.exists()
    assert screening_status(screening, tenant=world_a.tenant, now=timezone.now()) == "valid"
    assert AuditEvent.objects.get(action="screening.ran").after["candidates"] == 0


def test_a_member_with_a_similar_name_is_a_candidate(world_a, un_list):
    MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT, organisation=world_a.organisation,
                      user__full_name="Mohamed Ag-Alouali")
    screening = screening_run(actor=world_a.actor(Role.MANAGER), organisation=world_a.organisation)
    assert screening.decision == ScreeningDecision.PENDING
    candidate = screening.candidates.get()
    assert candidate.screened_name == "Mohamed Ag-Alouali"
    assert candidate.entry.reference == "FIC.001"
    assert candidate.score >= Decimal(DEFAULT_THRESHOLD)
    assert candidate.tenant == world_a.tenant
    assert screening_status(screening, tenant=world_a.tenant, now=timezone.now()) == "review"


def test_screening_without_a_list_explains_why(world_a):
    with pytest.raises(Refused):
        screening_run(actor=world_a.actor(Role.MANAGER), organisation=world_a.organisation)


@pytest.fixture
def pending_screening(world_a, un_list):
    MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT, organisation=world_a.organisation,
                      user__full_name="Oumar Ould Bahana")
    return screening_run(actor=world_a.actor(Role.MANAGER), organisation=world_a.organisation)


def test_confirmed_match_suspends_the_organisation(world_a, pending_screening):
    manager = world_a.actor(Role.MANAGER)
    screening_decide(actor=manager, screening=pending_screening, decision=ScreeningDecision.CONFIRMED,
                     reason="Même date de naissance et même lieu")
    organisation = world_a.organisation
    organisation.refresh_from_db()
    assert organisation.status == OrganisationStatus.SUSPENDED
    assert "Même date de naissance" in organisation.status_reason
    assert AuditEvent.objects.filter(action="organisation.suspend_sanctions_match",
                                     target_id=str(organisation.pk)).exists()
    decided = AuditEvent.objects.get(action="screening.confirm")
    assert decided.after == {"decision": "confirmed", "reason": "Même date de naissance et même lieu"}
    pending_screening.refresh_from_db()
    assert screening_status(pending_screening, tenant=world_a.tenant, now=timezone.now()) == "match"


def test_false_positive_keeps_the_organisation_and_needs_a_reason(world_a, pending_screening):
    manager = world_a.actor(Role.MANAGER)
    with pytest.raises(Refused):
        screening_decide(actor=manager, screening=pending_screening, decision=ScreeningDecision.FALSE_POSITIVE,
                         reason="")
    screening_decide(actor=manager, screening=pending_screening, decision=ScreeningDecision.FALSE_POSITIVE,
                     reason="Homonyme : né en 1990 à Kayes")
    world_a.organisation.refresh_from_db()
    assert world_a.organisation.status == OrganisationStatus.PENDING
    with pytest.raises(Refused):  # decided once; a new screening is needed to decide again
        screening_decide(actor=manager, screening=pending_screening, decision=ScreeningDecision.CONFIRMED,
                         reason="x")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.REVIEWER, Role.TRAINER, Role.APPLICANT])
def test_only_managers_decide(world_a, pending_screening, role):
    with pytest.raises(Refused) as refused:
        screening_decide(actor=world_a.actor(role), screening=pending_screening, decision=ScreeningDecision.CLEAR,
                         reason="ok")
    assert refused.value.forbidden
    url = reverse("orgs:screening_decide", kwargs={"tenant_slug": world_a.tenant.slug,
                                              "screening_pk": pending_screening.pk})
    response = world_a.client_for(role).post(url, {"decision": "confirmed", "reason": "x"})
    assert response.status_code == 403
    world_a.organisation.refresh_from_db()
    assert world_a.organisation.status != OrganisationStatus.SUSPENDED


def test_manager_decides_through_the_page(world_a, pending_screening):
    client = world_a.client_for(Role.MANAGER)
    detail = reverse("orgs:screening_detail", kwargs={"tenant_slug": world_a.tenant.slug,
                                                 "screening_pk": pending_screening.pk})
    html = client.get(detail).content.decode()
    assert "OUMAROU OULD BAHANNA" in html and "FIC.002" in html
    response = client.post(reverse("orgs:screening_decide", kwargs={"tenant_slug": world_a.tenant.slug,
                                                               "screening_pk": pending_screening.pk}),
                           {"decision": "false_positive", "reason": "Homonyme"})
    assert response.status_code == 302
    pending_screening.refresh_from_db()
    assert pending_screening.decision == ScreeningDecision.FALSE_POSITIVE
    assert pending_screening.decided_by == world_a.user(Role.MANAGER)


@pytest.mark.parametrize(("role", "status"), [(Role.MANAGER, 302), (Role.FINANCE, 403), (Role.REVIEWER, 403),
                                              (Role.TRAINER, 403), (Role.APPLICANT, 403)])
def test_who_may_run_a_screening(world_a, un_list, role, status):
    review_of_organisation(world_a)  # a reviewer reaches the CSO only through a review
    url = reverse("orgs:screening_run", kwargs={"tenant_slug": world_a.tenant.slug,
                                           "organisation_pk": world_a.organisation.pk})
    assert world_a.client_for(role).post(url).status_code == status
    assert Screening.objects.exists() is (status == 302)


@pytest.mark.parametrize(("role", "status"), [(Role.MANAGER, 200), (Role.FINANCE, 200), (Role.REVIEWER, 403),
                                              (Role.TRAINER, 403), (Role.APPLICANT, 403)])
def test_who_may_see_a_screening(world_a, role, status):
    screening = ScreeningFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = reverse("orgs:screening_detail", kwargs={"tenant_slug": world_a.tenant.slug, "screening_pk": screening.pk})
    assert world_a.client_for(role).get(url).status_code == status


def test_screening_expires_after_the_tenant_validity(world_a):
    tenant = world_a.tenant
    tenant.screening_validity_days = 30
    tenant.save()
    now = timezone.now()
    fresh = ScreeningFactory(tenant=tenant, decision=ScreeningDecision.CLEAR, ran_at=now - timedelta(days=29))
    old = ScreeningFactory(tenant=tenant, decision=ScreeningDecision.FALSE_POSITIVE, ran_at=now - timedelta(days=31))
    assert screening_status(fresh, tenant=tenant, now=now) == "valid"
    assert screening_status(old, tenant=tenant, now=now) == "expired"
    assert screening_status(None, tenant=tenant, now=now) == "never"


def test_due_diligence_page_shows_the_screening_status(world_a):
    tenant = world_a.tenant
    ScreeningFactory(tenant=tenant, organisation=world_a.organisation, decision=ScreeningDecision.CLEAR,
                     ran_at=timezone.now() - timedelta(days=400))
    url = reverse("orgs:due_diligence", kwargs={"tenant_slug": tenant.slug, "organisation_pk": world_a.organisation.pk})
    assert "Criblage expiré" in world_a.client_for(Role.MANAGER).get(url).content.decode()


def test_applicants_never_see_a_sanctions_suspension_reason(world_a, pending_screening):
    screening_decide(actor=world_a.actor(Role.MANAGER), screening=pending_screening,
                     decision=ScreeningDecision.CONFIRMED, reason="Même personne")
    url = reverse("orgs:due_diligence", kwargs={"tenant_slug": world_a.tenant.slug,
                                           "organisation_pk": world_a.organisation.pk})
    assert "Même personne" in world_a.client_for(Role.MANAGER).get(url).content.decode()
    applicant_page = world_a.client_for(Role.APPLICANT).get(url).content.decode()
    assert "Même personne" not in applicant_page and "sanctions" not in applicant_page.lower()


def test_a_screening_uses_the_latest_list_of_every_source(world_a):
    manager = world_a.actor(Role.MANAGER)
    sanctions_list_import(actor=manager, data=UN_SAMPLE.read_bytes(), name="ONU", source_format="un_xml")
    old_eu, _ = sanctions_list_import(actor=manager, data=b"name\nAncien Nom\n", name="UE 1",
                                      source_format="csv", source="eu")
    eu, _ = sanctions_list_import(actor=manager, data=CSV_SAMPLE.read_bytes(), name="UE 2",
                                  source_format="csv", source="eu")
    MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT, organisation=world_a.organisation,
                      user__full_name="Fatimatou Walet Inalla")  # on the EU sample
    MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT, organisation=world_a.organisation,
                      user__full_name="Boubacar Tambura")  # on the UN sample
    screening = screening_run(actor=manager, organisation=world_a.organisation)
    assert {c.entry.reference for c in screening.candidates.all()} == {"FIC-EU-102", "FIC.010"}
    assert {v["name"] for v in screening.versions_screened} == {"ONU", "UE 2"}
    assert screening.version == eu and old_eu.pk not in {v["id"] for v in screening.versions_screened}


@pytest.mark.parametrize(("role", "sees"), [
    (Role.MANAGER, True), (Role.FINANCE, True), (Role.APPLICANT, False), (Role.REVIEWER, False),
    (Role.TRAINER, False),
])
def test_organisation_page_shows_a_sanctions_suspension_reason_to_managers_and_finance_only(
    world_a, pending_screening, role, sees,
):
    """The due-diligence page hid the reason from applicants, but the organisation page showed it to everyone."""
    review_of_organisation(world_a)  # a reviewer reaches the CSO only through a review
    screening_decide(actor=world_a.actor(Role.MANAGER), screening=pending_screening,
                     decision=ScreeningDecision.CONFIRMED, reason="Même personne")
    url = reverse("orgs:organisation_detail", kwargs={"tenant_slug": world_a.tenant.slug,
                                                 "organisation_pk": world_a.organisation.pk})
    response = world_a.client_for(role).get(url)
    assert response.status_code == 200
    assert ("Même personne" in response.content.decode()) is sees


# --- the screening table and the suspension it triggers ------------------------------------------

def test_the_screening_table_is_registered_with_the_engine():
    from orgs.workflow import SCREENING
    from relais.workflow import registered_machines

    assert SCREENING in registered_machines()
    assert SCREENING.state_field == "decision"
    # Decided once, from "awaiting decision": a new screening is needed to decide again.
    assert {(row.source, row.target, row.action) for row in SCREENING.transitions} == {
        ("pending", "clear", "clear"), ("pending", "false_positive", "false_positive"),
        ("pending", "confirmed", "confirm"),
    }


def test_a_confirmed_match_suspends_through_the_organisation_table_as_the_system(world_a, pending_screening):
    screening_decide(actor=world_a.actor(Role.MANAGER), screening=pending_screening,
                     decision=ScreeningDecision.CONFIRMED, reason="Même personne")
    event = AuditEvent.objects.get(action="organisation.suspend_sanctions_match")
    assert event.actor is None  # a system step of the organisation table
    assert event.before == {"status": "pending"} and event.after["status"] == "suspended"
    assert event.after["screening"] == pending_screening.pk and "Même personne" in event.after["status_reason"]
    decided = AuditEvent.objects.get(action="screening.confirm")
    assert decided.actor == world_a.user(Role.MANAGER) and decided.before == {"decision": "pending"}


def test_a_cso_already_suspended_stays_suspended_on_a_confirmed_match(world_a, pending_screening):
    from orgs.services.organisations import organisation_change_status

    manager = world_a.actor(Role.MANAGER)
    organisation_change_status(organisation=world_a.organisation, actor=manager, status="suspended",
                               reason="Rapports en retard")
    screening = screening_decide(actor=manager, screening=pending_screening, decision=ScreeningDecision.CONFIRMED,
                                 reason="Même personne")
    assert screening.decision == ScreeningDecision.CONFIRMED
    world_a.organisation.refresh_from_db()
    assert world_a.organisation.status == OrganisationStatus.SUSPENDED
    assert not AuditEvent.objects.filter(action="organisation.suspend_sanctions_match").exists()


def test_every_step_of_the_due_diligence_tables_has_a_readable_audit_name():
    from orgs.workflow import ORGANISATION_DOCUMENT, SCREENING
    from relais.audit_labels import audit_label

    for machine in (ORGANISATION_DOCUMENT, SCREENING):
        for row in machine.transitions:
            code = f"{machine.name}.{row.action}"
            assert audit_label(code) != code
    for code in ("due_diligence_item.created", "due_diligence_item.updated"):
        assert audit_label(code) != code


def test_a_decision_on_a_screening_of_another_workspace_is_refused(worlds, pending_screening):
    world_a, world_b = worlds
    with pytest.raises(Refused) as refused:
        screening_decide(actor=world_b.actor(Role.MANAGER), screening=pending_screening,
                         decision=ScreeningDecision.CONFIRMED, reason="x")
    assert refused.value.forbidden
    pending_screening.refresh_from_db()
    assert pending_screening.decision == ScreeningDecision.PENDING


def test_the_command_line_imports_as_the_system(world_a):
    version, created = sanctions_list_import(actor=Actor.system(world_a.tenant), data=CSV_SAMPLE.read_bytes(),
                                             name="UE", source_format="csv", source="eu")
    assert created and version.imported_by is None
    with pytest.raises(Refused) as refused:
        sanctions_list_import(actor=world_a.actor(Role.FINANCE), data=UN_SAMPLE.read_bytes(), name="ONU",
                              source_format="un_xml")
    assert refused.value.forbidden


def test_a_confirmed_match_asks_for_confirmation_first(world_a, pending_screening):
    """Confirming a match is final and suspends the CSO: the decision form leads to a confirmation page (issue 9)."""
    client = world_a.client_for(Role.MANAGER)
    url = reverse("orgs:screening_decide", kwargs={"tenant_slug": world_a.tenant.slug,
                                                   "screening_pk": pending_screening.pk})
    detail = reverse("orgs:screening_detail", kwargs={"tenant_slug": world_a.tenant.slug,
                                                      "screening_pk": pending_screening.pk})
    response = client.post(url, {"decision": "confirmed", "reason": "Même date de naissance"})
    body = response.content.decode()
    assert response.status_code == 200 and "Confirmer la correspondance et suspendre l’organisation ?" in body
    assert "Même date de naissance" in body and f'href="{detail}"' in body
    assert 'name="decision" value="confirmed"' in body and "Cette action est irréversible." in body
    pending_screening.refresh_from_db()
    world_a.organisation.refresh_from_db()
    assert pending_screening.decision == ScreeningDecision.PENDING
    assert world_a.organisation.status != OrganisationStatus.SUSPENDED
    response = client.post(url, {"decision": "confirmed", "reason": "Même date de naissance", "confirmed": "yes"})
    assert response.status_code == 302
    pending_screening.refresh_from_db()
    world_a.organisation.refresh_from_db()
    assert pending_screening.decision == ScreeningDecision.CONFIRMED
    assert world_a.organisation.status == OrganisationStatus.SUSPENDED
