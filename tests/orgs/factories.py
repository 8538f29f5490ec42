"""Factories for the organisation registry models (issue 3). Related rows stay in one tenant."""

from __future__ import annotations

import factory

from orgs.models import (
    Commune,
    ContactPerson,
    ImportBatch,
    JoinRequest,
    MobileOperator,
    OrganisationStatus,
    OrganisationType,
    PaymentDetails,
)
from tests.factories import OrganisationFactory, RegionFactory, TenantFactory, UserFactory


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    tenant = factory.SubFactory(TenantFactory)
    region = factory.SubFactory(RegionFactory, tenant=factory.SelfAttribute("..tenant"))
    name = factory.Sequence(lambda n: f"Commune {n}")


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=factory.SelfAttribute("..tenant"))
    name = factory.Faker("name", locale="fr_FR")
    role = "Coordinatrice"
    phone = factory.Sequence(lambda n: f"+223 76 00 {n:04d}")
    email = factory.Sequence(lambda n: f"contact{n}@osc.example.org")
    consent = True


class PaymentDetailsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentDetails

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=factory.SelfAttribute("..tenant"))
    bank_name = "BDM-SA"
    bank_account = factory.Sequence(lambda n: f"ML13 1234 5678 9012 {n:04d}")
    bank_account_holder = factory.SelfAttribute("organisation.name")
    mobile_operator = MobileOperator.ORANGE
    mobile_number = factory.Sequence(lambda n: f"+223 70 12 {n:04d}")
    mobile_holder = "Mariam Cissé"


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoinRequest

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=factory.SelfAttribute("..tenant"))
    user = factory.SubFactory(UserFactory)
    message = "Je suis la nouvelle chargée de programme."


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    tenant = factory.SubFactory(TenantFactory)
    filename = "organisations.csv"
    rows = factory.LazyFunction(lambda: [{"name": "Association test", "acronym": "AT"}])


class FullOrganisationFactory(OrganisationFactory):
    """An organisation with a complete profile."""

    type = OrganisationType.WOMEN_LED
    registration_number = factory.Sequence(lambda n: f"0{n:03d}/MATCL-DB")
    founding_year = 2010
    languages = factory.LazyFunction(lambda: ["fr", "bm"])
    staff_women = 4
    staff_men = 2
    status = OrganisationStatus.PENDING
