import pytest
from django.test import Client

from relais.audit import audit_record
from relais.models import AuditEvent, Tenant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():
    user = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_admin_works_for_superusers(superuser_client, world_a):
    for url in ["/admin/", "/admin/relais/tenant/", "/admin/relais/membership/", "/admin/relais/auditevent/"]:
        assert superuser_client.get(url).status_code == 200, url


def test_admin_creates_a_tenant_and_audits_it(superuser_client):
    response = superuser_client.post("/admin/relais/tenant/add/", {
        "name": "Fonds Sahel", "slug": "fonds-sahel", "default_language": "fr", "default_currency": "XOF",
        "applicants_may_self_register": "on", "screening_validity_days": "365", "reference_prefix": "FS",
        "is_active": "on",
    })
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="tenant.created", tenant__slug="fonds-sahel").exists()


def test_a_tenant_created_in_the_admin_starts_with_the_default_checklist(superuser_client):
    """The admin saved the tenant itself: a workspace made there had no due-diligence checklist,
    unlike one made with manage.py create_tenant. Both go through tenant_create now."""
    from orgs.models import DueDiligenceItem

    response = superuser_client.post("/admin/relais/tenant/add/", {
        "name": "Fonds Niger", "slug": "fonds-niger", "default_language": "fr", "default_currency": "XOF",
        "applicants_may_self_register": "on", "screening_validity_days": "180", "reference_prefix": "FN",
        "is_active": "on",
    })
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="fonds-niger")
    assert (tenant.name, tenant.screening_validity_days, tenant.reference_prefix) == ("Fonds Niger", 180, "FN")
    assert DueDiligenceItem.objects.filter(tenant=tenant, required=True).count() >= 4
    assert AuditEvent.objects.filter(action="due_diligence.checklist_seeded", tenant=tenant).exists()
    assert AuditEvent.objects.filter(action="tenant.created", tenant=tenant).count() == 1


def test_changing_a_tenant_in_the_admin_is_audited_and_seeds_nothing_again(superuser_client):
    from orgs.models import DueDiligenceItem

    tenant = Tenant.objects.create(name="Fonds Mali", slug="fonds-mali")
    response = superuser_client.post(f"/admin/relais/tenant/{tenant.pk}/change/", {
        "name": "Fonds Mali (renommé)", "slug": "fonds-mali", "default_language": "fr", "default_currency": "XOF",
        "screening_validity_days": "365", "reference_prefix": "", "is_active": "on",
    })
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.name == "Fonds Mali (renommé)"
    assert AuditEvent.objects.filter(action="tenant.changed", tenant=tenant).exists()
    assert not DueDiligenceItem.objects.filter(tenant=tenant).exists()


def test_admin_refuses_a_reserved_slug(superuser_client):
    response = superuser_client.post("/admin/relais/tenant/add/", {
        "name": "X", "slug": "accounts", "default_language": "fr", "default_currency": "XOF",
        "screening_validity_days": "365",
    })
    assert response.status_code == 200
    assert not AuditEvent.objects.exists()


def test_audit_events_cannot_be_added_changed_or_deleted_in_admin(superuser_client, world_a):
    event = audit_record(tenant=world_a.tenant, actor=None, action="x.y", target=world_a.tenant)
    assert superuser_client.get("/admin/relais/auditevent/add/").status_code == 403
    superuser_client.post(f"/admin/relais/auditevent/{event.pk}/change/", {"action": "forged"})
    superuser_client.post(f"/admin/relais/auditevent/{event.pk}/delete/", {"post": "yes"})
    event.refresh_from_db()
    assert event.action == "x.y"


def test_non_superuser_staff_cannot_see_tenants(world_a):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/relais/tenant/").status_code == 403


def test_admin_refuses_a_membership_with_another_tenants_organisation_without_500(superuser_client, worlds):
    from relais.models import Membership

    world_a, world_b = worlds
    user = UserFactory()
    response = superuser_client.post("/admin/relais/membership/add/", {
        "tenant": world_a.tenant.pk, "user": user.pk, "role": "applicant",
        "organisation": world_b.organisation.pk, "is_active": "on",
    })
    assert response.status_code == 200
    assert not Membership.objects.filter(user=user).exists()
