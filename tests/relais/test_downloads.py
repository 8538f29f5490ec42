"""Every file Relais serves goes through one helper: not stored by caches, not sniffed,
and (for downloads) sandboxed so an uploaded HTML or SVG file cannot run on Relais' origin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grants.models import ApplicationStatus, ReviewStatus
from grants.services.reviews import review_save
from orgs.services.documents import document_upload
from relais.downloads import SANDBOX_CSP, private_bytes_response, private_file_response
from relais.models import Role
from tests.dd_samples import pdf_bytes, upload
from tests.factories_dd import DueDiligenceItemFactory
from tests.grants.conftest import complete_application
from tests.grants.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def _due_diligence_document(world):
    item = DueDiligenceItemFactory(tenant=world.tenant, name="Statuts")
    document = document_upload(actor=world.actor(Role.APPLICANT), organisation=world.organisation, item=item,
                               file=upload("statuts.pdf", pdf_bytes()))
    return "get", reverse("orgs:document_download", kwargs={"tenant_slug": world.tenant.slug,
                                                       "organisationdocument_pk": document.pk})


def _application_attachment(world):
    app = complete_application(world, status=ApplicationStatus.SUBMITTED)
    attachment = app.attachments.get()
    return "get", reverse("grants:attachment_download", kwargs={"tenant_slug": world.tenant.slug,
                                                         "applicationattachment_pk": attachment.pk})


def _application_pdf(world):
    app = complete_application(world, status=ApplicationStatus.SUBMITTED)
    return "get", reverse("grants:application_pdf", kwargs={"tenant_slug": world.tenant.slug, "application_pk": app.pk})


def _organisation_export(fmt):
    def build(world):
        return "post", reverse(f"orgs:organisation_export_{fmt}", kwargs={"tenant_slug": world.tenant.slug})
    return build


def _ranking_export(fmt):
    def build(world):
        app = complete_application(world, status=ApplicationStatus.IN_REVIEW)
        review = ReviewFactory(tenant=world.tenant, application=app, reviewer=world.user(Role.REVIEWER),
                               status=ReviewStatus.DRAFT, coi="none")
        review_save(review=review, actor=world.actor(Role.REVIEWER),
                    scores={c.pk: (4, "") for c in app.call.criteria.all()}, recommendation="fund", comment="",
                    submit=True)
        url = reverse("grants:call_ranking_export", kwargs={"tenant_slug": world.tenant.slug, "call_pk": app.call.pk})
        return "post", f"{url}?format={fmt}"
    return build


# (endpoint, who asks, a download the browser saves rather than shows)
FILE_ENDPOINTS = [
    pytest.param(_due_diligence_document, Role.MANAGER, True, id="due_diligence_document"),
    pytest.param(_application_attachment, Role.MANAGER, True, id="application_attachment"),
    pytest.param(_application_pdf, Role.MANAGER, False, id="application_pdf"),
    pytest.param(_organisation_export("csv"), Role.MANAGER, True, id="organisation_export_csv"),
    pytest.param(_organisation_export("xlsx"), Role.MANAGER, True, id="organisation_export_xlsx"),
    pytest.param(_ranking_export("csv"), Role.MANAGER, True, id="ranking_export_csv"),
    pytest.param(_ranking_export("xlsx"), Role.MANAGER, True, id="ranking_export_xlsx"),
]


@pytest.mark.parametrize(("endpoint", "role", "download"), FILE_ENDPOINTS)
def test_every_served_file_is_private_unsniffed_and_sandboxed(world_a, endpoint, role, download):
    method, url = endpoint(world_a)
    response = getattr(world_a.client_for(role), method)(url)
    assert response.status_code == 200, url
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    if download:
        assert disposition.startswith("attachment;")
        assert response["Content-Security-Policy"] == SANDBOX_CSP
    else:
        # Chrome refuses to run its PDF viewer in a sandboxed document: a PDF Relais generates
        # itself opens in the browser under the site's own policy, which runs nothing from elsewhere.
        assert disposition.startswith("inline;")
        assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_file_helper_names_any_file_safely(tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4")
    response = private_file_response(path.open("rb"), filename='Statuts "AJCET"\r\n.pdf',
                                     content_type="application/pdf")
    assert "\n" not in response["Content-Disposition"] and "\r" not in response["Content-Disposition"]
    assert response["Content-Security-Policy"] == SANDBOX_CSP
    response.close()


def test_the_bytes_helper_quotes_names_and_sets_the_headers():
    response = private_bytes_response(b"a,b\n", filename='rapport "final"; x=.csv', content_type="text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="rapport \\"final\\"; x=.csv"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX_CSP
    assert response.content == b"a,b\n"
