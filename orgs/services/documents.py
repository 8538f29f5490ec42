"""Due-diligence checklist and documents: uploads, reviews. Every change is audited.

Services take the actor (relais.actor.Actor) and raise relais.errors.Refused when they say no.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import DueDiligenceItem, Organisation, OrganisationDocument, ReviewStatus
from orgs.permissions.due_diligence import can_manage_checklist, can_review_document, can_upload_document
from relais.actor import Actor
from relais.audit import audit_record
from relais.concurrency import claim_version
from relais.errors import Refused, refused
from relais.permissions import Decision
from relais.uploads import validate_upload
from relais.workflow import transition

from ..workflow import ORGANISATION_DOCUMENT
from .emails import document_rejected_email

# (French name, English name, description, required, expires, validity in months)
DEFAULT_CHECKLIST = [
    ("Récépissé de déclaration (certificat d'enregistrement)", "Registration certificate (récépissé)",
     gettext_lazy("The receipt of the association's declaration issued by the authorities."), True, False, None),
    ("Statuts et règlement intérieur", "Statutes and internal rules",
     gettext_lazy("Signed statutes, with the internal rules if any."), True, False, None),
    ("Attestation bancaire", "Bank attestation",
     gettext_lazy("A letter from the bank confirming the account holder; usually valid for a year."),
     True, True, 12),
    ("Dernier rapport annuel d'activités", "Last annual report",
     gettext_lazy("The narrative report of the last year of activity."), True, True, 18),
    ("Derniers états financiers", "Last financial statements",
     gettext_lazy("Audited if available, otherwise certified by the treasurer."), True, True, 18),
    ("Politique de protection (safeguarding)", "Safeguarding policy",
     gettext_lazy("Policy protecting children and vulnerable adults from abuse."), False, False, None),
]


def require(decision: Decision) -> None:
    """A permission a service needs: refused for lack of right, with the decision's reason."""
    if not decision:
        raise Refused(decision.reason, forbidden=True)


def require_same_tenant(actor: Actor, *objects: Any) -> None:
    """Objects handed to a service belong to the actor's workspace."""
    for obj in objects:
        if obj is not None and obj.tenant_id != actor.tenant.pk:
            raise Refused(_("This record belongs to another workspace."), forbidden=True)


def ensure_default_checklist(*, actor: Actor) -> list[DueDiligenceItem]:
    """Create the default checklist for a workspace that has none yet (idempotent:
    once a tenant has any item, even inactive, its checklist is its own).

    Callers decide who may: the checklist page is for managers, a new workspace
    (tenant_create) is seeded by a platform administrator or the system."""
    tenant = actor.tenant
    if DueDiligenceItem.objects.filter(tenant=tenant).exists():
        return list(DueDiligenceItem.objects.filter(tenant=tenant))
    items = []
    with transaction.atomic():
        for index, (name, name_en, description, required, expires, months) in enumerate(DEFAULT_CHECKLIST):
            item = DueDiligenceItem.objects.create(
                tenant=tenant, name=name, name_en=name_en, description=str(description), required=required,
                expires=expires, validity_months=months, ordering=(index + 1) * 10,
            )
            items.append(item)
        audit_record(tenant=tenant, actor=actor.user, action="due_diligence.checklist_seeded", target=tenant,
                     after={"items": [i.name for i in items]})
    return items


CHECKLIST_FIELDS = ("name", "name_en", "description", "required", "expires", "validity_months", "ordering", "active")


