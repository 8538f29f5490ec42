"""Factories for the training models; each takes tenant= and keeps related rows in it."""

from __future__ import annotations

import datetime as dt

import factory

from tests.factories import OrganisationFactory, TenantFactory, UserFactory
from training.models import (
    ActionItem,
    Assessment,
    AssessmentDomain,
    AssessmentKind,
    AssessmentScore,
    AssessmentSubArea,
    LevelDescriptor,
)

SAME_TENANT = factory.SelfAttribute("..tenant")


class AssessmentDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentDomain

    tenant = factory.SubFactory(TenantFactory)
    name_fr = factory.Sequence(lambda n: f"Domaine de capacité {n}")
    name_en = factory.Sequence(lambda n: f"Capacity domain {n}")
    order = factory.Sequence(lambda n: n)


class AssessmentSubAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentSubArea

    tenant = factory.SubFactory(TenantFactory)
    domain = factory.SubFactory(AssessmentDomainFactory, tenant=SAME_TENANT)
    name_fr = factory.Sequence(lambda n: f"Sous-domaine {n}")
    name_en = factory.Sequence(lambda n: f"Sub-area {n}")
    order = factory.Sequence(lambda n: n)


class LevelDescriptorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LevelDescriptor

    tenant = factory.SubFactory(TenantFactory)
    sub_area = factory.SubFactory(AssessmentSubAreaFactory, tenant=SAME_TENANT)
    level = 1
    text_fr = "Absent"
    text_en = "Absent"


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    date = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n))
    kind = AssessmentKind.BASELINE
    facilitator = factory.SubFactory(UserFactory)


class AssessmentScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentScore

    tenant = factory.SubFactory(TenantFactory)
    assessment = factory.SubFactory(AssessmentFactory, tenant=SAME_TENANT)
    sub_area = factory.SubFactory(AssessmentSubAreaFactory, tenant=SAME_TENANT)
    score = 2


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    tenant = factory.SubFactory(TenantFactory)
    assessment = factory.SubFactory(AssessmentFactory, tenant=SAME_TENANT)
    item = factory.Sequence(lambda n: f"Adopter un manuel de procédures {n}")
    owner = "Trésorière"
