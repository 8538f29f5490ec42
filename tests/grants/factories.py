"""Factories for every grants model; each takes tenant= and keeps related rows in it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from grants.models import (
    AgreementDocument,
    AgreementDocumentKind,
    AgreementSignature,
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    ApplicationVersion,
    Award,
    AwardBudgetLine,
    AwardStatus,
    BudgetCategory,
    BudgetLine,
    Call,
    CallStatus,
    Disbursement,
    DisbursementStatus,
    EligibilityAnswer,
    EligibilityQuestion,
    GrantSettings,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    LedgerEntry,
    LedgerKind,
    PaymentEvent,
    ProgressReport,
    Rail,
    ReferenceSequence,
    ReminderLog,
    ReportAttachment,
    ReportExpense,
    ReportVersion,
    RequiredAttachment,
    Review,
    ReviewScore,
    ReviewStatus,
    RubricCriterion,
    SignatureMethod,
    TimelineActivity,
    Tranche,
)
from tests.factories import OrganisationFactory, TenantFactory, UserFactory

T = factory.SelfAttribute("..tenant")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    tenant = factory.SubFactory(TenantFactory)
    title_fr = factory.Sequence(lambda n: f"Appel à propositions {n}")
    title_en = factory.Sequence(lambda n: f"Call for proposals {n}")
    description_fr = "Soutien aux initiatives locales de paix."
    envelope = Decimal("50000000")
    currency = "XOF"
    min_grant = Decimal("1000000")
    max_grant = Decimal("10000000")
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=20))
    reviewers_per_application = 2
    status = CallStatus.OPEN


class EligibilityQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityQuestion

    tenant = factory.SubFactory(TenantFactory)
    call = factory.SubFactory(CallFactory, tenant=T)
    text_fr = "L'organisation est-elle enregistrée au Mali ?"
    text_en = "Is the organisation registered in Mali?"
    disqualifying_answer = "no"


class RequiredAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredAttachment

    tenant = factory.SubFactory(TenantFactory)
    call = factory.SubFactory(CallFactory, tenant=T)
    name_fr = "Statuts"
    name_en = "Statutes"


class RubricCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricCriterion

    tenant = factory.SubFactory(TenantFactory)
    call = factory.SubFactory(CallFactory, tenant=T)
    name_fr = factory.Sequence(lambda n: f"Critère {n}")
    name_en = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("1")
    levels = factory.LazyFunction(lambda: {str(n): f"Niveau {n}" for n in range(6)})


class BudgetCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetCategory

    tenant = factory.SubFactory(TenantFactory)
    name_fr = factory.Sequence(lambda n: f"Catégorie {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class ReferenceSequenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferenceSequence
        django_get_or_create = ("tenant", "year")

    tenant = factory.SubFactory(TenantFactory)
    year = 2026


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    tenant = factory.SubFactory(TenantFactory)
    call = factory.SubFactory(CallFactory, tenant=T)
    organisation = factory.SubFactory(OrganisationFactory, tenant=T)
    title = factory.Sequence(lambda n: f"Projet de dialogue intercommunautaire {n}")
    status = ApplicationStatus.DRAFT
    requested_amount = Decimal("5000000")


class TimelineActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineActivity

    tenant = factory.SubFactory(TenantFactory)
    application = factory.SubFactory(ApplicationFactory, tenant=T)
    activity = "Atelier de dialogue"
    start_month = 1
    end_month = 3


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    tenant = factory.SubFactory(TenantFactory)
    application = factory.SubFactory(ApplicationFactory, tenant=T)
    category = factory.SubFactory(BudgetCategoryFactory, tenant=T)
    description = "Animateurs"
    quantity = Decimal("10")
    unit_cost = Decimal("500000")


class EligibilityAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityAnswer

    tenant = factory.SubFactory(TenantFactory)
    application = factory.SubFactory(ApplicationFactory, tenant=T)
    question = factory.SubFactory(EligibilityQuestionFactory, tenant=T,
                                  call=factory.SelfAttribute("..application.call"))
    answer = "yes"


class ApplicationAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationAttachment

    tenant = factory.SubFactory(TenantFactory)
    application = factory.SubFactory(ApplicationFactory, tenant=T)
    file = factory.django.FileField(filename="statuts.pdf", data=b"%PDF-1.4\n%test\n")
    original_name = "statuts.pdf"
    content_type = "application/pdf"
    size = 16


class ApplicationVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationVersion

    tenant = factory.SubFactory(TenantFactory)
    application = factory.SubFactory(ApplicationFactory, tenant=T)
    number = factory.Sequence(lambda n: n + 1)
    snapshot = factory.LazyFunction(lambda: {"title": "v"})


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    tenant = factory.SubFactory(TenantFactory)
    application = factory.SubFactory(ApplicationFactory, tenant=T, status=ApplicationStatus.IN_REVIEW)
    reviewer = factory.SubFactory(UserFactory)
    status = ReviewStatus.ASSIGNED


class ReviewScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewScore

    tenant = factory.SubFactory(TenantFactory)
    review = factory.SubFactory(ReviewFactory, tenant=T)
    criterion = factory.SubFactory(RubricCriterionFactory, tenant=T,
                                   call=factory.SelfAttribute("..review.application.call"))
    score = 3


class GrantSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GrantSettings
        django_get_or_create = ("tenant",)

    tenant = factory.SubFactory(TenantFactory)


class AwardFactory(factory.django.DjangoModelFactory):
    """An award as approval makes it (without tranches: add TrancheFactory rows, or use award_create)."""

    class Meta:
        model = Award

    tenant = factory.SubFactory(TenantFactory)
    application = factory.SubFactory(ApplicationFactory, tenant=T, status=ApplicationStatus.APPROVED,
                                     awarded_amount=Decimal("5000000"))
    call = factory.SelfAttribute("application.call")
    organisation = factory.SelfAttribute("application.organisation")
    reference = factory.Sequence(lambda n: f"AW-2026-{n:04d}")
    title = factory.SelfAttribute("application.title")
    amount = Decimal("5000000")
    currency = "XOF"
    start_date = dt.date(2026, 1, 1)
    end_date = dt.date(2026, 12, 31)
    status = AwardStatus.DRAFTED


class AwardBudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AwardBudgetLine

    tenant = factory.SubFactory(TenantFactory)
    award = factory.SubFactory(AwardFactory, tenant=T)
    description = "Animateurs"
    amount = Decimal("1000000")


class TrancheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tranche

    tenant = factory.SubFactory(TenantFactory)
    award = factory.SubFactory(AwardFactory, tenant=T)
    number = factory.Sequence(lambda n: n + 1)
    amount = Decimal("2000000")
    conditions = factory.LazyFunction(list)


class AgreementDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementDocument

    tenant = factory.SubFactory(TenantFactory)
    award = factory.SubFactory(AwardFactory, tenant=T)
    number = factory.Sequence(lambda n: n + 1)
    kind = AgreementDocumentKind.GENERATED
    file = factory.django.FileField(filename="convention.pdf", data=b"%PDF-1.4\n%test\n")
    original_name = "convention.pdf"
    sha256 = "0" * 64
    size = 16


class AgreementSignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementSignature

    tenant = factory.SubFactory(TenantFactory)
    award = factory.SubFactory(AwardFactory, tenant=T)
    document = factory.SubFactory(AgreementDocumentFactory, tenant=T, award=factory.SelfAttribute("..award"))
    method = SignatureMethod.ELECTRONIC
    full_name = "Aminata Traoré"


class DisbursementFactory(factory.django.DjangoModelFactory):
    """A payment row as it stands (the services keep the tranche's totals; this factory does not)."""

    class Meta:
        model = Disbursement

    tenant = factory.SubFactory(TenantFactory)
    award = factory.SubFactory(AwardFactory, tenant=T, status=AwardStatus.ACTIVE)
    tranche = factory.SubFactory(TrancheFactory, tenant=T, award=factory.SelfAttribute("..award"))
    rail = Rail.BANK
    amount = Decimal("1000000")
    currency = "XOF"
    paid_currency = "XOF"
    paid_amount = Decimal("1000000")
    paid_on = dt.date(2026, 3, 1)
    status = DisbursementStatus.AWAITING_APPROVAL
    idempotency_key = factory.Sequence(lambda n: f"relais-test-{n}")


class LedgerEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LedgerEntry

    tenant = factory.SubFactory(TenantFactory)
    disbursement = factory.SubFactory(DisbursementFactory, tenant=T, status=DisbursementStatus.PAID)
    award = factory.SelfAttribute("disbursement.award")
    tranche = factory.SelfAttribute("disbursement.tranche")
    kind = LedgerKind.PAYMENT
    amount = factory.SelfAttribute("disbursement.amount")
    currency = "XOF"


class PaymentEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentEvent

    tenant = factory.SubFactory(TenantFactory)
    provider = "stripe"
    event_id = factory.Sequence(lambda n: f"evt_test_{n}")
    kind = "transfer.created"


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    tenant = factory.SubFactory(TenantFactory)
    award = factory.SubFactory(AwardFactory, tenant=T, status=AwardStatus.ACTIVE)
    number = factory.Sequence(lambda n: n + 1)
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2026, 6, 30)
    due_date = dt.date(2026, 7, 15)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    tenant = factory.SubFactory(TenantFactory)
    name_fr = factory.Sequence(lambda n: f"Personnes touchées {n}")
    name_en = factory.Sequence(lambda n: f"People reached {n}")
    by_sex_and_age = False


class IndicatorTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorTarget

    tenant = factory.SubFactory(TenantFactory)
    award = factory.SubFactory(AwardFactory, tenant=T)
    indicator = factory.SubFactory(IndicatorFactory, tenant=T)
    target = Decimal("100")


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    tenant = factory.SubFactory(TenantFactory)
    report = factory.SubFactory(ProgressReportFactory, tenant=T)
    indicator = factory.SubFactory(IndicatorFactory, tenant=T)
    value = Decimal("10")


class ReportExpenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportExpense

    tenant = factory.SubFactory(TenantFactory)
    report = factory.SubFactory(ProgressReportFactory, tenant=T)
    budget_line = factory.SubFactory(AwardBudgetLineFactory, tenant=T, award=factory.SelfAttribute("..report.award"))
    amount = Decimal("100000")


class ReportAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportAttachment

    tenant = factory.SubFactory(TenantFactory)
    report = factory.SubFactory(ProgressReportFactory, tenant=T)
    file = factory.django.FileField(filename="photos.pdf", data=b"%PDF-1.4\n%test\n")
    original_name = "photos.pdf"
    content_type = "application/pdf"
    size = 16


class ReportVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportVersion

    tenant = factory.SubFactory(TenantFactory)
    report = factory.SubFactory(ProgressReportFactory, tenant=T)
    number = factory.Sequence(lambda n: n + 1)


class ReminderLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderLog

    tenant = factory.SubFactory(TenantFactory)
    key = factory.Sequence(lambda n: f"report:{n}:due")
    day = dt.date(2026, 7, 1)
