"""Factories for due diligence and sanctions screening (kept apart from tests/factories.py
to avoid merge conflicts; tests/factories.py star-imports this module)."""

from __future__ import annotations

import hashlib

import factory
from django.utils import timezone

from orgs.models import (
    DueDiligenceItem,
    OrganisationDocument,
    ReviewStatus,
    SanctionsEntry,
    SanctionsListVersion,
    Screening,
    ScreeningCandidate,
    ScreeningDecision,
)
from orgs.sanctions import fold_name, names_fingerprint
from orgs.selectors.due_diligence import names_to_screen

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class DueDiligenceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DueDiligenceItem

    tenant = factory.SubFactory("tests.factories.TenantFactory")
    name = factory.Sequence(lambda n: f"Pièce {n}")
    name_en = factory.Sequence(lambda n: f"Document {n}")
    required = True
    expires = False
    ordering = factory.Sequence(int)


class OrganisationDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationDocument

    tenant = factory.SubFactory("tests.factories.TenantFactory")
    organisation = factory.SubFactory("tests.factories.OrganisationFactory", tenant=factory.SelfAttribute("..tenant"))
    item = factory.SubFactory(DueDiligenceItemFactory, tenant=factory.SelfAttribute("..tenant"))
    # A name only: nothing is written to storage (tests that download upload through the service).
    file = factory.Sequence(lambda n: f"tenant-test/due-diligence/factory-{n}.pdf")
    original_name = "statuts.pdf"
    content_type = "application/pdf"
    size = len(MINIMAL_PDF)
    sha256 = hashlib.sha256(MINIMAL_PDF).hexdigest()
    review_status = ReviewStatus.PENDING


class SanctionsListVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SanctionsListVersion

    tenant = factory.SubFactory("tests.factories.TenantFactory")
    name = "Test list"
    source_format = "csv"
    checksum = factory.Sequence(lambda n: f"{n:064d}")
    entry_count = 0


class SanctionsEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SanctionsEntry

    tenant = factory.SubFactory("tests.factories.TenantFactory")
    version = factory.SubFactory(SanctionsListVersionFactory, tenant=factory.SelfAttribute("..tenant"))
    primary_name = factory.Sequence(lambda n: f"Fictif Personne {n}")
    aliases = factory.LazyFunction(list)
    list_name = "UN"
    reference = factory.Sequence(lambda n: f"FIC.{n:03d}")
    folded_names = factory.LazyAttribute(lambda o: [fold_name(o.primary_name)])


class ScreeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Screening

    tenant = factory.SubFactory("tests.factories.TenantFactory")
    organisation = factory.SubFactory("tests.factories.OrganisationFactory", tenant=factory.SelfAttribute("..tenant"))
    version = factory.SubFactory(SanctionsListVersionFactory, tenant=factory.SelfAttribute("..tenant"))
    # The names the organisation holds when the screening is made, as screening_run records them.
    names_screened = factory.LazyAttribute(lambda o: names_to_screen(o.organisation))
    names_fingerprint = factory.LazyAttribute(lambda o: names_fingerprint(o.names_screened))
    ran_at = factory.LazyFunction(timezone.now)
    decision = ScreeningDecision.PENDING


class ScreeningCandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScreeningCandidate

    tenant = factory.SubFactory("tests.factories.TenantFactory")
    screening = factory.SubFactory(ScreeningFactory, tenant=factory.SelfAttribute("..tenant"))
    entry = factory.SubFactory(SanctionsEntryFactory, tenant=factory.SelfAttribute("..tenant"),
                               version=factory.SelfAttribute("..screening.version"))
    screened_name = "Nom"
    matched_name = "Nom"
    score = 95
