import pytest
from django.core.management import call_command
from django.test import Client

from orgs.demo import DEMO_PASSWORD, DEMO_ROLES, TENANTS, demo_email
from orgs.models import Organisation
from relais.models import Membership, Role, Tenant, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(demo_db):
    """The demo, seeded once for this module (tests/conftest.py: demo_seeded_module); each test
    runs in a savepoint rolled back after it, so the logins and the second seed below do not leak."""


def _counts():
    return (Tenant.objects.count(), Organisation.objects.count(), User.objects.count(), Membership.objects.count())


def test_seed_creates_the_domain_brief_and_is_idempotent(seeded, settings):
    first = _counts()
    assert first[0] == 2
    assert set(Organisation.objects.filter(tenant__slug="peace-direct").values_list("acronym", flat=True)) >= {
        "AJCET", "TASSAGHT", "AFIP", "APROFEM", "AADeC", "BENKADI", "RENEDEP"}
    assert "REJEFPO" in Organisation.objects.filter(tenant__slug="wanep-mali").values_list("acronym", flat=True)
    call_command("seed_demo", "--quiet-accounts")
    assert _counts() == first


def test_demo_csos_do_not_overlap_between_tenants(seeded):
    pd = set(Organisation.objects.filter(tenant__slug="peace-direct").values_list("acronym", flat=True))
    wm = set(Organisation.objects.filter(tenant__slug="wanep-mali").values_list("acronym", flat=True))
    assert pd and wm and not (pd & wm)


def test_applicants_belong_to_the_documented_organisations(seeded):
    assert Membership.objects.get(user__email="applicant@peace-direct.demo").organisation.acronym == "AJCET"
    assert Membership.objects.get(user__email="applicant@wanep-mali.demo").organisation.acronym == "REJEFPO"


@pytest.mark.parametrize("slug", [spec["slug"] for spec in TENANTS])
@pytest.mark.parametrize(("local", "role"), DEMO_ROLES)
def test_every_demo_account_logs_in_and_sees_its_dashboard(seeded, slug, local, role):
    client = Client()
    response = client.post("/accounts/login/", {"login": demo_email(local, slug), "password": DEMO_PASSWORD})
    assert response.status_code == 302
    response = client.get(f"/{slug}/")
    assert response.status_code == 200
    from django.utils import translation

    with translation.override("fr"):
        assert str(Role(role).label) in response.content.decode()


def test_demo_rows_never_point_across_tenants(seeded):
    """Every foreign key between tenant-owned rows stays inside one tenant (and M2M too)."""
    from django.db import models

    from relais.models import TenantOwned
    from tests.harness import domain_models

    crossings = []
    for model in domain_models():
        if not issubclass(model, TenantOwned):
            continue
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if not (related and isinstance(related, type) and issubclass(related, TenantOwned)):
                continue
            if isinstance(field, models.ForeignKey):
                bad = model.objects.exclude(**{f"{field.name}__isnull": True}).exclude(
                    **{f"{field.name}__tenant": models.F("tenant")})
            elif isinstance(field, models.ManyToManyField):
                bad = model.objects.filter(**{f"{field.name}__isnull": False}).exclude(
                    **{f"{field.name}__tenant": models.F("tenant")})
            else:
                continue
            if bad.exists():
                crossings.append(f"{model._meta.label}.{field.name}")
    assert crossings == []


def test_a_test_may_write_into_the_module_demo(seeded, client):
    """This one writes (a rename, a login); the next test must not see it."""
    Tenant.objects.filter(slug="peace-direct").update(name="Renamed by a test")
    client.force_login(User.objects.get(email="manager@peace-direct.demo"))


def test_what_a_test_wrote_is_undone_before_the_next(seeded):
    from django.contrib.sessions.models import Session

    assert not Tenant.objects.filter(name="Renamed by a test").exists()
    assert Session.objects.count() == 0
    assert _counts()[0] == 2
