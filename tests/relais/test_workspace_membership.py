"""The membership every workspace page reads is written by hand (relais.sql.RowReader): it must be the
instance the ORM builds, field by field (dates, booleans, JSON: converters differ between SQLite and
PostgreSQL, and CI runs both), and refuse exactly what the ORM query refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relais.models import Membership
from relais.selectors import workspace_membership
from tests.factories import MembershipFactory, OrganisationFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


def fields_of(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_hand_written_membership_is_the_orm_one_with_its_tenant_and_organisation() -> None:
    tenant = TenantFactory(require_mfa_for_staff=True, screening_validity_days=200)
    organisation = OrganisationFactory(tenant=tenant, languages=["fr", "bm"], founding_year=1998,
                                       registration_date=dt.date(2001, 5, 17))
    membership = MembershipFactory(tenant=tenant, role="applicant", organisation=organisation)
    MembershipFactory(user=membership.user)  # a second workspace
    MembershipFactory(user=membership.user, is_active=False)  # not counted

    with CaptureQueriesContext(connection) as queries:
        found, count = workspace_membership(user_id=membership.user_id, slug=tenant.slug)
        read_tenant, read_organisation = found.tenant, found.organisation  # cached: no query
    assert len(queries) == 1
    assert count == 2

    orm = Membership.objects.select_related("tenant", "organisation").get(pk=membership.pk)
    assert fields_of(found) == fields_of(orm)
    assert fields_of(read_tenant) == fields_of(orm.tenant)
    assert fields_of(read_organisation) == fields_of(orm.organisation)
    assert read_organisation.languages == ["fr", "bm"]  # JSON decoded, not its text
    assert read_tenant.require_mfa_for_staff is True and found.is_active is True  # booleans, not 0/1
    assert isinstance(found.created_at, dt.datetime) and found.created_at.tzinfo is not None
    assert found._state.adding is False and found._state.db == "default"


def test_a_staff_membership_has_no_organisation_and_asks_no_query_for_it() -> None:
    membership = MembershipFactory(role="manager")
    found, count = workspace_membership(user_id=membership.user_id, slug=membership.tenant.slug)
    with CaptureQueriesContext(connection) as queries:
        assert found.organisation is None
    assert len(queries) == 0
    assert count == 1


@pytest.mark.parametrize("case", ["inactive membership", "inactive workspace", "other person", "other workspace"])
def test_who_may_not_enter_gets_none(case: str) -> None:
    membership = MembershipFactory(role="manager")
    other = MembershipFactory(role="manager")
    user_id, slug = membership.user_id, membership.tenant.slug
    if case == "inactive membership":
        Membership.objects.filter(pk=membership.pk).update(is_active=False)
    elif case == "inactive workspace":
        type(membership.tenant).objects.filter(pk=membership.tenant_id).update(is_active=False)
    elif case == "other person":
        user_id = UserFactory().pk
    else:
        slug = other.tenant.slug
    assert workspace_membership(user_id=user_id, slug=slug) is None


def test_a_row_reader_instance_is_what_from_db_builds_and_init_receivers_still_run() -> None:
    """RowReader writes the instance of a plain model directly (no __init__ walking every field): its values,
    deferred fields, state and equality are from_db's; a model with an init receiver goes through from_db."""
    from django.db.models.signals import post_init

    from relais.models import Tenant
    from relais.sql import RowReader

    tenant = TenantFactory(screening_validity_days=200)
    for only in (None, ("name", "slug", "screening_validity_days")):
        reader = RowReader(Tenant, "t", only=only)
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT {reader.columns(connection)} FROM "relais_tenant" t WHERE t."id" = %s',
                           [tenant.pk])
            row = cursor.fetchone()
        built = reader.instance(connection, row)
        orm = Tenant.objects.only(*only).get(pk=tenant.pk) if only else Tenant.objects.get(pk=tenant.pk)
        plain = {k: v for k, v in built.__dict__.items() if k != "_state"}
        assert plain == {k: v for k, v in orm.__dict__.items() if k != "_state"}
        assert built.get_deferred_fields() == orm.get_deferred_fields() and built == orm
        assert (built._state.adding, built._state.db) == (False, "default")
        assert reader._plain is True
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Membership)
    try:
        membership = MembershipFactory(role="manager")
        seen.clear()
        reader = RowReader(Membership, "m")
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT {reader.columns(connection)} FROM "relais_membership" m WHERE m."id" = %s',
                           [membership.pk])
            built = reader.instance(connection, cursor.fetchone())
        assert seen == [built] and reader._plain is False
    finally:
        post_init.disconnect(receiver, sender=Membership)
