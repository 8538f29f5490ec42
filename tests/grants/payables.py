"""A payable award, built the way the application builds one: approval → award_create, active, payment
details changed by the CSO and verified by finance (four eyes), tranche conditions emptied or kept."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from grants.models import ApplicationStatus, Award, AwardStatus, Tranche
from grants.services.awards import award_create
from orgs.models import PaymentDetails
from orgs.services.organisations import payment_details_update, payment_details_verify
from relais.actor import Actor
from relais.models import Role
from tests.factories import MembershipFactory
from tests.grants.factories import ApplicationFactory, CallFactory, GrantSettingsFactory

TODAY = dt.date(2026, 3, 10)
_REFERENCES = (f"AJP-2026-{n:04d}" for n in itertools.count(1))


@dataclass
class Payable:
    award: Award
    tranches: list[Tranche]
    finance: Actor  # records
    finance2: Actor  # approves (another finance member)
    manager: Actor

    def tranche(self, number: int = 1) -> Tranche:
        return next(t for t in self.tranches if t.number == number)

    def refresh(self) -> None:
        self.award.refresh_from_db()
        for tranche in self.tranches:
            tranche.refresh_from_db()


def second_finance(world) -> Actor:
    membership = MembershipFactory(tenant=world.tenant, role=Role.FINANCE,
                                   user__email=f"finance2-{world.tenant.slug}@example.test")
    return Actor.of(membership)


def verified_payment_details(world, *, verifier: Actor) -> PaymentDetails:
    """The CSO gives its numbers; a finance member (not the one who typed them) verifies them."""
    details = payment_details_update(
        organisation=world.organisation, actor=world.actor(Role.APPLICANT),
        data={"bank_name": "Banque de Développement du Mali", "bank_account": "ML13 0001 2345 6789 0123",
              "bank_account_holder": "Association Jeunesse et Paix", "mobile_operator": "orange_money",
              "mobile_number": "+223 70 12 34 56", "mobile_holder": "Mariam Cissé"})
    return payment_details_verify(details=details, actor=verifier)


def payable_award(world, *, currency: str = "XOF", amount: Decimal = Decimal("5000000"),
                  plan: list[int] | None = None, keep_conditions: bool = False,
                  thresholds: dict[str, str] | None = None, finance2: Actor | None = None) -> Payable:
    settings_row = GrantSettingsFactory(tenant=world.tenant)
    settings_row.tranche_plan = plan or [40, 40, 20]
    if thresholds is not None:
        settings_row.approval_thresholds = thresholds
    settings_row.save()
    manager = world.actor(Role.MANAGER)
    call = CallFactory(tenant=world.tenant, currency=currency, status="closed",
                       min_grant=Decimal("1"), max_grant=amount * 2, envelope=amount * 10)
    application = ApplicationFactory(tenant=world.tenant, call=call, organisation=world.organisation,
                                     status=ApplicationStatus.APPROVED, requested_amount=amount,
                                     awarded_amount=amount, reference=next(_REFERENCES))
    award = award_create(application=application, actor=manager)
    Award.objects.filter(pk=award.pk).update(status=AwardStatus.ACTIVE, signed_at=timezone.now(),
                                             countersigned_at=timezone.now(), countersigned_by=manager.user)
    if not keep_conditions:
        Tranche.objects.filter(award=award).update(conditions=[])
    finance2 = finance2 or second_finance(world)
    verified_payment_details(world, verifier=world.actor(Role.FINANCE))
    award.refresh_from_db()
    return Payable(award=award, tranches=list(Tranche.objects.filter(award=award).order_by("number")),
                   finance=world.actor(Role.FINANCE), finance2=finance2, manager=manager)
