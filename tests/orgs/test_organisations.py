"""Organisation registry: who sees and edits what, status workflow, list page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orgs.models import Organisation, OrganisationStatus, PaymentDetails
from orgs.services import organisations as services
from orgs.workflow import ORGANISATION
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.factories import FocusAreaFactory, OrganisationFactory, RegionFactory
from tests.grants.conftest import review_of_organisation
from tests.orgs.factories import ContactPersonFactory, PaymentDetailsFactory

pytestmark = pytest.mark.django_db


def detail_url(world, org):
    return reverse("orgs:organisation_detail", kwargs={"tenant_slug": world.tenant.slug, "organisation_pk": org.pk})


def edit_url(world, org):
    return reverse("orgs:organisation_edit", kwargs={"tenant_slug": world.tenant.slug, "organisation_pk": org.pk})


# --- applicants see and edit only their own organisation ------------------------


def test_applicant_edits_own_organisation(world_a):
    org = world_a.organisation
    region = RegionFactory(tenant=world_a.tenant, name="Ségou")
    focus = FocusAreaFactory(tenant=world_a.tenant)
    client = world_a.client_for(Role.APPLICANT)
    assert client.get(edit_url(world_a, org)).status_code == 200
    response = client.post(edit_url(world_a, org), {
        "name": "Association des femmes de Ségou", "acronym": "AFS", "type": "women_led", "region": region.pk,
        "regions_of_work": [region.pk], "focus_areas": [focus.pk], "languages": ["fr", "bm"],
        "staff_women": "5", "staff_men": "1", "volunteers_women": "12", "volunteers_men": "3",
        "founding_year": "2005", "registration_date": "2006-04-02", "registration_number": "0123/CKS",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert org.name == "Association des femmes de Ségou"
    assert org.languages == ["fr", "bm"]
    assert org.staff_women == 5
    assert "segou" in org.search_name and "afs" in org.search_name
    assert list(org.focus_areas.all()) == [focus]
    event = AuditEvent.objects.get(action="organisation.updated", target_id=str(org.pk))
    assert event.after["name"] == "Association des femmes de Ségou"
    assert event.before["acronym"] != "AFS"
    # the date survives a round trip through <input type=date>, whatever the UI language
    assert 'value="2006-04-02"' in client.get(edit_url(world_a, org)).content.decode()


def test_applicant_gets_404_for_another_organisation(world_a):
    other = OrganisationFactory(tenant=world_a.tenant)
    client = world_a.client_for(Role.APPLICANT)
    assert client.get(detail_url(world_a, other)).status_code == 404
    assert client.get(edit_url(world_a, other)).status_code == 404
    assert client.post(edit_url(world_a, other), {"name": "Pirate"}).status_code == 404
    other.refresh_from_db()
    assert other.name != "Pirate"


def test_applicant_cannot_list_registry(world_a):
    url = reverse("orgs:organisation_list", kwargs={"tenant_slug": world_a.tenant.slug})
    assert world_a.client_for(Role.APPLICANT).get(url).status_code == 403


def test_my_organisation_redirects_applicant_to_their_profile(world_a):
    url = reverse("orgs:my_organisation", kwargs={"tenant_slug": world_a.tenant.slug})
    response = world_a.client_for(Role.APPLICANT).get(url)
    assert response.status_code == 302 and response.url == detail_url(world_a, world_a.organisation)


@pytest.mark.parametrize("role,allowed", [
    (Role.MANAGER, True), (Role.APPLICANT, True), (Role.REVIEWER, False), (Role.FINANCE, False),
    (Role.TRAINER, False),
])
def test_edit_profile_matrix(world_a, role, allowed):
    review_of_organisation(world_a)
    status = world_a.client_for(role).get(edit_url(world_a, world_a.organisation)).status_code
    assert status == (200 if allowed else 403)


def test_service_refuses_applicant_editing_other_org(world_a):
    other = OrganisationFactory(tenant=world_a.tenant)
    with pytest.raises(Refused) as caught:
        services.organisation_update(organisation=other, actor=world_a.actor(Role.APPLICANT), data={"name": "X"})
    assert caught.value.forbidden


def test_service_refuses_region_of_another_tenant(worlds):
    world_a, world_b = worlds
    foreign = RegionFactory(tenant=world_b.tenant)
    with pytest.raises(ValidationError):
        services.organisation_update(organisation=world_a.organisation, actor=world_a.actor(Role.MANAGER),
                                     data={"regions_of_work": [foreign]})


# --- payment details -------------------------------------------------------------


@pytest.mark.parametrize("role,sees", [
    (Role.FINANCE, True), (Role.APPLICANT, True), (Role.MANAGER, False), (Role.REVIEWER, False),
    (Role.TRAINER, False),
])
def test_payment_details_visible_to_finance_and_own_members_only(world_a, role, sees):
    review_of_organisation(world_a)
    details = PaymentDetailsFactory(tenant=world_a.tenant, organisation=world_a.organisation,
                                    bank_account="ML13 0001 2222 3333 4321", mobile_number="+223 70 11 98 76")
    html = world_a.client_for(role).get(detail_url(world_a, world_a.organisation)).content.decode()
    assert ("ML13 0001 2222 3333 4321" in html) is sees
    assert ("+223 70 11 98 76" in html) is sees
    if not sees:
        assert details.masked_bank_account in html  # "•••• 4321"
        assert "•••• 9876" in html


def test_payment_change_is_audited_masked_and_flags_verification(world_a):
    org = world_a.organisation
    applicant, finance = world_a.actor(Role.APPLICANT), world_a.actor(Role.FINANCE)
    details = services.payment_details_update(organisation=org, actor=applicant, data={
        "bank_name": "BMS", "bank_account": "ML13 5555 6666 7777 8888 1234", "bank_account_holder": org.name})
    assert details.needs_verification
    services.payment_details_verify(details=details, actor=finance)
    details.refresh_from_db()
    assert not details.needs_verification and details.verified_by == finance.user
    services.payment_details_update(organisation=org, actor=applicant, data={
        "bank_name": "BMS", "bank_account": "ML13 5555 6666 7777 8888 9999", "bank_account_holder": org.name})
    details.refresh_from_db()
    assert details.needs_verification and details.verified_by is None
    events = AuditEvent.objects.filter(target_type="orgs.paymentdetails").order_by("id")
    # The table's steps ("verify", then "change": verified details become unverified) and the masked changes.
    assert [e.action for e in events] == ["payment_details.changed", "payment_details.verify",
                                          "payment_details.change", "payment_details.changed"]
    for event in events:
        text = str(event.before) + str(event.after)
        assert "5555" not in text and "8888" not in text
    assert events.last().after["bank_account"] == "•••• 9999"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.REVIEWER, Role.TRAINER, Role.APPLICANT])
def test_only_finance_verifies_payment_details(world_a, role):
    review_of_organisation(world_a)
    details = PaymentDetailsFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    url = reverse("orgs:payment_details_verify", kwargs={"tenant_slug": world_a.tenant.slug,
                                                    "organisation_pk": world_a.organisation.pk})
    assert world_a.client_for(role).post(url).status_code == 403
    details.refresh_from_db()
    assert details.needs_verification
    assert world_a.client_for(Role.FINANCE).post(url).status_code == 302
    details.refresh_from_db()
    assert not details.needs_verification


@pytest.mark.parametrize("role,allowed", [
    (Role.FINANCE, True), (Role.APPLICANT, True), (Role.MANAGER, False), (Role.REVIEWER, False),
])
def test_payment_edit_matrix(world_a, role, allowed):
    review_of_organisation(world_a)
    url = reverse("orgs:payment_details_edit", kwargs={"tenant_slug": world_a.tenant.slug,
                                                  "organisation_pk": world_a.organisation.pk})
    response = world_a.client_for(role).post(url, {"mobile_operator": "orange_money",
                                                   "mobile_number": "+22376543210", "mobile_holder": "M. Cissé"})
    assert response.status_code == (302 if allowed else 403)
    assert PaymentDetails.objects.filter(organisation=world_a.organisation).exists() is allowed


# --- contacts ----------------------------------------------------------------------


@pytest.mark.parametrize("role,sees", [
    (Role.MANAGER, True), (Role.APPLICANT, True), (Role.FINANCE, False), (Role.REVIEWER, False),
    (Role.TRAINER, False),
])
def test_contacts_visible_to_managers_and_own_members_only(world_a, role, sees):
    """Peacebuilders' names are sensitive (DOMAIN.md): names, phones and e-mails alike."""
    review_of_organisation(world_a)
    contact = ContactPersonFactory(tenant=world_a.tenant, organisation=world_a.organisation,
                                   phone="+223 66 77 88 99")
    html = world_a.client_for(role).get(detail_url(world_a, world_a.organisation)).content.decode()
    assert (contact.name in html) is sees
    assert ("+223 66 77 88 99" in html) is sees
    assert (contact.email in html) is sees


