"""Who hears of a decision about a CSO: its active members and its contact people who accepted
e-mails, once each; the manager is warned on the spot when nobody can be reached."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgs.models import ReviewStatus
from orgs.services.documents import document_review, document_upload
from relais.models import OutboundEmail, Role
from relais.outbox import organisation_recipients
from tests.factories import MembershipFactory, OrganisationFactory
from tests.orgs.factories import ContactPersonFactory
from tests.orgs.test_documents import item, pdf_bytes, upload  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _addresses(world, organisation=None):
    organisation = organisation or world.organisation
    return [r.email for r in organisation_recipients(tenant=world.tenant, organisation_id=organisation.pk)]


def test_members_and_contacts_who_accepted_emails_once_each(world_a):
    organisation = world_a.organisation
    member = world_a.user(Role.APPLICANT)
    MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT, organisation=organisation,
                      user__email="left@osc.example.org", is_active=False)
    MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT,
                      organisation=OrganisationFactory(tenant=world_a.tenant), user__email="other-cso@osc.example.org")
    ContactPersonFactory(tenant=world_a.tenant, organisation=organisation, email="tresorier@osc.example.org",
                         email_consent=True)
    ContactPersonFactory(tenant=world_a.tenant, organisation=organisation, email=member.email.upper(),
                         email_consent=True)  # also a member: one e-mail
    ContactPersonFactory(tenant=world_a.tenant, organisation=organisation, email="phone-only@osc.example.org",
                         email_consent=False)
    ContactPersonFactory(tenant=world_a.tenant, organisation=organisation, email="", email_consent=True)
    assert _addresses(world_a) == [member.email, "tresorier@osc.example.org"]


def test_a_cso_without_an_account_is_reached_through_its_contact(world_a):
    organisation = OrganisationFactory(tenant=world_a.tenant)
    assert _addresses(world_a, organisation) == []
    ContactPersonFactory(tenant=world_a.tenant, organisation=organisation, email="pres@osc.example.org",
                         email_consent=True)
    assert _addresses(world_a, organisation) == ["pres@osc.example.org"]


def test_contacts_of_another_workspace_never_count(worlds):
    world_a, world_b = worlds
    ContactPersonFactory(tenant=world_b.tenant, organisation=world_b.organisation, email="b@osc.example.org",
                         email_consent=True)
    assert "b@osc.example.org" not in _addresses(world_a, world_a.organisation)


def test_a_rejected_document_is_mailed_to_members_and_consenting_contacts(world_a, item, mailoutbox,  # noqa: F811
                                                                         django_capture_on_commit_callbacks):
    ContactPersonFactory(tenant=world_a.tenant, organisation=world_a.organisation, email="pres@osc.example.org",
                         email_consent=True)
    ContactPersonFactory(tenant=world_a.tenant, organisation=world_a.organisation, email="no@osc.example.org")
    document = document_upload(actor=world_a.actor(Role.APPLICANT), organisation=world_a.organisation, item=item,
                               file=upload("Statuts.pdf", pdf_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        document_review(actor=world_a.actor(Role.MANAGER), document=document, decision=ReviewStatus.REJECTED,
                        comment="Illisible")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world_a.user(Role.APPLICANT).email, "pres@osc.example.org"])
    rows = OutboundEmail.objects.filter(tenant=world_a.tenant, kind="document_rejected")
    assert {row.status for row in rows} == {"sent"} and rows.count() == 2
    assert all(row.target_type == "orgs.organisationdocument" and row.target_id == str(document.pk) for row in rows)


def _review_url(world, document):
    return reverse("orgs:document_review", kwargs={"tenant_slug": world.tenant.slug,
                                                  "organisationdocument_pk": document.pk})


NOBODY = "Personne n'a pu être prévenu : l'organisation n'a ni membre ni contact ayant accepté les e-mails."


def test_a_manager_is_warned_at_once_when_a_rejection_reaches_nobody(world_a, item):  # noqa: F811
    organisation = OrganisationFactory(tenant=world_a.tenant)
    ContactPersonFactory(tenant=world_a.tenant, organisation=organisation, email="no@osc.example.org")  # no consent
    document = document_upload(actor=world_a.actor(Role.MANAGER), organisation=organisation, item=item,
                               file=upload("Statuts.pdf", pdf_bytes()))
    response = world_a.client_for(Role.MANAGER).post(_review_url(world_a, document),
                                                     {"decision": "rejected", "comment": "Illisible"}, follow=True)
    assert NOBODY in [str(m) for m in response.context["messages"]]
    assert not OutboundEmail.objects.filter(tenant=world_a.tenant, kind="document_rejected").exists()


def test_no_warning_when_someone_is_told_or_nothing_is_refused(world_a, item):  # noqa: F811
    document = document_upload(actor=world_a.actor(Role.APPLICANT), organisation=world_a.organisation, item=item,
                               file=upload("Statuts.pdf", pdf_bytes()))
    client = world_a.client_for(Role.MANAGER)
    response = client.post(_review_url(world_a, document), {"decision": "rejected", "comment": "Illisible"},
                           follow=True)
    assert NOBODY not in [str(m) for m in response.context["messages"]]


def test_the_contact_form_records_the_email_consent_and_needs_the_address(world_a):
    url = reverse("orgs:contact_create", kwargs={"tenant_slug": world_a.tenant.slug,
                                                 "organisation_pk": world_a.organisation.pk})
    client = world_a.client_for(Role.APPLICANT)
    assert 'name="email_consent"' in client.get(url).content.decode()
    response = client.post(url, {"name": "Awa", "phone": "+22370000000", "consent": "on", "email_consent": "on"})
    assert response.status_code == 200 and not world_a.organisation.contacts.exists()
    response = client.post(url, {"name": "Awa", "email": "awa@osc.example.org", "consent": "on",
                                 "email_consent": "on"})
    assert response.status_code == 302
    assert world_a.organisation.contacts.get().email_consent is True
    assert _addresses(world_a)[-1] == "awa@osc.example.org"
