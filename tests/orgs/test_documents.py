"""Due-diligence documents: upload, download, review, permissions, status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from orgs.models import DueDiligenceItem, Organisation, OrganisationDocument, ReviewStatus
from orgs.selectors.due_diligence import (
    annotate_due_diligence,
    due_diligence_of_page,
    due_diligence_overview,
    due_diligence_status,
)
from orgs.services.documents import (
    DEFAULT_CHECKLIST,
    add_months,
    checklist_item_save,
    document_review,
    document_upload,
    ensure_default_checklist,
)
from relais.actor import Actor
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.dd_samples import HTML_PAGE, WINDOWS_EXE, pdf_bytes, upload
from tests.factories import OrganisationFactory
from tests.factories_dd import DueDiligenceItemFactory, OrganisationDocumentFactory
from tests.grants.conftest import review_of_organisation


@pytest.fixture
def item(world_a):
    return DueDiligenceItemFactory(tenant=world_a.tenant, name="Statuts", required=True)


def _upload(world, item, role=Role.APPLICANT, name="statuts.pdf", data=None, **extra):
    client = world.client_for(role)
    url = reverse("orgs:document_upload", kwargs={"tenant_slug": world.tenant.slug,
                                             "organisation_pk": world.organisation.pk})
    return client.post(url, {"item": item.pk, "file": upload(name, pdf_bytes() if data is None else data), **extra})


# --- upload ---------------------------------------------------------------------------

def test_applicant_uploads_a_pdf_for_their_organisation(world_a, item, tmp_path):
    response = _upload(world_a, item)
    assert response.status_code == 302
    document = OrganisationDocument.objects.get()
    assert document.tenant == world_a.tenant
    assert document.organisation == world_a.organisation
    assert document.content_type == "application/pdf"
    assert document.original_name == "statuts.pdf"
    assert document.review_status == ReviewStatus.PENDING
    assert document.uploaded_by == world_a.user(Role.APPLICANT)
    # Stored privately under a random name in the tenant's folder, never the original name.
    assert document.file.name.startswith(f"tenant-{world_a.tenant.pk}/due-diligence/")
    assert "statuts" not in document.file.name
    assert (tmp_path / "private" / document.file.name).read_bytes()[:5] == b"%PDF-"
    event = AuditEvent.objects.get(action="organisation_document.uploaded")
    assert event.target_id == str(document.pk) and event.after["sha256"] == document.sha256


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("statuts.pdf", HTML_PAGE, "document HTML"),
        ("statuts.pdf", WINDOWS_EXE, "programme Windows"),
        ("statuts.pdf", b"", "vide"),
    ],
)
def test_refused_uploads_show_the_reason_and_store_nothing(world_a, item, name, data, reason):
    response = _upload(world_a, item, name=name, data=data)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not OrganisationDocument.objects.exists()


def test_oversized_upload_is_refused(world_a, item, settings):
    settings.RELAIS_UPLOAD_MAX_BYTES = 2000
    response = _upload(world_a, item, data=pdf_bytes() + b"%" * 3000)
    assert response.status_code == 400
    assert "limite" in response.content.decode()
    assert not OrganisationDocument.objects.exists()


def test_an_expiring_item_needs_an_expiry_date_or_an_issue_date(world_a):
    bank = DueDiligenceItemFactory(tenant=world_a.tenant, name="Attestation bancaire", expires=True,
                                   validity_months=None)
    applicant = world_a.actor(Role.APPLICANT)
    with pytest.raises(Refused):
        document_upload(actor=applicant, organisation=world_a.organisation, item=bank,
                        file=upload("a.pdf", pdf_bytes()))
    bank.validity_months = 12
    bank.save()
    issued = timezone.localdate() - timedelta(days=10)
    document = document_upload(actor=applicant, organisation=world_a.organisation, item=bank,
                               file=upload("a.pdf", pdf_bytes()), issued_on=issued)
    assert document.expires_on == add_months(issued, 12)


def test_an_item_of_another_tenant_cannot_be_used(worlds):
    world_a, world_b = worlds
    foreign_item = DueDiligenceItemFactory(tenant=world_b.tenant)
    response = _upload(world_a, foreign_item)
    assert response.status_code == 400
    assert not OrganisationDocument.objects.exists()


UPLOAD_MATRIX = [
    (Role.MANAGER, True), (Role.APPLICANT, True),
    (Role.FINANCE, False), (Role.REVIEWER, False), (Role.TRAINER, False),
]


@pytest.mark.parametrize(("role", "allowed"), UPLOAD_MATRIX)
def test_who_may_upload(world_a, item, role, allowed):
    review_of_organisation(world_a)  # a reviewer reaches the CSO only through a review
    response = _upload(world_a, item, role=role)
    assert (response.status_code == 302) is allowed
    assert OrganisationDocument.objects.exists() is allowed
    if not allowed:
        assert response.status_code == 403


def test_an_applicant_cannot_upload_for_another_organisation(world_a, item):
    other = OrganisationFactory(tenant=world_a.tenant)
    client = world_a.client_for(Role.APPLICANT)
    url = reverse("orgs:document_upload", kwargs={"tenant_slug": world_a.tenant.slug, "organisation_pk": other.pk})
    response = client.post(url, {"item": item.pk, "file": upload("s.pdf", pdf_bytes())})
    assert response.status_code == 404
    assert not OrganisationDocument.objects.exists()


# --- download -------------------------------------------------------------------------

@pytest.fixture
def stored_document(world_a, item):
    return document_upload(actor=world_a.actor(Role.APPLICANT), organisation=world_a.organisation, item=item,
                           file=upload("Statuts AJCET.pdf", pdf_bytes()))


def _download_url(world, document):
    return reverse("orgs:document_download", kwargs={"tenant_slug": world.tenant.slug,
                                                "organisationdocument_pk": document.pk})


def test_download_is_an_attachment_with_nosniff_and_the_detected_type(world_a, stored_document):
    response = world_a.client_for(Role.MANAGER).get(_download_url(world_a, stored_document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Statuts%20AJCET.pdf" in response["Content-Disposition"] or "Statuts AJCET.pdf" in response[
        "Content-Disposition"]
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    assert AuditEvent.objects.filter(action="organisation_document.downloaded",
                                     target_id=str(stored_document.pk)).count() == 1


DOWNLOAD_MATRIX = [
    (Role.MANAGER, 200), (Role.FINANCE, 200), (Role.APPLICANT, 200), (Role.REVIEWER, 403), (Role.TRAINER, 403),
]


@pytest.mark.parametrize(("role", "status"), DOWNLOAD_MATRIX)
def test_who_may_download(world_a, stored_document, role, status):
    assert world_a.client_for(role).get(_download_url(world_a, stored_document)).status_code == status


def test_an_applicant_of_another_organisation_gets_404(world_a, item):
    other = OrganisationFactory(tenant=world_a.tenant)
    document = document_upload(actor=world_a.actor(Role.MANAGER), organisation=other, item=item,
                               file=upload("s.pdf", pdf_bytes()))
    assert world_a.client_for(Role.APPLICANT).get(_download_url(world_a, document)).status_code == 404


def test_a_file_of_tenant_a_is_404_for_tenant_b(worlds, stored_document):
    world_a, world_b = worlds
    url = reverse("orgs:document_download", kwargs={"tenant_slug": world_b.tenant.slug,
                                               "organisationdocument_pk": stored_document.pk})
    for role in Role.values:
        assert world_b.client_for(role).get(url).status_code == 404
    # and under A's slug, B's members are not members: 404 as well
    assert world_b.client_for(Role.MANAGER).get(_download_url(world_a, stored_document)).status_code == 404


# --- review ---------------------------------------------------------------------------

REVIEW_MATRIX = [(r, r == Role.MANAGER) for r in Role.values]


@pytest.mark.parametrize(("role", "allowed"), REVIEW_MATRIX)
def test_only_managers_review(world_a, stored_document, role, allowed):
    url = reverse("orgs:document_review", kwargs={"tenant_slug": world_a.tenant.slug,
                                             "organisationdocument_pk": stored_document.pk})
    response = world_a.client_for(role).post(url, {"decision": "accepted", "comment": ""})
    stored_document.refresh_from_db()
    assert (stored_document.review_status == ReviewStatus.ACCEPTED) is allowed
    assert response.status_code == (302 if allowed else 403)


def test_rejecting_needs_a_comment_is_audited_and_mailed(world_a, stored_document, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    manager = world_a.actor(Role.MANAGER)
    with pytest.raises(Refused):
        document_review(actor=manager, document=stored_document, decision=ReviewStatus.REJECTED, comment=" ")
    with django_capture_on_commit_callbacks(execute=True):
        document = document_review(actor=manager, document=stored_document, decision=ReviewStatus.REJECTED,
                                   comment="Illisible, merci de rescanner")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [world_a.user(Role.APPLICANT).email]
    assert "Illisible, merci de rescanner" in mail.body and "Statuts AJCET.pdf" in mail.body
    assert f"/organisations/{world_a.organisation.pk}/due-diligence/" in mail.body
    assert mail.subject == "Document à fournir de nouveau : Statuts"
    assert document.review_status == ReviewStatus.REJECTED and document.reviewed_by == manager.user
    event = AuditEvent.objects.get(action="organisation_document.reject")
    assert event.before["review_status"] == "pending"
    assert event.after["review_comment"] == "Illisible, merci de rescanner"


def test_accepting_sends_no_mail(world_a, stored_document, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document_review(actor=world_a.actor(Role.MANAGER), document=stored_document, decision=ReviewStatus.ACCEPTED)
    assert mailoutbox == []


def test_review_service_refuses_non_managers(world_a, stored_document):
    with pytest.raises(Refused) as refused:
        document_review(actor=world_a.actor(Role.FINANCE), document=stored_document, decision=ReviewStatus.ACCEPTED)
    assert refused.value.forbidden


# --- due-diligence page -------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [(Role.MANAGER, 200), (Role.FINANCE, 200), (Role.APPLICANT, 200),
                                              (Role.REVIEWER, 403), (Role.TRAINER, 403)])
def test_due_diligence_page_by_role(world_a, item, role, status):
    review_of_organisation(world_a)  # a reviewer reaches the CSO only through a review
    url = reverse("orgs:due_diligence", kwargs={"tenant_slug": world_a.tenant.slug,
                                           "organisation_pk": world_a.organisation.pk})
    response = world_a.client_for(role).get(url)
    assert response.status_code == status
    if status == 200:
        assert "Statuts" in response.content.decode()
        # Screening results are for managers and finance only.
        assert ("Criblage" in response.content.decode()) is (role != Role.APPLICANT)


def test_page_shows_when_documents_lapse(world_a):
    today = timezone.localdate()
    soon = DueDiligenceItemFactory(tenant=world_a.tenant, name="Attestation", expires=True)
    old = DueDiligenceItemFactory(tenant=world_a.tenant, name="Rapport", expires=True)
    OrganisationDocumentFactory(tenant=world_a.tenant, organisation=world_a.organisation, item=soon,
                                review_status=ReviewStatus.ACCEPTED, expires_on=today + timedelta(days=12))
    OrganisationDocumentFactory(tenant=world_a.tenant, organisation=world_a.organisation, item=old,
                                review_status=ReviewStatus.ACCEPTED, expires_on=date(2020, 3, 31))
    url = reverse("orgs:due_diligence", kwargs={"tenant_slug": world_a.tenant.slug,
                                           "organisation_pk": world_a.organisation.pk})
    with pytest.MonkeyPatch.context():
        html = world_a.client_for(Role.MANAGER).get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "expire dans 12 jours" in html
    assert "expiré le 31/03/2020" in html
    assert "Diligence raisonnable expirée" in html


def test_due_diligence_page_queries_do_not_grow_with_documents(world_a, item, django_assert_max_num_queries):
    for _ in range(15):
        OrganisationDocumentFactory(tenant=world_a.tenant, organisation=world_a.organisation, item=item)
    url = reverse("orgs:due_diligence", kwargs={"tenant_slug": world_a.tenant.slug,
                                           "organisation_pk": world_a.organisation.pk})
    client = world_a.client_for(Role.MANAGER)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


# --- checklist ------------------------------------------------------------------------------

def test_default_checklist_is_seeded_once(world_a):
    items = ensure_default_checklist(actor=Actor.system(world_a.tenant))
    assert [i.name for i in items] == [row[0] for row in DEFAULT_CHECKLIST]
    assert {i.name_en for i in items if i.expires} == {"Bank attestation", "Last annual report",
                                                      "Last financial statements"}
    assert not DueDiligenceItem.objects.get(tenant=world_a.tenant, name_en="Safeguarding policy").required
    ensure_default_checklist(actor=Actor.system(world_a.tenant))
    assert DueDiligenceItem.objects.filter(tenant=world_a.tenant).count() == len(DEFAULT_CHECKLIST)


def test_manager_edits_the_checklist_in_the_ui(world_a):
    client = world_a.client_for(Role.MANAGER)
    url = reverse("orgs:due_diligence_checklist", kwargs={"tenant_slug": world_a.tenant.slug})
    assert client.post(url, {"action": "defaults"}).status_code == 302
    response = client.post(url, {"name": "Plan de passation", "name_en": "Procurement plan", "required": "on",
                                 "expires": "on", "validity_months": "6", "ordering": "70", "active": "on"})
    assert response.status_code == 302
    new = DueDiligenceItem.objects.get(tenant=world_a.tenant, name="Plan de passation")
    assert new.expires and new.validity_months == 6
    edit = reverse("orgs:due_diligence_item_edit", kwargs={"tenant_slug": world_a.tenant.slug,
                                                      "duediligenceitem_pk": new.pk})
    response = client.post(edit, {"name": "Plan de passation", "ordering": "70"})
    new.refresh_from_db()
    assert response.status_code == 302 and not new.required and not new.active and not new.expires
    assert AuditEvent.objects.filter(action="due_diligence_item.updated", target_id=str(new.pk)).exists()


@pytest.mark.parametrize("role", [Role.FINANCE, Role.APPLICANT, Role.REVIEWER])
def test_only_managers_edit_the_checklist(world_a, role):
    with pytest.raises(Refused) as refused:
        checklist_item_save(actor=world_a.actor(role), name="X")
    assert refused.value.forbidden
    url = reverse("orgs:due_diligence_checklist", kwargs={"tenant_slug": world_a.tenant.slug})
    assert world_a.client_for(role).get(url).status_code == 403


# --- status: Python and SQL annotation agree ------------------------------------------------

TODAY = date(2026, 6, 15)


def _status_pair(organisation):
    annotated = annotate_due_diligence(Organisation.objects.filter(pk=organisation.pk), today=TODAY).get()
    return due_diligence_status(organisation, today=TODAY), annotated.dd_status


def test_status_complete_incomplete_expired(world_a):
    org = world_a.organisation
    statutes = DueDiligenceItemFactory(tenant=world_a.tenant, required=True)
    bank = DueDiligenceItemFactory(tenant=world_a.tenant, required=True, expires=True)
    DueDiligenceItemFactory(tenant=world_a.tenant, required=False)  # optional: never blocks
    DueDiligenceItemFactory(tenant=world_a.tenant, required=True, active=False)  # inactive: never blocks
    assert _status_pair(org) == ("incomplete", "incomplete")
    OrganisationDocumentFactory(tenant=world_a.tenant, organisation=org, item=statutes,
                                review_status=ReviewStatus.ACCEPTED)
    old_bank = OrganisationDocumentFactory(tenant=world_a.tenant, organisation=org, item=bank,
                                           review_status=ReviewStatus.ACCEPTED, expires_on=TODAY - timedelta(days=1))
    assert _status_pair(org) == ("expired", "expired")
    OrganisationDocumentFactory(tenant=world_a.tenant, organisation=org, item=bank,
                                review_status=ReviewStatus.PENDING, expires_on=TODAY + timedelta(days=300))
    assert _status_pair(org) == ("expired", "expired")  # pending does not count
    old_bank.expires_on = TODAY  # valid through its last day
    old_bank.save()
    assert _status_pair(org) == ("complete", "complete")
    rows, status = due_diligence_overview(organisation=org, today=TODAY)
    assert status == "complete"


def test_annotation_is_one_query_for_many_organisations(world_a, django_assert_num_queries):
    DueDiligenceItemFactory(tenant=world_a.tenant)
    OrganisationFactory.create_batch(10, tenant=world_a.tenant)
    with django_assert_num_queries(1):
        statuses = [o.dd_status for o in annotate_due_diligence(
            Organisation.objects.filter(tenant=world_a.tenant), today=TODAY)]
    assert statuses == ["incomplete"] * 11


ITEM = st.tuples(st.booleans(), st.booleans(), st.booleans())  # required, active, expires
DOC = st.tuples(st.integers(0, 3), st.sampled_from(list(ReviewStatus.values)), st.one_of(st.none(),
                st.integers(-30, 30)))


@pytest.mark.django_db
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(ITEM, min_size=1, max_size=4), docs=st.lists(DOC, max_size=8))
def test_python_status_and_annotation_agree(world_a, items, docs):
    tenant = world_a.tenant
    # hypothesis reuses the function-scoped world across examples: start each from an empty checklist
    OrganisationDocument.objects.all().delete()
    DueDiligenceItem.objects.all().delete()
    made = [DueDiligenceItemFactory(tenant=tenant, required=r, active=a, expires=e) for r, a, e in items]
    for index, status, offset in docs:
        OrganisationDocumentFactory(tenant=tenant, organisation=world_a.organisation, item=made[index % len(made)],
                                    review_status=status,
                                    expires_on=None if offset is None else TODAY + timedelta(days=offset))
    python_status, sql_status = _status_pair(world_a.organisation)
    assert python_status == sql_status
    assert due_diligence_overview(organisation=world_a.organisation, today=TODAY)[1] == python_status
    # The overview's page reading (two queries for the page, no SQL annotation) says the same.
    pending = sum(1 for _i, status, _o in docs if status == ReviewStatus.PENDING)
    assert due_diligence_of_page([world_a.organisation.pk], tenant_id=tenant.pk, today=TODAY) == {
        world_a.organisation.pk: (python_status, pending)}


def test_the_page_reading_agrees_with_the_annotation_for_many_organisations(worlds, django_assert_num_queries):
    world_a, world_b = worlds
    required = DueDiligenceItemFactory(tenant=world_a.tenant, required=True, expires=True)
    optional = DueDiligenceItemFactory(tenant=world_a.tenant, required=False)
    organisations = OrganisationFactory.create_batch(6, tenant=world_a.tenant)
    for index, organisation in enumerate(organisations):
        if index % 3 == 1:
            OrganisationDocumentFactory(tenant=world_a.tenant, organisation=organisation, item=required,
                                        review_status=ReviewStatus.ACCEPTED, expires_on=TODAY + timedelta(days=5))
        if index % 3 == 2:
            OrganisationDocumentFactory(tenant=world_a.tenant, organisation=organisation, item=required,
                                        review_status=ReviewStatus.ACCEPTED, expires_on=TODAY - timedelta(days=5))
        for _ in range(index % 2 + index // 3):
            OrganisationDocumentFactory(tenant=world_a.tenant, organisation=organisation, item=optional,
                                        review_status=ReviewStatus.PENDING)
    ids = [o.pk for o in organisations]
    expected = {o.pk: (o.dd_status, o.pending) for o in annotate_due_diligence(
        Organisation.objects.filter(pk__in=ids), today=TODAY).annotate(
        pending=Count("documents", filter=Q(documents__review_status=ReviewStatus.PENDING), distinct=True))}
    # One query: the required items come in the documents' query (issue 10: a round trip less per list view).
    with django_assert_num_queries(1):
        got = due_diligence_of_page(ids, tenant_id=world_a.tenant.pk, today=TODAY)
    assert got == expected
    assert {status for status, _n in got.values()} == {"complete", "incomplete", "expired"}
    assert {n for _s, n in got.values()} >= {0, 1, 2}


# --- overview of all organisations ------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [(Role.MANAGER, 200), (Role.FINANCE, 200), (Role.REVIEWER, 403),
                                              (Role.TRAINER, 403), (Role.APPLICANT, 403)])
def test_overview_by_role(world_a, role, status):
    url = reverse("orgs:due_diligence_overview", kwargs={"tenant_slug": world_a.tenant.slug})
    assert world_a.client_for(role).get(url).status_code == status


@pytest.mark.parametrize("count", [10, 60])
def test_overview_keeps_a_constant_number_of_queries(world_a, count, django_assert_max_num_queries):
    from tests.factories_dd import ScreeningFactory

    item = DueDiligenceItemFactory(tenant=world_a.tenant)
    for organisation in OrganisationFactory.create_batch(count, tenant=world_a.tenant):
        OrganisationDocumentFactory(tenant=world_a.tenant, organisation=organisation, item=item)
        ScreeningFactory(tenant=world_a.tenant, organisation=organisation)
    url = reverse("orgs:due_diligence_overview", kwargs={"tenant_slug": world_a.tenant.slug})
    client = world_a.client_for(Role.MANAGER)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert "Criblage à examiner" in response.content.decode()


def test_overview_filters_by_due_diligence_status(worlds):
    world_a, world_b = worlds
    item = DueDiligenceItemFactory(tenant=world_a.tenant)
    done = OrganisationFactory(tenant=world_a.tenant, acronym="COMPLETE1")
    OrganisationDocumentFactory(tenant=world_a.tenant, organisation=done, item=item,
                                review_status=ReviewStatus.ACCEPTED)
    OrganisationFactory(tenant=world_b.tenant, acronym="FOREIGN1")
    url = reverse("orgs:due_diligence_overview", kwargs={"tenant_slug": world_a.tenant.slug})
    client = world_a.client_for(Role.MANAGER)
    html = client.get(url, {"dd": "complete"}).content.decode()
    assert "COMPLETE1" in html and world_a.organisation.acronym not in html
    html = client.get(url, {"dd": "incomplete"}).content.decode()
    assert "COMPLETE1" not in html and world_a.organisation.acronym in html
    assert "FOREIGN1" not in client.get(url).content.decode()


def test_a_duplicate_checklist_name_is_a_form_error_not_a_crash(world_a, item):
    url = reverse("orgs:due_diligence_checklist", kwargs={"tenant_slug": world_a.tenant.slug})
    response = world_a.client_for(Role.MANAGER).post(url, {"name": item.name, "ordering": "5"})
    assert response.status_code == 200
    assert DueDiligenceItem.objects.filter(tenant=world_a.tenant, name=item.name).count() == 1
    assert 'class="errors"' in response.content.decode()


def test_rejection_subject_is_plain_text(world_a, stored_document, mailoutbox, django_capture_on_commit_callbacks):
    """Subjects were HTML-escaped: « d'enregistrement » arrived as « d&#x27;enregistrement »."""
    item = stored_document.item
    item.name = "Récépissé (certificat d'enregistrement) & statuts"
    item.save()
    with django_capture_on_commit_callbacks(execute=True):
        document_review(actor=world_a.actor(Role.MANAGER), document=stored_document,
                        decision=ReviewStatus.REJECTED, comment="Illisible")
    assert mailoutbox[0].subject == "Document à fournir de nouveau : Récépissé (certificat d'enregistrement) & statuts"