def test_contact_phone_requires_consent(world_a):
    url = reverse("orgs:contact_create", kwargs={"tenant_slug": world_a.tenant.slug,
                                            "organisation_pk": world_a.organisation.pk})
    client = world_a.client_for(Role.APPLICANT)
    response = client.post(url, {"name": "Awa", "phone": "+22370000000"})
    assert response.status_code == 200
    assert not world_a.organisation.contacts.exists()
    response = client.post(url, {"name": "Awa", "phone": "+22370000000", "consent": "on"})
    assert response.status_code == 302
    assert world_a.organisation.contacts.get().consent is True


# --- status workflow ---------------------------------------------------------------


ALL_STATES = OrganisationStatus.values


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("source", ALL_STATES)
@pytest.mark.parametrize("target", ALL_STATES)
def test_status_transition_matrix(world_a, role, source, target):
    org = OrganisationFactory(tenant=world_a.tenant, status=source)
    transition = ORGANISATION.find(source, target, role)
    allowed = transition is not None and role in transition.roles
    try:
        services.organisation_change_status(organisation=org, actor=world_a.actor(role), status=target,
                                            reason="Documents vérifiés")
    except Refused:
        assert not allowed
        org.refresh_from_db()
        assert org.status == source
        assert not AuditEvent.objects.filter(action__startswith="organisation.", target_id=str(org.pk)).exists()
    else:
        assert allowed
        org.refresh_from_db()
        assert org.status == target
        event = AuditEvent.objects.get(action=f"organisation.{transition.action}", target_id=str(org.pk))
        assert event.before["status"] == source and event.after["status"] == target
        assert event.after["status_reason"] == "Documents vérifiés"


