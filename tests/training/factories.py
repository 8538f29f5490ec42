"""Training factories: every related row stays in the session's tenant."""

from __future__ import annotations

import datetime

import factory

from relais.demographics import AgeBand, Sex
from tests.factories import OrganisationFactory, TenantFactory
from training.models import Attendance, Participant, Registration, SessionMaterial, Topic, TrainingSession
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