def test_join_request_subject_is_plain_text(world_a, mailoutbox, django_capture_on_commit_callbacks):
    from orgs.services.registration import join_request_decide
    from tests.orgs.factories import JoinRequestFactory

    organisation = world_a.organisation
    organisation.acronym = "AADeC l'Appui"
    organisation.save()
    join_request = JoinRequestFactory(tenant=world_a.tenant, organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        join_request_decide(join_request=join_request, actor=world_a.actor(Role.MANAGER), approve=True)
    assert "AADeC l'Appui" in mailoutbox[0].subject


# --- ids from the query string and the form; the review table ---------------------------------

@pytest.mark.parametrize("value", ["²", "٣", "1" * 30, "-1", "1.5", ""])
def test_an_absurd_item_id_is_a_form_error_not_a_500(world_a, item, value):
    """"²".isdigit() is True: the upload view asked the database for pk="²" and answered 500."""
    client = world_a.client_for(Role.APPLICANT)
    url = reverse("orgs:document_upload", kwargs={"tenant_slug": world_a.tenant.slug,
                                             "organisation_pk": world_a.organisation.pk})
    response = client.post(url, {"item": value, "file": upload("s.pdf", pdf_bytes())})
    assert response.status_code == 400
    assert not OrganisationDocument.objects.exists()


@pytest.mark.parametrize("query", ["?item=²", "?item=%C2%B2", "?page=²&dd=²&screening=²"])
def test_absurd_ids_in_query_strings_are_not_a_500(world_a, item, query):
    page = reverse("orgs:due_diligence", kwargs={"tenant_slug": world_a.tenant.slug,
                                            "organisation_pk": world_a.organisation.pk})
    overview = reverse("orgs:due_diligence_overview", kwargs={"tenant_slug": world_a.tenant.slug})
    client = world_a.client_for(Role.MANAGER)
    assert client.get(page + query).status_code == 200
    assert client.get(overview + query).status_code == 200


def test_the_document_table_is_registered_with_the_engine():
    from orgs.workflow import ORGANISATION_DOCUMENT
    from relais.workflow import registered_machines

    assert ORGANISATION_DOCUMENT in registered_machines()
    assert ORGANISATION_DOCUMENT.state_field == "review_status"
    # Accept or reject from any review (a manager may review again), never back to "awaiting review".
    assert {(row.source, row.target) for row in ORGANISATION_DOCUMENT.transitions} == {
        (source, target) for source in ReviewStatus.values for target in (ReviewStatus.ACCEPTED, ReviewStatus.REJECTED)
    }


def test_a_manager_reviews_a_document_again(world_a, stored_document):
    manager = world_a.actor(Role.MANAGER)
    document_review(actor=manager, document=stored_document, decision=ReviewStatus.ACCEPTED)
    document = document_review(actor=manager, document=stored_document, decision=ReviewStatus.REJECTED,
                               comment="Copie périmée")
    assert document.review_status == ReviewStatus.REJECTED and document.review_comment == "Copie périmée"
    event = AuditEvent.objects.get(action="organisation_document.reject")
    assert event.before == {"review_status": "accepted"} and event.actor == manager.user
    with pytest.raises(Refused):
        document_review(actor=manager, document=stored_document, decision=ReviewStatus.PENDING)


def test_the_review_keeps_its_readable_refusals(world_a, stored_document):
    with pytest.raises(Refused) as refused:
        document_review(actor=world_a.actor(Role.MANAGER), document=stored_document,
                        decision=ReviewStatus.REJECTED, comment="")
    assert refused.value.messages == ["Indiquez pourquoi le document est refusé, pour que l'organisation puisse le "
                                      "corriger."]
    stored_document.refresh_from_db()
    assert stored_document.review_status == ReviewStatus.PENDING


def test_a_rejection_without_comment_through_the_page_says_why(world_a, stored_document):
    url = reverse("orgs:document_review", kwargs={"tenant_slug": world_a.tenant.slug,
                                             "organisationdocument_pk": stored_document.pk})
    response = world_a.client_for(Role.MANAGER).post(url, {"decision": "rejected", "comment": " "}, follow=True)
    assert "Indiquez pourquoi le document est refusé" in response.content.decode()
    stored_document.refresh_from_db()
    assert stored_document.review_status == ReviewStatus.PENDING


def test_an_applicant_cannot_review_another_organisations_document(world_a, item):
    other = OrganisationFactory(tenant=world_a.tenant)
    document = OrganisationDocumentFactory(tenant=world_a.tenant, organisation=other, item=item)
    url = reverse("orgs:document_review", kwargs={"tenant_slug": world_a.tenant.slug,
                                             "organisationdocument_pk": document.pk})
    assert world_a.client_for(Role.APPLICANT).post(url, {"decision": "accepted"}).status_code == 404
    document.refresh_from_db()
    assert document.review_status == ReviewStatus.PENDING


def test_services_refuse_objects_of_another_workspace(worlds, item):
    world_a, world_b = worlds
    with pytest.raises(Refused) as refused:
        document_upload(actor=world_b.actor(Role.MANAGER), organisation=world_a.organisation, item=item,
                        file=upload("s.pdf", pdf_bytes()))
    assert refused.value.forbidden
    with pytest.raises(Refused):
        checklist_item_save(actor=world_b.actor(Role.MANAGER), item=item, name="Autre")
    item.refresh_from_db()
    assert item.name == "Statuts" and not OrganisationDocument.objects.exists()


@pytest.mark.django_db
def test_checklist_item_edited_in_two_tabs_the_second_save_is_refused_and_nothing_is_lost(world_a):
    from relais.models import Role
    from tests.factories_dd import DueDiligenceItemFactory
    from tests.page_forms import form_data

    item = DueDiligenceItemFactory(tenant=world_a.tenant, name="Statuts", description="")
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url(f"due-diligence/checklist/{item.pk}/")
    tab1, tab2 = form_data(client.get(url).content), form_data(client.get(url).content)
    assert client.post(url, {**tab1, "description": "Statuts signés et datés"}).status_code == 302
    response = client.post(url, {**tab2, "name": "Statuts et règlement intérieur"})
    body = response.content.decode()
    assert response.status_code == 409 and "Statuts signés et datés" in body
    item.refresh_from_db()
    assert (item.name, item.description) == ("Statuts", "Statuts signés et datés")
    assert client.post(url, form_data(body)).status_code == 302
    item.refresh_from_db()
    assert (item.name, item.description) == ("Statuts et règlement intérieur", "Statuts signés et datés")


OVERVIEW_LOOP = """{% load i18n %}{% for o in page %}<tr>
<td><a href="{% url 'orgs:due_diligence' tenant_slug=current_tenant.slug organisation_pk=o.pk %}">{{ o.short_name }}</a><br><span class="muted">{{ o.name }}</span></td>
<td>{{ o.get_status_display }}</td>
<td>{% include "orgs/documents/_dd_badge.html" with status=o.dd_status %}{% if o.documents_to_review %}<br><span class="muted">{% blocktranslate count n=o.documents_to_review %}{{ n }} to review{% plural %}{{ n }} to review{% endblocktranslate %}</span>{% endif %}</td>
<td>{% include "orgs/screening/_state_badge.html" with state=o.screening_state %}{% if o.last_screening_at %}<br><span class="muted">{{ o.last_screening_at|date:"SHORT_DATE_FORMAT" }}</span>{% endif %}</td>
</tr>{% endfor %}"""  # noqa: E501 - the loop as templates/orgs/documents/overview.html held it


@pytest.mark.parametrize("language", ["fr", "en"])
def test_overview_rows_are_the_rows_of_the_template_loop(world_a, language):
    """The overview writes its 50 rows in one pass (orgs.tables.due_diligence_rows_html; throughput,
    issue 10): every due-diligence and screening state, counts and dates as the template loop showed them."""
    from django.template import engines
    from django.utils import translation

    from orgs.models import OrganisationStatus, ScreeningDecision
    from tests.factories_dd import ScreeningFactory

    required = DueDiligenceItemFactory(tenant=world_a.tenant)
    now = timezone.now()
    cases = [
        (ScreeningDecision.PENDING, now, ReviewStatus.PENDING, 2),
        (ScreeningDecision.CLEAR, now - timedelta(days=3), ReviewStatus.ACCEPTED, 0),
        (ScreeningDecision.CLEAR, now - timedelta(days=4000), ReviewStatus.REJECTED, 1),
        (ScreeningDecision.CONFIRMED, now - timedelta(days=1), None, 0),
        (None, None, None, 0),
    ]
    for index, (decision, ran_at, document, pending) in enumerate(cases):
        org = OrganisationFactory(tenant=world_a.tenant, name=f"Réseau <{index}> & co", acronym="" if index else "R&D",
                                  status=OrganisationStatus.SUSPENDED if index == 2 else OrganisationStatus.VERIFIED)
        if decision is not None:
            ScreeningFactory(tenant=world_a.tenant, organisation=org, decision=decision, ran_at=ran_at)
        if document is not None:
            OrganisationDocumentFactory(tenant=world_a.tenant, organisation=org, item=required, review_status=document)
        for _ in range(pending):
            OrganisationDocumentFactory(tenant=world_a.tenant, organisation=org, item=required,
                                        review_status=ReviewStatus.PENDING)
    url = reverse("orgs:due_diligence_overview", kwargs={"tenant_slug": world_a.tenant.slug})
    with translation.override(language):
        response = world_a.client_for(Role.MANAGER).get(url, HTTP_ACCEPT_LANGUAGE=language)
        page = response.context["page"]
        expected = engines["django"].from_string(OVERVIEW_LOOP).render(
            {"page": page, "current_tenant": world_a.tenant})
    html = response.content.decode()
    assert f"<tbody>{expected}</tbody>" in html
    states = {o.screening_state for o in page}
    assert len(page) >= 6 and len(states) >= 4 and {o.dd_status for o in page} >= {"complete", "incomplete"}
    assert "R&amp;D" in html and "&lt;1&gt; &amp; co" in html