def test_transition_table_is_walked():
    assert {(t.source, t.target) for t in ORGANISATION.transitions} >= {
        ("pending", "verified"), ("verified", "suspended")}
    for t in ORGANISATION.transitions:
        if t.target == OrganisationStatus.SUSPENDED:
            assert t.reason_required


def test_suspension_needs_a_reason(world_a):
    org = OrganisationFactory(tenant=world_a.tenant, status=OrganisationStatus.VERIFIED)
    with pytest.raises(Refused):
        services.organisation_change_status(organisation=org, actor=world_a.actor(Role.MANAGER),
                                            status=OrganisationStatus.SUSPENDED, reason="  ")
    org.refresh_from_db()
    assert org.status == OrganisationStatus.VERIFIED


def test_status_view_shows_refusal_message(world_a):
    org = OrganisationFactory(tenant=world_a.tenant, status=OrganisationStatus.PENDING)
    review_of_organisation(world_a, org)
    url = reverse("orgs:organisation_change_status", kwargs={"tenant_slug": world_a.tenant.slug,
                                                        "organisation_pk": org.pk})
    client = world_a.client_for(Role.MANAGER)
    response = client.post(url, {"status": "pending"}, follow=True)
    assert response.status_code == 200
    assert "ne peut pas passer" in response.content.decode() or "cannot go" in response.content.decode()
    response = client.post(url, {"status": "verified"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == OrganisationStatus.VERIFIED
    assert world_a.client_for(Role.REVIEWER).post(url, {"status": "suspended", "reason": "x"}).status_code == 403


# --- list page ------------------------------------------------------------------------


def list_url(world, **params):
    from urllib.parse import urlencode

    base = reverse("orgs:organisation_list", kwargs={"tenant_slug": world.tenant.slug})
    return base + ("?" + urlencode(params) if params else "")


def test_accent_insensitive_search_finds_region_and_name(world_a):
    segou = RegionFactory(tenant=world_a.tenant, name="Ségou")
    manager = world_a.actor(Role.MANAGER)
    found = services.organisation_create(actor=manager, data={
        "name": "Coordination des femmes", "acronym": "CF", "region": segou})
    named = services.organisation_create(actor=manager, data={
        "name": "Jeunesse Élite", "acronym": "JE"})
    other = services.organisation_create(actor=manager, data={
        "name": "Réseau de Kayes", "acronym": "RK"})
    client = world_a.client_for(Role.TRAINER)
    html = client.get(list_url(world_a, q="segou")).content.decode()
    assert found.name in html and other.name not in html
    html = client.get(list_url(world_a, q="ELITE")).content.decode()
    assert named.name in html and found.name not in html


def test_search_with_a_pasted_paragraph_is_not_a_500(world_a):
    """Every word became a LIKE clause: 1,100 words made SQLite refuse the query (a 500)."""
    OrganisationFactory(tenant=world_a.tenant, name="Association Benkadi des femmes")
    words = "benkadi femmes " + " ".join(f"mot{i}" for i in range(1100))
    response = world_a.client_for(Role.MANAGER).get(list_url(world_a, q=words))
    assert response.status_code == 200


def test_list_filters(world_a, world_b):
    manager = world_a.actor(Role.MANAGER)
    north = RegionFactory(tenant=world_a.tenant, name="Gao", zone="north")
    focus = FocusAreaFactory(tenant=world_a.tenant, name="Jeunesse")
    a = services.organisation_create(actor=manager, data={
        "name": "Tassaght", "region": north, "type": "community", "focus_areas": [focus]})
    b = services.organisation_create(actor=manager, data={"name": "Benkadi", "type": "ngo"})
    client = world_a.client_for(Role.MANAGER)
    for params in ({"zone": "north"}, {"region": north.pk}, {"type": "community"}, {"focus_area": focus.pk}):
        html = client.get(list_url(world_a, **params)).content.decode()
        assert a.name in html and b.name not in html, params
    html = client.get(list_url(world_a, status="pending")).content.decode()
    assert a.name in html and world_b.organisation.name not in html


def _populate(world, count):
    regions = [RegionFactory(tenant=world.tenant) for _ in range(3)]
    areas = [FocusAreaFactory(tenant=world.tenant) for _ in range(3)]
    for i in range(count):
        org = OrganisationFactory(tenant=world.tenant, region=regions[i % 3])
        org.focus_areas.set(areas[: 1 + i % 3])
        org.regions_of_work.set(regions[: 1 + i % 2])
        PaymentDetailsFactory(tenant=world.tenant, organisation=org)


def _count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_constant(world_a, django_assert_max_num_queries):
    client = world_a.client_for(Role.MANAGER)
    url = list_url(world_a)
    _populate(world_a, 10)
    client.get(world_a.url())  # the session's refresh stamp is written on the first view, not measured below
    small = _count_queries(client, url, django_assert_max_num_queries)
    _populate(world_a, 190)
    assert Organisation.objects.filter(tenant=world_a.tenant).count() == 201
    large = _count_queries(client, url, django_assert_max_num_queries)
    assert small == large
    with django_assert_max_num_queries(small):
        assert client.get(url + "?sort=region&page=3").status_code == 200
    print(f"organisation list page: {large} queries")


@pytest.mark.parametrize(("per_page", "rows"), [("-1", 1), ("0", 25), ("abc", 25), ("5", 5), ("100000", 100)])
def test_list_page_size_from_the_query_string_is_bounded(world_a, per_page, rows):
    """?per_page=-1 raised EmptyPage (500); a huge value sent the whole registry in one page."""
    OrganisationFactory.create_batch(120, tenant=world_a.tenant)
    response = world_a.client_for(Role.MANAGER).get(list_url(world_a, per_page=per_page))
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == rows


def test_list_shows_and_filters_due_diligence(world_a):
    from orgs.models import DueDiligenceItem

    DueDiligenceItem.objects.create(tenant=world_a.tenant, name="Statuts", required=True)
    done = OrganisationFactory(tenant=world_a.tenant, name="Organisation sans pièce requise")
    client = world_a.client_for(Role.MANAGER)
    page = client.get(world_a.url("organisations/") + "?due_diligence=incomplete").content.decode()
    assert done.name in page and "Incomplète" in page
    DueDiligenceItem.objects.update(required=False)
    page = client.get(world_a.url("organisations/") + "?due_diligence=incomplete").content.decode()
    assert done.name not in page


def test_new_tenants_start_with_the_default_checklist(db):
    from orgs.models import DueDiligenceItem
    from relais.services.tenancy import tenant_create

    tenant = tenant_create(name="Fonds Sahel", slug="fonds-sahel")
    assert DueDiligenceItem.objects.filter(tenant=tenant, required=True).count() >= 4


def test_a_profile_save_does_not_undo_a_suspension_made_meanwhile(world_a):
    """The profile edit saved every column from the instance it had loaded, status included:
    a suspension recorded between the load and the save was silently reverted."""
    stale = Organisation.objects.get(pk=world_a.organisation.pk)
    services.organisation_change_status(organisation=Organisation.objects.get(pk=stale.pk),
                                        actor=world_a.actor(Role.MANAGER), status=OrganisationStatus.SUSPENDED,
                                        reason="Confirmed sanctions match")
    services.organisation_update(organisation=stale, actor=world_a.actor(Role.APPLICANT),
                                 data={"description": "Nouvelle description"})
    fresh = Organisation.objects.get(pk=stale.pk)
    assert fresh.description == "Nouvelle description"
    assert fresh.status == OrganisationStatus.SUSPENDED
    assert fresh.status_reason == "Confirmed sanctions match"


# --- services refuse line breaks in one-line fields, whoever calls them ------------------------------------------


def test_organisation_service_refuses_a_line_break_in_the_acronym(world_a):
    """Self-registration, the import and the demo write without the profile form."""
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(actor=world_a.actor(Role.MANAGER),
                                     data={"name": "Réseau des jeunes", "acronym": "REJ\r\nBcc: victim@example.org"})
    assert "acronym" in exc.value.message_dict
    assert not Organisation.objects.filter(name="Réseau des jeunes").exists()


def test_contact_and_payment_services_refuse_line_breaks(world_a):
    manager, finance = world_a.actor(Role.MANAGER), world_a.actor(Role.FINANCE)
    with pytest.raises(ValidationError):
        services.contact_save(organisation=world_a.organisation, actor=manager,
                              data={"name": "Awa\nBcc: x", "consent": True})
    assert not world_a.organisation.contacts.exists()
    with pytest.raises(ValidationError):
        services.payment_details_update(organisation=world_a.organisation, actor=finance, data={
            "bank_name": "BDM-SA", "bank_account": "ML13 1234", "bank_account_holder": "Awa\u202eTraoré"})
    assert not PaymentDetails.objects.filter(organisation=world_a.organisation).exists()


def test_geography_services_refuse_line_breaks(world_a):
    from orgs.models import FocusArea, Region

    manager = world_a.actor(Role.MANAGER)
    with pytest.raises(ValidationError):
        services.region_save(actor=manager, name="Kidal\r\nX", zone="north")
    with pytest.raises(ValidationError):
        services.focus_area_save(actor=manager, name="Paix", name_en="Peace\r\nBuilding")
    assert not Region.objects.filter(tenant=world_a.tenant, name__startswith="Kidal").exists()
    assert not FocusArea.objects.filter(tenant=world_a.tenant, name="Paix").exists()


# --- two tabs (optimistic concurrency) -----------------------------------------------------------

STALE = "Quelqu'un d'autre a enregistré cette fiche"


@pytest.mark.django_db
def test_profile_edited_in_two_tabs_the_second_save_is_refused_and_nothing_is_lost(world_a):
    from tests.page_forms import form_data

    organisation = world_a.organisation
    manager, applicant = world_a.client_for(Role.MANAGER), world_a.client_for(Role.APPLICANT)
    url = world_a.url(f"organisations/{organisation.pk}/edit/")
    theirs, mine = form_data(manager.get(url).content), form_data(applicant.get(url).content)
    theirs["description"] = ["Description saisie par le gestionnaire"]
    assert manager.post(url, theirs).status_code == 302
    mine["acronym"] = ["NOUV"]
    response = applicant.post(url, mine)
    body = response.content.decode()
    assert response.status_code == 409 and STALE in body and "Description saisie par le gestionnaire" in body
    organisation.refresh_from_db()
    assert organisation.description == "Description saisie par le gestionnaire" and organisation.acronym != "NOUV"
    again = form_data(body)
    assert again["acronym"] == ["NOUV"] and again["description"] == ["Description saisie par le gestionnaire"]
    assert applicant.post(url, again).status_code == 302
    organisation.refresh_from_db()
    assert (organisation.acronym, organisation.description) == ("NOUV", "Description saisie par le gestionnaire")


@pytest.mark.django_db
def test_contact_edited_in_two_tabs_the_second_save_is_refused(world_a):
    from tests.page_forms import form_data

    contact = ContactPersonFactory(tenant=world_a.tenant, organisation=world_a.organisation, role="Coordinatrice")
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url(f"organisations/{world_a.organisation.pk}/contacts/{contact.pk}/")
    tab1, tab2 = form_data(client.get(url).content), form_data(client.get(url).content)
    assert client.post(url, {**tab1, "role": "Présidente"}).status_code == 302
    response = client.post(url, {**tab2, "phone": "+223 70 00 00 01"})
    assert response.status_code == 409 and "Présidente" in response.content.decode()
    contact.refresh_from_db()
    assert contact.role == "Présidente" and contact.phone != "+223 70 00 00 01"
    assert client.post(url, form_data(response.content)).status_code == 302
    contact.refresh_from_db()
    assert (contact.role, contact.phone) == ("Présidente", "+223 70 00 00 01")


@pytest.mark.django_db
def test_payment_details_edited_in_two_tabs_the_second_save_is_refused(world_a):
    from tests.page_forms import form_data

    details = PaymentDetailsFactory(tenant=world_a.tenant, organisation=world_a.organisation, bank_name="BDM-SA")
    finance, applicant = world_a.client_for(Role.FINANCE), world_a.client_for(Role.APPLICANT)
    url = world_a.url(f"organisations/{world_a.organisation.pk}/payment/")
    theirs, mine = form_data(finance.get(url).content), form_data(applicant.get(url).content)
    assert finance.post(url, {**theirs, "bank_name": "Ecobank Mali"}).status_code == 302
    response = applicant.post(url, {**mine, "mobile_operator": "orange_money", "mobile_number": "+223 76 00 00 02",
                                    "mobile_holder": "Trésorière"})
    assert response.status_code == 409 and "Ecobank Mali" in response.content.decode()
    details.refresh_from_db()
    assert details.bank_name == "Ecobank Mali" and details.mobile_number != "+223 76 00 00 02"


@pytest.mark.parametrize(("role", "sees"), [(Role.MANAGER, True), (Role.FINANCE, True), (Role.REVIEWER, False),
                                            (Role.TRAINER, False)])
def test_due_diligence_column_filter_and_sort_only_for_managers_and_finance(world_a, role, sees):
    from orgs.models import DueDiligenceItem

    DueDiligenceItem.objects.create(tenant=world_a.tenant, name="Statuts", required=True)
    org = OrganisationFactory(tenant=world_a.tenant, name="Organisation sans pièce requise")
    review_of_organisation(world_a, org)  # a reviewer sees this CSO in the registry
    client = world_a.client_for(role)
    page = client.get(world_a.url("organisations/")).content.decode()
    assert org.name in page
    assert ("Incomplète" in page) is sees
    assert ('name="due_diligence"' in page) is sees
    # Neither a filter nor a sort on the status tells it by another way.
    for query in ("?due_diligence=complete", "?sort=dd_status", "?sort=-dd_status"):
        response = client.get(world_a.url("organisations/") + query)
        assert response.status_code == 200
        if not sees:
            assert org.name in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "columns"), [(Role.MANAGER, 8), (Role.TRAINER, 7)])
