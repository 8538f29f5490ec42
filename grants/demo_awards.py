"""Demo awards and payments, per tenant, through the services as the pages would take them:

- the applicant's award in FCFA (decided call): agreement issued by the manager, accepted electronically
  by the applicant, countersigned; the first tranche paid by bank transfer (above the four-eyes threshold:
  recorded by one finance officer, approved by the other); the second waits for the first progress report;
- a small call in euros ("fonds de médiation") whose one application, the applicant's, is approved: its
  award is active and its first tranche was paid in FCFA at the BCEAO rate (both amounts, rate and source kept);
- the other approved award of the decided call stays drafted: the manager's next step is to issue it;
- progress reports (grants.demo_reports): the default indicators with targets on both active awards; the
  FCFA award's period started 240 days ago, so its first report is overdue (tranche 2 waits for it) and
  its second due within 30 days; the euro award's first report is approved (values by sex and age band,
  expenses).
Idempotent: a tenant that already has a payment is skipped. E-mails go to the outbox as on the pages.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from relais.actor import Actor
from relais.models import Membership

from .demo import PROJECTS, _application, _call, _categories, _walk
from .demo_reports import approved_report, demo_targets
from .models import ApplicationStatus, Award, AwardStatus, CallStatus, Disbursement, Rail
from .services.agreements import agreement_accept, award_countersign, award_issue
from .services.applications import application_transition
from .services.award_terms import PLAN_PERCENT, BudgetLineTerms, TrancheTerms, award_terms_save
from .services.calls import call_transition, call_update
from .services.disbursements import Conversion, disbursement_approve, disbursement_record
from .services.indicators import indicators_ensure_defaults

EUR_PER_XOF = Decimal("655.957")  # the CFA franc's fixed parity with the euro (BCEAO)


def _terms(award: Award, *, manager: Actor, period: tuple[dt.date, dt.date] | None = None,
           dates: tuple[dt.date, dt.date] | None = None) -> None:
    """The manager's terms before issuing: 40 / 40 / 20 over the project's year; the first tranche needs the
    signed agreement and a clear screening, the later ones also a complete due-diligence file and the
    previous progress report (the applicant's file still has documents to fix: its to-do for tranche 2).
    `period` (start, end) and `dates` (tranches 2 and 3) place the award in the past, so that its reports are
    due or overdue today (the reports are planned on the tranche dates)."""
    start, end = period or (award.start_date or timezone.localdate(), None)
    end = end or award.end_date or start + dt.timedelta(days=365)
    span = (end - start).days
    second, third = dates or (start + dt.timedelta(days=span // 3), start + dt.timedelta(days=2 * span // 3))
    later = ("agreement_signed", "due_diligence", "screening", "previous_report")
    award_terms_save(
        award=award, actor=manager, title=award.title, start_date=start, end_date=end, plan=PLAN_PERCENT,
        budget_lines=[BudgetLineTerms(line.category_id, line.description, line.amount)
                      for line in award.budget_lines.order_by("id")],
        tranches=[TrancheTerms(start, ("agreement_signed", "screening"), percent=Decimal(40)),
                  TrancheTerms(second, later, percent=Decimal(40)),
                  TrancheTerms(third, later, percent=Decimal(20))])


def _sign(award: Award, *, manager: Actor, applicant: Actor, period: tuple[dt.date, dt.date] | None = None,
          dates: tuple[dt.date, dt.date] | None = None) -> Award:
    _terms(award, manager=manager, period=period, dates=dates)
    award.refresh_from_db()
    award_issue(award=award, actor=manager)
    agreement_accept(award=award, actor=applicant, full_name=applicant.user.display_name, accepted=True,
                     ip="196.200.80.12")
    return award_countersign(award=award, actor=manager)


def _pay_first_tranche(award: Award, *, finance: Actor, finance2: Actor, conversion: Conversion | None = None,
                       reference: str) -> None:
    tranche = award.tranches.get(number=1)
    payment = disbursement_record(
        tranche=tranche, actor=finance, rail=Rail.BANK, amount=tranche.amount,
        paid_on=timezone.localdate() - dt.timedelta(days=3), reference=reference, conversion=conversion)
    if payment.status == "awaiting_approval":  # four eyes: the other finance officer approves
        disbursement_approve(disbursement=payment, actor=finance2)


def _euro_call(manager: Actor, applicant: Actor, reviewers: list[Actor], data: dict[str, Any]) -> Award:
    now = timezone.now()
    categories = _categories(manager)
    call = _call(manager, title_fr="Appel 2025 : fonds de médiation (financement en euros)",
                 title_en="2025 call: mediation fund (funded in euros)", opens=now - dt.timedelta(days=150),
                 closes=now + dt.timedelta(days=1), review_deadline=(now - dt.timedelta(days=60)).date(),
                 blind=False, envelope=Decimal("90000"), regions=[], currency="EUR", min_grant=Decimal("3000"),
                 max_grant=Decimal("25000"))
    own = applicant.membership.organisation
    app = _application(applicant, call, PROJECTS[2], categories, own.region or next(iter(data["regions"].values())),
                       1, per_unit=EUR_PER_XOF)
    application_transition(application=app, actor=applicant, target=ApplicationStatus.SUBMITTED)
    call_update(call=call, actor=manager, data={"closes_at": now - dt.timedelta(days=90)})
    call_transition(call=call, target=CallStatus.CLOSED, actor=Actor.system(manager.tenant))
    _walk(app, ApplicationStatus.APPROVED, author=applicant, manager=manager, reviewers=reviewers)
    call_transition(call=call, target=CallStatus.DECIDED, actor=manager)
    return Award.objects.get(application=app)


def seed_awards(context: dict[str, Any]) -> None:
    for data in context.get("tenants", {}).values():
        tenant = data["tenant"]
        if Disbursement.objects.filter(tenant=tenant).exists():
            continue
        users = data["users"]
        members = {m.user_id: m for m in Membership.objects.filter(tenant=tenant, is_active=True)
                   .select_related("tenant", "user", "organisation")}

        def actor(local: str) -> Actor:
            return Actor.of(members[users[local].pk])  # noqa: B023  (used inside this iteration only)

        manager, applicant = actor("manager"), actor("applicant")
        finance, finance2 = actor("finance"), actor("finance2")
        own = applicant.membership.organisation
        today = timezone.localdate()
        with transaction.atomic():
            indicators_ensure_defaults(actor=manager)
            data["make_payable"](own)
            award = Award.objects.filter(tenant=tenant, organisation=own, currency="XOF",
                                         status=AwardStatus.DRAFTED).order_by("id").first()
            if award is not None:
                # Started 240 days ago: report 1 (tranche 2, 120 days ago) is overdue, report 2 due in 20 days.
                _sign(award, manager=manager, applicant=applicant,
                      period=(today - dt.timedelta(days=240), today + dt.timedelta(days=120)),
                      dates=(today - dt.timedelta(days=120), today + dt.timedelta(days=20)))
                _pay_first_tranche(award, finance=finance, finance2=finance2, reference="VIR-2026-0412")
                demo_targets(award, manager=manager)
            euro = _euro_call(manager, applicant, [actor("reviewer"), actor("reviewer2")], data)
            # Started 200 days ago: its first report (due 80 days ago) was written and approved.
            _sign(euro, manager=manager, applicant=applicant,
                  period=(today - dt.timedelta(days=200), today + dt.timedelta(days=165)),
                  dates=(today - dt.timedelta(days=80), today + dt.timedelta(days=45)))
            first = euro.tranches.get(number=1)
            rate_date = timezone.localdate() - dt.timedelta(days=10)
            paid_in_francs = Conversion(currency="XOF", amount=(first.amount * EUR_PER_XOF).quantize(Decimal(1)),
                                        rate=EUR_PER_XOF, rate_date=rate_date, source="BCEAO, parité fixe FCFA/euro")
            _pay_first_tranche(euro, finance=finance, finance2=finance2, reference="VIR-2026-0519",
                               conversion=paid_in_francs)
            demo_targets(euro, manager=manager)
            approved_report(euro, applicant=applicant, manager=manager)
