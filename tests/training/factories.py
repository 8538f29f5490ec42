"""Training factories: every related row stays in the session's tenant.

Factories for the training models; each takes tenant= and keeps related rows in it.
"""

from __future__ import annotations

import datetime
import datetime as dt

import factory

from relais.demographics import AgeBand, Sex
from tests.factories import OrganisationFactory, TenantFactory, UserFactory
from training.models import (
    ActionItem,
    Assessment,
    AssessmentDomain,
    AssessmentKind,
    AssessmentScore,
    AssessmentSubArea,
    Attendance,
    Certificate,
    LevelDescriptor,
    Participant,
    Registration,
    SessionMaterial,
    Topic,
    TrainingSession,
    TrainingSettings,
)
from training.selectors import fold


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Gestion financière {n}")


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    tenant = factory.SubFactory(TenantFactory)
    title = factory.Sequence(lambda n: f"Atelier de médiation n° {n}")
    topic = factory.SubFactory(TopicFactory, tenant=factory.SelfAttribute("..tenant"))
    start_date = datetime.date(2026, 3, 9)
    end_date = datetime.date(2026, 3, 11)
    venue = "Maison des jeunes, Ségou"
    capacity = 30


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=factory.SelfAttribute("..tenant"))
    full_name = factory.Sequence(lambda n: f"Aïssata Traoré {n}")
    name_folded = factory.LazyAttribute(lambda o: fold(o.full_name))
    sex = Sex.FEMALE
    age_band = AgeBand.FROM_25_TO_35


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    tenant = factory.SubFactory(TenantFactory)
    session = factory.SubFactory(TrainingSessionFactory, tenant=factory.SelfAttribute("..tenant"))
    participant = factory.SubFactory(ParticipantFactory, tenant=factory.SelfAttribute("..tenant"))


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    tenant = factory.SubFactory(TenantFactory)
    registration = factory.SubFactory(RegistrationFactory, tenant=factory.SelfAttribute("..tenant"))
    day = factory.LazyAttribute(lambda o: o.registration.session.start_date)
    status = "present"


class SessionMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionMaterial

    tenant = factory.SubFactory(TenantFactory)
    session = factory.SubFactory(TrainingSessionFactory, tenant=factory.SelfAttribute("..tenant"))
    title = "Support de formation"
    file = factory.django.FileField(filename="support.pdf", data=b"%PDF-1.4 support")
    original_name = "support.pdf"
    content_type = "application/pdf"


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


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    tenant = factory.SubFactory(TenantFactory)
    registration = factory.SubFactory(RegistrationFactory, tenant=factory.SelfAttribute("..tenant"))


class TrainingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSettings
        django_get_or_create = ("tenant",)

    tenant = factory.SubFactory(TenantFactory)