def test_list_rows_have_one_cell_per_visible_column_and_the_name_stays_in_view(world_a, role, columns):
    """The rows are written in one pass (orgs.tables.OrganisationTable.body_html): they follow the
    columns the role sees and keep each column's cell attributes (the sticky key column on phones)."""
    import re

    body = world_a.client_for(role).get(list_url(world_a)).content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody", 1)[1], re.S)
    assert rows and all(row.count("<td") == columns for row in rows)
    assert all(row.lstrip().startswith('<td class="key"') for row in rows)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MANAGER, Role.TRAINER])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_list_rows_are_the_cells_of_the_render_methods(world_a, role, language):
    """body_html writes its cells without format_html, reverse() or get_FOO_display() per row
    (throughput, issue 10): the markup is the one the table's render_* methods give, cell by cell."""
    from django.utils import timezone, translation
    from django.utils.html import format_html, format_html_join

    from orgs.selectors.due_diligence import annotate_due_diligence
    from orgs.selectors.organisations import organisation_export_rows
    from orgs.tables import OrganisationTable

    odd = RegionFactory(tenant=world_a.tenant, name="Ségou & <Mopti>", zone="north")
    OrganisationFactory(tenant=world_a.tenant, name='Femmes "unies" & co', acronym="", region=None, type="")
    tricky = OrganisationFactory(tenant=world_a.tenant, name="Jeunes <b>", acronym="J&J", region=odd,
                                 type="ngo", status=OrganisationStatus.SUSPENDED)
    tricky.regions_of_work.add(odd, RegionFactory(tenant=world_a.tenant, name="Kayes"))
    tricky.focus_areas.add(FocusAreaFactory(tenant=world_a.tenant, name="Paix & sécurité"),
                           FocusAreaFactory(tenant=world_a.tenant, name="Jeunesse"))
    actor = world_a.actor(role)
    rows = annotate_due_diligence(organisation_export_rows(actor=actor), today=timezone.localdate())
    exclude = () if role == Role.MANAGER else ("dd_status",)
    with translation.override(language):
        table = OrganisationTable(rows, tenant_slug=world_a.tenant.slug, exclude=exclude)
        table.paginate(per_page=50)
        got = str(table.body_html())
        renderers = {
            "name": table.render_name, "type": lambda record: record.get_type_display() or "—",
            "region": lambda record: record.region.name if record.region else "—", "zone": table.render_zone,
            "regions_of_work": table.render_regions_of_work, "focus_areas": table.render_focus_areas,
            "status": table.render_status, "dd_status": table.render_dd_status,
        }
        columns = [(renderers[column.name], column.attrs["td"].as_html()) for column in table.columns]
        expected = "\n".join(
            format_html("<tr>{}</tr>", format_html_join("", "<td {}>{}</td>",
                                                        ((attrs, render(row.record)) for render, attrs in columns)))
            for row in table.page.object_list)
    assert got == expected
    assert "J&amp;J" in got and "Ségou &amp; &lt;Mopti&gt;" in got and got.count("<tr>") >= 3
    # The list page names the regions of work and focus areas from values (names_of_page), not from
    # the prefetched relations: the same cells, in the same order.
    from orgs.selectors.organisations import names_of_page, reference_names

    with translation.override(language):
        reference = reference_names(actor=actor)
        table.related_names = names_of_page([row.record.pk for row in table.page.object_list],
                                            reference=reference)
        assert str(table.body_html()) == expected
        # Nor the head office and its zone from a join: from the tenant's regions read as names.
        table.reference = reference
        assert str(table.body_html()) == expected