def checklist_item_save(*, actor: Actor, item: DueDiligenceItem | None = None, expected_version: int | None = None,
                        **fields: Any) -> DueDiligenceItem:
    """Create or change a checklist item (managers only). `expected_version`: the version the page was
    loaded from (Stale if the item was saved since)."""
    require(can_manage_checklist(actor))
    unknown = set(fields) - set(CHECKLIST_FIELDS)
    if unknown:
        raise ValueError(f"Unknown checklist fields: {unknown}")
    require_same_tenant(actor, item)
    tenant = actor.tenant
    if fields.get("expires") is False:
        fields["validity_months"] = None
    with transaction.atomic():
        if item is None:
            item = DueDiligenceItem(tenant=tenant, **fields)
            before: dict[str, Any] = {}
            action = "due_diligence_item.created"
        else:
            item = DueDiligenceItem.objects.select_for_update().get(pk=item.pk, tenant=tenant)
            claim_version(item, expected=expected_version)
            before = {k: getattr(item, k) for k in fields if getattr(item, k) != fields[k]}
            for key, value in fields.items():
                setattr(item, key, value)
            action = "due_diligence_item.updated"
        try:
            item.full_clean()
        except ValidationError as exc:
            raise refused(exc) from exc
        item.save()
        after = {k: getattr(item, k) for k in (fields if action.endswith("created") else before)}
        audit_record(tenant=tenant, actor=actor.user, action=action, target=item, before=before, after=after)
    return item


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def document_upload(
    *, actor: Actor, organisation: Organisation, item: DueDiligenceItem, file,
    issued_on: date | None = None, expires_on: date | None = None,
) -> OrganisationDocument:
    """Store a document for one checklist item of one organisation.

    Rules: managers or the organisation's own members; the item belongs to the
    same tenant and is active; the file passes validate_upload (type from content,
    size limit); an expiring item needs an expiry date (or an issue date from
    which the item's usual validity gives one), after the issue date.
    """
    require_same_tenant(actor, organisation)
    require(can_upload_document(actor, organisation))
    tenant = actor.tenant
    if item.tenant_id != tenant.pk or not item.active:
        raise Refused(_("This checklist item does not exist in this workspace."))
    try:
        detected = validate_upload(file)
    except ValidationError as exc:
        raise refused(exc) from exc
    today = timezone.localdate()
    if issued_on and issued_on > today:
        raise Refused(_("The issue date cannot be in the future."))
    if item.expires:
        if expires_on is None and issued_on and item.validity_months:
            expires_on = add_months(issued_on, item.validity_months)
        if expires_on is None:
            raise Refused(_("“%(item)s” expires: give its expiry date.") % {"item": item.display_name})
    if expires_on and issued_on and expires_on <= issued_on:
        raise Refused(_("The expiry date must be after the issue date."))
    file.seek(0)
    data = file.read()
    original_name = (getattr(file, "name", "") or f"document.{detected.extension}").rsplit("/", 1)[-1][:255]
    with transaction.atomic():
        document = OrganisationDocument(
            tenant=tenant, organisation=organisation, item=item, original_name=original_name,
            content_type=detected.content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor.user, issued_on=issued_on, expires_on=expires_on,
        )
        document.file.save(f"upload.{detected.extension}", ContentFile(data), save=False)
        try:
            document.save()
            audit_record(
                tenant=tenant, actor=actor.user, action="organisation_document.uploaded", target=document,
                after={"organisation": organisation.pk, "item": item.pk, "name": original_name,
                       "type": detected.content_type, "size": len(data), "sha256": document.sha256,
                       "expires_on": expires_on},
            )
        except Exception:
            document.file.delete(save=False)  # no orphan file when the row is not written
            raise
    return document


def document_review(
    *, actor: Actor, document: OrganisationDocument, decision: str, comment: str = ""
) -> OrganisationDocument:
    """A manager accepts or rejects a document (orgs.workflow.ORGANISATION_DOCUMENT); a rejection
    needs a comment the CSO can act on, and e-mails it to the organisation's members after commit."""
    require_same_tenant(actor, document)
    require(can_review_document(actor, document))
    if decision not in (ReviewStatus.ACCEPTED, ReviewStatus.REJECTED):
        raise Refused(_("Choose accept or reject."))

    def record_review(locked: OrganisationDocument, ctx: dict[str, Any]) -> dict[str, Any]:
        locked.review_comment = ctx["reason"]
        locked.reviewed_by = actor.user
        locked.reviewed_at = timezone.now()
        return {"review_comment": locked.review_comment}

    with transaction.atomic():
        locked = transition(ORGANISATION_DOCUMENT, obj=document, target=decision, actor=actor, reason=comment,
                            apply=record_review, lock_related=("organisation", "item"))
        if decision == ReviewStatus.REJECTED:
            document_rejected_email(document=locked, actor=actor)
    document.review_comment, document.reviewed_by, document.reviewed_at = (
        locked.review_comment, locked.reviewed_by, locked.reviewed_at)
    return locked

