"""factory_boy factories shared by all tests.

Conventions the tenancy harness relies on (tests/orgs/test_tenant_isolation.py):
- one DjangoModelFactory per tenant-owned model, in this module or in
  ``tests/<app>/factories.py``; the harness finds them by model;
- every factory takes ``tenant=`` and keeps its related rows in that tenant
  (use ``factory.SelfAttribute("..tenant")`` in SubFactories).
"""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from orgs.models import FocusArea, Organisation, Region, Zone
from orgs.models.organisations import fold
from relais.models import Invitation, Membership, OutboundEmail, Role, Tenant, User

TEST_PASSWORD = "correct-horse-battery-42"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Bailleur {n}")
    slug = factory.Sequence(lambda n: f"bailleur-{n}")
    reference_prefix = "T"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    username = factory.SelfAttribute("email")
    full_name = factory.Faker("name", locale="fr_FR")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save()
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Région {n}")
    zone = Zone.CENTRE


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Domaine {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Association pour la paix n°{n}")
    acronym = factory.Sequence(lambda n: f"APP{n}")
    region = factory.SubFactory(RegionFactory, tenant=factory.SelfAttribute("..tenant"))
    search_name = factory.LazyAttribute(lambda o: fold(f"{o.name} {o.acronym}"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MANAGER
    organisation = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role == Role.APPLICANT),
        yes_declaration=factory.SubFactory(OrganisationFactory, tenant=factory.SelfAttribute("..tenant")),
        no_declaration=None,
    )


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    tenant = factory.SubFactory(TenantFactory)
    email = factory.Sequence(lambda n: f"invite{n}@example.org")
    role = Role.REVIEWER
    token_salt = factory.LazyFunction(Invitation.new_salt)
    token_hash = factory.LazyAttribute(lambda o: Invitation.hash(Invitation.token_for(o.token_salt)))
    expires_at = factory.LazyFunction(lambda: __import__("django.utils.timezone").utils.timezone.now()
                                      + __import__("datetime").timedelta(days=7))
class OutboundEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundEmail

    tenant = factory.SubFactory(TenantFactory)
    recipient = factory.Sequence(lambda n: f"recipient{n}@example.org")
    subject = "Demande PD-2026-001 reçue"
    body = "Bonjour,\n"
    kind = "application_receipt"
    target_type = "relais.tenant"
    target_id = factory.LazyAttribute(lambda o: str(o.tenant.pk))


from tests.factories_dd import *  # noqa