@pytest.mark.django_db
def test_the_filter_choices_are_read_without_a_server_side_cursor(world_a, monkeypatch):
    """QuerySet.iterator() opens a server-side cursor on PostgreSQL (DECLARE, FETCH, CLOSE) for the
    dozen regions and focus areas of the filters: three round trips each on every view of the list."""
    from django.db.models.query import QuerySet

    FocusAreaFactory(tenant=world_a.tenant, name="Cohésion sociale")

    def no_iterator(self, *args, **kwargs):
        raise AssertionError("a choice list read through iterator()")

    monkeypatch.setattr(QuerySet, "iterator", no_iterator)
    page = world_a.client_for(Role.MANAGER).get(list_url(world_a)).content.decode()
    assert "Cohésion sociale</option>" in page and world_a.organisation.region.name + "</option>" in page


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?sort=dd_status", "?sort=-dd_status", "?due_diligence=expired"])
def test_the_due_diligence_column_is_right_whether_read_for_the_page_or_in_sql(world_a, query):
    """Unsorted and unfiltered by it, the list reads the status of its 25 rows in two plain queries
    (the SQL annotation is costly to build on every view, issue 10); sorted or filtered, in SQL."""
    import re
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from orgs.models import DueDiligenceStatus, ReviewStatus
    from tests.factories_dd import DueDiligenceItemFactory, OrganisationDocumentFactory

    item = DueDiligenceItemFactory(tenant=world_a.tenant, required=True, expires=True)
    today = timezone.localdate()
    expected = {}
    for acronym, expires_on in (("DONE", today + timedelta(days=30)), ("LAPSED", today - timedelta(days=1)),
                                ("NONE", None)):
        org = OrganisationFactory(tenant=world_a.tenant, acronym=acronym)
        if expires_on:
            OrganisationDocumentFactory(tenant=world_a.tenant, organisation=org, item=item,
                                        review_status=ReviewStatus.ACCEPTED, expires_on=expires_on)
        expected[acronym] = {"DONE": DueDiligenceStatus.COMPLETE, "LAPSED": DueDiligenceStatus.EXPIRED,
                             "NONE": DueDiligenceStatus.INCOMPLETE}[acronym]
    with CaptureQueriesContext(connection) as queries:
        body = world_a.client_for(Role.MANAGER).get(list_url(world_a) + query).content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody", 1)[1], re.S)
    shown = {re.search(r"<strong>(.*?)</strong>", row).group(1): row for row in rows}
    for acronym, status in expected.items():
        if query.startswith("?due_diligence") and status != DueDiligenceStatus.EXPIRED:
            assert acronym not in shown
        else:
            assert f">{status.label}</span>" in shown[acronym]
    in_sql = any("EXISTS" in q["sql"] and '"orgs_organisation"."name"' in q["sql"] for q in queries.captured_queries)
    assert in_sql is bool(query)


