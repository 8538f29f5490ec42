"""Writers for capacity assessments: the framework (seeded per workspace, edited by managers), assessments,
their scores, completion (through the engine) and the action plan. Every write is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from orgs.models import Organisation
from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused
from relais.models import Membership, User
from relais.permissions import require
from relais.validators import no_control_characters
from relais.workflow import transition

from ..models import (
    LEVELS,
    ActionItem,
    ActionItemStatus,
    Assessment,
    AssessmentDomain,
    AssessmentKind,
    AssessmentScore,
    AssessmentStatus,
    AssessmentSubArea,
    LevelDescriptor,
)
from ..oca_framework import FRAMEWORK, LEVEL_PATTERNS
from ..permissions import (
    FACILITATORS,
    can_edit_action_plan,
    can_facilitate,
    can_manage_framework,
    can_score_assessment,
)
from ..workflow import ACTION_ITEM, ASSESSMENT

SUB_AREA_FIELDS = ("name_fr", "name_en", "order")
ACTION_ITEM_FIELDS = ("item", "owner", "due_date")  # the status moves through the engine (ACTION_ITEM)


def _same_tenant(actor: Actor, *rows: Any) -> None:
    for row in rows:
        if row is not None and row.tenant_id != actor.tenant.pk:
            raise Refused(_("This record belongs to another workspace."), forbidden=True)


# --- the framework ---------------------------------------------------------------------------


def framework_ensure(*, actor: Actor) -> int:
    """Seed the seven domains, their sub-areas and descriptors once per workspace (a workspace that has a
    domain already keeps its own framework). Returns the number of sub-areas created."""
    with transaction.atomic():
        if AssessmentDomain.objects.filter(tenant=actor.tenant).exists():
            return 0
        tenant = actor.tenant
        created = 0
        for d_order, (d_fr, d_en, sub_areas) in enumerate(FRAMEWORK, start=1):
            domain = AssessmentDomain.objects.create(tenant=tenant, name_fr=d_fr, name_en=d_en, order=d_order)
            for s_order, (s_fr, s_en, subject_fr, subject_en) in enumerate(sub_areas, start=1):
                sub_area = AssessmentSubArea.objects.create(tenant=tenant, domain=domain, name_fr=s_fr, name_en=s_en,
                                                            order=s_order)
                LevelDescriptor.objects.bulk_create(
                    LevelDescriptor(tenant=tenant, sub_area=sub_area, level=level,
                                    text_fr=LEVEL_PATTERNS[level][0].format(fr=subject_fr),
                                    text_en=LEVEL_PATTERNS[level][1].format(en=subject_en))
                    for level in LEVELS)
                created += 1
        return created


def domain_update(*, actor: Actor, domain: AssessmentDomain, data: dict[str, Any],
                  sub_areas: list[dict[str, Any]], expected_version: int | None = None) -> AssessmentDomain:
    """A domain's names and order, and its sub-areas' names and order (new rows add sub-areas; a sub-area is
    never deleted here, since past scores point at it)."""
    require(can_manage_framework(actor))
    _same_tenant(actor, domain)
    with transaction.atomic():
        claim_version(domain, expected=expected_version)
        before = {k: getattr(domain, k) for k in ("name_fr", "name_en", "order")}
        for key in before:
            setattr(domain, key, data[key])
        domain.full_clean(exclude=["tenant", "version"])
        domain.save(update_fields=list(before))
        existing = {sa.pk: sa for sa in AssessmentSubArea.objects.select_for_update().filter(
            tenant=actor.tenant, domain=domain)}
        changed = 0
        for row in sub_areas:
            if row.get("delete"):
                continue
            sub_area = existing.get(row["id"]) if row.get("id") else None
            if row.get("id") and sub_area is None:
                raise Refused(_("This sub-area belongs to another domain."))
            if sub_area is None:
                sub_area = AssessmentSubArea(tenant=actor.tenant, domain=domain)
            for key in SUB_AREA_FIELDS:
                setattr(sub_area, key, row[key])
            sub_area.full_clean(exclude=["tenant", "version", "domain"])
            is_new = sub_area.pk is None
            sub_area.save()
            if is_new:
                LevelDescriptor.objects.bulk_create(
                    LevelDescriptor(tenant=actor.tenant, sub_area=sub_area, level=level) for level in LEVELS)
            changed += 1
        audit_record(tenant=actor.tenant, actor=actor.user, action="assessment_domain.updated", target=domain,
                     before=before, after={**{k: getattr(domain, k) for k in before}, "rows": changed})
    return domain


def sub_area_update(*, actor: Actor, sub_area: AssessmentSubArea, data: dict[str, Any],
                    expected_version: int | None = None) -> AssessmentSubArea:
    """A sub-area's names and its four level descriptors (`text_fr_<level>`, `text_en_<level>`)."""
    require(can_manage_framework(actor))
    _same_tenant(actor, sub_area)
    with transaction.atomic():
        claim_version(sub_area, expected=expected_version)
        for key in ("name_fr", "name_en"):
            setattr(sub_area, key, data[key])
        sub_area.full_clean(exclude=["tenant", "version", "domain"])
        sub_area.save(update_fields=["name_fr", "name_en"])
        rows = {d.level: d for d in LevelDescriptor.objects.filter(tenant=actor.tenant, sub_area=sub_area)}
        for level in LEVELS:
            row = rows.get(level) or LevelDescriptor(tenant=actor.tenant, sub_area=sub_area, level=level)
            row.text_fr, row.text_en = data.get(f"text_fr_{level}", ""), data.get(f"text_en_{level}", "")
            row.save()
        audit_record(tenant=actor.tenant, actor=actor.user, action="assessment_subarea.updated", target=sub_area,
                     after={"name_fr": sub_area.name_fr})
    return sub_area


