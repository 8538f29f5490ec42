"""A cleared sanctions screening holds only for the names it screened.

Renaming the organisation, changing its acronym, its contact people or a member's
full name makes the screening stale: it no longer counts as cleared, the managers
are told once, and re-screening clears it again.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from orgs.models import JoinRequest, Organisation, Screening, ScreeningDecision
from orgs.selectors.due_diligence import screening_status
from orgs.services import organisations as organisation_services
from orgs.services.registration import join_request_decide
from orgs.services.screening import sanctions_list_import, screening_decide, screening_run
from relais.actor import Actor
from relais.models import AuditEvent, Role
from relais.services.tenancy import membership_grant, membership_revoke, user_update_profile
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.orgs.factories import ContactPersonFactory

UN_SAMPLE = Path(django_settings.BASE_DIR) / "orgs" / "fixtures" / "sanctions_sample_un.xml"


@pytest.fixture
def contact(world_a):
    return ContactPersonFactory(tenant=world_a.tenant, organisation=world_a.organisation, name="Awa Traoré",
                                phone="+223 76 00 11 22")


@pytest.fixture
def cleared(world_a, contact):
    """A clear screening of world_a's CSO (name, acronym, one contact, one applicant member)."""
    sanctions_list_import(actor=Actor.system(world_a.tenant), data=UN_SAMPLE.read_bytes(), name="ONU",
                          source_format="un_xml")
    screening = screening_run(actor=world_a.actor(Role.MANAGER), organisation=world_a.organisation)
    assert screening.decision == ScreeningDecision.CLEAR
    return screening


def _status(world, screening: Screening | None = None) -> str:
    screening = screening or Screening.objects.filter(organisation=world.organisation).first()
    screening.refresh_from_db()
    return screening_status(screening, tenant=world.tenant, now=timezone.now())


def _rename(world, **data):
    organisation = world.organisation
    organisation.refresh_from_db()
    return organisation_services.organisation_update(organisation=organisation, actor=world.actor(Role.APPLICANT),
                                                     data=data)


# --- the fingerprint ---------------------------------------------------------------------------

def test_the_fingerprint_is_that_of_the_names_as_the_matching_sees_them():
    from orgs.sanctions import names_fingerprint

    base = names_fingerprint(["AJCET", "Moussa Ag Alwaly", "Awa Traoré"])
    assert names_fingerprint(["Awa TRAORE", "Moussa Ag-Alwali", "Ajcet", "AJCET"]) == base  # order, case, spelling
    assert names_fingerprint(["AJCET", "Moussa Ag Alwaly"]) != base  # one name fewer
    assert names_fingerprint(["AJCET", "Moussa Ag Alwaly", "Awa Traoré", "Fanta Coulibaly"]) != base
    assert names_fingerprint(["AJCET", "Moussa Ag Alwaly", "Awa Touré"]) != base




# --- what makes a screening stale -------------------------------------------------------------

def test_a_fresh_clear_screening_is_valid(world_a, cleared):
    assert _status(world_a, cleared) == "valid"


@pytest.mark.parametrize("data", [
    {"name": "Katiba des amis du Sahel"},
    {"acronym": "KAS"},
])
def test_renaming_the_organisation_makes_the_screening_stale(world_a, cleared, data):
    _rename(world_a, **data)
    assert _status(world_a, cleared) == "stale"


def test_changing_a_contact_persons_name_makes_the_screening_stale(world_a, cleared, contact):
    organisation_services.contact_save(organisation=world_a.organisation, actor=world_a.actor(Role.APPLICANT),
                                       contact=contact, data={"name": "Mohamed Ag Alwaly"})
    assert _status(world_a, cleared) == "stale"


def test_adding_or_removing_a_contact_person_makes_the_screening_stale(world_a, cleared, contact):
    organisation_services.contact_save(organisation=world_a.organisation, actor=world_a.actor(Role.APPLICANT),
                                       data={"name": "Fanta Coulibaly", "role": "Trésorière", "consent": True})
    assert _status(world_a, cleared) == "stale"
    second = screening_run(actor=world_a.actor(Role.MANAGER), organisation=world_a.organisation)
    assert _status(world_a, second) == "valid"
    organisation_services.contact_delete(contact=contact, actor=world_a.actor(Role.APPLICANT))
    assert _status(world_a, second) == "stale"