@pytest.mark.django_db
def test_the_list_reads_regions_and_focus_areas_once_as_names(world_a):
    """The tenant's regions and focus areas are read in one query that both fills the filter
    drop-downs and names the rows' regions of work and focus areas (from one query on the two
    through tables): no prefetch building Region and FocusArea instances, no query per drop-down
    (issue 10, throughput)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    area = FocusAreaFactory(tenant=world_a.tenant, name="Cohésion sociale")
    world_a.organisation.focus_areas.add(area)
    world_a.organisation.regions_of_work.add(world_a.organisation.region)
    with CaptureQueriesContext(connection) as queries:
        page = world_a.client_for(Role.MANAGER).get(list_url(world_a)).content.decode()
    reads = [q["sql"] for q in queries.captured_queries
             if 'FROM "orgs_focusarea"' in q["sql"] or 'FROM "orgs_region"' in q["sql"]
             or "_focus_areas" in q["sql"] or "_regions_of_work" in q["sql"]]
    assert len(reads) == 2, reads
    assert "UNION ALL" in reads[0] and "UNION ALL" in reads[1]
    assert "Cohésion sociale</option>" in page and "Cohésion sociale</td>" in page
    assert world_a.organisation.region.name + "</option>" in page


@pytest.mark.django_db
def test_the_filters_still_refuse_another_tenants_region_and_focus_area(world_a, world_b):
    """The drop-downs are drawn from names read once, but a submitted choice is still checked against
    the tenant's regions and focus areas: another tenant's is an invalid choice, not a filter."""
    other_area = FocusAreaFactory(tenant=world_b.tenant, name="Ailleurs")
    client = world_a.client_for(Role.MANAGER)
    for query in (f"?region={world_b.organisation.region.pk}", f"?focus_area={other_area.pk}"):
        response = client.get(list_url(world_a) + query)
        assert response.status_code == 200
        assert response.context["filter"].form.errors, query
        assert world_b.organisation.region.name + "</option>" not in response.content.decode()
    own = client.get(list_url(world_a) + f"?region={world_a.organisation.region.pk}")
    assert not own.context["filter"].form.errors
    assert f'<option value="{world_a.organisation.region.pk}" selected>' in own.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?page=2&sort=-type", "?q=", "?q=s%C3%A9gou&zone=north",
                                   "?region=999999&status=nonsense"])
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("sees_due_diligence", [True, False])
def test_the_filter_fields_are_the_template_loops_markup(world_a, query, language, sees_due_diligence):
    """The filter form is written in one pass, its labels without the form renderer (issue 10):
    the very markup of the template loop it replaced, bound or not, with invalid choices too, and
    unbound or only paged and sorted (drawn from the filters' widgets without the form), with or
    without the due-diligence filter (a role that may not see it)."""
    from django.http import QueryDict
    from django.template import engines
    from django.utils import translation

    from orgs.filters import OrganisationFilter
    from orgs.selectors.organisations import reference_names

    FocusAreaFactory(tenant=world_a.tenant, name="Paix & sécurité")
    actor = world_a.actor(Role.MANAGER)
    loop = engines["django"].from_string(
        '{% for field in filter.form %}<div class="field">{{ field.label_tag }}{{ field }}</div>{% endfor %}')
    with translation.override(language):
        data = QueryDict(query.lstrip("?")) or None
        fast = OrganisationFilter(data, queryset=Organisation.objects.none(), actor=actor,
                                  reference=reference_names(actor=actor))
        slow = OrganisationFilter(data, queryset=Organisation.objects.none(), actor=actor)
        if not sees_due_diligence:
            del fast.filters["due_diligence"], slow.filters["due_diligence"]
        assert str(fast.fields_html()) == loop.render({"filter": slow})
        assert ('name="due_diligence"' in str(fast.fields_html())) is sees_due_diligence
        # No filter submitted: no form built to draw it (the view's .qs builds one to check a bound form).
        assert hasattr(fast, "_form") is (data is not None and any(name in data for name in fast.filters))
    assert "Paix &amp; sécurité</option>" in str(fast.fields_html())


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MANAGER, Role.TRAINER])
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("query", [
    "", "?page=2&per_page=2", "?sort=-region&q=a%26%3Cb%3E&page=1", "?q=nobody-has-this-name",
    "?per_page=1&page=8", "?per_page=1&page=17", "?per_page=1&page=99", "?sort=dd_status&per_page=3&page=2",
    "?sort=-type&status=verified&per_page=1",
])
def test_the_table_is_what_render_table_wrote(world_a, role, language, query):
    """The list writes its whole table in one pass (OrganisationTable.html: header and page links
    too, issue 10): the very markup of {% render_table %} through tables2's template, first, middle
    and last pages, the skipped ranges, a sorted column, an empty result, escaped query strings."""
    from django.template import engines

    for number in range(16):
        OrganisationFactory(tenant=world_a.tenant, name=f"Association {number} & <co>", acronym=f"A{number:02}")
    client = world_a.client_for(role)
    client.cookies["django_language"] = language
    response = client.get(list_url(world_a) + query)
    table, request = response.context["table"], response.wsgi_request
    expected = engines["django"].from_string("{% load django_tables2 %}{% render_table table %}").render(
        {"table": table}, request)
    assert str(table.html()) == expected
    assert expected in response.content.decode()


@pytest.mark.django_db
def test_an_empty_page_reads_neither_names_nor_due_diligence(world_a, django_assert_num_queries):
    """A list filtered down to nothing has no ids to read for: no query (an empty IN () is not SQL)."""
    from django.utils import timezone

    from orgs.selectors.due_diligence import due_diligence_of_page
    from orgs.selectors.organisations import names_of_page, reference_names

    reference = reference_names(actor=world_a.actor(Role.MANAGER))
    with django_assert_num_queries(0):
        assert names_of_page([], reference=reference) == {}
        assert due_diligence_of_page([], tenant_id=world_a.tenant.pk, today=timezone.localdate()) == {}
