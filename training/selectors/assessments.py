"""Readers for capacity assessments. Visibility is one queryset: facilitators (managers, trainers) see the
workspace's assessments, an applicant those of its own CSO, other roles none; access_* reuse it, so a
hidden row and a missing row both give 404."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from orgs.models import Organisation
from relais.actor import Actor
from relais.models import Membership, Role, User

from ..models import (
    ActionItem,
    Assessment,
    AssessmentDomain,
    AssessmentScore,
    AssessmentStatus,
    AssessmentSubArea,
    LevelDescriptor,
)
from ..permissions import FACILITATORS


def framework(*, actor: Actor) -> list[AssessmentDomain]:
    """The workspace's domains with their sub-areas and descriptors, in three queries."""
    sub_areas = AssessmentSubArea.objects.filter(tenant=actor.tenant).order_by("order", "pk").prefetch_related(
        Prefetch("descriptors", queryset=LevelDescriptor.objects.filter(tenant=actor.tenant).order_by("level")))
    return list(AssessmentDomain.objects.filter(tenant=actor.tenant).order_by("order", "pk")
                .prefetch_related(Prefetch("sub_areas", queryset=sub_areas)))


def access_domain(*, actor: Actor, pk: object) -> AssessmentDomain:
    if not actor.has_role(Role.MANAGER):
        raise_404()
    return get_object_or_404(AssessmentDomain.objects.filter(tenant=actor.tenant), pk=_pk(pk))


def access_sub_area(*, actor: Actor, pk: object) -> AssessmentSubArea:
    if not actor.has_role(Role.MANAGER):
        raise_404()
    return get_object_or_404(AssessmentSubArea.objects.filter(tenant=actor.tenant).select_related("domain")
                             .prefetch_related("descriptors"), pk=_pk(pk))


def domain_sub_areas(*, domain: AssessmentDomain) -> QuerySet[AssessmentSubArea]:
    return AssessmentSubArea.objects.filter(tenant_id=domain.tenant_id, domain=domain).order_by("order", "pk")


def raise_404() -> None:
    from django.http import Http404

    raise Http404


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise_404()
    raise AssertionError  # pragma: no cover


def visible_organisations(*, actor: Actor) -> QuerySet[Organisation]:
    base = Organisation.objects.filter(tenant=actor.tenant)
    if actor.has_role(*FACILITATORS):
        return base
    if actor.has_role(Role.APPLICANT) and actor.organisation_id:
        return base.filter(pk=actor.organisation_id)
    return base.none()


def access_organisation(*, actor: Actor, pk: object) -> Organisation:
    return get_object_or_404(visible_organisations(actor=actor), pk=_pk(pk))


def assessment_list(*, actor: Actor, organisation: Organisation | None = None) -> QuerySet[Assessment]:
    rows = Assessment.objects.filter(tenant=actor.tenant)
    if actor.has_role(Role.APPLICANT) and actor.organisation_id:
        rows = rows.filter(organisation_id=actor.organisation_id)
    elif not actor.has_role(*FACILITATORS):
        rows = rows.none()
    if organisation is not None:
        rows = rows.filter(organisation=organisation)
    return rows.select_related("organisation", "facilitator").order_by("-date", "-pk")


# The columns the assessment lists show (an organisation row carries its whole profile, a user its password).
ASSESSMENT_ROW_FIELDS = ("id", "tenant_id", "organisation_id", "date", "kind", "status", "facilitator_id",
                         "organisation__acronym", "organisation__name", "facilitator__full_name",
                         "facilitator__email")


def assessment_rows(*, actor: Actor, organisation: Organisation | None = None) -> QuerySet[Assessment]:
    """assessment_list with the columns its pages show only (training.tables.assessment_rows_html)."""
    return assessment_list(actor=actor, organisation=organisation).only(*ASSESSMENT_ROW_FIELDS)


def access_assessment(*, actor: Actor, pk: object) -> Assessment:
    return get_object_or_404(assessment_list(actor=actor), pk=_pk(pk))


def assessment_scores(*, assessment: Assessment) -> dict[int, AssessmentScore]:
    return {s.sub_area_id: s for s in AssessmentScore.objects.filter(tenant_id=assessment.tenant_id,
                                                                     assessment=assessment)}


def action_items(*, assessment: Assessment) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(tenant_id=assessment.tenant_id, assessment=assessment).order_by("due_date", "pk")


def facilitator_choices(*, actor: Actor) -> QuerySet[User]:
    """Active managers and trainers of the workspace."""
    ids = Membership.objects.filter(tenant=actor.tenant, is_active=True, role__in=FACILITATORS).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("full_name", "pk")


def organisation_choices(*, actor: Actor) -> QuerySet[Organisation]:
    return visible_organisations(actor=actor).order_by("name", "pk")


# --- progress: domain scores over time ------------------------------------------------------


@dataclass(frozen=True)
class DomainPoint:
    domain: AssessmentDomain
    means: tuple[Decimal | None, ...]  # one per assessment, None when no sub-area of the domain was scored


@dataclass(frozen=True)
class Progress:
    assessments: tuple[Assessment, ...]  # completed, oldest first
    domains: tuple[DomainPoint, ...]

    @property
    def dates(self) -> tuple[date, ...]:
        return tuple(a.date for a in self.assessments)


def domain_means(*, domains: list[AssessmentDomain], scores: list[AssessmentScore],
                 assessments: list[Assessment]) -> tuple[DomainPoint, ...]:
    """The mean of the scored sub-areas of each domain, per assessment, to two decimals."""
    domain_of = {sa.pk: d.pk for d in domains for sa in d.sub_areas.all()}
    by_key: dict[tuple[int, int], list[int]] = defaultdict(list)
    for s in scores:
        if s.sub_area_id in domain_of:
            by_key[(s.assessment_id, domain_of[s.sub_area_id])].append(s.score)
    points = []
    for d in domains:
        means: list[Decimal | None] = []
        for a in assessments:
            values = by_key.get((a.pk, d.pk))
            means.append((Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)
                         if values else None)
        points.append(DomainPoint(d, tuple(means)))
    return tuple(points)


def organisation_progress(*, actor: Actor, organisation: Organisation) -> Progress:
    """The organisation's completed assessments, oldest first, with each domain's mean: four queries."""
    assessments = list(assessment_list(actor=actor, organisation=organisation)
                       .filter(status=AssessmentStatus.COMPLETED).order_by("date", "pk"))
    domains = framework(actor=actor)
    scores = list(AssessmentScore.objects.filter(tenant=actor.tenant, assessment__in=[a.pk for a in assessments]))
    return Progress(tuple(assessments), domain_means(domains=domains, scores=scores, assessments=assessments))