def test_a_members_new_full_name_makes_the_screening_stale(world_a, cleared):
    applicant = world_a.user(Role.APPLICANT)
    user_update_profile(user=applicant, full_name="Boubacar Tambura", language="fr")
    assert _status(world_a, cleared) == "stale"


def test_a_new_member_of_the_organisation_makes_the_screening_stale(world_a, cleared):
    newcomer = UserFactory(full_name="Hamadou Koufaye")
    join_request = JoinRequest.objects.create(tenant=world_a.tenant, user=newcomer,
                                              organisation=world_a.organisation)
    join_request_decide(join_request=join_request, actor=world_a.actor(Role.MANAGER), approve=True)
    assert _status(world_a, cleared) == "stale"


def test_unrelated_changes_keep_the_screening_valid(world_a, cleared, contact, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    applicant = world_a.user(Role.APPLICANT)
    with django_capture_on_commit_callbacks(execute=True):
        _rename(world_a, description="Médiation communautaire à Mopti")
        organisation_services.contact_save(organisation=world_a.organisation, actor=world_a.actor(Role.APPLICANT),
                                           contact=contact,
                                           data={"phone": "+223 66 00 00 00", "role": "Présidente"})
        user_update_profile(user=applicant, full_name=applicant.full_name, language="en")
        # A change of case or accents is the same name for the matching.
        _rename(world_a, acronym=world_a.organisation.acronym.lower())
        organisation_services.contact_save(organisation=world_a.organisation, actor=world_a.actor(Role.APPLICANT),
                                           contact=contact,
                                           data={"name": "AWA TRAORE"})
    assert _status(world_a, cleared) == "valid"
    assert not AuditEvent.objects.filter(action="screening.stale").exists()
    assert mailoutbox == []


def test_a_staff_members_name_is_not_an_organisation_name(world_a, cleared):
    user_update_profile(user=world_a.user(Role.FINANCE), full_name="Ahmadou Ould Deddah", language="fr")
    assert _status(world_a, cleared) == "valid"


def test_another_tenants_organisation_is_not_affected(worlds, cleared):
    world_a, world_b = worlds
    other = OrganisationFactory(tenant=world_b.tenant, name=world_a.organisation.name)
    organisation_services.organisation_update(organisation=other, actor=world_b.actor(Role.MANAGER),
                                              data={"name": "Autre nom"})
    assert _status(world_a, cleared) == "valid"


# --- telling the managers ------------------------------------------------------------------------

def test_managers_are_told_once_and_the_change_is_audited(world_a, cleared, contact, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    second_manager = MembershipFactory(tenant=world_a.tenant, role=Role.MANAGER, user__email="m2@tenant-a.test")
    MembershipFactory(tenant=world_a.tenant, role=Role.MANAGER, user__email="gone@tenant-a.test", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _rename(world_a, name="Katiba des amis du Sahel")
    with django_capture_on_commit_callbacks(execute=True):
        organisation_services.contact_save(organisation=world_a.organisation, actor=world_a.actor(Role.APPLICANT),
                                           contact=contact, data={"name": "Mohamed Ag Alwaly"})
    # One e-mail per active manager (the outbox keeps one row per recipient).
    assert sorted(address for m in mailoutbox for address in m.to) == sorted(
        [world_a.user(Role.MANAGER).email, second_manager.user.email])
    message = mailoutbox[0]
    assert world_a.organisation.acronym in message.subject
    path = reverse("orgs:due_diligence", kwargs={"tenant_slug": world_a.tenant.slug,
                                            "organisation_pk": world_a.organisation.pk})
    assert path in message.body
    # People's names stay out of e-mails and the audit log.
    assert "Ag Alwaly" not in message.body and "Awa" not in message.body
    event = AuditEvent.objects.get(action="screening.stale")
    assert event.target_id == str(cleared.pk) and event.actor == world_a.user(Role.APPLICANT)
    assert "Ag Alwaly" not in str(event.after) and "Awa" not in str(event.after)
    # The managers' copy: the audit label is readable.
    from relais.audit_labels import audit_label

    assert audit_label("screening.stale") != "screening.stale"


def test_re_screening_clears_and_a_later_change_is_told_again(world_a, cleared, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _rename(world_a, name="Katiba des amis du Sahel")
    assert _status(world_a, cleared) == "stale"
    again = screening_run(actor=world_a.actor(Role.MANAGER), organisation=world_a.organisation)
    assert _status(world_a, again) == "valid"
    with django_capture_on_commit_callbacks(execute=True):
        _rename(world_a, acronym="KAS")
    assert _status(world_a, again) == "stale"
    assert len(mailoutbox) == 2
    assert AuditEvent.objects.filter(action="screening.stale").count() == 2


def test_names_changed_back_make_the_screening_valid_again(world_a, cleared):
    original = world_a.organisation.name
    _rename(world_a, name="Katiba des amis du Sahel")
    assert _status(world_a, cleared) == "stale"
    _rename(world_a, name=original)
    assert _status(world_a, cleared) == "valid"


def test_a_confirmed_match_stays_a_match_whatever_the_names(world_a, un_list_and_pending):
    screening = un_list_and_pending
    screening_decide(actor=world_a.actor(Role.MANAGER), screening=screening, decision=ScreeningDecision.CONFIRMED,
                     reason="Même personne")
    _rename(world_a, name="Nouveau nom")
    assert _status(world_a, screening) == "match"
    assert not AuditEvent.objects.filter(action="screening.stale").exists()


@pytest.fixture
def un_list_and_pending(world_a):
    sanctions_list_import(actor=Actor.system(world_a.tenant), data=UN_SAMPLE.read_bytes(), name="ONU",
                          source_format="un_xml")
    MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT, organisation=world_a.organisation,
                      user__full_name="Oumar Ould Bahana")
    screening = screening_run(actor=world_a.actor(Role.MANAGER), organisation=world_a.organisation)
    assert screening.decision == ScreeningDecision.PENDING
    return screening


def test_a_member_leaving_is_a_change_of_names(world_a, cleared):
    applicant = world_a.members[Role.APPLICANT]
    membership_revoke(membership=applicant, actor=world_a.actor(Role.MANAGER))
    assert _status(world_a, cleared) == "stale"
    # and one coming back makes the names those screened again
    membership_grant(actor=world_a.actor(Role.MANAGER), user=applicant.user, role=Role.APPLICANT,
                     organisation=world_a.organisation)
    assert _status(world_a, cleared) == "valid"


# --- the clearance that payments will ask for ---------------------------------------------------

def test_clearance_allows_a_current_clear_screening(world_a, cleared):
    from orgs.services.screening import screening_clearance

    decision = screening_clearance(actor=world_a.actor(Role.FINANCE), organisation=world_a.organisation)
    assert decision.allowed and bool(decision)


@pytest.mark.parametrize(("setup", "words"), [
    ("never", "jamais"),
    ("stale", "noms"),
    ("expired", "expiré"),
])
def test_clearance_refuses_with_a_reason(world_a, cleared, setup, words):
    from orgs.services.screening import screening_clearance

    if setup == "never":
        Screening.objects.all().delete()
    elif setup == "stale":
        _rename(world_a, name="Katiba des amis du Sahel")
    else:
        Screening.objects.filter(pk=cleared.pk).update(ran_at=timezone.now() - timedelta(days=400))
    decision = screening_clearance(actor=world_a.actor(Role.FINANCE), organisation=world_a.organisation)
    assert not decision.allowed
    assert words in decision.reason.lower()


def test_clearance_refuses_a_screening_awaiting_decision_or_a_match(world_a, un_list_and_pending):
    from orgs.services.screening import screening_clearance

    finance = world_a.actor(Role.FINANCE)
    assert "décision" in screening_clearance(actor=finance, organisation=world_a.organisation).reason
    screening_decide(actor=world_a.actor(Role.MANAGER), screening=un_list_and_pending,
                     decision=ScreeningDecision.CONFIRMED, reason="Même personne")
    decision = screening_clearance(actor=world_a.actor(Role.FINANCE), organisation=world_a.organisation)
    assert not decision.allowed and "correspondance" in decision.reason.lower()


def test_clearance_after_a_false_positive_is_allowed_until_names_change(world_a, un_list_and_pending):
    from orgs.services.screening import screening_clearance

    screening_decide(actor=world_a.actor(Role.MANAGER), screening=un_list_and_pending,
                     decision=ScreeningDecision.FALSE_POSITIVE, reason="Homonyme")
    assert screening_clearance(actor=world_a.actor(Role.FINANCE), organisation=world_a.organisation).allowed
    _rename(world_a, acronym="KAS")
    assert not screening_clearance(actor=world_a.actor(Role.FINANCE), organisation=world_a.organisation).allowed


# --- where managers see it -----------------------------------------------------------------------

def test_due_diligence_page_says_the_names_changed(world_a, cleared):
    url = reverse("orgs:due_diligence", kwargs={"tenant_slug": world_a.tenant.slug,
                                           "organisation_pk": world_a.organisation.pk})
    client = world_a.client_for(Role.MANAGER)
    assert "Criblage valide" in client.get(url).content.decode()
    _rename(world_a, name="Katiba des amis du Sahel")
    html = client.get(url).content.decode()
    assert "Noms modifiés depuis le criblage" in html and "Criblage valide" not in html
    detail = reverse("orgs:screening_detail", kwargs={"tenant_slug": world_a.tenant.slug, "screening_pk": cleared.pk})
    assert "Noms modifiés depuis le criblage" in client.get(detail).content.decode()


def test_overview_shows_and_filters_stale_screenings(worlds, cleared):
    world_a, world_b = worlds
    still_valid = OrganisationFactory(tenant=world_a.tenant, acronym="VALIDE1")
    screening_run(actor=world_a.actor(Role.MANAGER), organisation=still_valid)
    OrganisationFactory(tenant=world_b.tenant, acronym="FOREIGN1")
    _rename(world_a, acronym="RENOMME1")
    url = reverse("orgs:due_diligence_overview", kwargs={"tenant_slug": world_a.tenant.slug})
    client = world_a.client_for(Role.MANAGER)
    html = client.get(url).content.decode()
    assert "Noms modifiés depuis le criblage" in html and "Criblage valide" in html
    stale_only = client.get(url, {"screening": "stale"}).content.decode()
    assert "RENOMME1" in stale_only and "VALIDE1" not in stale_only and "FOREIGN1" not in stale_only
    valid_only = client.get(url, {"screening": "valid"}).content.decode()
    assert "VALIDE1" in valid_only and "RENOMME1" not in valid_only


@pytest.mark.parametrize("count", [5, 40])
def test_overview_with_cleared_screenings_keeps_a_constant_number_of_queries(
    world_a, count, django_assert_max_num_queries,
):
    from tests.factories_dd import ScreeningFactory

    for organisation in OrganisationFactory.create_batch(count, tenant=world_a.tenant):
        ContactPersonFactory(tenant=world_a.tenant, organisation=organisation)
        ScreeningFactory(tenant=world_a.tenant, organisation=organisation, decision=ScreeningDecision.CLEAR)
    url = reverse("orgs:due_diligence_overview", kwargs={"tenant_slug": world_a.tenant.slug})
    client = world_a.client_for(Role.MANAGER)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    assert "Criblage valide" in response.content.decode()


def test_managers_dashboard_counts_organisations_to_screen_again(world_a, cleared):
    client = world_a.client_for(Role.MANAGER)
    dashboard = reverse("relais:dashboard", kwargs={"tenant_slug": world_a.tenant.slug})
    assert "à cribler de nouveau" not in client.get(dashboard).content.decode()
    _rename(world_a, acronym="RENOMME1")
    html = client.get(dashboard).content.decode()
    assert "1 organisation à cribler de nouveau" in html and "RENOMME1" in html
    # Screening results are not for applicants.
    assert "cribler" not in world_a.client_for(Role.APPLICANT).get(dashboard).content.decode()


# --- the admin writes names too -----------------------------------------------------------------

@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True)


def test_admin_changes_of_names_tell_the_managers(world_a, cleared, superuser):
    from django.contrib import admin
    from django.test import RequestFactory

    from orgs.models import Organisation
    from relais.models import User

    request = RequestFactory().post("/admin/")
    request.user = superuser
    organisation = Organisation.objects.get(pk=world_a.organisation.pk)
    organisation.name = "Katiba des amis du Sahel"
    admin.site._registry[Organisation].save_model(request, organisation, form=None, change=True)
    assert AuditEvent.objects.filter(action="screening.stale", target_id=str(cleared.pk)).count() == 1

    again = screening_run(actor=world_a.actor(Role.MANAGER), organisation=organisation)
    applicant = User.objects.get(pk=world_a.user(Role.APPLICANT).pk)
    applicant.full_name = "Boubacar Tambura"
    admin.site._registry[User].save_model(request, applicant, form=None, change=True)
    assert AuditEvent.objects.filter(action="screening.stale", target_id=str(again.pk)).count() == 1


def test_admin_removing_a_member_tells_the_managers(world_a, cleared, superuser):
    from django.test import Client

    client = Client()
    client.force_login(superuser)
    membership = world_a.members[Role.APPLICANT]
    response = client.post(f"/admin/relais/membership/{membership.pk}/change/", {
        "tenant": world_a.tenant.pk, "user": membership.user_id, "role": "applicant",
        "organisation": world_a.organisation.pk,  # is_active unticked
    })
    assert response.status_code == 302
    assert _status(world_a, cleared) == "stale"
    assert AuditEvent.objects.filter(action="screening.stale", target_id=str(cleared.pk)).exists()


def test_the_overview_page_reads_the_same_latest_screening_as_the_annotation(world_a, world_b, cleared):
    """The overview reads the latest screening of its page from one plain query
    (latest_screenings_of_page); the annotation (annotate_latest_screening) remains for the filters.
    Several screenings per CSO, one tie on the date (the higher id wins), a CSO never screened, and
    another workspace's screening of its own CSO."""
    from orgs.selectors.due_diligence import annotate_latest_screening, latest_screenings_of_page

    manager = world_a.actor(Role.MANAGER)
    second = screening_run(actor=manager, organisation=world_a.organisation)
    third = screening_run(actor=manager, organisation=world_a.organisation)
    Screening.objects.filter(pk=third.pk).update(ran_at=second.ran_at, decision=ScreeningDecision.FALSE_POSITIVE,
                                                 names_fingerprint="tie")
    Screening.objects.filter(pk=cleared.pk).update(ran_at=timezone.now() + timedelta(days=1))  # newest by date
    never = OrganisationFactory(tenant=world_a.tenant)
    sanctions_list_import(actor=Actor.system(world_b.tenant), data=UN_SAMPLE.read_bytes(), name="ONU",
                          source_format="un_xml")
    screening_run(actor=world_b.actor(Role.MANAGER), organisation=world_b.organisation)

    def latest(rows):
        return {o.pk: (o.last_screening_decision, o.last_screening_at, o.last_screening_fingerprint) for o in rows}

    ids = [world_a.organisation.pk, never.pk, world_b.organisation.pk]
    annotated = latest(annotate_latest_screening(Organisation.objects.filter(tenant=world_a.tenant, pk__in=ids)))
    page = list(Organisation.objects.filter(tenant=world_a.tenant, pk__in=ids))
    latest_screenings_of_page(page, tenant=world_a.tenant)
    assert latest(page) == annotated
    assert annotated[world_a.organisation.pk][0] == ScreeningDecision.CLEAR  # the newest date, not the newest id
    assert annotated[never.pk] == (None, None, None)
    Screening.objects.filter(pk=cleared.pk).delete()  # now the tie decides: the higher id
    page = list(Organisation.objects.filter(tenant=world_a.tenant, pk__in=ids))
    latest_screenings_of_page(page, tenant=world_a.tenant)
    assert latest(page)[world_a.organisation.pk] == (ScreeningDecision.FALSE_POSITIVE, second.ran_at, "tie")


def test_the_registry_checks_of_a_page_are_the_two_statements_and_the_annotations(world_a, world_b, cleared,
                                                                                   django_assert_num_queries):
    """registry_checks_of_page (the finance page's and the dashboard's conditions: due diligence and screening of
    the same CSOs in one statement) answers what due_diligence_of_page and latest_screenings_of_page answer, and
    what annotate_due_diligence and annotate_latest_screening say: several screenings per CSO with a tie on the
    date, a CSO never screened and without documents, an accepted, a lapsed and a pending document, an optional
    item, another workspace's CSO, screening and document."""
    from django.db.models import Count, Q

    from orgs.models import ReviewStatus
    from orgs.selectors.due_diligence import (
        annotate_due_diligence,
        annotate_latest_screening,
        due_diligence_of_page,
        latest_screenings_of_page,
        registry_checks_of_page,
    )
    from tests.factories_dd import DueDiligenceItemFactory, OrganisationDocumentFactory

    today = timezone.localdate()
    manager = world_a.actor(Role.MANAGER)
    second = screening_run(actor=manager, organisation=world_a.organisation)
    third = screening_run(actor=manager, organisation=world_a.organisation)
    Screening.objects.filter(pk=third.pk).update(ran_at=second.ran_at, decision=ScreeningDecision.FALSE_POSITIVE,
                                                 names_fingerprint="tie")
    never, lapsed, pending = OrganisationFactory.create_batch(3, tenant=world_a.tenant)
    screening_run(actor=manager, organisation=lapsed)
    required = DueDiligenceItemFactory(tenant=world_a.tenant, required=True, expires=True)
    other_required = DueDiligenceItemFactory(tenant=world_a.tenant, required=True)
    optional = DueDiligenceItemFactory(tenant=world_a.tenant, required=False)
    for organisation, status, expires_on in ((world_a.organisation, ReviewStatus.ACCEPTED, today),
                                             (lapsed, ReviewStatus.ACCEPTED, today - timedelta(days=1)),
                                             (pending, ReviewStatus.PENDING, None)):
        OrganisationDocumentFactory(tenant=world_a.tenant, organisation=organisation, item=required,
                                    review_status=status, expires_on=expires_on)
    OrganisationDocumentFactory(tenant=world_a.tenant, organisation=pending, item=optional,
                                review_status=ReviewStatus.ACCEPTED)
    OrganisationDocumentFactory(tenant=world_a.tenant, organisation=world_a.organisation, item=other_required,
                                review_status=ReviewStatus.ACCEPTED)
    sanctions_list_import(actor=Actor.system(world_b.tenant), data=UN_SAMPLE.read_bytes(), name="ONU",
                          source_format="un_xml")
    screening_run(actor=world_b.actor(Role.MANAGER), organisation=world_b.organisation)
    DueDiligenceItemFactory(tenant=world_b.tenant, required=True)

    def latest(rows):
        return {o.pk: (o.last_screening_decision, o.last_screening_at, o.last_screening_fingerprint) for o in rows}

    ids = [world_a.organisation.pk, never.pk, lapsed.pk, pending.pk, world_b.organisation.pk]
    page = list(Organisation.objects.filter(tenant=world_a.tenant, pk__in=ids))
    with django_assert_num_queries(1):
        statuses = registry_checks_of_page(page, tenant=world_a.tenant, today=today)
    apart = list(Organisation.objects.filter(tenant=world_a.tenant, pk__in=ids))
    latest_screenings_of_page(apart, tenant=world_a.tenant)
    mine = [o.pk for o in page]
    assert statuses == due_diligence_of_page(mine, tenant_id=world_a.tenant.pk, today=today)
    assert latest(page) == latest(apart)
    annotated = Organisation.objects.filter(tenant=world_a.tenant, pk__in=ids)
    assert latest(page) == latest(annotate_latest_screening(annotated))
    assert statuses == {o.pk: (o.dd_status, o.pending) for o in annotate_due_diligence(annotated, today=today)
                        .annotate(pending=Count("documents", filter=Q(documents__review_status=ReviewStatus.PENDING),
                                                distinct=True))}
    assert {status for status, _n in statuses.values()} == {"complete", "incomplete", "expired"}
    assert statuses[pending.pk] == ("incomplete", 1) and latest(page)[never.pk] == (None, None, None)
    assert latest(page)[world_a.organisation.pk][0] == ScreeningDecision.FALSE_POSITIVE  # the tie: higher id
    assert latest(page)[lapsed.pk][0] is not None and len(page) == 4
    assert registry_checks_of_page([], tenant=world_a.tenant, today=today) == {}


def test_an_admin_save_moves_the_version_so_open_pages_and_derived_figures_see_it(world_a, superuser):
    """The admin saved without the version organisation_write bumps: a page opened before saved over it unwarned,
    and the reach's registry mark (a sum of versions and the latest change date) could miss a save committed after
    a later-dated one. Now each admin change bumps the version, whatever the dates."""
    import datetime

    from django.contrib import admin
    from django.test import RequestFactory

    from orgs.models import Organisation
    from training.selectors.reach import organisations_mark

    noon = datetime.datetime(2026, 3, 9, 12, tzinfo=datetime.UTC)
    rows = Organisation.objects.filter(tenant=world_a.tenant)
    rows.update(updated_at=noon)
    before_version = rows.get(pk=world_a.organisation.pk).version
    before_mark = organisations_mark(tenant_id=world_a.tenant.pk)
    request = RequestFactory().post("/admin/")
    request.user = superuser
    organisation = Organisation.objects.get(pk=world_a.organisation.pk)
    organisation.name = "Renommée dans l'administration"
    admin.site._registry[Organisation].save_model(request, organisation, form=None, change=True)
    rows.filter(pk=organisation.pk).update(updated_at=noon)  # its date taken before the latest one, committed after
    assert rows.get(pk=organisation.pk).version == before_version + 1
    assert organisations_mark(tenant_id=world_a.tenant.pk) != before_mark