# --- assessments --------------------------------------------------------------------------------


def assessment_create(*, actor: Actor, organisation: Organisation, date: date, kind: str,
                      facilitator: User) -> Assessment:
    """A draft assessment of a CSO of the workspace, facilitated by one of its managers or trainers."""
    require(can_facilitate(actor))
    _same_tenant(actor, organisation)
    if kind not in AssessmentKind.values:
        raise Refused(_("Choose a kind of assessment."))
    if not Membership.objects.filter(tenant=actor.tenant, user=facilitator, is_active=True,
                                     role__in=FACILITATORS).exists():
        raise Refused(_("The facilitator must be a manager or a trainer of this workspace."))
    with transaction.atomic():
        assessment = Assessment.objects.create(tenant=actor.tenant, organisation=organisation, date=date, kind=kind,
                                               facilitator=facilitator)
        audit_record(tenant=actor.tenant, actor=actor.user, action="assessment.created", target=assessment,
                     after={"organisation": organisation.pk, "date": date, "kind": kind})
    return assessment


def assessment_save_scores(*, actor: Actor, assessment: Assessment, scores: dict[int, tuple[int | None, str]],
                           expected_version: int | None = None) -> Assessment:
    """Scores (1–4, or None to leave a sub-area unscored) and notes per sub-area of the workspace's
    framework, on a draft assessment only."""
    require(can_score_assessment(actor, assessment))
    _same_tenant(actor, assessment)
    known = set(AssessmentSubArea.objects.filter(tenant=actor.tenant).values_list("pk", flat=True))
    if set(scores) - known:
        raise Refused(_("A score names a sub-area that is not in this workspace's framework."))
    with transaction.atomic():
        claim_version(assessment, expected=expected_version)
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk, tenant=actor.tenant)
        if locked.status != AssessmentStatus.DRAFT:
            raise Refused(_("This assessment is completed: its scores can no longer change."))
        current = {s.sub_area_id: s for s in AssessmentScore.objects.filter(tenant=actor.tenant, assessment=locked)}
        changed = 0
        for sub_area_id, (score, note) in scores.items():
            no_control_characters(note)
            row = current.get(sub_area_id)
            if score is None:
                if row is not None:
                    row.delete()
                    changed += 1
                continue
            if not 1 <= score <= 4:
                raise Refused(_("A score is between 1 and 4."))
            if row is None:
                AssessmentScore.objects.create(tenant=actor.tenant, assessment=locked, sub_area_id=sub_area_id,
                                               score=score, note=note)
                changed += 1
            elif (row.score, row.note) != (score, note):
                row.score, row.note = score, note
                row.save(update_fields=["score", "note"])
                changed += 1
        audit_record(tenant=actor.tenant, actor=actor.user, action="assessment.scored", target=locked,
                     after={"count": changed})
    assessment.version = locked.version
    return locked


def assessment_complete(*, actor: Actor, assessment: Assessment) -> Assessment:
    """Draft → completed, once every sub-area of the framework is scored (the table's requirement)."""

    def bump(locked: Assessment, ctx: dict[str, Any]) -> None:
        locked.version += 1  # a scores page still open in another tab is now stale

    return transition(ASSESSMENT, obj=assessment, target=AssessmentStatus.COMPLETED, actor=actor, apply=bump)


def _move(actor: Actor, item: ActionItem, target: str | None) -> int:
    """Take the item to `target` through the engine (audited there); 0 when it is there already."""
    if not target or target == item.status:
        return 0
    transition(ACTION_ITEM, obj=item, target=target, actor=actor)
    return 1


def action_plan_save(*, actor: Actor, assessment: Assessment, rows: list[dict[str, Any]],
                     expected_version: int | None = None) -> Assessment:
    """Facilitators add, change and delete items; the CSO's applicant changes only the status of items.
    The plan carries the assessment's version: two tabs never undo each other."""
    require(can_edit_action_plan(actor, assessment))
    _same_tenant(actor, assessment)
    facilitator = actor.has_role(*FACILITATORS)
    with transaction.atomic():
        claim_version(assessment, expected=expected_version)
        items = {i.pk: i for i in ActionItem.objects.select_for_update().filter(tenant=actor.tenant,
                                                                                 assessment=assessment)}
        changed = 0
        for row in rows:
            item = items.get(row["id"]) if row.get("id") else None
            if row.get("id") and item is None:
                raise Refused(_("This action item belongs to another assessment."))
            if row.get("status") and row["status"] not in ActionItemStatus.values:
                raise Refused(_("Choose the status of the action."))
            if not facilitator:
                if item is None or row.get("delete"):
                    raise Refused(_("Only the facilitators add or remove action items."), forbidden=True)
                changed += _move(actor, item, row.get("status"))
                continue
            if row.get("delete"):
                if item is not None:
                    item.delete()
                    changed += 1
                continue
            item = item or ActionItem(tenant=actor.tenant, assessment=assessment)
            for key in ACTION_ITEM_FIELDS:
                if key in row:
                    setattr(item, key, row[key])
            item.full_clean(exclude=["tenant", "assessment"])
            item.save()
            _move(actor, item, row.get("status"))
            changed += 1
        audit_record(tenant=actor.tenant, actor=actor.user, action="assessment.action_plan_saved",
                     target=assessment, after={"rows": changed})
    return assessment
