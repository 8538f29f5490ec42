"""Readers for awards, tranches, agreements and payments.

Managers and finance see every award of the workspace; an applicant sees its own organisation's
awards only; reviewers and trainers none. access_* answer 404 alike for missing and hidden rows.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from relais.actor import Actor
from relais.models import Role

from ..conditions import ConditionState, tranche_conditions
from ..models import (
    AgreementDocument,
    AgreementSignature,
    Award,
    Disbursement,
    LedgerEntry,
    ProgressReport,
    Tranche,
)

AWARD_STAFF = (Role.MANAGER, Role.FINANCE)


def award_list(*, actor: Actor) -> QuerySet[Award]:
    awards = Award.objects.filter(tenant=actor.tenant).select_related("organisation", "call")
    if actor.has_role(*AWARD_STAFF):
        return awards
    if actor.has_role(Role.APPLICANT) and actor.organisation_id is not None:
        return awards.filter(organisation_id=actor.organisation_id)
    return awards.none()


def access_award(*, actor: Actor, pk: int) -> Award:
    return get_object_or_404(award_list(actor=actor).select_related("application"), pk=pk)


def award_tranches(*, award: Award) -> list[Tranche]:
    tranches = list(Tranche.objects.filter(tenant_id=award.tenant_id, award=award).order_by("number"))
    for tranche in tranches:
        tranche.award = award
    return tranches


def tranche_states(*, actor: Actor, award: Award, today: date) -> list[tuple[Tranche, list[ConditionState]]]:
    """Each tranche with its conditions and the reason each is unmet (a few queries per tranche; an award
    has a handful)."""
    return [(tranche, tranche_conditions(tranche, actor=actor, today=today)) for tranche in award_tranches(award=award)]


def disbursement_list(*, actor: Actor) -> QuerySet[Disbursement]:
    """Payments of the awards the actor may see."""
    return (Disbursement.objects.filter(tenant=actor.tenant, award__in=award_list(actor=actor).values("pk"))
            .select_related("award", "award__organisation", "tranche", "recorded_by", "approved_by"))


def award_disbursements(*, award: Award) -> QuerySet[Disbursement]:
    return (Disbursement.objects.filter(tenant_id=award.tenant_id, award=award)
            .select_related("tranche", "recorded_by", "approved_by").order_by("-created_at", "-id"))


def access_disbursement(*, actor: Actor, pk: int) -> Disbursement:
    return get_object_or_404(disbursement_list(actor=actor), pk=pk)


def award_ledger(*, award: Award) -> QuerySet[LedgerEntry]:
    return (LedgerEntry.objects.filter(tenant_id=award.tenant_id, award=award)
            .select_related("tranche", "disbursement", "created_by").order_by("created_at", "id"))


def award_documents(*, award: Award) -> QuerySet[AgreementDocument]:
    return (AgreementDocument.objects.filter(tenant_id=award.tenant_id, award=award)
            .select_related("created_by").order_by("-number"))


def access_agreement_document(*, actor: Actor, pk: int) -> AgreementDocument:
    return get_object_or_404(
        AgreementDocument.objects.filter(tenant=actor.tenant, award__in=award_list(actor=actor).values("pk"))
        .select_related("award"), pk=pk)


def award_signatures(*, award: Award) -> QuerySet[AgreementSignature]:
    return (AgreementSignature.objects.filter(tenant_id=award.tenant_id, award=award)
            .select_related("document", "user", "scan").order_by("-signed_at", "-id"))




def access_tranche(*, actor: Actor, award: Award, pk: int) -> Tranche:
    tranche = get_object_or_404(Tranche.objects.filter(tenant=actor.tenant, award=award), pk=pk)
    tranche.award = award
    return tranche


# --- progress reports -------------------------------------------------------------------------

def report_list(*, actor: Actor) -> QuerySet[ProgressReport]:
    """Reports of the awards the actor may see (managers, finance, the grantee)."""
    reports = ProgressReport.objects.filter(tenant=actor.tenant)
    if not actor.has_role(*AWARD_STAFF):  # staff see every award of the workspace: the tenant is enough
        reports = reports.filter(award__in=award_list(actor=actor).values("pk"))
    return reports.select_related("award", "award__organisation", "award__call")


def access_report(*, actor: Actor, pk: int) -> ProgressReport:
    return get_object_or_404(report_list(actor=actor), pk=pk)


def award_reports(*, award: Award) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(tenant_id=award.tenant_id, award=award).order_by("number")
